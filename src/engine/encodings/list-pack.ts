// A packed run of list entries in one flat one-byte string (the list's analogue of a listpack node):
// each entry is <len varint><bytes><len varint reversed>, so it can be read from either end.

/** The varint header of a length: 7 bits per byte, low group first, 0x80 = more follow. */
function lenHeader(n: number): string {
  if (n < 0x80) return String.fromCharCode(n);
  let h = '';
  while (n >= 0x80) {
    h += String.fromCharCode((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return h + String.fromCharCode(n);
}

function reversed(s: string): string {
  let r = '';
  for (let i = s.length - 1; i >= 0; i--) r += s[i];
  return r;
}

/** Bytes one entry of `len` payload bytes takes in a node. */
export function entrySize(len: number): number {
  const h = len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5;
  return len + 2 * h;
}

/** One encoded entry. */
export function encodeEntry(v: string): string {
  const h = lenHeader(v.length);
  return h.length === 1 ? h + v + h : h + v + reversed(h);
}

/**
 * A flat (sequential) copy of s[a, b). V8 makes slices and concatenations into views that keep
 * their parents alive (a popped node would pin its old bytes); reading a char code of a
 * concatenation flattens it into a fresh string, and the views become garbage.
 */
export function flatSlice(s: string, a: number, b: number): string {
  const n = b - a;
  if (n < 26) return s.slice(a, b); // short results are always copied
  const m = a + (n >> 1);
  const r = s.slice(a, m) + s.slice(m, b);
  r.charCodeAt(0);
  return r;
}

/** Flatten a string built by concatenation (see flatSlice). */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** Pack entries [from, to) of `items` into one node string. */
export function pack(items: readonly string[], from = 0, to = items.length): string {
  const parts = new Array<string>(to - from);
  for (let i = from; i < to; i++) parts[i - from] = encodeEntry(items[i]!);
  return flat(parts.join(''));
}

/** Read the entry starting at `off`: [value, offset of the next entry]. */
export function readAt(s: string, off: number): [string, number] {
  let b = s.charCodeAt(off++);
  let len = b & 0x7f;
  let h = 1;
  let mul = 128;
  while (b & 0x80) {
    b = s.charCodeAt(off++);
    len += (b & 0x7f) * mul;
    mul *= 128;
    h++;
  }
  return [s.slice(off, off + len), off + len + h];
}

/** The entry ending just before `end`: [value, offset where it starts]. */
export function readBefore(s: string, end: number): [string, number] {
  let p = end - 1;
  let b = s.charCodeAt(p);
  let len = b & 0x7f;
  let h = 1;
  let mul = 128;
  while (b & 0x80) {
    b = s.charCodeAt(--p);
    len += (b & 0x7f) * mul;
    mul *= 128;
    h++;
  }
  const start = p - len - h;
  return [s.slice(p - len, p), start];
}

/** Every entry of a node, in order. */
export function unpack(s: string, n?: number): string[] {
  const out: string[] = n === undefined ? [] : new Array<string>(n);
  let off = 0;
  let i = 0;
  while (off < s.length) {
    const r = readAt(s, off);
    out[i++] = r[0];
    off = r[1];
  }
  return out;
}

/** Offset just past the first k entries. */
export function skip(s: string, k: number): number {
  let off = 0;
  for (let i = 0; i < k; i++) off = readAt(s, off)[1];
  return off;
}

/** Offset where the last k entries start. */
export function skipBack(s: string, k: number): number {
  let end = s.length;
  for (let i = 0; i < k; i++) end = readBefore(s, end)[1];
  return end;
}
