// Argument parsing shared by handlers, with Redis's error replies for bad numbers.
import { E, err, type Frame } from '../protocol/frame.js';
import { parseFloatStrict, parseI64 } from '../protocol/numfmt.js';
import { compileGlob } from '../engine/glob.js';
import { parseLD } from '../engine/str-longdouble.js';

/** A 64-bit integer argument as a bigint, or Redis's "not an integer" error. */
export function i64Arg(s: string): bigint | Frame {
  const v = parseI64(s);
  return v === null ? E.notInt : v;
}

/** An integer argument as a JS number (must be within ±2^53), or the "not an integer" error. */
export function intArg(s: string): number | Frame {
  const v = parseI64(s);
  if (v === null || v > 9007199254740991n || v < -9007199254740991n) return E.notInt;
  return Number(v);
}

/** A float argument (Redis's getDoubleFromObjectOrReply / getLongDoubleFromObjectOrReply). */
export function floatArg(s: string): number | Frame {
  const v = parseFloatStrict(s);
  return v === null ? E.notFloat : v;
}

export function isFrame(x: unknown): x is Frame {
  return typeof x === 'object' && x !== null && 't' in x;
}

/** The spec helper: flags and categories as space-separated strings keep the table short. */
export function words(s: string): string[] {
  return s.length ? s.split(' ') : [];
}

export const errFmt = (s: string): Frame => err(s);

/**
 * Redis 7.0's getTimeoutFromObjectOrReply in seconds, for every blocking command:
 * (long long) ceill(strtold(s) * 1000.0). The product is rounded to the x87 64-bit mantissa and
 * then rounded up, so 0.0001 waits 1 ms (not forever) and -0.0001 is ceill's -0: forever. A
 * product at or past 2^63 (inf, 1e400) converts to LLONG_MIN on x86: "negative" too. Returns
 * milliseconds (0 = forever).
 */
export function timeoutArg(s: string): number | Frame {
  const ld = parseLD(s);
  if (ld === null) return err('ERR timeout is not a float or out of range');
  if (ld.inf) return err('ERR timeout is negative');
  let p = ld.m * 1000n;
  let e = ld.e;
  const bits = p.toString(2).length;
  if (bits > 64) {
    const sh = BigInt(bits - 64);
    const half = 1n << (sh - 1n);
    const rem = p & ((1n << sh) - 1n);
    p >>= sh;
    if (rem > half || (rem === half && (p & 1n) === 1n)) p++;
    e += bits - 64;
  }
  if (e > 64) return err('ERR timeout is negative');
  // |value| = p × 2^e; ceil rounds a positive fraction up and a negative one toward zero.
  let ms: bigint;
  if (e >= 0) ms = p << BigInt(e);
  else if (e < -200) ms = p === 0n ? 0n : ld.neg ? 0n : 1n;
  else {
    const sh = BigInt(-e);
    ms = p >> sh;
    if (!ld.neg && (p & ((1n << sh) - 1n)) !== 0n) ms++;
  }
  if (ms >= 1n << 63n || (ld.neg && ms > 0n)) return err('ERR timeout is negative');
  return Number(ms);
}

export interface ScanArgs {
  count: number;
  /** Compiled MATCH pattern; null for none or `*`. */
  match: ((s: string) => boolean) | null;
  /** SCAN's TYPE filter (lower case); only with `withType`. */
  type: string | null;
}

/** The options after a SCAN-family cursor (argv[from…]), as Redis's scanGenericCommand parses them. */
export function scanArgs(argv: readonly string[], from: number, withType = false): ScanArgs | Frame {
  const o: ScanArgs = { count: 10, match: null, type: null };
  for (let i = from; i < argv.length; i += 2) {
    const a = argv[i]!.toLowerCase();
    const hasArg = i + 1 < argv.length;
    if (a === 'count' && hasArg) {
      const n = parseI64(argv[i + 1]!);
      if (n === null) return E.notInt;
      if (n < 1n) return E.syntax;
      o.count = n > 2147483647n ? 2147483647 : Number(n);
    } else if (a === 'match' && hasArg) {
      const p = argv[i + 1]!;
      o.match = p === '*' ? null : compileGlob(p);
    } else if (a === 'type' && withType && hasArg) {
      o.type = argv[i + 1]!.toLowerCase();
    } else return E.syntax;
  }
  return o;
}
