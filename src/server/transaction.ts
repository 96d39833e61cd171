// Transactions of one connection: the MULTI queue, EXEC as one atomic shard batch, and WATCH's
// optimistic locking across the connection → shard boundary (also as REST watch tokens).
//
// Design: where the state lives, and why.
// - The queue lives in the connection (this Transaction, owned by a Session): commands after
//   MULTI are checked as Redis's processCommand checks them (unknown command, arity, auth,
//   permissions, and Redis Cluster's per-command CROSSSLOT) and queued with +QUEUED; a rejected
//   one marks the transaction so EXEC answers EXECABORT. No shard sees anything before EXEC, so
//   an open MULTI costs the shards nothing.
// - EXEC checks that the whole queue hashes to one slot (as Redis Cluster's getNodeByQuery does
//   for EXEC: CROSSSLOT, transaction discarded) and sends the queue to the owning shard as ONE
//   atomic batch: a shard runs a batch synchronously, so nothing interleaves, and blocking
//   commands answer at once (as in MULTI). Runtime errors stay in place; nothing is rolled back.
//   Commands not bound to a shard (PING, SELECT… answered by the connection; DBSIZE, KEYS,
//   FLUSHALL… run on every shard) run in queue order between shard segments: such a transaction
//   is atomic per segment only — the one place Redis's all-or-nothing isolation is weakened.
// - WATCH state is split. The shard owning a key keeps a modification version for it, but only
//   while someone watches it (engine/watch.ts: a per-shard counter stamps each write to a watched
//   key; keyspace write paths — set, update, delete, expiry, TTL changes, FLUSHALL/FLUSHDB of an
//   existing key, in-place changes of a value fetched for writing by a command that dirtied —
//   report it). Unwatched keys cost no memory; a write pays one size test. The connection keeps
//   the versions it read at WATCH (key → shard epoch + version). EXEC's atomic batch starts with
//   an internal check of those versions on the same shard, inside the same synchronous batch, so
//   no write can slip between check and transaction; a changed version answers nil (NILARR) and
//   the rest of the batch does not run. Watched keys on other shards are checked (and released)
//   by one RPC each just before the EXEC batch: a write landing on that other shard between its
//   check and the EXEC batch is not seen (Redis Cluster cannot watch across nodes at all).
// - A connection's watch holds a reference on the shard's entry, released by EXEC, DISCARD,
//   UNWATCH, RESET and close(); an entry never released (a host that vanished) is dropped after
//   an hour, after which EXEC conservatively aborts. REST is stateless: POST /watch registers the
//   keys with a lease (REST_WATCH_LEASE_MS) instead and returns a token carrying the versions;
//   /multi-exec with the token checks them like EXEC. A dropped entry or a restarted shard (new
//   epoch) never matches: a watch may abort spuriously, never miss a change.
import { keySlot, type SlotMap } from '../cluster/slot.js';
import type { CommandSpec, Mode, ServerFacts, SessionState } from '../commands/types.js';
import { CHECK_CMD, RELEASE_CMD, WATCH_CMD } from '../engine/watch.js';
import { E, NILARR, OK, QUEUED, arr, err, type Frame } from '../protocol/frame.js';
import { SLOT_NOT_SERVED } from '../shard/shard.js';
import type { SessionPart } from './part.js';
import type { XCommand, XResult } from './xshard.js';

/** How long a REST watch token stays checkable (its keys' entries are kept at least that long). */
export const REST_WATCH_LEASE_MS = 300_000;

/**
 * Keys one REST WATCH request may name. Redis's WATCH has no limit, but its cost dies with the
 * connection; a REST lease outlives the request, and the token carrying the keys must come back
 * in one HTTP header (Cloudflare accepts 128 KB of request headers: ~1,000 short keys fit). The
 * shards also cap the bytes of leases each holds (engine/watch.ts LEASE_BUDGET).
 */
export const REST_WATCH_MAX_KEYS = 1000;

export const REST_WATCH_TOO_MANY = `ERR too many keys for one REST WATCH (at most ${REST_WATCH_MAX_KEYS})`;

/** Commands that run at once inside MULTI instead of being queued (Redis's processCommand). */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** What a transaction needs from its connection. */
export interface TxHost {
  readonly session: SessionState;
  readonly slots: SlotMap;
  /** The service's mode: a cluster binds a transaction to one slot, a standalone to one shard. */
  readonly server: ServerFacts;
  /** One batch on one shard (atomic: a transaction, no blocking). */
  shardBatch(shard: number, batch: string[][], atomic: boolean): Promise<Frame[]>;
  /** Run one command not bound to a shard (connection or all-shards), as outside MULTI. */
  runUnbound(spec: CommandSpec, argv: string[]): Promise<Frame>;
  /** Run commands over keys of several shards atomically, guarded by the watches (server/xshard.ts). */
  across(cmds: readonly XCommand[], watched: WatchMap): Promise<XResult>;
}

/** Whether a watched key lives on another shard than `shard` (null: the first watched key's). */
export function watchedElsewhere(w: WatchMap, shard: number | null): boolean {
  let home = shard;
  for (const x of w.values()) {
    if (home === null) home = x.shard;
    else if (x.shard !== home) return true;
  }
  return false;
}

/** A watched key as read at WATCH: its shard's incarnation and the key's version there. */
interface Watched {
  shard: number;
  epoch: number;
  ver: number;
}

export type WatchMap = Map<string, Watched>;

const sameSlot = (argv: readonly string[], pos: readonly number[]): number | null | Frame => {
  let slot: number | null = null;
  for (const p of pos) {
    const s = keySlot(argv[p]!);
    if (slot === null) slot = s;
    else if (s !== slot) return E.crossSlot;
  }
  return slot;
};

/**
 * Where a transaction's keys live. Cluster mode binds it to one slot (Redis Cluster's EXEC
 * check: CROSSSLOT otherwise); standalone mode to one shard, whatever the slots, so keys that
 * share a shard run as one atomic batch there (the single-shard fast path). `spans`: the keys
 * are on several shards (standalone only; cluster mode answers CROSSSLOT instead).
 */
export class TxRoute {
  /** The shard every key seen so far lives on (null: none yet, or they span shards). */
  shard: number | null = null;
  spans = false;
  private slot: number | null = null;
  /** Every shard the keys live on (standalone). */
  readonly shards = new Set<number>();

  constructor(
    private readonly slots: SlotMap,
    private readonly mode: Mode,
  ) {}

  /** Add one command's keys; CROSSSLOT (cluster mode) when they leave the transaction's slot. */
  add(argv: readonly string[], pos: readonly number[]): Frame | null {
    for (const p of pos) {
      const key = argv[p]!;
      if (this.mode === 'cluster') {
        const s = keySlot(key);
        if (this.slot === null) {
          this.slot = s;
          this.shard = this.slots.shardOfSlot(s);
        } else if (s !== this.slot) return E.crossSlot;
        continue;
      }
      const sh = this.slots.shardOfKey(key);
      this.shards.add(sh);
      if (this.shards.size > 1) {
        this.spans = true;
        this.shard = null;
      } else this.shard = sh;
    }
    return null;
  }
}

/** A connection's MULTI queue and watches: a part its Session owns. */
export class Transaction implements SessionPart {
  /** Inside MULTI. */
  active = false;
  /** A queued command was rejected: EXEC answers EXECABORT. */
  private failed = false;
  /** Queued commands with the slot of their keys (null: keyless), found when queued. */
  private queue: Array<{ spec: CommandSpec; argv: string[]; pos: readonly number[] }> = [];
  private watched: WatchMap = new Map();

  constructor(private readonly host: TxHost) {}

  /** A command was rejected while queuing (unknown, arity, auth, permission…). */
  flag(): void {
    if (this.active) this.failed = true;
  }

  /** The queued commands' arguments (SLOWLOG logs them at EXEC). */
  queuedArgv(): string[][] {
    return this.queue.map((q) => q.argv);
  }
  /** The queued commands (CLIENT PAUSE WRITE holds an EXEC whose queue writes). */
  queued(): ReadonlyArray<{ spec: CommandSpec; argv: readonly string[] }> {
    return this.queue;
  }

  /** Inside MULTI: whether this command is queued instead of run. */
  queues(spec: CommandSpec): boolean {
    return this.active && !NOT_QUEUED.has(spec.name);
  }

  /** Queue a checked command: +QUEUED, or (cluster mode) Redis Cluster's per-command CROSSSLOT (flags). */
  enqueue(spec: CommandSpec, argv: string[], pos: readonly number[]): Frame {
    if (this.host.server.mode === 'cluster') {
      const slot = sameSlot(argv, pos);
      if (typeof slot === 'object' && slot !== null) {
        this.failed = true;
        return slot;
      }
    }
    // Redis stops queuing once the transaction is flagged (queueMultiCommand): what follows a
    // queue-time error is answered +QUEUED but left out of EXEC's CROSSSLOT check.
    if (!this.failed) this.queue.push({ spec, argv, pos });
    return QUEUED;
  }

  multi(): Frame {
    if (this.active) return err('ERR MULTI calls can not be nested');
    this.active = true;
    this.failed = false;
    this.queue = [];
    return OK;
  }

  async discard(): Promise<Frame> {
    if (!this.active) return err('ERR DISCARD without MULTI');
    this.clearQueue();
    await this.unwatch();
    return OK;
  }

  async watch(keys: string[]): Promise<Frame> {
    if (this.active) return err('ERR WATCH inside MULTI is not allowed');
    // Redis keeps the first version of a key watched twice.
    const fresh = [...new Set(keys)].filter((k) => !this.watched.has(k));
    const got = await watchKeys(this.host, fresh, true);
    if (!(got instanceof Map)) return got;
    for (const [k, w] of got) this.watched.set(k, w);
    return OK;
  }

  /** Drop every watch (UNWATCH, and after EXEC/DISCARD/RESET/close). */
  async unwatch(): Promise<Frame> {
    if (this.watched.size === 0) return OK;
    const per = byShard(this.watched);
    this.watched = new Map();
    await Promise.all([...per].map(([shard, keys]) => this.host.shardBatch(shard, [[RELEASE_CMD, ...keys.map((k) => k[0])]], false).catch(() => null)));
    return OK;
  }

  /** RESET: leave MULTI, release the watches. */
  async reset(): Promise<void> {
    this.clearQueue();
    await this.unwatch();
  }

  /** Disconnect: the same (a forgotten watch would otherwise hold the shard's entry until its lease ends). */
  close(): Promise<void> {
    return this.reset();
  }

  async exec(): Promise<Frame> {
    if (!this.active) return err('ERR EXEC without MULTI');
    const queue = this.queue;
    const failed = this.failed;
    this.clearQueue();
    const watched = this.watched;
    this.watched = new Map();
    const release = async () => {
      this.watched = watched;
      await this.unwatch();
    };
    // Redis Cluster checks the whole queue's keys when EXEC arrives (processCommand's
    // getNodeByQuery), before execCommand itself looks at the queue-time errors.
    const route = new TxRoute(this.host.slots, this.host.server.mode);
    for (const { argv, pos } of queue) {
      if (route.add(argv, pos)) {
        // Redis stops queuing once a watched key is touched (CLIENT_DIRTY_CAS), so its EXEC sees
        // no queue spanning slots and execCommand answers (EXECABORT, else nil). We learn of the
        // touch only now: a changed watch answers as if it came before the queue (the checks
        // release the holds).
        if (watched.size !== 0) return (await watchesHold(this.host, watched)) ? E.crossSlot : failed ? EXECABORT : NILARR;
        return E.crossSlot;
      }
    }
    if (failed) {
      await release();
      return EXECABORT;
    }
    // Standalone: keys over several shards, or watched keys elsewhere (exact, under the locks).
    if (route.spans || (this.host.server.mode !== 'cluster' && watchedElsewhere(watched, route.shard))) {
      try {
        return await execAcross(this.host, queue, watched);
      } finally {
        await release();
      }
    }
    const res = await runAtomic(this.host, queue, route.shard, watched, true);
    return res === null ? NILARR : Array.isArray(res) ? arr(res) : res;
  }

  private clearQueue(): void {
    this.active = false;
    this.failed = false;
    this.queue = [];
  }
}

const EXECABORT = err('EXECABORT Transaction discarded because of previous errors.');

/** Whether every watched key is unchanged; each shard's check also releases its holds. */
async function watchesHold(host: TxHost, watched: WatchMap): Promise<boolean> {
  const oks = await Promise.all([...byShard(watched)].map(([s, keys]) => host.shardBatch(s, [checkArgv(keys, true)], false)));
  return oks.every(([r]) => r?.t === 'simple');
}

function byShard(w: WatchMap): Map<number, Array<[string, Watched]>> {
  const per = new Map<number, Array<[string, Watched]>>();
  for (const e of w) {
    let l = per.get(e[1].shard);
    if (!l) per.set(e[1].shard, (l = []));
    l.push(e);
  }
  return per;
}

/**
 * Register keys with their shards and read their versions (`hold`: a connection's reference,
 * else a lease). A shard's error (its lease budget is spent) is the answer; keys other shards
 * registered then keep only their lease or are released by the connection.
 */
export async function watchKeys(host: TxHost, keys: readonly string[], hold: boolean): Promise<WatchMap | Frame> {
  const per = new Map<number, string[]>();
  for (const k of keys) {
    const s = host.slots.shardOfKey(k);
    let l = per.get(s);
    if (!l) per.set(s, (l = []));
    l.push(k);
  }
  const out: WatchMap = new Map();
  let failed: Frame | null = null;
  await Promise.all(
    [...per].map(async ([shard, ks]) => {
      const argv = [WATCH_CMD, hold ? '1' : '0', String(REST_WATCH_LEASE_MS)];
      for (const k of ks) argv.push(k);
      const [r] = await host.shardBatch(shard, [argv], false);
      if (r?.t !== 'arr') {
        failed ??= r ?? err('ERR internal error: no reply to WATCH');
        return;
      }
      const v = r.v as Array<{ v: number }>;
      const epoch = Number(v[0]!.v);
      ks.forEach((k, i) => out.set(k, { shard, epoch, ver: Number(v[i + 1]!.v) }));
    }),
  );
  if (failed) {
    // A connection's references on the shards that did register must not be left behind.
    if (hold && out.size) {
      await Promise.all([...byShard(out)].map(([shard, l]) => host.shardBatch(shard, [[RELEASE_CMD, ...l.map((e) => e[0])]], false).catch(() => null)));
    }
    return failed;
  }
  return out;
}

function checkArgv(keys: Array<[string, Watched]>, release: boolean): string[] {
  const argv = [CHECK_CMD, release ? '1' : '0', String(keys[0]![1].epoch)];
  // Keys of one shard share its epoch unless it restarted between two WATCHes: then a bogus
  // version makes the check fail, as it must.
  for (const [k, w] of keys) argv.push(k, w.epoch === keys[0]![1].epoch ? String(w.ver) : '-1');
  return argv;
}

/**
 * Run a checked queue (all keys on shard `shard`, or keyless) atomically there, guarded by the
 * watched versions; null when a watched key changed, one error when the shard refused it whole
 * (it does not serve the slot). `release` drops the connection's holds.
 */
export async function runAtomic(
  host: TxHost,
  queue: ReadonlyArray<{ spec: CommandSpec; argv: string[] }>,
  shard: number | null,
  watched: WatchMap,
  release: boolean,
): Promise<Frame[] | Frame | null> {
  const per = byShard(watched);
  const first = watched.values().next().value as Watched | undefined;
  const home = shard ?? first?.shard ?? 0;
  // Other shards' watched keys: checked (and released) before the transaction runs.
  const others = [...per].filter(([s]) => s !== home);
  const oks = await Promise.all(others.map(([s, keys]) => host.shardBatch(s, [checkArgv(keys, release)], false)));
  const homeKeys = per.get(home);
  if (oks.some(([r]) => r?.t !== 'simple')) {
    if (homeKeys && release) await host.shardBatch(home, [[RELEASE_CMD, ...homeKeys.map((k) => k[0])]], false);
    return null;
  }
  let guard: string[] | null = homeKeys ? checkArgv(homeKeys, release) : null;
  const replies: Frame[] = [];
  // Segments: runs of shard commands go as one atomic batch; unbound commands run in between.
  for (let i = 0; i < queue.length || guard; ) {
    const batch: string[][] = guard ? [guard] : [];
    const hasGuard = guard !== null;
    guard = null;
    while (i < queue.length && bound(queue[i]!.spec)) batch.push(queue[i++]!.argv);
    if (batch.length) {
      const res = await host.shardBatch(home, batch, true);
      // The shard does not serve the slot (a stale slot map): it ran none of it, nor will EXEC.
      const r0 = res[0];
      if (r0?.t === 'err' && r0.v === SLOT_NOT_SERVED) return r0;
      if (hasGuard) {
        if (res[0]?.t !== 'simple') return null;
        res.shift();
      }
      for (const f of res) replies.push(f); // no spread: a transaction may hold 100k+ commands
    }
    while (i < queue.length && !bound(queue[i]!.spec)) {
      const { spec, argv } = queue[i++]!;
      replies.push(await host.runUnbound(spec, argv));
    }
  }
  return replies;
}

/**
 * EXEC over several shards: the shard-bound commands run as one unit through the coordinator;
 * commands not bound to a shard (PING, DBSIZE…) run after it, in queue order, their replies in
 * place (as the one-shard path, such a transaction is atomic for its keyed commands only).
 */
async function execAcross(host: TxHost, queue: ReadonlyArray<{ spec: CommandSpec; argv: string[]; pos: readonly number[] }>, watched: WatchMap): Promise<Frame> {
  // SELECT inside the queue would move the rest to another database: not across shards yet.
  if (queue.some((q) => q.spec.name === 'select' || q.spec.name === 'swapdb')) return err('ERR SELECT and SWAPDB inside a transaction across shards are not supported yet');
  const keyed = queue.filter((q) => bound(q.spec));
  const r = await host.across(keyed, watched);
  if (r.t === 'watch-failed') return NILARR;
  if (r.t === 'error') return r.reply;
  const out: Frame[] = [];
  let j = 0;
  for (const q of queue) out.push(bound(q.spec) ? r.replies[j++]! : await host.runUnbound(q.spec, q.argv));
  return arr(out);
}

/** Whether a (slot-checked) command runs on the transaction's shard. */
function bound(spec: CommandSpec): boolean {
  return spec.route === 'keys' || spec.route === 'split';
}

// ---- REST watch tokens ----

const TOKEN_PREFIX = 'kfw1.';

/** A token carrying the watched versions: `kfw1.` + base64url(JSON [[key, shard, epoch, ver]…]). */
export function encodeWatchToken(w: WatchMap): string {
  const rows = [...w].map(([k, x]) => [k, x.shard, x.epoch, x.ver]);
  // Keys are byte strings (char codes ≤ 255) and JSON escapes nothing above 0x7f: btoa applies.
  const b64 = btoa(JSON.stringify(rows));
  return TOKEN_PREFIX + b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The versions in a token, or null when it is malformed (or names a shard that does not exist). */
export function decodeWatchToken(token: string, slots: SlotMap): WatchMap | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  try {
    const rows = JSON.parse(atob(token.slice(TOKEN_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    if (!Array.isArray(rows)) return null;
    const out: WatchMap = new Map();
    for (const r of rows) {
      if (!Array.isArray(r) || r.length !== 4 || typeof r[0] !== 'string') return null;
      const [k, shard, epoch, ver] = r as [string, number, number, number];
      if (![shard, epoch, ver].every(Number.isSafeInteger) || shard < 0 || shard >= slots.shards) return null;
      // A key routed elsewhere now (the shard count changed) cannot be checked: a version that
      // never matches aborts the transaction.
      out.set(k, { shard, epoch, ver: slots.shardOfKey(k) === shard ? ver : -1 });
    }
    return out;
  } catch {
    return null;
  }
}
