// Property tests of the list structures against an array model: the packed node codec
// (encodings/list-pack.ts) and the quicklist (engine/types/list.ts) under random operations
// and every fill setting, including entries long enough for multi-byte length headers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entrySize, encodeEntry, pack, readAt, readBefore, skipBack, unpack } from '../../src/engine/encodings/list-pack.js';
import { List } from '../../src/engine/types/list.js';

const byteStr = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength }).map((a) => String.fromCharCode(...a));
/** Mostly short values, sometimes long ones (multi-byte headers, node-size limits). */
const value = fc.oneof(
  { weight: 8, arbitrary: byteStr(12) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 20000 }), fc.integer({ min: 0, max: 255 })).map(([n, c]) => String.fromCharCode(c).repeat(n)) },
);

describe('list-pack node codec', () => {
  it('packs and reads entries from both ends', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (items) => {
        const s = pack(items);
        expect(s.length).toBe(items.reduce((a, v) => a + entrySize(v.length), 0));
        expect(unpack(s)).toEqual(items);
        let end = s.length;
        for (let k = items.length - 1; k >= 0; k--) {
          const [v, start] = readBefore(s, end);
          expect(v).toBe(items[k]);
          end = start;
        }
        if (items.length) expect(readAt(s, skipBack(s, 1))[0]).toBe(items[items.length - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('sizes headers for lengths around the 7-bit boundaries', () => {
    for (const n of [0, 1, 127, 128, 16383, 16384, 70000]) {
      const v = 'a'.repeat(n);
      expect(encodeEntry(v).length).toBe(entrySize(n));
      expect(unpack(encodeEntry(v) + encodeEntry('z'))).toEqual([v, 'z']);
    }
  });
});

type Op =
  | { k: 'lpush' | 'rpush'; vs: string[] }
  | { k: 'lpop' | 'rpop'; n: number }
  | { k: 'set' | 'insert'; i: number; v: string }
  | { k: 'rem'; v: string; n: number; head: boolean }
  | { k: 'trim'; l: number; r: number }
  | { k: 'range'; a: number; b: number }
  | { k: 'clone' };

const small = fc.constantFrom('a', 'b', 'c', 'dd', '');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constantFrom('lpush' as const, 'rpush' as const), vs: fc.array(fc.oneof(small, value), { minLength: 1, maxLength: 30 }) }),
  fc.record({ k: fc.constantFrom('lpop' as const, 'rpop' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ k: fc.constantFrom('set' as const, 'insert' as const), i: fc.nat(), v: fc.oneof(small, value) }),
  fc.record({ k: fc.constant('rem' as const), v: small, n: fc.integer({ min: 0, max: 5 }), head: fc.boolean() }),
  fc.record({ k: fc.constant('trim' as const), l: fc.nat(10), r: fc.nat(10) }),
  fc.record({ k: fc.constant('range' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('clone' as const) }),
);

function apply(l: List, m: string[], o: Op): List {
  switch (o.k) {
    case 'lpush':
      l.pushHead(o.vs);
      for (const v of o.vs) m.unshift(v);
      break;
    case 'rpush':
      l.pushTail(o.vs);
      m.push(...o.vs);
      break;
    case 'lpop':
      expect(l.popHead(o.n)).toEqual(m.splice(0, o.n));
      break;
    case 'rpop': {
      const want = m.splice(Math.max(0, m.length - o.n)).reverse();
      expect(l.popTail(o.n)).toEqual(want);
      break;
    }
    case 'set':
      if (m.length) {
        const i = o.i % m.length;
        l.set(i, o.v);
        m[i] = o.v;
        expect(l.get(i)).toBe(o.v);
      }
      break;
    case 'insert': {
      const i = o.i % (m.length + 1);
      l.insert(i, o.v);
      m.splice(i, 0, o.v);
      break;
    }
    case 'rem': {
      let left = o.n === 0 ? Infinity : o.n;
      const idx = m.map((_, i) => i);
      if (!o.head) idx.reverse();
      const drop = new Set<number>();
      for (const i of idx) if (left > 0 && m[i] === o.v) (drop.add(i), left--);
      expect(l.remove(o.v, o.n, o.head)).toBe(drop.size);
      const keep = m.filter((_, i) => !drop.has(i));
      m.length = 0;
      m.push(...keep);
      break;
    }
    case 'trim': {
      const a = Math.min(o.l, m.length);
      const b = Math.min(o.r, m.length - a);
      l.trim(a, b);
      m.splice(0, a);
      m.splice(m.length - b, b);
      break;
    }
    case 'range':
      if (m.length) {
        const a = o.a % m.length;
        const b = a + (o.b % (m.length - a));
        expect(l.range(a, b)).toEqual(m.slice(a, b + 1));
        expect(l.get(b)).toBe(m[b]);
      }
      break;
    case 'clone': {
      const c = l.clone();
      c.pushTail(['only-in-clone']);
      expect(l.len).toBe(m.length);
      return l;
    }
  }
  return l;
}

describe('quicklist against an array model', () => {
  for (const fill of [-2, -1, -5, 1, 3, 128, 0]) {
    it(`random operations keep contents and node limits (fill ${fill})`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
          const l = new List(fill);
          const m: string[] = [];
          for (const o of ops) {
            apply(l, m, o);
            l.check();
            expect(l.len).toBe(m.length);
          }
          expect(l.toArray()).toEqual(m);
          const seen: string[] = [];
          l.scan(false, (v, i) => void seen.push(`${i}:${v}`));
          expect(seen).toEqual(m.map((v, i) => `${i}:${v}`).reverse());
        }),
        { numRuns: 150 },
      );
    });
  }

  it('byte-limited nodes stay within their size and a long run of pushes stays O(1) per push', () => {
    const l = new List(-2);
    for (let i = 0; i < 200_000; i++) (i & 1 ? l.pushTail([`v${i}`]) : l.pushHead([`v${i}`]));
    l.check();
    expect(l.len).toBe(200_000);
    expect(l.nodeCount).toBeGreaterThan(200_000 / 2000);
    expect(l.popHead(100_000).length).toBe(100_000);
    expect(l.popTail(100_000).length).toBe(100_000);
    expect(l.nodeCount).toBe(0);
  });
});
