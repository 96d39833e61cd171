// Streams at large sizes: the pending-entry-list index (IdIndex) against a simple model, and the
// defects the large-size property test found: Map keys of stream IDs that all hash alike (V8
// hashes a BigInt by its low 64 bits, the sequence part), one array splice per deleted ID, and a
// lookup by ID that decoded its whole node (a replayed XREADGROUP is one XCLAIM per entry).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtId, sid, type SID } from '../../src/engine/encodings/stream-node.js';
import { IdIndex, Stream, idKey } from '../../src/engine/types/stream.js';

describe('IdIndex', () => {
  it('behaves as a sorted map under any mix of set, delete, keys and lower', () => {
    const id = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => sid(BigInt(ms), BigInt(seq)));
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), id, v: fc.integer() }),
      fc.record({ k: fc.constant('del' as const), id }),
      fc.record({ k: fc.constant('keys' as const) }),
      fc.record({ k: fc.constant('lower' as const), id }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const ix = new IdIndex<number>();
        const model = new Map<SID, number>();
        const sorted = () => [...model.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const o of ops) {
          if (o.k === 'set') {
            ix.set(o.id, o.v);
            model.set(o.id, o.v);
          } else if (o.k === 'del') expect(ix.delete(o.id)).toBe(model.delete(o.id));
          else if (o.k === 'keys') expect(ix.keys).toEqual(sorted());
          else {
            const s = sorted();
            const want = s.findIndex((x) => x >= o.id);
            expect(ix.lower(o.id)).toBe(want < 0 ? s.length : want);
          }
          expect(ix.size).toBe(model.size);
        }
        expect(ix.keys).toEqual(sorted());
        for (const [k, v] of model) expect(ix.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps deleted IDs from piling up when its keys are never read (a read-and-ack consumer loop)', () => {
    const ix = new IdIndex<number>();
    for (let i = 1; i <= 100_000; i++) {
      ix.set(sid(BigInt(i), 0n), i);
      if (i > 10) ix.delete(sid(BigInt(i - 10), 0n));
    }
    expect(ix.size).toBe(10);
    expect((ix as unknown as { ids: SID[] }).ids.length).toBeLessThan(200);
    expect(ix.keys.length).toBe(10);
  });

  it('Map keys of IDs differ in their low 64 bits even when the IDs share theirs', () => {
    const low = new Set<bigint>();
    for (let ms = 1; ms <= 1000; ms++) low.add(BigInt.asUintN(64, idKey(sid(BigInt(ms), 0n))));
    expect(low.size).toBe(1000);
    // A bijection: the ms part is kept, so the ID comes back.
    const x = sid(123456789n, 42n);
    const k = idKey(x);
    expect(k ^ (k >> 64n)).toBe(x);
  });
});

describe('Stream.get', () => {
  it('finds exactly what a one-ID range finds, for narrow and wide IDs, other fields and tombstones', () => {
    const add = fc.record({ dms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.constant(2 ** 40), fc.constant(2 ** 62)), seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 3 }), fc.constant(2 ** 60)), same: fc.boolean(), del: fc.boolean() });
    fc.assert(
      fc.property(fc.array(add, { maxLength: 150 }), fc.integer({ min: 1, max: 8 }), (adds, maxEntries) => {
        const s = new Stream();
        const ids: SID[] = [];
        let last = 0n;
        for (const a of adds) {
          const ms = BigInt.asUintN(64, (last >> 64n) + BigInt(a.dms));
          const seq = a.seq === -1 ? BigInt.asUintN(64, (last & ((1n << 64n) - 1n)) + 1n) : BigInt(a.seq);
          const id = sid(ms, seq);
          if (id <= last) continue;
          const fv = a.same ? ['f', `v${ids.length}`] : ['other', `v${ids.length}`, 'g', 'x'];
          s.append(id, ['XADD', 'k', fmtId(id), ...fv], 3, 4096, maxEntries);
          ids.push(id);
          last = id;
          if (a.del && ids.length > 1) s.delete(ids[ids.length - 2]!);
        }
        const probe = [...ids, 0n, last + 1n, ...ids.map((x) => x + 1n)];
        for (const id of probe) expect(s.get(id)).toEqual(s.range(id, id, 1)[0]);
      }),
      { numRuns: 300 },
    );
  });
});
