// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|KILL: Lua scripts run on the
// shard owning their keys, atomically (one synchronous handler), logged as the commands they ran
// wrapped in MULTI … EXEC. Each shard has its own VM and script cache; SCRIPT LOAD / FLUSH reach
// every shard (the connection fans them out), so EVALSHA works wherever its keys route it.
import { keySlot } from '../cluster/slot.js';
import { E, OK, arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { splitArgs } from '../protocol/resp-decode.js';
import type { Proto } from '../protocol/resp-encode.js';
import { sha1Hex } from '../scripting/sha1.js';
import { LuaVM, type ScriptHost } from '../scripting/vm.js';
import { helpReply } from './help.js';
import { lookupIn } from './lookup.js';
import { def, described } from './spec-data.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';

export const NOSCRIPT = err('NOSCRIPT No matching script. Please use EVAL.');

/** Redis 7's script flags (shebang `#!lua flags=…`). */
export const enum SF {
  NoWrites = 1,
  AllowOom = 2,
  AllowStale = 4,
  NoCluster = 8,
  AllowCrossSlot = 16,
  /** No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE. */
  Compat = 32,
}
const FLAG_NAMES: Record<string, SF> = {
  'no-writes': SF.NoWrites, 'allow-oom': SF.AllowOom, 'allow-stale': SF.AllowStale,
  'no-cluster': SF.NoCluster, 'allow-cross-slot-keys': SF.AllowCrossSlot,
  // Upstash's own flag (every @upstash/ratelimit 2.x script opens with it; Redis 7.0 refuses it).
  // Accepted and ignored: a keyflare script already holds its keys for its whole run.
  'allow-key-locking': 0 as SF,
};

/** Redis's evalExtractShebangFlags: flags and the shebang line's length, or the error. */
export function shebangFlags(body: string): { flags: number; len: number } | { error: string } {
  if (!body.startsWith('#!')) return { flags: SF.Compat, len: 0 };
  const end = body.indexOf('\n');
  if (end < 0) return { error: 'Invalid script shebang' };
  const parts = splitArgs(body.slice(0, end));
  if (!parts || parts.length === 0) return { error: 'Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  let flags = 0;
  for (const p of parts.slice(1)) {
    if (!p.startsWith('flags=')) return { error: `Unknown lua shebang option: ${p}` };
    const list = p.slice(6);
    for (const f of list.length ? list.split(',') : []) {
      const v = FLAG_NAMES[f];
      if (v === undefined) return { error: `Unexpected flag in script shebang: ${f}` };
      flags |= v;
    }
  }
  return { flags, len: end };
}

interface Script {
  body: string;
  ref: number;
  flags: number;
}

/** One shard's scripting state: its Lua VM (made on first use) and script cache. */
export class ShardScripts {
  private vm_: LuaVM | null = null;
  readonly cache = new Map<string, Script>();
  /** Body → SHA-1 of the cached scripts (as many entries as the cache). */
  private readonly shaOf = new Map<string, string>();

  get vm(): LuaVM {
    return (this.vm_ ??= new LuaVM());
  }

  /** Compile and cache a body (Redis's luaCreateFunction); the cached one when known. */
  load(body: string): { sha: string; script: Script } | { error: Frame } {
    // EVAL of a cached body skips the SHA-1 (6x the cost of a 3-command script run in JS).
    const seen = this.shaOf.get(body);
    if (seen !== undefined) {
      const s = this.cache.get(seen);
      if (s) return { sha: seen, script: s };
    }
    const sha = sha1Hex(body);
    const known = this.cache.get(sha);
    if (known) return { sha, script: known };
    const sb = shebangFlags(body);
    if ('error' in sb) return { error: err(`ERR ${sb.error}`) };
    // The shebang line is left out but its newline kept, so line numbers stay the body's.
    const c = this.vm.compile(body.slice(sb.len));
    if ('error' in c) return { error: err(`ERR Error compiling script (new function): ${c.error}`) };
    const script = { body, ref: c.ref, flags: sb.flags };
    this.cache.set(sha, script);
    this.shaOf.set(body, sha);
    return { sha, script };
  }

  flush(): void {
    // A fresh VM, as Redis's scriptingReset: no state of old scripts survives.
    this.vm_ = null;
    this.cache.clear();
    this.shaOf.clear();
  }
}

// Keyed by the shard's config, one per shard: the cache is the shard's, whatever db is selected.
const STATE = new WeakMap<object, ShardScripts>();
/** The scripting state of the shard whose config `shard` is. */
export function shardScripts(shard: Ctx['config']): ShardScripts {
  let s = STATE.get(shard);
  if (!s) STATE.set(shard, (s = new ShardScripts()));
  return s;
}

/** EVAL's key finder (Redis's evalGetKeys): numkeys at argv[2]; none when it is invalid. */
export function evalKeys(argv: readonly string[]): number[] {
  const n = Number(argv[2]);
  if (!/^-?\d+$/.test(argv[2] ?? '') || n < 0 || n > argv.length - 3) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(3 + i);
  return out;
}

/** numkeys checked as Redis does; FCALL words a parse failure its own way ("Bad number of keys provided"). */
export function numkeys(argv: string[], badParse = 'ERR value is not an integer or out of range'): number | Frame {
  const s = argv[2]!;
  if (!/^(0|-?[1-9]\d*)$/.test(s) || !Number.isSafeInteger(Number(s))) return err(badParse);
  const n = Number(s);
  if (n > argv.length - 3) return err("ERR Number of keys can't be greater than number of args");
  if (n < 0) return err("ERR Number of keys can't be negative");
  return n;
}

/** redis.call's checks (Redis's scriptCall), then the shard's own dispatch. */
/**
 * Lua instructions per millisecond of busy-reply-threshold: fengari ran 1–2 million a second
 * here (a shared 2-core machine), so a script is stopped after roughly the threshold's time.
 */
const INSTRUCTIONS_PER_MS = 2_000;

/** Connection-served commands scripts may call, with their arity (Redis's table). */
const CONN_IN_SCRIPT: Record<string, number> = { ping: -1, echo: 2, publish: 3, spublish: 3 };

class Host implements ScriptHost {
  /** The slot scripts' keys must stay in (the declared keys' slot; -1 until one is touched). */
  slot: number;
  readonly instructionBudget: number;
  wrote = false;

  constructor(
    private readonly c: Ctx,
    private readonly flags: number,
    private readonly readOnly: boolean,
    slot: number,
  ) {
    this.slot = slot;
    this.instructionBudget = c.config.int('busy-reply-threshold') * INSTRUCTIONS_PER_MS;
  }

  call(argv: string[], resp: Proto): Frame {
    const c = this.c;
    // SELECT in a script (Redis 7): the rest of this script runs in that db; the caller's stays.
    if (argv[0]!.toLowerCase() === 'select') return this.select(argv);
    const name = argv[0]!.toLowerCase();
    const own = CONN_IN_SCRIPT[name];
    if (own) return this.connCommand(name, own, argv);
    const found = lookupIn(c.table!, argv);
    if (!found.spec) {
      // Redis commands this shard does not serve (MULTI, SUBSCRIBE, CLIENT…) are refused as Redis refuses them.
      const d = described(argv[0]!.toLowerCase());
      if (d && !(found.err.t === 'err' && found.err.v.startsWith('ERR wrong number of arguments'))) return err('ERR This Redis command is not allowed from script');
      return err(found.err.t === 'err' && found.err.v.startsWith('ERR wrong number of arguments')
        ? 'ERR Wrong number of args calling Redis command from script'
        : 'ERR Unknown Redis command called from script');
    }
    const spec = found.spec;
    if (spec.flags.includes('noscript')) return err('ERR This Redis command is not allowed from script');
    if (spec.flags.includes('write') && this.readOnly) return err('ERR Write commands are not allowed from read-only scripts.');
    const keyErr = this.checkKeys(spec, argv);
    if (keyErr) return keyErr;
    if (!spec.run) {
      if (spec.name === 'time') {
        const ms = c.now;
        return arr([bulk(String(Math.floor(ms / 1000))), bulk(String((ms % 1000) * 1000))]);
      }
      // Served by the connection (pub/sub, CLIENT…), which a shard's script cannot reach.
      return err('ERR This Redis command is not allowed from script');
    }
    // Redis's scriptCall marks the run dirty once a write command passed its checks.
    if (spec.flags.includes('write')) this.wrote = true;
    return c.call!(spec, argv, resp);
  }

  private select(argv: string[]): Frame {
    const c = this.c;
    if (argv.length !== 2) return err('ERR Wrong number of args calling Redis command from script');
    const n = parseI64(argv[1]!);
    if (n === null) return E.notInt;
    if (n > 2147483647n || n < -2147483648n) return err('ERR value is out of range, value must between -2147483648 and 2147483647');
    if (c.shard.cluster && n !== 0n) return err('ERR SELECT is not allowed in cluster mode');
    if (n < 0n || n >= BigInt(c.databases)) return err('ERR DB index is out of range');
    c.selectDb(Number(n));
    return OK;
  }

  /**
   * PING, ECHO, PUBLISH and SPUBLISH: commands the connection serves for clients, which Redis
   * also lets scripts call. A script runs inside one synchronous shard call, so a publish is
   * queued with the shard's notifications (delivered when the script's batch replies, as Redis
   * delivers it after the script) and its reply is 0: the hub's receiver count cannot be awaited
   * from inside a running script.
   */
  private connCommand(name: string, arity: number, argv: string[]): Frame {
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return err('ERR Wrong number of args calling Redis command from script');
    switch (name) {
      case 'ping':
        if (argv.length > 2) return err("ERR wrong number of arguments for 'ping' command");
        return argv.length === 2 ? bulk(argv[1]!) : { t: 'simple', v: 'PONG' };
      case 'echo':
        return bulk(argv[1]!);
      default:
        // Redis flags (S)PUBLISH may-replicate, which read-only scripts refuse as writes.
        if (this.readOnly) return err('ERR Write commands are not allowed from read-only scripts.');
        if (name === 'spublish' && !(this.flags & SF.AllowCrossSlot)) {
          // A shard channel counts as a key for the one-slot rule (no locality rule: the hub
          // delivers it whichever shard publishes).
          const slot = keySlot(argv[1]!);
          if (this.slot === -1) this.slot = slot;
          else if (this.slot !== slot) return err('ERR Script attempted to access keys that do not hash to the same slot');
        }
        this.c.publish?.(argv[1]!, argv[2]!, name === 'spublish');
        return int(0);
    }
  }

  /** Redis Cluster's rules for keys a script touches (scriptVerifyClusterState). */
  private checkKeys(spec: CommandSpec, argv: string[]): Frame | null {
    const positions = spec.getKeys ? spec.getKeys(argv) : legacyKeys(spec, argv);
    const [lo, hi] = this.c.shard.slots;
    for (const p of positions) {
      const slot = keySlot(argv[p]!);
      if (slot < lo || slot > hi) return err('ERR Script attempted to access a non local key in a cluster node');
      if (this.flags & SF.AllowCrossSlot) continue;
      if (this.slot === -1) this.slot = slot;
      else if (this.slot !== slot) return err('ERR Script attempted to access keys that do not hash to the same slot');
    }
    return null;
  }
}

function legacyKeys(spec: CommandSpec, argv: readonly string[]): number[] {
  const [first, lastSpec, step] = spec.keys;
  if (first === 0) return [];
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}

function evalGeneric(c: Ctx, argv: string[], bySha: boolean, ro: boolean): Frame {
  // evalShaCommand: a digest not 40 long cannot match, answered before numkeys is read.
  if (bySha && argv[1]!.length !== 40) return NOSCRIPT;
  const n = numkeys(argv);
  if (typeof n !== 'number') return n;
  const s = shardScripts(c.config);
  let sha: string;
  let script: Script | undefined;
  if (bySha) {
    sha = argv[1]!.toLowerCase();
    script = sha.length === 40 ? s.cache.get(sha) : undefined;
    if (!script) return NOSCRIPT;
  } else {
    const r = s.load(argv[1]!);
    if ('error' in r) return r.error;
    sha = r.sha;
    script = r.script;
  }
  // Scripts without a shebang may touch keys of any slot the shard owns (Redis's compat mode).
  const flags = script.flags & SF.Compat ? script.flags | SF.AllowCrossSlot : script.flags;
  return runScript(c, argv, n, s.vm, script.ref, flags, ro, sha, true);
}

/**
 * Run a compiled script or function (argv: name, numkeys, keys…, args…) atomically on this
 * shard: its effects are one MULTI … EXEC unit in the log, as every command's (Shard.dispatch). `name` is what errors call it; `n`
 * is the checked numkeys.
 */
export function runScript(c: Ctx, argv: string[], n: number, vm: LuaVM, ref: number, flags: number, ro: boolean, name: string, asGlobals: boolean): Frame {
  if (ro && !(flags & SF.Compat) && !(flags & SF.NoWrites)) return err('ERR Can not execute a script with write flag using *_ro command.');
  const keys = argv.slice(3, 3 + n);
  const args = argv.slice(3 + n);
  const host = new Host(c, flags, ro || (flags & SF.NoWrites) !== 0, keys.length ? keySlot(keys[0]!) : -1);
  return vm.run(ref, keys, args, host, name, asGlobals);
}

function scriptLoad(c: Ctx, argv: string[]): Frame {
  const r = shardScripts(c.config).load(argv[2]!);
  return 'error' in r ? r.error : bulk(r.sha);
}

function scriptExists(c: Ctx, argv: string[]): Frame {
  const cache = shardScripts(c.config).cache;
  return arr(argv.slice(2).map((sha) => int(cache.has(sha.toLowerCase()) ? 1 : 0)));
}

function scriptFlush(c: Ctx, argv: string[]): Frame {
  if (argv.length > 3) return err('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  if (argv.length === 3) {
    const m = argv[2]!.toLowerCase();
    if (m !== 'sync' && m !== 'async') return err('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  shardScripts(c.config).flush();
  return OK;
}

/** Every shard answers; the first error (a compile error is the same everywhere) or the first reply. */
async function fanout(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(argv);
  for (const r of replies) if (r.t === 'err') return r;
  return replies[0] ?? err('ERR no shards');
}

/**
 * SCRIPT EXISTS: known when a shard has it. SCRIPT LOAD reaches every shard; an EVAL caches its
 * script on the shard it ran on only, where EVALSHA elsewhere answers NOSCRIPT (clients then EVAL).
 */
async function existsAll(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(argv);
  for (const r of replies) if (r.t === 'err') return r;
  const out = argv.slice(2).map((_, i) => int(replies.some((r) => r.t === 'arr' && r.v[i]?.t === 'int' && r.v[i]!.v === 1) ? 1 : 0));
  return arr(out);
}

/**
 * SCRIPT DEBUG: NO (the mode every connection is in) is accepted. Redis's Lua debugger (LDB)
 * takes over the connection for a forked or synchronous interactive session; keyflare serves
 * no debugger, so YES and SYNC are refused rather than silently ignored.
 */
function scriptDebug(argv: string[]): Frame {
  const m = argv[2]!.toLowerCase();
  if (m === 'no') return OK;
  if (m === 'yes' || m === 'sync') return err('ERR SCRIPT DEBUG YES|SYNC is not supported: keyflare has no Lua debugger');
  return err('ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

export const SCRIPTING_COMMANDS: CommandSpec[] = [
  def('eval', { run: (c, a) => evalGeneric(c, a, false, false), getKeys: evalKeys }),
  def('evalsha', { run: (c, a) => evalGeneric(c, a, true, false), getKeys: evalKeys }),
  def('eval_ro', { run: (c, a) => evalGeneric(c, a, false, true), getKeys: evalKeys }),
  def('evalsha_ro', { run: (c, a) => evalGeneric(c, a, true, true), getKeys: evalKeys }),
  def('script', { route: 'conn', sub: [
    // `run` answers the per-shard request the connection fans out; clients reach `conn`.
    def('script|load', { route: 'conn', conn: fanout, run: scriptLoad }),
    def('script|exists', { route: 'conn', conn: existsAll, run: scriptExists }),
    def('script|flush', { route: 'conn', conn: fanout, run: scriptFlush }),
    // A script runs inside one synchronous shard call: no client ever sees one running.
    def('script|kill', { route: 'conn', conn: () => err('NOTBUSY No scripts in execution right now.') }),
    def('script|help', { route: 'conn', conn: () => helpReply('SCRIPT', SCRIPT_HELP) }),
    def('script|debug', { route: 'conn', conn: (_c, a) => scriptDebug(a) }),
  ] }),
];
