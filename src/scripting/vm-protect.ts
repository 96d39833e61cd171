// Redis's readonly tables on fengari, which has no readonly flag: scripts see proxies (empty tables
// whose metatable forwards reads and refuses writes) of the globals and every library table, and
// FUNCTION LOAD's environment, where `redis` is the load-time API and nothing else is a global.
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { raise, raiseWhere } from './vm-errors.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** Registry refs a protected VM keeps: the seal stand-in, scripts' _ENV, the real globals. */
export interface Protected {
  sealRef: number;
  env: number;
  globals: number;
}

/**
 * Seal the metatable on top of the stack: its __metatable is the readonly stand-in (what
 * getmetatable() shows of a protected table), so the real one stays out of reach.
 */
function seal(L: L, sealRef: number): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, sealRef);
  lua.lua_setfield(L, -2, S('__metatable'));
}

/**
 * The globals and every library table refuse writes ("Attempt to modify a readonly table"); a
 * read of a missing global is an error. Called once the globals are all set.
 */
export function protect(L: L): Protected {
  const p: Protected = { sealRef: 0, env: 0, globals: 0 };
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
  lua.lua_setfield(L, -2, S('__newindex'));
  lua.lua_pushboolean(L, 0);
  lua.lua_setfield(L, -2, S('__metatable'));
  lua.lua_setmetatable(L, -2);
  p.sealRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  // setmetatable on a protected table is a write to a readonly table, as Redis answers it.
  lua.lua_getglobal(L, S('setmetatable'));
  lua.lua_pushcclosure(L, (L: L) => {
    if (lua.lua_type(L, 1) === lua.LUA_TTABLE && lua.lua_getmetatable(L, 1)) {
      const sealed = lua.lua_getfield(L, -1, S('__metatable')) !== lua.LUA_TNIL;
      lua.lua_pop(L, 2);
      // Redis's VM raises this one from setmetatable itself: no position in the text.
      if (sealed) return raise(L, { msg: 'ERR Attempt to modify a readonly table' });
    }
    lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
    lua.lua_insert(L, 1);
    lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
    return 1;
  }, 1);
  lua.lua_setglobal(L, S('setmetatable'));
  lua.lua_pushglobaltable(L);
  const g = lua.lua_gettop(L);
  // Readonly proxies of the library tables.
  const libs = ['string', 'table', 'math', 'coroutine', 'redis', 'cjson', 'bit', 'struct', 'cmsgpack'];
  for (const name of libs) {
    lua.lua_getfield(L, g, S(name));
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1);
      continue;
    }
    const real = lua.lua_gettop(L);
    lua.lua_createtable(L, 0, 0); // proxy
    lua.lua_createtable(L, 0, 4); // its metatable
    lua.lua_pushvalue(L, real);
    lua.lua_setfield(L, -2, S('__index'));
    lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
    lua.lua_setfield(L, -2, S('__newindex'));
    lua.lua_pushvalue(L, real);
    lua.lua_pushcclosure(L, proxyPairs, 1);
    lua.lua_setfield(L, -2, S('__pairs'));
    seal(L, p.sealRef);
    lua.lua_setmetatable(L, -2);
    lua.lua_setfield(L, g, S(name)); // globals now hold the proxy
    lua.lua_pop(L, 1);
  }
  // The real globals get a metatable erroring on missing names.
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, (L: L) => {
    const k = J(lua.lua_tolstring(L, 2));
    return raiseWhere(L, `Script attempted to access nonexistent global variable '${k}'`);
  });
  lua.lua_setfield(L, -2, S('__index'));
  seal(L, p.sealRef);
  lua.lua_setmetatable(L, g);
  // Scripts' environment: an empty proxy over the globals.
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 4);
  lua.lua_pushvalue(L, g);
  lua.lua_setfield(L, -2, S('__index'));
  lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
  lua.lua_setfield(L, -2, S('__newindex'));
  lua.lua_pushvalue(L, g);
  lua.lua_pushcclosure(L, proxyPairs, 1);
  lua.lua_setfield(L, -2, S('__pairs'));
  seal(L, p.sealRef);
  lua.lua_setmetatable(L, -2);
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, g, S('_G')); // _G names the proxy, so _G.x = 1 is refused too
  p.env = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pushvalue(L, g);
  p.globals = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pop(L, 1);
  return p;
}

/**
 * Functions' _ENV: the globals, readonly, with `redis` as the library API while `isLoading()`;
 * `register` is redis.register_function. Returns the environment's registry ref.
 */
export function makeLibEnv(L: L, p: Protected, isLoading: () => boolean, register: (L: L) => number): number {
  // The load-time API table: what a library may call while it loads.
  lua.lua_createtable(L, 0, 8);
  const api = lua.lua_gettop(L);
  lua.lua_pushcfunction(L, register);
  lua.lua_setfield(L, api, S('register_function'));
  lua.lua_getglobal(L, S('redis'));
  const real = lua.lua_gettop(L);
  for (const k of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
    lua.lua_getfield(L, real, S(k));
    lua.lua_setfield(L, api, S(k));
  }
  // The `redis` a library sees while it loads: the load API, readonly, a table of its own (a
  // library that keeps it and calls register_function later is refused by register_function).
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushvalue(L, api);
  lua.lua_pushcclosure(L, (L: L) => {
    // upvalue 1: the load API; args: proxy, key
    lua.lua_pushvalue(L, 2);
    if (lua.lua_rawget(L, lua.lua_upvalueindex(1)) === lua.LUA_TNIL) {
      return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lua.lua_tolstring(L, 2))}'`);
    }
    return 1;
  }, 1);
  readonlyMeta(L, p.sealRef);
  const redisProxy = lua.lua_gettop(L);
  // The environment (missing names refused).
  // While a library loads, Redis's globals are its LIBRARY_API table, which holds `redis` alone:
  // error, string, pairs… are all "nonexistent" at load time, and reachable once functions run.
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushvalue(L, redisProxy);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, p.globals);
  lua.lua_pushcclosure(L, (L: L) => {
    // While loading only `redis` (the load API) exists; functions running see the globals, the
    // real `redis` among them.
    if (isLoading()) {
      if (lua.lua_type(L, 2) === lua.LUA_TSTRING && J(lua.lua_tolstring(L, 2)) === 'redis') {
        lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
        return 1;
      }
      return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lauxlib.luaL_tolstring(L, 2))}'`);
    }
    lua.lua_pushvalue(L, 2);
    if (lua.lua_rawget(L, lua.lua_upvalueindex(2)) === lua.LUA_TNIL) {
      return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lauxlib.luaL_tolstring(L, 2))}'`);
    }
    return 1;
  }, 2);
  readonlyMeta(L, p.sealRef);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_settop(L, api - 1);
  return ref;
}

/** With a proxy table and its metatable (holding the __index closure) on the stack: finish the metatable (readonly, sealed) and set it. */
function readonlyMeta(L: L, sealRef: number): void {
  lua.lua_setfield(L, -2, S('__index'));
  lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
  lua.lua_setfield(L, -2, S('__newindex'));
  seal(L, sealRef);
  lua.lua_setmetatable(L, -2);
}

/** __pairs of a proxy: iterate the real table (upvalue 1). */
function proxyPairs(L: L): number {
  lua.lua_getglobal(L, S('next'));
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushnil(L);
  return 3;
}
