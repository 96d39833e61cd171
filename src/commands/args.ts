// Argument parsing shared by handlers, with Redis's error replies for bad numbers.
import { E, err, type Frame } from '../protocol/frame.js';
import { parseFloatStrict, parseI64 } from '../protocol/numfmt.js';

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

/** Redis's getTimeoutFromObjectOrReply for blocking commands: seconds (fractional) → ms. */
export function timeoutArg(s: string): number | Frame {
  const v = parseFloatStrict(s);
  if (v === null || !Number.isFinite(v)) return err('ERR timeout is not a float or out of range');
  if (v < 0) return err('ERR timeout is negative');
  return Math.ceil(v * 1000);
}
