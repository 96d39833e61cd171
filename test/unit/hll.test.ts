// HyperLogLog internals the oracle cannot reach directly: the 32-bit MurmurHash64A against a BigInt
// reference, sparse and dense agreement, and deterministic replay of the logged effects.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { murmur64a, murmur64aBig } from '../../src/engine/murmur2.js';
import { HLL_DENSE_SIZE, bufFromString, bufToString, hllAdd, hllCount, isHllString, newHll, sparseToDense } from '../../src/engine/hll.js';
import { LocalBackend } from '../../src/server/local.js';
import { Shard } from '../../src/shard/shard.js';

const bytes = fc.uint8Array({ maxLength: 40 }).map((u) => String.fromCharCode(...u));

describe('MurmurHash64A', () => {
  it('the 32-bit-halves version equals the BigInt reference', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        const [hi, lo] = murmur64a(s, seed);
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(murmur64aBig(s, seed));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('HLL encodings', () => {
  it('an empty HLL is the 18-byte sparse value Redis creates', () => {
    const s = bufToString(newHll());
    expect(s).toBe('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
    expect(isHllString(s)).toBe(true);
    expect(hllCount(s)).toBe(0);
  });

  it('sparse and dense hold the same registers and give the same count', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 400 }), (els) => {
        const sparse = newHll();
        const dense = newHll();
        expect(sparseToDense(dense)).toBe(true);
        for (const e of els) {
          // A huge sparse limit keeps it sparse however many registers are set.
          const a = hllAdd(sparse, e, 1 << 30);
          const b = hllAdd(dense, e, 0);
          expect(a).toBe(b);
        }
        const converted = bufFromString(bufToString(sparse));
        expect(sparseToDense(converted)).toBe(true);
        expect(converted.len).toBe(HLL_DENSE_SIZE);
        // Registers equal: the dense bytes after the header are identical.
        expect(bufToString(converted).slice(16)).toBe(bufToString(dense).slice(16));
        expect(hllCount(bufToString(sparse))).toBe(hllCount(bufToString(dense)));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses values that are not HLLs and detects corrupted sparse data', () => {
    expect(isHllString('HYLL')).toBe(false);
    expect(isHllString('HYLL\x02' + '\x00'.repeat(11))).toBe(false);
    expect(isHllString('HYLL\x00' + '\x00'.repeat(11))).toBe(false);
    expect(isHllString('XYLL\x01' + '\x00'.repeat(11))).toBe(false);
    const bad = 'HYLL\x01' + '\x00'.repeat(11) + '\x7f\xff\x00';
    expect(hllCount(bad)).toBe(null);
    expect(sparseToDense(bufFromString(bad))).toBe(false);
  });
});

describe('replay', () => {
  it('replaying the logged effects rebuilds byte-identical HLLs and bitmaps', async () => {
    const b = new LocalBackend(4);
    const s = b.session();
    const run = (...argv: (string | number)[]) => s.run([argv.map(String)]);
    await run('PFADD', '{h}a', ...Array.from({ length: 3000 }, (_, i) => `x${i}`));
    await run('PFCOUNT', '{h}a');
    await run('PFADD', '{h}b', 'p', 'q');
    await run('PFCOUNT', '{h}b');
    await run('PFMERGE', '{h}c', '{h}a', '{h}b');
    await run('PFCOUNT', '{h}c');
    await run('PFDEBUG', 'TODENSE', '{h}b');
    await run('SETBIT', 'bm', 1000, 1);
    await run('SETBIT', 'bm', 3, 1);
    await run('BITFIELD', 'bf', 'SET', 'i16', '#3', -5, 'INCRBY', 'u4', 0, 7, 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', 0, 100);
    await run('BITFIELD', 'bf2', 'OVERFLOW', 'FAIL', 'SET', 'u2', 9, 100);
    await run('BITOP', 'NOT', '{h}n', '{h}a');
    const state = (shards: Shard[]) => shards.map((x) => ({ data: [...x.db.data], raw: [...x.db.rawStrings].sort() }));
    const fresh = b.shards.map((x, i) => new Shard(x.info, b.clock, 50 + i));
    fresh.forEach((x, i) => x.replay(b.logs[i]!));
    expect(state(fresh)).toEqual(state(b.shards));
    // The cache update of a single-key PFCOUNT is logged, as Redis propagates it.
    expect(b.logs.flat().filter((e) => e[0] === 'PFCOUNT').length).toBeGreaterThan(0);
  });
});
