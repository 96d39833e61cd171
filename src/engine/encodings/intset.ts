// Redis's intset as a pure structure: sorted distinct 64-bit integers packed at 16/32/64-bit width.
// Stored as ONE flat one-byte string rather than a typed array: a Uint8Array costs ~150 B of
// object + ArrayBuffer overhead per set, a short string ~16 B (see DESIGN.md), and small sets are
// the common case. Layout: char 0 = width in bytes (2, 4 or 8), then n little-endian integers.
// Like Redis, the width only grows (upgrade on insert), never shrinks on removal.
import { fromBytes } from '../../protocol/bytes.js';
import { isStrictLong } from '../../protocol/numfmt.js';

/** An intset element: a number when it is a safe integer, a bigint otherwise (never both for one value). */
export type Int = number | bigint;

const TWO32 = 4294967296;
const SAFE_HI = 2097152; // 2^21: |hi| below this keeps hi·2^32 + lo within 2^53

export const EMPTY_INTSET = String.fromCharCode(2);

/** The member as an intset element when it is a canonical 64-bit decimal (Redis's string2ll), else null. */
export function parseInt64(m: string): Int | null {
  if (m.length > 20 || !isStrictLong(m)) return null;
  if (m.length < 16) return Number(m);
  const b = BigInt(m);
  return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
}

export function widthOf(v: Int): number {
  if (typeof v === 'bigint') return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

export function isWidth(s: string): number {
  return s.charCodeAt(0);
}

export function isLen(s: string): number {
  return (s.length - 1) / s.charCodeAt(0);
}

/** Element i (0-based, ascending order). */
export function isGet(s: string, i: number): Int {
  const w = s.charCodeAt(0);
  const p = 1 + i * w;
  if (w === 2) {
    const v = s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8);
    return v & 0x8000 ? v - 0x10000 : v;
  }
  const lo = s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8) | (s.charCodeAt(p + 2) << 16) | (s.charCodeAt(p + 3) << 24);
  if (w === 4) return lo;
  const hi = s.charCodeAt(p + 4) | (s.charCodeAt(p + 5) << 8) | (s.charCodeAt(p + 6) << 16) | (s.charCodeAt(p + 7) << 24);
  if (hi >= -SAFE_HI && hi < SAFE_HI) {
    const v = hi * TWO32 + (lo >>> 0);
    if (v >= -9007199254740991 && v <= 9007199254740991) return v;
  }
  return (BigInt(hi) << 32n) + BigInt(lo >>> 0);
}

/** Index of v, or -(insertion point) - 1 when absent (binary search, as intsetSearch). */
export function isSearch(s: string, v: Int): number {
  const n = isLen(s);
  if (n === 0) return -1;
  // Values wider than the encoding cannot be present; they go at one end.
  if (widthOf(v) > s.charCodeAt(0)) return v < 0 ? -1 : -n - 1;
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = isGet(s, mid);
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export function isFind(s: string, v: Int): boolean {
  return isSearch(s, v) >= 0;
}

function put(out: Uint8Array, p: number, w: number, v: Int): void {
  if (w <= 4) {
    const x = v as number;
    out[p] = x & 255;
    out[p + 1] = (x >> 8) & 255;
    if (w === 4) {
      out[p + 2] = (x >> 16) & 255;
      out[p + 3] = (x >>> 24) & 255;
    }
    return;
  }
  let lo: number;
  let hi: number;
  if (typeof v === 'bigint') {
    lo = Number(BigInt.asUintN(32, v));
    hi = Number(BigInt.asIntN(32, v >> 32n));
  } else {
    lo = ((v % TWO32) + TWO32) % TWO32;
    hi = (v - lo) / TWO32;
  }
  for (let k = 0; k < 4; k++) out[p + k] = (lo >>> (8 * k)) & 255;
  for (let k = 0; k < 4; k++) out[p + 4 + k] = (hi >> (8 * k)) & 255;
}

let scratch = new Uint8Array(1024);
function buf(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** The intset with v added, or null when v is already present. Upgrades the width when needed. */
export function isAdd(s: string, v: Int): string | null {
  const pos = isSearch(s, v);
  if (pos >= 0) return null;
  const at = -pos - 1;
  const n = isLen(s);
  const w0 = s.charCodeAt(0);
  const w = Math.max(w0, widthOf(v));
  const out = buf(1 + (n + 1) * w);
  out[0] = w;
  if (w === w0) {
    // Same width: copy the bytes around the gap.
    const cut = 1 + at * w;
    for (let i = 1; i < cut; i++) out[i] = s.charCodeAt(i);
    put(out, cut, w, v);
    for (let i = cut; i < s.length; i++) out[i + w] = s.charCodeAt(i);
  } else {
    for (let i = 0, j = 0; i <= n; i++) put(out, 1 + i * w, w, i === at ? v : isGet(s, j++));
  }
  return fromBytes(out, 0, 1 + (n + 1) * w);
}

/** The intset without v, or null when v is absent. The width is kept (Redis never downgrades). */
export function isRemove(s: string, v: Int): string | null {
  const pos = isSearch(s, v);
  if (pos < 0) return null;
  const w = s.charCodeAt(0);
  const cut = 1 + pos * w;
  const out = buf(s.length - w);
  for (let i = 0; i < cut; i++) out[i] = s.charCodeAt(i);
  for (let i = cut + w; i < s.length; i++) out[i - w] = s.charCodeAt(i);
  return fromBytes(out, 0, s.length - w);
}

/** An intset of the given ascending distinct values. */
export function isFromSorted(vals: readonly Int[]): string {
  let w = 2;
  for (const v of vals) w = Math.max(w, widthOf(v));
  const out = buf(1 + vals.length * w);
  out[0] = w;
  for (let i = 0; i < vals.length; i++) put(out, 1 + i * w, w, vals[i]!);
  return fromBytes(out, 0, 1 + vals.length * w);
}

/** Every member as its decimal string, ascending. */
export function isMembers(s: string): string[] {
  const n = isLen(s);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = String(isGet(s, i));
  return out;
}

/** Number of decimal characters of v (sign included), as Redis's sdigits10. */
export function digits(v: Int): number {
  return String(v).length;
}
