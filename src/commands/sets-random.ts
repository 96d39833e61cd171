// SPOP, SRANDMEMBER and SSCAN: the set commands whose output is random or resumable.
// SPOP is logged as its effect, as Redis 7.0 propagates it: one SREM per popped member (Redis
// wraps them in MULTI/EXEC; here they are one command's effects), or DEL when the whole set goes.
import { E, EMPTY_ARR, NIL, arr, bulk, bulks, err, type Frame } from '../protocol/frame.js';
import { isFrame, scanArgs } from './args.js';
import { parseI64 } from '../protocol/numfmt.js';
import { parseCursor } from '../engine/scan.js';
import { HASHTABLE, RSet, createSetFor, setFrom } from '../engine/types/set.js';
import { isFrameV, limits, membersReply, readSet, sspec, writeSet } from './sets-common.js';
import type { CommandSpec, Ctx } from './types.js';

/** Redis's SPOP_MOVE_STRATEGY_MUL and SRANDMEMBER_SUB_STRATEGY_MUL. */
const SPOP_MOVE_MUL = 5;
const SRANDMEMBER_SUB_MUL = 3;
/**
 * Largest reply a negative SRANDMEMBER count may ask for. Redis 7.0 tries to build any size (and
 * is killed or disconnects the client for SRANDMEMBER k -9223372036854775807); a shard has 128 MB,
 * so larger requests are refused with an out-of-range error instead.
 */
export const MAX_RANDOM_REPLY = 1 << 20;

const positiveErr = err('ERR value is out of range, must be positive');

function spop(c: Ctx, argv: string[]): Frame {
  if (argv.length > 3) return E.syntax;
  if (argv.length === 3) return spopCount(c, argv);
  const key = argv[1]!;
  const s = writeSet(c, key);
  if (s === undefined) return NIL;
  if (isFrameV(s)) return s;
  const m = s.random(c.rng);
  s.remove(m);
  if (s.size === 0) c.db.del(key);
  c.rewrite(['SREM', key, m]);
  c.dirty++;
  return bulk(m);
}

function spopCount(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const n = parseI64(argv[2]!);
  if (n === null || n < 0n) return positiveErr;
  const s = writeSet(c, key);
  if (s === undefined) return membersReply([]);
  if (isFrameV(s)) return s;
  if (n === 0n) return membersReply([]);
  const size = s.size;
  const lim = limits(c);
  if (n >= BigInt(size)) {
    // The whole set, in the order of a union built from it (sorted for integers, as Redis).
    const out = setFrom(s.members(), lim).members();
    c.db.del(key);
    c.rewrite(['DEL', key]);
    c.dirty += size + 1;
    return membersReply(out);
  }
  const count = Number(n);
  const remaining = size - count;
  const popped: string[] = [];
  if (remaining * SPOP_MOVE_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = s.random(c.rng);
      s.remove(m);
      popped.push(m);
    }
  } else if (s.enc === HASHTABLE) {
    // Keep `remaining` random members in a new set (which may take a smaller encoding, as in
    // Redis), and return what is left of the old one.
    let next: RSet | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = s.random(c.rng);
      next ??= createSetFor(m, lim);
      next.add(m, lim);
      s.remove(m);
    }
    for (const m of s.members()) popped.push(m); // no spread: the set may hold millions
    c.db.update(key, next!);
  } else {
    // A packed set: choose the survivors and drop the rest in place.
    const ms = s.members();
    shuffleHead(ms, remaining, c);
    for (let i = remaining; i < ms.length; i++) {
      s.remove(ms[i]!);
      popped.push(ms[i]!);
    }
  }
  c.rewrite(['SREM', key, popped[0]!]);
  for (let i = 1; i < popped.length; i++) c.propagate(['SREM', key, popped[i]!]);
  c.dirty += count + 1;
  return membersReply(popped);
}

/** Partial Fisher–Yates: the first k entries become a uniform random k-subset. */
function shuffleHead(a: string[], k: number, c: Ctx): void {
  for (let i = 0; i < k; i++) {
    const j = i + c.rng.int(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function srandmember(c: Ctx, argv: string[]): Frame {
  if (argv.length > 3) return E.syntax;
  const key = argv[1]!;
  if (argv.length === 2) {
    const s = readSet(c, key);
    if (s === undefined) return NIL;
    if (isFrameV(s)) return s;
    return bulk(s.random(c.rng));
  }
  const n = parseI64(argv[2]!);
  if (n === null) return E.notInt;
  if (n === -9223372036854775808n) {
    return err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  if (n < -BigInt(MAX_RANDOM_REPLY)) return err('ERR value is out of range');
  const s = readSet(c, key);
  if (s === undefined) return EMPTY_ARR;
  if (isFrameV(s)) return s;
  if (n === 0n) return EMPTY_ARR;
  if (n < 0n) {
    // With repetitions: independent draws.
    const count = Number(-n);
    const out = new Array<Frame>(count);
    if (s.enc === HASHTABLE) for (let i = 0; i < count; i++) out[i] = bulk(s.random(c.rng));
    else {
      const ms = s.members();
      for (let i = 0; i < count; i++) out[i] = bulk(ms[c.rng.int(ms.length)]!);
    }
    return arr(out);
  }
  const size = s.size;
  if (n >= BigInt(size)) return bulks(setFrom(s.members(), limits(c)).members());
  const count = Number(n);
  if (count * SRANDMEMBER_SUB_MUL > size || s.enc !== HASHTABLE) {
    const ms = s.members();
    shuffleHead(ms, count, c);
    ms.length = count;
    return bulks(ms);
  }
  // A big set and a small count: draw until `count` distinct members.
  const picked = new Set<string>();
  while (picked.size < count) picked.add(s.random(c.rng));
  return bulks([...picked]);
}

// SSCAN over a hashtable resumes a live Set iterator (it survives deletions and sees additions,
// so a member present for the whole scan is never missed), kept in the keyspace's cursor cache
// (engine/scan.ts). A cursor it no longer holds restarts the walk: duplicates are allowed by
// SCAN's contract, misses are not.

function sscan(c: Ctx, argv: string[]): Frame {
  const cursor = parseCursor(argv[2]!);
  if (cursor === null) return err('ERR invalid cursor');
  const s = readSet(c, argv[1]!);
  if (s === undefined) return arr([bulk('0'), arr([])]);
  if (isFrameV(s)) return s;
  const opts = scanArgs(argv, 3);
  if (isFrame(opts)) return opts;
  const { count, match } = opts;
  const out: Frame[] = [];
  if (s.enc !== HASHTABLE) {
    // A packed set is returned whole in one call with cursor 0, as Redis does for intset/listpack.
    for (const m of s.members()) if (match === null || match(m)) out.push(bulk(m));
    return arr([bulk('0'), arr(out)]);
  }
  const d = s.data as Set<string>;
  const walk = c.db.cursors.take<string>(cursor, d) ?? d.values();
  for (let visited = 0; visited < count; visited++) {
    const r = walk.next();
    if (r.done) return arr([bulk('0'), arr(out)]);
    if (match === null || match(r.value)) out.push(bulk(r.value));
  }
  return arr([bulk(String(c.db.cursors.put(d, walk, c.rng))), arr(out)]);
}

export const SET_RANDOM_COMMANDS: CommandSpec[] = [
  sspec('spop', spop),
  sspec('srandmember', srandmember),
  sspec('sscan', sscan),
];
