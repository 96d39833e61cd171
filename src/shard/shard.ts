// The pure core of one shard: keyspace + config + stats, executing command batches and
// returning replies with the deterministic write effects to log. The Durable Object wraps it.
import { SHARD_TABLE, keyPositions, lookupIn } from '../commands/table.js';
import type { CommandSpec, ShardInfo } from '../commands/types.js';
import { OK, err, type Frame } from '../protocol/frame.js';
import { SLOTS, keySlot } from '../cluster/slot.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Rng, type Clock } from '../engine/clock.js';
import { Config } from '../engine/config.js';
import { Keyspace } from '../engine/keyspace.js';
import { Waiters, armTimer, readyAction, type Blocked, type Timers } from '../engine/blocking.js';
import { Stats } from '../engine/stats.js';
import { Evictor, OOM_ERROR } from '../engine/evict.js';
import { watchCommand } from '../engine/watch.js';
import { readOnlyKeys } from '../commands/keyspec.js';
import { Notifier, type Note } from '../engine/notify.js';
import { PersistState } from '../persistence/state.js';
import { TrackingTable, type TrackOpts } from '../engine/tracking.js';
import { TXLOG_PREFIX } from './txn.js';
import { ExecCtx, type CtxHost } from './exec-ctx.js';

const NO_KEYS: readonly string[] = [];
/** Read-only script commands: only the reads their scripts make track keys (see dispatch). */
const RO_SCRIPTS: ReadonlySet<string> = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

export interface BatchResult {
  replies: Frame[];
  /** Write effects in execution order, each a command argv (what the AOF stores). */
  effects: string[][];
  /** Set when the batch stopped at a command that must wait; `rest` was not run. */
  blocked?: Blocked;
  rest?: string[][];
}

export class Shard implements CtxHost {
  /** The databases (SELECT n): one keyspace each, made on first use; index = db number. */
  private readonly spaces: Array<Keyspace | undefined> = [];
  /** The db the running batch selected (the connection's); commands see it as ctx.db. */
  private cur = 0;
  /**
   * The db the log's last record ran in: an effect of another db is preceded by SELECT n, as in
   * Redis's AOF and replication stream (-1: unknown, e.g. a new segment opened: SELECT first).
   */
  private logDb = 0;
  /** The `databases` setting (startup-only, as in Redis). */
  readonly databases: number;
  readonly config = new Config();
  readonly stats = new Stats();
  readonly persist = new PersistState();
  /**
   * Called before a write command runs with the keys it will write (a rewrite in progress
   * saves their current values first: copy-on-write at key granularity, as a fork would).
   */
  beforeWrite: ((keys: string[], all: boolean, db: number) => void) | null = null;
  readonly rng: Rng;
  /** maxmemory: the budget check and eviction policies (evict.ts). */
  readonly evictor: Evictor;
  readonly waiters = new Waiters();
  /** Keyspace notifications produced since the host last took them (see notify.ts). */
  readonly notifier = new Notifier();
  /** CLIENT TRACKING: keys read by tracking clients (tracking.ts). */
  readonly tracking = new TrackingTable();
  /** The tracking client behind the batch running now (null: not tracking). */
  private track: TrackOpts | null = null;
  /** The keys of the running top-level command, while a tracking client's batch runs. */
  private topKeys: readonly string[] = NO_KEYS;
  private effects: string[][] = [];
  private readonly ctx: ExecCtx;
  /** Inside a transaction or replay a blocking command answers at once, as Redis in MULTI. */
  private noBlock = false;
  /** Set by a failed WATCH check: the rest of the (transaction) batch does not run. */
  private abortBatch = false;
  /** This shard serves every slot: no key needs its slot checked. */
  private readonly ownsAll: boolean;
  /** A transaction's commit runs: its commands' own keyspace notifications are not published (shard/txn.ts). */
  quiet = false;
  /** Where replay hands the log's transaction records (shard/txn.ts); live, they are logged as they come. */
  txnRecord: ((argv: readonly string[]) => void) | null = null;
  /** Whether a blocked command may be served now (false: it would touch a key a transaction holds). */
  mayServe: ((argv: readonly string[], db: number) => boolean) | null = null;
  /** Why a write command may not run now (a read-only replica, too few good replicas); null: it may. */
  writeRefusal: (() => string | null) | null = null;
  /** Ready keys whose first waiter could not be served for a transaction's lock (see serveHeld). */
  private readonly heldReady = new Set<string>();

  constructor(
    readonly info: ShardInfo,
    readonly clock: Clock,
    seed = 1,
  ) {
    this.rng = new Rng(seed);
    this.ownsAll = info.slots[0] === 0 && info.slots[1] === SLOTS - 1;
    // Until a snapshot is taken, the state is as saved as when the shard started (LASTSAVE).
    this.persist.lastSaveTime = Math.floor(clock.now() / 1000);
    this.ctx = new ExecCtx(this);
    this.databases = this.config.int('databases');
    this.epoch = clock.now();
    this.keyspace(0);
    this.evictor = new Evictor(() => this.spaces, this.config, this.rng, (key, db) => this.evictKey(key, db));
  }

  /** Names this in-memory incarnation: WATCH versions from before a restart never match. */
  private readonly epoch: number;

  /** The running batch's database (outside a batch: db 0). */
  get db(): Keyspace {
    return this.spaces[this.cur] ?? this.keyspace(this.cur);
  }

  /** The selected db's number (ctx.dbIndex: MOVE, COPY … DB, notifications). */
  get dbIndex(): number {
    return this.cur;
  }

  /** Database `n` (0 ≤ n < databases), made on first use with its hooks. */
  keyspace(n: number): Keyspace {
    const have = this.spaces[n];
    if (have) return have;
    const ks = new Keyspace();
    ks.onFlush = () => {
      this.evictor.reset();
      this.tracking.clear();
    };
    // Each db's watch table has an epoch of its own: a check sent in another db than its WATCH
    // (the connection SELECTed in between) never matches, so it aborts rather than compare
    // versions of another db's table. (Redis checks the db of WATCH; keyflare may abort there.)
    ks.watches.epoch = this.epoch * 1000 + (n % 1000);
    // The evictor exists once db 0 is made: later dbs start with its LFU settings.
    if (this.evictor) ks.lfu = this.evictor.lfu;
    ks.loading = this.spaces[0]?.loading ?? false;
    ks.noTouch = this.spaces[0]?.noTouch ?? false;
    this.spaces[n] = ks;
    this.rebind(n);
    return ks;
  }

  /** The databases made so far, as [index, keyspace] (INFO keyspace, snapshots, expiry). */
  *keyspaces(): Generator<[number, Keyspace]> {
    for (let i = 0; i < this.spaces.length; i++) {
      const k = this.spaces[i];
      if (k) yield [i, k];
    }
  }

  /** Whether `n` names a database (SELECT's and MOVE's range). */
  validDb(n: number): boolean {
    return Number.isInteger(n) && n >= 0 && n < this.databases;
  }

  /** Record an effect made in db `n`: a change of db is logged as SELECT first. */
  private logIn(n: number, argv: string[]): void {
    if (n !== this.logDb) {
      this.effects.push(['SELECT', String(n)]);
      this.logDb = n;
    }
    this.effects.push(argv);
  }

  /**
   * A log segment was opened: its reader starts in db 0, so unless the stream is in db 0 already
   * the next effect starts with SELECT (Redis resets aof_selected_db after a rewrite likewise).
   */
  forgetLogDb(): void {
    if (this.logDb !== 0) this.logDb = -1;
  }

  /** Loading flags apply to every db (replay, NO-TOUCH). */
  private setLoading(on: boolean): void {
    for (const [, k] of this.keyspaces()) k.loading = on;
  }
  setNoTouch(on: boolean): void {
    for (const [, k] of this.keyspaces()) k.noTouch = on;
  }

  /** SWAPDB a b: the two databases trade keyspaces (the caller checked both indexes). */
  swapDbs(a: number, b: number): void {
    const ka = this.keyspace(a);
    const kb = this.keyspace(b);
    ka.now = kb.now = this.clock.now();
    Keyspace.swapWatches(ka, kb);
    this.spaces[a] = kb;
    this.spaces[b] = ka;
    // Their hooks name the db they log and notify in: rebind them to their new index.
    this.rebind(a);
    this.rebind(b);
  }

  /** The hooks of db `n`'s keyspace: expired keys and side effects are logged and announced in `n`. */
  private rebind(n: number): void {
    const ks = this.spaces[n]!;
    ks.onExpired = (key) => {
      this.stats.expiredKeys++;
      if (this.tracking.active) this.tracking.invalidate(key, this.track, this.notifier.notes);
      this.logIn(n, ['DEL', key]);
      if (this.notifier.flags) this.notifier.emit('x', 'expired', key, n);
    };
    ks.onEffect = (argv) => this.logIn(n, argv);
  }

  /** SELECT inside a script: the running command goes on in db `n` (dispatch restores the caller's). */
  selectDb(n: number): void {
    this.cur = n;
  }

  /** FLUSHALL: every database emptied; returns the keys removed. */
  flushAll(): number {
    let n = 0;
    for (const [, k] of this.keyspaces()) n += k.flush();
    return n;
  }

  /**
   * Run a batch in order; effects of writes are collected for the log. A blocking command that
   * must wait stops the batch (see `execAsync`); `atomic` batches never wait (as MULTI).
   */
  exec(batch: readonly string[][], resp: Proto = 2, atomic = false, track: TrackOpts | null = null, notes?: ReadonlyArray<[string, string]>, db = 0): BatchResult {
    const replies: Frame[] = [];
    // A transaction's commit: the coordinator's notifications replace the batch's own.
    if (notes) this.quiet = true;
    this.track = track;
    if (track?.bcast) this.tracking.bcast = true;
    this.cur = db;
    let blocked: Blocked | undefined;
    let rest: string[][] | undefined;
    this.noBlock = atomic;
    let plans: Array<Plan | Frame | null> | null = null;
    if (atomic && !this.ownsAll) {
      const a = this.planAtomic(batch);
      if ('refused' in a) {
        this.noBlock = false;
        this.track = null;
        this.cur = 0;
        return { replies: a.refused, effects: [] };
      }
      plans = a.plans;
    }
    for (let i = 0; i < batch.length; i++) {
      const argv = batch[i]!;
      const reply = this.run(argv, resp, plans?.[i]);
      const req = this.ctx.blockRequest;
      if (req) {
        blocked = { keys: req.keys, timeoutMs: req.timeoutMs, argv: req.retryArgv ?? argv, timeoutReply: reply };
        rest = batch.slice(i + 1);
        break;
      }
      replies.push(reply);
      if (this.abortBatch) {
        this.abortBatch = false;
        break;
      }
    }
    this.noBlock = false;
    this.track = null; // waiters served next run on behalf of other clients
    if (notes) {
      this.quiet = false;
      for (const n of notes) this.notifier.notes.push([n[0], n[1]]);
    }
    if (this.waiters.size) this.serveWaiters();
    // tracking-table-max-keys bounds the service's table: each shard keeps its share of it.
    if (this.tracking.size) this.tracking.limit(this.config.int('tracking-table-max-keys') / this.info.count, this.notifier.notes);
    this.cur = 0;
    const effects = this.effects;
    this.effects = [];
    return blocked ? { replies, effects, blocked, rest } : { replies, effects };
  }

  /**
   * Run a batch, waiting at blocking commands until they are served or time out. `log` receives
   * effects as they happen (also those of commands served later, on behalf of other batches'
   * writes, which are logged by the batch that made the key ready).
   */
  async execAsync(batch: readonly string[][], resp: Proto, client: number, timers: Timers, log: (effects: string[][]) => void, track: TrackOpts | null = null, maxBlockMs = Infinity, db = 0, gate?: (rest: readonly string[][]) => Promise<void> | null): Promise<Frame[]> {
    const replies: Frame[] = [];
    let cur = batch;
    // `maxBlockMs` bounds the batch's waits in total (REST: a request cannot wait forever); past
    // it a blocking command answers its own timeout reply, as if its timeout had elapsed.
    const deadline = maxBlockMs === Infinity ? Infinity : this.clock.now() + maxBlockMs;
    for (;;) {
      const r = this.exec(cur, resp, false, track, undefined, db);
      log(r.effects); // also when empty: the host acts on persistence requests after every batch
      for (const f of r.replies) replies.push(f); // no spread: a batch may hold 100k+ replies
      if (!r.blocked) return replies;
      const wait = Math.min(r.blocked.timeoutMs > 0 ? r.blocked.timeoutMs : Infinity, deadline - this.clock.now());
      // Waiters are keyed by db and key (waitKey): a write in another db never wakes them.
      const { id, promise } = this.waiters.add({ ...r.blocked, keys: r.blocked.keys.map((k) => waitKey(db, k)) }, resp, client);
      if (wait <= 0) this.waiters.end(id);
      const t = wait > 0 && wait !== Infinity ? armTimer(timers, () => this.waiters.end(id), wait) : undefined;
      replies.push(await promise);
      t?.cancel();
      cur = r.rest!;
      if (cur.length === 0) return replies;
      // What follows a wait runs later: it waits for the transactions holding its keys now.
      const g = gate?.(cur);
      if (g) await g;
    }
  }

  /** A transaction released its locks: serve the waiters it held back; returns the effects to log. */
  serveHeld(): string[][] {
    if (!this.heldReady.size) return [];
    for (const k of this.heldReady) this.waiters.signal(k);
    this.heldReady.clear();
    this.serveWaiters();
    const effects = this.effects;
    this.effects = [];
    return effects;
  }

  /** Keyspace notifications produced so far (channel, message); the host publishes them. */
  takeNotes(): Note[] {
    if (this.tracking.bcast) this.tracking.flushBcast(this.notifier.notes);
    return this.notifier.notes.length ? this.notifier.take() : [];
  }

  /** Clients blocked on this shard (INFO blocked_clients). */
  get blockedClients(): number {
    return this.waiters.size;
  }

  private serveWaiters(): void {
    this.waiters.serve((w, wkey) => {
      this.cur = wkey.charCodeAt(0);
      const v = this.db.data.get(wkey.slice(1));
      const act = readyAction(w.argv[0]!, v === undefined ? undefined : typeof v === 'string' ? 'string' : v.type);
      if (act === 'wait') return null;
      if (act !== 'serve') return act;
      if (this.mayServe && !this.mayServe(w.argv, this.cur)) {
        this.heldReady.add(wkey);
        return null;
      }
      this.noBlock = false;
      const reply = this.run(w.argv, w.resp);
      return this.ctx.blockRequest ? null : reply;
    });
  }

  /**
   * Re-apply logged effects (recovery): nothing expires and nothing is logged again. With
   * `onError`, a record whose run throws is reported there and the replay goes on (recovery
   * skips it, see persistence/recover.ts); without, the throw ends the replay.
   */
  replay(records: readonly string[][], onError?: (argv: readonly string[], e: unknown) => void): void {
    // The stream's SELECTs carry over from one replayed unit to the next.
    this.cur = this.replayDb;
    this.setLoading(true);
    try {
      for (const argv of records) {
        try {
          if (argv.length === 2 && /^select$/i.test(argv[0]!)) {
            const n = Number(argv[1]);
            if (!this.validDb(n)) throw new Error(`SELECT ${argv[1]}: no such database`);
            this.cur = n;
            continue;
          }
          this.run(argv, 2);
        } catch (e) {
          if (!onError) throw e;
          onError(argv, e);
        }
      }
    } finally {
      this.setLoading(false);
      this.effects = [];
      // What is logged next continues the replayed stream, which ended in this db.
      this.replayDb = this.logDb = this.cur;
      this.cur = 0;
    }
  }

  /** The db the replayed stream is in (its last SELECT). */
  private replayDb = 0;

  /** Active expiry pass; returns the next deadline (Infinity: none) and the DELs to log. */
  expireCycle(): { next: number; effects: string[][] } {
    const now = this.clock.now();
    this.notifier.sync(this.config.get('notify-keyspace-events'));
    let next = Infinity;
    for (const [, k] of this.keyspaces()) {
      k.now = now;
      next = Math.min(next, k.activeExpire());
    }
    const effects = this.effects;
    this.effects = [];
    return { next, effects };
  }

  /** An evicted key: deleted, logged as DEL (Redis propagates it so), counted, announced. */
  private evictKey(key: string, db: Keyspace): void {
    const n = this.spaces.indexOf(db);
    if (!db.del(key)) return; // it had expired: removed and logged as such
    this.stats.evictedKeys++;
    this.logIn(n, ['DEL', key]);
    if (this.tracking.active) this.tracking.invalidate(key, this.track, this.notifier.notes);
    if (this.notifier.sync(this.config.get('notify-keyspace-events'))) this.notifier.emit('e', 'evicted', key, n);
  }

  /**
   * A command's plan: its spec (one table lookup, arity included), its key positions (one key
   * extraction) and the ownership check of every key's slot (one slot computation per key). A
   * key of a slot this shard does not serve is refused before anything runs: a router with a
   * stale slot map must never write to the wrong shard (resharding relies on it). The refusal is
   * Redis Cluster's reply for a slot the node has no binding for (see SLOT_NOT_SERVED).
   */
  private plan(argv: readonly string[]): Plan | Frame {
    if (argv.length === 0) return err('ERR empty command');
    const found = lookupIn(SHARD_TABLE, argv);
    if (!found.spec) return found.err;
    const spec = found.spec;
    if (!spec.run) return err(`ERR '${spec.name}' is not served by a shard`);
    const pos = keyPositions(spec, argv);
    return this.owned(argv, pos) ? { spec, pos } : this.refuse(spec.name);
  }

  /** Whether every key at `pos` is in this shard's slots. Replay re-applies this shard's own log: what it holds was accepted when written. */
  private owned(argv: readonly string[], pos: readonly number[]): boolean {
    if (this.ownsAll || this.db.loading) return true;
    const [lo, hi] = this.info.slots;
    for (let i = 0; i < pos.length; i++) {
      const slot = keySlot(argv[pos[i]!]!);
      if (slot < lo || slot > hi) return false;
    }
    return true;
  }

  private refuse(name: string): Frame {
    this.stats.errorReplies++;
    this.stats.error(SLOT_NOT_SERVED, name);
    return err(SLOT_NOT_SERVED);
  }

  /**
   * An atomic batch (a transaction) runs whole or not at all: when one of its commands names a
   * key of a slot this shard does not serve, none runs and every reply is the refusal. Returns
   * the plans (null: an internal WATCH command), so each command is still looked up only once.
   */
  private planAtomic(batch: readonly string[][]): { plans: Array<Plan | Frame | null> } | { refused: Frame[] } {
    const plans: Array<Plan | Frame | null> = [];
    for (const argv of batch) {
      const p = argv.length !== 0 && argv[0]!.charCodeAt(0) === 0 ? null : this.plan(argv);
      if (p !== null && !('spec' in p) && p.t === 'err' && p.v === SLOT_NOT_SERVED) {
        const refused: Frame[] = [];
        for (let i = 0; i < batch.length; i++) refused.push(i === plans.length ? p : this.refuse(commandName(batch[i]!)));
        return { refused };
      }
      plans.push(p);
    }
    return { plans };
  }

  private run(argv: string[], resp: Proto, planned?: Plan | Frame | null): Frame {
    // A block request belongs to the command that made it: the internal WATCH commands and the
    // refusals below never reach ctx.begin, and must not inherit the previous one.
    this.ctx.blockRequest = null;
    // Internal WATCH commands from sessions (engine/watch.ts): NUL-prefixed, never in the table.
    if (argv.length !== 0 && argv[0]!.charCodeAt(0) === 0) {
      if (argv[0]!.startsWith(TXLOG_PREFIX)) {
        if (this.db.loading) this.txnRecord?.(argv);
        else this.effects.push(argv);
        return OK;
      }
      this.db.now = this.clock.now();
      const r = watchCommand(this.db, argv);
      this.abortBatch = r.abort;
      return r.reply;
    }
    const p = planned ?? this.plan(argv);
    return 'spec' in p ? this.dispatch(p, argv, resp, false) : p;
  }

  /**
   * A command a script runs (redis.call): the same dispatch, inside the script's command — its
   * time, no blocking, no eviction (Redis evicts before the script, not within it). Its keys
   * must be this shard's too (Redis Cluster refuses a script's non-local key as well).
   */
  runNested(spec: CommandSpec, argv: string[], resp: Proto): Frame {
    if (!spec.run) return err(`ERR '${spec.name}' is not served by a shard`);
    const pos = keyPositions(spec, argv);
    if (!this.owned(argv, pos)) return this.refuse(spec.name);
    const saved = this.ctx.save();
    try {
      return this.dispatch({ spec, pos }, argv, resp, true, saved.now);
    } finally {
      this.ctx.restore(saved);
    }
  }

  /**
   * One command's effects from `mark` on are one execution unit: framed MULTI … EXEC when they
   * are more than one command (a lazy-expiry DEL and the write, a script's writes, a command that
   * propagates as several), as Redis 7.0's propagatePendingCommands frames them, so a reader of
   * the log never sees half a command. A SELECT ahead of them stays before MULTI (Redis gives
   * MULTI the first command's db, so its SELECT is propagated beforehand).
   */
  private frame(mark: number): void {
    const fx = this.effects;
    let first = mark;
    if (first < fx.length && isSelect(fx[first]!)) first++;
    let n = 0;
    for (let i = first; i < fx.length && n < 2; i++) if (!isSelect(fx[i]!)) n++;
    if (n < 2) return;
    fx.splice(first, 0, ['MULTI']);
    fx.push(['EXEC']);
  }

  private dispatch(plan: Plan, argv: string[], resp: Proto, nested: boolean, scriptNow = 0): Frame {
    const { spec, pos } = plan;
    const flags = spec.flags;
    const write = flags.includes('write');
    const c = this.ctx;
    const now = nested ? scriptNow : this.clock.now();
    this.db.now = now;
    c.begin(now, resp, !nested && !this.noBlock && !this.db.loading);
    // maxmemory (Redis's processCommand): evict before any command; refuse denyoom ones when
    // the shard is still over its budget. Replay never evicts: evictions are in the log as DELs.
    if (!nested) this.evictor.sync();
    if (!nested && !this.db.loading && this.evictor.used() > this.evictor.limit && !this.evictor.ensure() && flags.includes('denyoom')) {
      this.stats.rejectedCalls++;
      this.stats.errorReplies++;
      this.stats.error(OOM_ERROR);
      return err(OOM_ERROR);
    }
    if (write && this.writeRefusal && !this.db.loading) {
      const why = this.writeRefusal();
      if (why) {
        this.stats.errorReplies++;
        this.stats.error(why, spec.name);
        return err(why);
      }
    }
    // Keyspace notifications: a no-op unless notify-keyspace-events is set.
    const nf = this.db.loading || this.quiet ? 0 : this.notifier.sync(this.config.get('notify-keyspace-events'));
    this.notifier.db = this.cur;
    const before = nf ? Notifier.exists(this.db, argv, pos) : null;
    this.notifier.explicit = false;
    if (this.beforeWrite && write) {
      // Commands that change keys of other dbs too (or of every db) save everything first.
      const n = spec.name;
      const all = n === 'flushall' || n === 'flushdb' || n === 'swapdb' || n === 'move' || (n === 'copy' && argv.length > 3);
      this.beforeWrite(pos.map((p) => argv[p]!), all, this.cur);
    }
    const caller = this.cur;
    if (!nested) this.topKeys = this.track ? pos.map((p) => argv[p]!) : NO_KEYS;
    const mark = this.effects.length;
    const reply = spec.run!(c, argv);
    this.cur = caller; // a script's SELECT ends with it
    const dirty = c.dirty > 0;
    // Collections change in place: re-measure the written keys so the memory total follows.
    if (dirty) for (const p of pos) this.db.resize(argv[p]!);
    if (this.db.watches.size !== 0) this.db.watches.endCommand(dirty, () => readOnlyKeys(spec.keySpecs, argv));
    if (before && !this.notifier.explicit) {
      this.notifier.fire({
        name: spec.name, argv, keys: pos, dirty: c.dirty, before,
        after: pos.map((p) => this.db.data.has(argv[p]!)),
        n: reply.t === 'int' ? Number(reply.v) : NaN, nil: reply.t === 'nil' || reply.t === 'nilarr' || reply.t === 'err', ok: reply.t === 'simple' && reply.v === 'OK',
      });
    }
    this.stats.totalCommands++;
    this.stats.calls.set(spec.name, (this.stats.calls.get(spec.name) ?? 0) + 1);
    if (reply.t === 'err') {
      this.stats.errorReplies++;
      this.stats.error(reply.v, spec.name);
    }
    if (dirty) {
      this.persist.changesSinceSave += c.dirty;
      if (write) {
        if (c.rewritten !== undefined) {
          if (c.rewritten !== null) this.logIn(this.cur, c.rewritten);
        } else this.logIn(this.cur, argv);
      }
    }
    if (c.extra.length) for (const e of c.extra) this.logIn(this.cur, e);
    if (!nested) this.frame(mark);
    // CLIENT TRACKING (tracking.ts): remember what a tracking client read; invalidate what changed.
    // A script's read tracks the script's declared keys (Redis's call() remembers the caller's,
    // topKeys); the read-only script commands themselves track nothing of their own.
    if (this.track && flags.includes('readonly')) {
      if (this.track.reads && !RO_SCRIPTS.has(spec.name)) for (const k of nested ? this.topKeys : pos.map((p) => argv[p]!)) this.tracking.remember(k, this.track);
    } else if (dirty && this.tracking.active && write) for (const p of pos) this.tracking.invalidate(argv[p]!, this.track, this.notifier.notes);
    // A write to a key someone waits on makes it ready; waiters are served after the batch.
    if (dirty && this.waiters.size) {
      if (spec.name === 'flushall' || spec.name === 'flushdb' || spec.name === 'swapdb') this.waiters.signalAll();
      else for (const p of pos) this.waiters.signal(waitKey(this.cur, argv[p]!));
      if (c.signalDb >= 0) for (const p of pos) this.waiters.signal(waitKey(c.signalDb, argv[p]!));
    }
    return reply;
  }
}

/** A command looked up and its keys found, once, before it runs (see Shard.plan). */
interface Plan {
  spec: CommandSpec;
  pos: number[];
}

const commandName = (argv: readonly string[]) => (argv[0] ?? '').toLowerCase();

/** A blocked client's key: its db as one leading char code, then the key (no two dbs collide). */
const waitKey = (db: number, key: string) => String.fromCharCode(db) + key;

/**
 * A shard's refusal of a key in a slot it does not serve: Redis Cluster's reply when the node
 * asked has no binding for the slot (getNodeByQuery, CLUSTER_REDIR_DOWN_UNBOUND). Not MOVED: a
 * shard knows only its own range, so it has no address to redirect to, and clients know one
 * endpoint (the Worker); CLUSTERDOWN is what cluster clients retry later, which is right once
 * the router has the current slot map. Nothing ran: the refusal comes before the handler.
 */
export const SLOT_NOT_SERVED = 'CLUSTERDOWN Hash slot not served';

const isSelect = (argv: readonly string[]): boolean => argv.length === 2 && argv[0] === 'SELECT';
