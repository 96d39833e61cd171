// The shapes every command family shares: the spec (one table entry per command), the shard-side
// execution context, and the connection-side context for commands answered outside a shard.
import type { Config } from '../engine/config.js';
import type { Keyspace } from '../engine/keyspace.js';
import type { Rng } from '../engine/clock.js';
import type { Stats } from '../engine/stats.js';
import type { PersistState } from '../persistence/state.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import type { SlotMap } from '../cluster/slot.js';

/**
 * Where a command runs.
 * - keys:  on the one shard owning its keys (CROSSSLOT when they span slots; keyless → any shard)
 * - split: keys may span shards; each shard gets its share, replies are combined (see `combine`)
 * - all:   every shard runs it; replies are combined (see `combine`)
 * - conn:  answered by the connection itself (it may call shards through ConnCtx)
 */
export type Route = 'keys' | 'split' | 'all' | 'conn';
export type Combine = 'sum' | 'ok' | 'concat' | 'mget';

/** Shard-side handler: synchronous, errors are returned as error frames. */
export type Handler = (c: Ctx, argv: string[]) => Frame;
/** Connection-side handler. */
export type ConnHandler = (c: ConnCtx, argv: string[]) => Frame | Promise<Frame>;

export interface CommandSpec {
  /** Lower case; a subcommand is `container|sub`. */
  name: string;
  /** Redis arity: n = exactly n args (including the name), -n = at least n. */
  arity: number;
  /** Redis command flags (COMMAND INFO), e.g. write, readonly, fast, denyoom, admin. */
  flags: readonly Flag[];
  /** ACL categories without '@', e.g. string, read, fast. */
  acl: readonly string[];
  /** Legacy key spec: first key, last key (negative counts from the end), step. */
  keys: readonly [number, number, number];
  /** For commands whose key positions depend on their arguments (movablekeys). */
  getKeys?: (argv: readonly string[]) => number[];
  route: Route;
  combine?: Combine;
  run?: Handler;
  conn?: ConnHandler;
  /** Container commands (CONFIG, CLIENT, OBJECT…) list their subcommands here. */
  sub?: CommandSpec[];
  /** Redis's command tips (COMMAND INFO), e.g. request_policy:all_shards, nondeterministic_output. */
  tips?: readonly string[];
  /** Redis 7 key specs (COMMAND INFO). */
  keySpecs: readonly KeySpec[];
  /** COMMAND DOCS: Redis's documentation of the command (subcommands' under `subcommands`). */
  docs: Docs;
}

/** Redis 7.0's command flags (COMMAND INFO), plus the two it keeps for itself. */
export type Flag =
  | 'write' | 'readonly' | 'denyoom' | 'module' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast' | 'no_auth'
  | 'may_replicate' | 'sentinel' | 'only_sentinel' | 'no_mandatory_keys' | 'no_async_loading'
  | 'no_multi' | 'movablekeys' | 'allow_busy';

/** A JSON value of COMMAND DOCS (maps as objects, sets and arrays as lists). */
export type DocValue = string | number | DocValue[] | { [k: string]: DocValue };
export type Docs = { [k: string]: DocValue };

/** A Redis 7 key spec (COMMAND INFO): how to find a group of keys and what the command does to them. */
export interface KeySpec {
  notes?: string;
  /** RO/RW/OW/RM, access/update/insert/delete, not_key, incomplete, variable_flags… */
  flags: readonly string[];
  /** begin_search: index, keyword, or unknown (null). */
  bs: { index: number } | { keyword: string; startfrom: number } | null;
  /** find_keys: range, keynum, or unknown (null). */
  fk: { lastkey: number; keystep: number; limit: number } | { keynumidx: number; firstkey: number; keystep: number } | null;
}

/** Per-shard facts a handler may need. */
export interface ShardInfo {
  index: number;
  count: number;
  slots: readonly [number, number];
  /** A standalone server's only shard (tests against a standalone redis-server): SORT BY/GET allowed. */
  standalone?: boolean;
  /** The service runs in Redis Cluster mode (KEYFLARE_MODE=cluster): MOVE, SWAPDB, COPY … DB refused. */
  cluster?: boolean;
}

/** Shard-side context of one command. */
export interface Ctx {
  /** The selected database (SELECT) of the connection the command came from. */
  readonly db: Keyspace;
  /** Its number. */
  readonly dbIndex: number;
  /** The `databases` setting: valid indexes are 0 … databases - 1. */
  readonly databases: number;
  /** Database `n`'s keyspace on this shard (MOVE, COPY … DB). */
  keyspace(n: number): Keyspace;
  /** The databases made on this shard so far, as [index, keyspace] in index order. */
  keyspaces(): Iterable<[number, Keyspace]>;
  /** SWAPDB a b on this shard (watches stay with the index; see Keyspace.swapWatches). */
  swapDbs(a: number, b: number): void;
  /** FLUSHALL: every database emptied; returns the keys removed. */
  flushAll(): number;
  /** SELECT inside a script: the rest of the running command uses db `n` (the shard restores the caller's after it). */
  selectDb(n: number): void;
  /** Set by a command whose keys become ready in another db (MOVE): its blocked clients are woken too. */
  signalDb: number;
  readonly config: Config;
  readonly stats: Stats;
  /** Persistence facts (INFO persistence, LASTSAVE) and requests (SAVE, BGREWRITEAOF…). */
  readonly persist: PersistState;
  readonly rng: Rng;
  readonly shard: ShardInfo;
  /** The command's cached time in ms (as Redis's commandTimeSnapshot). */
  readonly now: number;
  readonly resp: Proto;
  /** Clients currently waiting in blocking commands on this shard (INFO blocked_clients). */
  readonly blockedClients: number;
  /** CLIENT TRACKING's table on this shard: keys, and key → client entries (INFO tracking_total_*). */
  readonly trackingTable: { readonly size: number; readonly items: number };
  /** Count of changes made by this command (Redis's server.dirty). Writes are logged when > 0. */
  dirty: number;
  /** Log this instead of the command as received (EX → PXAT…); null logs nothing. */
  rewrite(argv: string[] | null): void;
  /** Log an extra effect (after the command's own, e.g. a DEL for a key emptied by a pop). */
  propagate(argv: string[]): void;
  /**
   * A blocking command found nothing to serve: ask to wait on `keys` (timeoutMs 0 = forever).
   * Returns false where waiting is impossible (inside a transaction, during replay): then the
   * handler's reply is final. Either way the handler returns its timeout reply (e.g. nil); when
   * it waits, the command is re-run whenever one of the keys is written, until it is served.
   * `retryArgv` (optional) is re-run instead of the received argv (XREAD resolves `$` to an ID).
   */
  block(keys: string[], timeoutMs: number, retryArgv?: string[]): boolean;
  /**
   * Fire a keyspace notification (class letter as notify-keyspace-events, Redis's event name).
   * Calling it replaces the table of engine/notify.ts for this command (fire all its events then).
   */
  notify(cls: import('../engine/notify.js').NotifyClass, event: string, key: string, db?: number): void;
  /** Scripting: the shard's command table (what redis.call can reach). */
  readonly table?: ReadonlyMap<string, CommandSpec>;
  /** Scripting: run one command for a running script through the shard's dispatch (redis.call). */
  call?(spec: CommandSpec, argv: string[], resp: Proto): Frame;
  /** Scripting: PUBLISH / SPUBLISH from a script, queued with the notifications (delivered after the batch). */
  publish?(channel: string, message: string, shard: boolean): void;
}

/** Connection state that commands read and change. */
export interface SessionState {
  id: number;
  name: string;
  proto: Proto;
  authenticated: boolean;
  user: string;
  readonly: boolean;
  db: number;
  libName: string;
  libVer: string;
  createdAt: number;
  lastCmd: string;
  addr: string;
  laddr: string;
  /** Set by QUIT: close after the reply is written. */
  closing: boolean;
  /** A REST request's session: database 0 only (as Upstash); SELECT is refused. */
  rest?: boolean;
  /** The connection's RNG (RANDOMKEY picks a shard with it), made on first use. */
  rng?: Rng;
}

/** Connection-side context: the session, the slot map and ways to reach the shards. */
export interface ConnCtx {
  readonly session: SessionState;
  /** The connection's command table (server/commands/table.ts: every family, connection-level included). */
  readonly table: ReadonlyMap<string, CommandSpec>;
  readonly slots: SlotMap;
  now(): number;
  /** Run one command on one shard. */
  exec(shard: number, argv: string[]): Promise<Frame>;
  /** Run one command on every shard, replies in shard order. */
  all(argv: string[]): Promise<Frame[]>;
  /** Check a token (or username + password); returns the user and whether it is read-only. */
  auth(user: string | null, pass: string): { user: string; readonly: boolean } | null;
  /** Server facts for INFO server / HELLO. */
  server: ServerFacts;
  /** RESP connections the service accepted (INFO total_connections_received); undefined: unknown. */
  connectionsReceived?(): Promise<number | undefined>;
  /**
   * Facts of the service INFO shows that no shard knows: the connections (client registry) and the
   * pub/sub hub's channel counts, for the sections asked (the connection layer answers them).
   */
  serviceFacts(sections: ReadonlySet<string>): Promise<ServiceFacts>;
}

export interface ServiceFacts {
  /** held: connections whose commands a CLIENT PAUSE holds (Redis counts them as blocked). */
  clients?: { connected: number; tracking: number; held: number; prefixes?: number };
  pubsub?: { channels: number; patterns: number; shardChannels: number };
}

/**
 * How the service presents itself (KEYFLARE_MODE): `standalone` (the default) answers as one
 * standalone Redis 7 whatever shards the keys live on; `cluster` as a Redis Cluster (CROSSSLOT
 * across slots, CLUSTER commands, SELECT refused).
 */
export type Mode = 'standalone' | 'cluster';

export interface ServerFacts {
  version: string;
  mode: Mode;
  runId: string;
  startedAt: number;
  tcpPort: number;
  host: string;
  /** The `databases` setting the shards run with (16 unless set). */
  databases?: number;
}

/** SELECT's range: the service's `databases` (Redis's default, 16, unless set). */
export const databasesOf = (s: ServerFacts): number => s.databases ?? 16;
