// String commands, part 1: the SET/GET family and its expiry options (SET, GETEX, SETEX…),
// MGET/MSET. Counters, ranges and LCS are in strings-ops.ts; the table lists both.
import { E, NIL, OK, ONE, ZERO, arityErr, bulk, err, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { isFrame } from './args.js';
import { STRING_OP_COMMANDS, readString, strSpec } from './strings-ops.js';
import type { CommandSpec, Ctx } from './types.js';

const LLONG_MAX = 9223372036854775807n;

function get(c: Ctx, argv: string[]): Frame {
  const v = readString(c, argv[1]!);
  if (v === undefined) return NIL;
  return typeof v === 'string' ? bulk(v) : v;
}

// Redis's OBJ_* option flags of parseExtendedStringArgumentsOrReply.
const NX = 1, XX = 2, GET = 4, KEEPTTL = 8, PERSIST = 16, EX = 32, PX = 64, EXAT = 128, PXAT = 256;
const ANY_EXP = EX | PX | EXAT | PXAT;

interface StrOpts {
  flags: number;
  expire: string | null;
}

/**
 * Redis's option parser shared by SET and GETEX. Its quirks are kept on purpose: an expiry
 * option may repeat (the last one wins) but not mix with another kind, NX and XX exclude each
 * other, and SET-only or GETEX-only words are syntax errors in the other command.
 */
function parseStrOpts(argv: string[], forSet: boolean): StrOpts | Frame {
  let flags = 0;
  let expire: string | null = null;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const o = argv[j]!.toUpperCase();
    const hasNext = j < argv.length - 1;
    if (o === 'NX' && forSet && !(flags & XX)) flags |= NX;
    else if (o === 'XX' && forSet && !(flags & NX)) flags |= XX;
    else if (o === 'GET' && forSet) flags |= GET;
    else if (o === 'KEEPTTL' && forSet && !(flags & (PERSIST | ANY_EXP))) flags |= KEEPTTL;
    else if (o === 'PERSIST' && !forSet && !(flags & (ANY_EXP | KEEPTTL))) flags |= PERSIST;
    else if ((o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') && hasNext) {
      const f = o === 'EX' ? EX : o === 'PX' ? PX : o === 'EXAT' ? EXAT : PXAT;
      if (flags & (KEEPTTL | PERSIST | (ANY_EXP & ~f))) return E.syntax;
      flags |= f;
      expire = argv[++j]!;
    } else return E.syntax;
  }
  return { flags, expire };
}

function invalidExpire(cmd: string): Frame {
  return err(`ERR invalid expire time in '${cmd}' command`);
}

/**
 * Redis's getExpireMillisecondsOrReply: the absolute deadline in ms, in int64 arithmetic
 * (bigint, so values past 2^53 and the overflow checks behave as in C).
 */
function expireAtMs(c: Ctx, raw: string, flags: number, cmd: string): bigint | Frame {
  const n = parseI64(raw);
  if (n === null) return E.notInt;
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (n <= 0n || (seconds && n > LLONG_MAX / 1000n)) return invalidExpire(cmd);
  let ms = seconds ? n * 1000n : n;
  if (flags & (EX | PX)) ms += BigInt(c.now);
  // C's signed addition wraps past LLONG_MAX into a negative number: Redis reports it as invalid.
  if (ms > LLONG_MAX || ms <= 0n) return invalidExpire(cmd);
  return ms;
}

/** setGenericCommand: the SET core shared with SETNX, SETEX and PSETEX. */
function setGeneric(c: Ctx, argv: string[], cmd: string, flags: number, key: string, val: string, expire: string | null, okReply: Frame, abortReply: Frame): Frame {
  let at: bigint | null = null;
  if (expire !== null) {
    const r = expireAtMs(c, expire, flags, cmd);
    if (isFrame(r)) return r;
    at = r;
  }
  let reply: Frame | null = null;
  if (flags & GET) {
    const old = readString(c, key);
    if (isFrame(old)) return old;
    reply = old === undefined ? NIL : bulk(old);
  }
  const found = c.db.exists(key);
  if ((flags & NX && found) || (flags & XX && !found)) return reply ?? abortReply;
  c.db.set(key, val, (flags & KEEPTTL) !== 0);
  c.dirty++;
  if (at !== null) {
    c.db.setExpire(key, Number(at));
    // Every form (EX, PX, EXAT, SETEX…) is propagated as an absolute PXAT, as Redis does.
    c.rewrite(['SET', key, val, 'PXAT', at.toString()]);
  } else if (flags & GET) {
    // GET is a read: Redis propagates the SET without it.
    c.rewrite(argv.filter((a, j) => j < 3 || a.toUpperCase() !== 'GET'));
  }
  return reply ?? okReply;
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
function set(c: Ctx, argv: string[]): Frame {
  const o = parseStrOpts(argv, true);
  if (isFrame(o)) return o;
  return setGeneric(c, argv, 'set', o.flags, argv[1]!, argv[2]!, o.expire, OK, NIL);
}

function setnx(c: Ctx, argv: string[]): Frame {
  return setGeneric(c, argv, 'setnx', NX, argv[1]!, argv[2]!, null, ONE, ZERO);
}

function setex(c: Ctx, argv: string[]): Frame {
  return setGeneric(c, argv, 'setex', EX, argv[1]!, argv[3]!, argv[2]!, OK, NIL);
}

function psetex(c: Ctx, argv: string[]): Frame {
  return setGeneric(c, argv, 'psetex', PX, argv[1]!, argv[3]!, argv[2]!, OK, NIL);
}

/** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] */
function getex(c: Ctx, argv: string[]): Frame {
  const o = parseStrOpts(argv, false);
  if (isFrame(o)) return o;
  const key = argv[1]!;
  const v = readString(c, key);
  if (v === undefined) return NIL;
  if (isFrame(v)) return v;
  // The expiry is validated only once the key is known to hold a string, as in Redis.
  let at: bigint | null = null;
  if (o.expire !== null) {
    const r = expireAtMs(c, o.expire, o.flags, 'getex');
    if (isFrame(r)) return r;
    at = r;
  }
  if (at !== null && o.flags & (EXAT | PXAT) && at <= BigInt(c.now) && !c.db.loading) {
    // An absolute deadline already past deletes the key (after reading it), logged as DEL.
    c.db.del(key);
    c.rewrite(['DEL', key]);
    c.dirty++;
  } else if (at !== null) {
    c.db.setExpire(key, Number(at));
    c.rewrite(['PEXPIREAT', key, at.toString()]);
    c.dirty++;
  } else if (o.flags & PERSIST) {
    if (c.db.persist(key)) {
      c.rewrite(['PERSIST', key]);
      c.dirty++;
    }
  }
  return bulk(v);
}

function getdel(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const v = readString(c, key);
  if (v === undefined) return NIL;
  if (isFrame(v)) return v;
  c.db.del(key);
  c.rewrite(['DEL', key]);
  c.dirty++;
  return bulk(v);
}

function getset(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const v = readString(c, key);
  if (isFrame(v)) return v;
  c.db.set(key, argv[2]!);
  c.rewrite(['SET', key, argv[2]!]);
  c.dirty++;
  return v === undefined ? NIL : bulk(v);
}

/** MGET: a missing key and a key of another type both answer nil. */
function mget(c: Ctx, argv: string[]): Frame {
  const out: Frame[] = new Array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = c.db.read(argv[j]!);
    out[j - 1] = typeof v === 'string' ? bulk(v) : NIL;
  }
  return { t: 'arr', v: out };
}

function msetGeneric(c: Ctx, argv: string[], nx: boolean): Frame {
  if (argv.length % 2 === 0) return arityErr(nx ? 'msetnx' : 'mset');
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (c.db.exists(argv[j]!)) return ZERO;
  }
  for (let j = 1; j < argv.length; j += 2) c.db.set(argv[j]!, argv[j + 1]!);
  c.dirty += (argv.length - 1) / 2;
  return nx ? ONE : OK;
}

const mset = (c: Ctx, argv: string[]) => msetGeneric(c, argv, false);
const msetnx = (c: Ctx, argv: string[]) => msetGeneric(c, argv, true);




export const STRING_COMMANDS: CommandSpec[] = [
  strSpec('get', get),
  strSpec('set', set),
  strSpec('setnx', setnx),
  strSpec('setex', setex),
  strSpec('psetex', psetex),
  strSpec('getex', getex),
  strSpec('getdel', getdel),
  strSpec('getset', getset),
  strSpec('mget', mget, { route: 'split', combine: 'mget' }),
  strSpec('mset', mset),
  strSpec('msetnx', msetnx),
  ...STRING_OP_COMMANDS,
];
