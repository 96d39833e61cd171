// Byte-string conversions against Node's Buffer (the reference for latin1, UTF-8 and base64).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBytes, fromUtf8, toBase64, toBytes, toUtf8, writeBytes } from '../../src/protocol/bytes.js';

const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 8000, maxLength: 40_000 }));

describe('bytes', () => {
  it('fromBytes / toBytes round-trip, one char per byte (also past the 8 KB chunk)', () => {
    fc.assert(
      fc.property(bytes, (u8) => {
        const s = fromBytes(u8);
        expect(s).toBe(Buffer.from(u8).toString('latin1'));
        expect(toBytes(s)).toEqual(u8);
      }),
      { numRuns: 200 },
    );
  });

  it('fromBytes over a sub-range, and writeBytes', () => {
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), (u8, a, b) => {
        const lo = Math.min(a, b) % (u8.length + 1);
        const hi = Math.max(lo, Math.max(a, b) % (u8.length + 1));
        const s = fromBytes(u8, lo, hi);
        expect(s).toBe(Buffer.from(u8.subarray(lo, hi)).toString('latin1'));
        const out = new Uint8Array(s.length + 3);
        expect(writeBytes(out, 2, s)).toBe(2 + s.length);
        expect(out.subarray(2, 2 + s.length)).toEqual(u8.subarray(lo, hi));
      }),
      { numRuns: 200 },
    );
    expect(fromBytes(new Uint8Array([1, 2]), 2, 1)).toBe('');
  });

  it('every byte value maps to the char code of the same value (not windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = fromBytes(all);
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i);
  });

  it('toBase64 matches Buffer', () => {
    fc.assert(
      fc.property(bytes, (u8) => {
        expect(toBase64(fromBytes(u8))).toBe(Buffer.from(u8).toString('base64'));
      }),
      { numRuns: 200 },
    );
    expect(['', 'f', 'fo', 'foo', 'foob'].map(toBase64)).toEqual(['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==']);
  });

  it('fromUtf8 / toUtf8 match Buffer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (t) => {
        const b = fromUtf8(t);
        expect(b).toBe(Buffer.from(t, 'utf8').toString('latin1'));
        expect(toUtf8(b)).toBe(t);
      }),
      { numRuns: 500 },
    );
    // invalid UTF-8 decodes with U+FFFD, as Buffer does
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (u8) => {
        expect(toUtf8(fromBytes(u8))).toBe(Buffer.from(u8).toString('utf8'));
      }),
      { numRuns: 500 },
    );
  });
});
