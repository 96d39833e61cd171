// The skiplist against a sorted-array model: order, ranks, spans and back links after random
// inserts and deletes; the packed small encoding round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SkipList } from '../../src/engine/encodings/skiplist.js';
import { insertPos, packCount, packDecode, packEncode, packScore } from '../../src/engine/encodings/zset-pack.js';
import { Rng } from '../../src/engine/clock.js';

type Op = { add: boolean; m: string; s: number };
const member = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((a) => String.fromCharCode(...a));
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true }));
const ops = fc.array(fc.record({ add: fc.boolean(), m: fc.oneof(member, fc.constantFrom('a', 'b', 'c', '')), s: score }), { maxLength: 300, size: 'max' });

const cmp = (a: [string, number], b: [string, number]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe('skiplist', () => {
  it('matches a sorted-array model (order, ranks, nodeAt, countWhile)', () => {
    fc.assert(fc.property(ops, fc.integer(), (list: Op[], seed: number) => {
      const sl = new SkipList(new Rng(seed), 4);
      const model = new Map<string, number>();
      for (const o of list) {
        const cur = model.get(o.m);
        if (o.add) {
          if (cur !== undefined) sl.delete(cur, o.m);
          sl.insert(o.s, o.m);
          model.set(o.m, o.s);
        } else {
          expect(sl.delete(cur ?? o.s, o.m)).toBe(cur !== undefined);
          model.delete(o.m);
        }
      }
      sl.validate();
      const sorted = [...model].sort(cmp);
      expect(sl.length).toBe(sorted.length);
      const got: Array<[string, number]> = [];
      for (let x = sl.first(); x !== 0; x = sl.next(x)) got.push([sl.member(x), sl.score(x)]);
      expect(got).toEqual(sorted);
      const back: Array<[string, number]> = [];
      for (let x = sl.tail; x !== 0; x = sl.prev(x)) back.push([sl.member(x), sl.score(x)]);
      expect(back.reverse()).toEqual(sorted);
      sorted.forEach(([m, s], i) => {
        expect(sl.rankOf(s, m)).toBe(i + 1);
        const id = sl.nodeAt(i + 1);
        expect([sl.member(id), sl.score(id)]).toEqual([m, s]);
      });
      expect(sl.nodeAt(0)).toBe(0);
      expect(sl.nodeAt(sorted.length + 1)).toBe(0);
      expect(sl.countWhile((id) => sl.score(id) < 0)).toBe(sorted.filter(([, s]) => s < 0).length);
      const c = sl.clone();
      c.validate();
      if (sorted.length) c.delete(sorted[0]![1], sorted[0]![0]);
      sl.validate();
      expect(sl.length).toBe(sorted.length);
    }), { numRuns: 200 });
  });

  it('keeps levels within 32 and spans right over many inserts', () => {
    const sl = new SkipList(new Rng(7));
    for (let i = 0; i < 20000; i++) sl.insert(i % 97, `m${i}`);
    for (let i = 0; i < 20000; i += 3) sl.delete(i % 97, `m${i}`);
    sl.validate();
    expect(sl.level).toBeLessThanOrEqual(32);
    expect(sl.length).toBe(20000 - Math.ceil(20000 / 3));
  });
});

describe('zset pack', () => {
  it('round-trips entries and finds scores', () => {
    fc.assert(fc.property(fc.array(fc.tuple(member, score), { maxLength: 60 }), (pairs) => {
      const model = new Map<string, number>(pairs);
      const sorted = [...model].sort(cmp);
      const e = { m: sorted.map((x) => x[0]), s: sorted.map((x) => x[1] === 0 ? 0 : x[1]) };
      const p = packEncode(e.m, e.s);
      expect(packDecode(p)).toEqual(e);
      expect(packCount(p)).toBe(sorted.length);
      for (const [m, s] of sorted) expect(packScore(p, m)).toBe(s === 0 ? 0 : s);
      expect(packScore(p, '\u00ff\u00fe-missing')).toBe(model.get('\u00ff\u00fe-missing'));
      for (const [m, s] of sorted) {
        const at = insertPos(e, s, m);
        expect(e.m[at]).toBe(m);
      }
    }));
  });

  it('handles long members (multi-byte length prefix) and infinities', () => {
    const m = ['x'.repeat(200), 'y'.repeat(20000)];
    const p = packEncode(m, [-Infinity, Infinity]);
    expect(packDecode(p)).toEqual({ m, s: [-Infinity, Infinity] });
  });
});
