// redis.register_function as Redis's luaRegisterFunctionReadArgs and functionLibCreateFunction:
// positional or named arguments, flags, names, and their error texts.
import { lua, lauxlib } from './fengari.js';
import { fromBytes } from '../protocol/bytes.js';
import { raise } from './vm-errors.js';

type L = unknown;
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** A function a library registered (FUNCTION LOAD). */
export interface RegisteredFunction {
  name: string;
  ref: number;
  flags: string[];
  description?: string;
}

/** Redis's scripts_flags_def, in its order. */
const FUNCTION_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'];

/**
 * redis.register_function(name, callback) or redis.register_function{function_name=…,
 * callback=…, flags=…, description=…}, as Redis's luaRegisterFunctionReadArgs: numbers pass
 * for strings (lua_isstring), named keys and flags are matched case-insensitively.
 */
export function registerFunction(L: L, loading: RegisteredFunction[] | null, release: (ref: number) => void): number {
  let cb = 0;
  const fail = (m: string): number => {
    if (cb) release(cb);
    return raise(L, { msg: m });
  };
  if (!loading) return fail('ERR redis.register_function can only be called on FUNCTION LOAD command');
  let name: string | undefined, desc: string | undefined;
  let flags = 0;
  const n = lua.lua_gettop(L);
  if (n < 1 || n > 2) return fail('ERR wrong number of arguments to redis.register_function');
  if (n === 2) {
    if (!lua.lua_isstring(L, 1)) return fail('ERR first argument to redis.register_function must be a string');
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return fail('ERR second argument to redis.register_function must be a function');
    name = J(lua.lua_tolstring(L, 1));
    lua.lua_pushvalue(L, 2);
    return addFunction(L, loading, release, name, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), [], desc);
  }
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return fail('ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1) !== 0) {
    if (!lua.lua_isstring(L, -2)) return fail('ERR named argument key given to redis.register_function is not a string');
    lua.lua_pushvalue(L, -2); // a copy: converting the key itself would break lua_next
    const k = J(lua.lua_tolstring(L, -1)).toLowerCase();
    lua.lua_pop(L, 1);
    if (k === 'function_name') {
      if (!lua.lua_isstring(L, -1)) return fail('ERR function_name argument given to redis.register_function must be a string');
      name = J(lua.lua_tolstring(L, -1));
    } else if (k === 'description') {
      if (!lua.lua_isstring(L, -1)) return fail('ERR description argument given to redis.register_function must be a string');
      desc = J(lua.lua_tolstring(L, -1));
    } else if (k === 'callback') {
      if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) return fail('ERR callback argument given to redis.register_function must be a function');
      lua.lua_pushvalue(L, -1);
      if (cb) release(cb);
      cb = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    } else if (k === 'flags') {
      if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return fail('ERR flags argument to redis.register_function must be a table representing function flags');
      for (let j = 1; ; j++) {
        lua.lua_pushinteger(L, j);
        const t = lua.lua_gettable(L, -2);
        if (t === lua.LUA_TNIL) { lua.lua_pop(L, 1); break; }
        const f = lua.lua_isstring(L, -1) ? J(lua.lua_tolstring(L, -1)).toLowerCase() : '';
        lua.lua_pop(L, 1);
        const bit = FUNCTION_FLAGS.indexOf(f);
        if (bit < 0) return fail('ERR unknown flag given');
        flags |= 1 << bit;
      }
    } else return fail('ERR unknown argument given to redis.register_function');
    lua.lua_pop(L, 1);
  }
  if (name === undefined) return fail('ERR redis.register_function must get a function name argument');
  if (!cb) return fail('ERR redis.register_function must get a callback argument');
  // Redis keeps the flags as bits: FUNCTION LIST shows them once each, in its table's order.
  return addFunction(L, loading, release, name, cb, FUNCTION_FLAGS.filter((_, i) => flags & (1 << i)), desc);
}

function addFunction(L: L, loading: RegisteredFunction[], release: (ref: number) => void, name: string, ref: number, flags: string[], desc: string | undefined): number {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    release(ref);
    // Redis 7.0.15's text says "Library names" here too.
    return raise(L, { msg: 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' });
  }
  if (loading.some((f) => f.name === name)) {
    release(ref);
    return raise(L, { msg: 'ERR Function already exists in the library' });
  }
  const f: RegisteredFunction = { name, ref, flags };
  if (desc !== undefined) f.description = desc;
  loading.push(f);
  return 0;
}
