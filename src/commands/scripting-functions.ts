// FUNCTION LOAD|DELETE|LIST|FLUSH|STATS|DUMP|RESTORE|KILL|HELP and FCALL / FCALL_RO (Redis 7 functions): each
// shard keeps the libraries in its own functions VM; the connection fans LOAD / DELETE / FLUSH out
// (and RESTORE) to every shard, so FCALL finds a function wherever its keys route it.
import { compileGlob } from '../engine/glob.js';
import { splitArgs } from '../protocol/resp-decode.js';
import { toBytes } from '../protocol/bytes.js';
import { Crc64 } from '../persistence/crc64.js';
import { verifyPayload } from '../persistence/rdb.js';
import { OP_FUNCTION, OP_FUNCTION2, RDB_VERSION, RdbError, Reader, Writer } from '../persistence/rdb-io.js';
import { OK, arr, bulk, err, int, map, set, type Frame } from '../protocol/frame.js';
import { LuaVM, type RegisteredFunction } from '../scripting/vm.js';
import { helpReply } from './help.js';
import { numkeys, runScript, SF, evalKeys } from './scripting.js';
import { def } from './spec-data.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';

interface Library {
  name: string;
  code: string;
  functions: RegisteredFunction[];
}

const FLAG_BITS: Record<string, number> = {
  'no-writes': SF.NoWrites, 'allow-oom': SF.AllowOom, 'allow-stale': SF.AllowStale,
  'no-cluster': SF.NoCluster, 'allow-cross-slot-keys': SF.AllowCrossSlot,
};

/** One shard's function libraries and the VM they live in (Redis keeps functions apart from EVAL's). */
export class ShardFunctions {
  private vm_: LuaVM | null = null;
  readonly libs = new Map<string, Library>();
  /** By lower-cased name: Redis's functions dict compares names case-insensitively (a library's own does not). */
  readonly fns = new Map<string, { lib: Library; fn: RegisteredFunction }>();

  get vm(): LuaVM {
    return (this.vm_ ??= new LuaVM());
  }

  /** FUNCTION LOAD [REPLACE]: the library's name, or Redis's error. */
  load(code: string, replace: boolean): Frame {
    const meta = parseMetadata(code);
    if ('error' in meta) return err(meta.error);
    const old = this.libs.get(meta.name);
    if (old && !replace) return err(`ERR Library '${meta.name}' already exists`);
    const r = this.vm.loadLibrary(code.slice(meta.len));
    if ('error' in r) return err(r.error);
    if (r.functions.length === 0) return err('ERR No functions registered');
    for (const f of r.functions) {
      const other = this.fns.get(f.name.toLowerCase());
      if (other && other.lib !== old) {
        for (const g of r.functions) this.vm.release(g.ref);
        return err(`ERR Function ${f.name} already exists`);
      }
    }
    if (old) this.remove(old);
    const lib: Library = { name: meta.name, code, functions: r.functions };
    this.libs.set(lib.name, lib);
    for (const fn of r.functions) this.fns.set(fn.name.toLowerCase(), { lib, fn });
    return bulk(lib.name);
  }

  remove(lib: Library): void {
    for (const f of lib.functions) {
      this.fns.delete(f.name.toLowerCase());
      this.vm.release(f.ref);
    }
    this.libs.delete(lib.name);
  }

  flush(): void {
    this.vm_ = null;
    this.libs.clear();
    this.fns.clear();
  }

  /**
   * FUNCTION RESTORE's libraries (functionRestoreCommand): loaded into a fresh set first (a
   * library or function twice in the payload, or code that fails, refuses it all), then FLUSH
   * replaces every library, APPEND adds them refusing a name already here, REPLACE adds them
   * replacing same-named libraries (libraryJoin: a function of another library still refuses).
   */
  restore(codes: string[], policy: 'flush' | 'append' | 'replace'): Frame {
    const fresh = new ShardFunctions();
    for (const code of codes) {
      const r = fresh.load(code, false);
      if (r.t === 'err') return r;
    }
    if (policy === 'append' || policy === 'replace') {
      const replaced = new Set<Library>();
      for (const name of fresh.libs.keys()) {
        const old = this.libs.get(name);
        if (!old) continue;
        if (policy === 'append') return err(`ERR Library ${name} already exists`);
        replaced.add(old);
      }
      for (const [key, { fn }] of fresh.fns) {
        const other = this.fns.get(key);
        if (other && !replaced.has(other.lib)) return err(`ERR Function ${fn.name} already exists`);
      }
      for (const old of replaced) this.remove(old);
    } else this.flush();
    // Compiled again in this set's VM (the fresh set's VM was only the check).
    for (const lib of fresh.libs.values()) this.load(lib.code, false);
    return OK;
  }
}

/**
 * Libraries live in no key, so a shard persists them in its log: LOAD, DELETE, FLUSH and RESTORE
 * are logged (replay runs them again), and a rewrite, whose new segment drops the older history,
 * starts that segment with this record restoring every library (null when there are none).
 */
export function functionsCheckpoint(shard: Ctx['config']): string[] | null {
  const libs = shardFunctions(shard).libs;
  return libs.size ? ['FUNCTION', 'RESTORE', dumpFunctions(libs.values()), 'FLUSH'] : null;
}

/** FUNCTION DUMP's payload (rdbSaveFunctions): RDB_OPCODE_FUNCTION2 and the code per library, RDB version, CRC64. */
function dumpFunctions(libs: Iterable<Library>): string {
  const w = new Writer();
  for (const lib of libs) w.byte(OP_FUNCTION2).str(lib.code);
  w.raw(String.fromCharCode(RDB_VERSION & 0xff, RDB_VERSION >> 8));
  const body = w.drain();
  return body + new Crc64().update(body).bytes();
}

/** The library codes of a FUNCTION DUMP payload (verified first), or Redis's error. */
function readFunctions(p: string): string[] | Frame {
  if (!verifyPayload(p)) return err('ERR DUMP payload version or checksum are wrong');
  const r = new Reader(toBytes(p));
  const codes: string[] = [];
  // Read until the last 10 bytes (the RDB version and the checksum).
  while (p.length - r.pos > 10) {
    const type = r.byte();
    if (type !== OP_FUNCTION && type !== OP_FUNCTION2) return err('ERR given type is not a function');
    try {
      if (type === OP_FUNCTION2) codes.push(r.str());
      else {
        // 7.0 rc1/rc2's format: name, engine, an optional description, then the code.
        const name = r.str(), engine = r.str();
        if (r.len()) r.str();
        codes.push(`#!${engine} name=${name}\n${r.str()}`);
      }
    } catch (e) {
      if (e instanceof RdbError || e instanceof RangeError) return err(type === OP_FUNCTION2 ? 'ERR Failed loading library payload' : 'ERR failed loading the given functions payload');
      throw e;
    }
  }
  return codes;
}

/**
 * The `#!<engine> name=<lib>` line (Redis's functionExtractLibMetaData, split as sdssplitargs),
 * then functionsCreateWithLibraryCtx's checks in its order: the name, then the engine.
 */
function parseMetadata(code: string): { name: string; len: number } | { error: string } {
  if (!code.startsWith('#!')) return { error: 'ERR Missing library metadata' };
  const end = code.indexOf('\n');
  if (end < 0) return { error: 'ERR Invalid library metadata' };
  const parts = splitArgs(code.slice(0, end));
  if (!parts || parts.length === 0) return { error: 'ERR Invalid library metadata' };
  const engine = parts[0]!.slice(2);
  let name: string | undefined;
  for (const p of parts.slice(1)) {
    if (p.slice(0, 5).toLowerCase() !== 'name=') return { error: `ERR Invalid metadata value given: ${p}` };
    if (name !== undefined) return { error: 'ERR Invalid metadata value, name argument was given multiple times' };
    name = p.slice(5);
  }
  if (name === undefined) return { error: 'ERR Library name was not given' };
  if (!/^[A-Za-z0-9_]+$/.test(name)) return { error: 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' };
  if (engine.toLowerCase() !== 'lua') return { error: `ERR Engine '${engine}' not found` };
  return { name, len: end };
}

// Keyed by the shard's config, one per shard: the cache is the shard's, whatever db is selected.
const STATE = new WeakMap<object, ShardFunctions>();
export function shardFunctions(shard: Ctx['config']): ShardFunctions {
  let s = STATE.get(shard);
  if (!s) STATE.set(shard, (s = new ShardFunctions()));
  return s;
}

function fcall(c: Ctx, argv: string[], ro: boolean): Frame {
  const st = shardFunctions(c.config);
  const found = st.fns.get(argv[1]!.toLowerCase());
  if (!found) return err('ERR Function not found');
  const n = numkeys(argv, 'ERR Bad number of keys provided');
  if (typeof n !== 'number') return n;
  let flags = 0;
  for (const f of found.fn.flags) flags |= FLAG_BITS[f] ?? 0;
  return runScript(c, argv, n, st.vm, found.fn.ref, flags, ro, found.fn.name, false);
}

function functionLoad(c: Ctx, argv: string[]): Frame {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (argv[i]!.toLowerCase() === 'replace') replace = true;
    else return err(`ERR Unknown option given: ${argv[i]!}`);
  }
  if (i !== argv.length - 1) return err('ERR Function code is missing');
  const r = shardFunctions(c.config).load(argv[i]!, replace);
  if (r.t !== 'err') c.dirty++;
  return r;
}

function functionDelete(c: Ctx, argv: string[]): Frame {
  const st = shardFunctions(c.config);
  const lib = st.libs.get(argv[2]!);
  if (!lib) return err('ERR Library not found');
  st.remove(lib);
  c.dirty++;
  return OK;
}

function functionFlush(c: Ctx, argv: string[]): Frame {
  if (argv.length > 3) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try FUNCTION HELP.`);
  if (argv.length === 3) {
    const m = argv[2]!.toLowerCase();
    if (m !== 'sync' && m !== 'async') return err('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  shardFunctions(c.config).flush();
  c.dirty++;
  return OK;
}

function functionList(c: Ctx, argv: string[]): Frame {
  let pattern: string | undefined;
  let withCode = false;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'withcode' && !withCode) withCode = true;
    else if (a === 'libraryname' && pattern === undefined) {
      if (i + 1 >= argv.length) return err('ERR library name argument was not given');
      pattern = argv[++i]!;
    } else return err(`ERR Unknown argument ${argv[i]!}`);
  }
  // functionListCommand matches library names with stringmatchlen(…, nocase=1).
  const match = pattern !== undefined ? compileGlob(pattern, true) : null;
  const out: Frame[] = [];
  for (const lib of shardFunctions(c.config).libs.values()) {
    if (match && !match(lib.name)) continue;
    const fns = lib.functions.map((f) => map([
      bulk('name'), bulk(f.name),
      bulk('description'), f.description !== undefined ? bulk(f.description) : { t: 'nil' },
      bulk('flags'), set(f.flags.map((x) => ({ t: 'simple', v: x }) as Frame)),
    ]));
    const m: Frame[] = [bulk('library_name'), bulk(lib.name), bulk('engine'), bulk('LUA'), bulk('functions'), arr(fns)];
    if (withCode) m.push(bulk('library_code'), bulk(lib.code));
    out.push(map(m));
  }
  return arr(out);
}

function functionDump(c: Ctx): Frame {
  return bulk(dumpFunctions(shardFunctions(c.config).libs.values()));
}

function functionRestore(c: Ctx, argv: string[]): Frame {
  if (argv.length > 4) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try FUNCTION HELP.`);
  let policy: 'flush' | 'append' | 'replace' = 'append';
  if (argv.length === 4) {
    const p = argv[3]!.toLowerCase();
    if (p !== 'flush' && p !== 'append' && p !== 'replace') return err('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    policy = p;
  }
  const codes = readFunctions(argv[2]!);
  if (!Array.isArray(codes)) return codes;
  const r = shardFunctions(c.config).restore(codes, policy);
  if (r.t !== 'err') c.dirty++;
  return r;
}

function functionStats(c: Ctx): Frame {
  const st = shardFunctions(c.config);
  return map([
    bulk('running_script'), { t: 'nil' },
    bulk('engines'), map([bulk('LUA'), map([bulk('libraries_count'), int(st.libs.size), bulk('functions_count'), int(st.fns.size)])]),
  ]);
}

/** Every shard answers (they hold the same libraries); the first error or the first reply. */
async function fanout(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(argv);
  for (const r of replies) if (r.t === 'err') return r;
  return replies[0] ?? err('ERR no shards');
}

/** LIST and STATS: any shard knows every library; shard 0 answers. */
const fromShard0 = (c: ConnCtx, argv: string[]): Promise<Frame> => c.exec(0, argv);

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>', '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>', '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]', '    Return general information on all the libraries:', '    * Library name',
  '    * The engine used to run the Library', '    * Library description', '    * Functions list', '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS', '    Return information about the current function running:', '    * Function name', '    * Command used to run the function',
  '    * Duration in MS that the function is running', '    If no function is running, return nil', '    In addition, returns a list of available engines.',
  'KILL', '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]', '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.', '    * SYNC: Synchronously flush the libraries.',
  'DUMP', '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):', '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

export const FUNCTION_COMMANDS: CommandSpec[] = [
  def('fcall', { run: (c, a) => fcall(c, a, false), getKeys: evalKeys }),
  def('fcall_ro', { run: (c, a) => fcall(c, a, true), getKeys: evalKeys }),
  def('function', { route: 'conn', sub: [
    // `run` answers the per-shard request the connection fans out; clients reach `conn`.
    def('function|load', { route: 'conn', conn: fanout, run: functionLoad }),
    def('function|delete', { route: 'conn', conn: fanout, run: functionDelete }),
    def('function|flush', { route: 'conn', conn: fanout, run: functionFlush }),
    def('function|list', { route: 'conn', conn: fromShard0, run: functionList }),
    def('function|stats', { route: 'conn', conn: fromShard0, run: functionStats }),
    def('function|dump', { route: 'conn', conn: fromShard0, run: functionDump }),
    def('function|restore', { route: 'conn', conn: fanout, run: functionRestore }),
    // A function runs inside one synchronous shard call: no client ever sees one running.
    def('function|kill', { route: 'conn', conn: () => err('NOTBUSY No scripts in execution right now.') }),
    def('function|help', { route: 'conn', conn: () => helpReply('FUNCTION', FUNCTION_HELP) }),
  ] }),
];
