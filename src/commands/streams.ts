// Stream commands, part 1: XADD, XLEN, XRANGE/XREVRANGE, XDEL, XTRIM, XSETID, plus the ID
// parsing and entry replies every stream command shares. Reads (XREAD/XREADGROUP) are in
// streams-read.ts, consumer groups in streams-groups.ts, XINFO in streams-info.ts.
import { E, NIL, NILARR, OK, ZERO, arityErr, arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { MAX_ID, U64, fmtId, msOf, seqOf, sid, type SID } from '../engine/encodings/stream-node.js';
import { Stream, type TrimArgs } from '../engine/types/stream.js';
import type { CommandSpec, Ctx } from './types.js';
import { INVALID_ID, entryFrame, intervalBounds, isF, parseIdRaw, readStream, streamSpec, strictId, writeStream } from './streams-common.js';
import { STREAM_READ_COMMANDS } from './streams-read.js';
import { STREAM_GROUP_COMMANDS } from './streams-groups.js';
import { STREAM_INFO_COMMANDS } from './streams-info.js';

interface AddTrim {
  trim: TrimArgs | null;
  /** argv index of the MAXLEN/MINID value. */
  argIdx: number;
  nomk: boolean;
  idGiven: boolean;
  seqGiven: boolean;
  id: SID;
  /** XADD: index of the ID argument. */
  i: number;
}

/** Redis's streamParseAddOrTrimArgsOrReply (XADD and XTRIM options). */
function parseAddTrim(c: Ctx, argv: string[], xadd: boolean): AddTrim | Frame {
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = -1n;
  let minid = 0n;
  let argIdx = 0;
  let limit = 0n;
  let limitGiven = false;
  const r: AddTrim = { trim: null, argIdx: 0, nomk: false, idGiven: false, seqGiven: true, id: 0n, i: 2 };
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    const o = opt.toLowerCase();
    if (xadd && opt === '*') break;
    if ((o === 'maxlen' || o === 'minid') && more) {
      if (strategy) return err('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (o === 'maxlen') {
        const n = parseI64(argv[i + 1]!);
        if (n === null) return E.notInt;
        if (n < 0n) return err('ERR The MAXLEN argument must be >= 0.');
        maxlen = n;
      } else {
        const id = strictId(argv[i + 1]!);
        if (isF(id)) return id;
        minid = id;
      }
      i++;
      strategy = o;
      argIdx = i;
    } else if (more && o === 'limit') {
      const n = parseI64(argv[i + 1]!);
      if (n === null) return E.notInt;
      if (n < 0n) return err('ERR The LIMIT argument must be >= 0.');
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && o === 'nomkstream') r.nomk = true;
    else if (xadd) {
      const p = parseIdRaw(opt, true, 0n, true);
      if (!p) return INVALID_ID;
      r.id = p.id;
      r.seqGiven = p.seqGiven;
      r.idGiven = true;
      break;
    } else return E.syntax;
  }
  if (limit && !strategy) return err('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && !strategy) return err('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (c.db.loading) limit = 0n; // as Redis for its master or AOF: the logged bound is exact
  else if (limitGiven) {
    if (!approx) return err('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (approx) {
    const l = 100 * c.config.int('stream-node-max-entries');
    limit = BigInt(l <= 0 || l > 1 << 30 ? 10000 : l);
  } else limit = 0n;
  r.i = i;
  r.argIdx = argIdx;
  if (strategy) r.trim = { strategy, maxlen, minid, approx, limit: limit > 1n << 52n ? 2 ** 52 : Number(limit) };
  return r;
}

/** After an approximate trim, log the bound actually reached (Redis's streamRewriteTrimArgument). */
function rewriteTrim(s: Stream, a: AddTrim, rw: string[]): void {
  rw[a.argIdx - 1] = '=';
  rw[a.argIdx] = a.trim!.strategy === 'maxlen' ? String(s.length) : fmtId(s.firstWithTombstones());
}

const EDOM = err('ERR The ID specified in XADD is equal or smaller than the target stream top item');

function xadd(c: Ctx, argv: string[]): Frame {
  const a = parseAddTrim(c, argv, true);
  if (isF(a)) return a;
  const fieldPos = a.i + 1;
  const nf = argv.length - fieldPos;
  if (nf < 2 || nf % 2 === 1) return arityErr('xadd');
  if (a.idGiven && a.seqGiven && a.id === 0n) return err('ERR The ID specified in XADD must be greater than 0-0');
  const key = argv[1]!;
  let s = writeStream(c, key);
  if (isF(s)) return s;
  if (!s && a.nomk) return NIL;
  const last = s ? s.lastId : 0n;
  if (last === MAX_ID) return err('ERR The stream has exhausted the last possible ID, unable to add more items');
  let id: SID;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (msOf(last) === msOf(a.id)) {
      if (seqOf(last) === U64) return err('ERR Elements are too large to be stored');
      id = last + 1n;
    } else id = a.id;
  } else {
    const ms = BigInt(c.now);
    id = msOf(last) >= ms ? last + 1n : sid(ms, 0n);
  }
  if (id <= last) return EDOM;
  if (!s) {
    s = new Stream();
    c.db.set(key, s);
  }
  s.append(id, argv, fieldPos, c.config.int('stream-node-max-bytes'), c.config.int('stream-node-max-entries'));
  c.dirty++;
  const rw = argv.slice();
  if (!a.idGiven || !a.seqGiven) rw[a.i] = fmtId(id);
  if (a.trim) {
    s.trim(a.trim);
    if (a.trim.approx) rewriteTrim(s, a, rw);
  }
  c.rewrite(rw);
  return bulk(fmtId(id));
}

function xtrim(c: Ctx, argv: string[]): Frame {
  // Arguments first: a bad option is an error even when the key does not exist (xtrimCommand).
  const a = parseAddTrim(c, argv, false);
  if (isF(a)) return a;
  const s = writeStream(c, argv[1]!);
  if (isF(s)) return s;
  if (!s) return ZERO;
  const deleted = s.trim(a.trim!);
  if (deleted) {
    if (a.trim!.approx) {
      const rw = argv.slice();
      rewriteTrim(s, a, rw);
      c.rewrite(rw);
    }
    c.dirty += deleted;
  }
  return int(deleted);
}

function xlen(c: Ctx, argv: string[]): Frame {
  const s = readStream(c, argv[1]!);
  if (isF(s)) return s;
  return int(s ? s.length : 0);
}

function xrangeGeneric(c: Ctx, argv: string[], rev: boolean): Frame {
  const b = intervalBounds(rev ? argv[3]! : argv[2]!, rev ? argv[2]! : argv[3]!);
  if (isF(b)) return b;
  let count = -1n;
  for (let j = 4; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'count' && j + 1 < argv.length) {
      const n = parseI64(argv[++j]!);
      if (n === null) return E.notInt;
      count = n < 0n ? 0n : n;
    } else return E.syntax;
  }
  const s = readStream(c, argv[1]!);
  if (isF(s)) return s;
  if (!s) return arr([]);
  if (count === 0n) return NILARR;
  const n = count === -1n ? 0 : count > 1n << 52n ? 0 : Number(count);
  return arr(s.range(b.start, b.end, n, rev).map(entryFrame));
}

function xdel(c: Ctx, argv: string[]): Frame {
  const s = writeStream(c, argv[1]!);
  if (isF(s)) return s;
  if (!s) return ZERO;
  const ids: SID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictId(argv[j]!);
    if (isF(id)) return id;
    ids.push(id);
  }
  let deleted = 0;
  let first = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id === s.firstId) first = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = 0n;
    else if (first) s.firstId = s.edge(true);
    c.dirty += deleted;
  }
  return int(deleted);
}

function xsetid(c: Ctx, argv: string[]): Frame {
  const id = strictId(argv[2]!);
  if (isF(id)) return id;
  let added = -1n;
  let maxDel = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const o = argv[i]!.toLowerCase();
    const more = i < argv.length - 1;
    if (o === 'entriesadded' && more) {
      const n = parseI64(argv[i + 1]!);
      if (n === null) return E.notInt;
      if (n < 0n) return err('ERR entries_added must be positive');
      added = n;
    } else if (o === 'maxdeletedid' && more) {
      const m = strictId(argv[i + 1]!);
      if (isF(m)) return m;
      if (id < m) return err('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      maxDel = m;
    } else return E.syntax;
  }
  const s = writeStream(c, argv[1]!);
  if (isF(s)) return s;
  if (!s) return E.noKey;
  if (s.length > 0) {
    if (id < s.edge(false)) return err('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (added !== -1n && BigInt(s.length) > added) return err('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.lastId = id;
  if (added !== -1n) s.entriesAdded = added;
  if (maxDel !== 0n) s.maxDeletedId = maxDel;
  c.dirty++;
  return OK;
}

export const STREAM_COMMANDS: CommandSpec[] = [
  streamSpec('xadd', xadd),
  streamSpec('xlen', xlen),
  streamSpec('xrange', (c, a) => xrangeGeneric(c, a, false)),
  streamSpec('xrevrange', (c, a) => xrangeGeneric(c, a, true)),
  streamSpec('xdel', xdel),
  streamSpec('xtrim', xtrim),
  streamSpec('xsetid', xsetid),
  ...STREAM_READ_COMMANDS,
  ...STREAM_GROUP_COMMANDS,
  ...STREAM_INFO_COMMANDS,
];
