// Redis's bit library (LuaBitOp 1.0.2): 32-bit operations on numbers, results as signed int32.
import { lua, lauxlib } from './fengari.js';
import { toBytes } from '../protocol/bytes.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);

/** LuaBitOp's barg: the number modulo 2^32 (through the 2^52+2^51 trick for doubles). */
function barg(L: L, i: number): number {
  const x = lauxlib.luaL_checknumber(L, i);
  const m = x % 4294967296;
  return Number.isFinite(m) ? Math.trunc(m) | 0 : 0;
}

function push(L: L, v: number): number {
  lua.lua_pushnumber(L, v | 0);
  return 1;
}

export function openBit(L: L): void {
  const fns: Record<string, (L: L) => number> = {
    tobit: (L) => push(L, barg(L, 1)),
    bnot: (L) => push(L, ~barg(L, 1)),
    band: (L) => { let r = barg(L, 1); for (let i = lua.lua_gettop(L); i > 1; i--) r &= barg(L, i); return push(L, r); },
    bor: (L) => { let r = barg(L, 1); for (let i = lua.lua_gettop(L); i > 1; i--) r |= barg(L, i); return push(L, r); },
    bxor: (L) => { let r = barg(L, 1); for (let i = lua.lua_gettop(L); i > 1; i--) r ^= barg(L, i); return push(L, r); },
    lshift: (L) => push(L, barg(L, 1) << (barg(L, 2) & 31)),
    rshift: (L) => push(L, barg(L, 1) >>> (barg(L, 2) & 31)),
    arshift: (L) => push(L, barg(L, 1) >> (barg(L, 2) & 31)),
    rol: (L) => { const b = barg(L, 1), n = barg(L, 2) & 31; return push(L, (b << n) | (b >>> (32 - n))); },
    ror: (L) => { const b = barg(L, 1), n = barg(L, 2) & 31; return push(L, (b >>> n) | (b << (32 - n))); },
    bswap: (L) => { const b = barg(L, 1); return push(L, ((b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24))); },
    tohex: (L) => {
      let b = barg(L, 1);
      let n = lua.lua_isnone(L, 2) ? 8 : barg(L, 2);
      let hex = '0123456789abcdef';
      if (n < 0) { n = -n; hex = '0123456789ABCDEF'; }
      if (n > 8) n = 8;
      let out = '';
      for (let i = 0; i < n; i++) { out = hex[b & 15]! + out; b >>>= 4; }
      lua.lua_pushstring(L, S(out));
      return 1;
    },
  };
  lua.lua_createtable(L, 0, 12);
  for (const [k, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, S(k));
  }
  lua.lua_setglobal(L, S('bit'));
}
