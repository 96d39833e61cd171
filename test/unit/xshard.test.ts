// The coordinator (src/server/xshard.ts) under injected failures of its peers: all or nothing, and no lock left behind.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { lookup } from '../../src/server/commands/table.js';
import { keyPositions } from '../../src/commands/table.js';
import { runAcross, type XCommand, type XShardEnv } from '../../src/server/xshard.js';
import { TX_COMMIT, TX_LOCK, TX_STAGE, TX_STATUS, replyStrings } from '../../src/shard/txn-wire.js';

/** Keys on shards 0, 1, 2 and 3 (one each). */
function keys(b: LocalBackend): string[] {
  const out: string[] = [];
  for (let i = 0, want = 0; want < 4; i++) {
    if (b.slots.shardOfKey(`f${i}`) === want) {
      out.push(`f${i}`);
      want++;
    }
  }
  return out;
}

const cmd = (...argv: string[]): XCommand => {
  const spec = lookup(argv).spec!;
  return { spec, argv, pos: keyPositions(spec, argv) };
};

type Fault = (shard: number, argv: string[]) => 'drop-request' | 'drop-reply' | null;

/** A peer port over the backend's hosts, with a fault plan; `sent` records [shard, request name]. */
function env(b: LocalBackend, fault: Fault = () => null, leaseMs = 5_000) {
  let n = 0;
  const sent: Array<[number, string]> = [];
  const e: XShardEnv = {
    slots: b.slots,
    async send(shard, argv) {
      sent.push([shard, argv[0]!.slice(4)]);
      const f = fault(shard, argv);
      if (f === 'drop-request') throw new Error('injected: request lost');
      const r = replyStrings((await b.exec(shard, [argv], 2))[0]);
      if (f === 'drop-reply') throw new Error('injected: reply lost');
      if (!r) throw new Error('not a wire reply');
      return r;
    },
    plain: (shard, batch) => b.exec(shard, batch, 2),
    txid: () => `t${++n}`,
    clock: b.clock,
    leaseMs,
  };
  return { e, sent };
}

const locked = (b: LocalBackend) => b.hosts.reduce((n, h) => n + h.txn.lockedKeys, 0);
const get = async (b: LocalBackend, k: string) => (await b.session().run([['GET', k]]))[0];

describe('the cross-shard coordinator', () => {
  it('a clean run: LOCK everywhere, STAGE the non-primaries, COMMIT the primary first, then the others', async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1, k2] = keys(b) as [string, string, string];
    const { e, sent } = env(b);
    const r = await runAcross(e, [cmd('MSET', k0, 'a', k1, 'b', k2, 'c')], [], 0, 2);
    expect(r).toEqual({ t: 'ok', replies: [{ t: 'simple', v: 'OK' }] });
    const names = sent.map(([s, n]) => `${s}:${n}`);
    expect(names.slice(0, 3).sort()).toEqual(['0:lock', '1:lock', '2:lock']);
    expect(names.slice(3, 5).sort()).toEqual(['1:stage', '2:stage']);
    expect(names[5]).toBe('0:commit');
    expect(names.slice(6).sort()).toEqual(['1:commit', '2:commit']);
    expect(await get(b, k1)).toEqual({ t: 'bulk', v: 'b' });
    expect(locked(b)).toBe(0);
  });

  it('read-only work locks, reads and releases (ABORT), writing nothing', async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1] = keys(b) as [string, string];
    await b.session().run([['SET', k0, 'x'], ['SET', k1, 'y']]);
    const { e, sent } = env(b);
    const r = await runAcross(e, [cmd('MGET', k1, k0)], [], 0, 2);
    expect(r).toEqual({ t: 'ok', replies: [{ t: 'arr', v: [{ t: 'bulk', v: 'y' }, { t: 'bulk', v: 'x' }] }] });
    expect(sent.map(([, n]) => n).sort()).toEqual(['abort', 'abort', 'lock', 'lock']);
    expect(locked(b)).toBe(0);
  });

  for (const [what, fault] of [
    ['a LOCK request lost', (s: number, a: string[]) => (s === 2 && a[0] === TX_LOCK ? 'drop-request' : null)],
    ['a STAGE request lost', (s: number, a: string[]) => (s === 1 && a[0] === TX_STAGE ? 'drop-request' : null)],
    ["a STAGE's reply lost (the shard staged it)", (s: number, a: string[]) => (s === 2 && a[0] === TX_STAGE ? 'drop-reply' : null)],
    ["the primary's COMMIT lost, and the primary unreachable for STATUS", (s: number, a: string[]) => (s === 0 && (a[0] === TX_COMMIT || a[0] === TX_STATUS) ? 'drop-request' : null)],
  ] as Array<[string, Fault]>) {
    it(`${what}: nothing is applied anywhere and no lock is left`, async () => {
      const b = new LocalBackend({ shards: 4 });
      const [k0, k1, k2] = keys(b) as [string, string, string];
      await b.session().run([['SET', k0, 'old'], ['SET', k1, 'old'], ['SET', k2, 'old']]);
      const { e } = env(b, fault, 300);
      const r = await runAcross(e, [cmd('MSET', k0, 'new', k1, 'new', k2, 'new')], [], 0, 2);
      expect(r.t).toBe('error');
      // A staged shard that got no ABORT waits out its lease, asks the primary, which aborts.
      await new Promise((res) => setTimeout(res, 1_000));
      for (const k of [k0, k1, k2]) expect(await get(b, k)).toEqual({ t: 'bulk', v: 'old' });
      expect(locked(b)).toBe(0);
    });
  }

  it("the primary's COMMIT reply lost: STATUS says committed, the transaction is acknowledged and complete", async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1, k2] = keys(b) as [string, string, string];
    const { e } = env(b, (s, a) => (s === 0 && a[0] === TX_COMMIT ? 'drop-reply' : null));
    const r = await runAcross(e, [cmd('MSET', k0, 'a', k1, 'b', k2, 'c')], [], 0, 2);
    expect(r.t).toBe('ok');
    for (const [k, v] of [[k0, 'a'], [k1, 'b'], [k2, 'c']] as const) expect(await get(b, k)).toEqual({ t: 'bulk', v });
    expect(locked(b)).toBe(0);
  });

  it("a non-primary's COMMIT lost after the decision: it asks the primary once its lease ends and applies", async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1, k2] = keys(b) as [string, string, string];
    const { e } = env(b, (s, a) => (s === 2 && a[0] === TX_COMMIT ? 'drop-request' : null), 300);
    const r = await runAcross(e, [cmd('MSET', k0, 'a', k1, 'b', k2, 'c')], [], 0, 2);
    expect(r.t).toBe('ok');
    // Meanwhile a read of the staged key waits (never sees the old value), then sees the commit.
    expect(await get(b, k2)).toEqual({ t: 'bulk', v: 'c' });
    expect(locked(b)).toBe(0);
  });

  it('a watched key changed on another shard: nothing runs, nothing stays locked', async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1, , k3] = keys(b) as [string, string, string, string];
    const s = b.session();
    await s.run([['WATCH', k3]]);
    await b.session().run([['SET', k3, 'changed']]);
    const replies = await s.run([['MULTI'], ['SET', k0, '1'], ['SET', k1, '1'], ['EXEC']]);
    expect(replies[3]).toEqual({ t: 'nilarr' });
    expect(await get(b, k0)).toEqual({ t: 'nil' });
    expect(locked(b)).toBe(0);
  });

  it('keyspace notifications of a cross-shard command are published once, in Redis order, at the commit', async () => {
    const b = new LocalBackend({ shards: 4 });
    const [k0, k1, k2] = keys(b) as [string, string, string];
    const notes: Array<[string, string]> = [];
    const publish = b.pubsub.publishMany.bind(b.pubsub);
    b.pubsub.publishMany = async (n) => {
      for (const [ch, msg] of n) notes.push([ch, msg]);
      return publish(n);
    };
    const s = b.session();
    await s.run([['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']]);
    expect(await s.run([['MSET', k1, '1', k0, '2']])).toEqual([{ t: 'simple', v: 'OK' }]);
    expect(await s.run([['RENAME', k1, k2]])).toEqual([{ t: 'simple', v: 'OK' }]);
    // Redis: MSET notifies `set` per key in argument order; RENAME rename_from then rename_to.
    const ev = (k: string, e: string): Array<[string, string]> => [[`__keyspace@0__:${k}`, e], [`__keyevent@0__:${e}`, k]];
    expect(notes).toEqual([...ev(k1, 'set'), ...ev(k0, 'set'), ...ev(k1, 'rename_from'), ...ev(k2, 'rename_to')]);
  });

  it('contention: transfers between keys of different shards keep the total (8 clients × 50 MULTI)', async () => {
    const b = new LocalBackend({ shards: 4 });
    const ks = keys(b);
    await b.session().run(ks.map((k) => ['SET', k, '100']));
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        const s = b.session();
        for (let i = 0; i < 50; i++) {
          const from = ks[(c + i) % 4]!;
          const to = ks[(c + 2 * i + 1) % 4]!;
          if (from === to) continue;
          const r = await s.run([['MULTI'], ['DECRBY', from, '3'], ['INCRBY', to, '3'], ['EXEC']]);
          expect(r[3]!.t).toBe('arr');
        }
      }),
    );
    const vals = (await b.session().run([['MGET', ...ks]]))[0] as { v: Array<{ v: string }> };
    expect(vals.v.reduce((n, x) => n + Number(x.v), 0)).toBe(400);
    expect(locked(b)).toBe(0);
  });
});

