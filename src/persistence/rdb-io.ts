// RDB primitives (Redis 7.0, RDB version 10): type and opcode numbers, the length and string
// encodings (int-encoded and LZF-compressed strings), times and doubles, as a byte-string writer
// and a bounds-checked reader over bytes. Corrupt input throws RdbError, which callers turn into
// Redis's replies ("Bad data format") or a clear import error.
import { fromBytes } from '../protocol/bytes.js';
import { isStrictLong } from '../protocol/numfmt.js';
import { lzfCompress, lzfDecompress } from './lzf.js';

export const RDB_VERSION = 10;

// Object types (rdb.h).
export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_ZSET_2 = 5;
export const T_HASH_ZIPMAP = 9;
export const T_LIST_ZIPLIST = 10;
export const T_SET_INTSET = 11;
export const T_ZSET_ZIPLIST = 12;
export const T_HASH_ZIPLIST = 13;
export const T_LIST_QUICKLIST = 14;
export const T_STREAM_LISTPACKS = 15;
export const T_HASH_LISTPACK = 16;
export const T_ZSET_LISTPACK = 17;
export const T_LIST_QUICKLIST_2 = 18;
export const T_STREAM_LISTPACKS_2 = 19;
/** Redis 7.2's types, accepted on load. */
export const T_SET_LISTPACK = 20;
export const T_STREAM_LISTPACKS_3 = 21;
/** Redis 7.4's hash with field TTLs: written only for hashes that have some (RDB 10 cannot say it). */
export const T_HASH_METADATA = 24;

// Opcodes of the file format.
export const OP_FUNCTION2 = 245;
export const OP_FUNCTION = 246;
export const OP_MODULE_AUX = 247;
export const OP_IDLE = 248;
export const OP_FREQ = 249;
export const OP_AUX = 250;
export const OP_RESIZEDB = 251;
export const OP_EXPIRETIME_MS = 252;
export const OP_EXPIRETIME = 253;
export const OP_SELECTDB = 254;
export const OP_EOF = 255;

/** Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2). */
export const QL_PLAIN = 1;
export const QL_PACKED = 2;

export class RdbError extends Error {}

export const fail = (msg: string): never => {
  throw new RdbError(msg);
};

const chr = String.fromCharCode;

function u32be(n: number): string {
  return chr((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function u32le(n: number): string {
  return chr(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

/** 8 little-endian bytes of a 64-bit integer (negative values in two's complement). */
export function u64le(v: bigint): string {
  let x = BigInt.asUintN(64, v);
  let s = '';
  for (let i = 0; i < 8; i++) {
    s += chr(Number(x & 0xffn));
    x >>= 8n;
  }
  return s;
}

function u64be(v: bigint): string {
  let s = '';
  for (let i = 7; i >= 0; i--) s += chr(Number((v >> BigInt(8 * i)) & 0xffn));
  return s;
}

/** A 128-bit stream ID as Redis keys its radix trees: ms then seq, both big-endian. */
export function rawId(id: bigint): string {
  return u64be(id >> 64n) + u64be(BigInt.asUintN(64, id));
}

/** Builds RDB bytes as a list of byte strings (joined once at the end). */
export class Writer {
  parts: string[] = [];
  size = 0;
  /** rdbcompression: LZF for strings over 20 bytes, as Redis's default. */
  constructor(readonly compress = true) {}

  raw(s: string): this {
    this.parts.push(s);
    this.size += s.length;
    return this;
  }
  byte(b: number): this {
    return this.raw(chr(b));
  }
  /** rdbSaveLen. */
  len(n: number | bigint): this {
    // Redis picks the shortest form whatever the C type (stream ids are 64-bit): so must we.
    if (typeof n === 'bigint' && n >= 0n && n <= 0xffffffffn) n = Number(n);
    if (typeof n === 'number' && n < 64) return this.byte(n);
    if (typeof n === 'number' && n < 16384) return this.raw(chr(0x40 | (n >> 8), n & 0xff));
    if (typeof n === 'number' && n <= 0xffffffff) return this.raw(chr(0x80) + u32be(n));
    return this.raw(chr(0x81) + u64be(BigInt.asUintN(64, BigInt(n))));
  }
  /** rdbSaveRawString: int encoding for short decimals, LZF over 20 bytes, else plain. */
  str(s: string): this {
    const n = s.length;
    if (n <= 11 && n > 0 && isStrictLong(s)) {
      const v = Number(s);
      if (v >= -128 && v <= 127) return this.raw(chr(0xc0, v & 0xff));
      if (v >= -32768 && v <= 32767) return this.raw(chr(0xc1, v & 0xff, (v >> 8) & 0xff));
      if (v >= -2147483648 && v <= 2147483647) return this.raw(chr(0xc2) + u32le(v));
    }
    if (this.compress && n > 20) {
      const c = lzfCompress(s, n - 4);
      if (c !== null) {
        this.byte(0xc3).len(c.length).len(n);
        return this.raw(c);
      }
    }
    return this.len(n).raw(s);
  }
  /** rdbSaveMillisecondTime: 8 bytes little-endian. */
  ms(t: number | bigint): this {
    return this.raw(u64le(BigInt(t)));
  }
  /** rdbSaveBinaryDoubleValue: IEEE 754, little-endian. */
  binDouble(x: number): this {
    f64[0] = x;
    let s = '';
    for (let i = 0; i < 8; i++) s += chr(f64b[LITTLE ? i : 7 - i]!);
    return this.raw(s);
  }
  /** The bytes written so far, leaving the writer empty. */
  drain(): string {
    const s = this.parts.join('');
    this.parts = [];
    this.size = 0;
    return s;
  }
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads RDB bytes; every read is bounds-checked (a truncated payload is an RdbError). */
export class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) fail('unexpected end of data');
    this.pos = p + n;
    return p;
  }
  byte(): number {
    return this.buf[this.need(1)]!;
  }
  bytes(n: number): Uint8Array {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }
  rawStr(n: number): string {
    const p = this.need(n);
    return fromBytes(this.buf, p, p + n);
  }
  /** rdbLoadLenByRef: a length, or (enc = true) a special string encoding number. */
  lenOrEnc(): { enc: boolean; v: number } {
    const b = this.byte();
    const t = b >> 6;
    if (t === 0) return { enc: false, v: b & 0x3f };
    if (t === 1) return { enc: false, v: ((b & 0x3f) << 8) | this.byte() };
    if (t === 3) return { enc: true, v: b & 0x3f };
    if (b === 0x80) {
      const p = this.need(4);
      const a = this.buf;
      return { enc: false, v: ((a[p]! << 24) >>> 0) + (a[p + 1]! << 16) + (a[p + 2]! << 8) + a[p + 3]! };
    }
    if (b === 0x81) {
      const v = this.u64be();
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('length too large');
      return { enc: false, v: Number(v) };
    }
    return fail(`unknown length encoding ${b}`);
  }
  len(): number {
    const r = this.lenOrEnc();
    if (r.enc) fail('unexpected string encoding where a length was expected');
    return r.v;
  }
  /** A length read as a full 64-bit unsigned value (stream IDs and counters). */
  lenBig(): bigint {
    const b = this.buf[this.pos];
    if (b === 0x81) {
      this.pos++;
      return this.u64be();
    }
    return BigInt(this.len());
  }
  private u64be(): bigint {
    const p = this.need(8);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.buf[p + i]!);
    return v;
  }
  u64le(): bigint {
    const p = this.need(8);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[p + i]!);
    return v;
  }
  /** A 16-byte big-endian stream ID (raw, as in PELs and radix-tree keys). */
  rawId(): bigint {
    const ms = this.u64be();
    return (ms << 64n) | this.u64be();
  }
  /** rdbGenericLoadStringObject, as bytes (blobs: listpacks, intsets, ziplists). */
  blob(): Uint8Array {
    const { enc, v } = this.lenOrEnc();
    if (!enc) return this.bytes(v);
    const s = this.intEnc(v);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  /** rdbGenericLoadStringObject, as a byte string. */
  str(): string {
    const { enc, v } = this.lenOrEnc();
    if (!enc) return this.rawStr(v);
    return this.intEnc(v);
  }
  private intEnc(kind: number): string {
    const a = this.buf;
    switch (kind) {
      case 0: {
        const x = a[this.need(1)]!;
        return String(x > 127 ? x - 256 : x);
      }
      case 1: {
        const p = this.need(2);
        const x = a[p]! | (a[p + 1]! << 8);
        return String(x > 32767 ? x - 65536 : x);
      }
      case 2: {
        const p = this.need(4);
        return String(a[p]! | (a[p + 1]! << 8) | (a[p + 2]! << 16) | (a[p + 3]! << 24));
      }
      case 3: {
        const clen = this.len();
        const len = this.len();
        const out = lzfDecompress(this.bytes(clen), len);
        if (out === null) fail('Invalid LZF compressed string');
        return fromBytes(out!);
      }
      default:
        return fail(`unknown string encoding ${kind}`);
    }
  }
  /** Step over a string without decoding it (LZF bodies are not decompressed): framing only. */
  skipStr(): void {
    const { enc, v } = this.lenOrEnc();
    if (!enc) {
      this.need(v);
      return;
    }
    if (v === 0) this.need(1);
    else if (v === 1) this.need(2);
    else if (v === 2) this.need(4);
    else if (v === 3) {
      const clen = this.len();
      this.len();
      this.need(clen);
    } else fail(`unknown string encoding ${v}`);
  }
  /** rdbLoadMillisecondTime. */
  ms(): number {
    return Number(BigInt.asIntN(64, this.u64le()));
  }
  /** rdbLoadBinaryDoubleValue. */
  binDouble(): number {
    const p = this.need(8);
    for (let i = 0; i < 8; i++) f64b[LITTLE ? i : 7 - i] = this.buf[p + i]!;
    return f64[0]!;
  }
  /** rdbLoadDoubleValue (RDB_TYPE_ZSET): a length byte, 253 nan, 254 +inf, 255 -inf, else ASCII. */
  oldDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const s = this.rawStr(n);
    const v = Number(s);
    if (s.trim() === '' || Number.isNaN(v)) {
      const l = s.toLowerCase();
      if (l === 'inf' || l === '+inf') return Infinity;
      if (l === '-inf') return -Infinity;
      fail('invalid double');
    }
    return v;
  }
}
