// The Upstash REST codec: JSON argv in (numbers and booleans become strings), Frames out as
// RESP2-shaped JSON (maps flattened, doubles as strings), optionally base64 for every string.
import { fromUtf8, toBase64, toUtf8 } from './bytes.js';
import type { Frame } from './frame.js';
import { fmtG17 } from './numfmt.js';

export type Json = null | number | string | Json[];

/** One JSON command (array of scalars) → argv of byte strings, or an error message. */
export function argvFromJson(x: unknown): string[] | string {
  if (!Array.isArray(x)) return 'ERR command must be a JSON array of strings';
  if (x.length === 0) return 'ERR empty command';
  const out: string[] = [];
  for (const a of x) {
    if (typeof a === 'string') out.push(fromUtf8(a));
    else if (typeof a === 'number' || typeof a === 'boolean') out.push(String(a));
    else return 'ERR command arguments must be strings, numbers or booleans';
  }
  return out;
}

/** Frame → JSON value, as Upstash returns it. `b64`: every string except a literal OK is base64. */
export function frameToJson(f: Frame, b64: boolean): Json {
  const str = (s: string): string => (b64 ? toBase64(s) : toUtf8(s));
  switch (f.t) {
    case 'simple':
      return b64 && f.v !== 'OK' ? toBase64(f.v) : f.v;
    case 'bulk':
    case 'verb':
      return str(f.v);
    case 'err':
      return f.v; // only reachable nested (e.g. inside a transaction's results)
    case 'int':
      return typeof f.v === 'bigint' ? Number(f.v) : f.v;
    case 'nil':
    case 'nilarr':
      return null;
    case 'dbl':
      return str(f.s ?? fmtG17(f.v));
    case 'bool':
      return f.v ? 1 : 0;
    case 'arr':
    case 'set':
    case 'map':
    case 'push':
      return f.v.map((x) => frameToJson(x, b64));
  }
}

/** `{result}` or `{error}` for one reply. */
export function replyToJson(f: Frame, b64: boolean): { result: Json } | { error: string } {
  return f.t === 'err' ? { error: f.v } : { result: frameToJson(f, b64) };
}
