// HyperLogLog against real Redis: replies, errors, and the stored bytes themselves (GET), sparse and dense.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

const els = (prefix: string, from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
const hdr = (enc: number, card: number[] = [0, 0, 0, 0, 0, 0, 0, 0x80]) => 'HYLL' + String.fromCharCode(enc, 0, 0, 0, ...card);

describe('PFADD / PFCOUNT', () => {
  it('small sets: replies, bytes, cache updates and encodings match', async () => {
    await d.check([
      ['PFADD', 'h'],
      ['GET', 'h'],
      ['OBJECT', 'ENCODING', 'h'],
      ['PFADD', 'h'],
      ['PFADD', 'h', 'a', 'b', 'c'],
      ['GET', 'h'],
      ['PFADD', 'h', 'a', 'b'],
      ['PFCOUNT', 'h'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'd', '', 'héllo', '\x00\xff\x01'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'missing'],
      ['PFADD', 'h2', 'x', 'y'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['PFCOUNT', '{t}a', '{t}b'],
      ['PFADD', '{t}a', '1', '2', '3'],
      ['PFADD', '{t}b', '3', '4', '5', '6'],
      ['PFCOUNT', '{t}a', '{t}b', '{t}missing'],
      ['GET', '{t}a'],
      ['GET', '{t}b'],
    ]);
  });

  it('growth through the sparse encoding up to the dense promotion is byte-identical', async () => {
    const script: Cmd[] = [];
    for (let i = 0; i < 40; i++) {
      script.push(['PFADD', 'big', ...els('e', i * 100, 100)]);
      script.push(['GET', 'big']);
      if (i % 5 === 0) script.push(['PFCOUNT', 'big'], ['PFDEBUG', 'ENCODING', 'big']);
    }
    script.push(['PFCOUNT', 'big'], ['GET', 'big'], ['PFDEBUG', 'ENCODING', 'big'], ['STRLEN', 'big']);
    await d.check(script, [2]);
  });

  it('many elements in one call, dense PFADDs and the count', async () => {
    await d.check([
      ['PFADD', 'k', ...els('m', 0, 5000)],
      ['PFDEBUG', 'ENCODING', 'k'],
      ['GET', 'k'],
      ['PFCOUNT', 'k'],
      ['PFADD', 'k', ...els('m', 5000, 20000)],
      ['PFCOUNT', 'k'],
      ['GET', 'k'],
      ['PFADD', 'k', ...els('m', 0, 100)],
    ], [2]);
  });

  it('hll-sparse-max-bytes moves the promotion point', async () => {
    await d.check([
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '200'],
      ['PFADD', 's', ...els('q', 0, 60)],
      ['PFDEBUG', 'ENCODING', 's'],
      ['GET', 's'],
      ['PFADD', 's', ...els('q', 60, 200)],
      ['PFDEBUG', 'ENCODING', 's'],
      ['GET', 's'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
      ['CONFIG', 'GET', 'hll-sparse-max-bytes'],
    ]);
  });

  it('errors: wrong types, non-HLL strings, corrupted values, arity', async () => {
    await d.check([
      ['LPUSH', 'l', 'x'],
      ['PFADD', 'l', 'a'],
      ['PFCOUNT', 'l'],
      ['SET', 'str', 'hello'],
      ['PFADD', 'str', 'a'],
      ['PFCOUNT', 'str'],
      ['PFMERGE', 'str', 'l'],
      ['SET', 'short', 'HYLL'],
      ['PFCOUNT', 'short'],
      ['SET', 'badenc', hdr(2) + '\x7f\xff'],
      ['PFADD', 'badenc', 'x'],
      ['SET', 'baddense', hdr(0) + 'abc'],
      ['PFCOUNT', 'baddense'],
      // A sparse value whose opcodes cover too few registers.
      ['SET', 'corrupt', hdr(1) + '\x7f\xff'],
      ['PFCOUNT', 'corrupt'],
      ['PFADD', 'corrupt', 'a', 'b'],
      ['GET', 'corrupt'],
      ['SET', '{c}x', hdr(1) + '\x40\x00'],
      ['PFCOUNT', '{c}x', '{c}y'],
      ['PFMERGE', '{c}y', '{c}x'],
      ['EXISTS', '{c}y'],
      // Too many registers.
      ['SET', 'over', hdr(1) + '\x7f\xff\x7f\xff\x80'],
      ['PFCOUNT', 'over'],
      ['PFADD'],
      ['PFCOUNT'],
      ['PFMERGE'],
      ['PFADD', 'l2'],
      ['GET', 'l2'],
    ]);
  });

  it('a valid cached cardinality is returned as is, an invalid one recomputed', async () => {
    await d.check([
      ['SET', 'c', hdr(1, [42, 0, 0, 0, 0, 0, 0, 0]) + '\x7f\xff\x7f\xff'],
      ['PFCOUNT', 'c'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SET', 'c2', hdr(1, [42, 0, 0, 0, 0, 0, 0, 0x80]) + '\x7f\xff\x7f\xff'],
      ['PFCOUNT', 'c2'],
      ['GET', 'c2'],
    ]);
  });
});

/** A dense HLL (invalid cache) whose 16384 registers are reg(i). */
function denseHll(reg: (i: number) => number): string {
  const b = new Uint8Array(12288 + 1);
  for (let i = 0; i < 16384; i++) {
    const v = reg(i), byte = (i * 6) >> 3, fb = (i * 6) & 7;
    b[byte]! |= (v << fb) & 0xff;
    b[byte + 1]! |= v >> (8 - fb);
  }
  return hdr(0) + String.fromCharCode(...b.subarray(0, 12288));
}

describe('sparse values with a run past the last register', () => {
  it('are corrupted for PFMERGE, PFCOUNT of several keys and PFDEBUG TODENSE/GETREG (Redis with the CVE-2025-32023 fix)', async () => {
    const sparse = (ops: number[]) => hdr(1) + String.fromCharCode(...ops);
    await d.check([
      ['SET', '{h}a', sparse([0x20, 0x34, 0xcc, 0x5d, 0x80, 0x62, 0x27, 0x80, 0x5d, 0x55])], ['PFMERGE', '{h}a'], ['PFMERGE', '{h}b', '{h}a'],
      ['PFDEBUG', 'TODENSE', '{h}a'], ['PFDEBUG', 'GETREG', '{h}a'], ['PFCOUNT', '{h}a'],
      ['SET', '{h}e', sparse([0x7f, 0xfe, 0x80, 0x80])], ['PFMERGE', '{h}f', '{h}e'], ['PFCOUNT', '{h}e'], ['PFDEBUG', 'TODENSE', '{h}e'],
      ['PFADD', '{h}g', 'a', 'b', 'c'], ['PFCOUNT', '{h}g', '{h}e'], ['PFADD', '{h}e', 'x'], ['GET', '{h}e'],
      ['SET', '{h}x', sparse([0x7f, 0xff, 0x80])], ['PFMERGE', '{h}y', '{h}x'], ['PFCOUNT', '{h}x', '{h}g'], ['EXISTS', '{h}y'],
    ]);
  });
});

describe('PFCOUNT of huge estimates (crafted registers)', () => {
  it("is Redis's exact uint64 past 2^53, 2^63 once llroundl overflows, and caches as Redis does", async () => {
    const script: Cmd[] = [];
    const hlls: Array<[string, (i: number) => number]> = [
      ['{h}r30', () => 30], ['{h}r38', () => 38], ['{h}r40', (i) => 40 + (i % 3)], ['{h}r45', (i) => (i % 7 ? 45 : 44)],
      ['{h}r49', () => 49], ['{h}r50', () => 50], ['{h}r51', () => 51], ['{h}mix', (i) => (i * 7919) % 52],
    ];
    for (const [k, f] of hlls) script.push(['SET', k, denseHll(f)], ['PFCOUNT', k], ['PFCOUNT', k], ['GETRANGE', k, '8', '15']);
    script.push(['PFCOUNT', '{h}r40', '{h}r45'], ['PFCOUNT', '{h}r49', '{h}r30'], ['PFCOUNT', '{h}r50', '{h}r30'], ['PFCOUNT', '{h}r51', '{h}mix']);
    await d.check(script);
  });
});

describe('PFMERGE', () => {
  it('sparse and dense sources, an existing destination, missing keys', async () => {
    await d.check([
      ['PFADD', '{m}a', ...els('a', 0, 50)],
      ['PFADD', '{m}b', ...els('a', 25, 50)],
      ['PFMERGE', '{m}d', '{m}a', '{m}b', '{m}none'],
      ['GET', '{m}d'],
      ['PFCOUNT', '{m}d'],
      ['PFMERGE', '{m}a', '{m}b'],
      ['GET', '{m}a'],
      ['PFADD', '{m}big', ...els('z', 0, 3000)],
      ['PFMERGE', '{m}a', '{m}big'],
      ['PFDEBUG', 'ENCODING', '{m}a'],
      ['GET', '{m}a'],
      ['PFCOUNT', '{m}a', '{m}b', '{m}big'],
      ['PFMERGE', '{m}e'],
      ['GET', '{m}e'],
      ['PFMERGE', '{m}f', '{m}none'],
      ['GET', '{m}f'],
      ['PFMERGE', '{m}a', '{m}x', '{m}y'],
      ['SET', '{m}s', 'nope'],
      ['PFMERGE', '{m}a', '{m}s'],
      ['PFMERGE', '{m}a', 'other'],
    ]);
  });
});

describe('PFDEBUG', () => {
  it('ENCODING, DECODE, TODENSE, GETREG and errors', async () => {
    await d.check([
      ['PFDEBUG', 'ENCODING', 'nokey'],
      ['PFADD', 'p', 'a', 'b', 'c', 'd', 'e'],
      ['PFDEBUG', 'DECODE', 'p'],
      ['PFDEBUG', 'ENCODING', 'p'],
      ['PFDEBUG', 'NOPE', 'p'],
      ['PFDEBUG', 'TODENSE', 'p'],
      ['PFDEBUG', 'TODENSE', 'p'],
      ['PFDEBUG', 'DECODE', 'p'],
      ['GET', 'p'],
      ['PFADD', 'q', 'x'],
      ['PFDEBUG', 'GETREG', 'q'],
      ['PFDEBUG', 'ENCODING', 'q'],
      ['SET', 'str', 'x'],
      ['PFDEBUG', 'ENCODING', 'str'],
      ['PFDEBUG', 'ENCODING'],
    ]);
  });

  it('PFSELFTEST answers OK', async () => {
    const { redis, kf } = await d.pair(['PFSELFTEST']);
    expect(kf).toBe(redis);
  });
});

describe('PFCOUNT accuracy', () => {
  it('stays within 3 standard errors (3 × 0.81%) on random sets of 10k–100k elements', async () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (const n of [10_000, 37_000, 100_000]) {
      const key = `acc${n}`;
      const tag = rnd().toString(36);
      for (let i = 0; i < n; i += 10_000) {
        const { redis, kf } = await d.pair(['PFADD', key, ...els(`${tag}:`, i, Math.min(10_000, n - i))]);
        expect(kf).toBe(redis);
      }
      const { redis, kf } = await d.pair(['PFCOUNT', key]);
      expect(kf).toBe(redis);
      const est = Number(kf.slice(1, -2));
      expect(Math.abs(est - n) / n).toBeLessThan(3 * 0.0081);
      const bytes = await d.pair(['GET', key]);
      expect(bytes.kf === bytes.redis).toBe(true);
    }
  });
});
