// The shard Durable Object: a thin host around the pure shard host (persistence/host.ts) — it
// adapts DO storage to the storage port (the log as offset-addressed rows, the AOF base and the
// manifest in SQLite; storage.sync() for commits, the output gate holding replies), the alarm to
// active expiry, and the 32 MiB RPC limit to staged batches and sliced replies.
import { DurableObject } from 'cloudflare:workers';
import { HUB_NAME, type HubObject } from './hub.js';
import type { ShardInfo } from '../commands/types.js';
import type { Timers } from '../engine/blocking.js';
import { systemClock } from '../engine/clock.js';
import type { Shard } from '../shard/shard.js';
import type { Manifest } from '../persistence/aof.js';
import { ShardHost, type HostEnv } from '../shard/host.js';
import type { LogRow, StoragePort } from '../persistence/port.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import type { ExecOpts } from '../server/session.js';
import { SNAPSHOT_CODEC } from './codec.js';
import { rdbEntry, rdbSelect } from '../persistence/rdb-snapshot.js';
import { FramesEncoder, SLICE_BYTES, SliceDecoder, framesBytes, type Slice } from '../protocol/slices.js';
import { SlotMap } from '../cluster/slot.js';
import { PrimarySide, ReplicaSide, META_REPLICA } from '../shard/repl-host.js';
import { PrimaryLinks } from '../shard/repl-link.js';
import type { ToPrimary, ToReplica } from '../shard/repl.js';

/** Meta key: this primary's replica group ({ n, base }: n replica DOs named `${base}-r${k}`). */
const META_GROUP = 'group';
/** Meta key: a replica's id in its group (its k). */
const META_REPLICA_ID = 'replica-id';

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

export class ShardObject extends DurableObject {
  private host: ShardHost | null = null;
  private readonly sql: SqlStorage;
  private readonly port: SqlPort;
  /** Exports in progress (GET /export), by token. */
  private readonly exports = new Map<string, ExportJob>();
  private exportSeq = 0;
  /** Batches being staged (by the Worker's id) and replies being pulled (by ours). */
  private readonly transfers = new Map<string, Transfer>();
  private transferSeq = 0;
  /** Our reply ids never repeat across restarts, so a stale pull can never read another's reply. */
  private readonly transferPrefix = crypto.randomUUID();
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  /** Replication (shard/repl-host.ts): this object's side of its group, once it has one. */
  private primary: PrimarySide | null = null;
  private links: PrimaryLinks | null = null;
  private replica: ReplicaSide | null = null;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.port = new SqlPort(ctx.storage);
  }

  /** The loaded shard, if any (tests look inside it). */
  get shard(): Shard | null {
    return this.host?.shard ?? null;
  }

  /**
   * Run a batch of commands; the RPC the Worker calls. Under appendfsync always a reply waits for
   * the group commit that stores its effects (see groupCommit); a blocking command keeps the call
   * pending until it is served or times out. RPC payloads are limited (32 MiB): a larger batch
   * arrives staged (see stage), larger replies leave in slices (see pull), so a batch that ran
   * always gets its replies back.
   */
  exec(info: ShardInfo, batch: string[][] | StagedBatch, resp: Proto, opts: ExecOpts = {}): ExecResult | Promise<ExecResult> {
    const host = this.load(info);
    const client = opts.client ?? 0;
    if (this.transfers.size) this.sweep();
    if (!Array.isArray(batch)) {
      const staged = this.unstage(batch);
      if (!Array.isArray(staged)) return staged;
      batch = staged;
    }
    let r: Frame[] | Promise<Frame[]>;
    try {
      r = host.exec(batch, resp, opts);
    } catch (e) {
      this.dropIfFailed(host);
      throw e;
    }
    if (!Array.isArray(r)) r = r.catch((e: unknown) => {
      this.dropIfFailed(host);
      throw e;
    });
    return this.outgoing(r, client);
  }

  /**
   * Storage failed under this host: nothing it holds in memory past what is stored may be
   * served; the next call loads the shard from storage again.
   */
  private dropIfFailed(host: ShardHost): void {
    if (!host.failed || this.host !== host) return;
    console.error(`shard storage failed; reloading from storage`, host.failed);
    host.close();
    this.host = null;
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
    return this.load(info).shard.config.int('proto-max-bulk-len');
  }

  /** A client disconnected: its blocked commands end (their replies go nowhere). */
  unblockClient(client: number, kind: 'timeout' | 'error' = 'timeout'): number {
    return this.host ? this.host.unblockClient(client, kind) : 0;
  }

  override async alarm(): Promise<void> {
    const host = this.load(null);
    if (host) await host.alarm();
  }

  /**
   * One page of an export (GET /export): RDB entries for up to `limit` keys of a key list frozen
   * at the first page; each key's value is read when its page is made. `token` continues an
   * export; a null token in the reply means this shard is done.
   */
  exportPage(info: ShardInfo, token: string | null, limit: number): { token: string | null; data: Uint8Array; keys: number } {
    const shard = this.load(info).shard;
    let job = token ? this.exports.get(token) : undefined;
    if (!job) {
      // Every db's keys, db by db; `dbs[j]` is where db `dbOf[j]`'s keys start.
      const keys: string[] = [];
      const starts: Array<[number, number]> = [];
      for (const [n, ks] of shard.keyspaces()) {
        if (ks.data.size === 0) continue;
        starts.push([keys.length, n]);
        for (const k of ks.data.keys()) keys.push(k);
      }
      job = { keys, starts, i: 0, carry: null, db: 0 };
      token = `${Date.now()}-${++this.exportSeq}`;
      this.exports.set(token, job);
    }
    const now = Date.now();
    // What a large entry left over from the previous page comes first.
    const parts: string[] = job.carry === null ? [] : [job.carry];
    let bytes = job.carry?.length ?? 0;
    job.carry = null;
    let n = 0;
    while (job.i < job.keys.length && n < limit && bytes < MAX_EXPORT_PAGE) {
      // The file's entries follow the SELECTDB of their db (the export starts in db 0).
      let dbn = 0;
      for (const [at, d] of job.starts) if (at <= job.i) dbn = d;
      if (dbn !== job.db) {
        parts.push(rdbSelect(dbn));
        job.db = dbn;
      }
      const db = shard.keyspace(dbn);
      db.now = now;
      const key = job.keys[job.i++]!;
      if (db.isExpired(key)) continue;
      const v = db.data.get(key);
      if (v === undefined) continue;
      const e = rdbEntry(key, v, db.getExpire(key));
      parts.push(e);
      bytes += e.length;
      n++;
    }
    // The next shard's part of the file starts in db 0 again.
    if (job.i >= job.keys.length && job.db !== 0) {
      parts.push(rdbSelect(0));
      job.db = 0;
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


  /**
   * Storage facts for tests: the log rows recovery replays (the manifest's segments), all log
   * rows kept (the backlog as well), base rows, the manifest.
   */
  storageFacts(): { logRows: number; streamRows: number; baseRows: number; manifest: Manifest } {
    const m = this.host!.currentManifest();
    const n = (c: SqlStorageCursor<Record<string, SqlStorageValue>>) => c.one().n as number;
    return {
      logRows: n(this.sql.exec('SELECT COUNT(*) AS n FROM stream WHERE seg >= ?', m.segments[0]!.seg)),
      streamRows: n(this.sql.exec('SELECT COUNT(*) AS n FROM stream')),
      baseRows: n(this.sql.exec('SELECT COUNT(*) AS n FROM base')),
      manifest: m,
    };
  }

  // The host's storage hooks, for tests that plant a base image (test/workers/load-tolerant.test.ts).
  currentManifest(): Manifest {
    return this.host!.currentManifest();
  }
  setManifest(m: Manifest): void {
    this.host!.setManifest(m);
  }
  writeBaseRow(gen: number, idx: number, data: string): void {
    this.host!.writeBaseRow(gen, idx, data);
  }

  /**
   * A transaction request to another shard of this deployment (a staged participant asks its
   * primary TX_STATUS): that shard's Durable Object, named as the Worker names it.
   */
  private async peer(ns: DurableObjectNamespace<ShardObject>, j: number, argv: string[]): Promise<Frame[]> {
    const count = this.host!.shard.info.count;
    const info: ShardInfo = { index: j, count, slots: new SlotMap(count).ranges[j]! };
    const r = await ns.get(ns.idFromName(`shard-${j}`)).exec(info, [argv], 2);
    if (!Array.isArray(r)) throw new Error(`shard ${j}: unexpected reply to a transaction request`);
    return r as Frame[];
  }

  private load(info: ShardInfo): ShardHost;
  private load(info: null): ShardHost | null;
  private load(info: ShardInfo | null): ShardHost | null {
    if (this.host) return this.host;
    const hub = (this.env as { HUB?: DurableObjectNamespace<HubObject> }).HUB;
    const shards = (this.env as { SHARD?: DurableObjectNamespace<ShardObject> }).SHARD;
    const env: HostEnv = {
      port: this.port,
      clock: systemClock,
      timers: TIMERS,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      codec: SNAPSHOT_CODEC,
      publish: hub ? (notes) => hub.get(hub.idFromName(HUB_NAME)).publishMany(notes) : undefined,
      setAlarm: (at) => void this.ctx.storage.setAlarm(at),
      warn: (m) => console.error(m),
      peer: shards ? (j, argv) => this.peer(shards, j, argv) : undefined,
      committed: () => this.links?.committed(),
    };
    this.host = ShardHost.open(info, env);
    if (!this.host) return null;
    this.hostEnv = env;
    if (this.replicaHint !== null || this.port.readMeta(META_REPLICA) !== null) this.asReplica(this.host);
    else if (shards) this.startGroup(shards, this.host);
    return this.host;
  }

  private hostEnv: HostEnv | null = null;
  /** Set while a primary's call loads this object: it is a replica (never a primary of its own group). */
  private replicaHint: string | null = null;

  /**
   * The primary's group: KEYFLARE_REPLICAS replica DOs (default none when the variable is unset;
   * wrangler.toml sets 1), or what replicate() stored; each named from the shard's name.
   */
  private startGroup(ns: DurableObjectNamespace<ShardObject>, host: ShardHost): void {
    const raw = this.port.readMeta(META_GROUP);
    const envN = Number((this.env as { KEYFLARE_REPLICAS?: string }).KEYFLARE_REPLICAS ?? 0);
    const g = raw ? (JSON.parse(raw) as { n: number; base: string }) : { n: Number.isFinite(envN) ? envN : 0, base: `shard-${host.shard.info.index}` };
    this.links?.close();
    this.links = null;
    this.primary = null;
    if (g.n <= 0) return;
    const hints = String((this.env as { KEYFLARE_REPLICA_HINTS?: string }).KEYFLARE_REPLICA_HINTS ?? '').split(',').filter(Boolean);
    const info = host.shard.info;
    const side = (this.primary = new PrimarySide(() => this.host!, SNAPSHOT_CODEC, () => Date.now()));
    side.guard();
    const stubs = new Map<number, DurableObjectStub<ShardObject>>();
    const stub = (k: number) => {
      let st = stubs.get(k);
      if (!st) {
        const hint = hints[k - 1] as DurableObjectLocationHint | undefined;
        st = ns.get(ns.idFromName(`${g.base}-r${k}`), hint ? { locationHint: hint } : undefined);
        stubs.set(k, st);
      }
      return st;
    };
    this.links = new PrimaryLinks(side, g.n, async (k, m) => {
      try {
        return (await stub(k).replReceive(info, k, m)) as ToPrimary[];
      } catch (e) {
        stubs.delete(k); // a stub is unusable after its object failed
        throw e;
      }
    }, TIMERS, () => Date.now(), (m) => console.error(m));
    this.links.start();
  }

  /** Set this primary's replica group (tests and admin): `n` replica DOs named `${base}-r${k}`. */
  replicate(info: ShardInfo, n: number, base: string): void {
    this.port.writeMeta(META_GROUP, JSON.stringify({ n, base }));
    const host = this.load(info);
    const ns = (this.env as { SHARD?: DurableObjectNamespace<ShardObject> }).SHARD;
    if (ns && !this.replica) this.startGroup(ns, host);
  }

  private asReplica(host: ShardHost): ReplicaSide {
    if (this.replica) return this.replica;
    this.links?.close();
    this.links = null;
    this.primary = null;
    const env = this.hostEnv!;
    const id = this.replicaHint ?? this.port.readMeta(META_REPLICA_ID) ?? '?';
    this.port.writeMeta(META_REPLICA_ID, id);
    this.replica = new ReplicaSide(id, host, this.port, (old) => {
      old.close();
      this.host = ShardHost.open(old.shard.info, env)!;
      return this.host;
    }, () => Date.now());
    return this.replica;
  }

  /** From this replica's primary (DO→DO): a message (null: hello, answered with our PSYNC). */
  replReceive(info: ShardInfo, k: number, m: ToReplica | null): ToPrimary[] {
    this.replicaHint = String(k);
    const side = this.asReplica(this.load(info));
    const now = Date.now();
    if (m === null) return [side.core.psync(now)];
    return side.core.receive(m, now);
  }

  /** Replication facts for tests: role, offset, link state. */
  replFacts(): { role: 'primary' | 'replica' | 'none'; offset: number; replid: string; link?: string; replicas?: Array<{ id: string; state: string; ack: number }>; fulls?: number; partials?: number } {
    const h = this.host;
    if (!h) return { role: 'none', offset: 0, replid: '' };
    if (this.replica) return { role: 'replica', offset: h.log.offset, replid: h.log.replid, link: this.replica.core.state, fulls: this.replica.core.fulls, partials: this.replica.core.partials };
    if (this.primary) return { role: 'primary', offset: h.log.offset, replid: h.log.replid, replicas: [...this.primary.core.replicas.values()].map((r) => ({ id: r.id, state: r.state, ack: r.ack })) };
    return { role: 'none', offset: h.log.offset, replid: h.log.replid };
  }
}

/**
 * DO storage as the log's storage port. The log is the `stream` table, one row per LogRow keyed
 * by its start offset. Shards from before offsets kept byte chunks in `log (seq, seg, data)`:
 * recovery converts those rows once (legacyRows / dropLegacy), in one synchronous event, so the
 * conversion commits as a whole.
 */
class SqlPort implements StoragePort {
  readonly gated = true;
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    const sql = (this.sql = storage.sql);
    sql.exec('CREATE TABLE IF NOT EXISTS stream (off INTEGER PRIMARY KEY, len INTEGER NOT NULL, seg INTEGER NOT NULL, head INTEGER NOT NULL, data BLOB NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS base (gen INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (gen, idx))');
    sql.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  }

  appendRows(rows: readonly LogRow[]): void {
    for (const r of rows) this.sql.exec('INSERT INTO stream (off, len, seg, head, data) VALUES (?, ?, ?, ?, ?)', r.off, r.data.length, r.seg, r.head ? 1 : 0, toBytes(r.data).buffer);
  }
  *readRows(from: number, to: number): Iterable<LogRow> {
    const end = Number.isFinite(to) ? to : Number.MAX_SAFE_INTEGER;
    for (const row of this.sql.exec('SELECT off, seg, head, data FROM stream WHERE off >= ? AND off < ? ORDER BY off', from, end)) {
      yield { off: row.off as number, seg: row.seg as number, head: row.head === 1, data: fromBytes(new Uint8Array(row.data as ArrayBuffer)) };
    }
  }
  headAtOrBelow(off: number): number | null {
    const r = this.sql.exec('SELECT off FROM stream WHERE off <= ? AND head = 1 ORDER BY off DESC LIMIT 1', off).toArray()[0];
    return r ? (r.off as number) : null;
  }
  bounds(): { first: number; last: number; end: number } | null {
    const last = this.sql.exec('SELECT off, len FROM stream ORDER BY off DESC LIMIT 1').toArray()[0];
    if (!last) return null;
    const first = this.sql.exec('SELECT off FROM stream ORDER BY off LIMIT 1').one();
    return { first: first.off as number, last: last.off as number, end: (last.off as number) + (last.len as number) };
  }
  deleteBelow(off: number): void {
    this.sql.exec('DELETE FROM stream WHERE off < ? AND off + len <= ?', off, off);
  }
  deleteFrom(off: number): void {
    this.sql.exec('DELETE FROM stream WHERE off >= ?', off);
  }
  readMeta(key: string): string | null {
    const r = this.sql.exec('SELECT v FROM meta WHERE k = ?', key).toArray()[0];
    return r ? (r.v as string) : null;
  }
  writeMeta(key: string, value: string): void {
    this.sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', key, value);
  }
  writeBaseRow(gen: number, idx: number, data: string): void {
    this.sql.exec('INSERT OR REPLACE INTO base (gen, idx, data) VALUES (?, ?, ?)', gen, idx, toBytes(data).buffer);
  }
  *readBase(gen: number): Iterable<string> {
    for (const row of this.sql.exec('SELECT data FROM base WHERE gen = ? ORDER BY idx', gen)) yield fromBytes(new Uint8Array(row.data as ArrayBuffer));
  }
  deleteBaseExcept(gen: number): void {
    this.sql.exec('DELETE FROM base WHERE gen <> ?', gen);
  }
  sync(): Promise<void> {
    return this.storage.sync();
  }
  private hasLegacy(): boolean {
    return this.sql.exec("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'log'").one().n !== 0;
  }
  *legacyRows(): Iterable<{ seg: number; data: string }> {
    if (!this.hasLegacy()) return;
    for (const row of this.sql.exec('SELECT seg, data FROM log ORDER BY seq')) yield { seg: row.seg as number, data: fromBytes(new Uint8Array(row.data as ArrayBuffer)) };
  }
  dropLegacy(): void {
    if (this.hasLegacy()) this.sql.exec('DROP TABLE log');
  }
}

/** A shard's part of GET /export in progress: keys frozen at the first page, db by db. */
interface ExportJob {
  keys: string[];
  /** [index in keys, db]: where each db's keys start. */
  starts: Array<[number, number]>;
  i: number;
  carry: string | null;
  /** The db the entries sent last belong to. */
  db: number;
}
