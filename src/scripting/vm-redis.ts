// The `redis` table scripts see: call / pcall (Redis's luaRedisGenericCommand), sha1hex,
// error_reply / status_reply, log, setresp, set_repl and the other helpers, and the constants.
import { lua, lauxlib } from './fengari.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import type { Frame } from '../protocol/frame.js';
import { fmtG17 } from '../protocol/numfmt.js';
import type { Proto } from '../protocol/resp-encode.js';
import { sha1Hex } from './sha1.js';
import { pushFrame } from './vm-convert.js';
import { errHandler, pushErrTable, raise } from './vm-errors.js';

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
  /** Whether the script has called a write command (Redis's SCRIPT_WRITE_DIRTY). */
  readonly wrote?: boolean;
  /** redis.log: level is Redis's LL_* (0 debug … 3 warning). */
  log?(level: number, msg: string): void;
}

export const REPL_NONE = 0, REPL_AOF = 1, REPL_REPLICA = 2, REPL_ALL = 3;

/** What redis.* reads and sets during a run: the host, the RESP version (setresp), set_repl's mask. */
export interface RunState {
  host: ScriptHost | null;
  resp: Proto;
  repl: number;
}

function fn(L: L, name: string, f: (L: L) => number): void {
  lua.lua_pushcfunction(L, f);
  lua.lua_setfield(L, -2, S(name));
}

/** Set the global `redis`; returns the registry ref of the message handler (__redis__err__handler). */
export function setupRedis(L: L, st: RunState): number {
  lua.lua_createtable(L, 0, 24);
  fn(L, 'call', (L) => redisCall(L, st, true));
  fn(L, 'pcall', (L) => redisCall(L, st, false));
  fn(L, 'sha1hex', (L) => {
    if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR wrong number of arguments' });
    lua.lua_pushstring(L, S(sha1Hex(J(lua.lua_tolstring(L, 1)))));
    return 1;
  });
  fn(L, 'error_reply', (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, { msg: 'ERR wrong number or type of arguments' });
    let m = J(lua.lua_tolstring(L, 1));
    if (m.startsWith('-')) m = m.slice(1);
    pushErrTable(L, m);
    return 1;
  });
  fn(L, 'status_reply', (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, { msg: 'ERR wrong number or type of arguments' });
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushvalue(L, 1);
    lua.lua_setfield(L, -2, S('ok'));
    return 1;
  });
  fn(L, 'log', (L) => {
    const n = lua.lua_gettop(L);
    if (n < 2) return raise(L, { msg: 'ERR redis.log() requires two arguments or more.' });
    if (!lua.lua_isnumber(L, 1)) return raise(L, { msg: 'ERR First argument must be a number (log level).' });
    const level = lua.lua_tonumber(L, 1);
    if (level < 0 || level > 3) return raise(L, { msg: 'ERR Invalid debug level.' });
    let msg = '';
    for (let i = 2; i <= n; i++) msg += (i > 2 ? ' ' : '') + J(lua.lua_tolstring(L, i));
    st.host?.log?.(level, msg);
    return 0;
  });
  fn(L, 'setresp', (L) => {
    if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR redis.setresp() requires one argument.' });
    const v = lua.lua_tonumber(L, 1);
    if (v !== 2 && v !== 3) return raise(L, { msg: 'ERR RESP version must be 2 or 3.' });
    st.resp = v;
    return 0;
  });
  fn(L, 'set_repl', (L) => {
    if (lua.lua_gettop(L) !== 1) return raise(L, { msg: 'ERR redis.set_repl() requires one argument.' });
    const v = lua.lua_tonumber(L, 1);
    if (!Number.isInteger(v) || v < 0 || v > 3) return raise(L, { msg: 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.' });
    st.repl = v;
    return 0;
  });
  fn(L, 'replicate_commands', (L) => {
    lua.lua_pushboolean(L, 1);
    return 1;
  });
  fn(L, 'breakpoint', (L) => {
    lua.lua_pushboolean(L, 0);
    return 1;
  });
  fn(L, 'debug', () => 0);
  fn(L, 'acl_check_cmd', (L) => {
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
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/** redis.call / redis.pcall (Redis's luaRedisGenericCommand). */
function redisCall(L: L, st: RunState, raiseErrors: boolean): number {
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
  if (!st.host) return fail('ERR redis.call is not available here');
  const reply = st.host.call(argv, st.resp);
  if (reply.t === 'err' && raiseErrors) return raise(L, { msg: reply.v });
  pushFrame(L, reply, st.resp);
  return 1;
}
