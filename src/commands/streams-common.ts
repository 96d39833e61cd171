// Shared by the stream command files: ID parsing with Redis's exact rules and errors, lookups
// with WRONGTYPE, entry replies and the spec helper.
import { arr, bulk, bulks, err, type Frame } from '../protocol/frame.js';
import { isStrictLong } from '../protocol/numfmt.js';
import { MAX_ID, U64, fmtId, sid, type Entry, type SID } from '../engine/encodings/stream-node.js';
import type { Stream } from '../engine/types/stream.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

export const INVALID_ID = err('ERR Invalid stream ID specified as stream command argument');

/** Redis's string2ull: a canonical long, else strtoull (spaces, sign, wrap-around of negatives). */
function string2ull(s: string): bigint | null {
  if (isStrictLong(s)) {
    const v = BigInt(s);
    return v < 0n ? null : v;
  }
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const digits = s.slice(i);
  if (!/^[0-9]+$/.test(digits)) return null;
  const v = BigInt(digits);
  if (v > U64) return null;
  return neg ? (U64 + 1n - v) & U64 : v;
}

/**
 * Redis's streamGenericParseIDOrReply: `ms-seq`, `ms` (seq = missingSeq), `-`/`+` unless strict,
 * and `ms-*` when seqStar (then seqGiven is false). Null when invalid.
 */
export function parseIdRaw(raw: string, strict: boolean, missingSeq: bigint, seqStar = false): { id: SID; seqGiven: boolean } | null {
  if (raw.length > 127) return null;
  const nul = raw.indexOf('\0');
  const s = nul >= 0 ? raw.slice(0, nul) : raw;
  if (strict && (s === '-' || s === '+')) return null;
  if (s === '-') return { id: 0n, seqGiven: true };
  if (s === '+') return { id: MAX_ID, seqGiven: true };
  const dot = s.indexOf('-');
  const ms = string2ull(dot >= 0 ? s.slice(0, dot) : s);
  if (ms === null) return null;
  let seq = missingSeq;
  let seqGiven = true;
  if (dot >= 0) {
    const rest = s.slice(dot + 1);
    if (seqStar && rest === '*') {
      seq = 0n;
      seqGiven = false;
    } else {
      const v = string2ull(rest);
      if (v === null) return null;
      seq = v;
    }
  }
  return { id: sid(ms, seq), seqGiven };
}

/** A strict ID (no `-`/`+`), or the invalid-ID error. */
export function strictId(s: string, missingSeq = 0n): SID | Frame {
  const r = parseIdRaw(s, true, missingSeq);
  return r ? r.id : INVALID_ID;
}

/** Redis's streamParseIntervalIDOrReply: `(` makes the bound exclusive (strict ID after it). */
export function intervalId(s: string, missingSeq: bigint): { id: SID; ex: boolean } | Frame {
  const ex = s.length > 1 && s[0] === '(';
  const r = ex ? parseIdRaw(s.slice(1), true, missingSeq) : parseIdRaw(s, false, missingSeq);
  return r ? { id: r.id, ex } : INVALID_ID;
}

/** Interval bounds (inclusive after `(` adjustment), with Redis's errors. */
export function intervalBounds(startArg: string, endArg: string): { start: SID; end: SID } | Frame {
  const a = intervalId(startArg, 0n);
  if ('t' in a) return a;
  if (a.ex && a.id === MAX_ID) return err('ERR invalid start ID for the interval');
  const b = intervalId(endArg, U64);
  if ('t' in b) return b;
  if (b.ex && b.id === 0n) return err('ERR invalid end ID for the interval');
  return { start: a.ex ? a.id + 1n : a.id, end: b.ex ? b.id - 1n : b.id };
}

export const entryFrame = (e: Entry): Frame => arr([bulk(fmtId(e.id)), bulks(e.fv)]);
export const idFrame = (id: SID): Frame => bulk(fmtId(id));

/** The stream at key for reading: undefined when missing, an error frame on WRONGTYPE. */
export function readStream(c: Ctx, key: string): Stream | undefined | Frame {
  return readAs(c.db, key, 'stream');
}

/** The stream at key for writing. */
export function writeStream(c: Ctx, key: string): Stream | undefined | Frame {
  return writeAs(c.db, key, 'stream');
}

export const isF = (x: unknown): x is Frame => typeof x === 'object' && x !== null && 't' in x;

export function streamSpec(name: string, run: Handler, extra: Impl = {}): CommandSpec {
  return def(name, { run, ...extra });
}

