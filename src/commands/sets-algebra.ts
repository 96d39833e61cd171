// Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.
// Replies follow Redis's orders where they are defined: SINTER walks the smallest set, SUNION and
// SDIFF build the result as a new set (an intset when it can be, hence sorted) and walk that.
import { ZERO, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { RSet, emptySet } from '../engine/types/set.js';
import { isFrameV, limits, membersReply, readSet, sspec, writeSet } from './sets-common.js';
import type { CommandSpec, Ctx } from './types.js';

/** The sets under `keys` (null for a missing key), or WRONGTYPE: every key is type-checked first. */
function lookupAll(c: Ctx, keys: readonly string[], write: boolean): Array<RSet | null> | Frame {
  const out: Array<RSet | null> = [];
  for (const k of keys) {
    const s = write ? writeSet(c, k) : readSet(c, k);
    if (isFrameV(s)) return s;
    out.push(s ?? null);
  }
  return out;
}

/** Members of the intersection in the smallest set's order; stops at `limit` (0 = none). */
function intersect(sets: RSet[], limit = 0): string[] {
  const sorted = [...sets].sort((a, b) => a.size - b.size);
  const first = sorted[0]!;
  const out: string[] = [];
  for (const m of first.members()) {
    let all = true;
    for (let j = 1; j < sorted.length; j++) {
      if (sorted[j] === first) continue;
      if (!sorted[j]!.has(m)) {
        all = false;
        break;
      }
    }
    if (all) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function sinterGeneric(c: Ctx, keys: readonly string[], dst: string | null): Frame {
  const found = lookupAll(c, keys, dst !== null);
  if (!Array.isArray(found)) return found;
  const sets = found.filter((s): s is RSet => s !== null);
  const ms = sets.length < found.length ? [] : intersect(sets);
  if (dst === null) return membersReply(ms);
  return store(c, dst, ms, 'inter');
}

/** Writes the result set at dst (deleting dst when it is empty) and replies with its size. */
function store(c: Ctx, dst: string, ms: readonly string[], op: 'inter' | 'other'): Frame {
  if (ms.length === 0) {
    const deleted = c.db.del(dst);
    // SINTERSTORE counts a change only when it deleted; SUNIONSTORE/SDIFFSTORE always do.
    if (deleted || op === 'other') c.dirty++;
    return ZERO;
  }
  const lim = limits(c);
  const s = emptySet();
  for (const m of ms) s.add(m, lim);
  c.db.set(dst, s);
  c.dirty++;
  return int(s.size);
}

function sunionDiffGeneric(c: Ctx, keys: readonly string[], dst: string | null, union: boolean): Frame {
  const found = lookupAll(c, keys, dst !== null);
  if (!Array.isArray(found)) return found;
  const lim = limits(c);
  const result = emptySet();
  if (union) {
    for (const s of found) if (s !== null) for (const m of s.members()) result.add(m, lim);
  } else if (found[0] !== null) {
    const first = found[0]!;
    // A key repeated after the first removes everything.
    const same = found.some((s, i) => i > 0 && s === first);
    if (!same) {
      for (const m of first.members()) {
        let keep = true;
        for (let j = 1; j < found.length; j++) {
          const o = found[j];
          if (o != null && o.has(m)) {
            keep = false;
            break;
          }
        }
        if (keep) result.add(m, lim);
      }
    }
  }
  const ms = result.members();
  if (dst === null) return membersReply(ms);
  if (ms.length === 0) {
    c.db.del(dst);
    c.dirty++;
    return ZERO;
  }
  c.db.set(dst, result);
  c.dirty++;
  return int(result.size);
}

const sinter = (c: Ctx, argv: string[]) => sinterGeneric(c, argv.slice(1), null);
const sinterstore = (c: Ctx, argv: string[]) => sinterGeneric(c, argv.slice(2), argv[1]!);
const sunion = (c: Ctx, argv: string[]) => sunionDiffGeneric(c, argv.slice(1), null, true);
const sunionstore = (c: Ctx, argv: string[]) => sunionDiffGeneric(c, argv.slice(2), argv[1]!, true);
const sdiff = (c: Ctx, argv: string[]) => sunionDiffGeneric(c, argv.slice(1), null, false);
const sdiffstore = (c: Ctx, argv: string[]) => sunionDiffGeneric(c, argv.slice(2), argv[1]!, false);

/** SINTERCARD numkeys key [key …] [LIMIT limit]: numkeys parsed as Redis's getRangeLong(1, LONG_MAX). */
function numkeysOf(argv: readonly string[]): number | Frame {
  const n = parseI64(argv[1]!);
  if (n === null || n < 1n) return err('ERR numkeys should be greater than 0');
  if (n > BigInt(argv.length - 2)) return err("ERR Number of keys can't be greater than number of args");
  return Number(n);
}

function sintercard(c: Ctx, argv: string[]): Frame {
  const nk = numkeysOf(argv);
  if (typeof nk !== 'number') return nk;
  let limit = 0;
  for (let i = 2 + nk; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() === 'limit' && i + 1 < argv.length) {
      const l = parseI64(argv[++i]!);
      if (l === null || l < 0n) return err("ERR LIMIT can't be negative");
      limit = l > 2147483647n ? 2147483647 : Number(l);
    } else return err('ERR syntax error');
  }
  const found = lookupAll(c, argv.slice(2, 2 + nk), false);
  if (!Array.isArray(found)) return found;
  if (found.some((s) => s === null)) return ZERO;
  return int(intersect(found as RSet[], limit).length);
}

/** COMMAND GETKEYS for SINTERCARD: the numkeys keys after argv[1] (none when numkeys is invalid). */
function sintercardKeys(argv: readonly string[]): number[] {
  const nk = numkeysOf(argv);
  if (typeof nk !== 'number') return [];
  const out: number[] = [];
  for (let i = 0; i < nk; i++) out.push(2 + i);
  return out;
}

export const SET_ALGEBRA_COMMANDS: CommandSpec[] = [
  sspec('sinter', sinter),
  sspec('sintercard', sintercard, { getKeys: sintercardKeys }),
  sspec('sinterstore', sinterstore),
  sspec('sunion', sunion),
  sspec('sunionstore', sunionstore),
  sspec('sdiff', sdiff),
  sspec('sdiffstore', sdiffstore),
];
