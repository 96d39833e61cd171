// Property tests for the RESP codec: any pipeline of binary commands survives any chunking; garbage
// never throws or loops; replies round-trip through the client-side parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBytes, toBytes } from '../../src/protocol/bytes.js';
import type { Frame } from '../../src/protocol/frame.js';
import { RespDecoder, type Decoded } from '../../src/protocol/resp-decode.js';
import { encodeCommand, encodeStr } from '../../src/protocol/resp-encode.js';
import { fmtG17 } from '../../src/protocol/numfmt.js';
import { parseReply } from '../../src/protocol/resp-reply.js';

/** Byte strings biased towards the bytes that matter to the framing. */
const byteStr = (maxLength = 40) =>
  fc
    .array(fc.oneof(fc.constantFrom(13, 10, 0, 255, 36, 42, 34, 39, 92, 32), fc.integer({ min: 0, max: 255 })), { maxLength })
    .map((a) => fromBytes(Uint8Array.from(a)));
const bigStr = fc.integer({ min: 8000, max: 70_000 }).map((n) => 'b\r\n'.repeat(Math.ceil(n / 3)).slice(0, n));
const argv = fc.array(fc.oneof({ weight: 20, arbitrary: byteStr() }, { weight: 1, arbitrary: bigStr }), { minLength: 1, maxLength: 6 });
const pipeline = fc.array(argv, { minLength: 1, maxLength: 8 });

/** Feed `bytes` in the given chunk sizes, draining after every push. */
function feed(bytes: Uint8Array, cuts: number[], d = new RespDecoder()): Decoded[] {
  const out: Decoded[] = [];
  let pos = 0;
  const pts = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  for (const c of [...pts, bytes.length]) {
    if (c < pos) continue;
    d.push(bytes.subarray(pos, c));
    pos = c;
    for (let r = d.next(); r; r = d.next()) out.push(r);
  }
  return out;
}

describe('RespDecoder properties', () => {
  it('a pipeline of random binary commands decodes to itself under any chunking', () => {
    fc.assert(
      fc.property(pipeline, fc.array(fc.nat(), { maxLength: 30 }), (cmds, rawCuts) => {
        const bytes = toBytes(cmds.map(encodeCommand).join(''));
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        expect(feed(bytes, cuts)).toEqual(cmds);
      }),
      { numRuns: 300 },
    );
  });

  it('split at every byte boundary, and byte by byte', () => {
    fc.assert(
      fc.property(fc.array(fc.array(byteStr(12), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (cmds) => {
        const bytes = toBytes(cmds.map(encodeCommand).join(''));
        for (let i = 0; i <= bytes.length; i++) expect(feed(bytes, [i])).toEqual(cmds);
        expect(feed(bytes, Array.from({ length: bytes.length }, (_, i) => i))).toEqual(cmds);
      }),
      { numRuns: 100 },
    );
  });

  it('inline and multibulk commands interleave', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_:.-]{1,10}$/);
    const cmd = fc.oneof(
      argv.map((a) => ({ bytes: encodeCommand(a), want: a })),
      fc.tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.constantFrom('\r\n', '\n')).map(([w, eol]) => ({ bytes: w.join(' ') + eol, want: w })),
    );
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (cmds, rawCuts) => {
        const bytes = toBytes(cmds.map((c) => c.bytes).join(''));
        expect(feed(bytes, rawCuts.map((c) => c % (bytes.length + 1)))).toEqual(cmds.map((c) => c.want));
      }),
      { numRuns: 300 },
    );
  });

  // RESP-shaped garbage: the pieces a broken client would send.
  const token = fc.oneof(
    fc.constantFrom('*', '$', '\r\n', '\r', '\n', '-', '+', '0', '1', '2', '3', '10', '-1', '"', "'", '\\', '\\x4', 'x', ' ', '\0', '\xff', 'PING', ':'),
    fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  );
  const garbage = fc.array(token, { maxLength: 80 }).map((a) => a.join(''));

  it('garbage never throws, terminates, and any error is the last output', () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 8 }), (g, rawCuts) => {
        const bytes = toBytes(g);
        const out = feed(bytes, rawCuts.map((c) => c % (bytes.length + 1)));
        // every command consumes at least one byte, so there can't be more than there are bytes
        expect(out.length).toBeLessThanOrEqual(bytes.length);
        const errIdx = out.findIndex((r) => !Array.isArray(r));
        if (errIdx >= 0) {
          expect(errIdx).toBe(out.length - 1);
          expect((out[errIdx] as { error: string }).error).toMatch(/^ERR Protocol error: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('below the 64 KB limits, the outcome does not depend on chunking', () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 8 }), (g, rawCuts) => {
        const bytes = toBytes(g);
        expect(feed(bytes, rawCuts.map((c) => c % (bytes.length + 1)))).toEqual(feed(bytes, []));
      }),
      { numRuns: 2000 },
    );
  });

  it('after an error nothing more comes out, whatever is pushed', () => {
    fc.assert(
      fc.property(garbage, pipeline, (g, cmds) => {
        const d = new RespDecoder();
        d.push(toBytes('*1\r\n$x\r\n' + g));
        expect(d.next()).toEqual({ error: 'ERR Protocol error: invalid bulk length' });
        d.push(toBytes(cmds.map(encodeCommand).join('')));
        expect(d.next()).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('random bytes: no throw, and errors only from the known set', () => {
    const known = new Set([
      'invalid multibulk length', 'invalid bulk length', 'unbalanced quotes in request', 'too big inline request',
      'too big mbulk count string', 'too big bulk count string', 'unauthenticated multibulk length', 'unauthenticated bulk length',
    ]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (u8, auth) => {
        const d = new RespDecoder();
        d.authenticated = auth;
        const out = feed(u8, [], d);
        for (const r of out) {
          if (Array.isArray(r)) continue;
          const m = r.error.replace(/^ERR Protocol error: /, '');
          expect(known.has(m) || /^expected '\$', got '[\s\S]'$/.test(m)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

// Frames whose RESP3 form reads back as the same Frame.
const safeLine = fc.stringMatching(/^[^\r\n]{0,20}$/);
const leaf: fc.Arbitrary<Frame> = fc.oneof(
  safeLine.map((v) => ({ t: 'simple', v }) as Frame),
  safeLine.map((v) => ({ t: 'err', v }) as Frame),
  fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map((v) => ({ t: 'int', v }) as Frame),
  byteStr().map((v) => ({ t: 'bulk', v }) as Frame),
  fc.constant({ t: 'nil' } as Frame),
  fc.constant({ t: 'nilarr' } as Frame),
  fc.double({ noNaN: true }).map((v) => ({ t: 'dbl', v }) as Frame),
  fc.boolean().map((v) => ({ t: 'bool', v }) as Frame),
  fc.tuple(fc.constantFrom('txt', 'mkd'), byteStr()).map(([fmt, v]) => ({ t: 'verb', fmt, v }) as Frame),
);
const { frame } = fc.letrec<{ frame: Frame }>((tie) => ({
  frame: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('frame'), { maxLength: 4 }).map((v) => ({ t: 'arr', v }) as Frame),
    fc.array(fc.tuple(tie('frame'), tie('frame')), { maxLength: 3 }).map((kv) => ({ t: 'map', v: kv.flat() }) as Frame),
    fc.array(tie('frame'), { maxLength: 4 }).map((v) => ({ t: 'set', v }) as Frame),
    fc.array(tie('frame'), { maxLength: 4 }).map((v) => ({ t: 'push', v }) as Frame),
  ),
}));

/** What a client reads back: ints as numbers when safe, RESP3's single null. */
function norm3(f: Frame): Frame {
  switch (f.t) {
    case 'int': {
      const n = Number(f.v);
      return { t: 'int', v: Number.isSafeInteger(n) ? n : BigInt(f.v) };
    }
    case 'nilarr':
      return { t: 'nil' };
    case 'arr': case 'map': case 'set': case 'push':
      return { t: f.t, v: f.v.map(norm3) } as Frame;
    default:
      return f;
  }
}

/** The RESP2 lowering, stated independently of the encoder. */
function lower2(f: Frame): Frame {
  switch (f.t) {
    case 'arr': case 'map': case 'set': case 'push':
      return { t: 'arr', v: f.v.map(lower2) };
    case 'dbl':
      return { t: 'bulk', v: fmtG17(f.v) };
    case 'bool':
      return { t: 'int', v: f.v ? 1 : 0 };
    case 'verb':
      return { t: 'bulk', v: f.v };
    case 'int': {
      const n = Number(f.v);
      return { t: 'int', v: Number.isSafeInteger(n) ? n : BigInt(f.v) };
    }
    default:
      return f;
  }
}

describe('encoder round-trips through parseReply', () => {
  it('RESP3: every frame reads back as itself', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const s = encodeStr(f, 3);
        const r = parseReply(s, 0);
        expect(r).not.toBeNull();
        expect(r!.end).toBe(s.length);
        expect(r!.frame).toEqual(norm3(f));
      }),
      { numRuns: 1000 },
    );
  });

  it('RESP2: every frame reads back as its RESP2 lowering', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const s = encodeStr(f, 2);
        const r = parseReply(s, 0);
        expect(r!.end).toBe(s.length);
        expect(r!.frame).toEqual(lower2(f));
      }),
      { numRuns: 1000 },
    );
  });

  it('a concatenation of replies splits back into the same replies', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 6 }), fc.constantFrom(2 as const, 3 as const), (fs, proto) => {
        const parts = fs.map((f) => encodeStr(f, proto));
        const all = parts.join('');
        let p = 0;
        for (const part of parts) {
          const r = parseReply(all, p)!;
          expect(all.slice(p, r.end)).toBe(part);
          p = r.end;
        }
        expect(p).toBe(all.length);
      }),
      { numRuns: 500 },
    );
  });
});
