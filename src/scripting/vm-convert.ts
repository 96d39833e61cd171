// Conversions between Lua values and replies: Redis's luaReplyToRedisReply (a script's result)
// and redisProtocolToLuaType (a redis.call reply), in the RESP version the script asked for.
import { lua } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { err, type Frame } from '../protocol/frame.js';
import { fmtG17 } from '../protocol/numfmt.js';
import type { Proto } from '../protocol/resp-encode.js';
import { oneLine, pushErrTable, readErr } from './vm-errors.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** Lua value → reply (Redis's luaReplyToRedisReply). */
export function toFrame(L: L, idx: number, depth: number, resp: Proto): Frame {
  const t = lua.lua_type(L, idx);
  switch (t) {
    case lua.LUA_TSTRING:
      return { t: 'bulk', v: J(lua.lua_tolstring(L, idx)) };
    case lua.LUA_TBOOLEAN:
      if (resp === 2) return lua.lua_toboolean(L, idx) ? { t: 'int', v: 1 } : { t: 'nil' };
      return { t: 'bool', v: lua.lua_toboolean(L, idx) };
    case lua.LUA_TNUMBER: {
      const x = lua.lua_tonumber(L, idx);
      return { t: 'int', v: toInt64(x) };
    }
    case lua.LUA_TTABLE:
      return tableFrame(L, lua.lua_absindex(L, idx), depth, resp);
    default:
      return { t: 'nil' };
  }
}

function tableFrame(L: L, idx: number, depth: number, resp: Proto): Frame {
  if (depth > 1000) return err('ERR reached lua stack limit');
  const field = (name: string): number => {
    lua.lua_pushstring(L, S(name));
    return lua.lua_rawget(L, idx);
  };
  if (field('err') === lua.LUA_TSTRING) {
    lua.lua_pop(L, 1);
    const info = readErr(L, idx);
    return err(oneLine(info.msg));
  }
  lua.lua_pop(L, 1);
  if (field('ok') === lua.LUA_TSTRING) {
    const v = oneLine(J(lua.lua_tolstring(L, -1)));
    lua.lua_pop(L, 1);
    return { t: 'simple', v };
  }
  lua.lua_pop(L, 1);
  if (field('double') === lua.LUA_TNUMBER) {
    const v = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return { t: 'dbl', v };
  }
  lua.lua_pop(L, 1);
  if (field('big_number') === lua.LUA_TSTRING) {
    const v = oneLine(J(lua.lua_tolstring(L, -1)));
    lua.lua_pop(L, 1);
    // keyflare's frames have no big-number type: RESP2's lowering (a bulk string) for both.
    return { t: 'bulk', v };
  }
  lua.lua_pop(L, 1);
  if (field('verbatim_string') === lua.LUA_TTABLE) {
    const vt = lua.lua_gettop(L);
    lua.lua_getfield(L, vt, S('format'));
    lua.lua_getfield(L, vt, S('string'));
    if (lua.lua_type(L, -2) === lua.LUA_TSTRING && lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      const f: Frame = { t: 'verb', fmt: J(lua.lua_tolstring(L, -2)), v: J(lua.lua_tolstring(L, -1)) };
      lua.lua_settop(L, vt - 1);
      return f;
    }
    lua.lua_settop(L, vt - 1);
  } else lua.lua_pop(L, 1);
  if (field('map') === lua.LUA_TTABLE) {
    const m = lua.lua_gettop(L);
    const out: Frame[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m) !== 0) {
      out.push(toFrame(L, -2, depth + 1, resp));
      out.push(toFrame(L, -1, depth + 1, resp));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { t: 'map', v: out };
  }
  lua.lua_pop(L, 1);
  if (field('set') === lua.LUA_TTABLE) {
    const m = lua.lua_gettop(L);
    const out: Frame[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, m) !== 0) {
      lua.lua_pop(L, 1);
      out.push(toFrame(L, -1, depth + 1, resp));
    }
    lua.lua_pop(L, 1);
    return { t: 'set', v: out };
  }
  lua.lua_pop(L, 1);
  const out: Frame[] = [];
  for (let j = 1; ; j++) {
    if (lua.lua_rawgeti(L, idx, j) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    out.push(toFrame(L, -1, depth + 1, resp));
    lua.lua_pop(L, 1);
  }
  return { t: 'arr', v: out };
}

function toInt64(x: number): number | bigint {
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return t;
  // C's cast as x86's cvttsd2si does it: infinities, NaN and anything out of range give INT64_MIN.
  if (!Number.isFinite(t)) return -9223372036854775808n;
  if (t >= 2 ** 63 || t < -(2 ** 63)) return -9223372036854775808n;
  return BigInt(t);
}

export function pushArray(L: L, xs: readonly string[]): void {
  lua.lua_createtable(L, xs.length, 0);
  for (let i = 0; i < xs.length; i++) {
    lua.lua_pushstring(L, S(xs[i]!));
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/** Reply → Lua value (Redis's redisProtocolToLuaType), in the script's RESP version. */
export function pushFrame(L: L, f: Frame, resp: Proto): void {
  switch (f.t) {
    case 'int':
      lua.lua_pushnumber(L, Number(f.v));
      return;
    case 'bulk':
      lua.lua_pushstring(L, S(f.v));
      return;
    case 'simple':
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushstring(L, S(f.v));
      lua.lua_setfield(L, -2, S('ok'));
      return;
    case 'err':
      pushErrTable(L, f.v);
      return;
    case 'nil':
    case 'nilarr':
      if (resp === 2) lua.lua_pushboolean(L, 0);
      else lua.lua_pushnil(L);
      return;
    case 'arr':
    case 'push':
      lua.lua_createtable(L, f.v.length, 0);
      for (let i = 0; i < f.v.length; i++) {
        pushFrame(L, f.v[i]!, resp);
        lua.lua_rawseti(L, -2, i + 1);
      }
      return;
    case 'map':
      if (resp === 2) return pushFrame(L, { t: 'arr', v: f.v }, resp);
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, f.v.length / 2);
      for (let i = 0; i + 1 < f.v.length; i += 2) {
        pushFrame(L, f.v[i]!, resp);
        pushFrame(L, f.v[i + 1]!, resp);
        lua.lua_rawset(L, -3);
      }
      lua.lua_setfield(L, -2, S('map'));
      return;
    case 'set':
      if (resp === 2) return pushFrame(L, { t: 'arr', v: f.v }, resp);
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, f.v.length);
      for (const x of f.v) {
        pushFrame(L, x, resp);
        lua.lua_pushboolean(L, 1);
        lua.lua_rawset(L, -3);
      }
      lua.lua_setfield(L, -2, S('set'));
      return;
    case 'dbl':
      if (resp === 2) {
        lua.lua_pushstring(L, S(f.s ?? fmtG17(f.v)));
        return;
      }
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushnumber(L, f.v);
      lua.lua_setfield(L, -2, S('double'));
      return;
    case 'bool':
      if (resp === 2) lua.lua_pushnumber(L, f.v ? 1 : 0);
      else lua.lua_pushboolean(L, f.v ? 1 : 0);
      return;
    case 'verb':
      if (resp === 2) {
        lua.lua_pushstring(L, S(f.v));
        return;
      }
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, 2);
      lua.lua_pushstring(L, S(f.fmt));
      lua.lua_setfield(L, -2, S('format'));
      lua.lua_pushstring(L, S(f.v));
      lua.lua_setfield(L, -2, S('string'));
      lua.lua_setfield(L, -2, S('verbatim_string'));
      return;
  }
}
