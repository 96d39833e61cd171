// The globals Redis 7.0 gives scripts on fengari (Lua 5.3): the libraries Redis opens (base, table,
// string, math, coroutine, cjson, bit, cmsgpack, struct), Lua 5.1's names and shims, 5.1's
// tostring of floats, _VERSION, and math.random as Redis's redisLrand48 (reproducible scripts).
import { lua, lauxlib, lualib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { fmtG } from '../protocol/numfmt.js';
import { openCjson } from './cjson.js';
import { openBit } from './bit.js';
import { openCmsgpack } from './cmsgpack.js';
import { openStruct } from './struct.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** Open the libraries and shims on a fresh state; `rand` backs math.random / randomseed. */
export function openLibs(L: L, rand: Lrand48): void {
  const libs: [string, unknown][] = [
    ['_G', lualib.luaopen_base], ['table', lualib.luaopen_table], ['string', lualib.luaopen_string],
    ['math', lualib.luaopen_math], ['coroutine', lualib.luaopen_coroutine],
  ];
  for (const [name, fn] of libs) {
    lauxlib.luaL_requiref(L, S(name), fn, 1);
    lua.lua_pop(L, 1);
  }
  openCjson(L);
  openBit(L);
  openCmsgpack(L);
  openStruct(L);
  // Lua 5.3 → 5.1 as Redis has it: drop what 5.1 / Redis lack, add 5.1's names.
  const drop = ['dofile', 'loadfile', 'print', 'rawlen', 'require'];
  for (const g of drop) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, S(g));
  }
  doString(L, `
    local rawload, tunpack, fmod, tab, str, m = load, table.unpack, math.fmod, table, string, math
    unpack = tunpack
    -- no bytecode: Redis refuses binary chunks
    local function syntax51(f, e)
      if e then e = str.gsub(e, ' near <eof>$', " near '<eof>'") end
      return f, e
    end
    load = function(chunk, name, mode, env) return syntax51(rawload(chunk, name, 't', env)) end
    loadstring = function(s, name) return syntax51(rawload(s, name, 't')) end
    gcinfo = function() return math.floor(collectgarbage('count')) end
    tab.getn = function(t) return #t end
    tab.setn = function() error("'setn' is obsolete", 2) end
    tab.maxn = function(t) local n = 0 for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end return n end
    tab.foreach = function(t, f) for k, v in pairs(t) do local r = f(k, v) if r ~= nil then return r end end end
    tab.foreachi = function(t, f) for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end end
    tab.pack, tab.unpack, tab.move = nil, nil, nil
    str.gfind = str.gmatch
    str.pack, str.packsize, str.unpack = nil, nil, nil
    m.pow = function(x, y) return x ^ y end
    m.mod = fmod
    m.ldexp = function(x, e) return x * 2.0 ^ e end
    m.frexp = function(x)
      if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
      local e = math.floor(math.log(math.abs(x), 2)) + 1
      local f = x / 2.0 ^ e
      if math.abs(f) >= 1 then f = f / 2 e = e + 1 elseif math.abs(f) < 0.5 then f = f * 2 e = e - 1 end
      return f, e
    end
    m.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
    m.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
    m.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
    m.log10 = function(x) return math.log(x, 10) end
    m.atan2 = function(y, x) return math.atan(y, x) end
    m.tointeger, m.type, m.ult, m.maxinteger, m.mininteger = nil, nil, nil, nil, nil
  `);
  // tostring of a float: C's %.14g (fengari.ts fixes `..` and lua_tolstring; tostring goes
  // through luaL_tolstring's own number path).
  lua.lua_pushcfunction(L, (L: L) => {
    lauxlib.luaL_checkany(L, 1);
    if (lua.lua_type(L, 1) === lua.LUA_TNUMBER && !lua.lua_isinteger(L, 1)) lua.lua_pushstring(L, S(fmtG(lua.lua_tonumber(L, 1), 14)));
    else lauxlib.luaL_tolstring(L, 1);
    return 1;
  });
  lua.lua_setglobal(L, S('tostring'));
  lua.lua_pushliteral(L, 'Lua 5.1');
  lua.lua_setglobal(L, S('_VERSION'));
  // math.random / randomseed: Redis's redisLrand48 (scripts must be reproducible).
  lua.lua_getglobal(L, S('math'));
  lua.lua_pushcfunction(L, (L: L) => rand.random(L));
  lua.lua_setfield(L, -2, S('random'));
  lua.lua_pushcfunction(L, (L: L) => {
    rand.seed(Math.trunc(lauxlib.luaL_checknumber(L, 1)));
    return 0;
  });
  lua.lua_setfield(L, -2, S('randomseed'));
  lua.lua_pop(L, 1);
  rand.seed(0);
}

/** Redis's redisLrand48 state (math.random is deterministic, seeded at VM creation as Redis). */
export class Lrand48 {
  private state = 0n;

  seed(n: number): void {
    this.state = ((BigInt(n >>> 0) << 16n) | 0x330en) & 0xffffffffffffn;
  }

  /** math.random([m [, n]]). */
    random(L: L): number {
    // Redis's luaRedisRandom: r = (redisLrand48() % REDIS_LRAND48_MAX) / REDIS_LRAND48_MAX
    this.state = (this.state * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    const v = Number(this.state >> 17n);
    const r = (v % 2147483647) / 2147483647;
    const n = lua.lua_gettop(L);
    if (n === 0) lua.lua_pushnumber(L, r);
    else if (n === 1) {
      const u = Math.trunc(lauxlib.luaL_checknumber(L, 1));
      if (!(u >= 1)) return lauxlib.luaL_argerror(L, 1, S('interval is empty'));
      lua.lua_pushnumber(L, Math.floor(r * u) + 1);
    } else if (n === 2) {
      const lo = Math.trunc(lauxlib.luaL_checknumber(L, 1));
      const hi = Math.trunc(lauxlib.luaL_checknumber(L, 2));
      if (!(lo <= hi)) return lauxlib.luaL_argerror(L, 2, S('interval is empty'));
      lua.lua_pushnumber(L, Math.floor(r * (hi - lo + 1)) + lo);
    } else return lauxlib.luaL_error(L, S('wrong number of arguments'));
    return 1;
  }
}

/** Run setup code (a failure is a bug). */
export function doString(L: L, code: string): void {
  if (lauxlib.luaL_loadbuffer(L, S(code), null, S('=redis')) !== 0 || lua.lua_pcall(L, 0, 0, 0) !== 0) {
    throw new Error(`scripting setup: ${J(lua.lua_tolstring(L, -1))}`);
  }
}
