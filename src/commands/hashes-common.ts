// Shared by the hash command files: the spec helper and the hash lookups, which reclaim a
// hash's expired fields (and the key, when none is left) before any command sees it.
import type { Frame } from '../protocol/frame.js';
import { HashObj, expireFields, hashLen, trackFieldTtls, type HashLimits } from '../engine/types/hash.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs, writeAs, type Typed } from './typed.js';

/** A hash-family spec: one key at argv[1]; the key spec flags as Redis's COMMAND INFO prints them. */
export const hspec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });

export function limits(c: Ctx): HashLimits {
  return { entries: c.config.int('hash-max-listpack-entries'), value: c.config.int('hash-max-listpack-value') };
}

/** The due fields reclaimed (the key too, when none is left) before any command sees the hash. */
function reclaimed(c: Ctx, key: string, h: Typed<'hash'>): Typed<'hash'> {
  if (!(h instanceof HashObj)) return h;
  if (h.x !== null) {
    if (expireFields(c.db, key, h, c.now)) return undefined;
    trackFieldTtls(c.db, key, h);
  }
  return h;
}

/** A hash for reading (counts a hit or miss), with its due fields reclaimed; or WRONGTYPE. */
export function readHash(c: Ctx, key: string): HashObj | undefined | Frame {
  return reclaimed(c, key, readAs(c.db, key, 'hash'));
}

/** A hash for writing (lookupKeyWrite), with its due fields reclaimed; or WRONGTYPE. */
export function writeHash(c: Ctx, key: string): HashObj | undefined | Frame {
  return reclaimed(c, key, writeAs(c.db, key, 'hash'));
}

/** hashTypeLookupWriteOrCreate: the hash, created (and stored) when missing. */
export function writeOrCreate(c: Ctx, key: string): HashObj | Frame {
  const h = writeHash(c, key);
  if (h !== undefined) return h;
  const n = new HashObj();
  c.db.set(key, n);
  return n;
}

/** Delete the key when its hash became empty (Redis never keeps an empty collection). */
export function dropIfEmpty(c: Ctx, key: string, h: HashObj): void {
  if (hashLen(h) === 0) c.db.del(key);
}

