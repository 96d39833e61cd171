// Helpers shared by the list command files: typed lookups, argument parsing, spec shape.
import { E, err, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { List } from '../engine/types/list.js';
import { parseLD } from '../engine/str-longdouble.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';

/** A list for reading (counts a hit or miss), undefined when missing, or WRONGTYPE. */
export function readList(c: Ctx, key: string): List | undefined | Frame {
  const v = c.db.read(key);
  if (v === undefined) return undefined;
  return v instanceof List ? v : E.wrongType;
}

/** A list for writing (lookupKeyWrite: no hit/miss accounting), or WRONGTYPE. */
export function writeList(c: Ctx, key: string): List | undefined | Frame {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  return v instanceof List ? v : E.wrongType;
}

export function newList(c: Ctx): List {
  return new List(c.config.int('list-max-listpack-size'));
}

/** getLongFromObjectOrReply, clamped into the safe-integer range (no list gets near it). */
export function longArg(s: string, msg?: string): number | Frame {
  const v = parseI64(s);
  if (v === null) return msg ? err(msg) : E.notInt;
  return v > 9007199254740991n ? 9007199254740991 : v < -9007199254740991n ? -9007199254740991 : Number(v);
}

/** Delete the key when a pop or removal emptied its list, as Redis does. */
export function dropIfEmpty(c: Ctx, key: string, l: List): void {
  if (l.len === 0) c.db.del(key);
}

/** One key spec at argv[1], as COMMAND INFO prints it. */

/** A list-family entry: Redis's description (spec-data.ts) plus the handler. */
export const listSpec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });


/**
 * Redis's getTimeoutFromObjectOrReply in seconds: strtold, then (long long)ceill(t * 1000). A
 * product at or past 2^63 converts to LLONG_MIN on x86, so huge and infinite timeouts are
 * "negative" there too. Returns milliseconds (0 = forever).
 */
export function timeoutArg(s: string): number | Frame {
  const ld = parseLD(s);
  if (ld === null) return err('ERR timeout is not a float or out of range');
  if (ld.inf) return err('ERR timeout is negative');
  // The product rounded to a 64-bit mantissa, then truncated: exact, with bigints.
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
  // 7.0's (long long)ceill(t * 1000): 0.0001 s waits 1 ms instead of truncating to 0 (forever).
  let ms: bigint;
  if (e >= 0) ms = p << BigInt(e);
  else {
    const sh = BigInt(Math.min(-e, 200));
    ms = p >> sh;
    // Towards +inf: a positive fraction rounds up; a negative one rounds to -0, i.e. forever.
    if (!ld.neg && ms << sh !== p) ms++;
  }
  if (ms >= 1n << 63n || (ld.neg && ms > 0n)) return err('ERR timeout is negative');
  return Number(ms);
}

/** LEFT|RIGHT (getListPositionFromObjectOrReply): true for the head. */
export function whereArg(s: string): boolean | Frame {
  const w = s.toLowerCase();
  if (w === 'left') return true;
  if (w === 'right') return false;
  return E.syntax;
}

/** C's atoi, as Redis's genericGetKeys reads numkeys. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const v = Number(m[1]);
  return v > 2147483647 || v < -2147483648 ? 0 : v;
}

/** genericGetKeys for LMPOP/BLMPOP: numkeys at `numIdx`, the keys right after it; none when invalid. */
export function numkeysKeys(argv: readonly string[], numIdx: number): number[] {
  const n = atoi(argv[numIdx] ?? '');
  const first = numIdx + 1;
  if (n < 1 || n > argv.length - first) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(first + i);
  return out;
}
