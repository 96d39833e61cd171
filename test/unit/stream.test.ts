// The stream structure against a simple model (a sorted array of entries): appends with varied
// IDs and fields, deletes, exact trims, forward/reverse ranges with counts, and clones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Stream } from '../../src/engine/types/stream.js';
import { MAX_ID, fmtId, readVarint, sid, varint } from '../../src/engine/encodings/stream-node.js';
import { cloneValue } from '../../src/engine/keyspace.js';

interface M {
  id: bigint;
  fv: string[];
}

const byte = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const bytes = fc.array(byte, { maxLength: 12 }).map((a) => a.join(''));
const op = fc.oneof(
  fc.record({ t: fc.constant('add' as const), dms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.constant(2 ** 40)), seq: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 3 }), fc.constant(2 ** 60)), same: fc.boolean(), v: bytes, f: bytes }),
  fc.record({ t: fc.constant('del' as const), k: fc.nat() }),
  fc.record({ t: fc.constant('trim' as const), maxlen: fc.nat({ max: 40 }) }),
  fc.record({ t: fc.constant('minid' as const), k: fc.nat() }),
);

describe('Stream vs model', () => {
  it('ranges, lengths, deletes and exact trims agree with a sorted array', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 60, max: 4096 }), (ops, maxEntries, maxBytes) => {
        const s = new Stream();
        let model: M[] = [];
        let last = 0n;
        for (const o of ops) {
          if (o.t === 'add') {
            const ms = (last >> 64n) + BigInt(o.dms);
            const seq = o.seq === -1 ? (last & ((1n << 64n) - 1n)) + 1n : BigInt(o.seq);
            const id = sid(ms, seq);
            if (id <= last) continue;
            const fv = o.same ? ['f', o.v] : [o.f, o.v, 'g', o.v];
            s.append(id, ['XADD', 'k', fmtId(id), ...fv], 3, maxBytes, maxEntries);
            model.push({ id, fv });
            last = id;
          } else if (o.t === 'del') {
            if (!model.length) continue;
            const victim = model[o.k % model.length]!;
            expect(s.delete(victim.id)).toBe(true);
            expect(s.delete(victim.id)).toBe(false);
            model = model.filter((e) => e !== victim);
          } else if (o.t === 'trim') {
            const n = s.trim({ strategy: 'maxlen', maxlen: BigInt(o.maxlen), minid: 0n, approx: false, limit: 0 });
            const drop = Math.max(0, model.length - o.maxlen);
            expect(n).toBe(drop);
            model = model.slice(drop);
          } else {
            if (!model.length) continue;
            const min = model[o.k % model.length]!.id;
            const n = s.trim({ strategy: 'minid', maxlen: 0n, minid: min, approx: false, limit: 0 });
            const keep = model.filter((e) => e.id >= min);
            expect(n).toBe(model.length - keep.length);
            model = keep;
          }
          expect(s.length).toBe(model.length);
        }
        const all = s.range(0n, MAX_ID);
        expect(all.map((e) => [e.id, e.fv])).toEqual(model.map((e) => [e.id, e.fv]));
        expect(s.range(0n, MAX_ID, 0, true).map((e) => e.id)).toEqual(model.map((e) => e.id).reverse());
        if (model.length > 2) {
          const a = model[1]!.id;
          const b = model[model.length - 2]!.id;
          expect(s.range(a, b, 3).map((e) => e.id)).toEqual(model.filter((e) => e.id >= a && e.id <= b).slice(0, 3).map((e) => e.id));
          expect(s.range(a, b, 2, true).map((e) => e.id)).toEqual(model.filter((e) => e.id >= a && e.id <= b).reverse().slice(0, 2).map((e) => e.id));
          expect(s.get(a)?.fv).toEqual(model[1]!.fv);
        }
        const copy = cloneValue(s) as Stream;
        expect(copy.range(0n, MAX_ID).map((e) => e.id)).toEqual(model.map((e) => e.id));
      }),
      { numRuns: 300 },
    );
  });

  it('varints round-trip up to 2^53', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), (n) => {
        const pos = { p: 0 };
        expect(readVarint(varint(n), pos)).toBe(n);
      }),
    );
  });
});
