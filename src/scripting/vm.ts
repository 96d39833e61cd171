// Redis 7.0's Lua scripting environment on fengari (Lua 5.3 in JS), one VM per shard: compiling
// scripts, loading function libraries, and running either with Redis's error replies. Pure: the
// commands a script calls run through a ScriptHost. The parts live beside it: vm-compat.ts (the
// globals and Lua 5.1 shims), vm-redis.ts (the redis.* API), vm-protect.ts (readonly tables and
// the functions' environment), vm-functions.ts (register_function), vm-convert.ts (Lua values ⇄
// replies) and vm-errors.ts (error tables and texts).
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { err, type Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Lrand48, openLibs } from './vm-compat.js';
import { pushArray, toFrame } from './vm-convert.js';
import { lua51Syntax, oneLine, pushErrTable, readErr } from './vm-errors.js';
import { registerFunction, type RegisteredFunction } from './vm-functions.js';
import { makeLibEnv, protect, type Protected } from './vm-protect.js';
import { REPL_ALL, setupRedis, type RunState, type ScriptHost } from './vm-redis.js';

export type { RegisteredFunction } from './vm-functions.js';
export { REPL_ALL, REPL_AOF, REPL_NONE, REPL_REPLICA, type ScriptHost } from './vm-redis.js';

type L = unknown;
const S = (s: string): Uint8Array => toBytes(s);
const J = (u: Uint8Array | null | undefined): string => (u ? fromBytes(u) : '');

const HOOK_EVERY = 100_000;

/*
 * Long scripts. In Redis a script past busy-reply-threshold keeps running while other clients get
 * -BUSY, and only SCRIPT KILL / FUNCTION KILL (refused with -UNKILLABLE once the script wrote) or
 * SHUTDOWN NOSAVE end it. A keyflare shard is one single-threaded Durable Object: while a script
 * runs no other request is even delivered to it, so no client can be told BUSY and no KILL can
 * arrive (SCRIPT KILL and FUNCTION KILL answer NOTBUSY: no script is ever running when they are
 * served), and workerd's clock stands still inside the call. What is possible is a count of Lua
 * instructions (the host's budget, derived from busy-reply-threshold) checked by a count hook,
 * which plays the KILL no one can send: a script that has not written is stopped at the budget,
 * as SCRIPT KILL would stop it; one that has written is UNKILLABLE in Redis, so it is let run to
 * UNKILLABLE_FACTOR times the budget before it is stopped too (its writes so far stand, logged as
 * one MULTI/EXEC unit), rather than holding the shard until the runtime's CPU limit resets it.
 */
const UNKILLABLE_FACTOR = 10;
/** FUNCTION LOAD's 500 ms, counted as scripts' budgets are (about 2 000 instructions a millisecond). */
const LOAD_INSTRUCTIONS = 1_000_000;
const KILLED = 'ERR Script killed: it ran past busy-reply-threshold (a shard serves no other client while a script runs)';
const KILLED_AFTER_WRITES = `ERR Script killed: it wrote, then ran past ${UNKILLABLE_FACTOR} times busy-reply-threshold (its writes so far stand)`;

/** Result of compiling a script body: a Lua function reference in the registry, or the error. */
export type Compiled = { ref: number } | { error: string };

/** One Lua VM (Redis has one per server; keyflare one per shard), with Redis's script globals. */
export class LuaVM implements RunState {
  readonly L: L;
  host: ScriptHost | null = null;
  /** The RESP version redis.call replies are converted from (redis.setresp), per script run. */
  resp: Proto = 2;
  /** redis.set_repl's mask for the running script. */
  repl = REPL_ALL;
  private readonly errHandler: number;
  /** Registry refs of the readonly stand-ins: scripts' _ENV, the real globals. */
  private readonly refs: Protected;
  /** Functions registered by the library being loaded (FUNCTION LOAD); null outside a load. */
  private loading: RegisteredFunction[] | null = null;
  private libEnv = 0;

  constructor() {
    const L = (this.L = lauxlib.luaL_newstate());
    openLibs(L, new Lrand48());
    this.errHandler = setupRedis(L, this);
    this.refs = protect(L);
  }

  /**
   * Run a library's code (FUNCTION LOAD) in the functions' environment, where `redis` offers only
   * register_function, log and the constants until the load ends; returns what it registered.
   */
  loadLibrary(code: string): { functions: RegisteredFunction[] } | { error: string } {
    const L = this.L;
    if (this.libEnv === 0) {
      this.libEnv = makeLibEnv(L, this.refs, () => this.loading !== null, (L: L) => registerFunction(L, this.loading, (ref) => this.release(ref)));
    }
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
    // Redis's luaEngineLoadHook: a load past 500 ms fails with "FUNCTION LOAD timeout" (here a
    // count of instructions, the clock standing still; every instruction raises once it fired).
    let used = 0;
    const hook = (L: L): void => {
      if (used < LOAD_INSTRUCTIONS) {
        used += HOOK_EVERY;
        if (used < LOAD_INSTRUCTIONS) return;
        lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, 1);
      }
      pushErrTable(L, 'ERR FUNCTION LOAD timeout');
      lua.lua_error(L);
    };
    lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, HOOK_EVERY);
    try {
      if (lua.lua_pcall(L, 0, 0, fn) !== 0) {
        const msg = lua.lua_type(L, -1) === lua.LUA_TTABLE ? readErr(L, -1).msg : J(lua.lua_tolstring(L, -1));
        for (const f of this.loading) this.release(f.ref);
        return { error: `ERR Error registering functions: ${msg}` };
      }
      return { functions: this.loading };
    } finally {
      lua.lua_sethook(L, null, 0, 0);
      this.loading = null;
      lua.lua_settop(L, fn - 1);
    }
  }

  /** Compile a script body (after its shebang line) as Redis's luaCreateFunction. */
  compile(body: string, chunkname = '@user_script'): Compiled {
    const L = this.L;
    if (lauxlib.luaL_loadbufferx(L, S(body), null, S(chunkname), S('t')) !== 0) {
      const msg = lua51Syntax(J(lua.lua_tolstring(L, -1)));
      lua.lua_pop(L, 1);
      return { error: msg };
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.refs.env);
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
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.refs.globals);
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
        let used = 0;
        let killed = false;
        const hook = (L: L): void => {
          if (!killed) {
            used += HOOK_EVERY;
            if (used < (host.wrote ? UNKILLABLE_FACTOR * budget : budget)) return;
            // From now on every instruction raises (as Redis's kill hook): one outside a pcall ends it.
            killed = true;
            lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, 1);
          }
          pushErrTable(L, host.wrote ? KILLED_AFTER_WRITES : KILLED);
          lua.lua_error(L);
        };
        lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, HOOK_EVERY);
      }
      const rc = lua.lua_pcall(L, nargs, 1, eh);
      if (budget > 0) lua.lua_sethook(L, null, 0, 0);
      if (rc !== 0) return this.errorReply(L, name);
      return toFrame(L, -1, 0, this.resp);
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
}
