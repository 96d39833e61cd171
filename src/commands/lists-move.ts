// List commands, part 2: moving and multi-key pops (LMOVE, RPOPLPUSH, LMPOP) and their blocking
// forms. A blocking command with nothing to serve asks the shard to wait (Ctx.block) and returns
// its timeout reply; whatever it serves is logged as the non-blocking command Redis 7.0 propagates.
import { E, NIL, NILARR, arr, bulk, bulks, err, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import type { List } from '../engine/types/list.js';
import { isFrame, timeoutArg } from './args.js';
import { listSpec, newList, numkeysKeys, whereArg, writeList } from './lists-core.js';
import type { CommandSpec, Ctx } from './types.js';

/**
 * lmoveGenericCommand: pop from `src`, push onto `dst` (created when missing). A missing source
 * answers nil before the destination's type is looked at, as in Redis.
 */
function moveOne(c: Ctx, src: string, dst: string, fromHead: boolean, toHead: boolean): Frame {
  const s = writeList(c, src);
  if (isFrame(s)) return s;
  if (s === undefined) return NIL;
  let d = writeList(c, dst);
  if (isFrame(d)) return d;
  const v = fromHead ? s.popHead(1)[0]! : s.popTail(1)[0]!;
  // With src === dst, d is s itself: a one-element rotation gets its element back.
  if (d === undefined) {
    d = newList(c);
    c.db.set(dst, d);
  }
  if (toHead) d.pushHead([v]);
  else d.pushTail([v]);
  if (s.len === 0) c.db.del(src);
  c.dirty++;
  return bulk(v);
}

function lmove(c: Ctx, argv: string[]): Frame {
  const from = whereArg(argv[3]!);
  if (isFrame(from)) return from;
  const to = whereArg(argv[4]!);
  if (isFrame(to)) return to;
  return moveOne(c, argv[1]!, argv[2]!, from, to);
}

function rpoplpush(c: Ctx, argv: string[]): Frame {
  return moveOne(c, argv[1]!, argv[2]!, false, true);
}

/** BLMOVE src dst LEFT|RIGHT LEFT|RIGHT timeout: served as LMOVE, or waits on src. */
function blmove(c: Ctx, argv: string[]): Frame {
  const from = whereArg(argv[3]!);
  if (isFrame(from)) return from;
  const to = whereArg(argv[4]!);
  if (isFrame(to)) return to;
  return blockingMove(c, argv, from, to, argv[5]!, ['LMOVE', argv[1]!, argv[2]!, argv[3]!, argv[4]!]);
}

function brpoplpush(c: Ctx, argv: string[]): Frame {
  return blockingMove(c, argv, false, true, argv[3]!, ['RPOPLPUSH', argv[1]!, argv[2]!]);
}

function blockingMove(c: Ctx, argv: string[], from: boolean, to: boolean, timeout: string, logged: string[]): Frame {
  const ms = timeoutArg(timeout);
  if (isFrame(ms)) return ms;
  const src = argv[1]!;
  const s = writeList(c, src);
  if (isFrame(s)) return s;
  // Redis answers a timed-out BLMOVE with a null array, but a BLMOVE that may not block
  // (inside MULTI) with a null bulk.
  if (s === undefined) return c.block([src], ms) ? NILARR : NIL;
  const r = moveOne(c, src, argv[2]!, from, to);
  if (c.dirty) c.rewrite(logged);
  return r;
}

/**
 * Pop up to `count` from one list, replying [key, [elements]] (listPopRangeAndReplyWithKey),
 * logged as LPOP/RPOP key n with n clamped to what was there.
 */
function popRangeWithKey(c: Ctx, key: string, l: List, head: boolean, count: number): Frame {
  const vals = head ? l.popHead(count) : l.popTail(count);
  if (l.len === 0) c.db.del(key);
  c.dirty += vals.length;
  c.rewrite([head ? 'LPOP' : 'RPOP', key, String(vals.length)]);
  return arr([bulk(key), bulks(vals)]);
}

interface MpopArgs {
  keys: string[];
  head: boolean;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys, keys, LEFT|RIGHT, [COUNT n]. */
function parseMpop(argv: string[], numIdx: number): MpopArgs | Frame {
  const nk = parseI64(argv[numIdx]!);
  if (nk === null || nk < 1n) return err('ERR numkeys should be greater than 0');
  const whereIdx = numIdx + 1 + (nk > 1000000000n ? 1000000000 : Number(nk));
  if (whereIdx >= argv.length) return E.syntax;
  const head = whereArg(argv[whereIdx]!);
  if (isFrame(head)) return head;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toUpperCase() === 'COUNT' && j < argv.length - 1) {
      const v = parseI64(argv[++j]!);
      if (v === null || v < 1n) return err('ERR count should be greater than 0');
      count = v > 9007199254740991n ? 9007199254740991 : Number(v);
    } else return E.syntax;
  }
  return { keys: argv.slice(numIdx + 1, whereIdx), head, count: count === -1 ? 1 : count };
}

/** The first non-empty list among the keys, WRONGTYPE for a non-list met before it, or null. */
function firstList(c: Ctx, keys: readonly string[]): [string, List] | Frame | null {
  for (const k of keys) {
    const l = writeList(c, k);
    if (isFrame(l)) return l;
    if (l !== undefined) return [k, l];
  }
  return null;
}

function lmpop(c: Ctx, argv: string[]): Frame {
  const a = parseMpop(argv, 1);
  if (isFrame(a)) return a;
  const f = firstList(c, a.keys);
  if (f === null) return NILARR;
  if (isFrame(f)) return f;
  return popRangeWithKey(c, f[0], f[1], a.head, a.count);
}

/** BLMPOP timeout numkeys key… LEFT|RIGHT [COUNT n]: the timeout is checked after the rest. */
function blmpop(c: Ctx, argv: string[]): Frame {
  const a = parseMpop(argv, 2);
  if (isFrame(a)) return a;
  const ms = timeoutArg(argv[1]!);
  if (isFrame(ms)) return ms;
  const f = firstList(c, a.keys);
  if (isFrame(f)) return f;
  if (f === null) {
    c.block(a.keys, ms);
    return NILARR;
  }
  return popRangeWithKey(c, f[0], f[1], a.head, a.count);
}

/** BLPOP/BRPOP key… timeout: [key, element] from the first non-empty list, logged as LPOP/RPOP key. */
function bpop(c: Ctx, argv: string[], head: boolean): Frame {
  const ms = timeoutArg(argv[argv.length - 1]!);
  if (isFrame(ms)) return ms;
  const keys = argv.slice(1, -1);
  const f = firstList(c, keys);
  if (isFrame(f)) return f;
  if (f === null) {
    c.block(keys, ms);
    return NILARR;
  }
  const [key, l] = f;
  const v = head ? l.popHead(1)[0]! : l.popTail(1)[0]!;
  if (l.len === 0) c.db.del(key);
  c.dirty++;
  c.rewrite([head ? 'LPOP' : 'RPOP', key]);
  return arr([bulk(key), bulk(v)]);
}


export const LIST_MOVE_COMMANDS: CommandSpec[] = [
  listSpec('lmove', lmove),
  listSpec('rpoplpush', rpoplpush),
  listSpec('lmpop', lmpop, { getKeys: (a) => numkeysKeys(a, 1) }),
  listSpec('blpop', (c, a) => bpop(c, a, true)),
  listSpec('brpop', (c, a) => bpop(c, a, false)),
  listSpec('blmove', blmove),
  listSpec('brpoplpush', brpoplpush),
  listSpec('blmpop', blmpop, { getKeys: (a) => numkeysKeys(a, 2) }),
];
