// The shard host: the one exec loop around a pure Shard — batches (synchronous, or waiting at
// blocking commands), their effects into the log through the writer, replies released per
// appendfsync, keyspace notifications, SAVE / BGSAVE / BGREWRITEAOF / auto-rewrite / save points,
// and active-expiry scheduling. The shard Durable Object adapts DO storage and alarms to it; the
// in-process backend runs it over memory. Pure: storage, time, timers and randomness are injected.
import { functionsCheckpoint } from '../commands/scripting-functions.js';
import type { ShardInfo } from '../commands/types.js';
import type { Timers } from '../engine/blocking.js';
import type { Clock } from '../engine/clock.js';
import type { Note } from '../engine/notify.js';
import type { TrackOpts } from '../engine/tracking.js';
import { shouldAutoRewrite, type Manifest } from '../persistence/aof.js';
import { UnitReader, newReplId as newId, type ReadResult, type ShardLog, type Unit } from '../persistence/log.js';
import type { StoragePort } from '../persistence/port.js';
import type { LoadReport } from '../persistence/recover.js';
import { META_MANIFEST, recover, saveReplIds } from '../persistence/recovery.js';
import { Rewrite, type RewriteStore } from '../persistence/rewrite.js';
import { dueSavePoint } from '../persistence/savepoints.js';
import type { SnapshotCodec } from '../persistence/snapshot.js';
import { LogWriter, type Fsync } from '../persistence/writer.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Shard } from './shard.js';
import { Participant, type ParticipantOptions } from './txn.js';
import { batchClaims, readKeyState, txRequest, watchUnchanged, writeCommands } from './txn-host.js';
import { encodeStatus, isTxRequest, replyStrings, type Decision, type KeyState } from './txn-wire.js';

/** The shard request a connection's WAIT sends every shard: [REPL_WAIT, numreplicas, timeout ms]. */
export const REPL_WAIT = '\0repl-wait';
export const WAIT_ON_REPLICA = 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';

/** Active expiry runs at most this often (Redis's active cycle runs at 10 Hz). */
export const MIN_ALARM_GAP_MS = 100;
const META_INFO = 'info';

/** How a batch runs (the connection's ExecOpts). */
export interface HostExecOpts {
  /** A transaction: blocking commands answer at once, and its effects are one framed unit. */
  atomic?: boolean;
  /** The connection's client id (blocked clients are tracked per client). */
  client?: number;
  /** CLIENT NO-TOUCH: the batch's reads leave access times alone. */
  noTouch?: boolean;
  /** CLIENT TRACKING: the shard remembers the keys read. */
  track?: TrackOpts;
  /** The batch's blocking commands wait at most this long in all (REST), then time out. */
  maxBlockMs?: number;
  /** The connection's selected database (SELECT); 0 when absent. */
  db?: number;
}

export interface HostEnv {
  port: StoragePort;
  clock: Clock;
  timers: Timers;
  randomBytes: (n: number) => Uint8Array;
  codec: SnapshotCodec;
  /** Publish keyspace notifications; replies wait for it (Redis publishes inside the command). */
  publish?: (notes: Note[]) => Promise<void> | void;
  /** The platform's alarm: active expiry is due at `at`; the owner calls alarm(). Absent: none. */
  setAlarm?: (at: number) => void;
  /** Sees every batch's effects in order (the in-process backend's record of its log). */
  tap?: (effects: string[][]) => void;
  warn?: (msg: string) => void;
  /** Row size of the log (tests make it small). */
  maxRow?: number;
  /** A transaction request to another shard (a staged participant asks its primary TX_STATUS). */
  peer?: (shard: number, argv: string[]) => Promise<Frame[]>;
  /** Participant options (tests: decision retention, retry backoff, injected bugs). */
  txn?: ParticipantOptions;
  /** After every group commit, with the durable offset (the primary propagates to its replicas). */
  committed?: (offset: number) => void;
}

export class ShardHost implements RewriteStore {
  readonly shard: Shard;
  readonly log: ShardLog;
  readonly writer: LogWriter;
  /** What recovery skipped (INFO, tests). */
  readonly loadReport: LoadReport;
  /** Cross-shard transactions: locks, staged writes, decisions (txn.ts). */
  readonly txn: Participant;
  private manifest: Manifest;
  private rewrite: Rewrite | null = null;
  private alarmAt = Infinity;
  private fsync: Fsync = 'always';
  /** End offset of the units handed to the writer. */
  private pushed: number;
  private backlogVersion = -1;
  private readonly sink = (unit: string, off: number) => this.writer.push(unit, off);
  /**
   * A replica (repl-host.ts): its log is the primary's stream (applyStream), so what it runs
   * itself logs nothing (a lazily expired key waits for the primary's DEL), nothing expires
   * actively and no rewrite appends records of its own.
   */
  replica = false;
  /** WAIT on a primary with replicas (repl-host.ts); null: none (or a replica). */
  waitFor: ((n: number, ms: number, timers: Timers) => Promise<number>) | null = null;

  /**
   * Recover the shard from storage. `info` is the routing's view (stored for alarms that come
   * without one); null: take the stored one, or return null when the shard never ran.
   */
  static open(info: ShardInfo | null, env: HostEnv): ShardHost | null {
    if (!info) {
      const raw = env.port.readMeta(META_INFO);
      if (!raw) return null;
      info = JSON.parse(raw) as ShardInfo;
    } else env.port.writeMeta(META_INFO, JSON.stringify(info));
    return new ShardHost(info, env);
  }

  /** The port, with every write watched: a failed write stops the host (as a DO resets). */
  private readonly port: StoragePort;
  /** Timers for rewrite slices: a slice that throws fails the rewrite, not the process. */
  private readonly sliceTimers: Timers;

  private constructor(
    info: ShardInfo,
    private readonly env: HostEnv,
  ) {
    this.port = guard(env.port, (e) => this.writer?.fail(e));
    this.sliceTimers = {
      set: (fn, ms) => env.timers.set(() => {
        try {
          fn();
        } catch (e) {
          this.rewriteFailed(e);
        }
      }, ms),
      clear: (h) => env.timers.clear(h),
    };
    this.shard = new Shard(info, env.clock, info.index + 1);
    this.txn = new Participant({
      index: info.index,
      now: () => env.clock.now(),
      timers: env.timers,
      readKey: (db, key) => readKeyState(this.shard, env.clock.now(), key, db),
      watchOk: (db, w) => watchUnchanged(this.shard, w, db),
      log: (records) => this.logRecords(records),
      apply: (db, record, writes, notes) => this.applyCommit(db, record, writes, notes),
      status: (primary, txid) => this.askStatus(primary, txid),
      wake: (at) => this.setAlarm(at),
      released: () => this.serveHeld(),
      warn: env.warn,
    }, env.txn);
    this.shard.txnRecord = (argv) => this.txn.replay(argv);
    this.shard.mayServe = (argv, db) => this.txn.idle || this.txn.isFree(batchClaims([argv as string[]], db));
    const r = recover(this.shard, `shard ${info.index}`, this.port, { clock: env.clock, randomBytes: env.randomBytes, codec: env.codec, warn: env.warn, maxRow: env.maxRow });
    this.log = r.log;
    this.manifest = r.manifest;
    this.loadReport = r.report;
    this.pushed = r.log.offset;
    this.writer = new LogWriter(this.port, env.timers, () => this.manifest.segments[this.manifest.segments.length - 1]!.seg, r.log.offset, r.lastRowStart, {
      maxRow: env.maxRow,
      onDurable: (off) => {
        this.log.durable = off;
        this.trim();
        env.committed?.(off);
      },
    });
    this.shard.persist.repl = () => this.log.facts();
    this.syncConfig();
    this.txn.recovered();
    // Keys that expired while the shard was down are removed by the first alarm.
    for (const [, k] of this.shard.keyspaces()) if (k.expires.size) this.setAlarm(env.clock.now());
  }

  /** Storage failed: this host acknowledges nothing more; its owner must open a new one. */
  get failed(): Error | null {
    return this.writer.failed;
  }

  /**
   * Run a batch. Under appendfsync always the reply waits for the group commit that stores its
   * effects; a blocking command keeps it pending until it is served or times out.
   */
  exec(batch: string[][], resp: Proto, opts: HostExecOpts = {}): Frame[] | Promise<Frame[]> {
    if (this.writer.failed) throw this.writer.failed;
    if (batch.length === 1 && isTxRequest(batch[0]!)) return txRequest(this.txn, batch[0]!);
    if (batch.length === 1 && batch[0]![0] === REPL_WAIT) return this.replWait(batch[0]!);
    // A batch touching a key a transaction holds waits until it is released (then runs in
    // arrival order); with no transaction here, nothing is looked at.
    if (!this.txn.idle) {
      let out!: (v: Frame[] | Promise<Frame[]>) => void;
      let fail!: (e: unknown) => void;
      const later = new Promise<Frame[]>((res, rej) => {
        out = res;
        fail = rej;
      });
      const run = () => {
        try {
          out(this.run(batch, resp, opts));
        } catch (e) {
          fail(e);
        }
      };
      if (!this.txn.admit(batchClaims(batch, opts.db ?? 0), run)) return later;
    }
    return this.run(batch, resp, opts);
  }

  private run(batch: string[][], resp: Proto, opts: HostExecOpts): Frame[] | Promise<Frame[]> {
    if (this.writer.failed) throw this.writer.failed;
    const s = this.shard;
    // CLIENT NO-TOUCH: only this batch's synchronous run leaves access times alone.
    if (opts.noTouch) s.setNoTouch(true);
    try {
      if (opts.atomic) {
        const r = s.exec(batch, resp, true, opts.track ?? null, undefined, opts.db ?? 0);
        this.logged(r.effects, true);
        return this.release(r.replies);
      }
      return s.execAsync(batch, resp, opts.client ?? 0, this.env.timers, (effects) => this.logged(effects, false), opts.track ?? null, opts.maxBlockMs, opts.db ?? 0, (rest) => this.turn(rest, opts.db ?? 0)).then((r) => this.release(r));
    } finally {
      if (opts.noTouch) s.setNoTouch(false);
    }
  }

  /** A client disconnected or was unblocked: its blocked commands end. */
  unblockClient(client: number, kind: 'timeout' | 'error' = 'timeout'): number {
    const w = this.shard.waiters;
    const ids = w.ofClient(client);
    // CLIENT UNBLOCK … ERROR answers Redis's UNBLOCKED error; TIMEOUT (and a disconnect) the timeout reply.
    const reply = kind === 'error' ? ({ t: 'err', v: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' } as const) : undefined;
    for (const id of ids) w.end(id, reply);
    return ids.length;
  }

  /** Active expiry and transaction leases (the platform alarm fired). */
  async alarm(): Promise<void> {
    this.alarmAt = Infinity;
    this.txn.tick();
    if (this.replica) return; // keys expire by the primary's DELs
    const { next, effects } = this.shard.expireCycle();
    this.logged(effects, false);
    await this.release(null);
    if (next !== Infinity) this.setAlarm(Math.max(next, this.env.clock.now() + MIN_ALARM_GAP_MS));
    const t = this.txn.nextDeadline;
    if (t !== Infinity) this.setAlarm(t);
  }

  /** The rest of a batch after a wait: null when it may run now, else when its keys are free. */
  private turn(rest: readonly string[][], db: number): Promise<void> | null {
    if (this.txn.idle) return null;
    const claims = batchClaims(rest, db);
    const free = () => this.txn.idle || this.txn.isFree(claims);
    if (free()) return null;
    return (async () => {
      // Woken at a release (in order with other waiting work); locked again meanwhile: wait again.
      do await new Promise<void>((res) => this.txn.admit(claims, res) && res());
      while (!free());
    })();
  }

  /** A transaction released its locks: blocked commands it held back are served (and logged). */
  private serveHeld(): void {
    const effects = this.shard.serveHeld();
    if (!effects.length) return;
    this.logged(effects, false);
    void Promise.resolve(this.release(null)).catch((e: unknown) => this.env.warn?.(`shard ${this.shard.info.index}: ${String(e)}`));
  }

  /** Transaction records as one unit, durable whatever appendfsync says (a prepare must survive a crash). */
  private logRecords(records: string[][]): Promise<void> {
    this.logged(records, records.length > 1);
    return this.durable();
  }

  /** A commit: one framed unit (the record, then the writes), the coordinator's notifications, durable. */
  private applyCommit(db: number, record: string[], writes: KeyState[], notes: Array<[string, string]>): Promise<void> {
    const batch = [record, ...writeCommands(writes, this.env.clock.now())];
    const r = this.shard.exec(batch, 2, true, null, notes, db);
    for (const f of r.replies) if (f.t === 'err') this.env.warn?.(`shard ${this.shard.info.index}: a transaction write failed: ${f.v}`);
    this.logged(r.effects, true);
    return Promise.resolve(this.release(null)).then(() => this.durable());
  }

  private durable(): Promise<void> {
    if (!this.log.storing) return Promise.resolve();
    return this.writer.settle(this.pushed) ?? Promise.resolve();
  }

  private async askStatus(primary: number, txid: string): Promise<Decision> {
    if (!this.env.peer) throw new Error('no peer to ask');
    const a = replyStrings((await this.env.peer(primary, encodeStatus(txid)))[0]);
    const d = a?.[0];
    if (a?.length !== 1 || (d !== 'committed' && d !== 'aborted' && d !== 'pending')) throw new Error(`bad TX_STATUS reply`);
    return d;
  }

  /**
   * A replica applies stream bytes from its primary, starting exactly at its offset: the units'
   * records replayed through the shard's dispatch (as recovery does), the bytes stored unchanged
   * so its offsets are the primary's. Returns an error text when the bytes are not whole units.
   */
  applyStream(data: string): string | null {
    if (this.writer.failed) throw this.writer.failed;
    const at = this.log.offset;
    const reader = new UnitReader(at);
    const units: Unit[] = [];
    reader.push(data, units);
    if (reader.corrupt) return reader.corrupt;
    if (reader.tailStart !== at + data.length) return `a unit is cut short at offset ${reader.tailStart}`;
    for (const u of units) {
      this.shard.replay(u.records, (argv, e) => this.env.warn?.(`shard ${this.shard.info.index}: replica skipped ${(argv[0] ?? '').slice(0, 32)} at ${u.off}: ${String(e)}`));
      this.shard.takeNotes();
    }
    this.log.appendRaw(data, this.sink);
    this.pushed = this.log.offset;
    this.shard.persist.aofCurrentSize += data.length;
    this.manifest.segments[this.manifest.segments.length - 1]!.bytes += data.length;
    this.writer.policy(this.fsync);
    // appendfsync always: stored by a group commit now (nobody waits for it: the ack is the
    // applied offset, as REPLCONF ACK is in Redis).
    if (this.fsync === 'always') this.writer.commit()?.catch(() => {});
    return null;
  }

  /** Resolves once everything applied or logged so far is durable. */
  settled(): Promise<void> {
    return this.durable();
  }

  /** WAIT numreplicas timeout-ms on this shard: an int Frame; a replica answers Redis's error. */
  private replWait(argv: string[]): Promise<Frame[]> | Frame[] {
    const n = Number(argv[1]);
    const ms = Number(argv[2]);
    if (this.replica) return [{ t: 'err', v: WAIT_ON_REPLICA }];
    if (this.waitFor) return this.waitFor(n, ms, this.env.timers).then((c) => [{ t: 'int', v: c }]);
    // No replicas: nothing acknowledges; WAIT 0 answers at once, otherwise at the timeout.
    if (n <= 0) return [{ t: 'int', v: 0 }];
    return new Promise((res) => {
      if (ms > 0) this.env.timers.set(() => res([{ t: 'int', v: 0 }]), ms);
    });
  }

  /** The log from a consumer's offset (log.ts readFrom). */
  readFrom(offset: number, maxBytes?: number, replid?: string): ReadResult {
    return this.log.readFrom(offset, maxBytes, replid);
  }

  /** A promotion: a new history id, the old one kept as replid2 (Redis's shiftReplicationId). */
  shiftReplid(): void {
    this.log.shiftReplid(newId(this.env.randomBytes));
    saveReplIds(this.port, this.log.ids());
  }

  /** Stop timers: the owner drops this host. */
  close(): void {
    this.txn.close();
    this.writer.close();
  }

  /** The reply once its effects are stored (always) and its notifications published. */
  private release<T>(v: T): T | Promise<T> {
    const notes = this.shard.takeNotes();
    let pub: Promise<void> | void = undefined;
    if (notes.length && this.env.publish) {
      try {
        pub = this.env.publish(notes);
      } catch (e) {
        this.env.warn?.(`keyspace notification lost: ${String(e)}`);
      }
    }
    const wait = this.fsync === 'always' ? this.writer.settle(this.pushed) : this.writer.failed ? Promise.reject(this.writer.failed) : null;
    if (!pub && !wait) return v;
    const published = pub ? pub.catch((e: unknown) => this.env.warn?.(`keyspace notification lost: ${String(e)}`)) : undefined;
    if (!wait) return published!.then(() => v);
    return published ? Promise.all([published, wait]).then(() => v) : wait.then(() => v);
  }

  private logged(effects: string[][], atomic: boolean): void {
    const s = this.shard;
    const p = s.persist;
    if (s.config.version !== this.backlogVersion) this.syncConfig();
    if (effects.length && !this.replica) {
      this.env.tap?.(effects);
      if (this.log.storing) {
        const n = this.log.append(effects, atomic, this.sink);
        this.pushed = this.log.offset;
        p.aofCurrentSize += n;
        this.manifest.segments[this.manifest.segments.length - 1]!.bytes += n;
      } else this.log.append(effects, atomic);
    }
    this.writer.policy(this.fsync);
    p.fsync = this.fsync;
    p.aofBufferLength = this.writer.pending;
    this.persistenceDue();
    this.schedule();
  }

  /** CONFIG changed: fsync policy, backlog size, appendonly. */
  private syncConfig(): void {
    const c = this.shard.config;
    this.backlogVersion = c.version;
    this.fsync = c.get('appendfsync') as Fsync;
    this.shard.persist.fsync = this.fsync;
    this.log.backlogSize = c.int('repl-backlog-size');
    const on = c.get('appendonly') === 'yes';
    if (on === this.log.storing) return;
    if (on) {
      // As Redis on CONFIG SET appendonly yes: what was written meanwhile is only in memory, so
      // a rewrite makes it durable; readers cannot continue across the gap.
      this.log.storing = true;
      this.log.stored = this.log.offset;
      this.shard.persist.requested ??= 'rewrite';
    } else {
      this.writer.flush(); // what was acknowledged is stored
      this.log.storing = false;
    }
  }

  /** Delete stored history neither the backlog nor recovery needs any more. */
  private trim(): void {
    const cut = this.log.trimPoint(this.manifest.segments[0]!.off ?? 0, this.writer.lastRowStart);
    if (cut !== null) this.log.trim(cut);
  }

  /** SAVE / BGSAVE / BGREWRITEAOF requests, `save` points and auto-aof-rewrite. */
  private persistenceDue(): void {
    const shard = this.shard;
    const p = shard.persist;
    let req = p.requested;
    p.requested = null;
    if (this.replica) return; // its log is the primary's stream: no records of its own
    const now = this.env.clock.now();
    if (!req && !this.rewrite) {
      const c = shard.config;
      if (c.get('appendonly') === 'yes' && shouldAutoRewrite(this.manifest, c.int('auto-aof-rewrite-percentage'), c.int('auto-aof-rewrite-min-size'))) req = 'rewrite';
      else if (dueSavePoint(c.get('save'), p.changesSinceSave, now / 1000 - p.lastSaveTime)) req = 'rewrite';
    }
    if (!req) return;
    if (this.rewrite) {
      // SAVE while a background rewrite runs: finish it now, synchronously.
      if (req === 'save') this.rewrite.runToEnd();
      return;
    }
    this.writer.flush();
    try {
      this.rewrite = new Rewrite(shard, this, this.manifest, this.env.codec, now);
      // History before the new segment will be retired: staged transactions and decisions are
      // written again at its start.
      const cp = this.txn.checkpoint();
      // So are the function libraries (they live in no key): see functionsCheckpoint.
      const fns = functionsCheckpoint(shard.config);
      if (fns) cp.push(fns);
      if (cp.length) this.logged(cp, false);
      if (req === 'save') this.rewrite.runToEnd();
      else this.rewrite.runInSlices(this.sliceTimers);
    } catch (e) {
      this.rewriteFailed(e);
      if (this.writer.failed) throw e;
    }
  }

  /** A failed rewrite leaves the old base and every segment in place: nothing is lost. */
  private rewriteFailed(e: unknown): void {
    const shard = this.shard;
    this.env.warn?.(`shard ${shard.info.index}: AOF rewrite failed: ${String(e)}`);
    this.rewrite = null;
    shard.beforeWrite = null;
    shard.persist.rewriteInProgress = false;
    shard.persist.lastRewriteOk = false;
  }

  // RewriteStore: what a rewrite needs from storage.
  setManifest(m: Manifest): void {
    // A segment opened now starts at the current offset (the writer was just flushed); a base
    // installed now covers the stream up to its first kept segment.
    for (const s of m.segments) {
      if (s.off !== undefined) continue;
      s.off = this.log.offset;
      // Its reader starts in db 0: the segment's first effect selects its db.
      this.shard.forgetLogDb();
    }
    if (m.base && m.base.off === undefined) m.base.off = m.segments[0]!.off;
    this.manifest = m;
    this.port.writeMeta(META_MANIFEST, JSON.stringify(m));
  }
  currentManifest(): Manifest {
    return this.manifest;
  }
  flushLog(): void {
    this.writer.flush();
  }
  writeBaseRow(gen: number, idx: number, data: string): void {
    this.port.writeBaseRow(gen, idx, data);
  }
  retire(gen: number): void {
    this.port.deleteBaseExcept(gen);
    this.trim();
  }
  rewriteDone(): void {
    this.rewrite = null;
    const p = this.shard.persist;
    if (p.rewriteScheduled) {
      p.rewriteScheduled = false;
      p.requested = 'rewrite';
      this.persistenceDue();
    }
  }

  private schedule(): void {
    let t = Infinity;
    for (const [, k] of this.shard.keyspaces()) t = Math.min(t, k.earliestNewDeadline);
    if (t < this.alarmAt) this.setAlarm(Math.max(t, this.env.clock.now() + MIN_ALARM_GAP_MS));
  }

  private setAlarm(at: number): void {
    if (!this.env.setAlarm || at >= this.alarmAt) return;
    this.alarmAt = at;
    this.env.setAlarm(at);
  }
}

/** The port with its writes watched: `onFail` hears of any write that throws. */
function guard(port: StoragePort, onFail: (e: unknown) => void): StoragePort {
  const watch = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
    try {
      fn.apply(port, a);
    } catch (e) {
      onFail(e);
      throw e;
    }
  };
  return {
    gated: port.gated,
    appendRows: watch(port.appendRows),
    readRows: (from, to) => port.readRows(from, to),
    headAtOrBelow: (off) => port.headAtOrBelow(off),
    bounds: () => port.bounds(),
    deleteBelow: watch(port.deleteBelow),
    deleteFrom: watch(port.deleteFrom),
    readMeta: (k) => port.readMeta(k),
    writeMeta: watch(port.writeMeta),
    writeBaseRow: watch(port.writeBaseRow),
    readBase: (gen) => port.readBase(gen),
    deleteBaseExcept: watch(port.deleteBaseExcept),
    sync: () => port.sync(),
    legacyRows: port.legacyRows ? () => port.legacyRows!() : undefined,
    dropLegacy: port.dropLegacy ? watch(port.dropLegacy) : undefined,
  };
}
