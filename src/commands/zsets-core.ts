// Shared pieces of the sorted set commands: key lookup with type checks, Redis's score and lex
// range parsing (zslParseRange / zslParseLexRange), rank clamping and the reply shapes.
import { E, arr, bulk, dbl, err, type Frame } from '../protocol/frame.js';
import { parseFloatStrict, parseI64 } from '../protocol/numfmt.js';
import { ZSet, type ZCfg } from '../engine/types/zset.js';
import type { ZEntries } from '../engine/encodings/zset-pack.js';
import type { Ctx } from './types.js';
import { readAs, writeAs } from './typed.js';

export function zcfg(c: Ctx): ZCfg {
  return { entries: c.config.int('zset-max-listpack-entries'), value: c.config.int('zset-max-listpack-value'), rng: c.rng };
}

/** Read lookup (counts hits/misses): the set, undefined when missing, or WRONGTYPE. */
export function readZ(c: Ctx, key: string): ZSet | undefined | Frame {
  return readAs(c.db, key, 'zset');
}

/** Write lookup: the set, undefined when missing, or WRONGTYPE. */
export function writeZ(c: Ctx, key: string): ZSet | undefined | Frame {
  return writeAs(c.db, key, 'zset');
}

export function isZ(x: ZSet | undefined | Frame): x is ZSet {
  return x instanceof ZSet;
}

/** Delete the key when its set became empty (Redis never keeps empty collections). */
export function dropIfEmpty(c: Ctx, key: string, z: ZSet): void {
  if (z.card() === 0) c.db.del(key);
}

/** A signed long argument (getLongFromObjectOrReply), as a JS number (exact up to 2^53). */
export function longArg(s: string): number | Frame {
  const v = parseI64(s);
  return v === null ? E.notInt : Number(v);
}

/** A 1-based cardinality-like argument with Redis's range message (getRangeLongFromObjectOrReply). */
export function positiveArg(s: string, msg: string): number | Frame {
  const v = parseI64(s);
  if (v === null || v < 1n) return err(msg);
  return Number(v);
}

/** C's strtod over the whole string, as zslParseRange uses it: no ERANGE check, "" is 0. */
export function strtodFull(s: string): number | null {
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  if (i === s.length) return null;
  const t = s.slice(i);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  const low = t.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(low)) return low[0] === '-' ? -Infinity : Infinity;
  // Hex floats: rare enough to share the strict parser (which refuses over/underflow).
  if (/^[+-]?0x/i.test(t)) return parseFloatStrict(t);
  return null; // includes NaN, which Redis refuses
}

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function scoreItem(s: string): { v: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; // '('
  const v = strtodFull(ex ? s.slice(1) : s);
  return v === null ? null : { v, ex };
}

export const NOT_FLOAT_RANGE = err('ERR min or max is not a float');
export const NOT_LEX_RANGE = err('ERR min or max not valid string range item');

export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = scoreItem(min);
  const b = scoreItem(max);
  if (!a || !b) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

/** Lex bounds: a member, or the shared min/max strings of '-' and '+'. */
export const LEX_MIN = 0;
export const LEX_MAX = 1;
export type LexItem = string | typeof LEX_MIN | typeof LEX_MAX;

export interface LexRange {
  min: LexItem;
  max: LexItem;
  minex: boolean;
  maxex: boolean;
}

function lexItem(s: string): { v: LexItem; ex: boolean } | null {
  const c0 = s[0];
  if (c0 === '+') return s.length === 1 ? { v: LEX_MAX, ex: true } : null;
  if (c0 === '-') return s.length === 1 ? { v: LEX_MIN, ex: true } : null;
  if (c0 === '(') return { v: s.slice(1), ex: true };
  if (c0 === '[') return { v: s.slice(1), ex: false };
  return null;
}

export function parseLexRange(min: string, max: string): LexRange | null {
  const a = lexItem(min);
  const b = lexItem(max);
  if (!a || !b) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

/** sdscmplex: the shared min string sorts before everything, max after. */
function cmpLex(a: LexItem, b: LexItem): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending ranks [lo, hi] of the entries inside a score range (hi < lo when empty). */
export function scoreRanks(z: ZSet, r: ScoreRange): [number, number] {
  const lo = z.countWhile((_m, s) => (r.minex ? s <= r.min : s < r.min));
  const hi = z.countWhile((_m, s) => (r.maxex ? s < r.max : s <= r.max)) - 1;
  return [lo, hi];
}

// Lex ranges assume equal scores; over different scores the members are not in lex order, and
// Redis's answer is what its walks find, reproduced here: zzl/zslIsInLexRange tests the first and
// last members, the first (last) member in range is a linear scan in a listpack and a skiplist
// descent otherwise, and the walk from it stops at the first member out of range.

const gteMin = (m: string, r: LexRange): boolean => (r.minex ? cmpLex(m, r.min) > 0 : cmpLex(m, r.min) >= 0);
const lteMax = (m: string, r: LexRange): boolean => (r.maxex ? cmpLex(m, r.max) < 0 : cmpLex(m, r.max) <= 0);

/** The member at an ascending rank, read in chunks (a walk touches only what it passes). */
function memberAt(z: ZSet): (i: number) => string {
  if (z.p !== null) {
    const m = z.range(0, z.card() - 1).m;
    return (i) => m[i]!;
  }
  const n = z.card();
  let base = 0;
  let chunk: string[] = [];
  return (i) => {
    if (i < base || i >= base + chunk.length) {
      base = i < base ? Math.max(0, i - 255) : i;
      chunk = z.range(base, Math.min(n - 1, base + 255)).m;
    }
    return chunk[i - base]!;
  };
}

/** zzlIsInLexRange / zslIsInLexRange. */
function inLexRange(z: ZSet, r: LexRange, at: (i: number) => string): boolean {
  const c = cmpLex(r.min, r.max);
  if (c > 0 || (c === 0 && (r.minex || r.maxex))) return false;
  const n = z.card();
  return n > 0 && gteMin(at(n - 1), r) && lteMax(at(0), r);
}

/** zzlFirstInLexRange / zslFirstInLexRange: an ascending rank, or -1. */
function firstInLex(z: ZSet, r: LexRange, at: (i: number) => string): number {
  if (!inLexRange(z, r, at)) return -1;
  // The listpack's scan and the skiplist's descent both stop before the first member >= min.
  const i = z.countWhile((m) => !gteMin(m, r));
  return lteMax(at(i), r) ? i : -1;
}

/** zzlLastInLexRange (a scan from the tail) / zslLastInLexRange (a descent): a rank, or -1. */
function lastInLex(z: ZSet, r: LexRange, at: (i: number) => string): number {
  if (!inLexRange(z, r, at)) return -1;
  let j: number;
  if (z.p !== null) for (j = z.card() - 1; j > 0 && !lteMax(at(j), r); j--);
  else j = z.countWhile((m) => lteMax(m, r)) - 1;
  return gteMin(at(j), r) ? j : -1;
}

/**
 * genericZrangebylexCommand's walk: from the first (REV: last) member in range, skip `offset`
 * (a negative offset skips everything), then take up to `limit` (negative: all) while the member
 * stays <= max (REV: >= min). The ascending ranks [lo, hi] taken (hi < lo when none).
 */
export function lexWalk(z: ZSet, r: LexRange, rev: boolean, offset: number, limit: number): [number, number] {
  const at = memberAt(z);
  const n = z.card();
  let i = rev ? lastInLex(z, r, at) : firstInLex(z, r, at);
  if (i < 0 || offset < 0) return [0, -1];
  i += rev ? -offset : offset;
  let k = 0;
  if (rev) while (i - k >= 0 && k !== limit && gteMin(at(i - k), r)) k++;
  else while (i + k < n && k !== limit && lteMax(at(i + k), r)) k++;
  return rev ? [i - k + 1, i] : [i, i + k - 1];
}

/** ZLEXCOUNT: a walk in a listpack; in a skiplist the ranks of the first and last in range. */
export function lexCount(z: ZSet, r: LexRange): number {
  const at = memberAt(z);
  const i = firstInLex(z, r, at);
  if (i < 0) return 0;
  if (z.p !== null) {
    let k = 0;
    while (i + k < z.card() && lteMax(at(i + k), r)) k++;
    return k;
  }
  const j = lastInLex(z, r, at);
  // Redis's unsigned count, replied as a long long: a last member before the first goes negative.
  return j < 0 ? z.card() - i : j - i + 1;
}

/** ZREMRANGEBYLEX's ranks: zzlDeleteRangeByLex starts at the first in range, zslDeleteRangeByLex after a bare descent. */
export function lexDeleteRanks(z: ZSet, r: LexRange): [number, number] {
  const at = memberAt(z);
  const i = z.p !== null ? firstInLex(z, r, at) : z.countWhile((m) => !gteMin(m, r));
  if (i < 0) return [0, -1];
  let k = 0;
  while (i + k < z.card() && lteMax(at(i + k), r)) k++;
  return [i, i + k - 1];
}

/** Clamp start/end (negative = from the end) as Redis's rank commands do; null when empty. */
export function clampRanks(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** Members (and scores) as Redis replies them: flat in RESP2, [member, score] pairs in RESP3. */
export function entriesReply(c: Ctx, e: ZEntries, withscores: boolean): Frame {
  const out: Frame[] = [];
  if (!withscores) for (const m of e.m) out.push(bulk(m));
  else if (c.resp === 3) for (let i = 0; i < e.m.length; i++) out.push(arr([bulk(e.m[i]!), dbl(e.s[i]!)]));
  else for (let i = 0; i < e.m.length; i++) out.push(bulk(e.m[i]!), dbl(e.s[i]!));
  return arr(out);
}

/** C's atoi, as Redis's genericGetKeys reads numkeys. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** genericGetKeys: the store key (if any), then the numkeys keys from firstKey; none when invalid. */
export function numkeysPositions(argv: readonly string[], storeIdx: number, countIdx: number, firstIdx: number): number[] {
  if (argv.length <= countIdx) return [];
  const num = atoi(argv[countIdx]!);
  if (num < 1 || num > argv.length - firstIdx) return [];
  const out: number[] = storeIdx ? [storeIdx] : [];
  for (let i = 0; i < num; i++) out.push(firstIdx + i);
  return out;
}
