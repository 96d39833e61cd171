// Serializability of MULTI/EXEC across shards, checked on recorded histories (test/helpers/elle.ts), and the checker shown to catch a broken coordinator.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Frame } from '../../src/protocol/frame.js';
import { TX_LOCK } from '../../src/shard/txn-wire.js';
import { checkListAppend, type MicroOp, type Txn } from '../helpers/elle.js';

// CI size by default; KF_ELLE_TXNS=20000 for a long run.
const TXNS = Number(process.env.KF_ELLE_TXNS ?? 600);
const CLIENTS = 8;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two keys on each shard. */
function keys(b: LocalBackend): string[] {
  const out: string[] = [];
  const per = new Map<number, number>();
  for (let i = 0; out.length < 2 * b.slots.shards; i++) {
    const k = `elle:${i}`;
    const s = b.slots.shardOfKey(k);
    if ((per.get(s) ?? 0) < 2) {
      per.set(s, (per.get(s) ?? 0) + 1);
      out.push(k);
    }
  }
  return out;
}

/** Run the workload: CLIENTS connections, each issuing its share of TXNS MULTI/EXEC transactions. */
async function record(b: LocalBackend, seed: number, txns = TXNS): Promise<{ history: Txn[]; crossShard: number }> {
  const ks = keys(b);
  const rand = rng(seed);
  let next = 0;
  let ids = 0;
  let crossShard = 0;
  const history: Txn[] = [];
  const client = async () => {
    const s = b.session();
    while (next < txns) {
      next++;
      const n = 1 + Math.floor(rand() * 4);
      const ops: MicroOp[] = [];
      for (let i = 0; i < n; i++) {
        const key = ks[Math.floor(rand() * ks.length)]!;
        ops.push(rand() < 0.5 ? { f: 'append', key, value: ++ids } : { f: 'read', key, value: null });
      }
      if (new Set(ops.map((o) => b.slots.shardOfKey(o.key))).size > 1) crossShard++;
      const cmds = [['MULTI'], ...ops.map((o) => (o.f === 'append' ? ['RPUSH', o.key, String(o.value)] : ['LRANGE', o.key, '0', '-1'])), ['EXEC']];
      const t: Txn = { id: history.length, type: 'info', ops };
      history.push(t);
      const replies = await s.run(cmds);
      const exec = replies[replies.length - 1]!;
      if (exec.t !== 'arr') {
        t.type = exec.t === 'err' && exec.v.includes('not applied') ? 'fail' : 'info';
        continue;
      }
      t.type = 'ok';
      exec.v.forEach((f: Frame, i) => {
        const op = ops[i]!;
        if (op.f === 'read') op.value = f.t === 'arr' ? f.v.map((x) => Number((x as { v: string }).v)) : null;
      });
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { history, crossShard };
}

const ok = (id: number, ops: MicroOp[]): Txn => ({ id, type: 'ok', ops });
const ap = (key: string, value: number): MicroOp => ({ f: 'append', key, value });
const rd = (key: string, ...value: number[]): MicroOp => ({ f: 'read', key, value });

describe('the list-append checker on hand-made histories', () => {
  it('a serial history passes', () => {
    expect(checkListAppend([ok(0, [ap('x', 1), rd('y')]), ok(1, [rd('x', 1), ap('y', 2)]), ok(2, [rd('x', 1), rd('y', 2)])])).toEqual([]);
  });

  it('write skew (G2: each read misses the other append) is a cycle', () => {
    const a = checkListAppend([ok(0, [ap('x', 1), rd('y')]), ok(1, [ap('y', 2), rd('x')]), ok(2, [rd('x', 1), rd('y', 2)])]);
    expect(a.map((x) => x.kind)).toEqual(['cycle']);
    expect(a[0]!.detail).toMatch(/rw/);
  });

  it('a circular information flow (G1c: wr both ways) is a cycle', () => {
    const a = checkListAppend([ok(0, [ap('x', 1), rd('y', 2)]), ok(1, [ap('y', 2), rd('x', 1)])]);
    expect(a.map((x) => x.kind)).toEqual(['cycle']);
  });

  it('reads disagreeing on an order, and reads of failed appends, are caught', () => {
    const a = checkListAppend([ok(0, [ap('x', 1)]), ok(1, [ap('x', 2)]), ok(2, [rd('x', 1, 2)]), ok(3, [rd('x', 2, 1)])]);
    expect(a.some((x) => x.kind === 'incompatible-order')).toBe(true);
    const b = checkListAppend([{ id: 0, type: 'fail', ops: [ap('x', 1)] }, ok(1, [rd('x', 1)])]);
    expect(b.map((x) => x.kind)).toEqual(['aborted-read']);
  });
});

describe('MULTI/EXEC across shards is serializable', () => {
  it(`${TXNS} concurrent list-append transactions over 4 shards: no anomaly`, async () => {
    const b = new LocalBackend({ shards: 4 });
    // Count the waiting LOCKs: the workload must reach the ordered phase (contention), not only the try.
    let waited = 0;
    const exec = b.exec.bind(b);
    b.exec = (shard, batch, resp, opts) => {
      const a = batch[0]!;
      if (batch.length === 1 && a[0] === TX_LOCK && a[5] === '1') waited++;
      return exec(shard, batch, resp, opts);
    };
    const { history, crossShard } = await record(b, 11);
    expect(waited).toBeGreaterThan(10);
    expect(crossShard).toBeGreaterThan(TXNS / 3);
    expect(history.filter((t) => t.type === 'ok').length).toBe(TXNS);
    expect(checkListAppend(history)).toEqual([]);
    // No lock outlives its transaction.
    for (const h of b.hosts) expect(h.txn.lockedKeys).toBe(0);
  }, 60_000);

  it('the checker catches a coordinator that reads without locks (the broken variant)', async () => {
    let caught: string | null = null;
    for (let seed = 1; seed <= 5 && !caught; seed++) {
      const b = new LocalBackend({ shards: 4, xshardBug: 'unlocked-reads' });
      const { history } = await record(b, seed, 300);
      const a = checkListAppend(history);
      if (a.some((x) => x.kind === 'cycle')) caught = a.find((x) => x.kind === 'cycle')!.detail;
    }
    expect(caught).toMatch(/^T\d+ -(rw|wr|ww)->/);
  }, 60_000);
});
