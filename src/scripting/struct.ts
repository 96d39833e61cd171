// Redis's struct library (Roberto Ierusalimschy's struct 0.2, deps/lua/src/lua_struct.c):
// struct.pack / unpack / size of binary records, as Redis's x86-64 build runs it (little-endian
// native order, long and size_t of 8 bytes, int of 4, maximum alignment 8, integers held in a
// 64-bit long and converted through a Lua 5.1 double).
import { lua, lauxlib } from './fengari.js';
import { toBytes } from '../protocol/bytes.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const BIG = 0, LITTLE = 1;
const INT_MAX = 2147483647;

interface Header {
  endian: number;
  align: number;
}

/** A format string being read (the C code's `const char **fmt`). */
class Fmt {
  i = 0;
  constructor(readonly s: Uint8Array) {}
  get more(): boolean { return this.i < this.s.length; }
  next(): number { return this.s[this.i++]!; }
  digit(): boolean { const c = this.s[this.i]; return c !== undefined && c >= 0x30 && c <= 0x39; }
}

function getnum(L: L, f: Fmt, df: number): number {
  if (!f.digit()) return df;
  let a = 0;
  do {
    const d = f.s[f.i]! - 0x30;
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) lauxlib.luaL_error(L, S('integral size overflow'));
    a = a * 10 + d;
    f.i++;
  } while (f.digit());
  return a;
}

function optsize(L: L, opt: number, f: Fmt): number {
  switch (String.fromCharCode(opt)) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': return 8;
    case 'T': return 8;
    case 'f': return 4;
    case 'd': return 8;
    case 'x': return 1;
    case 'c': return getnum(L, f, 1);
    case 'i': case 'I': {
      const sz = getnum(L, f, 4);
      if (sz > MAXINTSIZE) lauxlib.luaL_error(L, S(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`));
      return sz;
    }
    default: return 0;
  }
}

/** Bytes to align an element of `size` at `len` (C's unsigned arithmetic, any size). */
function gettoalign(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === 0x63 /* c */) return 0;
  if (size > h.align) size = h.align;
  const m = BigInt(size - 1);
  return Number((BigInt(size) - (BigInt(len) & m)) & m);
}

function controloptions(L: L, opt: number, f: Fmt, h: Header): void {
  switch (String.fromCharCode(opt)) {
    case ' ': return;
    case '>': h.endian = BIG; return;
    case '<': h.endian = LITTLE; return;
    case '!': {
      const a = getnum(L, f, MAXALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) lauxlib.luaL_error(L, S(`alignment ${a} is not a power of 2`));
      h.align = a;
      return;
    }
    default:
      lauxlib.luaL_argerror(L, 1, S(`invalid format option '${String.fromCharCode(opt)}'`));
  }
}

const TWO64 = 2n ** 64n;

/** (Uinttype)n as x86-64 converts a double: negatives through long, out-of-range values as the CPU does. */
function toUint64(n: number): bigint {
  if (Number.isNaN(n)) return 2n ** 63n; // cvttsd2si's "integer indefinite"
  const t = Math.trunc(n);
  if (n < 0) return t < -(2 ** 63) ? 2n ** 63n : BigInt.asUintN(64, BigInt(t));
  return t >= 2 ** 64 ? 0n : BigInt(t);
}

function putinteger(L: L, out: number[], arg: number, endian: number, size: number): void {
  let value = toUint64(lauxlib.luaL_checknumber(L, arg));
  const buff = new Array<number>(size).fill(0);
  // The value is 64 bits wide: bytes past the eighth are zero (no sign extension).
  if (endian === LITTLE) for (let i = 0; i < size; i++) { buff[i] = Number(value & 0xffn); value >>= 8n; }
  else for (let i = size - 1; i >= 0; i--) { buff[i] = Number(value & 0xffn); value >>= 8n; }
  for (const b of buff) out.push(b);
}

function getinteger(data: Uint8Array, pos: number, endian: number, signed: boolean, size: number): number {
  let l = 0n;
  if (endian === BIG) for (let i = 0; i < size; i++) l = ((l << 8n) | BigInt(data[pos + i]!)) % TWO64;
  else for (let i = size - 1; i >= 0; i--) l = ((l << 8n) | BigInt(data[pos + i]!)) % TWO64;
  if (!signed) return Number(l);
  // The sign mask's shift count is taken mod 64, as x86's shl does for sizes past 8 bytes.
  const mask = ((TWO64 - 1n) << BigInt((size * 8 - 1) & 63)) % TWO64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function floatBytes(x: number, size: number, endian: number): number[] {
  const dv = new DataView(new ArrayBuffer(size));
  if (size === 4) dv.setFloat32(0, x, endian === LITTLE);
  else dv.setFloat64(0, x, endian === LITTLE);
  return Array.from(new Uint8Array(dv.buffer));
}

function b_pack(L: L): number {
  const f = new Fmt(lauxlib.luaL_checklstring(L, 1) as Uint8Array);
  const h: Header = { endian: LITTLE, align: 1 };
  let arg = 2;
  let totalsize = 0;
  const out: number[] = [];
  // The C code's mark separating the arguments from its string buffer: a missing argument
  // right after the last one given reads as this nil ("got nil", not "got no value").
  lua.lua_pushnil(L);
  while (f.more) {
    const opt = f.next();
    let size = optsize(L, opt, f);
    let toalign = gettoalign(totalsize, h, opt, size);
    totalsize += toalign;
    while (toalign-- > 0) out.push(0);
    switch (String.fromCharCode(opt)) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        putinteger(L, out, arg++, h.endian, size);
        break;
      case 'x':
        out.push(0);
        break;
      case 'f':
        for (const b of floatBytes(Math.fround(lauxlib.luaL_checknumber(L, arg++)), 4, h.endian)) out.push(b);
        break;
      case 'd':
        for (const b of floatBytes(lauxlib.luaL_checknumber(L, arg++), 8, h.endian)) out.push(b);
        break;
      case 'c': case 's': {
        const s = lauxlib.luaL_checklstring(L, arg++) as Uint8Array;
        if (size === 0) size = s.length;
        // The C code names the argument after the one read (arg was already incremented).
        if (!(s.length >= size)) lauxlib.luaL_argerror(L, arg, S('string too short'));
        for (let i = 0; i < size; i++) out.push(s[i]!);
        if (opt === 0x73 /* s */) {
          out.push(0);
          size++;
        }
        break;
      }
      default:
        controloptions(L, opt, f, h);
    }
    totalsize += size;
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

/** luaL_optinteger of Lua 5.1: a number truncated (5.3 would refuse a fractional one). */
function optint51(L: L, arg: number, df: number): number {
  return lua.lua_isnoneornil(L, arg) ? df : Math.trunc(lauxlib.luaL_checknumber(L, arg));
}

function b_unpack(L: L): number {
  const h: Header = { endian: LITTLE, align: 1 };
  const f = new Fmt(lauxlib.luaL_checklstring(L, 1) as Uint8Array);
  const data = lauxlib.luaL_checklstring(L, 2) as Uint8Array;
  const ld = data.length;
  const offset = optint51(L, 3, 1);
  if (offset === 0) lauxlib.luaL_argerror(L, 3, S('offset must be 1 or greater'));
  // A negative offset is a huge size_t in C: every element is then past the data's end.
  let pos = offset < 0 ? Infinity : offset - 1;
  let n = 0;
  const tooShort = (size: number): void => {
    if (!(size <= ld && pos <= ld - size)) lauxlib.luaL_argerror(L, 2, S('data string too short'));
  };
  while (f.more) {
    const opt = f.next();
    let size = optsize(L, opt, f);
    if (pos !== Infinity) pos += gettoalign(pos, h, opt, size);
    tooShort(size);
    lauxlib.luaL_checkstack(L, 2, S('too many results'));
    switch (String.fromCharCode(opt)) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        const signed = opt >= 0x61 && opt <= 0x7a;
        lua.lua_pushnumber(L, getinteger(data, pos, h.endian, signed, size));
        n++;
        break;
      }
      case 'x':
        break;
      case 'f': case 'd': {
        const dv = new DataView(data.buffer, data.byteOffset + pos, size);
        lua.lua_pushnumber(L, size === 4 ? dv.getFloat32(0, h.endian === LITTLE) : dv.getFloat64(0, h.endian === LITTLE));
        n++;
        break;
      }
      case 'c': {
        if (size === 0) {
          if (n === 0 || !lua.lua_isnumber(L, -1)) lauxlib.luaL_error(L, S("format 'c0' needs a previous size"));
          const want = lua.lua_tonumber(L, -1);
          size = want < 0 || Number.isNaN(want) ? Infinity : Math.trunc(want);
          lua.lua_pop(L, 1);
          n--;
          tooShort(size);
        }
        lua.lua_pushstring(L, data.slice(pos, pos + size));
        n++;
        break;
      }
      case 's': {
        const e = data.indexOf(0, pos);
        if (e < 0) lauxlib.luaL_error(L, S('unfinished string in data'));
        size = e - pos + 1;
        lua.lua_pushstring(L, data.slice(pos, e));
        n++;
        break;
      }
      default:
        controloptions(L, opt, f, h);
    }
    pos += size;
  }
  lua.lua_pushinteger(L, pos === Infinity ? offset : pos + 1);
  return n + 1;
}

function b_size(L: L): number {
  const h: Header = { endian: LITTLE, align: 1 };
  const f = new Fmt(lauxlib.luaL_checklstring(L, 1) as Uint8Array);
  let pos = 0;
  while (f.more) {
    const opt = f.next();
    const size = optsize(L, opt, f);
    pos += gettoalign(pos, h, opt, size);
    if (opt === 0x73 /* s */) lauxlib.luaL_argerror(L, 1, S("option 's' has no fixed size"));
    else if (opt === 0x63 /* c */ && size === 0) lauxlib.luaL_argerror(L, 1, S("option 'c0' has no fixed size"));
    // Only non-alphanumeric characters are read as control options: struct.size('z') is 0.
    const c = String.fromCharCode(opt);
    if (!/^[A-Za-z0-9]$/.test(c)) controloptions(L, opt, f, h);
    pos += size;
  }
  lua.lua_pushinteger(L, pos);
  return 1;
}

export function openStruct(L: L): void {
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushcfunction(L, b_pack);
  lua.lua_setfield(L, -2, S('pack'));
  lua.lua_pushcfunction(L, b_unpack);
  lua.lua_setfield(L, -2, S('unpack'));
  lua.lua_pushcfunction(L, b_size);
  lua.lua_setfield(L, -2, S('size'));
  lua.lua_setglobal(L, S('struct'));
}
