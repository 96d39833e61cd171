// HyperLogLog with Redis's exact representation (hyperloglog.c): the 16-byte "HYLL" header, dense
// 6-bit registers and the sparse ZERO/XZERO/VAL opcodes, so values are byte-identical with Redis.
import { murmur64a } from './murmur2.js';

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_SPARSE_VAL_MAX_VALUE = 32;
const HLL_SPARSE_VAL_MAX_LEN = 4;
const HLL_SPARSE_ZERO_MAX_LEN = 64;
const HLL_SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.721347520444481703680;
const SEED = 0xadc83b19;

export const INVALID_HLL_ERR = 'INVALIDOBJ Corrupted HLL object detected';
export const NOT_HLL_ERR = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

/**
 * A value being worked on: bytes [0, len) of `b`. The buffer keeps spare room (and a zero byte
 * past the end, as an sds has its terminator) so sparse splits can grow in place.
 */
export interface HllBuf {
  b: Uint8Array;
  len: number;
}

export function bufFromString(s: string): HllBuf {
  const b = new Uint8Array(s.length + 8);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return { b, len: s.length };
}

export function bufToString(h: HllBuf): string {
  const parts: string[] = [];
  for (let i = 0; i < h.len; i += 8192) {
    parts.push(String.fromCharCode.apply(null, h.b.subarray(i, Math.min(h.len, i + 8192)) as unknown as number[]));
  }
  return parts.length === 1 ? parts[0]! : parts.join('');
}

/** isHLLObjectOrReply without the type check: header magic, known encoding, dense size. */
export function isHllString(s: string): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 || s.charCodeAt(3) !== 76) return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_SPARSE) return false;
  if (enc === HLL_DENSE && s.length !== HLL_DENSE_SIZE) return false;
  return true;
}

/** createHLLObject: an empty sparse HLL (two XZERO opcodes covering 16384 registers). */
export function newHll(): HllBuf {
  const len = HLL_HDR_SIZE + 2 * Math.ceil(HLL_REGISTERS / HLL_SPARSE_XZERO_MAX_LEN);
  const b = new Uint8Array(len + 8);
  b.set([72, 89, 76, 76, HLL_SPARSE]);
  let p = HLL_HDR_SIZE;
  for (let aux = HLL_REGISTERS; aux > 0;) {
    const x = Math.min(HLL_SPARSE_XZERO_MAX_LEN, aux);
    xzeroSet(b, p, x);
    p += 2;
    aux -= x;
  }
  return { b, len };
}

// --- opcodes -------------------------------------------------------------------------------------

const isZero = (v: number) => (v & 0xc0) === 0;
const isXzero = (v: number) => (v & 0xc0) === 0x40;
const isVal = (v: number) => (v & 0x80) !== 0;
const zeroLen = (v: number) => (v & 0x3f) + 1;
const xzeroLen = (b: Uint8Array, p: number) => (((b[p]! & 0x3f) << 8) | b[p + 1]!) + 1;
const valValue = (v: number) => ((v >> 2) & 0x1f) + 1;
const valLen = (v: number) => (v & 0x3) + 1;
const valOp = (val: number, len: number) => (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;
function xzeroSet(b: Uint8Array, p: number, len: number): void {
  const l = len - 1;
  b[p] = (l >> 8) | 0x40;
  b[p + 1] = l & 0xff;
}

// --- dense registers -----------------------------------------------------------------------------

function denseGet(b: Uint8Array, base: number, reg: number): number {
  const byte = base + ((reg * HLL_BITS) >> 3);
  const fb = (reg * HLL_BITS) & 7;
  return ((b[byte]! >> fb) | (b[byte + 1]! << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetReg(b: Uint8Array, base: number, reg: number, val: number): void {
  const byte = base + ((reg * HLL_BITS) >> 3);
  const fb = (reg * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  b[byte + 1] = (b[byte + 1]! & ~(HLL_REGISTER_MAX >> fb8)) | (val >> fb8);
}

function denseSet(b: Uint8Array, reg: number, count: number): number {
  if (count > denseGet(b, HLL_HDR_SIZE, reg)) {
    denseSetReg(b, HLL_HDR_SIZE, reg, count);
    return 1;
  }
  return 0;
}

// --- hashing -------------------------------------------------------------------------------------

let patReg = 0;

/** hllPatLen: the register (left in patReg) and the run of zeros + 1 of the rest of the hash. */
export function patLen(ele: string): number {
  const [hi, lo] = murmur64a(ele, SEED);
  patReg = lo & HLL_P_MASK;
  const low = lo >>> 14; // bits 14..31 of the hash: the first 18 bits after the index
  let tz: number;
  if (low !== 0) tz = 31 - Math.clz32(low & -low);
  else if (hi !== 0) tz = 18 + 31 - Math.clz32(hi & -hi);
  else tz = HLL_Q; // Redis sets bit Q so the run stops there
  if (tz > HLL_Q) tz = HLL_Q;
  return tz + 1;
}

export function patRegister(): number {
  return patReg;
}

// --- sparse --------------------------------------------------------------------------------------

function ensure(h: HllBuf, extra: number): void {
  if (h.len + extra + 1 <= h.b.length) return;
  const nb = new Uint8Array(Math.max(h.len + extra + 1, h.b.length * 2));
  nb.set(h.b.subarray(0, h.len));
  h.b = nb;
}

/** hllSparseToDense: false when the sparse data does not cover exactly 16384 registers. */
export function sparseToDense(h: HllBuf): boolean {
  const s = h.b;
  if (s[4] === HLL_DENSE) return true;
  const d = new Uint8Array(HLL_DENSE_SIZE + 8);
  d.set(s.subarray(0, HLL_HDR_SIZE)); // magic, unused bytes and cached cardinality
  d[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = h.len;
  while (p < end) {
    const op = s[p]!;
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      idx += xzeroLen(s, p);
      p += 2;
    } else {
      let runlen = valLen(op);
      const regval = valValue(op);
      // A run past the last register is corruption (Redis's CVE-2025-32023 fix, which the 7.0.15
      // oracle carries: 7.0.15's source merely stopped there).
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen--) denseSetReg(d, HLL_HDR_SIZE, idx++, regval);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.b = d;
  h.len = HLL_DENSE_SIZE;
  return true;
}

/** hllSparseSet, step by step as Redis does it (so the opcode sequence is byte-identical). */
function sparseSet(h: HllBuf, index: number, count: number, sparseMax: number): number {
  if (count > HLL_SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  ensure(h, 3);
  let b = h.b;
  const sparse = HLL_HDR_SIZE;
  let p = sparse;
  let end = h.len;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    let oplen = 1;
    const op = b[p]!;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(b, p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  let next = isXzero(b[p]!) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const op = b[p]!;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const val = !zero && !xzero;
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(b, p) : valLen(op);

  let done = false;
  if (val) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valOp(count, 1);
      done = true;
    }
  }
  if (!done && zero && runlen === 1) {
    b[p] = valOp(count, 1);
    done = true;
  }
  if (!done) {
    // Split the opcode into at most XZERO-VAL-XZERO (5 bytes) and put it in place of the old one.
    const seq: number[] = [];
    const last = first + span - 1;
    const zeros = (len: number) => {
      if (len > HLL_SPARSE_ZERO_MAX_LEN) {
        const l = len - 1;
        seq.push((l >> 8) | 0x40, l & 0xff);
      } else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (index !== first) zeros(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) zeros(last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && h.len + delta > sparseMax) return promote(h, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    h.len += delta;
    if (delta < 0) b.fill(0, h.len, h.len - delta);
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i]!;
    end += delta;
  }

  // Merge adjacent VAL opcodes with the same value, scanning up to 5 opcodes from prev.
  p = prev >= 0 ? prev : sparse;
  let scan = 5;
  b = h.b;
  while (p < end && scan--) {
    const o = b[p]!;
    if (isXzero(o)) {
      p += 2;
      continue;
    } else if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1]!)) {
      const v1 = valValue(o);
      const v2 = valValue(b[p + 1]!);
      if (v1 === v2) {
        const len = valLen(o) + valLen(b[p + 1]!);
        if (len <= HLL_SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end);
          h.len--;
          end--;
          b[end] = 0;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(h);
  return 1;
}

function promote(h: HllBuf, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  return denseSet(h.b, index, count);
}

export function invalidateCache(h: HllBuf): void {
  h.b[15] = h.b[15]! | 0x80;
}

/** hllAdd: 1 when a register changed, 0 when not, -1 for a corrupted value. */
export function hllAdd(h: HllBuf, ele: string, sparseMax: number): number {
  const count = patLen(ele);
  const reg = patReg;
  const enc = h.b[4];
  if (enc === HLL_DENSE) return denseSet(h.b, reg, count);
  if (enc === HLL_SPARSE) return sparseSet(h, reg, count, sparseMax);
  return -1;
}

/** hllMerge: max[i] = max(max[i], register i); false for a corrupted sparse value. */
export function hllMerge(max: Uint8Array, s: string): boolean {
  if (s.charCodeAt(4) === HLL_DENSE) {
    const b = bufFromString(s).b;
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(b, HLL_HDR_SIZE, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = s.length;
  while (p < end) {
    const op = s.charCodeAt(p);
    if (isZero(op)) {
      i += zeroLen(op);
      p++;
    } else if (isXzero(op)) {
      i += ((((op & 0x3f) << 8) | (p + 1 < end ? s.charCodeAt(p + 1) : 0)) + 1);
      p += 2;
    } else {
      let runlen = valLen(op);
      const regval = valValue(op);
      if (runlen + i > HLL_REGISTERS) return false; // corruption, as in sparseToDense
      while (runlen--) {
        if (regval > max[i]!) max[i] = regval;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** Write merged registers into a value (PFMERGE's final loop). */
export function hllSetRegisters(h: HllBuf, max: Uint8Array, sparseMax: number): void {
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    if (h.b[4] === HLL_DENSE) denseSet(h.b, j, max[j]!);
    else sparseSet(h, j, max[j]!, sparseMax);
  }
}

// --- counting ------------------------------------------------------------------------------------

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** An estimate: a number while it is exact as one, past 2^53 a bigint (Redis's uint64 as int64). */
export type Card = number | bigint;

/** Redis's hllCount over a register histogram (Ertl's improved estimator). */
function countFromHisto(reghisto: Int32Array): Card {
  const m = HLL_REGISTERS;
  let z = m * tau((m - reghisto[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j]!;
    z *= 0.5;
  }
  z += m * sigma(reghisto[0]! / m);
  // llroundl of the double quotient (Math.round is exact: halves go up, and the estimate is never
  // negative), then (uint64_t) of it through a double: exact below 2^63, where every double is an
  // integer already. At 2^63 and beyond (and for +inf) x86-64's llroundl answers LLONG_MIN, whose
  // conversion to uint64 is 2^63; PFCOUNT replies it as a long long: -2^63 (its cache bytes are
  // the same, with the "invalid" bit set).
  const e = Math.round(HLL_ALPHA_INF * m * m / z);
  if (e < 2 ** 53) return e;
  return e < 2 ** 63 ? BigInt(e) : -(1n << 63n);
}

/** The estimate for a stored value; null when its sparse data is corrupted. */
export function hllCount(s: string): Card | null {
  const histo = new Int32Array(64);
  if (s.charCodeAt(4) === HLL_DENSE) {
    const b = bufFromString(s).b;
    for (let i = 0; i < HLL_REGISTERS; i++) histo[denseGet(b, HLL_HDR_SIZE, i)]!++;
  } else {
    let idx = 0;
    let p = HLL_HDR_SIZE;
    const end = s.length;
    while (p < end) {
      const op = s.charCodeAt(p);
      let runlen: number;
      if (isZero(op)) {
        runlen = zeroLen(op);
        histo[0] = histo[0]! + runlen;
        p++;
      } else if (isXzero(op)) {
        runlen = (((op & 0x3f) << 8) | (p + 1 < end ? s.charCodeAt(p + 1) : 0)) + 1;
        histo[0] = histo[0]! + runlen;
        p += 2;
      } else {
        runlen = valLen(op);
        histo[valValue(op)] = histo[valValue(op)]! + runlen;
        p++;
      }
      idx += runlen;
    }
    if (idx !== HLL_REGISTERS) return null;
  }
  return countFromHisto(histo);
}

/** The estimate for raw registers (one byte each), as PFCOUNT of several keys computes it. */
export function countRegisters(max: Uint8Array): Card {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]!]!++;
  return countFromHisto(histo);
}

/** The cached cardinality when valid (the MSB of byte 15 clear), else null. */
export function cachedCard(s: string): Card | null {
  if (s.charCodeAt(15) & 0x80) return null;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(s.charCodeAt(8 + i));
  return v < 1n << 53n ? Number(v) : v;
}

/** The value with `card` stored as its (valid) cached cardinality. */
export function withCachedCard(s: string, card: Card): string {
  let hdr = '';
  let v = BigInt(card);
  // Little-endian uint64: an estimate of 2^63 sets the "invalid" bit, as it does in Redis.
  for (let i = 0; i < 8; i++) {
    hdr += String.fromCharCode(Number(v & 0xffn));
    v >>= 8n;
  }
  return [s.slice(0, 8), hdr, s.slice(16)].join('');
}

/** The registers of a value as 16384 numbers (PFDEBUG GETREG on a dense value). */
export function denseRegisters(s: string): number[] {
  const b = bufFromString(s).b;
  const out = new Array<number>(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(b, HLL_HDR_SIZE, i);
  return out;
}

/** PFDEBUG DECODE's text for a sparse value. */
export function decodeSparse(s: string): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < s.length) {
    const op = s.charCodeAt(p);
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXzero(op)) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (p + 1 < s.length ? s.charCodeAt(p + 1) : 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}
