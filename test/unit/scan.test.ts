import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock, Rng } from '../../src/engine/clock.js';
import { Keyspace } from '../../src/engine/keyspace.js';
import { SCAN_CACHE_SIZE, parseCursor, resetScans, scanShard } from '../../src/engine/scan.js';
import { LocalBackend } from '../../src/server/local.js';
import type { Frame } from '../../src/protocol/frame.js';

function service() {
  const clock = new ManualClock();
  const b = new LocalBackend(4, clock);
  const s = b.session();
  const run = async (...argv: string[]): Promise<Frame> => (await s.run([argv]))[0]!;
  const scan = async (cursor: string, count: number): Promise<{ cursor: string; keys: string[] }> => {
    const f = await run('SCAN', cursor, 'COUNT', String(count));
    if (f.t !== 'arr') throw new Error(JSON.stringify(f));
    const [c, ks] = f.v as unknown as [{ v: string }, { v: Array<{ v: string }> }];
    return { cursor: c.v, keys: ks.v.map((k) => k.v) };
  };
  return { clock, b, run, scan };
}

const op = fc.oneof(
  fc.record({ t: fc.constant('set' as const), k: fc.integer({ min: 0, max: 59 }) }),
  fc.record({ t: fc.constant('del' as const), k: fc.integer({ min: 0, max: 59 }) }),
  fc.record({ t: fc.constant('scan' as const), who: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('lost' as const), who: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('restart' as const), shard: fc.integer({ min: 0, max: 3 }) }),
);

describe('SCAN guarantee', () => {
  it('every key present for the whole scan is returned, whatever happens between calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 40 }), fc.array(op, { maxLength: 120 }), async (initial, ops) => {
        const { b, run, scan } = service();
        const name = (i: number) => (i % 4 === 0 ? `{t}k${i}` : `k${i}`);
        for (const i of initial) await run('SET', name(i), 'v');
        const present = new Set(initial.map(name));
        const everPresent = new Set(present);
        // Three concurrent scanners, each with its own cursor and its own record.
        const scanners = [0, 1, 2].map(() => ({
          cursor: '0', done: false, got: new Set<string>(), stable: new Set(present),
        }));
        const step = async (w: (typeof scanners)[number], cursor: string, count: number) => {
          if (w.done) return;
          const r = await scan(cursor, count);
          for (const k of r.keys) w.got.add(k);
          w.cursor = r.cursor;
          if (r.cursor === '0') w.done = true;
        };
        for (const o of ops) {
          switch (o.t) {
            case 'set':
              await run('SET', name(o.k), 'v2');
              present.add(name(o.k));
              everPresent.add(name(o.k));
              break;
            case 'del':
              await run('DEL', name(o.k));
              present.delete(name(o.k));
              for (const w of scanners) w.stable.delete(name(o.k));
              break;
            case 'scan':
              await step(scanners[o.who]!, scanners[o.who]!.cursor, o.count);
              break;
            case 'lost': // the reply never reached the client, which will re-send the same cursor
              if (!scanners[o.who]!.done) await scan(scanners[o.who]!.cursor, o.count);
              break;
            case 'restart': // the shard lost its iterators (eviction of the Durable Object)
              resetScans(b.shards[o.shard]!.db);
              break;
          }
        }
        for (const w of scanners) {
          for (let i = 0; !w.done; i++) {
            if (i > 1000) throw new Error('SCAN did not terminate');
            await step(w, w.cursor, 5);
          }
          for (const k of w.stable) expect(w.got.has(k), `missed ${k}`).toBe(true);
          for (const k of w.got) expect(everPresent.has(k), `phantom ${k}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a scan on a quiet keyspace returns each key exactly once', async () => {
    const { run, scan } = service();
    for (let i = 0; i < 1000; i++) await run('SET', `key:${i}`, 'v');
    const seen: string[] = [];
    let cursor = '0';
    do {
      const r = await scan(cursor, 17);
      seen.push(...r.keys);
      cursor = r.cursor;
    } while (cursor !== '0');
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
  });
});

describe('shard-local scan cursors', () => {
  const walk = (db: Keyspace, rng: Rng, count: number, first = 0) => {
    const keys: string[] = [];
    let c = first;
    let calls = 0;
    do {
      const r = scanShard(db, rng, 0, 4, c, count, () => true);
      keys.push(...r.keys);
      c = r.next;
      calls++;
    } while (c !== 0);
    return { keys, calls };
  };

  function db(n: number): Keyspace {
    const d = new Keyspace();
    for (let i = 0; i < n; i++) d.set(`k${i}`, 'v');
    return d;
  }

  it('COUNT is the number of keys visited per call', () => {
    const rng = new Rng(1);
    const d = db(100);
    const r1 = scanShard(d, rng, 0, 4, 0, 30, () => true);
    expect(r1.keys).toHaveLength(30);
    // Filtered-out keys still use the budget.
    const r2 = scanShard(d, rng, 0, 4, r1.next, 30, (k) => k.endsWith('1'));
    expect(r2.keys.length).toBeLessThan(30);
    expect(walk(d, rng, 10).calls).toBe(11); // 10 full calls, then the one that sees the end
  });

  it('a cursor is single-use: re-sending one restarts the walk rather than skipping keys', () => {
    const rng = new Rng(2);
    const d = db(50);
    const a = scanShard(d, rng, 0, 4, 0, 10, () => true);
    const b1 = scanShard(d, rng, 0, 4, a.next, 10, () => true);
    const b2 = scanShard(d, rng, 0, 4, a.next, 10, () => true);
    expect(b1.keys).toEqual(['k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
    expect(b2.keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(new Set(walk(d, rng, 7, b1.next).keys.concat(b1.keys, a.keys)).size).toBe(50);
  });

  it('evicted, foreign and pre-restart cursors restart the walk; nothing is missed', () => {
    const rng = new Rng(3);
    const d = db(40);
    const first = scanShard(d, rng, 0, 4, 0, 5, () => true);
    // Push the first cursor out of the LRU.
    for (let i = 0; i < SCAN_CACHE_SIZE; i++) scanShard(d, rng, 0, 4, 0, 1, () => true);
    expect(walk(d, rng, 5, first.next).keys).toHaveLength(40);
    expect(walk(d, rng, 5, 123456789).keys).toHaveLength(40);
    const c = scanShard(d, rng, 0, 4, 0, 5, () => true).next;
    resetScans(d);
    expect(walk(d, rng, 5, c).keys).toHaveLength(40);
  });

  it('local cursors leave room for the shard index under 2^53', () => {
    const d = db(10);
    for (const shards of [1, 4, 16384]) {
      resetScans(d);
      for (let i = 0; i < 50; i++) {
        const r = scanShard(d, new Rng(i), 1_700_000_000_000 + i, shards, 0, 1, () => true);
        expect(r.next).toBeGreaterThan(0);
        expect(r.next * shards + (shards - 1)).toBeLessThan(2 ** 53);
      }
    }
  });

  it('parses cursors as strtoul does', () => {
    expect(parseCursor('0')).toBe(0n);
    expect(parseCursor('')).toBe(0n);
    expect(parseCursor('+7')).toBe(7n);
    expect(parseCursor('007')).toBe(7n);
    expect(parseCursor('-1')).toBe(18446744073709551615n);
    expect(parseCursor('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseCursor('18446744073709551616')).toBe(null);
    for (const bad of [' 1', '1 ', 'x', '+', '-', '0x1', '1.0']) expect(parseCursor(bad)).toBe(null);
  });
});
