// Hash "listpack": a small hash as ONE flat byte string (DESIGN.md: ~3x cheaper than a Map).
// Layout: varint(count) then, per entry in insertion order, varint(flen) field varint(vlen) value.
// Varints are LEB128 (7 bits per byte, low first), so short lengths cost one byte. Every edit
// builds a new string with join(), which yields a flat one-byte string (a `+` chain would leave
// a cons string, several times larger).

/** Encode a non-negative integer as LEB128 bytes. */
export function varint(n: number): string {
  if (n < 0x80) return String.fromCharCode(n);
  let s = '';
  while (n >= 0x80) {
    s += String.fromCharCode((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return s + String.fromCharCode(n);
}

/** Read a varint at `pos`; returns value and writes the next position into cur[0]. */
function readVar(s: string, cur: number[]): number {
  let pos = cur[0]!;
  let b = s.charCodeAt(pos++);
  if (b < 0x80) {
    cur[0] = pos;
    return b;
  }
  let n = b & 0x7f;
  let mul = 0x80;
  for (;;) {
    b = s.charCodeAt(pos++);
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  cur[0] = pos;
  return n;
}

export const EMPTY_PACK = '\0';

/** Number of entries (O(1): stored in the header). */
export function packCount(s: string): number {
  return readVar(s, [0]);
}

/** Where one entry lives: [start, valueStart, valueEnd) — the entry ends at valueEnd. */
export interface PackSlot {
  start: number;
  vStart: number;
  vEnd: number;
}

const scratch = [0];

/** Find a field; null when absent. Linear: packed hashes are small by construction. */
export function packFind(s: string, field: string): PackSlot | null {
  const cur = scratch;
  cur[0] = 0;
  const n = readVar(s, cur);
  const fl = field.length;
  for (let i = 0; i < n; i++) {
    const start = cur[0]!;
    const flen = readVar(s, cur);
    const fStart: number = cur[0]!;
    cur[0] = fStart + flen;
    const vlen = readVar(s, cur);
    const vStart: number = cur[0]!;
    cur[0] = vStart + vlen;
    if (flen === fl && s.startsWith(field, fStart)) return { start, vStart, vEnd: vStart + vlen };
  }
  return null;
}

export function packGet(s: string, field: string): string | undefined {
  const slot = packFind(s, field);
  return slot === null ? undefined : s.slice(slot.vStart, slot.vEnd);
}

function headerLen(s: string): number {
  const cur = [0];
  readVar(s, cur);
  return cur[0]!;
}

/** Set field to value: replaced in place (keeping its position) or appended. */
export function packSet(s: string, field: string, value: string): { s: string; added: boolean } {
  const slot = packFind(s, field);
  if (slot !== null) {
    // The value's length prefix sits just before it; rebuild [prefix value] for the new value.
    const cur = [slot.start];
    const flen = readVar(s, cur);
    const vlenAt = cur[0]! + flen;
    return { s: [s.slice(0, vlenAt), varint(value.length), value, s.slice(slot.vEnd)].join(''), added: false };
  }
  const n = packCount(s);
  return {
    s: [varint(n + 1), s.slice(headerLen(s)), varint(field.length), field, varint(value.length), value].join(''),
    added: true,
  };
}

/** Delete a field; null when it was absent. */
export function packDel(s: string, field: string): string | null {
  const slot = packFind(s, field);
  if (slot === null) return null;
  const n = packCount(s);
  return [varint(n - 1), s.slice(headerLen(s), slot.start), s.slice(slot.vEnd)].join('');
}

/** Visit entries in order; stop early when fn returns false. */
export function packEach(s: string, fn: (field: string, value: string) => boolean | void): void {
  const cur = [0];
  const n = readVar(s, cur);
  for (let i = 0; i < n; i++) {
    const flen = readVar(s, cur);
    const f = s.slice(cur[0]!, cur[0]! + flen);
    cur[0] = cur[0]! + flen;
    const vlen = readVar(s, cur);
    const v = s.slice(cur[0]!, cur[0]! + vlen);
    cur[0] = cur[0]! + vlen;
    if (fn(f, v) === false) return;
  }
}

/** Build a pack from pairs (fields assumed distinct). */
export function packFrom(pairs: ReadonlyArray<readonly [string, string]>): string {
  const parts: string[] = [varint(pairs.length)];
  for (const [f, v] of pairs) parts.push(varint(f.length), f, varint(v.length), v);
  return parts.join('');
}

/** The i-th entry (0-based), or undefined past the end. */
export function packAt(s: string, index: number): [string, string] | undefined {
  let out: [string, string] | undefined;
  let i = 0;
  packEach(s, (f, v) => {
    if (i++ === index) {
      out = [f, v];
      return false;
    }
    return true;
  });
  return out;
}
