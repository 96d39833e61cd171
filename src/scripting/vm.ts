// Redis 7.0's Lua scripting environment on fengari (Lua 5.3 in JS): the globals Redis gives
// scripts (5.1 names included), redis.* functions, the conversion rules between Lua values and
// replies in both directions, and Redis's error texts. Pure: commands run through a ScriptHost.
import { lua, lauxlib, lualib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { err, type Frame } from '../protocol/frame.js';
import { fmtG, fmtG17 } from '../protocol/numfmt.js';
import type { Proto } from '../protocol/resp-encode.js';
import { sha1Hex } from './sha1.js';
import { openCjson } from './cjson.js';
import { openBit } from './bit.js';
import { openCmsgpack } from './cmsgpack.js';
import { openStruct } from './struct.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

/** What a running script needs from the shard: run one command (redis.call / pcall). */
export interface ScriptHost {
  /** Run argv for the script; an error frame is the command's (or the refusal's) error. */
  call(argv: string[], resp: Proto): Frame;
  /**
   * Lua instructions the script may run before it is stopped (0: no limit). A shard serves no
   * one while a script runs, and workerd's clock stands still during it, so the budget is counted.
   */
  readonly instructionBudget?: number;
  /** redis.log: level is Redis's LL_* (0 debug … 3 warning). */
  log?(level: number, msg: string): void;
}

/** A raised error: Redis's error table fields (err, source, line). */
interface ErrInfo {
  msg: string;
  source?: string;
  line?: string;
}

const HOOK_EVERY = 100_000;

/** Redis's scripts_flags_def, in its order. */
const FUNCTION_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'];

export const REPL_NONE = 0, REPL_AOF = 1, REPL_REPLICA = 2, REPL_ALL = 3;

/** A function a library registered (FUNCTION LOAD). */
export interface RegisteredFunction {
  name: string;
  ref: number;
  flags: string[];
  description?: string;
}

/** Result of compiling a script body: a Lua function reference in the registry, or the error. */
export type Compiled = { ref: number } | { error: string };

/** One Lua VM (Redis has one per server; keyflare one per shard), with Redis's script globals. */
export class LuaVM {
  readonly L: L;
  private host: ScriptHost | null = null;
  /** The RESP version redis.call replies are converted from (redis.setresp), per script run. */
  resp: Proto = 2;
  /** redis.set_repl's mask for the running script. */
  repl = REPL_ALL;
  private globals = 0; // registry refs
  private errHandler = 0;
  /** Scripts' _ENV: reads fall through to the globals, writes are refused (Redis's readonly _G). */
  private env = 0;
  /** Redis's redisLrand48 state (math.random is deterministic, seeded at VM creation as Redis). */
  private rand = 0n;

  constructor() {
    const L = (this.L = lauxlib.luaL_newstate());
    this.openLibs(L);
    this.setupRedis(L);
    this.protect(L);
  }

  private openLibs(L: L): void {
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
    this.doString(L, `
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
    lua.lua_pushcfunction(L, (L: L) => this.mathRandom(L));
    lua.lua_setfield(L, -2, S('random'));
    lua.lua_pushcfunction(L, (L: L) => {
      this.seed(Math.trunc(lauxlib.luaL_checknumber(L, 1)));
      return 0;
    });
    lua.lua_setfield(L, -2, S('randomseed'));
    lua.lua_pop(L, 1);
    this.seed(0);
  }

  private seed(n: number): void {
    this.rand = ((BigInt(n >>> 0) << 16n) | 0x330en) & 0xffffffffffffn;
  }

  private mathRandom(L: L): number {
    // Redis's luaRedisRandom: r = (redisLrand48() % REDIS_LRAND48_MAX) / REDIS_LRAND48_MAX
    this.rand = (this.rand * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    const v = Number(this.rand >> 17n);
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

  private doString(L: L, code: string): void {
    if (lauxlib.luaL_loadbuffer(L, S(code), null, S('=redis')) !== 0 || lua.lua_pcall(L, 0, 0, 0) !== 0) {
      throw new Error(`scripting setup: ${J(lua.lua_tolstring(L, -1))}`);
    }
  }

  private fn(L: L, name: string, f: (L: L) => number): void {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, S(name));
  }

  private setupRedis(L: L): void {
    lua.lua_createtable(L, 0, 24);
    this.fn(L, 'call', (L) => this.redisCall(L, true));
    this.fn(L, 'pcall', (L) => this.redisCall(L, false));
    this.fn(L, 'sha1hex', (L) => {
      if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR wrong number of arguments' });
      lua.lua_pushstring(L, S(sha1Hex(J(lua.lua_tolstring(L, 1)))));
      return 1;
    });
    this.fn(L, 'error_reply', (L) => {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, { msg: 'ERR wrong number or type of arguments' });
      let m = J(lua.lua_tolstring(L, 1));
      if (m.startsWith('-')) m = m.slice(1);
      pushErrTable(L, m);
      return 1;
    });
    this.fn(L, 'status_reply', (L) => {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, { msg: 'ERR wrong number or type of arguments' });
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushvalue(L, 1);
      lua.lua_setfield(L, -2, S('ok'));
      return 1;
    });
    this.fn(L, 'log', (L) => {
      const n = lua.lua_gettop(L);
      if (n < 2) return raise(L, { msg: 'ERR redis.log() requires two arguments or more.' });
      if (!lua.lua_isnumber(L, 1)) return raise(L, { msg: 'ERR First argument must be a number (log level).' });
      const level = lua.lua_tonumber(L, 1);
      if (level < 0 || level > 3) return raise(L, { msg: 'ERR Invalid debug level.' });
      let msg = '';
      for (let i = 2; i <= n; i++) msg += (i > 2 ? ' ' : '') + J(lua.lua_tolstring(L, i));
      this.host?.log?.(level, msg);
      return 0;
    });
    this.fn(L, 'setresp', (L) => {
      if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR redis.setresp() requires one argument.' });
      const v = lua.lua_tonumber(L, 1);
      if (v !== 2 && v !== 3) return raise(L, { msg: 'ERR RESP version must be 2 or 3.' });
      this.resp = v;
      return 0;
    });
    this.fn(L, 'set_repl', (L) => {
      if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR redis.set_repl() requires one argument.' });
      const v = lua.lua_tonumber(L, 1);
      if (!Number.isInteger(v) || v < 0 || v > 3) return raise(L, { msg: 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.' });
      this.repl = v;
      return 0;
    });
    this.fn(L, 'replicate_commands', (L) => {
      lua.lua_pushboolean(L, 1);
      return 1;
    });
    this.fn(L, 'breakpoint', (L) => {
      lua.lua_pushboolean(L, 0);
      return 1;
    });
    this.fn(L, 'debug', () => 0);
    this.fn(L, 'acl_check_cmd', (L) => {
      if (lua.lua_gettop(L) < 1) return raise(L, { msg: 'ERR Please specify at least one argument for this redis lib call' });
      lua.lua_pushboolean(L, 1);
      return 1;
    });
    const consts: [string, number][] = [
      ['LOG_DEBUG', 0], ['LOG_VERBOSE', 1], ['LOG_NOTICE', 2], ['LOG_WARNING', 3],
      ['REPL_NONE', REPL_NONE], ['REPL_AOF', REPL_AOF], ['REPL_SLAVE', REPL_REPLICA], ['REPL_REPLICA', REPL_REPLICA], ['REPL_ALL', REPL_ALL],
      ['REDIS_VERSION_NUM', 0x07000f],
    ];
    for (const [k, v] of consts) {
      lua.lua_pushinteger(L, v);
      lua.lua_setfield(L, -2, S(k));
    }
    lua.lua_pushliteral(L, '7.0.15');
    lua.lua_setfield(L, -2, S('REDIS_VERSION'));
    lua.lua_setglobal(L, S('redis'));
    // Redis's __redis__err__handler, in JS so that it sees the raiser's caller (see errHandler).
    lua.lua_pushcfunction(L, (L: L) => errHandler(L));
    lua.lua_pushvalue(L, -1);
    lua.lua_setglobal(L, S('__redis__err__handler'));
    this.errHandler = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  /**
   * Redis's readonly tables: the globals and every library table refuse writes ("Attempt to
   * modify a readonly table"); a read of a missing global is an error. fengari has no readonly
   * flag, so scripts see proxies: empty tables whose metatable forwards reads and refuses writes.
   */
  /** What getmetatable() shows of a protected table: a readonly stand-in, so the real one stays out of reach. */
  private sealRef = 0;

  /** Seal the metatable on top of the stack (its __metatable is the readonly stand-in). */
  private seal(L: L): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.sealRef);
    lua.lua_setfield(L, -2, S('__metatable'));
  }

  private protect(L: L): void {
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
    lua.lua_setfield(L, -2, S('__newindex'));
    lua.lua_pushboolean(L, 0);
    lua.lua_setfield(L, -2, S('__metatable'));
    lua.lua_setmetatable(L, -2);
    this.sealRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
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
      this.seal(L);
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
    this.seal(L);
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
    this.seal(L);
    lua.lua_setmetatable(L, -2);
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, g, S('_G')); // _G names the proxy, so _G.x = 1 is refused too
    this.env = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushvalue(L, g);
    this.globals = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pop(L, 1);
  }

  /** Functions registered by the library being loaded (FUNCTION LOAD); null outside a load. */
  private loading: RegisteredFunction[] | null = null;
  private libEnv = 0;

  /**
   * Run a library's code (FUNCTION LOAD) in the functions' environment, where `redis` offers only
   * register_function, log and the constants until the load ends; returns what it registered.
   */
  loadLibrary(code: string): { functions: RegisteredFunction[] } | { error: string } {
    const L = this.L;
    if (this.libEnv === 0) this.libEnv = this.makeLibEnv(L);
    if (lauxlib.luaL_loadbufferx(L, S(code), null, S('@user_function'), S('t')) !== 0) {
      const msg = lua51Syntax(J(lua.lua_tolstring(L, -1)));
      lua.lua_pop(L, 1);
      return { error: `ERR Error compiling function: ${msg}` };
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.libEnv);
    lua.lua_setupvalue(L, -2, 1);
    const fn = lua.lua_gettop(L);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.errHandler);
    lua.lua_insert(L, fn);
    this.loading = [];
    try {
      if (lua.lua_pcall(L, 0, 0, fn) !== 0) {
        const msg = lua.lua_type(L, -1) === lua.LUA_TTABLE ? readErr(L, -1).msg : J(lua.lua_tolstring(L, -1));
        for (const f of this.loading) this.release(f.ref);
        return { error: `ERR Error registering functions: ${msg}` };
      }
      return { functions: this.loading };
    } finally {
      this.loading = null;
      lua.lua_settop(L, fn - 1);
    }
  }

  /** Functions' _ENV: the globals, readonly, with `redis` as the library API during a load. */
  private makeLibEnv(L: L): number {
    // The load-time API table: what a library may call while it loads.
    lua.lua_createtable(L, 0, 8);
    const api = lua.lua_gettop(L);
    lua.lua_pushcfunction(L, (L: L) => this.registerFunction(L));
    lua.lua_setfield(L, api, S('register_function'));
    lua.lua_getglobal(L, S('redis'));
    const real = lua.lua_gettop(L);
    for (const k of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
      lua.lua_getfield(L, real, S(k));
      lua.lua_setfield(L, api, S(k));
    }
    // The `redis` functions see: the API while loading, the real table when they run.
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushvalue(L, api);
    lua.lua_pushvalue(L, real);
    lua.lua_pushcclosure(L, (L: L) => {
      // upvalue 1: the load API, 2: the real redis table; args: proxy, key
      lua.lua_pushvalue(L, 2);
      if (this.loading) {
        if (lua.lua_rawget(L, lua.lua_upvalueindex(1)) === lua.LUA_TNIL) {
          return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lua.lua_tolstring(L, 2))}'`);
        }
        return 1;
      }
      lua.lua_gettable(L, lua.lua_upvalueindex(2));
      return 1;
    }, 2);
    lua.lua_setfield(L, -2, S('__index'));
    lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
    lua.lua_setfield(L, -2, S('__newindex'));
    this.seal(L);
    lua.lua_setmetatable(L, -2);
    const redisProxy = lua.lua_gettop(L);
    // The environment: reads of `redis` give the proxy, others the globals (missing ones refused).
    // While a library loads, Redis's globals are its LIBRARY_API table, which holds `redis` alone:
    // error, string, pairs… are all "nonexistent" at load time, and reachable once functions run.
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 3);
    lua.lua_pushvalue(L, redisProxy);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globals);
    lua.lua_pushcclosure(L, (L: L) => {
      if (lua.lua_type(L, 2) === lua.LUA_TSTRING && J(lua.lua_tolstring(L, 2)) === 'redis') {
        lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
        return 1;
      }
      if (this.loading) return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lauxlib.luaL_tolstring(L, 2))}'`);
      lua.lua_pushvalue(L, 2);
      if (lua.lua_rawget(L, lua.lua_upvalueindex(2)) === lua.LUA_TNIL) {
        return raiseWhere(L, `Script attempted to access nonexistent global variable '${J(lauxlib.luaL_tolstring(L, 2))}'`);
      }
      return 1;
    }, 2);
    lua.lua_setfield(L, -2, S('__index'));
    lua.lua_pushcfunction(L, (L: L) => raiseWhere(L, 'Attempt to modify a readonly table'));
    lua.lua_setfield(L, -2, S('__newindex'));
    this.seal(L);
    lua.lua_setmetatable(L, -2);
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_settop(L, api - 1);
    return ref;
  }

  /**
   * redis.register_function(name, callback) or redis.register_function{function_name=…,
   * callback=…, flags=…, description=…}, as Redis's luaRegisterFunctionReadArgs: numbers pass
   * for strings (lua_isstring), named keys and flags are matched case-insensitively.
   */
  private registerFunction(L: L): number {
    let cb = 0;
    const fail = (m: string): number => {
      if (cb) this.release(cb);
      return raise(L, { msg: m });
    };
    if (!this.loading) return fail('ERR redis.register_function can only be called on FUNCTION LOAD command');
    let name: string | undefined, desc: string | undefined;
    let flags = 0;
    const n = lua.lua_gettop(L);
    if (n < 1 || n > 2) return fail('ERR wrong number of arguments to redis.register_function');
    if (n === 2) {
      if (!lua.lua_isstring(L, 1)) return fail('ERR first argument to redis.register_function must be a string');
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return fail('ERR second argument to redis.register_function must be a function');
      name = J(lua.lua_tolstring(L, 1));
      lua.lua_pushvalue(L, 2);
      return this.addFunction(L, name, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), [], desc);
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
        if (cb) this.release(cb);
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
    return this.addFunction(L, name, cb, FUNCTION_FLAGS.filter((_, i) => flags & (1 << i)), desc);
  }

  private addFunction(L: L, name: string, ref: number, flags: string[], desc: string | undefined): number {
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      this.release(ref);
      // Redis 7.0.15's text says "Library names" here too.
      return raise(L, { msg: 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' });
    }
    if (this.loading!.some((f) => f.name === name)) {
      this.release(ref);
      return raise(L, { msg: 'ERR Function already exists in the library' });
    }
    const f: RegisteredFunction = { name, ref, flags };
    if (desc !== undefined) f.description = desc;
    this.loading!.push(f);
    return 0;
  }

  /** Compile a script body (after its shebang line) as Redis's luaCreateFunction. */
  compile(body: string, chunkname = '@user_script'): Compiled {
    const L = this.L;
    if (lauxlib.luaL_loadbufferx(L, S(body), null, S(chunkname), S('t')) !== 0) {
      const msg = lua51Syntax(J(lua.lua_tolstring(L, -1)));
      lua.lua_pop(L, 1);
      return { error: msg };
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.env);
    lua.lua_setupvalue(L, -2, 1);
    return { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
  }

  release(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /**
   * Run a compiled script with KEYS and ARGV; the reply as Redis's luaCallFunction gives it.
   * `name` is what error texts call the script (its SHA-1, or the function's name).
   */
  run(ref: number, keys: readonly string[], args: readonly string[], host: ScriptHost, name: string, asGlobals = true): Frame {
    const L = this.L;
    this.host = host;
    this.resp = 2;
    this.repl = REPL_ALL;
    const top = lua.lua_gettop(L);
    try {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.errHandler);
      const eh = lua.lua_gettop(L);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      let nargs = 0;
      if (asGlobals) {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globals);
        pushArray(L, keys);
        lua.lua_setfield(L, -2, S('KEYS'));
        pushArray(L, args);
        lua.lua_setfield(L, -2, S('ARGV'));
        lua.lua_pop(L, 1);
      } else {
        pushArray(L, keys);
        pushArray(L, args);
        nargs = 2;
      }
      const budget = host.instructionBudget ?? 0;
      if (budget > 0) {
        let left = budget;
        const hook = (L: L): void => {
          left -= HOOK_EVERY;
          if (left <= 0) {
            // From now on every instruction raises (as Redis's kill hook): one outside a pcall ends it.
            if (left > -HOOK_EVERY) lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, 1);
            pushErrTable(L, 'ERR Script killed: it ran past busy-reply-threshold (a shard serves no other client while a script runs)');
            lua.lua_error(L);
          }
        };
        lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, HOOK_EVERY);
      }
      const rc = lua.lua_pcall(L, nargs, 1, eh);
      if (budget > 0) lua.lua_sethook(L, null, 0, 0);
      if (rc !== 0) return this.errorReply(L, name);
      return this.toFrame(L, -1, 0);
    } finally {
      lua.lua_settop(L, top);
      this.host = null;
    }
  }

  private errorReply(L: L, name: string): Frame {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      const info = readErr(L, -1);
      const where = info.source !== undefined ? `${info.source}:${info.line ?? ''}` : '(null):(null)';
      return err(oneLine(`${info.msg} script: ${name}, on ${where}.`));
    }
    return err(oneLine(`ERR Error running script ${name}, ${J(lua.lua_tolstring(L, -1)).slice(0, 100)}`));
  }

  /** redis.call / redis.pcall (Redis's luaRedisGenericCommand). */
  private redisCall(L: L, raiseErrors: boolean): number {
    const n = lua.lua_gettop(L);
    const fail = (msg: string): number => {
      if (raiseErrors) return raise(L, { msg });
      pushErrTable(L, msg);
      return 1;
    };
    if (n === 0) return fail('ERR Please specify at least one argument for this redis lib call');
    const argv: string[] = new Array(n);
    for (let i = 1; i <= n; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TNUMBER) {
        // %.17g, not lua_tolstring's %.14g, which loses precision (as Redis).
        const x = lua.lua_tonumber(L, i);
        argv[i - 1] = Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? BigInt(x).toString() : fmtG17(x);
      } else if (t === lua.LUA_TSTRING) argv[i - 1] = J(lua.lua_tolstring(L, i));
      else return fail('ERR Lua redis lib command arguments must be strings or integers');
    }
    if (!this.host) return fail('ERR redis.call is not available here');
    const reply = this.host.call(argv, this.resp);
    if (reply.t === 'err' && raiseErrors) return raise(L, { msg: reply.v });
    pushFrame(L, reply, this.resp);
    return 1;
  }

  /** Lua value → reply (Redis's luaReplyToRedisReply). */
  toFrame(L: L, idx: number, depth: number): Frame {
    const t = lua.lua_type(L, idx);
    switch (t) {
      case lua.LUA_TSTRING:
        return { t: 'bulk', v: J(lua.lua_tolstring(L, idx)) };
      case lua.LUA_TBOOLEAN:
        if (this.resp === 2) return lua.lua_toboolean(L, idx) ? { t: 'int', v: 1 } : { t: 'nil' };
        return { t: 'bool', v: lua.lua_toboolean(L, idx) };
      case lua.LUA_TNUMBER: {
        const x = lua.lua_tonumber(L, idx);
        return { t: 'int', v: toInt64(x) };
      }
      case lua.LUA_TTABLE:
        return this.tableFrame(L, lua.lua_absindex(L, idx), depth);
      default:
        return { t: 'nil' };
    }
  }

  private tableFrame(L: L, idx: number, depth: number): Frame {
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
        out.push(this.toFrame(L, -2, depth + 1));
        out.push(this.toFrame(L, -1, depth + 1));
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
        out.push(this.toFrame(L, -1, depth + 1));
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
      out.push(this.toFrame(L, -1, depth + 1));
      lua.lua_pop(L, 1);
    }
    return { t: 'arr', v: out };
  }
}

function toInt64(x: number): number | bigint {
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return t;
  // C's cast as x86's cvttsd2si does it: infinities, NaN and anything out of range give INT64_MIN.
  if (!Number.isFinite(t)) return -9223372036854775808n;
  if (t >= 2 ** 63 || t < -(2 ** 63)) return -9223372036854775808n;
  return BigInt(t);
}

function oneLine(s: string): string {
  return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace(/[\r\n]/g, ' ');
}

function pushArray(L: L, xs: readonly string[]): void {
  lua.lua_createtable(L, xs.length, 0);
  for (let i = 0; i < xs.length; i++) {
    lua.lua_pushstring(L, S(xs[i]!));
    lua.lua_rawseti(L, -2, i + 1);
  }
}

function pushErrTable(L: L, msg: string): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, S(msg));
  lua.lua_setfield(L, -2, S('err'));
}

/** Raise Redis's error table {err = msg}; the message handler adds source and line. */
function raise(L: L, e: ErrInfo): number {
  pushErrTable(L, e.msg);
  return lua.lua_error(L);
}

/** Raise a string error with the caller's position ("user_script:1: …"), as luaL_error. */
function raiseWhere(L: L, msg: string): number {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, S(msg));
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** __pairs of a proxy: iterate the real table (upvalue 1). */
function proxyPairs(L: L): number {
  lua.lua_getglobal(L, S('next'));
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushnil(L);
  return 3;
}

function readErr(L: L, idx: number): ErrInfo {
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
function errHandler(L: L): number {
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
function lua51Syntax(m: string): string {
  return m.endsWith(' near <eof>') ? `${m.slice(0, -5)}'<eof>'` : m;
}

/** Lua 5.3's "attempt to index a nil value (local 'a')" in 5.1's words, as Redis reports it. */
function lua51Message(m: string): string {
  return m.replace(/attempt to ([a-z ]+?) an? (\w+) value \((\w+) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)");
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
