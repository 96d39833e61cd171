// Redis's struct library (Roberto Ierusalimschy's struct 0.2): pack / unpack / size of binary
// records. Not yet implemented beyond its table: each function answers Lua's error.
import { lua, lauxlib } from './fengari.js';
import { toBytes } from '../protocol/bytes.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);

export function openStruct(L: L): void {
  lua.lua_createtable(L, 0, 3);
  for (const name of ['pack', 'unpack', 'size']) {
    lua.lua_pushcfunction(L, (L: L) => lauxlib.luaL_error(L, S(`struct.${name} is not supported by keyflare yet`)));
    lua.lua_setfield(L, -2, S(name));
  }
  lua.lua_setglobal(L, S('struct'));
}
