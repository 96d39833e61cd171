// Hash field expiry past Redis 7.0, as Redis 7.4/8.0 document it: HEXPIRE/HPEXPIRE/HEXPIREAT/
// HPEXPIREAT, HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME, HPERSIST, HGETDEL, HGETEX, HSETEX. Relative
// deadlines are logged as absolute HPEXPIREAT and fields deleted by a past deadline as HDEL.
import { E, NIL, ONE, ZERO, arityErr, arr, bulkOrNil, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import {
  fieldTtl, hashDel, hashGet, hashHas, hashSet, markFieldTtls, persistField, setFieldTtl, type HashObj,
} from '../engine/types/hash.js';
import { isFrame } from './args.js';
import { dropIfEmpty, hspec, limits, readHash, writeHash, writeOrCreate } from './hashes-common.js';
import type { CommandSpec, Ctx } from './types.js';

/** Redis's HFE_MAX_ABS_TIME_MSEC: (2^48 - 1) >> 2, the latest deadline a field may have. */
const MAX_ABS_MS = 70368744177663;
const NO_FIELD = int(-2);
const NO_TTL = int(-1);

const invalidExpire = (cmd: string): Frame => err(`ERR invalid expire time in '${cmd}' command`);

/** A deadline argument as absolute ms, checked as Redis checks it (negative, overflow). */
function deadline(c: Ctx, raw: string, seconds: boolean, relative: boolean, cmd: string): number | Frame {
  const v = parseI64(raw);
  if (v === null) return E.notInt;
  if (v < 0n) return err('ERR invalid expire time, must be >= 0');
  let ms = v;
  if (seconds) {
    if (ms > BigInt(Math.floor(MAX_ABS_MS / 1000))) return invalidExpire(cmd);
    ms *= 1000n;
  }
  const base = relative ? c.now : 0;
  if (ms > BigInt(MAX_ABS_MS - base)) return invalidExpire(cmd);
  return Number(ms) + base;
}

/** `FIELDS numfields field…` at argv[at] to the end (the HEXPIRE/HTTL/HPERSIST/HGETDEL form). */
function fieldList(argv: string[], at: number): string[] | Frame {
  if (argv[at]?.toLowerCase() !== 'fields') return err('ERR Mandatory argument FIELDS is missing or not at the right position');
  const n = argv[at + 1] === undefined ? null : parseI64(argv[at + 1]!);
  if (n === null || n < 1n) return err('ERR Number of fields must be a positive integer');
  if (n !== BigInt(argv.length - at - 2)) return err('ERR The `numfields` parameter must match the number of arguments');
  return argv.slice(at + 2);
}

const allNoField = (n: number): Frame => arr(new Array<Frame>(n).fill(NO_FIELD));

/** Whether a deadline is already due when set (checkAlreadyExpired); never while replaying. */
const alreadyDue = (c: Ctx, at: number): boolean => at <= c.now && !c.db.loading;

/** Log the outcome of setting deadlines: HDEL for deleted fields, HPEXPIREAT for updated ones. */
function logDeadlines(c: Ctx, key: string, at: number, updated: string[], deleted: string[]): void {
  const effects: string[][] = [];
  if (deleted.length) effects.push(['HDEL', key, ...deleted]);
  if (updated.length) effects.push(['HPEXPIREAT', key, String(at), 'FIELDS', String(updated.length), ...updated]);
  if (effects.length === 0) return;
  c.dirty += updated.length + deleted.length;
  c.rewrite(effects[0]!);
  for (const e of effects.slice(1)) c.propagate(e);
}

const NX = 1, XX = 2, GT = 3, LT = 4;

function hexpireGeneric(c: Ctx, argv: string[], seconds: boolean, relative: boolean): Frame {
  const cmd = argv[0]!.toLowerCase();
  const key = argv[1]!;
  const h = writeHash(c, key);
  if (isFrame(h)) return h;
  const at = deadline(c, argv[2]!, seconds, relative, cmd);
  if (isFrame(at)) return at;
  let pos = 3;
  const o = argv[3]!.toLowerCase();
  const cond = o === 'nx' ? NX : o === 'xx' ? XX : o === 'gt' ? GT : o === 'lt' ? LT : 0;
  if (cond) pos++;
  const fields = fieldList(argv, pos);
  if (isFrame(fields)) return fields;
  if (h === undefined) return allNoField(fields.length);
  markFieldTtls(h);
  const out: Frame[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];
  for (const f of fields) {
    if (!hashHas(h, f)) {
      out.push(NO_FIELD);
      continue;
    }
    const prev = fieldTtl(h, f);
    // A field without a deadline counts as an infinite one for GT and LT.
    const unmet = prev === undefined
      ? cond === XX || cond === GT
      : cond === NX || (cond === GT && prev >= at) || (cond === LT && prev <= at);
    if (unmet) {
      out.push(ZERO);
      continue;
    }
    if (alreadyDue(c, at)) {
      hashDel(h, f);
      deleted.push(f);
      out.push(int(2));
      continue;
    }
    setFieldTtl(c.db, key, h, f, at);
    updated.push(f);
    out.push(ONE);
  }
  dropIfEmpty(c, key, h);
  logDeadlines(c, key, at, updated, deleted);
  return arr(out);
}

function httlGeneric(c: Ctx, argv: string[], seconds: boolean, absolute: boolean): Frame {
  const h = readHash(c, argv[1]!);
  if (isFrame(h)) return h;
  const fields = fieldList(argv, 2);
  if (isFrame(fields)) return fields;
  if (h === undefined) return allNoField(fields.length);
  const base = absolute ? 0 : c.now;
  return arr(fields.map((f) => {
    if (!hashHas(h, f)) return NO_FIELD;
    const at = fieldTtl(h, f);
    if (at === undefined) return NO_TTL;
    if (at < c.now) return NO_FIELD;
    return int(seconds ? Math.floor((at + 999 - base) / 1000) : at - base);
  }));
}

function hpersist(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const h = writeHash(c, key);
  if (isFrame(h)) return h;
  const fields = fieldList(argv, 2);
  if (isFrame(fields)) return fields;
  if (h === undefined) return allNoField(fields.length);
  return arr(fields.map((f) => {
    if (!hashHas(h, f)) return NO_FIELD;
    if (!persistField(h, f)) return NO_TTL;
    c.dirty++;
    return ONE;
  }));
}

function hgetdel(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const h = writeHash(c, key);
  if (isFrame(h)) return h;
  const fields = fieldList(argv, 2);
  if (isFrame(fields)) return fields;
  if (h === undefined) return arr(fields.map(() => NIL));
  const deleted: string[] = [];
  const out = fields.map((f) => {
    const v = hashGet(h, f);
    if (v !== undefined && hashDel(h, f)) deleted.push(f);
    return bulkOrNil(v);
  });
  dropIfEmpty(c, key, h);
  if (deleted.length) {
    c.dirty += deleted.length;
    c.rewrite(['HDEL', key, ...deleted]);
  }
  return arr(out);
}

interface ExOpts {
  /** 0 none; 'persist' / 'keepttl'; or an absolute deadline. */
  at: number | null;
  persist: boolean;
  keepTtl: boolean;
  fnx: boolean;
  fxx: boolean;
  /** Index of the first field. */
  first: number;
  count: number;
}

/** The option parser of HGETEX (pairs = false) and HSETEX (pairs = true). */
function parseEx(c: Ctx, argv: string[], pairs: boolean): ExOpts | Frame {
  const cmd = pairs ? 'hsetex' : 'hgetex';
  const oneOf = err(`ERR Only one of EX, PX, EXAT, PXAT or ${pairs ? 'KEEPTTL' : 'PERSIST'} arguments can be specified`);
  const o: ExOpts = { at: null, persist: false, keepTtl: false, fnx: false, fxx: false, first: 0, count: 0 };
  let ttlSet = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'fields') {
      const n = argv[i + 1] === undefined ? null : parseI64(argv[i + 1]!);
      if (n === null || n < 1n) return err('ERR invalid number of fields');
      const left = argv.length - i - 2;
      if (n * (pairs ? 2n : 1n) !== BigInt(left)) return arityErr(cmd);
      o.first = i + 2;
      o.count = Number(n);
      return o;
    }
    if (a === 'ex' || a === 'px' || a === 'exat' || a === 'pxat') {
      if (ttlSet) return oneOf;
      if (i + 1 >= argv.length) return E.syntax;
      const at = deadline(c, argv[++i]!, a === 'ex' || a === 'exat', a === 'ex' || a === 'px', cmd);
      if (isFrame(at)) return at;
      o.at = at;
      ttlSet = true;
    } else if ((a === 'persist' && !pairs) || (a === 'keepttl' && pairs)) {
      if (ttlSet) return oneOf;
      if (pairs) o.keepTtl = true;
      else o.persist = true;
      ttlSet = true;
    } else if ((a === 'fnx' || a === 'fxx') && pairs) {
      if (o.fnx || o.fxx) return err('ERR Only one of FXX or FNX arguments can be specified');
      if (a === 'fnx') o.fnx = true;
      else o.fxx = true;
    } else return E.syntax;
  }
  return err('ERR Mandatory argument FIELDS is missing or not at the right position');
}

function hgetex(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const h = writeHash(c, key);
  if (isFrame(h)) return h;
  const o = parseEx(c, argv, false);
  if (isFrame(o)) return o;
  const fields = argv.slice(o.first);
  if (h === undefined) return arr(fields.map(() => NIL));
  if (o.at !== null) markFieldTtls(h);
  const updated: string[] = [];
  const deleted: string[] = [];
  const persisted: string[] = [];
  const out = fields.map((f) => {
    const v = hashGet(h, f);
    if (v === undefined) return NIL;
    if (o.at !== null) {
      if (alreadyDue(c, o.at)) {
        if (hashDel(h, f)) deleted.push(f);
      } else {
        setFieldTtl(c.db, key, h, f, o.at);
        updated.push(f);
      }
    } else if (o.persist && persistField(h, f)) persisted.push(f);
    return bulkOrNil(v);
  });
  dropIfEmpty(c, key, h);
  if (persisted.length) {
    c.dirty += persisted.length;
    c.rewrite(['HPERSIST', key, 'FIELDS', String(persisted.length), ...persisted]);
  } else if (o.at !== null) logDeadlines(c, key, o.at, [...new Set(updated)], [...new Set(deleted)]);
  return arr(out);
}

function hsetex(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const cur = writeHash(c, key);
  if (isFrame(cur)) return cur;
  const o = parseEx(c, argv, true);
  if (isFrame(o)) return o;
  const pairs: Array<[string, string]> = [];
  for (let i = o.first; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  if (o.fnx && cur !== undefined && pairs.some(([f]) => hashHas(cur, f))) return ZERO;
  if (o.fxx && (cur === undefined || pairs.some(([f]) => !hashHas(cur, f)))) return ZERO;
  const h: HashObj | Frame = cur ?? writeOrCreate(c, key);
  if (isFrame(h)) return h;
  const lim = limits(c);
  for (const [f, v] of pairs) hashSet(h, f, v, lim, o.keepTtl);
  c.dirty += pairs.length;
  const flat = pairs.flat();
  const fields = [...new Set(pairs.map(([f]) => f))];
  if (o.at !== null && alreadyDue(c, o.at)) {
    for (const f of fields) hashDel(h, f);
    dropIfEmpty(c, key, h);
    c.rewrite(['HSET', key, ...flat]);
    c.propagate(['HDEL', key, ...fields]);
    return ONE;
  }
  if (o.at !== null) {
    markFieldTtls(h);
    for (const f of fields) setFieldTtl(c.db, key, h, f, o.at);
    c.rewrite(['HSETEX', key, 'PXAT', String(o.at), 'FIELDS', String(pairs.length), ...flat]);
  } else {
    c.rewrite(['HSETEX', key, ...(o.keepTtl ? ['KEEPTTL'] : []), 'FIELDS', String(pairs.length), ...flat]);
  }
  return ONE;
}

export const HASH_TTL_COMMANDS: CommandSpec[] = [
  hspec('hexpire', (c, a) => hexpireGeneric(c, a, true, true)),
  hspec('hpexpire', (c, a) => hexpireGeneric(c, a, false, true)),
  hspec('hexpireat', (c, a) => hexpireGeneric(c, a, true, false)),
  hspec('hpexpireat', (c, a) => hexpireGeneric(c, a, false, false)),
  hspec('httl', (c, a) => httlGeneric(c, a, true, false)),
  hspec('hpttl', (c, a) => httlGeneric(c, a, false, false)),
  hspec('hexpiretime', (c, a) => httlGeneric(c, a, true, true)),
  hspec('hpexpiretime', (c, a) => httlGeneric(c, a, false, true)),
  hspec('hpersist', hpersist),
  hspec('hgetdel', hgetdel),
  hspec('hgetex', hgetex),
  hspec('hsetex', hsetex),
];
