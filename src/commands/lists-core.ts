// Helpers shared by the list command files: typed lookups, argument parsing, spec shape.
import { E, err, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { List } from '../engine/types/list.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

/** A list for reading (counts a hit or miss), undefined when missing, or WRONGTYPE. */
export function readList(c: Ctx, key: string): List | undefined | Frame {
  return readAs(c.db, key, 'list');
}

/** A list for writing (lookupKeyWrite: no hit/miss accounting), or WRONGTYPE. */
export function writeList(c: Ctx, key: string): List | undefined | Frame {
  return writeAs(c.db, key, 'list');
}

export function newList(c: Ctx): List {
  return new List(c.config.int('list-max-listpack-size'));
}

/** getLongFromObjectOrReply, clamped into the safe-integer range (no list gets near it). */
export function longArg(s: string, msg?: string): number | Frame {
  const v = parseI64(s);
  if (v === null) return msg ? err(msg) : E.notInt;
  return v > 9007199254740991n ? 9007199254740991 : v < -9007199254740991n ? -9007199254740991 : Number(v);
}

/** Delete the key when a pop or removal emptied its list, as Redis does. */
export function dropIfEmpty(c: Ctx, key: string, l: List): void {
  if (l.len === 0) c.db.del(key);
}

/** One key spec at argv[1], as COMMAND INFO prints it. */

/** A list-family entry: Redis's description (spec-data.ts) plus the handler. */
export const listSpec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });


/** LEFT|RIGHT (getListPositionFromObjectOrReply): true for the head. */
export function whereArg(s: string): boolean | Frame {
  const w = s.toLowerCase();
  if (w === 'left') return true;
  if (w === 'right') return false;
  return E.syntax;
}

/** C's atoi, as Redis's genericGetKeys reads numkeys. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const v = Number(m[1]);
  return v > 2147483647 || v < -2147483648 ? 0 : v;
}

/** genericGetKeys for LMPOP/BLMPOP: numkeys at `numIdx`, the keys right after it; none when invalid. */
export function numkeysKeys(argv: readonly string[], numIdx: number): number[] {
  const n = atoi(argv[numIdx] ?? '');
  const first = numIdx + 1;
  if (n < 1 || n > argv.length - first) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(first + i);
  return out;
}
