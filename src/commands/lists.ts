// List commands, part 1: push/pop, ranges, indexes, LINSERT/LREM/LTRIM/LPOS. The moving and
// blocking commands (LMOVE, LMPOP, BLPOP…) are in lists-move.ts; the table lists both.
import { E, EMPTY_ARR, NIL, NILARR, OK, ZERO, arityErr, bulk, bulks, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { isFrame } from './args.js';
import { dropIfEmpty, ks1, listSpec, longArg, newList, readList, writeList } from './lists-core.js';
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

/** COMMAND DOCS facts: summary and first version, as Redis 7.0 states them. */
const DOCS: Record<string, [string, string]> = {
  lpush: ['Prepend one or multiple elements to a list', '1.0.0'],
  rpush: ['Append one or multiple elements to a list', '1.0.0'],
  lpushx: ['Prepend an element to a list, only if the list exists', '2.2.0'],
  rpushx: ['Append an element to a list, only if the list exists', '2.2.0'],
  lpop: ['Remove and get the first elements in a list', '1.0.0'],
  rpop: ['Remove and get the last elements in a list', '1.0.0'],
  llen: ['Get the length of a list', '1.0.0'],
  lrange: ['Get a range of elements from a list', '1.0.0'],
  lindex: ['Get an element from a list by its index', '1.0.0'],
  lset: ['Set the value of an element in a list by its index', '1.0.0'],
  linsert: ['Insert an element before or after another element in a list', '2.2.0'],
  lrem: ['Remove elements from a list', '1.0.0'],
  ltrim: ['Trim a list to the specified range', '1.0.0'],
  lpos: ['Return the index of matching elements on a list', '6.0.6'],
};

const BASIC: CommandSpec[] = [
  listSpec('lpush', -3, 'write denyoom fast', 'write list fast', [1, 1, 1], (c, a) => push(c, a, true, false), [ks1('RW insert')]),
  listSpec('rpush', -3, 'write denyoom fast', 'write list fast', [1, 1, 1], (c, a) => push(c, a, false, false), [ks1('RW insert')]),
  listSpec('lpushx', -3, 'write denyoom fast', 'write list fast', [1, 1, 1], (c, a) => push(c, a, true, true), [ks1('RW insert')]),
  listSpec('rpushx', -3, 'write denyoom fast', 'write list fast', [1, 1, 1], (c, a) => push(c, a, false, true), [ks1('RW insert')]),
  listSpec('lpop', -2, 'write fast', 'write list fast', [1, 1, 1], (c, a) => pop(c, a, true), [ks1('RW access delete')]),
  listSpec('rpop', -2, 'write fast', 'write list fast', [1, 1, 1], (c, a) => pop(c, a, false), [ks1('RW access delete')]),
  listSpec('llen', 2, 'readonly fast', 'read list fast', [1, 1, 1], llen, [ks1('RO')]),
  listSpec('lrange', 4, 'readonly', 'read list slow', [1, 1, 1], lrange, [ks1('RO access')]),
  listSpec('lindex', 3, 'readonly', 'read list slow', [1, 1, 1], lindex, [ks1('RO access')]),
  listSpec('lset', 4, 'write denyoom', 'write list slow', [1, 1, 1], lset, [ks1('RW update')]),
  listSpec('linsert', 5, 'write denyoom', 'write list slow', [1, 1, 1], linsert, [ks1('RW insert')]),
  listSpec('lrem', 4, 'write', 'write list slow', [1, 1, 1], lrem, [ks1('RW delete')]),
  listSpec('ltrim', 4, 'write', 'write list slow', [1, 1, 1], ltrim, [ks1('RW delete')]),
  listSpec('lpos', -3, 'readonly', 'read list slow', [1, 1, 1], lpos, [ks1('RO access')]),
].map((sp) => ({ ...sp, summary: DOCS[sp.name]![0], since: DOCS[sp.name]![1] }));

export const LIST_COMMANDS: CommandSpec[] = [...BASIC, ...LIST_MOVE_COMMANDS];
