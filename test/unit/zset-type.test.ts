// The ZSet value against a Map model through both encodings and the conversion between them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZSet } from '../../src/engine/types/zset.js';
import { Rng } from '../../src/engine/clock.js';

const cmp = (a: [string, number], b: [string, number]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe('ZSet', () => {
  it('matches a model through set/remove/range/rank and the listpack → skiplist switch', () => {
    const op = fc.record({ kind: fc.constantFrom('set', 'set', 'set', 'rem', 'remRange'), m: fc.integer({ min: 0, max: 40 }).map((i) => `m${i}`), s: fc.integer({ min: -10, max: 10 }), a: fc.nat(50), b: fc.nat(50) });
    fc.assert(fc.property(fc.array(op, { maxLength: 200, size: 'max' }), fc.integer({ min: 0, max: 20 }), (ops, entries) => {
      const cfg = { entries, value: 64, rng: new Rng(1) };
      const z = ZSet.create(cfg, 2);
      const model = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          z.set(o.m, o.s, cfg);
          model.set(o.m, o.s);
        } else if (o.kind === 'rem') expect(z.remove(o.m)).toBe(model.delete(o.m));
        else {
          const sorted = [...model].sort(cmp);
          const lo = Math.min(o.a, o.b), hi = Math.min(Math.max(o.a, o.b), sorted.length - 1);
          const got = z.removeRange(lo, hi);
          const want = sorted.slice(lo, hi + 1);
          expect(got.m).toEqual(want.map((x) => x[0]));
          for (const [m] of want) model.delete(m);
        }
        if (model.size > entries) expect(z.encoding).toBe('skiplist');
      }
      const sorted = [...model].sort(cmp);
      expect(z.card()).toBe(sorted.length);
      const all = z.all();
      expect(all.m).toEqual(sorted.map((x) => x[0]));
      expect(all.s).toEqual(sorted.map((x) => x[1]));
      sorted.forEach(([m, s], i) => {
        expect(z.rank(m)).toBe(i);
        expect(z.score(m)).toBe(s);
      });
      const rev = z.rangeRev(0, sorted.length - 1);
      expect(rev.m).toEqual(sorted.map((x) => x[0]).reverse());
      expect(z.countWhile((_m, s) => s < 0)).toBe(sorted.filter(([, s]) => s < 0).length);
      const c = z.clone();
      c.set('fresh', 0, cfg);
      expect(z.score('fresh')).toBe(model.get('fresh'));
    }), { numRuns: 300 });
  });

  it('fromSorted picks the encoding by size and member length, as store commands do', () => {
    const cfg = { entries: 3, value: 4, rng: new Rng(1) };
    expect(ZSet.fromSorted({ m: ['a', 'b', 'c'], s: [1, 2, 3] }, cfg).encoding).toBe('listpack');
    expect(ZSet.fromSorted({ m: ['a', 'b', 'c', 'd'], s: [1, 2, 3, 4] }, cfg).encoding).toBe('skiplist');
    expect(ZSet.fromSorted({ m: ['abcde'], s: [1] }, cfg).encoding).toBe('skiplist');
  });
});
