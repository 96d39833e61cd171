// Shared by the set command files: the spec helper, lookups with WRONGTYPE, and result replies.
import { bulk, set as setFrame, type Frame } from '../protocol/frame.js';
import { RSet, setLimits, type SetLimits } from '../engine/types/set.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

/** A set-family entry: Redis's description (spec-data.ts) plus the handler. */
export const sspec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });

export function limits(c: Ctx): SetLimits {
  return setLimits(c.config);
}

/** A set for reading (counts a hit or miss), undefined when missing, or WRONGTYPE. */
export function readSet(c: Ctx, key: string): RSet | undefined | Frame {
  return readAs(c.db, key, 'set');
}

/** A set for writing (lookupKeyWrite), undefined when missing, or WRONGTYPE. */
export function writeSet(c: Ctx, key: string): RSet | undefined | Frame {
  return writeAs(c.db, key, 'set');
}

export const isFrameV = (x: unknown): x is Frame => !(x instanceof RSet) && x !== undefined;

/** A set reply (RESP3 `~`, RESP2 array) of the members. */
export function membersReply(ms: readonly string[]): Frame {
  const out = new Array<Frame>(ms.length);
  for (let i = 0; i < ms.length; i++) out[i] = bulk(ms[i]!);
  return setFrame(out);
}
