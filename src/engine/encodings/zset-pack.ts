// The small sorted set encoding (Redis's listpack analogue): one flat byte string holding
// (member, score) entries sorted by score then member. An entry is a varint member length, the
// member bytes, a one-byte score length and the score's shortest round-trip decimal text.
// Small sets are small by the thresholds, so operations decode and rebuild it linearly.

export interface ZEntries {
  m: string[];
  s: number[];
}

/** Redis 7.0's listpack keeps integral scores as integers, so -0 is stored (and read back) as 0. */
export function encodeScore(x: number): string {
  return String(x);
}

/** Build the packed string from entries already in order. */
export function packEncode(m: readonly string[], s: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < m.length; i++) {
    const mem = m[i]!;
    let n = mem.length;
    let len = '';
    while (n >= 0x80) {
      len += String.fromCharCode((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    len += String.fromCharCode(n);
    const sc = encodeScore(s[i]!);
    parts.push(len, mem, String.fromCharCode(sc.length), sc);
  }
  // join makes a flat string; repeated `+` would build a rope that costs ~3x the memory.
  return flat(parts.join(''));
}

/** Force a flat (sequential) one-byte string: V8 flattens on first indexed access. */
function flat(s: string): string {
  if (s.length) s.charCodeAt(0);
  return s;
}

/** Where the last readVarint stopped (a module variable: no tuple allocated per entry). */
let varintEnd = 0;

/** A base-128 length (7 bits per byte, high bit = more) at p[i]; sets varintEnd. */
function readVarint(p: string, i: number): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = p.charCodeAt(i++);
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  varintEnd = i;
  return n;
}

/** Decode every entry. */
export function packDecode(p: string): ZEntries {
  const m: string[] = [];
  const s: number[] = [];
  let i = 0;
  while (i < p.length) {
    const n = readVarint(p, i);
    i = varintEnd;
    m.push(p.slice(i, i + n));
    i += n;
    const sl = p.charCodeAt(i++);
    s.push(Number(p.slice(i, i + sl)));
    i += sl;
  }
  return { m, s };
}

/** The number of entries, without decoding members or scores. */
export function packCount(p: string): number {
  let c = 0;
  let i = 0;
  while (i < p.length) {
    const n = readVarint(p, i);
    i = varintEnd;
    i += n;
    i += p.charCodeAt(i) + 1;
    c++;
  }
  return c;
}

/** The score of `member`, or undefined; a linear scan that builds no arrays. */
export function packScore(p: string, member: string): number | undefined {
  let i = 0;
  const ml = member.length;
  while (i < p.length) {
    const n = readVarint(p, i);
    i = varintEnd;
    const hit = n === ml && p.startsWith(member, i);
    i += n;
    const sl = p.charCodeAt(i++);
    if (hit) return Number(p.slice(i, i + sl));
    i += sl;
  }
  return undefined;
}

/** Index where (score, member) belongs in sorted entries. */
export function insertPos(e: ZEntries, score: number, member: string): number {
  let lo = 0;
  let hi = e.m.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = e.s[mid]!;
    if (s < score || (s === score && e.m[mid]! < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
