// Bitmap commands on string values (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD(_RO).
import { E, ONE, ZERO, NIL, arr, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { isFrame } from './args.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

/** V8's longest string: a bitmap past it cannot exist in memory. */
const MAX_JS_STRING = (1 << 29) - 24;
const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';
const tooBig = (): Frame => err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');

/** getBitOffsetFromArgument: `#N` means N * bits when allowed; the offset stays within proto-max-bulk-len bytes. */
function bitOffset(c: Ctx, s: string, hash: boolean, bits: number): number | Frame {
  const usehash = hash && bits > 0 && s.charCodeAt(0) === 35;
  let v = parseI64(usehash ? s.slice(1) : s);
  if (v === null) return err(BIT_OFFSET_ERR);
  // C multiplies in 64 bits and wraps; the range check below then refuses the result.
  if (usehash) v = BigInt.asIntN(64, v * BigInt(bits));
  if (v < 0n || v >> 3n >= BigInt(c.config.get('proto-max-bulk-len'))) return err(BIT_OFFSET_ERR);
  return Number(v);
}

/** A string value or undefined, or WRONGTYPE (reading: counts hits and misses). */
const readStr = (c: Ctx, key: string) => readAs(c.db, key, 'string');

/**
 * lookupStringForBitCommand: the value as bytes, zero-padded to hold bit `maxbit`, or WRONGTYPE.
 * `grown` tells whether the key was created or lengthened (a change even if no bit flips).
 */
function bitTarget(c: Ctx, key: string, maxbit: number): { b: Uint8Array; len: number; grown: boolean; existed: boolean } | Frame {
  const v = writeAs(c.db, key, 'string');
  if (isFrame(v)) return v;
  const need = Math.floor(maxbit / 8) + 1;
  const old = v ?? '';
  const len = Math.max(old.length, need);
  if (len > MAX_JS_STRING) return tooBig();
  const b = new Uint8Array(len);
  for (let i = 0; i < old.length; i++) b[i] = old.charCodeAt(i);
  return { b, len, grown: v === undefined || len !== old.length, existed: v !== undefined };
}

/** Store bytes back; the value is "raw" afterwards as Redis unshares it into a raw sds. */
function storeBits(c: Ctx, key: string, b: Uint8Array, existed: boolean): void {
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += 8192) parts.push(String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + 8192)) as unknown as number[]));
  const s = parts.length === 1 ? parts[0]! : parts.join('');
  if (existed) c.db.update(key, s);
  else c.db.set(key, s);
  c.db.rawStrings.add(key);
}

function setbit(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const off = bitOffset(c, argv[2]!, false, 0);
  if (isFrame(off)) return off;
  const on = parseI64(argv[3]!);
  if (on === null || (on & ~1n) !== 0n) return err('ERR bit is not an integer or out of range');
  const v = writeAs(c.db, key, 'string');
  if (isFrame(v)) return v;
  const old = v ?? '';
  const byte = Math.floor(off / 8);
  if (byte + 1 > MAX_JS_STRING) return tooBig();
  const mask = 1 << (7 - (off & 7));
  const cur = byte < old.length ? old.charCodeAt(byte) : 0;
  const bitval = (cur & mask) !== 0;
  const grown = v === undefined || byte >= old.length;
  if (grown || bitval !== (on === 1n)) {
    const nb = on === 1n ? cur | mask : cur & ~mask;
    let s: string;
    if (byte < old.length) s = [old.slice(0, byte), String.fromCharCode(nb), old.slice(byte + 1)].join('');
    else s = [old, '\0'.repeat(byte - old.length), String.fromCharCode(nb)].join('');
    if (v === undefined) c.db.set(key, s);
    else c.db.update(key, s);
    c.dirty++;
  }
  c.db.rawStrings.add(key);
  return bitval ? ONE : ZERO;
}

function getbit(c: Ctx, argv: string[]): Frame {
  const off = bitOffset(c, argv[2]!, false, 0);
  if (isFrame(off)) return off;
  const v = readStr(c, argv[1]!);
  if (v === undefined) return ZERO;
  if (isFrame(v)) return v;
  const byte = Math.floor(off / 8);
  if (byte >= v.length) return ZERO;
  return v.charCodeAt(byte) & (1 << (7 - (off & 7))) ? ONE : ZERO;
}

/** Bits set in bytes [from, to] of s. */
function popcount(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += POP[s.charCodeAt(i)]!;
  return n;
}
const POP = new Uint8Array(256);
for (let i = 1; i < 256; i++) POP[i] = (i & 1) + POP[i >> 1]!;

/** Start/end after Redis's negative-index conversion and clamping (int64 arithmetic). */
function clampRange(start: bigint, end: bigint, totlen: bigint): [bigint, bigint] {
  if (start < 0n) start += totlen;
  if (end < 0n) end += totlen;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= totlen) end = totlen - 1n;
  return [start, end];
}

function parseUnit(s: string): boolean | Frame {
  const u = s.toLowerCase();
  if (u === 'bit') return true;
  if (u === 'byte') return false;
  return E.syntax;
}

function bitcount(c: Ctx, argv: string[]): Frame {
  const v = readStr(c, argv[1]!);
  if (v === undefined) return ZERO;
  if (isFrame(v)) return v;
  let start: bigint, end: bigint;
  let firstMask = 0, lastMask = 0;
  if (argv.length === 4 || argv.length === 5) {
    let totlen = BigInt(v.length);
    const s = parseI64(argv[2]!);
    if (s === null) return E.notInt;
    const e = parseI64(argv[3]!);
    if (e === null) return E.notInt;
    // Redis's empty-range shortcut comes before it looks at the unit: `-1 -100 FOO` is :0.
    if (s < 0n && e < 0n && s > e) return ZERO;
    let isbit = false;
    if (argv.length === 5) {
      const u = parseUnit(argv[4]!);
      if (isFrame(u)) return u;
      isbit = u;
    }
    if (isbit) totlen <<= 3n;
    [start, end] = clampRange(s, e, totlen);
    if (isbit && start <= end) {
      firstMask = ~((1 << (8 - Number(start & 7n))) - 1) & 0xff;
      lastMask = (1 << (7 - Number(end & 7n))) - 1;
      start >>= 3n;
      end >>= 3n;
    }
  } else if (argv.length === 2) {
    start = 0n;
    end = BigInt(v.length) - 1n;
  } else return E.syntax;
  if (start > end) return ZERO;
  const a = Number(start), b = Number(end);
  let count = popcount(v, a, b);
  if (firstMask) count -= POP[v.charCodeAt(a) & firstMask]!;
  if (lastMask) count -= POP[v.charCodeAt(b) & lastMask]!;
  return int(count);
}

/** redisBitpos over bytes [from, from+count): first bit equal to `bit`; a miss is count*8 for 0, -1 for 1. */
function findBit(get: (i: number) => number, from: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const byte = get(from + i);
    if (byte === skip) continue;
    for (let j = 0; j < 8; j++) if (((byte >> (7 - j)) & 1) === bit) return i * 8 + j;
  }
  return bit ? -1 : count * 8;
}

function bitpos(c: Ctx, argv: string[]): Frame {
  const bitArg = parseI64(argv[2]!);
  if (bitArg === null) return E.notInt;
  if (bitArg !== 0n && bitArg !== 1n) return err('ERR The bit argument must be 1 or 0.');
  const bit = Number(bitArg);
  const v = readStr(c, argv[1]!);
  if (v === undefined) return int(bit ? -1 : 0);
  if (isFrame(v)) return v;
  const n = argv.length;
  let start: bigint, end: bigint;
  let endGiven = false;
  let firstMask = 0, lastMask = 0;
  if (n >= 4 && n <= 6) {
    let totlen = BigInt(v.length);
    const s = parseI64(argv[3]!);
    if (s === null) return E.notInt;
    let isbit = false;
    if (n === 6) {
      const u = parseUnit(argv[5]!);
      if (isFrame(u)) return u;
      isbit = u;
    }
    let e: bigint;
    if (n >= 5) {
      const p = parseI64(argv[4]!);
      if (p === null) return E.notInt;
      e = p;
      endGiven = true;
    } else e = isbit ? (totlen << 3n) + 7n : totlen - 1n;
    if (isbit) totlen <<= 3n;
    [start, end] = clampRange(s, e, totlen);
    if (isbit && start <= end) {
      firstMask = ~((1 << (8 - Number(start & 7n))) - 1) & 0xff;
      lastMask = (1 << (7 - Number(end & 7n))) - 1;
      start >>= 3n;
      end >>= 3n;
    }
  } else if (n === 3) {
    start = 0n;
    end = BigInt(v.length) - 1n;
  } else return E.syntax;
  if (start > end) return int(-1);
  let st = Number(start);
  const en = Number(end);
  let bytes = en - st + 1;
  const get = (i: number) => v.charCodeAt(i);
  let pos: number;
  // The edge bytes of a BIT range are masked so bits outside the range never match.
  result: {
    if (firstMask) {
      let t = bit ? get(st) & ~firstMask : get(st) | firstMask;
      if (lastMask && bytes === 1) t = bit ? t & ~lastMask : t | lastMask;
      pos = findBit(() => t & 0xff, 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break result;
      st++;
      bytes--;
    }
    const cur = bytes - (lastMask ? 1 : 0);
    if (cur > 0) {
      pos = findBit(get, st, cur, bit);
      if (bytes === cur || (pos !== -1 && pos !== cur * 8)) break result;
      st += cur;
      bytes -= cur;
    }
    const t = bit ? get(en) & ~lastMask : get(en) | lastMask;
    pos = findBit(() => t & 0xff, 0, 1, bit);
  }
  if (endGiven && bit === 0 && pos === bytes * 8) return int(-1);
  if (pos !== -1) pos += st * 8;
  return int(pos);
}

function bitop(c: Ctx, argv: string[]): Frame {
  const op = argv[1]!.toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return E.syntax;
  if (op === 'not' && argv.length !== 4) return err('ERR BITOP NOT must be called with a single source key.');
  const dest = argv[2]!;
  const srcs: string[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = readStr(c, argv[j]!);
    if (isFrame(v)) return v;
    const s = v ?? '';
    srcs.push(s);
    if (s.length > maxlen) maxlen = s.length;
  }
  if (maxlen === 0) {
    if (c.db.del(dest)) c.dirty++;
    return ZERO;
  }
  const out = new Uint8Array(maxlen);
  const s0 = srcs[0]!;
  for (let i = 0; i < maxlen; i++) {
    let o = i < s0.length ? s0.charCodeAt(i) : 0;
    if (op === 'not') o = ~o & 0xff;
    for (let k = 1; k < srcs.length; k++) {
      const s = srcs[k]!;
      const b = i < s.length ? s.charCodeAt(i) : 0;
      if (op === 'and') o &= b;
      else if (op === 'or') o |= b;
      else o ^= b;
    }
    out[i] = o;
  }
  // setKey: the result replaces the destination and drops its TTL.
  storeBits(c, dest, out, false);
  c.dirty++;
  return int(maxlen);
}

// --- BITFIELD ------------------------------------------------------------------------------------

const TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const WRAP = 0, SAT = 1, FAIL = 2;
const GET = 0, SET = 1, INCRBY = 2;

interface BfOp {
  op: number;
  offset: number;
  value: bigint;
  bits: number;
  signed: boolean;
  ow: number;
}

function bitfieldType(s: string): { signed: boolean; bits: number } | Frame {
  const t = s.charCodeAt(0);
  if (t !== 105 && t !== 117) return err(TYPE_ERR); // lower-case 'i' / 'u' only, as Redis 7.0
  const signed = t === 105;
  // C reads the width with strlen: it stops at a NUL byte.
  const rest = s.slice(1);
  const nul = rest.indexOf('\0');
  const n = parseI64(nul < 0 ? rest : rest.slice(0, nul));
  if (n === null || n < 1n || (signed && n > 64n) || (!signed && n > 63n)) return err(TYPE_ERR);
  return { signed, bits: Number(n) };
}

function getBits(get: (i: number) => number, offset: number, bits: number): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const bit = (get(Math.floor(offset / 8)) >> (7 - (offset % 8))) & 1;
    v = (v << 1n) | BigInt(bit);
  }
  return v;
}

function setBits(b: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(64, value);
  for (let j = 0; j < bits; j++, offset++) {
    const bit = (u >> BigInt(bits - 1 - j)) & 1n;
    const byte = Math.floor(offset / 8);
    const m = 1 << (7 - (offset % 8));
    b[byte] = bit ? b[byte]! | m : b[byte]! & ~m;
  }
}

const toSigned = (u: bigint, bits: number): bigint => BigInt.asIntN(bits, u);

/** checkUnsignedBitfieldOverflow: [overflow, limit] with Redis's uint64 wrap-around semantics. */
function uOverflow(value: bigint, incr: bigint, bits: number, ow: number): [boolean, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  const wrap = (): bigint => BigInt.asUintN(bits, value + incr);
  if (value > max || (incr > 0n && incr > maxincr)) return [true, ow === WRAP ? wrap() : ow === SAT ? max : 0n];
  if (incr < 0n && incr < minincr) return [true, ow === WRAP ? wrap() : 0n];
  return [false, 0n];
}

/** checkSignedBitfieldOverflow, int64 arithmetic emulated with asIntN. */
function sOverflow(value: bigint, incr: bigint, bits: number, ow: number): [boolean, bigint] {
  const max = bits === 64 ? 9223372036854775807n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  const wrap = (): bigint => BigInt.asIntN(bits, BigInt.asUintN(64, value + incr));
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return [true, ow === WRAP ? wrap() : ow === SAT ? max : 0n];
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return [true, ow === WRAP ? wrap() : ow === SAT ? min : 0n];
  }
  return [false, 0n];
}

function intFrame(v: bigint): Frame {
  return v <= 9007199254740991n && v >= -9007199254740991n ? int(Number(v)) : int(v);
}

function bitfieldGeneric(c: Ctx, argv: string[], ro: boolean): Frame {
  const key = argv[1]!;
  const ops: BfOp[] = [];
  let ow = WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!.toLowerCase();
    let op: number;
    if (sub === 'get' && rem >= 2) op = GET;
    else if (sub === 'set' && rem >= 3) op = SET;
    else if (sub === 'incrby' && rem >= 3) op = INCRBY;
    else if (sub === 'overflow' && rem >= 1) {
      const t = argv[++j]!.toLowerCase();
      if (t === 'wrap') ow = WRAP;
      else if (t === 'sat') ow = SAT;
      else if (t === 'fail') ow = FAIL;
      else return err('ERR Invalid OVERFLOW type specified');
      continue;
    } else return E.syntax;
    const type = bitfieldType(argv[j + 1]!);
    if (isFrame(type)) return type;
    const offset = bitOffset(c, argv[j + 2]!, true, type.bits);
    if (isFrame(offset)) return offset;
    let value = 0n;
    if (op !== GET) {
      readonly = false;
      if (highest < offset + type.bits - 1) highest = offset + type.bits - 1;
      const v = parseI64(argv[j + 3]!);
      if (v === null) return E.notInt;
      value = v;
    }
    ops.push({ op, offset, value, bits: type.bits, signed: type.signed, ow });
    j += op === GET ? 2 : 3;
  }

  let bytes: Uint8Array | null = null;
  let str: string | undefined;
  let grown = false;
  let existed = false;
  if (readonly) {
    const v = readStr(c, key);
    if (isFrame(v)) return v;
    str = v;
  } else {
    if (ro) return err('ERR BITFIELD_RO only supports the GET subcommand');
    const t = bitTarget(c, key, highest);
    if (isFrame(t)) return t;
    bytes = t.b;
    grown = t.grown;
    existed = t.existed;
  }

  const out: Frame[] = [];
  let changes = 0;
  for (const o of ops) {
    if (o.op === GET) {
      let get: (i: number) => number;
      if (bytes) {
        const b = bytes;
        get = (i) => (i < b.length ? b[i]! : 0);
      } else {
        const s = str ?? '';
        get = (i) => (i < s.length ? s.charCodeAt(i) : 0);
      }
      const u = getBits(get, o.offset, o.bits);
      out.push(intFrame(o.signed ? toSigned(u, o.bits) : u));
      continue;
    }
    const b = bytes!;
    const raw = getBits((i) => b[i]!, o.offset, o.bits);
    const oldval = o.signed ? toSigned(raw, o.bits) : raw;
    let newval: bigint, retval: bigint, overflow: boolean, limit: bigint;
    if (o.signed) {
      if (o.op === INCRBY) {
        [overflow, limit] = sOverflow(oldval, o.value, o.bits, o.ow);
        newval = overflow ? limit : oldval + o.value;
        retval = newval;
      } else {
        [overflow, limit] = sOverflow(o.value, 0n, o.bits, o.ow);
        newval = overflow ? limit : o.value;
        retval = oldval;
      }
    } else if (o.op === INCRBY) {
      [overflow, limit] = uOverflow(oldval, o.value, o.bits, o.ow);
      newval = overflow ? limit : oldval + o.value;
      retval = newval;
    } else {
      // SET stores the argument as uint64 (a negative value is a huge unsigned one).
      const u = BigInt.asUintN(64, o.value);
      [overflow, limit] = uOverflow(u, 0n, o.bits, o.ow);
      newval = overflow ? limit : u;
      retval = oldval;
    }
    if (overflow && o.ow === FAIL) {
      out.push(NIL);
      continue;
    }
    out.push(intFrame(retval));
    setBits(b, o.offset, o.bits, newval);
    if (grown || oldval !== newval) changes++;
  }
  if (bytes) {
    storeBits(c, key, bytes, existed);
    // A created or lengthened key is a change even when every write failed, so replicas match.
    c.dirty += changes || (grown ? 1 : 0);
  }
  return arr(out);
}

const bitfield = (c: Ctx, argv: string[]) => bitfieldGeneric(c, argv, false);
const bitfieldRo = (c: Ctx, argv: string[]) => bitfieldGeneric(c, argv, true);

const spec = (name: string, run: Handler): CommandSpec => def(name, { run });

export const BITMAP_COMMANDS: CommandSpec[] = [
  spec('setbit', setbit),
  spec('getbit', getbit),
  spec('bitcount', bitcount),
  spec('bitpos', bitpos),
  spec('bitop', bitop),
  spec('bitfield', bitfield),
  spec('bitfield_ro', bitfieldRo),
];
