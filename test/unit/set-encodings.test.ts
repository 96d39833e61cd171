// Property tests of the set encodings (intset, set listpack) and of RSet's conversions against
// simple models (a sorted array of bigints, an insertion-ordered array, a JS Set).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_INTSET, isAdd, isFind, isFromSorted, isLen, isMembers, isRemove, isWidth, parseInt64, widthOf,
} from '../../src/engine/encodings/intset.js';
import { EMPTY_PACK, spAppend, spCount, spFind, spFromMembers, spMembers, spRemove } from '../../src/engine/encodings/set-pack.js';
import { HASHTABLE, INTSET, LISTPACK, RSet, createSetFor, emptySet } from '../../src/engine/types/set.js';
import { Rng } from '../../src/engine/clock.js';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** Integers spread over the 16/32/64-bit widths and their edges. */
const anyInt = fc.oneof(
  fc.integer({ min: -40000, max: 40000 }).map(BigInt),
  fc.integer().map(BigInt),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  fc.constantFrom(I64_MIN, I64_MAX, -32768n, 32767n, -32769n, 32768n, -(2n ** 31n), 2n ** 31n - 1n, 2n ** 31n, 2n ** 53n, -(2n ** 53n) - 1n),
);
const toInt = (b: bigint) => parseInt64(String(b))!;
const byteStr = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }).map((a) => String.fromCharCode(...a));

describe('intset', () => {
  it('behaves as a sorted set of 64-bit integers; the width only grows', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), anyInt), { maxLength: 200 }), (ops) => {
      let s = EMPTY_INTSET;
      const model = new Set<bigint>();
      let maxWidth = 2;
      for (const [add, v] of ops) {
        const x = toInt(v);
        if (add) {
          const next = isAdd(s, x);
          expect(next === null).toBe(model.has(v));
          if (next !== null) s = next;
          model.add(v);
          maxWidth = Math.max(maxWidth, widthOf(x));
        } else {
          const next = isRemove(s, x);
          expect(next === null).toBe(!model.has(v));
          if (next !== null) s = next;
          model.delete(v);
        }
        expect(isWidth(s)).toBe(maxWidth);
      }
      const sorted = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(isLen(s)).toBe(sorted.length);
      expect(isMembers(s)).toEqual(sorted.map(String));
      for (const v of sorted) expect(isFind(s, toInt(v))).toBe(true);
      expect(isMembers(isFromSorted(sorted.map(toInt)))).toEqual(sorted.map(String));
    }), { numRuns: 300 });
  });

  it('parses members exactly as Redis string2ll', () => {
    for (const ok of ['0', '-1', '9223372036854775807', '-9223372036854775808', '123']) expect(parseInt64(ok)).not.toBeNull();
    for (const bad of ['', '-0', '+1', '01', '1.0', ' 1', '9223372036854775808', '-9223372036854775809', 'x', '-']) expect(parseInt64(bad)).toBeNull();
    expect(typeof parseInt64('9007199254740993')).toBe('bigint');
    expect(parseInt64('9007199254740991')).toBe(9007199254740991);
  });

  it('is one flat string of 1 + n·width bytes', () => {
    let s = EMPTY_INTSET;
    for (let i = 0; i < 10; i++) s = isAdd(s, i)!;
    expect(s.length).toBe(1 + 10 * 2);
    s = isAdd(s, 5_000_000_000)!;
    expect(s.length).toBe(1 + 11 * 8);
    s = isRemove(s, 5_000_000_000)!;
    expect(s.length).toBe(1 + 10 * 8); // never downgraded
  });
});

describe('set listpack', () => {
  it('behaves as an insertion-ordered set of byte strings', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.oneof(byteStr, fc.constantFrom('', 'a', 'b', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(20000)))), { maxLength: 100 }), (ops) => {
      let p = EMPTY_PACK;
      const model: string[] = [];
      for (const [add, m] of ops) {
        const at = model.indexOf(m);
        expect(spFind(p, m) >= 0).toBe(at >= 0);
        if (add) {
          if (at < 0) {
            p = spAppend(p, m);
            model.push(m);
          }
        } else {
          const next = spRemove(p, m);
          expect(next === null).toBe(at < 0);
          if (next !== null) {
            p = next;
            model.splice(at, 1);
          }
        }
      }
      expect(spMembers(p)).toEqual(model);
      expect(spFromMembers(model)).toBe(p);
      expect(spCount(p)).toBe(model.length);
    }), { numRuns: 300 });
  });
});

const LIM = { intsetEntries: 512, lpEntries: 128, lpValue: 64 };

describe('RSet', () => {
  it('matches a JS Set model through every encoding and conversion', () => {
    const member = fc.oneof(fc.integer({ min: -300, max: 300 }).map(String), fc.constantFrom('a', 'b', '', 'x'.repeat(65), '9223372036854775807', '-0'), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), member), { maxLength: 400 }), (ops) => {
      const s = emptySet();
      const model = new Set<string>();
      let maxEnc = INTSET;
      const rng = new Rng(7);
      for (const [op, m] of ops) {
        if (op <= 1) expect(s.add(m, LIM)).toBe(!model.has(m)), model.add(m);
        else if (op === 2) expect(s.remove(m)).toBe(model.delete(m));
        else expect(s.has(m)).toBe(model.has(m));
        expect(s.enc).toBeGreaterThanOrEqual(maxEnc); // never converted back
        maxEnc = s.enc;
        expect(s.size).toBe(model.size);
        if (model.size) expect(model.has(s.random(rng))).toBe(true);
      }
      expect([...s.members()].sort()).toEqual([...model].sort());
      const copy = s.clone();
      copy.add('fresh-member', LIM);
      expect(s.has('fresh-member')).toBe(model.has('fresh-member'));
    }), { numRuns: 200 });
  });

  it('converts at the 7.2 thresholds', () => {
    const s = emptySet();
    for (let i = 0; i < 512; i++) s.add(String(i), LIM);
    expect(s.enc).toBe(INTSET);
    s.add('512', LIM);
    expect(s.enc).toBe(HASHTABLE);
    const l = createSetFor('a', LIM);
    expect(l.enc).toBe(LISTPACK);
    for (let i = 0; i < 128; i++) l.add(`m${i}`, LIM);
    expect(l.enc).toBe(LISTPACK);
    l.add('last', LIM);
    expect(l.enc).toBe(HASHTABLE);
    const i = emptySet();
    i.add('1', LIM);
    i.add('x'.repeat(64), LIM);
    expect(i.enc).toBe(LISTPACK);
    expect(i.members()).toEqual(['1', 'x'.repeat(64)]);
    const zero = createSetFor('1', { intsetEntries: 0, lpEntries: 0, lpValue: 64 });
    expect(zero.enc).toBe(HASHTABLE);
    expect(new RSet(EMPTY_INTSET).type).toBe('set');
  });
});
