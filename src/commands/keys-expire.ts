// Key expiry commands: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (NX XX GT LT), TTL/PTTL,
// EXPIRETIME/PEXPIRETIME and PERSIST, propagated as Redis 7.0 does (PEXPIREAT, or DEL).
import { E, ONE, ZERO, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def } from './spec-data.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

const NX = 1, XX = 2, GT = 4, LT = 8;

/** Redis's addReplyErrorFormat: the text stops at a NUL (C string); newlines become spaces later. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** Redis's parseExtendedExpireArgumentsOrReply. */
function expireFlags(argv: string[]): number | Frame {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    if (o === 'nx') flags |= NX;
    else if (o === 'xx') flags |= XX;
    else if (o === 'gt') flags |= GT;
    else if (o === 'lt') flags |= LT;
    else return err(`ERR Unsupported option ${cstr(argv[j]!)}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    return err('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & GT && flags & LT) return err('ERR GT and LT options at the same time are not compatible');
  return flags;
}

/** Redis's expireGenericCommand: `relative` adds the command time, `seconds` scales by 1000. */
function expireGeneric(c: Ctx, argv: string[], relative: boolean, seconds: boolean): Frame {
  const key = argv[1]!;
  const flags = expireFlags(argv);
  if (typeof flags !== 'number') return flags;
  let when = parseI64(argv[2]!);
  if (when === null) return E.notInt;
  const invalid = err(`ERR invalid expire time in '${argv[0]!.toLowerCase()}' command`);
  if (seconds) {
    // C's division truncates toward zero, as BigInt's does.
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return invalid;
    when *= 1000n;
  }
  const base = relative ? BigInt(c.now) : 0n;
  if (when > LLONG_MAX - base) return invalid;
  when += base;

  if (c.db.get(key) === undefined) return ZERO;
  if (flags) {
    const cur = c.db.getExpire(key);
    if (flags & NX && cur !== -1) return ZERO;
    if (flags & XX && cur === -1) return ZERO;
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags & GT && (cur === -1 || when <= BigInt(cur))) return ZERO;
    if (flags & LT && cur !== -1 && when >= BigInt(cur)) return ZERO;
  }
  c.dirty++;
  if (when <= BigInt(c.now) && !c.db.loading) {
    // A deadline already past deletes the key, and replicas/AOF see a DEL.
    c.db.del(key);
    c.rewrite(['DEL', key]);
    return ONE;
  }
  c.db.setExpire(key, Number(when));
  if (relative || seconds) c.rewrite(['PEXPIREAT', key, String(when), ...argv.slice(3)]);
  return ONE;
}

const expire = (c: Ctx, argv: string[]) => expireGeneric(c, argv, true, true);
const pexpire = (c: Ctx, argv: string[]) => expireGeneric(c, argv, true, false);
const expireat = (c: Ctx, argv: string[]) => expireGeneric(c, argv, false, true);
const pexpireat = (c: Ctx, argv: string[]) => expireGeneric(c, argv, false, false);

/** Redis's ttlGenericCommand: -2 missing, -1 no TTL; seconds are rounded to nearest. */
function ttlGeneric(c: Ctx, argv: string[], ms: boolean, abs: boolean): Frame {
  const key = argv[1]!;
  if (c.db.read(key, false) === undefined) return int(-2);
  const at = c.db.getExpire(key);
  if (at === -1) return int(-1);
  let t = abs ? at : at - c.now;
  if (t < 0) t = 0;
  return int(ms ? t : Math.trunc((t + 500) / 1000));
}

const ttl = (c: Ctx, argv: string[]) => ttlGeneric(c, argv, false, false);
const pttl = (c: Ctx, argv: string[]) => ttlGeneric(c, argv, true, false);
const expiretime = (c: Ctx, argv: string[]) => ttlGeneric(c, argv, false, true);
const pexpiretime = (c: Ctx, argv: string[]) => ttlGeneric(c, argv, true, true);

function persist(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  if (c.db.get(key) === undefined || !c.db.persist(key)) return ZERO;
  c.dirty++;
  return ONE;
}

const setter = (name: string, run: Handler): CommandSpec => def(name, { run });
const getter = (name: string, run: Handler): CommandSpec => def(name, { run });

export const KEY_EXPIRE_COMMANDS: CommandSpec[] = [
  setter('expire', expire),
  setter('pexpire', pexpire),
  setter('expireat', expireat),
  setter('pexpireat', pexpireat),
  getter('ttl', ttl),
  getter('pttl', pttl),
  getter('expiretime', expiretime),
  getter('pexpiretime', pexpiretime),
  def('persist', { run: persist }),
];
