// String commands, part 2: counters (INCR…, INCRBYFLOAT), byte ranges (APPEND, STRLEN,
// GETRANGE, SETRANGE) and LCS, plus the helpers both string files share.
import { E, ZERO, bulk, err, int, map, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { addLD, fmtLDHuman, parseLD, type LD } from '../engine/str-longdouble.js';
import { isFrame } from './args.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
/** V8's longest string ((1 << 29) - 24 chars): past it a value cannot exist in memory at all. */
const MAX_JS_STRING = (1 << 29) - 24;
/** LCS keeps its whole table in memory; past this many cells it refuses, as Redis does when malloc fails. */
const LCS_MAX_CELLS = 32 * 1024 * 1024;

/** A string-family entry: Redis's description (spec-data.ts) plus the handler. */
export const strSpec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });

/** A string value for reading (counts a hit or miss), or WRONGTYPE. */
export function readString(c: Ctx, key: string): string | undefined | Frame {
  return readAs(c.db, key, 'string');
}

/** A string value for writing (no hit/miss accounting, as lookupKeyWrite), or WRONGTYPE. */
export function writeString(c: Ctx, key: string): string | undefined | Frame {
  return writeAs(c.db, key, 'string');
}

/** An int64 as a reply: a JS number while it is exact, a bigint past 2^53. */
function intReply(v: bigint): Frame {
  return v <= 9007199254740991n && v >= -9007199254740991n ? int(Number(v)) : int(v);
}

const tooBig = (): Frame => err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');

/** Redis's checkStringLength, plus the JS string ceiling. */
function checkLength(c: Ctx, total: bigint): Frame | null {
  if (total > BigInt(c.config.int('proto-max-bulk-len')) || total > BigInt(MAX_JS_STRING)) return tooBig();
  return null;
}

function incrDecr(c: Ctx, key: string, incr: bigint): Frame {
  const v = writeString(c, key);
  if (isFrame(v)) return v;
  let value = 0n;
  if (v !== undefined) {
    const p = parseI64(v);
    if (p === null) return E.notInt;
    value = p;
  }
  if ((incr < 0n && value < 0n && incr < LLONG_MIN - value) || (incr > 0n && value > 0n && incr > LLONG_MAX - value)) {
    return E.overflow;
  }
  value += incr;
  // Integers are stored as their decimal bytes; OBJECT ENCODING derives "int" from them.
  const s = value.toString();
  if (v === undefined) c.db.set(key, s);
  else c.db.update(key, s);
  c.dirty++;
  return intReply(value);
}

const incr = (c: Ctx, argv: string[]) => incrDecr(c, argv[1]!, 1n);
const decr = (c: Ctx, argv: string[]) => incrDecr(c, argv[1]!, -1n);

function incrby(c: Ctx, argv: string[]): Frame {
  const n = parseI64(argv[2]!);
  if (n === null) return E.notInt;
  return incrDecr(c, argv[1]!, n);
}

function decrby(c: Ctx, argv: string[]): Frame {
  const n = parseI64(argv[2]!);
  if (n === null) return E.notInt;
  if (n === LLONG_MIN) return err('ERR decrement would overflow');
  return incrDecr(c, argv[1]!, -n);
}

const ZERO_LD: LD = { neg: false, m: 0n, e: 0 };

/** INCRBYFLOAT in x87 long double, as Redis on x86-64; propagated as SET … KEEPTTL. */
function incrbyfloat(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const v = writeString(c, key);
  if (isFrame(v)) return v;
  const cur = v === undefined ? ZERO_LD : parseLD(v);
  if (cur === null) return E.notFloat;
  const by = parseLD(argv[2]!);
  if (by === null) return E.notFloat;
  const sum = addLD(cur, by);
  if (sum === null || sum.inf) return err('ERR increment would produce NaN or Infinity');
  const s = fmtLDHuman(sum);
  if (v === undefined) c.db.set(key, s);
  else c.db.update(key, s);
  // Redis stores the formatted result as a string object without trying the int encoding.
  c.db.embStrings.add(key);
  c.dirty++;
  c.rewrite(['SET', key, s, 'KEEPTTL']);
  return bulk(s);
}

function append(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const add = argv[2]!;
  const v = writeString(c, key);
  if (isFrame(v)) return v;
  if (v === undefined) {
    c.db.set(key, add);
    c.dirty++;
    return int(add.length);
  }
  const bad = checkLength(c, BigInt(v.length) + BigInt(add.length));
  if (bad) return bad;
  // join() gives a flat string (a `+` chain would leave a costly cons string in the keyspace).
  const s = [v, add].join('');
  c.db.update(key, s);
  // Redis unshares the value into a raw sds before appending: OBJECT ENCODING says "raw".
  c.db.rawStrings.add(key);
  c.dirty++;
  return int(s.length);
}

function strlen(c: Ctx, argv: string[]): Frame {
  const v = readString(c, argv[1]!);
  if (v === undefined) return ZERO;
  return isFrame(v) ? v : int(v.length);
}

/** GETRANGE / SUBSTR: inclusive byte range, negative indexes from the end (int64 arithmetic). */
function getrange(c: Ctx, argv: string[]): Frame {
  let start = parseI64(argv[2]!);
  if (start === null) return E.notInt;
  let end = parseI64(argv[3]!);
  if (end === null) return E.notInt;
  const v = readString(c, argv[1]!);
  if (v === undefined) return bulk('');
  if (isFrame(v)) return v;
  const len = BigInt(v.length);
  if (start < 0n && end < 0n && start > end) return bulk('');
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return bulk('');
  return bulk(v.slice(Number(start), Number(end) + 1));
}

function setrange(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const off = parseI64(argv[2]!);
  if (off === null) return E.notInt;
  if (off < 0n) return err('ERR offset is out of range');
  const val = argv[3]!;
  const v = writeString(c, key);
  if (isFrame(v)) return v;
  if (val.length === 0) return int(v === undefined ? 0 : v.length);
  const bad = checkLength(c, off + BigInt(val.length));
  if (bad) return bad;
  const o = Number(off);
  const old = v ?? '';
  let s: string;
  if (o >= old.length) s = [old, '\0'.repeat(o - old.length), val].join('');
  else s = [old.slice(0, o), val, old.slice(o + val.length)].join('');
  if (v === undefined) c.db.set(key, s);
  else c.db.update(key, s);
  c.db.rawStrings.add(key);
  c.dirty++;
  return int(s.length);
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: Redis's DP table and walk-back. */
function lcs(c: Ctx, argv: string[]): Frame {
  const ra = c.db.read(argv[1]!);
  const rb = c.db.read(argv[2]!);
  if ((ra !== undefined && typeof ra !== 'string') || (rb !== undefined && typeof rb !== 'string')) {
    return err('ERR The specified keys must contain string values');
  }
  const a = ra ?? '';
  const b = rb ?? '';
  let getlen = false, getidx = false, withmatchlen = false;
  let minmatchlen = 0n;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toUpperCase();
    const more = argv.length - 1 - j;
    if (opt === 'IDX') getidx = true;
    else if (opt === 'LEN') getlen = true;
    else if (opt === 'WITHMATCHLEN') withmatchlen = true;
    else if (opt === 'MINMATCHLEN' && more > 0) {
      const n = parseI64(argv[j + 1]!);
      if (n === null) return E.notInt;
      minmatchlen = n < 0n ? 0n : n;
      j++;
    } else return E.syntax;
  }
  if (getidx && getlen) return err('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > c.config.int('proto-max-bulk-len')) {
    return err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  if (cells > LCS_MAX_CELLS) return err('ERR Insufficient memory, failed allocating transient memory for LCS');
  // A cell never exceeds min(alen, blen): 16-bit cells halve the table when they suffice.
  const T = Math.min(alen, blen) < 65536 ? new Uint16Array(cells) : new Uint32Array(cells);
  const W = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ac = a.charCodeAt(i - 1);
    const row = i * W;
    const prev = row - W;
    for (let j = 1; j <= blen; j++) {
      if (ac === b.charCodeAt(j - 1)) T[row + j] = T[prev + j - 1]! + 1;
      else {
        const l1 = T[prev + j]!;
        const l2 = T[row + j - 1]!;
        T[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = T[alen * W + blen]!;
  if (getlen) return int(total);

  const result: number[] = new Array(total);
  const matches: Frame[] = [];
  let idx = total;
  let aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart === alen: no range open
  let i = alen, j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--; i--; j--;
    } else {
      if (T[(i - 1) * W + j]! > T[i * W + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const mlen = aEnd - aStart + 1;
      if (getidx && (minmatchlen === 0n || BigInt(mlen) >= minmatchlen)) {
        const m: Frame[] = [
          { t: 'arr', v: [int(aStart), int(aEnd)] },
          { t: 'arr', v: [int(bStart), int(bEnd)] },
        ];
        if (withmatchlen) m.push(int(mlen));
        matches.push({ t: 'arr', v: m });
      }
      aStart = alen;
    }
  }
  if (getidx) return map([bulk('matches'), { t: 'arr', v: matches }, bulk('len'), int(total)]);
  let s = '';
  for (let k = 0; k < result.length; k += 8192) s += String.fromCharCode.apply(null, result.slice(k, k + 8192));
  return bulk(s);
}

export const STRING_OP_COMMANDS: CommandSpec[] = [
  strSpec('incr', incr),
  strSpec('decr', decr),
  strSpec('incrby', incrby),
  strSpec('decrby', decrby),
  strSpec('incrbyfloat', incrbyfloat),
  strSpec('append', append),
  strSpec('strlen', strlen),
  strSpec('getrange', getrange),
  strSpec('substr', getrange),
  strSpec('setrange', setrange),
  strSpec('lcs', lcs),
];
