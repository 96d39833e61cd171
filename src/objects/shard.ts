// The shard Durable Object: owns one slot range's keyspace in memory and its persistence in
// SQLite storage — Redis 7's multi-part AOF: a manifest naming one base (an RDB snapshot) and the
// increment segments after it. Writes are stored per appendfsync before (always) or after
// (everysec, no) their replies leave; a restarted object loads the base and replays the segments.
import { DurableObject } from 'cloudflare:workers';
import { HUB_NAME, type HubObject } from './hub.js';
import type { ShardInfo } from '../commands/types.js';
import type { Timers } from '../engine/blocking.js';
import { systemClock } from '../engine/clock.js';
import { Shard } from '../shard/shard.js';
import { AofBuffer, EVERYSEC_MS, IDLE_FLUSH_MS, emptyManifest, openSegment, shouldAutoRewrite, type Fsync, type Manifest } from '../persistence/aof.js';
import { emptyReport, loadBase, replayLog } from '../persistence/recover.js';
import { dueSavePoint } from '../persistence/savepoints.js';
import { toBytes } from '../protocol/bytes.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import type { ExecOpts } from '../server/session.js';
import { Rewrite, type RewriteStore } from '../persistence/rewrite.js';
import { SNAPSHOT_CODEC } from './codec.js';
import { rdbEntry } from '../persistence/rdb-snapshot.js';
import { FramesEncoder, SLICE_BYTES, SliceDecoder, framesBytes, type Slice } from '../protocol/slices.js';

/** Active expiry runs at most this often (Redis's active cycle runs at 10 Hz). */
const MIN_ALARM_GAP_MS = 100;
/** An export page stays far below the 32 MiB RPC limit. */
const MAX_EXPORT_PAGE = 4 * 1024 * 1024;
const TIMERS: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) };
/** A staged batch or a pending reply left alone this long is dropped (its Worker went away). */
const TRANSFER_TTL_MS = 60_000;

/** A batch the Worker uploaded in slices (stage) and runs with exec. */
export interface StagedBatch {
  staged: string;
  /** How many slices were staged: exec checks it got them all. */
  slices: number;
}

/** A reply too large for one RPC: its first slice; the Worker pulls the rest while `more`. */
export interface SlicedReply {
  sliced: string;
  slice: Slice;
  more: boolean;
}

/** A staged batch or pending reply that is not there (the shard restarted, or it timed out). */
export interface TransferGone {
  gone: string;
}

/** What exec answers: the replies, their first slice, or (nothing ran) that its staged batch is gone. */
export type ExecResult = Frame[] | SlicedReply | TransferGone;

type Transfer = { client: number; at: number } & ({ dec: SliceDecoder; slices: number } | { enc: FramesEncoder });

export class ShardObject extends DurableObject implements RewriteStore {
  private shard: Shard | null = null;
  private alarmAt = Infinity;
  private readonly sql: SqlStorage;
  private manifest: Manifest = emptyManifest();
  private readonly buf = new AofBuffer();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private rewrite: Rewrite | null = null;
  /** The storage commit of the last group-commit write, while it is in flight. */
  private inflight: Promise<void> | null = null;
  /** The write after it, that batches arriving meanwhile wait on. */
  private next: Promise<void> | null = null;
  /** appendfsync always: the buffer must be stored before replies leave. */
  private commitDue = false;
  /** Exports in progress (GET /export), by token. */
  private readonly exports = new Map<string, { keys: string[]; i: number; carry: string | null }>();
  private exportSeq = 0;
  /** Batches being staged (by the Worker's id) and replies being pulled (by ours). */
  private readonly transfers = new Map<string, Transfer>();
  private transferSeq = 0;
  /** Our reply ids never repeat across restarts, so a stale pull can never read another's reply. */
  private readonly transferPrefix = crypto.randomUUID();
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, seg INTEGER NOT NULL, data BLOB NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS base (gen INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (gen, idx))');
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  }

  /**
   * Run a batch of commands; the RPC the Worker calls. Under appendfsync always a reply waits for
   * the group commit that stores its effects (see groupCommit); a blocking command keeps the call
   * pending until it is served or times out. RPC payloads are limited (32 MiB): a larger batch
   * arrives staged (see stage), larger replies leave in slices (see pull), so a batch that ran
   * always gets its replies back.
   */
  exec(info: ShardInfo, batch: string[][] | StagedBatch, resp: Proto, opts: ExecOpts = {}): ExecResult | Promise<ExecResult> {
    const shard = this.load(info);
    const client = opts.client ?? 0;
    if (this.transfers.size) this.sweep();
    if (!Array.isArray(batch)) {
      const staged = this.unstage(batch);
      if (!Array.isArray(staged)) return staged;
      batch = staged;
    }
    // CLIENT NO-TOUCH: only this batch's synchronous run leaves access times alone.
    if (opts.noTouch) {
      shard.db.noTouch = true;
      queueMicrotask(() => (shard.db.noTouch = false));
    }
    if (opts.atomic) {
      const r = shard.exec(batch, resp, true, opts.track ?? null);
      this.logged(shard, r.effects);
      return this.outgoing(this.durable(this.withNotes(shard, r.replies)), client);
    }
    return shard
      .execAsync(batch, resp, client, TIMERS, (effects) => this.logged(shard, effects), opts.track ?? null, opts.maxBlockMs)
      .then((r) => this.outgoing(this.durable(this.withNotes(shard, r)), client));
  }

  /**
   * One slice of a batch too large for one RPC (protocol/slices.ts), in order; exec with
   * { staged: id } runs the whole batch as one, so an atomic batch stays atomic.
   */
  stage(id: string, slice: Slice, client = 0): void {
    this.sweep();
    let t = this.transfers.get(id);
    if (!t) {
      t = { client, at: Date.now(), dec: new SliceDecoder('batch'), slices: 0 };
      this.transfers.set(id, t);
      this.armSweep();
    }
    if (!('dec' in t)) throw new Error(`transfer ${id} is not a staged batch`);
    t.at = Date.now();
    t.slices++;
    t.dec.push(slice);
  }

  /** The next slice of a reply exec answered in slices. */
  pull(id: string, client = 0): SlicedReply | TransferGone {
    this.sweep();
    const t = this.transfers.get(id);
    if (!t || !('enc' in t) || t.client !== client) return { gone: `reply ${id} is gone (the shard restarted or it timed out)` };
    t.at = Date.now();
    const slice = t.enc.next();
    const more = slice !== null && !t.enc.done;
    if (!more) this.transfers.delete(id);
    return { sliced: id, slice: slice ?? { h: '', s: [] }, more };
  }

  /** A connection went away: its blocked commands end, and its transfers are dropped. */
  clientGone(client: number): number {
    for (const [id, t] of this.transfers) if (t.client === client) this.transfers.delete(id);
    return this.unblockClient(client);
  }

  /** The staged batch, whole; nothing runs unless every slice arrived. */
  private unstage(ref: StagedBatch): string[][] | TransferGone {
    const t = this.transfers.get(ref.staged);
    this.transfers.delete(ref.staged);
    if (!t || !('dec' in t)) return { gone: `staged batch ${ref.staged} is gone (the shard restarted or it timed out)` };
    if (t.slices !== ref.slices || !t.dec.complete) return { gone: `staged batch ${ref.staged} has ${t.slices} of ${ref.slices} slices` };
    return t.dec.batch();
  }

  /** Replies as they are, or their first slice when they are too large for one RPC. */
  private outgoing(v: Frame[] | Promise<Frame[]>, client: number): ExecResult | Promise<ExecResult> {
    if (Array.isArray(v)) return this.sliceReplies(v, client);
    return v.then((r) => this.sliceReplies(r, client));
  }

  private sliceReplies(replies: Frame[], client: number): ExecResult {
    if (framesBytes(replies, SLICE_BYTES) <= SLICE_BYTES) return replies;
    // Encoded lazily, slice by slice as the Worker pulls: only one slice is held at a time.
    const enc = new FramesEncoder(replies, SLICE_BYTES);
    const slice = enc.next()!;
    if (enc.done) return { sliced: '', slice, more: false };
    const id = `${this.transferPrefix}-${++this.transferSeq}`;
    this.transfers.set(id, { client, at: Date.now(), enc });
    this.armSweep();
    return { sliced: id, slice, more: true };
  }

  /** Bounded memory: transfers idle for TRANSFER_TTL_MS are dropped. */
  private sweep(): void {
    const old = Date.now() - TRANSFER_TTL_MS;
    for (const [id, t] of this.transfers) if (t.at < old) this.transfers.delete(id);
  }

  private armSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
      if (this.transfers.size) this.armSweep();
    }, TRANSFER_TTL_MS);
  }

  /** proto-max-bulk-len, for the Worker's protocol limits (worker/bulk-limit.ts). */
  bulkLimit(info: ShardInfo): number {
    return this.load(info).config.int('proto-max-bulk-len');
  }

  /** The reply once every effect logged so far is stored (appendfsync always), else at once. */
  private durable<T>(v: T | Promise<T>): T | Promise<T> {
    if (!this.buf.pending || !this.commitDue) return v;
    const wait = this.groupCommit();
    return wait ? wait.then(() => v) : v;
  }

  /**
   * Group commit, as Redis shares one write + fsync among the clients of an event-loop turn.
   * Idle: the records are written now, in this event; the output gate holds its replies until
   * that commit is durable. While a commit is in flight, batches that arrive meanwhile wait, and
   * are written together as one commit when it lands — so commits never queue up one per request.
   */
  private groupCommit(): Promise<void> | null {
    if (!this.inflight) {
      this.flush();
      this.trackCommit();
      return null;
    }
    if (!this.next) {
      this.next = this.inflight.then(() => {
        this.next = null;
        this.flush();
        this.trackCommit();
      });
    }
    return this.next;
  }

  private trackCommit(): void {
    const p: Promise<void> = this.ctx.storage
      .sync()
      .catch((e) => console.error('storage sync failed', e))
      .then(() => {
        if (this.inflight === p) this.inflight = null;
      });
    this.inflight = p;
  }

  /**
   * Keyspace notifications the batch fired go to the pub/sub hub before the reply leaves (Redis
   * publishes them inside the command). Nothing to do when notify-keyspace-events is empty.
   */
  private withNotes<T>(shard: Shard, v: T): T | Promise<T> {
    const notes = shard.takeNotes();
    const hub = (this.env as { HUB?: DurableObjectNamespace<HubObject> }).HUB;
    if (!notes.length || !hub) return v;
    return hub.get(hub.idFromName(HUB_NAME)).publishMany(notes).then(() => v, (e) => (console.error('keyspace notification lost', e), v));
  }

  /** A client disconnected: its blocked commands end (their replies go nowhere). */
  unblockClient(client: number, kind: 'timeout' | 'error' = 'timeout'): number {
    const shard = this.shard;
    if (!shard) return 0;
    const ids = shard.waiters.ofClient(client);
    // CLIENT UNBLOCK … ERROR answers Redis's UNBLOCKED error; TIMEOUT (and a disconnect) the timeout reply.
    const reply = kind === 'error' ? ({ t: 'err', v: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' } as const) : undefined;
    for (const id of ids) shard.waiters.end(id, reply);
    return ids.length;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = Infinity;
    const shard = this.load(null);
    if (!shard) return;
    const { next, effects } = shard.expireCycle();
    this.logged(shard, effects);
    await this.withNotes(shard, null);
    if (next !== Infinity) this.setAlarm(Math.max(next, Date.now() + MIN_ALARM_GAP_MS));
  }

  /**
   * One page of an export (GET /export): RDB entries for up to `limit` keys of a key list frozen
   * at the first page; each key's value is read when its page is made. `token` continues an
   * export; a null token in the reply means this shard is done.
   */
  exportPage(info: ShardInfo, token: string | null, limit: number): { token: string | null; data: Uint8Array; keys: number } {
    const shard = this.load(info);
    let job = token ? this.exports.get(token) : undefined;
    if (!job) {
      job = { keys: [...shard.db.data.keys()], i: 0, carry: null };
      token = `${Date.now()}-${++this.exportSeq}`;
      this.exports.set(token, job);
    }
    const db = shard.db;
    db.now = Date.now();
    // What a large entry left over from the previous page comes first.
    const parts: string[] = job.carry === null ? [] : [job.carry];
    let bytes = job.carry?.length ?? 0;
    job.carry = null;
    let n = 0;
    while (job.i < job.keys.length && n < limit && bytes < MAX_EXPORT_PAGE) {
      const key = job.keys[job.i++]!;
      if (db.isExpired(key)) continue;
      const v = db.data.get(key);
      if (v === undefined) continue;
      const e = rdbEntry(key, v, db.getExpire(key));
      parts.push(e);
      bytes += e.length;
      n++;
    }
    let data = parts.join('');
    // One entry can outgrow a page (and the RPC limit): the rest goes out with the next pages.
    if (data.length > MAX_EXPORT_PAGE) {
      job.carry = data.slice(MAX_EXPORT_PAGE);
      data = data.slice(0, MAX_EXPORT_PAGE);
    }
    const done = job.i >= job.keys.length && job.carry === null;
    if (done) this.exports.delete(token!);
    return { token: done ? null : token, data: toBytes(data), keys: n };
  }


  /** Storage facts for tests: rows per table and the manifest. */
  storageFacts(): { logRows: number; baseRows: number; manifest: Manifest } {
    const n = (t: string) => this.sql.exec(`SELECT COUNT(*) AS n FROM ${t}`).one().n as number;
    return { logRows: n('log'), baseRows: n('base'), manifest: this.manifest };
  }

  private logged(shard: Shard, effects: string[][]): void {
    const p = shard.persist;
    if (effects.length && shard.config.get('appendonly') === 'yes') {
      const before = this.buf.pending;
      this.buf.append(effects);
      p.aofCurrentSize += this.buf.pending - before;
    }
    const fsync = shard.config.get('appendfsync') as Fsync;
    p.fsync = fsync;
    this.commitDue = fsync === 'always';
    if (this.buf.mustFlush(fsync)) {
      if (fsync !== 'always') this.flush(); // always: the group commit stores it (durable())
    } else if (this.buf.pending) this.armFlush(fsync === 'everysec' ? EVERYSEC_MS : IDLE_FLUSH_MS);
    p.aofBufferLength = this.buf.pending;
    this.persistenceDue(shard);
    this.schedule(shard);
  }

  /** Store buffered records in the current segment. */
  private flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const seg = this.manifest.segments[this.manifest.segments.length - 1]!;
    for (const row of this.buf.take()) {
      this.sql.exec('INSERT INTO log (seg, data) VALUES (?, ?)', seg.seg, toBytes(row).buffer);
      seg.bytes += row.length;
    }
    if (this.shard) this.shard.persist.aofBufferLength = 0;
  }

  private armFlush(ms: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, ms);
  }

  /** SAVE / BGSAVE / BGREWRITEAOF requests, `save` points and auto-aof-rewrite. */
  private persistenceDue(shard: Shard): void {
    const p = shard.persist;
    let req = p.requested;
    p.requested = null;
    if (!req && !this.rewrite) {
      const c = shard.config;
      if (c.get('appendonly') === 'yes' && shouldAutoRewrite(this.manifest, c.int('auto-aof-rewrite-percentage'), c.int('auto-aof-rewrite-min-size'))) req = 'rewrite';
      else if (dueSavePoint(c.get('save'), p.changesSinceSave, Date.now() / 1000 - p.lastSaveTime)) req = 'rewrite';
    }
    if (!req) return;
    if (this.rewrite) {
      // SAVE while a background rewrite runs: finish it now, synchronously.
      if (req === 'save') this.rewrite.runToEnd();
      return;
    }
    this.flush();
    try {
      this.rewrite = new Rewrite(shard, this, this.manifest, SNAPSHOT_CODEC, Date.now());
      if (req === 'save') this.rewrite.runToEnd();
      else this.rewrite.runInSlices(TIMERS);
    } catch (e) {
      // A failed rewrite leaves the old base and every segment in place: nothing is lost.
      console.error(`shard ${shard.info.index}: AOF rewrite failed`, e);
      this.rewrite = null;
      shard.beforeWrite = null;
      p.rewriteInProgress = false;
      p.lastRewriteOk = false;
    }
  }

  // RewriteStore: what a rewrite needs from storage.
  setManifest(m: Manifest): void {
    this.manifest = m;
    this.sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', 'manifest', JSON.stringify(m));
  }
  currentManifest(): Manifest {
    return this.manifest;
  }
  flushLog(): void {
    this.flush();
  }
  writeBaseRow(gen: number, idx: number, data: string): void {
    this.sql.exec('INSERT OR REPLACE INTO base (gen, idx, data) VALUES (?, ?, ?)', gen, idx, toBytes(data).buffer);
  }
  retire(gen: number, firstKeptSeg: number): void {
    this.sql.exec('DELETE FROM log WHERE seg < ?', firstKeptSeg);
    this.sql.exec('DELETE FROM base WHERE gen <> ?', gen);
  }
  rewriteDone(): void {
    this.rewrite = null;
    const shard = this.shard!;
    if (shard.persist.rewriteScheduled) {
      shard.persist.rewriteScheduled = false;
      shard.persist.requested = 'rewrite';
      this.persistenceDue(shard);
    }
  }

  private load(info: ShardInfo): Shard;
  private load(info: null): Shard | null;
  private load(info: ShardInfo | null): Shard | null {
    if (this.shard) return this.shard;
    if (!info) {
      const row = this.sql.exec('SELECT v FROM meta WHERE k = ?', 'info').toArray()[0];
      if (!row) return null;
      info = JSON.parse(row.v as string) as ShardInfo;
    } else {
      this.sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', 'info', JSON.stringify(info));
    }
    const started = Date.now();
    const shard = new Shard(info, systemClock, info.index + 1);
    const m = this.sql.exec('SELECT v FROM meta WHERE k = ?', 'manifest').toArray()[0];
    this.manifest = m ? (JSON.parse(m.v as string) as Manifest) : emptyManifest();
    // Segment sizes grow between manifest writes: count them from the rows.
    for (const seg of this.manifest.segments) {
      seg.bytes = (this.sql.exec('SELECT COALESCE(SUM(length(data)), 0) AS n FROM log WHERE seg = ?', seg.seg).one().n as number) ?? 0;
    }
    // Tolerant recovery (persistence/recover.ts has the policy): whatever cannot load is left out
    // and reported, and the shard serves the rest. aof-load-truncated is not consulted: CONFIG is
    // not stored, so at load it always has its default (yes).
    const rep = emptyReport();
    const base = this.manifest.base;
    if (base) {
      const parts: Uint8Array[] = [];
      for (const row of this.sql.exec('SELECT data FROM base WHERE gen = ? ORDER BY idx', base.gen)) parts.push(new Uint8Array(row.data as ArrayBuffer));
      const all = concat(parts);
      loadBase(shard, all, SNAPSHOT_CODEC, rep);
      shard.persist.aofBaseSize = all.length;
      shard.persist.lastSaveTime = Math.floor(base.at / 1000);
    } else shard.persist.lastSaveTime = Math.floor(started / 1000);
    // A rewrite that never finished left rows of a base no manifest names.
    this.sql.exec('DELETE FROM base WHERE gen <> ?', base?.gen ?? -1);
    const first = this.manifest.segments[0]!.seg;
    const rows = this.sql.exec('SELECT seg, data FROM log WHERE seg >= ? ORDER BY seq', first);
    replayLog(shard, (function* () {
      for (const row of rows) yield { seg: row.seg as number, data: new Uint8Array(row.data as ArrayBuffer) };
    })(), rep);
    // Records written from now on must not follow bytes no reader gets past: a fresh segment.
    if (rep.tailBroken) this.setManifest(openSegment(this.manifest));
    const p = shard.persist;
    p.aofCurrentSize = (base?.bytes ?? 0) + rep.logBytes;
    p.loadTimeMs = Date.now() - started;
    p.loadedKeys = rep.keys;
    p.loadTruncatedBytes = rep.truncatedBytes;
    p.loadSkippedKeys = rep.skippedKeys;
    p.loadSkippedRecords = rep.skippedRecords;
    p.loadLastError = rep.lastError;
    if (rep.lastError) {
      for (const e of rep.errors) console.error(`shard ${info.index}: load: ${e}`);
      console.error(`shard ${info.index}: loaded ${rep.keys} keys; skipped ${rep.skippedKeys} keys and ${rep.skippedRecords} log records, dropped ${rep.truncatedBytes} log bytes${rep.baseIncomplete ? '; the base image stopped early' : ''}; last error: ${rep.lastError}`);
    }
    p.changesSinceSave = 0;
    this.shard = shard;
    // Keys that expired while the object was down are removed by the first alarm.
    if (shard.db.expires.size) this.setAlarm(Date.now());
    return shard;
  }

  private schedule(shard: Shard): void {
    const t = shard.db.earliestNewDeadline;
    if (t < this.alarmAt) this.setAlarm(Math.max(t, Date.now() + MIN_ALARM_GAP_MS));
  }

  private setAlarm(at: number): void {
    if (at >= this.alarmAt) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
