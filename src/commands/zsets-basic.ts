// Sorted set commands on members: ZADD/ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, the pops
// (ZPOPMIN/MAX, ZMPOP and their blocking forms), ZRANDMEMBER and ZSCAN.
import { E, EMPTY_ARR, NIL, NILARR, arityErr, arr, bulk, dbl, err, int, type Frame } from '../protocol/frame.js';
import { fmtG17, parseI64 } from '../protocol/numfmt.js';
import { ZSet } from '../engine/types/zset.js';
import { parseCursor } from '../engine/scan.js';
import { floatArg, isFrame, scanArgs, timeoutArg } from './args.js';
import { dropIfEmpty, isZ, positiveArg, readZ, writeZ, zcfg } from './zsets-core.js';
import type { Ctx } from './types.js';

// ---- ZADD / ZINCRBY -------------------------------------------------------------------------

const NAN_RESULT = err('ERR resulting score is not a number (NaN)');

/** zaddGenericCommand: options, then every score parsed before anything changes. */
function zaddGeneric(c: Ctx, argv: string[], incrCmd: boolean): Frame {
  const key = argv[1]!;
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCmd;
  let i = 2;
  if (!incrCmd) {
    for (; i < argv.length; i++) {
      const o = argv[i]!.toLowerCase();
      if (o === 'nx') nx = true;
      else if (o === 'xx') xx = true;
      else if (o === 'gt') gt = true;
      else if (o === 'lt') lt = true;
      else if (o === 'ch') ch = true;
      else if (o === 'incr') incr = true;
      else break;
    }
  }
  const pairs = argv.length - i;
  if (pairs % 2 !== 0 || pairs === 0) return E.syntax;
  const n = pairs / 2;
  if (nx && xx) return err('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) return err('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && n > 1) return err('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = 0; j < n; j++) {
    const s = floatArg(argv[i + 2 * j]!);
    if (isFrame(s)) return s;
    scores.push(s);
  }
  let z = writeZ(c, key);
  if (isFrame(z)) return z;
  let added = 0, updated = 0, processed = 0;
  let last = 0;
  if (z === undefined && !xx) {
    z = ZSet.create(zcfg(c), argv[i + 1]!.length);
    c.db.set(key, z);
  }
  if (z !== undefined) {
    const cfg = zcfg(c);
    for (let j = 0; j < n; j++) {
      let score = scores[j]!;
      const member = argv[i + 2 * j + 1]!;
      const cur = z.score(member);
      if (cur !== undefined) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) {
            // Only possible with INCR's single pair: nothing was changed.
            return NAN_RESULT;
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        last = score;
        processed++;
        if (score !== cur) {
          z.set(member, score, cfg);
          updated++;
        }
      } else if (!xx) {
        z.set(member, score, cfg);
        last = score;
        added++;
        processed++;
      }
    }
  }
  c.dirty += added + updated;
  if (incr) return processed ? dbl(last) : NIL;
  return int(ch ? added + updated : added);
}

const zadd = (c: Ctx, argv: string[]): Frame => zaddGeneric(c, argv, false);
const zincrby = (c: Ctx, argv: string[]): Frame => zaddGeneric(c, argv, true);

function zrem(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const z = writeZ(c, key);
  if (!isZ(z)) return z ?? int(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) {
    if (z.remove(argv[i]!)) n++;
    if (z.card() === 0) break;
  }
  dropIfEmpty(c, key, z);
  c.dirty += n;
  return int(n);
}

function zcard(c: Ctx, argv: string[]): Frame {
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? int(0);
  return int(z.card());
}

function zscore(c: Ctx, argv: string[]): Frame {
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? NIL;
  const s = z.score(argv[2]!);
  return s === undefined ? NIL : dbl(s);
}

function zmscore(c: Ctx, argv: string[]): Frame {
  const z = readZ(c, argv[1]!);
  if (isFrame(z)) return z;
  const out: Frame[] = [];
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(argv[i]!);
    out.push(s === undefined ? NIL : dbl(s));
  }
  return arr(out);
}

/**
 * ZRANK/ZREVRANK key member [WITHSCORE]. WITHSCORE is Redis 7.2's addition (Redis 7.0 has
 * arity 3 and refuses it): the reply is [rank, score], or a null array when the member is absent.
 */
function zrankGeneric(c: Ctx, argv: string[], rev: boolean): Frame {
  if (argv.length > 4) return arityErr(rev ? 'zrevrank' : 'zrank');
  let withscore = false;
  if (argv.length === 4) {
    if (argv[3]!.toLowerCase() !== 'withscore') return E.syntax;
    withscore = true;
  }
  const none = withscore ? NILARR : NIL;
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? none;
  let r = z.rank(argv[2]!);
  if (r < 0) return none;
  if (rev) r = z.card() - 1 - r;
  return withscore ? arr([int(r), dbl(z.score(argv[2]!)!)]) : int(r);
}

// ---- pops -------------------------------------------------------------------------------------

interface PopShape {
  /** Reply [key, …] first (BZPOP*, ZMPOP). */
  emitKey: boolean;
  /** [member, score] pairs (RESP3 ZPOP with count; ZMPOP in both protocols). */
  nested: boolean;
  /** Missing keys answer a null array instead of an empty one (ZMPOP). */
  nilWhenEmpty: boolean;
}

/**
 * genericZpopCommand: pop up to `count` (-1: one, flat reply) from the first existing key,
 * WRONGTYPE at the first existing key of another type. `found` tells whether something was popped.
 */
function zpopGeneric(c: Ctx, keys: string[], max: boolean, count: number, shape: PopShape): { reply: Frame; key?: string } {
  let key: string | undefined;
  let z: ZSet | undefined;
  for (const k of keys) {
    const v = writeZ(c, k);
    if (v === undefined) continue;
    if (isFrame(v)) return { reply: v };
    key = k;
    z = v;
    break;
  }
  if (!z || key === undefined) return { reply: shape.nilWhenEmpty ? NILARR : EMPTY_ARR };
  if (count === 0) return { reply: EMPTY_ARR };
  const n = Math.min(count === -1 ? 1 : count, z.card());
  const len = z.card();
  const e = max ? z.removeRange(len - n, len - 1) : z.removeRange(0, n - 1);
  if (max) {
    e.m.reverse();
    e.s.reverse();
  }
  const items: Frame[] = [];
  for (let i = 0; i < e.m.length; i++) {
    if (shape.nested) items.push(arr([bulk(e.m[i]!), dbl(e.s[i]!)]));
    else items.push(bulk(e.m[i]!), dbl(e.s[i]!));
  }
  dropIfEmpty(c, key, z);
  c.dirty += e.m.length;
  let reply: Frame;
  if (!shape.emitKey) reply = arr(items);
  else if (shape.nested) reply = arr([bulk(key), arr(items)]);
  else reply = arr([bulk(key), ...items]);
  return { reply, key };
}

function zpopMinMax(c: Ctx, argv: string[], max: boolean): Frame {
  if (argv.length > 3) return E.syntax;
  let count = -1;
  if (argv.length === 3) {
    const v = positiveOrZero(argv[2]!);
    if (isFrame(v)) return v;
    count = v;
  }
  return zpopGeneric(c, [argv[1]!], max, count, { emitKey: false, nested: c.resp === 3 && count !== -1, nilWhenEmpty: false }).reply;
}

/** ZPOP's count: getPositiveLongFromObjectOrReply with Redis's message for every bad value. */
function positiveOrZero(s: string): number | Frame {
  const v = parseI64(s);
  if (v === null || v < 0n) return err('ERR value is out of range, must be positive');
  return Number(v);
}

interface MpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

/** zmpopGenericCommand's parsing: numkeys, keys, MIN|MAX, [COUNT n]. */
function parseMpop(argv: string[], numIdx: number): MpopArgs | Frame {
  const numkeys = positiveArg(argv[numIdx]!, 'ERR numkeys should be greater than 0');
  if (isFrame(numkeys)) return numkeys;
  const whereIdx = numIdx + numkeys + 1;
  if (whereIdx >= argv.length) return E.syntax;
  const w = argv[whereIdx]!.toLowerCase();
  if (w !== 'min' && w !== 'max') return E.syntax;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && j + 1 < argv.length) {
      const v = positiveArg(argv[++j]!, 'ERR count should be greater than 0');
      if (isFrame(v)) return v;
      count = v;
    } else return E.syntax;
  }
  return { keys: argv.slice(numIdx + 1, whereIdx), max: w === 'max', count: count === -1 ? 1 : count };
}

const MPOP_SHAPE: PopShape = { emitKey: true, nested: true, nilWhenEmpty: true };

function zmpop(c: Ctx, argv: string[]): Frame {
  const a = parseMpop(argv, 1);
  if (isFrame(a)) return a;
  const r = zpopGeneric(c, a.keys, a.max, a.count, MPOP_SHAPE);
  // Replicated as ZPOPMIN/ZPOPMAX key <count asked>, as Redis does.
  if (r.key !== undefined) c.rewrite([a.max ? 'ZPOPMAX' : 'ZPOPMIN', r.key, String(a.count)]);
  return r.reply;
}

/** BZPOPMIN/BZPOPMAX key [key …] timeout: served at once when a key has members, else waits. */
function bzpop(c: Ctx, argv: string[], max: boolean): Frame {
  const t = timeoutArg(argv[argv.length - 1]!);
  if (isFrame(t)) return t;
  const keys = argv.slice(1, -1);
  const r = zpopGeneric(c, keys, max, -1, { emitKey: true, nested: false, nilWhenEmpty: true });
  if (r.key !== undefined) {
    c.rewrite([max ? 'ZPOPMAX' : 'ZPOPMIN', r.key]);
    return r.reply;
  }
  if (r.reply.t === 'err') return r.reply;
  c.block(keys, t);
  return NILARR;
}

function bzmpop(c: Ctx, argv: string[]): Frame {
  // numkeys, MIN|MAX and COUNT first, then the timeout (zmpopGenericCommand → blocking pop).
  const a = parseMpop(argv, 2);
  if (isFrame(a)) return a;
  const t = timeoutArg(argv[1]!);
  if (isFrame(t)) return t;
  const r = zpopGeneric(c, a.keys, a.max, a.count, MPOP_SHAPE);
  if (r.key !== undefined) {
    c.rewrite([a.max ? 'ZPOPMAX' : 'ZPOPMIN', r.key, String(a.count)]);
    return r.reply;
  }
  if (r.reply.t === 'err') return r.reply;
  c.block(a.keys, t);
  return NILARR;
}

// ---- ZRANDMEMBER ------------------------------------------------------------------------------

const LONG_MAX = 9223372036854775807n;

function zrandmember(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  if (argv.length === 2) {
    const z = readZ(c, key);
    if (!isZ(z)) return z ?? NIL;
    return bulk(z.range(0, z.card() - 1).m[c.rng.int(z.card())]!);
  }
  const raw = argv[2]!;
  const big = parseI64(raw);
  if (big === null) return E.notInt;
  if (big < -LONG_MAX) return err(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
  let withscores = false;
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) return E.syntax;
  if (argv.length === 4) {
    withscores = true;
    if (big < -LONG_MAX / 2n || big > LONG_MAX / 2n) return err('ERR value is out of range');
  }
  const z = readZ(c, key);
  if (!isZ(z)) return z ?? EMPTY_ARR;
  if (big === 0n) return EMPTY_ARR;
  const uniq = big > 0n;
  const size = z.card();
  const all = z.all();
  const out: Frame[] = [];
  const push = (i: number): void => {
    if (withscores && c.resp === 3) out.push(arr([bulk(all.m[i]!), dbl(all.s[i]!)]));
    else {
      out.push(bulk(all.m[i]!));
      if (withscores) out.push(dbl(all.s[i]!));
    }
  };
  const count = uniq ? big : -big;
  if (!uniq || count === 1n) {
    // Repeats allowed: each pick independent. A huge count is Redis's problem too; cap memory.
    const n = Number(count);
    if (n > 100_000_000) return err('ERR value is out of range');
    for (let i = 0; i < n; i++) push(c.rng.int(size));
    return arr(out);
  }
  if (count >= BigInt(size)) {
    // The whole set, walked from the tail as Redis's zui iterator does.
    for (let i = size - 1; i >= 0; i--) push(i);
    return arr(out);
  }
  // Distinct picks: a partial Fisher-Yates over the indexes.
  const n = Number(count);
  const idx = Array.from({ length: size }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + c.rng.int(size - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
    push(idx[i]!);
  }
  return arr(out);
}

// ---- ZSCAN ------------------------------------------------------------------------------------

/**
 * ZSCAN shows a listpack's stored score: Redis 7.0 stores integral scores within ±2^62
 * (double2ll) as integers, everything else as %.17g text.
 */
function listpackScoreText(s: number): string {
  if (Number.isInteger(s) && s >= -(2 ** 62) && s <= 2 ** 62) return BigInt(s).toString();
  return fmtG17(s);
}

// Live walks of big sets are Map iterators (they survive deletes and see appended members), kept
// in the keyspace's cursor cache (engine/scan.ts).

function zscan(c: Ctx, argv: string[]): Frame {
  const cur = parseCursor(argv[2]!);
  if (cur === null) return err('ERR invalid cursor');
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? arr([bulk('0'), EMPTY_ARR]);
  const opts = scanArgs(argv, 3);
  if (isFrame(opts)) return opts;
  const { count, match } = opts;
  const out: Frame[] = [];
  const packed = z.encoding === 'listpack';
  const emit = (m: string, s: number): void => {
    if (match === null || match(m)) out.push(bulk(m), bulk(packed ? listpackScoreText(s) : fmtG17(s)));
  };
  if (packed) {
    const e = z.all();
    for (let i = 0; i < e.m.length; i++) emit(e.m[i]!, e.s[i]!);
    return arr([bulk('0'), arr(out)]);
  }
  const it = c.db.cursors.take<string>(cur, z) ?? z.dictKeys();
  for (let n = 0; n < count; n++) {
    const r = it.next();
    if (r.done) return arr([bulk('0'), arr(out)]);
    const s = z.score(r.value);
    if (s !== undefined) emit(r.value, s);
  }
  return arr([bulk(String(c.db.cursors.put(z, it, c.rng))), arr(out)]);
}

export const BASIC_HANDLERS = {
  zadd, zincrby, zrem, zcard, zscore, zmscore,
  zrank: (c: Ctx, a: string[]) => zrankGeneric(c, a, false),
  zrevrank: (c: Ctx, a: string[]) => zrankGeneric(c, a, true),
  zpopmin: (c: Ctx, a: string[]) => zpopMinMax(c, a, false),
  zpopmax: (c: Ctx, a: string[]) => zpopMinMax(c, a, true),
  zmpop,
  bzpopmin: (c: Ctx, a: string[]) => bzpop(c, a, false),
  bzpopmax: (c: Ctx, a: string[]) => bzpop(c, a, true),
  bzmpop, zrandmember, zscan,
};
