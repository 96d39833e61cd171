// The set family: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SMOVE, and the table entries
// of every set command (SPOP/SRANDMEMBER/SSCAN live in sets-random.ts, the algebra in sets-algebra.ts).
import { ONE, ZERO, arr, int, type Frame } from '../protocol/frame.js';
import { createSetFor } from '../engine/types/set.js';
import { isFrameV, limits, membersReply, readSet, sspec, writeSet } from './sets-common.js';
import { SET_ALGEBRA_COMMANDS } from './sets-algebra.js';
import { SET_RANDOM_COMMANDS } from './sets-random.js';
import type { CommandSpec, Ctx } from './types.js';

function sadd(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const lim = limits(c);
  let s = writeSet(c, key);
  if (isFrameV(s)) return s;
  if (s === undefined) {
    s = createSetFor(argv[2]!, lim);
    c.db.set(key, s);
  }
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i]!, lim)) added++;
  c.dirty += added;
  return int(added);
}

function srem(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const s = writeSet(c, key);
  if (s === undefined) return ZERO;
  if (isFrameV(s)) return s;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.remove(argv[i]!)) {
      deleted++;
      if (s.size === 0) {
        c.db.del(key);
        break;
      }
    }
  }
  c.dirty += deleted;
  return int(deleted);
}

function scard(c: Ctx, argv: string[]): Frame {
  const s = readSet(c, argv[1]!);
  if (s === undefined) return ZERO;
  if (isFrameV(s)) return s;
  return int(s.size);
}

function sismember(c: Ctx, argv: string[]): Frame {
  const s = readSet(c, argv[1]!);
  if (s === undefined) return ZERO;
  if (isFrameV(s)) return s;
  return s.has(argv[2]!) ? ONE : ZERO;
}

function smismember(c: Ctx, argv: string[]): Frame {
  const s = readSet(c, argv[1]!);
  if (isFrameV(s)) return s;
  const out: Frame[] = [];
  for (let i = 2; i < argv.length; i++) out.push(s !== undefined && s.has(argv[i]!) ? ONE : ZERO);
  return arr(out);
}

/** SMEMBERS is SINTER of one key in Redis: the set's own iteration order. */
function smembers(c: Ctx, argv: string[]): Frame {
  const s = readSet(c, argv[1]!);
  if (s === undefined) return membersReply([]);
  if (isFrameV(s)) return s;
  return membersReply(s.members());
}

function smove(c: Ctx, argv: string[]): Frame {
  const [, src, dst, m] = argv as [string, string, string, string];
  const from = writeSet(c, src);
  const to = writeSet(c, dst);
  if (from === undefined) return ZERO;
  if (isFrameV(from)) return from;
  if (isFrameV(to)) return to;
  // The same key: nothing moves, the reply says whether it is a member.
  if (src === dst) return from.has(m) ? ONE : ZERO;
  if (!from.remove(m)) return ZERO;
  if (from.size === 0) c.db.del(src);
  const lim = limits(c);
  let target = to;
  if (target === undefined) {
    target = createSetFor(m, lim);
    c.db.set(dst, target);
  }
  c.dirty++;
  if (target.add(m, lim)) c.dirty++;
  return ONE;
}

export const SET_COMMANDS: CommandSpec[] = [
  sspec('sadd', sadd),
  sspec('srem', srem),
  sspec('scard', scard),
  sspec('sismember', sismember),
  sspec('smismember', smismember),
  sspec('smembers', smembers),
  sspec('smove', smove),
  ...SET_RANDOM_COMMANDS,
  ...SET_ALGEBRA_COMMANDS,
];
