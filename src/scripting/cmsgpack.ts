// Redis's cmsgpack library (lua-cmsgpack 0.4.0): pack(...) / unpack(s), MessagePack bytes as Lua
// strings, with its choices (integral numbers as ints, floats as float32 when exact, 16 levels).
import { lua, lauxlib } from './fengari.js';
import { toBytes } from '../protocol/bytes.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const MAX_NESTING = 16;

class Out {
  b: number[] = [];
  u8(v: number): void { this.b.push(v & 0xff); }
  u16(v: number): void { this.b.push((v >>> 8) & 0xff, v & 0xff); }
  u32(v: number): void { this.b.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }
  u64(v: bigint): void { for (let i = 56; i >= 0; i -= 8) this.b.push(Number((v >> BigInt(i)) & 0xffn)); }
}

function encodeInt(o: Out, n: number): void {
  if (n >= 0) {
    if (n <= 127) o.u8(n);
    else if (n <= 0xff) { o.u8(0xcc); o.u8(n); }
    else if (n <= 0xffff) { o.u8(0xcd); o.u16(n); }
    else if (n <= 0xffffffff) { o.u8(0xce); o.u32(n); }
    else { o.u8(0xcf); o.u64(BigInt(n)); }
  } else {
    if (n >= -32) o.u8(n);
    else if (n >= -128) { o.u8(0xd0); o.u8(n); }
    else if (n >= -32768) { o.u8(0xd1); o.u16(n); }
    else if (n >= -2147483648) { o.u8(0xd2); o.u32(n); }
    else { o.u8(0xd3); o.u64(BigInt.asUintN(64, BigInt(n))); }
  }
}

function encode(L: L, o: Out, idx: number, level: number): void {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING: {
      const s = lua.lua_tolstring(L, idx) as Uint8Array;
      const n = s.length;
      if (n < 32) o.u8(0xa0 | n);
      else if (n <= 0xff) { o.u8(0xd9); o.u8(n); }
      else if (n <= 0xffff) { o.u8(0xda); o.u16(n); }
      else { o.u8(0xdb); o.u32(n); }
      for (let i = 0; i < n; i++) o.b.push(s[i]!);
      return;
    }
    case lua.LUA_TBOOLEAN:
      o.u8(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
      return;
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return encodeInt(o, n);
      const f = Math.fround(n);
      const dv = new DataView(new ArrayBuffer(8));
      if (f === n || Number.isNaN(n)) {
        o.u8(0xca);
        dv.setFloat32(0, n);
        for (let i = 0; i < 4; i++) o.u8(dv.getUint8(i));
      } else {
        o.u8(0xcb);
        dv.setFloat64(0, n);
        for (let i = 0; i < 8; i++) o.u8(dv.getUint8(i));
      }
      return;
    }
    case lua.LUA_TTABLE:
      if (level >= MAX_NESTING) { o.u8(0xc0); return; }
      return encodeTable(L, o, lua.lua_absindex(L, idx), level + 1);
    default:
      o.u8(0xc0);
  }
}

function encodeTable(L: L, o: Out, idx: number, level: number): void {
  // table_is_an_array: only positive integer keys, as many as the largest.
  let count = 0, max = 0, array = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    lua.lua_pop(L, 1);
    count++;
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -1);
      if (Number.isInteger(k) && k > 0) { if (k > max) max = k; continue; }
    }
    array = false;
  }
  if (array && count === max) {
    if (max < 16) o.u8(0x90 | max);
    else if (max <= 0xffff) { o.u8(0xdc); o.u16(max); }
    else { o.u8(0xdd); o.u32(max); }
    for (let i = 1; i <= max; i++) {
      lua.lua_rawgeti(L, idx, i);
      encode(L, o, -1, level);
      lua.lua_pop(L, 1);
    }
    return;
  }
  if (count < 16) o.u8(0x80 | count);
  else if (count <= 0xffff) { o.u8(0xde); o.u16(count); }
  else { o.u8(0xdf); o.u32(count); }
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    encode(L, o, -2, level);
    encode(L, o, -1, level);
    lua.lua_pop(L, 1);
  }
}

class Bad extends Error {}

class In {
  i = 0;
  constructor(readonly b: Uint8Array) {}
  need(n: number): void { if (this.i + n > this.b.length) throw new Bad('Missing bytes in input.'); }
  u8(): number { this.need(1); return this.b[this.i++]!; }
  u16(): number { this.need(2); const v = (this.b[this.i]! << 8) | this.b[this.i + 1]!; this.i += 2; return v; }
  u32(): number { this.need(4); const v = ((this.b[this.i]! << 24) | (this.b[this.i + 1]! << 16) | (this.b[this.i + 2]! << 8) | this.b[this.i + 3]!) >>> 0; this.i += 4; return v; }
  view(n: number): DataView { this.need(n); const d = new DataView(this.b.buffer, this.b.byteOffset + this.i, n); this.i += n; return d; }
}

function decode(L: L, r: In): void {
  const c = r.u8();
  if (c <= 0x7f) return lua.lua_pushnumber(L, c);
  if (c >= 0xe0) return lua.lua_pushnumber(L, c - 256);
  if ((c & 0xe0) === 0xa0) return str(L, r, c & 0x1f);
  if ((c & 0xf0) === 0x90) return arr(L, r, c & 0x0f);
  if ((c & 0xf0) === 0x80) return map(L, r, c & 0x0f);
  switch (c) {
    case 0xc0: return lua.lua_pushnil(L);
    case 0xc2: return lua.lua_pushboolean(L, 0);
    case 0xc3: return lua.lua_pushboolean(L, 1);
    case 0xcc: return lua.lua_pushnumber(L, r.u8());
    case 0xcd: return lua.lua_pushnumber(L, r.u16());
    case 0xce: return lua.lua_pushnumber(L, r.u32());
    case 0xcf: return lua.lua_pushnumber(L, Number(r.view(8).getBigUint64(0)));
    case 0xd0: return lua.lua_pushnumber(L, r.view(1).getInt8(0));
    case 0xd1: return lua.lua_pushnumber(L, r.view(2).getInt16(0));
    case 0xd2: return lua.lua_pushnumber(L, r.view(4).getInt32(0));
    case 0xd3: return lua.lua_pushnumber(L, Number(r.view(8).getBigInt64(0)));
    case 0xca: return lua.lua_pushnumber(L, r.view(4).getFloat32(0));
    case 0xcb: return lua.lua_pushnumber(L, r.view(8).getFloat64(0));
    case 0xd9: case 0xc4: return str(L, r, r.u8());
    case 0xda: case 0xc5: return str(L, r, r.u16());
    case 0xdb: case 0xc6: return str(L, r, r.u32());
    case 0xdc: return arr(L, r, r.u16());
    case 0xdd: return arr(L, r, r.u32());
    case 0xde: return map(L, r, r.u16());
    case 0xdf: return map(L, r, r.u32());
    default: throw new Bad('Bad data format in input.');
  }
}

function str(L: L, r: In, n: number): void {
  r.need(n);
  lua.lua_pushstring(L, r.b.slice(r.i, r.i + n));
  r.i += n;
}

function arr(L: L, r: In, n: number): void {
  lua.lua_createtable(L, n, 0);
  for (let i = 1; i <= n; i++) {
    decode(L, r);
    lua.lua_rawseti(L, -2, i);
  }
}

function map(L: L, r: In, n: number): void {
  lua.lua_createtable(L, 0, n);
  for (let i = 0; i < n; i++) {
    decode(L, r);
    decode(L, r);
    if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2);
    else lua.lua_rawset(L, -3);
  }
}

function unpackN(L: L, limit: number, offset: number): number {
  const s = lauxlib.luaL_checklstring(L, 1) as Uint8Array;
  const r = new In(s);
  r.i = offset;
  const base = lua.lua_gettop(L);
  try {
    let n = 0;
    while (r.i < s.length && (limit <= 0 || n < limit)) {
      lauxlib.luaL_checkstack(L, 2, S('too many values'));
      decode(L, r);
      n++;
    }
    if (limit > 0) {
      lua.lua_pushnumber(L, r.i < s.length ? r.i : -1);
      lua.lua_insert(L, base + 1);
      return n + 1;
    }
    return n;
  } catch (e) {
    if (e instanceof Bad) {
      lua.lua_settop(L, base);
      return lauxlib.luaL_error(L, S(e.message));
    }
    throw e;
  }
}

export function openCmsgpack(L: L): void {
  lua.lua_createtable(L, 0, 6);
  lua.lua_pushcfunction(L, (L: L) => {
    const n = lua.lua_gettop(L);
    if (n === 0) return lauxlib.luaL_argerror(L, 0, S('MessagePack pack needs input.'));
    const o = new Out();
    for (let i = 1; i <= n; i++) encode(L, o, i, 0);
    lua.lua_pushstring(L, Uint8Array.from(o.b));
    return 1;
  });
  lua.lua_setfield(L, -2, S('pack'));
  lua.lua_pushcfunction(L, (L: L) => unpackN(L, 0, 0));
  lua.lua_setfield(L, -2, S('unpack'));
  lua.lua_pushcfunction(L, (L: L) => unpackN(L, 1, lua.lua_isnoneornil(L, 2) ? 0 : lauxlib.luaL_checkinteger(L, 2)));
  lua.lua_setfield(L, -2, S('unpack_one'));
  lua.lua_pushcfunction(L, (L: L) => unpackN(L, lauxlib.luaL_checkinteger(L, 2), lua.lua_isnoneornil(L, 3) ? 0 : lauxlib.luaL_checkinteger(L, 3)));
  lua.lua_setfield(L, -2, S('unpack_limit'));
  for (const [k, v] of [['_NAME', 'cmsgpack'], ['_VERSION', 'lua-cmsgpack 0.4.0'], ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'], ['_DESCRIPTION', 'MessagePack C implementation for Lua']]) {
    lua.lua_pushstring(L, S(v!));
    lua.lua_setfield(L, -2, S(k!));
  }
  lua.lua_setglobal(L, S('cmsgpack'));
}
