// The sliced AOF rewrite: a base written while commands keep running, plus the segment opened
// at its start, must rebuild exactly the live keyspace (copy-on-write per key, no fork).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import type { Value } from '../../src/engine/keyspace.js';
import { MAX_ROW, emptyManifest, installBase, openSegment, shouldAutoRewrite, type Manifest } from '../../src/persistence/aof.js';
import { packRows } from '../../src/persistence/log.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { Rewrite, type RewriteStore } from '../../src/persistence/rewrite.js';
import { dueSavePoint } from '../../src/persistence/savepoints.js';
import { fromBytes, toBytes } from '../../src/protocol/bytes.js';
import type { SnapshotCodec } from '../../src/persistence/snapshot.js';

/** A stand-in format for string values (the real one is RDB): one JSON line per key. */
const codec: SnapshotCodec = {
  writer: () => {
    let db = 0;
    return { begin: () => '', select: (n) => ((db = n), ''), entry: (k, v, e) => JSON.stringify([k, v, e, db]) + '\n', end: () => '' };
  },
  load(bytes, put) {
    for (const line of fromBytes(bytes).split('\n')) {
      if (!line) continue;
      const [k, v, e, db] = JSON.parse(line) as [string, Value, number, number];
      put(k, v, e, db);
    }
  },
};

class MemStore implements RewriteStore {
  manifest: Manifest = emptyManifest();
  base = new Map<string, string>();
  done = 0;
  currentManifest() {
    return this.manifest;
  }
  setManifest(m: Manifest) {
    this.manifest = m;
  }
  flushLog() {}
  writeBaseRow(gen: number, idx: number, data: string) {
    this.base.set(`${gen}:${idx}`, data);
  }
  retire(gen: number) {
    for (const k of [...this.base.keys()]) if (!k.startsWith(`${gen}:`)) this.base.delete(k);
  }
  rewriteDone() {
    this.done++;
  }
  baseBytes(gen: number): Uint8Array {
    const rows = [...this.base.entries()].filter(([k]) => k.startsWith(`${gen}:`)).sort((a, b) => Number(a[0].split(':')[1]) - Number(b[0].split(':')[1]));
    return toBytes(rows.map(([, v]) => v).join(''));
  }
}

const info = { index: 0, count: 1, slots: [0, 16383] as const };

describe('sliced rewrite', () => {
  it('base + the new segment rebuild the live keyspace under interleaved writes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('INCR', 'SET', 'DEL', 'APPEND', 'FLUSHALL'), fc.integer({ min: 0, max: 60 })), { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (ops, perSlice) => {
        const clock = new ManualClock();
        const live = new Shard(info, clock);
        const init: string[][] = [];
        for (let i = 0; i < 50; i++) init.push(['SET', `k${i}`, String(i)]);
        live.exec(init);
        const store = new MemStore();
        const queue: Array<() => void> = [];
        const rw = new Rewrite(live, store, store.manifest, codec, clock.now());
        rw.runInSlices({ set: (fn) => queue.push(fn), clear: () => {} });
        const segment: string[][] = [];
        let op = 0;
        while (queue.length) {
          for (let j = 0; j < perSlice && op < ops.length; j++, op++) {
            const [cmd, n] = ops[op]!;
            const argv = cmd === 'FLUSHALL' ? ['FLUSHALL'] : cmd === 'SET' ? ['SET', `k${n}`, 'x'] : cmd === 'APPEND' ? ['APPEND', `k${n}`, 'y'] : [cmd, `k${n}`];
            segment.push(...live.exec([argv]).effects);
          }
          queue.shift()!();
        }
        for (; op < ops.length; op++) {
          const [cmd, n] = ops[op]!;
          segment.push(...live.exec([[cmd === 'FLUSHALL' ? 'FLUSHALL' : cmd, ...(cmd === 'FLUSHALL' ? [] : [`k${n}`]), ...(cmd === 'SET' ? ['x'] : cmd === 'APPEND' ? ['y'] : [])]]).effects);
        }
        expect(store.done).toBe(1);
        expect(live.beforeWrite).toBeNull();
        // Recovery: load the base, replay the segment.
        const restored = new Shard(info, clock);
        codec.load(store.baseBytes(store.manifest.base!.gen), (k, v, e) => {
          restored.db.set(k, v);
          if (e >= 0) restored.db.setExpire(k, e);
        });
        restored.replay(segment);
        expect(new Map(restored.db.data)).toEqual(new Map(live.db.data));
        expect(store.manifest.segments.map((s) => s.seg)).toEqual([2]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('AOF policy', () => {
  it('cuts a record bigger than a row into rows no bigger than MAX_ROW, each knowing its offset', () => {
    const rec = encodeCommand(['SET', 'k', 'x'.repeat(MAX_ROW + 10)]);
    const rows = packRows([rec], 100, 1);
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.data.length <= MAX_ROW)).toBe(true);
    expect(rows.map((r) => [r.off, r.head])).toEqual([[100, true], [100 + MAX_ROW, false]]);
    expect(rows.map((r) => r.data).join('')).toBe(rec);
  });

  it('opens segments and installs bases as the multi-part AOF manifest does', () => {
    let m = emptyManifest();
    m.segments[0]!.bytes = 500;
    m = openSegment(m);
    expect(m.segments.map((s) => s.seg)).toEqual([1, 2]);
    const r = installBase(m, { gen: 1, bytes: 100, keys: 3, at: 0 }, 2);
    expect(r.retired).toEqual([1]);
    expect(r.manifest.segments.map((s) => s.seg)).toEqual([2]);
    expect(r.manifest.base?.gen).toBe(1);
  });

  it('follows auto-aof-rewrite-percentage / -min-size and save points', () => {
    const m: Manifest = { base: { gen: 1, bytes: 1000, keys: 1, at: 0 }, segments: [{ seg: 2, bytes: 900 }] };
    expect(shouldAutoRewrite(m, 100, 0)).toBe(false);
    m.segments[0]!.bytes = 1000;
    expect(shouldAutoRewrite(m, 100, 0)).toBe(true);
    expect(shouldAutoRewrite(m, 100, 1_000_000)).toBe(false);
    expect(shouldAutoRewrite(m, 0, 0)).toBe(false);
    expect(dueSavePoint('3600 1 300 100 60 10000', 100, 301)).toBe(true);
    expect(dueSavePoint('3600 1 300 100 60 10000', 99, 301)).toBe(false);
    expect(dueSavePoint('3600 1 300 100 60 10000', 1, 3600)).toBe(true);
    expect(dueSavePoint('', 1_000_000, 1e9)).toBe(false);
  });
});

describe('RDB snapshot codec', () => {
  it('writes every type as a dump.rdb that loads back to the same keyspace', async () => {
    const { RDB_SNAPSHOT } = await import('../../src/persistence/rdb-snapshot.js');
    const clock = new ManualClock();
    const live = new Shard(info, clock);
    const seed = [
      ['SET', 's', 'string \x00\xff'], ['SET', 'n', '12345'], ['SET', 'ttl', 'v', 'PX', '100000000'], ['RPUSH', 'l', 'a', 'b', 'c'],
      ['HSET', 'h', 'f1', 'v1'], ['SADD', 'si', '1', '2'], ['SADD', 'ss', 'x', 'y'], ['ZADD', 'z', '1.5', 'a'], ['XADD', 'x', '1-1', 'f', 'v'], ['PFADD', 'hll', 'a'],
    ];
    live.exec(seed);
    const store = new MemStore();
    new Rewrite(live, store, store.manifest, RDB_SNAPSHOT, clock.now()).runToEnd();
    const bytes = Uint8Array.from(store.baseBytes(store.manifest.base!.gen));
    const restored = new Shard(info, clock);
    RDB_SNAPSHOT.load(bytes, (k, v, e) => {
      restored.db.set(k, v);
      if (e >= 0) restored.db.setExpire(k, e);
    }, restored);
    const probe = [['GET', 's'], ['GET', 'n'], ['PEXPIRETIME', 'ttl'], ['LRANGE', 'l', '0', '-1'], ['HGETALL', 'h'], ['SMEMBERS', 'si'], ['SMEMBERS', 'ss'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['XRANGE', 'x', '-', '+'], ['PFCOUNT', 'hll'], ['DBSIZE']];
    expect(restored.exec(probe).replies).toEqual(live.exec(probe).replies);
  });
});
