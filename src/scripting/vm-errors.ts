// Lua errors as Redis shapes them: the {err=…} table, the message handler that adds the raiser's
// source and line, raising from JS, and Lua 5.1's wording of 5.3's messages.
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** A raised error: Redis's error table fields (err, source, line). */
export interface ErrInfo {
  msg: string;
  source?: string;
  line?: string;
}

export function oneLine(s: string): string {
  return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace(/[\r\n]/g, ' ');
}

export function pushErrTable(L: L, msg: string): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, S(msg));
  lua.lua_setfield(L, -2, S('err'));
}

/** Raise Redis's error table {err = msg}; the message handler adds source and line. */
export function raise(L: L, e: ErrInfo): number {
  pushErrTable(L, e.msg);
  return lua.lua_error(L);
}

/** Raise a string error with the caller's position ("user_script:1: …"), as luaL_error. */
export function raiseWhere(L: L, msg: string): number {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, S(msg));
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

export function readErr(L: L, idx: number): ErrInfo {
  const i = lua.lua_absindex(L, idx);
  lua.lua_getfield(L, i, S('err'));
  const msg = J(lua.lua_tolstring(L, -1));
  lua.lua_getfield(L, i, S('source'));
  const source = lua.lua_type(L, -1) === lua.LUA_TSTRING || lua.lua_type(L, -1) === lua.LUA_TNUMBER ? J(lua.lua_tolstring(L, -1)) : undefined;
  lua.lua_getfield(L, i, S('line'));
  const line = lua.lua_type(L, -1) === lua.LUA_TNUMBER || lua.lua_type(L, -1) === lua.LUA_TSTRING ? J(lua.lua_tolstring(L, -1)) : undefined;
  lua.lua_pop(L, 3);
  const out: ErrInfo = { msg };
  if (source !== undefined) out.source = source;
  if (line !== undefined) out.line = line;
  return out;
}

/**
 * Redis's __redis__err__handler: a string error becomes {err = 'ERR ' .. msg}; the table gets
 * the source and line of the script code that raised it (the raiser's caller when the raiser
 * is a C function such as error() or redis.call()).
 */
export function errHandler(L: L): number {
  const ar = new lua.lua_Debug();
  let ok = lua.lua_getstack(L, 1, ar);
  if (ok) {
    lua.lua_getinfo(L, S('nSl'), ar);
    if (J(ar.what) === 'J' || J(ar.what) === 'C') {
      ok = lua.lua_getstack(L, 2, ar);
      if (ok) lua.lua_getinfo(L, S('nSl'), ar);
    }
  }
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    const m = lauxlib.luaL_tolstring(L, 1);
    lua.lua_pop(L, 1);
    lua.lua_settop(L, 0);
    pushErrTable(L, 'ERR ' + lua51Message(J(m)));
  } else lua.lua_settop(L, 1);
  if (ok) {
    lua.lua_pushstring(L, ar.source);
    lua.lua_setfield(L, 1, S('source'));
    lua.lua_pushinteger(L, ar.currentline);
    lua.lua_setfield(L, 1, S('line'));
  }
  return 1;
}

/** Lua 5.1 quotes the end-of-chunk token in syntax errors (near '<eof>'); 5.3 does not. */
export function lua51Syntax(m: string): string {
  return m.endsWith(' near <eof>') ? `${m.slice(0, -5)}'<eof>'` : m;
}

/** Lua 5.3's "attempt to index a nil value (local 'a')" in 5.1's words, as Redis reports it. */
export function lua51Message(m: string): string {
  return m.replace(/attempt to ([a-z ]+?) an? (\w+) value \((\w+) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)");
}
