// Property tests of the packed hash encoding and of HashObj's conversion, against a Map model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_PACK, packCount, packDel, packEach, packGet, packSet, varint } from '../../src/engine/encodings/hash-pack.js';
import { HashObj, hashDel, hashEntries, hashGet, hashLen, hashSet } from '../../src/engine/types/hash.js';

const bytes = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((a) => String.fromCharCode(...a));
const op = fc.oneof(
  fc.record({ k: fc.constant('set' as const), f: bytes(6), v: bytes(200) }),
  fc.record({ k: fc.constant('del' as const), f: bytes(6), v: fc.constant('') }),
);

describe('hash-pack', () => {
  it('varints round-trip through a pack for lengths across the 1/2/3-byte boundaries', () => {
    for (const n of [0, 1, 127, 128, 300, 16383, 16384, 70000]) {
      const v = 'y'.repeat(n);
      const s = packSet(EMPTY_PACK, 'f', v).s;
      expect(packGet(s, 'f')).toBe(v);
      expect(varint(n).length).toBe(n < 128 ? 1 : n < 16384 ? 2 : 3);
    }
  });

  it('behaves as an insertion-ordered Map under random sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let s = EMPTY_PACK;
        const m = new Map<string, string>();
        for (const o of ops) {
          if (o.k === 'set') {
            const r = packSet(s, o.f, o.v);
            expect(r.added).toBe(!m.has(o.f));
            s = r.s;
            m.set(o.f, o.v);
          } else {
            const r = packDel(s, o.f);
            expect(r !== null).toBe(m.delete(o.f));
            if (r !== null) s = r;
          }
          expect(packCount(s)).toBe(m.size);
        }
        const got: Array<[string, string]> = [];
        packEach(s, (f, v) => {
          got.push([f, v]);
        });
        expect(got).toEqual([...m]);
        for (const c of s) expect(c.charCodeAt(0)).toBeLessThan(256);
      }),
    );
  });

  it('HashObj converts at the entry and value limits and keeps the same content', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 100 }), (ops, entries, value) => {
        const h = new HashObj();
        const m = new Map<string, string>();
        let converted = false;
        for (const o of ops) {
          if (o.k === 'set') {
            const longArg = o.f.length > value || o.v.length > value;
            hashSet(h, o.f, o.v, { entries, value });
            m.set(o.f, o.v);
            if (longArg || m.size > entries) converted = true;
          } else {
            hashDel(h, o.f);
            m.delete(o.f);
          }
          // Once converted, a hash stays a hashtable (Redis 7.0 never converts back).
          expect(typeof h.d !== 'string').toBe(converted);
          expect(hashLen(h)).toBe(m.size);
        }
        expect(new Map(hashEntries(h))).toEqual(m);
        for (const [f, v] of m) expect(hashGet(h, f)).toBe(v);
      }),
    );
  });
});
