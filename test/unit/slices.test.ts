// The slice codec (protocol/slices.ts): every batch and every Frame shape round-trips through
// slices of any size, and slices and size estimates hold under V8's serialized size (what the
// platform's 32 MiB RPC limit counts), measured with Node's v8.serialize.
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/protocol/frame.js';
import { BatchEncoder, FramesEncoder, RPC_LIMIT, SliceDecoder, batchBytes, framesBytes, sliceBytes, type Slice } from '../../src/protocol/slices.js';

const byteStr = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 300 });
// Any JS string, lone surrogates included: the codec is lossless for them too.
const anyStr = fc.oneof(byteStr, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }));
// Strings longer than a slice, so they are cut into pieces (a surrogate pair may be cut too).
const longStr = fc.tuple(fc.integer({ min: 1, max: 60_000 }), fc.constantFrom('a', '\xff', '\u{1F600}', '\u0100')).map(([n, c]) => c.repeat(n));
/** The smallest slice an encoder accepts. */
const MIN = 16384;
const num = fc.oneof(fc.double(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE), fc.integer());

const frame: fc.Arbitrary<Frame> = fc.letrec<{ f: Frame }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('bulk' as const), v: fc.oneof(byteStr, longStr) }),
    fc.record({ t: fc.constant('simple' as const), v: anyStr }),
    fc.record({ t: fc.constant('err' as const), v: anyStr }),
    fc.record({ t: fc.constant('int' as const), v: fc.oneof(num, fc.bigInt()) }),
    fc.constant({ t: 'nil' as const }),
    fc.constant({ t: 'nilarr' as const }),
    fc.record({ t: fc.constant('bool' as const), v: fc.boolean() }),
    fc.record({ t: fc.constant('dbl' as const), v: num }),
    fc.record({ t: fc.constant('dbl' as const), v: num, s: anyStr }),
    fc.record({ t: fc.constant('verb' as const), fmt: anyStr, v: byteStr }),
    fc.record({ t: fc.constantFrom('arr' as const, 'map' as const, 'set' as const, 'push' as const), v: fc.array(tie('f'), { maxLength: 5 }) }),
  ),
})).f;

function slicesOf(enc: { next(): Slice | null }): Slice[] {
  const out: Slice[] = [];
  for (let s = enc.next(); s !== null; s = enc.next()) out.push(s);
  return out;
}

/** Frames compared exactly: -0 vs 0, NaN, number vs bigint, absent vs present `s`. */
function same(a: Frame[], b: Frame[]): void {
  // structuredClone: plain prototypes (fast-check's records have none), values kept exactly.
  expect(b).toStrictEqual(structuredClone(a));
}

describe('slice codec', () => {
  it('round-trips every Frame shape through slices of any size', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.integer({ min: MIN, max: MIN + 20_000 }), (frames, max) => {
        const slices = slicesOf(new FramesEncoder(frames, max));
        const dec = new SliceDecoder('frames');
        for (const s of slices) {
          expect(s.h.length + s.s.length).toBeGreaterThan(0);
          expect(sliceBytes(s)).toBeLessThanOrEqual(max);
          dec.push(structuredClone(s)); // what an RPC delivers
        }
        same(frames, dec.frames());
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips command batches, binary and wide strings included', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(anyStr, longStr), { maxLength: 6 }), { maxLength: 10 }), fc.integer({ min: MIN, max: MIN + 20_000 }), (batch, max) => {
        const dec = new SliceDecoder('batch');
        for (const s of slicesOf(new BatchEncoder(batch, max))) {
          expect(sliceBytes(s)).toBeLessThanOrEqual(max);
          dec.push(structuredClone(s));
        }
        expect(dec.batch()).toStrictEqual(structuredClone(batch));
      }),
      { numRuns: 500 },
    );
  });

  it('is incomplete until the last slice arrives', () => {
    const slices = slicesOf(new BatchEncoder([['SET', 'k', 'x'.repeat(100_000)]], MIN));
    expect(slices.length).toBeGreaterThan(5);
    const dec = new SliceDecoder('batch');
    for (const s of slices.slice(0, -1)) dec.push(s);
    expect(dec.complete).toBe(false);
    expect(() => dec.batch()).toThrow();
    dec.push(slices[slices.length - 1]!);
    expect(dec.batch()[0]![2]).toBe('x'.repeat(100_000));
  });

  it('cuts a 40 MB batch and reply into slices whose serialized size is under the RPC limit', () => {
    const max = 8 * 1024 * 1024;
    const big = '\xff'.repeat(40_000_000);
    const batch = [['INCR', '{a}ctr'], ['SET', '{a}v', big], ['GET', '{a}v']];
    const slices = slicesOf(new BatchEncoder(batch, max));
    expect(slices.length).toBe(5);
    for (const s of slices) expect(serialize(s).length).toBeLessThanOrEqual(max);
    const dec = new SliceDecoder('batch');
    for (const s of slices) dec.push(s);
    const got = dec.batch();
    expect(got[1]![2]!.length).toBe(big.length);
    expect(got[1]![2] === big).toBe(true);
    // Two-byte strings serialize at two bytes per char: still under the limit.
    const wide = '\u0100'.repeat(40_000_000);
    for (const s of slicesOf(new BatchEncoder([['SET', 'k', wide]], max))) expect(serialize(s).length).toBeLessThanOrEqual(RPC_LIMIT);
    const replies: Frame[] = [{ t: 'int', v: 1 }, { t: 'bulk', v: big }, { t: 'bulk', v: big }];
    const rs = slicesOf(new FramesEncoder(replies, max));
    for (const s of rs) expect(serialize(s).length).toBeLessThanOrEqual(RPC_LIMIT);
    const fd = new SliceDecoder('frames');
    for (const s of rs) fd.push(s);
    expect(fd.frames().map((f) => (f.t === 'bulk' ? f.v.length : f))).toEqual([{ t: 'int', v: 1 }, big.length, big.length]);
  });

  it('size estimates bound V8 serialization: at most twice the estimate (two-byte strings)', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.array(anyStr, { maxLength: 6 }), { maxLength: 10 }), (frames, batch) => {
        expect(serialize(frames).length).toBeLessThanOrEqual(2 * framesBytes(frames));
        expect(serialize(batch).length).toBeLessThanOrEqual(2 * batchBytes(batch));
        // One-byte strings: the estimate alone bounds it.
        const bytesOnly = batch.map((a) => a.map((s) => s.replace(/[^\x00-\xff]/g, 'x')));
        expect(serialize(bytesOnly).length).toBeLessThanOrEqual(batchBytes(bytesOnly));
      }),
      { numRuns: 300 },
    );
    // Many small frames: the per-node overhead dominates.
    const many: Frame[] = Array.from({ length: 100_000 }, (_, i) => ({ t: 'arr', v: [{ t: 'bulk', v: String(i) }, { t: 'int', v: -i }, { t: 'dbl', v: i / 3, s: 'x' }] }));
    expect(serialize(many).length).toBeLessThanOrEqual(framesBytes(many));
    expect(framesBytes(many, 1000)).toBeGreaterThan(1000);
  });
});
