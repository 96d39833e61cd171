// Redis's compact blobs as they appear inside RDB values: listpack (encode + decode), intset
// (encode + decode) and ziplist (decode only: RDB versions before 10 wrote them). Elements are
// byte strings; integers come back as their decimal form, as Redis returns them.
import { isStrictLong } from '../protocol/numfmt.js';
import { fromBytes } from '../protocol/bytes.js';
import { fail, u32le, u64le } from './rdb-io.js';

const chr = String.fromCharCode;

/** Bytes of a listpack entry's backlen for an entry (encoding + data) of `l` bytes. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

function backlen(l: number): string {
  if (l <= 127) return chr(l);
  if (l < 16383) return chr(l >> 7, (l & 127) | 128);
  if (l < 2097151) return chr(l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128);
  if (l < 268435455) return chr(l >>> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128);
  return chr(Math.floor(l / 268435456), ((l >>> 21) & 127) | 128, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128);
}

/** The encoding + data of one element: integers (as lpStringToInt64 sees them) in the smallest form. */
function lpEntryBody(s: string): string {
  if (s.length <= 20 && isStrictLong(s)) {
    const n = s.length < 16 ? Number(s) : null;
    if (n !== null) {
      if (n >= 0 && n <= 127) return chr(n);
      if (n >= -4096 && n <= 4095) {
        const u = n < 0 ? n + 8192 : n;
        return chr(0xc0 | (u >> 8), u & 0xff);
      }
      if (n >= -32768 && n <= 32767) return chr(0xf1, n & 0xff, (n >> 8) & 0xff);
      if (n >= -8388608 && n <= 8388607) return chr(0xf2, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
      if (n >= -2147483648 && n <= 2147483647) return chr(0xf3) + u32le(n);
    }
    return chr(0xf4) + u64le(BigInt(s));
  }
  const L = s.length;
  if (L < 64) return chr(0x80 | L) + s;
  if (L < 4096) return chr(0xe0 | (L >> 8), L & 0xff) + s;
  return chr(0xf0) + u32le(L) + s;
}

/** One encoded listpack entry (body + backlen). */
export function lpEntry(s: string): string {
  const b = lpEntryBody(s);
  return b + backlen(b.length);
}

/** Bytes lpEntry(s) takes, without building it. */
export function lpEntrySize(s: string): number {
  let b: number;
  if (s.length <= 20 && isStrictLong(s)) b = lpEntryBody(s).length;
  else b = s.length + (s.length < 64 ? 1 : s.length < 4096 ? 2 : 5);
  return b + backlenSize(b);
}

/** Header (6) + end byte (1). */
export const LP_OVERHEAD = 7;

/** A listpack from already encoded entries. */
export function lpFromEntries(entries: readonly string[], count: number): string {
  let n = LP_OVERHEAD;
  for (const e of entries) n += e.length;
  const c = count > 65535 ? 65535 : count;
  return u32le(n) + chr(c & 0xff, c >> 8) + entries.join('') + '\xff';
}

/** A listpack holding `items`. */
export function lpEncode(items: readonly string[]): string {
  return lpFromEntries(items.map(lpEntry), items.length);
}

/** Every element of a listpack; validates its header, bounds, backlens and terminator. */
export function lpDecode(a: Uint8Array): string[] {
  const n = a.length;
  if (n < LP_OVERHEAD) fail('listpack too short');
  const total = (a[0]! | (a[1]! << 8) | (a[2]! << 16) | (a[3]! << 24)) >>> 0;
  if (total !== n) fail('listpack size mismatch');
  const count = a[4]! | (a[5]! << 8);
  if (a[n - 1] !== 0xff) fail('listpack without terminator');
  const out: string[] = [];
  let p = 6;
  const end = n - 1;
  while (p < end) {
    const b = a[p]!;
    const start = p;
    let v: string;
    if (b < 0x80) {
      v = String(b);
      p += 1;
    } else if (b < 0xc0) {
      const L = b & 0x3f;
      if (p + 1 + L > end) fail('listpack entry out of bounds');
      v = fromBytes(a, p + 1, p + 1 + L);
      p += 1 + L;
    } else if (b < 0xe0) {
      if (p + 2 > end) fail('listpack entry out of bounds');
      const u = ((b & 0x1f) << 8) | a[p + 1]!;
      v = String(u >= 4096 ? u - 8192 : u);
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) fail('listpack entry out of bounds');
      const L = ((b & 0x0f) << 8) | a[p + 1]!;
      if (p + 2 + L > end) fail('listpack entry out of bounds');
      v = fromBytes(a, p + 2, p + 2 + L);
      p += 2 + L;
    } else if (b === 0xf0) {
      if (p + 5 > end) fail('listpack entry out of bounds');
      const L = (a[p + 1]! | (a[p + 2]! << 8) | (a[p + 3]! << 16) | (a[p + 4]! << 24)) >>> 0;
      if (p + 5 + L > end) fail('listpack entry out of bounds');
      v = fromBytes(a, p + 5, p + 5 + L);
      p += 5 + L;
    } else {
      const w = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : b === 0xf4 ? 8 : 0;
      if (w === 0) return fail('invalid listpack encoding');
      if (p + 1 + w > end) fail('listpack entry out of bounds');
      v = readIntLE(a, p + 1, w);
      p += 1 + w;
    }
    const l = p - start;
    const bl = backlenSize(l);
    if (p + bl > end) fail('listpack backlen out of bounds');
    // The backlen is read from its last byte backwards: 7 bits per byte, low bits last.
    let got = 0;
    for (let i = 0; i < bl; i++) got = got * 128 + (a[p + i]! & 127);
    if (got !== l) fail('listpack backlen mismatch');
    p += bl;
    out.push(v);
  }
  if (p !== end) fail('listpack overrun');
  if (count !== 65535 && count !== out.length) fail('listpack count mismatch');
  return out;
}

/** A signed little-endian integer of `w` bytes, as a decimal string. */
function readIntLE(a: Uint8Array, p: number, w: number): string {
  if (w === 8) {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(a[p + i]!);
    return String(BigInt.asIntN(64, v));
  }
  let v = 0;
  for (let i = w - 1; i >= 0; i--) v = v * 256 + a[p + i]!;
  const top = 2 ** (8 * w);
  return String(v >= top / 2 ? v - top : v);
}

/** Redis's intset blob (encoding u32, length u32, little-endian values) of ascending integers. */
export function intsetEncode(vals: ReadonlyArray<number | bigint>): string {
  let w = 2;
  for (const v of vals) {
    const b = BigInt(v);
    if (b < -2147483648n || b > 2147483647n) w = 8;
    else if ((b < -32768n || b > 32767n) && w < 4) w = 4;
  }
  const parts: string[] = [u32le(w), u32le(vals.length)];
  for (const v of vals) {
    const s = u64le(BigInt(v));
    parts.push(s.slice(0, w));
  }
  return parts.join('');
}

/** The integers of an intset blob, as decimal strings; validates width, size and order. */
export function intsetDecode(a: Uint8Array): string[] {
  if (a.length < 8) fail('intset too short');
  const w = (a[0]! | (a[1]! << 8) | (a[2]! << 16) | (a[3]! << 24)) >>> 0;
  const n = (a[4]! | (a[5]! << 8) | (a[6]! << 16) | (a[7]! << 24)) >>> 0;
  if (w !== 2 && w !== 4 && w !== 8) fail('invalid intset encoding');
  if (a.length !== 8 + n * w) fail('intset size mismatch');
  const out: string[] = [];
  let prev: bigint | null = null;
  for (let i = 0; i < n; i++) {
    const s = readIntLE(a, 8 + i * w, w);
    const b = BigInt(s);
    if (prev !== null && b <= prev) fail('intset not sorted');
    prev = b;
    out.push(s);
  }
  return out;
}

/** The elements of a ziplist (Redis ≤ 6.2's packed encoding). */
export function zipDecode(a: Uint8Array): string[] {
  const n = a.length;
  if (n < 11) fail('ziplist too short');
  const total = (a[0]! | (a[1]! << 8) | (a[2]! << 16) | (a[3]! << 24)) >>> 0;
  if (total !== n || a[n - 1] !== 0xff) fail('ziplist size mismatch');
  const count = a[8]! | (a[9]! << 8);
  const out: string[] = [];
  let p = 10;
  const end = n - 1;
  while (p < end) {
    p += a[p]! < 254 ? 1 : 5; // prevlen
    if (p >= end) fail('ziplist entry out of bounds');
    const b = a[p]!;
    let v: string;
    if (b >> 6 === 0 || b >> 6 === 1 || b === 0x80) {
      let L: number;
      if (b >> 6 === 0) {
        L = b & 0x3f;
        p += 1;
      } else if (b >> 6 === 1) {
        if (p + 2 > end) fail('ziplist entry out of bounds');
        L = ((b & 0x3f) << 8) | a[p + 1]!;
        p += 2;
      } else {
        if (p + 5 > end) fail('ziplist entry out of bounds');
        L = ((a[p + 1]! << 24) >>> 0) + (a[p + 2]! << 16) + (a[p + 3]! << 8) + a[p + 4]!;
        p += 5;
      }
      if (p + L > end) fail('ziplist entry out of bounds');
      v = fromBytes(a, p, p + L);
      p += L;
    } else {
      const w = b === 0xc0 ? 2 : b === 0xd0 ? 4 : b === 0xe0 ? 8 : b === 0xf0 ? 3 : b === 0xfe ? 1 : 0;
      if (w === 0) {
        if (b < 0xf1 || b > 0xfd) return fail('invalid ziplist encoding');
        v = String((b & 0x0f) - 1);
        p += 1;
      } else {
        if (p + 1 + w > end) fail('ziplist entry out of bounds');
        v = readIntLE(a, p + 1, w);
        p += 1 + w;
      }
    }
    out.push(v);
  }
  if (count !== 65535 && count !== out.length) fail('ziplist count mismatch');
  return out;
}
