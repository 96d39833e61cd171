// Byte strings: keys and values live in memory as flat one-byte JS strings (char code = byte).
// Why: DESIGN.md measured a Map of flat one-byte strings at ~109 B/key against ~278–381 B/key
// for Uint8Array values. Conversions here are hand-written because TextDecoder('latin1') is
// windows-1252, not a byte mapping, and Buffer is not in every runtime we run in.
import type { Bytes } from './frame.js';

const CHUNK = 8192;

/** Bytes of `u8[start, end)` as a flat one-byte string. */
export function fromBytes(u8: Uint8Array, start = 0, end = u8.length): Bytes {
  const n = end - start;
  if (n <= 0) return '';
  if (n <= CHUNK) return String.fromCharCode.apply(null, u8.subarray(start, end) as unknown as number[]);
  const parts: string[] = [];
  for (let i = start; i < end; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, u8.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]));
  }
  // join() of many parts yields a flat string, unlike repeated `+`.
  return parts.join('');
}

/** A byte string's bytes. */
export function toBytes(s: Bytes): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Write a byte string into `out` at `pos`; returns the new position. */
export function writeBytes(out: Uint8Array, pos: number, s: Bytes): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8');

/** UTF-8 text (from JSON, URLs) → byte string. */
export function fromUtf8(s: string): Bytes {
  // Pure ASCII is already its own byte string.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return fromBytes(enc.encode(s));
}

/** Byte string → UTF-8 text (invalid sequences become U+FFFD, as JSON clients expect). */
export function toUtf8(s: Bytes): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return dec.decode(toBytes(s));
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Byte string → standard base64. */
export function toBase64(s: Bytes): string {
  let out = '';
  let i = 0;
  for (; i + 2 < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
    out += B64.charAt(n >> 18) + B64.charAt((n >> 12) & 63) + B64.charAt((n >> 6) & 63) + B64.charAt(n & 63);
  }
  const rest = s.length - i;
  if (rest === 1) {
    const n = s.charCodeAt(i) << 16;
    out += B64.charAt(n >> 18) + B64.charAt((n >> 12) & 63) + '==';
  } else if (rest === 2) {
    const n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8);
    out += B64.charAt(n >> 18) + B64.charAt((n >> 12) & 63) + B64.charAt((n >> 6) & 63) + '=';
  }
  return out;
}
