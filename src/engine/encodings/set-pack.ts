// The set listpack: a small set's members packed in insertion order into ONE flat one-byte string,
// a 1-byte tag (\x01, telling it from an intset, whose first byte is its width 2/4/8) then each
// entry as a LEB128 length followed by the member's bytes. Lookups scan linearly, which is what
// Redis's listpack does too and is cheap at the sizes the thresholds allow (128 entries × 64 B).
// A flat string costs ~16 B of header; a Set of the same members costs ~3× Redis (DESIGN.md).

import { fromBytes } from '../../protocol/bytes.js';

export const EMPTY_PACK = '\x01';
const HDR = 1;

function lenPrefix(n: number): string {
  if (n < 128) return String.fromCharCode(n);
  let s = '';
  while (n >= 128) {
    s += String.fromCharCode((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  return s + String.fromCharCode(n);
}

/** Reads the length prefix at `off`: returns [length, offset of the member's first byte]. */
function readLen(p: string, off: number): [number, number] {
  let c = p.charCodeAt(off++);
  if (c < 128) return [c, off];
  let n = c & 127;
  let mul = 128;
  for (;;) {
    c = p.charCodeAt(off++);
    n += (c & 127) * mul;
    if (c < 128) return [n, off];
    mul *= 128;
  }
}

/** Offset of the entry holding m, or -1. */
export function spFind(p: string, m: string): number {
  const ml = m.length;
  let off = HDR;
  while (off < p.length) {
    let start = off;
    let len = p.charCodeAt(off);
    if (len < 128) start = off + 1;
    else [len, start] = readLen(p, off);
    if (len === ml && p.startsWith(m, start)) return off;
    off = start + len;
  }
  return -1;
}

export function spHas(p: string, m: string): boolean {
  return spFind(p, m) >= 0;
}

/** The pack with m appended (the caller checked it is absent). join() keeps the result flat. */
export function spAppend(p: string, m: string): string {
  return [p, lenPrefix(m.length), m].join('');
}

let scratch = new Uint8Array(1024);

/**
 * The pack with the entry at `off` (from spFind) removed. Copied byte by byte: a slice() of
 * 13+ chars is a view that would keep the whole old pack alive.
 */
export function spRemoveAt(p: string, off: number): string {
  const [len, start] = readLen(p, off);
  const end = start + len;
  const n = p.length - (end - off);
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  for (let i = 0; i < off; i++) scratch[i] = p.charCodeAt(i);
  for (let i = end; i < p.length; i++) scratch[i - end + off] = p.charCodeAt(i);
  return fromBytes(scratch, 0, n);
}

/** A flat copy of s that shares no storage with a larger string (for members that outlive a pack). */
export function ownCopy(s: string): string {
  if (s.length < 13) return s; // V8 copies short slices anyway
  if (scratch.length < s.length) scratch = new Uint8Array(Math.max(s.length, scratch.length * 2));
  for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
  return fromBytes(scratch, 0, s.length);
}

/** The pack with m removed, or null when m is absent. */
export function spRemove(p: string, m: string): string | null {
  const off = spFind(p, m);
  return off < 0 ? null : spRemoveAt(p, off);
}

/** Every member in insertion order. */
export function spMembers(p: string): string[] {
  const out: string[] = [];
  let off = HDR;
  while (off < p.length) {
    const [len, start] = readLen(p, off);
    out.push(p.slice(start, start + len));
    off = start + len;
  }
  return out;
}

/** A pack of the given distinct members, in order. */
export function spFromMembers(ms: readonly string[]): string {
  const parts: string[] = [EMPTY_PACK];
  for (const m of ms) parts.push(lenPrefix(m.length), m);
  return parts.join('');
}

/** The longest member's length (for the listpack-value threshold when members change). */
export function spMaxLen(p: string): number {
  let max = 0;
  let off = HDR;
  while (off < p.length) {
    const [len, start] = readLen(p, off);
    if (len > max) max = len;
    off = start + len;
  }
  return max;
}

/** Number of members (a linear walk: small packs are small, as the thresholds keep them). */
export function spCount(p: string): number {
  let n = 0;
  let off = HDR;
  while (off < p.length) {
    const c = p.charCodeAt(off);
    if (c < 128) off += 1 + c;
    else {
      const [len, start] = readLen(p, off);
      off = start + len;
    }
    n++;
  }
  return n;
}
