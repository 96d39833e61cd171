// SORT and SORT_RO: the elements of a list, set or sorted set, sorted as Redis 7.0's sort.c does.
import { E, NIL, arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { List } from '../engine/types/list.js';
import { RSet } from '../engine/types/set.js';
import { ZSet } from '../engine/types/zset.js';
import { HashObj, hashGet } from '../engine/types/hash.js';
import { readHash } from './hashes-common.js';
import { zcfg } from './zsets-core.js';
import { newList } from './lists-core.js';
import type { CommandSpec, Ctx } from './types.js';
import { def } from './spec-data.js';

/**
 * keyflare is always a Redis Cluster, where Redis 7.0 refuses BY patterns and GET (their keys
 * may live in other slots; 7.0 has no same-slot exception). The standalone behaviour is kept
 * for tests of the pattern lookups against a standalone redis-server (ShardInfo.standalone).
 */
const clusterMode = (c: Ctx): boolean => c.shard.standalone !== true;

/** The C string view of s: what strchr/strcoll/strtod see (they stop at the first NUL). */
function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

const isSpace = (ch: number) => ch === 32 || (ch >= 9 && ch <= 13);
const isDigit = (ch: number) => ch >= 48 && ch <= 57;
const hexVal = (ch: number) => (isDigit(ch) ? ch - 48 : ch >= 97 && ch <= 102 ? ch - 87 : ch >= 65 && ch <= 70 ? ch - 55 : -1);
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * glibc's strtod as SORT uses it: a score, or null when the string is not wholly a number, or
 * overflows/underflows (ERANGE), or is NaN. Leading white space, hex floats and inf are taken.
 */
export function sortScore(raw: string): number | null {
  const s = cstr(raw);
  const n = s.length;
  if (n === 0) return 0; // no conversion, but *endptr is the terminator: Redis accepts it as 0
  let p = 0;
  while (p < n && isSpace(s.charCodeAt(p))) p++;
  let neg = false;
  if (p < n && (s[p] === '+' || s[p] === '-')) neg = s[p++] === '-';
  const rest = s.slice(p).toLowerCase();
  if (rest.startsWith('inf')) {
    return rest === 'inf' || rest === 'infinity' ? (neg ? -Infinity : Infinity) : null;
  }
  if (rest.startsWith('nan')) return null;
  let v: number;
  let nonzero = false;
  if (rest.startsWith('0x') && (hexVal(rest.charCodeAt(2)) >= 0 || (rest[2] === '.' && hexVal(rest.charCodeAt(3)) >= 0))) {
    let q = 2;
    let m = 0n;
    let frac = 0;
    while (hexVal(rest.charCodeAt(q)) >= 0) m = m * 16n + BigInt(hexVal(rest.charCodeAt(q++)));
    if (rest[q] === '.') {
      q++;
      while (hexVal(rest.charCodeAt(q)) >= 0) {
        m = m * 16n + BigInt(hexVal(rest.charCodeAt(q++)));
        frac++;
      }
    }
    let e2 = -4 * frac;
    if (rest[q] === 'p') {
      let r = q + 1;
      let eneg = false;
      if (rest[r] === '+' || rest[r] === '-') eneg = rest[r++] === '-';
      if (isDigit(rest.charCodeAt(r))) {
        let e = 0;
        while (isDigit(rest.charCodeAt(r))) e = Math.min(e * 10 + rest.charCodeAt(r++) - 48, 1e6);
        e2 += eneg ? -e : e;
        q = r;
      }
    }
    if (q !== rest.length) return null;
    nonzero = m !== 0n;
    // Keep 60 significant bits plus a sticky bit so Number() rounds once, correctly.
    const bits = m.toString(2).length;
    if (bits > 60) {
      const sh = BigInt(bits - 60);
      const sticky = (m & ((1n << sh) - 1n)) !== 0n ? 1n : 0n;
      m = (m >> sh) | sticky;
      e2 += bits - 60;
    }
    const h = Math.trunc(e2 / 2);
    v = Number(m) * 2 ** h * 2 ** (e2 - h);
  } else {
    let q = 0;
    let digits = 0;
    while (isDigit(rest.charCodeAt(q))) {
      if (rest[q] !== '0') nonzero = true;
      q++;
      digits++;
    }
    if (rest[q] === '.') {
      q++;
      while (isDigit(rest.charCodeAt(q))) {
        if (rest[q] !== '0') nonzero = true;
        q++;
        digits++;
      }
    }
    if (digits === 0) return null; // no conversion: *endptr is the string's first byte
    if (rest[q] === 'e') {
      let r = q + 1;
      if (rest[r] === '+' || rest[r] === '-') r++;
      if (isDigit(rest.charCodeAt(r))) {
        while (isDigit(rest.charCodeAt(r))) r++;
        q = r;
      }
    }
    if (q !== rest.length) return null;
    v = Number(rest);
  }
  if (!Number.isFinite(v)) return null; // ERANGE (overflow)
  if (nonzero && Math.abs(v) < MIN_NORMAL) return null; // ERANGE (underflow)
  return neg ? -v : v;
}

/** Redis's lookupKeyByPattern: `#` is the element itself; `*` is replaced; `->f` reads a hash field. */
function lookupByPattern(c: Ctx, pattern: string, subst: string): string | undefined {
  const pat = cstr(pattern);
  if (pat === '#') return subst;
  const star = pat.indexOf('*');
  if (star < 0) return undefined;
  const arrow = pat.indexOf('->', star + 1);
  // The field runs to the end of the whole pattern (sdslen), past any NUL.
  const field = arrow >= 0 && arrow + 2 < pat.length ? pattern.slice(arrow + 2) : null;
  const postEnd = field === null ? pattern.length : arrow;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, postEnd);
  if (field !== null) {
    const h = readHash(c, key);
    return h instanceof HashObj ? hashGet(h, field) : undefined;
  }
  const v = c.db.read(key);
  return typeof v === 'string' ? v : undefined;
}

interface Elem {
  obj: string;
  score: number;
  /** The BY value for ALPHA sorting by pattern (null when its key is missing). */
  cmp: string | null;
}

const binCmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** strcoll in the C.UTF-8 locale Redis runs in: byte order up to the first NUL. */
const collCmp = (a: string, b: string) => binCmp(cstr(a), cstr(b));

function sortGeneric(c: Ctx, argv: string[], readonly: boolean): Frame {
  let desc = false;
  let alpha = false;
  let limitStart = 0n;
  let limitCount = -1n;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (a === 'asc') desc = false;
    else if (a === 'desc') desc = true;
    else if (a === 'alpha') alpha = true;
    else if (a === 'limit' && left >= 2) {
      const s = parseI64(argv[j + 1]!);
      if (s === null) return E.notInt;
      const n = parseI64(argv[j + 2]!);
      if (n === null) return E.notInt;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && a === 'store' && left >= 1) {
      storekey = argv[++j]!;
    } else if (a === 'by' && left >= 1) {
      sortby = argv[++j]!;
      if (!cstr(sortby).includes('*')) dontsort = true;
      else if (clusterMode(c)) return err('ERR BY option of SORT denied in Cluster mode.');
    } else if (a === 'get' && left >= 1) {
      if (clusterMode(c)) return err('ERR GET option of SORT denied in Cluster mode.');
      gets.push(argv[++j]!);
    } else return E.syntax;
  }

  const sortval = c.db.read(argv[1]!);
  if (sortval !== undefined && !(sortval instanceof List || sortval instanceof RSet || sortval instanceof ZSet)) {
    return E.wrongType;
  }
  // A set has no order of its own: sorted output keeps the stored result deterministic.
  if (dontsort && sortval instanceof RSet && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  // Redis converts a small sorted set to a skiplist for SORT, for good.
  if (sortval instanceof ZSet && sortval.p !== null) sortval.convert(zcfg(c).rng);

  const vlen = sortval === undefined ? 0 : sortval instanceof List ? sortval.len : sortval instanceof RSet ? sortval.size : sortval.card();
  let start = limitStart < 0n ? 0n : limitStart;
  let end = limitCount < 0n ? BigInt(vlen - 1) : BigInt.asIntN(64, start + limitCount - 1n);
  if (start >= BigInt(vlen)) {
    start = BigInt(vlen - 1);
    end = BigInt(vlen - 2);
  }
  if (end >= BigInt(vlen)) end = BigInt(vlen - 1);
  if (end < start - 1n) end = start - 1n; // only reachable through C's signed overflow
  let s0 = Number(start);
  let e0 = Number(end);

  let objs: string[];
  if (sortval === undefined) objs = [];
  else if (sortval instanceof List) {
    if (dontsort) {
      // The list's own order (reversed for DESC), only the LIMIT range.
      objs = e0 < s0 ? [] : desc ? sortval.rangeRev(vlen - 1 - e0, vlen - 1 - s0) : sortval.range(s0, e0);
      e0 -= s0;
      s0 = 0;
    } else objs = sortval.toArray();
  } else if (sortval instanceof RSet) {
    objs = sortval.members();
  } else if (dontsort) {
    objs = e0 < s0 ? [] : desc ? sortval.rangeRev(vlen - 1 - e0, vlen - 1 - s0).m : sortval.range(s0, e0).m;
    e0 -= s0;
    s0 = 0;
  } else objs = [...sortval.dictKeys()];

  const vec: Elem[] = objs.map((obj) => ({ obj, score: 0, cmp: null }));
  let convErr = false;
  if (!dontsort) {
    for (const el of vec) {
      let byval: string;
      if (sortby !== null) {
        const v = lookupByPattern(c, sortby, el.obj);
        if (v === undefined) continue;
        byval = v;
      } else byval = el.obj;
      if (alpha) {
        if (sortby !== null) el.cmp = byval;
      } else {
        const sc = sortScore(byval);
        if (sc === null) convErr = true;
        else el.score = sc;
      }
    }
    const store = storekey !== null;
    const byPat = sortby !== null;
    const cmp = (x: Elem, y: Elem): number => {
      let r: number;
      if (!alpha) r = x.score > y.score ? 1 : x.score < y.score ? -1 : binCmp(x.obj, y.obj);
      else if (byPat) {
        if (x.cmp === null || y.cmp === null) r = x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
        else r = store ? binCmp(x.cmp, y.cmp) : collCmp(x.cmp, y.cmp);
      } else r = store ? binCmp(x.obj, y.obj) : collCmp(x.obj, y.obj);
      return desc ? -r : r;
    };
    // glibc's qsort is a stable merge sort, as Array.prototype.sort: ties keep their order.
    vec.sort(cmp);
  }

  const count = e0 - s0 + 1;
  const outputlen = gets.length ? gets.length * count : count;
  if (convErr) return err("ERR One or more scores can't be converted into double");
  if (storekey === null) {
    const out: Frame[] = [];
    for (let j = s0; j <= e0; j++) {
      const obj = vec[j]!.obj;
      if (!gets.length) out.push(bulk(obj));
      for (const g of gets) {
        const v = lookupByPattern(c, g, obj);
        out.push(v === undefined ? NIL : bulk(v));
      }
    }
    return arr(out);
  }
  const items: string[] = [];
  for (let j = s0; j <= e0; j++) {
    const obj = vec[j]!.obj;
    if (!gets.length) items.push(obj);
    for (const g of gets) items.push(lookupByPattern(c, g, obj) ?? '');
  }
  if (outputlen) {
    const l = newList(c);
    l.pushTail(items);
    c.db.set(storekey, l);
    c.dirty += outputlen;
  } else if (c.db.del(storekey)) c.dirty++;
  return int(outputlen);
}

/** Redis's sortGetKeys: the sorted key and the last STORE's destination (BY/GET/LIMIT args skipped). */
function sortKeys(argv: readonly string[]): number[] {
  const keys = [1];
  let store = -1;
  const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a in skip) i += skip[a]!;
    else if (a === 'store' && i + 1 < argv.length) store = i + 1;
  }
  if (store > 0) keys.push(store);
  return keys;
}

export const SORT_COMMANDS: CommandSpec[] = [
  def('sort', { getKeys: sortKeys, route: 'keys', run: (c, argv) => sortGeneric(c, argv, false) }),
  def('sort_ro', { getKeys: () => [1], route: 'keys', run: (c, argv) => sortGeneric(c, argv, true) }),
];
