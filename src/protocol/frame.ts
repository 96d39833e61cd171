// The one reply type shared by every layer: RESP3's shapes, lowered to RESP2 or JSON by the encoders.

/** Binary-safe byte string: every char code is one byte (0–255). See bytes.ts. */
export type Bytes = string;

export type Frame =
  | { t: 'simple'; v: string }
  | { t: 'err'; v: string }
  | { t: 'int'; v: number | bigint }
  | { t: 'bulk'; v: Bytes }
  | { t: 'nil' } //            RESP2 `$-1`, RESP3 `_`
  | { t: 'nilarr' } //         RESP2 `*-1`, RESP3 `_`
  | { t: 'arr'; v: Frame[] }
  | { t: 'map'; v: Frame[] } // flat k, v, k, v …; RESP2 sends it as an array
  | { t: 'set'; v: Frame[] } // RESP2 sends it as an array
  | { t: 'dbl'; v: number; s?: string } //  RESP2 sends it as a bulk string; `s` overrides the %.17g text
  | { t: 'bool'; v: boolean } // RESP2 sends it as an integer
  | { t: 'verb'; fmt: string; v: Bytes } // RESP2 sends it as a bulk string
  | { t: 'push'; v: Frame[] }; // RESP2 sends it as an array

export const OK: Frame = { t: 'simple', v: 'OK' };
export const QUEUED: Frame = { t: 'simple', v: 'QUEUED' };
export const NIL: Frame = { t: 'nil' };
export const NILARR: Frame = { t: 'nilarr' };
export const ZERO: Frame = { t: 'int', v: 0 };
export const ONE: Frame = { t: 'int', v: 1 };
export const EMPTY_ARR: Frame = { t: 'arr', v: [] };

export const simple = (v: string): Frame => ({ t: 'simple', v });
export const err = (v: string): Frame => ({ t: 'err', v });
export const int = (v: number | bigint): Frame => (v === 0 ? ZERO : v === 1 ? ONE : { t: 'int', v });
export const bulk = (v: Bytes): Frame => ({ t: 'bulk', v });
export const bulkOrNil = (v: Bytes | undefined | null): Frame => (v == null ? NIL : { t: 'bulk', v });
export const arr = (v: Frame[]): Frame => ({ t: 'arr', v });
export const bulks = (v: readonly Bytes[]): Frame => ({ t: 'arr', v: v.map(bulk) });
export const map = (v: Frame[]): Frame => ({ t: 'map', v });
export const set = (v: Frame[]): Frame => ({ t: 'set', v });
export const dbl = (v: number): Frame => ({ t: 'dbl', v });
/** A double sent with its own text (Redis's addReplyHumanLongDouble: GEOPOS coordinates). */
export const dblText = (v: number, s: string): Frame => ({ t: 'dbl', v, s });
export const bool = (v: boolean): Frame => ({ t: 'bool', v });
export const verb = (v: Bytes, fmt = 'txt'): Frame => ({ t: 'verb', fmt, v });

export const isErr = (f: Frame): f is { t: 'err'; v: string } => f.t === 'err';

// Redis's shared error replies, word for word.
export const E = {
  syntax: err('ERR syntax error'),
  notInt: err('ERR value is not an integer or out of range'),
  notFloat: err('ERR value is not a valid float'),
  wrongType: err('WRONGTYPE Operation against a key holding the wrong kind of value'),
  noKey: err('ERR no such key'),
  overflow: err('ERR increment or decrement would overflow'),
  crossSlot: err("CROSSSLOT Keys in request don't hash to the same slot"),
  outOfRange: err('ERR index out of range'),
  noAuth: err('NOAUTH Authentication required.'),
  wrongPass: err('WRONGPASS invalid username-password pair or user is disabled.'),
} as const;

export const arityErr = (name: string): Frame =>
  err(`ERR wrong number of arguments for '${name}' command`);
