// List commands, part 1: push/pop, ranges, indexes, LINSERT/LREM/LTRIM/LPOS. The moving and
// blocking commands (LMOVE, LMPOP, BLPOP…) are in lists-move.ts; the table lists both.
import { E, EMPTY_ARR, NIL, NILARR, OK, ZERO, arityErr, bulk, bulks, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { isFrame } from './args.js';
import { dropIfEmpty, listSpec, longArg, newList, readList, writeList } from './lists-core.js';
import { LIST_MOVE_COMMANDS } from './lists-move.js';
import type { CommandSpec, Ctx } from './types.js';

/** LPUSH/RPUSH/LPUSHX/RPUSHX. */
function push(c: Ctx, argv: string[], head: boolean, onlyIfExists: boolean): Frame {
  const key = argv[1]!;
  let l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) {
    if (onlyIfExists) return ZERO;
    l = newList(c);
    c.db.set(key, l);
  }
  const items = argv.slice(2);
  if (head) l.pushHead(items);
  else l.pushTail(items);
  c.dirty += items.length;
  return int(l.len);
}

/** LPOP/RPOP key [count]: nil (or a null array with a count) when missing. */
function pop(c: Ctx, argv: string[], head: boolean): Frame {
  if (argv.length > 3) return arityErr(head ? 'lpop' : 'rpop');
  let count = -1;
  if (argv.length === 3) {
    const v = parseI64(argv[2]!);
    if (v === null || v < 0n) return err('ERR value is out of range, must be positive');
    count = v > 9007199254740991n ? 9007199254740991 : Number(v);
  }
  const key = argv[1]!;
  const l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) return count >= 0 ? NILARR : NIL;
  if (count === 0) return EMPTY_ARR;
  const n = count < 0 ? 1 : count;
  const vals = head ? l.popHead(n) : l.popTail(n);
  c.dirty += vals.length;
  dropIfEmpty(c, key, l);
  return count < 0 ? bulk(vals[0]!) : bulks(vals);
}

function llen(c: Ctx, argv: string[]): Frame {
  const l = readList(c, argv[1]!);
  if (isFrame(l)) return l;
  return int(l === undefined ? 0 : l.len);
}

/** Redis's start/end normalisation for LRANGE/LTRIM: null when the range is empty. */
function normRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

function lrange(c: Ctx, argv: string[]): Frame {
  const start = longArg(argv[2]!);
  if (isFrame(start)) return start;
  const end = longArg(argv[3]!);
  if (isFrame(end)) return end;
  const l = readList(c, argv[1]!);
  if (isFrame(l)) return l;
  if (l === undefined) return EMPTY_ARR;
  const r = normRange(start, end, l.len);
  if (r === null) return EMPTY_ARR;
  return bulks(l.range(r[0], r[1]));
}

function lindex(c: Ctx, argv: string[]): Frame {
  const l = readList(c, argv[1]!);
  if (isFrame(l)) return l;
  if (l === undefined) return NIL;
  let i = longArg(argv[2]!);
  if (isFrame(i)) return i;
  if (i < 0) i += l.len;
  if (i < 0 || i >= l.len) return NIL;
  return bulk(l.get(i));
}

function lset(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) return E.noKey;
  let i = longArg(argv[2]!);
  if (isFrame(i)) return i;
  if (i < 0) i += l.len;
  if (i < 0 || i >= l.len) return E.outOfRange;
  l.set(i, argv[3]!);
  c.dirty++;
  return OK;
}

/** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
function linsert(c: Ctx, argv: string[]): Frame {
  const where = argv[2]!.toLowerCase();
  if (where !== 'before' && where !== 'after') return E.syntax;
  const key = argv[1]!;
  const l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) return ZERO;
  const pivot = argv[3]!;
  let at = -1;
  l.scan(true, (v, i) => {
    if (v !== pivot) return false;
    at = i;
    return true;
  });
  if (at < 0) return int(-1);
  l.insert(where === 'after' ? at + 1 : at, argv[4]!);
  c.dirty++;
  return int(l.len);
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
function lrem(c: Ctx, argv: string[]): Frame {
  const count = longArg(argv[2]!);
  if (isFrame(count)) return count;
  const key = argv[1]!;
  const l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) return ZERO;
  const removed = l.remove(argv[3]!, Math.abs(count), count >= 0);
  if (removed) {
    c.dirty += removed;
    dropIfEmpty(c, key, l);
  }
  return int(removed);
}

function ltrim(c: Ctx, argv: string[]): Frame {
  const start = longArg(argv[2]!);
  if (isFrame(start)) return start;
  const end = longArg(argv[3]!);
  if (isFrame(end)) return end;
  const key = argv[1]!;
  const l = writeList(c, key);
  if (isFrame(l)) return l;
  if (l === undefined) return OK;
  const len = l.len;
  const r = normRange(start, end, len);
  const left = r === null ? len : r[0];
  const right = r === null ? 0 : len - r[1] - 1;
  l.trim(left, right);
  c.dirty += left + right;
  dropIfEmpty(c, key, l);
  return OK;
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const LONG_MIN = -9223372036854775808n;

/** LPOS key element [RANK rank] [COUNT num] [MAXLEN len]. */
function lpos(c: Ctx, argv: string[]): Frame {
  let rank = 1;
  let rankMin = false; // RANK LONG_MIN: -rank overflows in C, and every match then qualifies
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toUpperCase();
    const more = j < argv.length - 1;
    if (opt === 'RANK' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null) return E.notInt;
      if (v === 0n) return err(RANK_ZERO);
      rankMin = v === LONG_MIN;
      rank = rankMin ? -1 : v > 9007199254740991n ? 9007199254740991 : v < -9007199254740991n ? -9007199254740991 : Number(v);
    } else if (opt === 'COUNT' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null || v < 0n) return err("ERR COUNT can't be negative");
      count = v > 9007199254740991n ? 9007199254740991 : Number(v);
    } else if (opt === 'MAXLEN' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null || v < 0n) return err("ERR MAXLEN can't be negative");
      maxlen = v > 9007199254740991n ? 9007199254740991 : Number(v);
    } else return E.syntax;
  }
  const l = readList(c, argv[1]!);
  if (isFrame(l)) return l;
  if (l === undefined) return count >= 0 ? EMPTY_ARR : NIL;
  const el = argv[2]!;
  const fromHead = rank > 0;
  const need = rankMin ? 1 : Math.abs(rank);
  const out: Frame[] = [];
  let matches = 0;
  let steps = 0;
  let found = -1;
  l.scan(fromHead, (v, i) => {
    if (maxlen !== 0 && steps >= maxlen) return true;
    steps++;
    if (v !== el) return false;
    matches++;
    if (matches < need) return false;
    if (count < 0) {
      found = i;
      return true;
    }
    out.push(int(i));
    return count !== 0 && !rankMin && matches - need + 1 >= count;
  });
  if (count >= 0) return { t: 'arr', v: out };
  return found < 0 ? NIL : int(found);
}


const BASIC: CommandSpec[] = [
  listSpec('lpush', (c, a) => push(c, a, true, false)),
  listSpec('rpush', (c, a) => push(c, a, false, false)),
  listSpec('lpushx', (c, a) => push(c, a, true, true)),
  listSpec('rpushx', (c, a) => push(c, a, false, true)),
  listSpec('lpop', (c, a) => pop(c, a, true)),
  listSpec('rpop', (c, a) => pop(c, a, false)),
  listSpec('llen', llen),
  listSpec('lrange', lrange),
  listSpec('lindex', lindex),
  listSpec('lset', lset),
  listSpec('linsert', linsert),
  listSpec('lrem', lrem),
  listSpec('ltrim', ltrim),
  listSpec('lpos', lpos),
];

export const LIST_COMMANDS: CommandSpec[] = [...BASIC, ...LIST_MOVE_COMMANDS];
