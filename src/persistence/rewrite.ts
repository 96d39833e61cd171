// An AOF rewrite (BGREWRITEAOF / BGSAVE / SAVE): writes a new base snapshot of the keyspace in
// bounded slices while commands keep running, then switches the manifest atomically.
// Consistency without fork(): the set of keys is fixed when the rewrite starts (writes from then
// on go to a fresh segment); a key about to be written before its turn is saved first with its
// current value (copy-on-write per key), so the base is exactly the keyspace at the start.
import type { Timers } from '../engine/blocking.js';
import type { Clock } from '../engine/clock.js';
import type { Keyspace } from '../engine/keyspace.js';
import type { PersistState } from './state.js';
import { MAX_ROW, installBase, openSegment, type Manifest } from './aof.js';
import type { SnapshotCodec, SnapshotWriter } from './snapshot.js';

/** What a rewrite needs from the storage host (the shard Durable Object). */
export interface RewriteStore {
  currentManifest(): Manifest;
  setManifest(m: Manifest): void;
  flushLog(): void;
  writeBaseRow(gen: number, idx: number, data: string): void;
  /** Delete log segments before `firstKeptSeg` and base rows of other generations. */
  retire(gen: number, firstKeptSeg: number): void;
  rewriteDone(): void;
}

/** What a rewrite reads and hooks on the shard it snapshots (shard/shard.ts's Shard is one). */
export interface RewriteSource {
  /** The databases that exist, as [index, keyspace] (db 0 always among them). */
  keyspaces(): Iterable<[number, Keyspace]>;
  keyspace(n: number): Keyspace;
  readonly persist: PersistState;
  readonly clock: Clock;
  /**
   * Called before a write command runs with the keys it will write in db `db` (the copy-on-write
   * hook); `all`: the command may change any key (FLUSHALL, SWAPDB…).
   */
  beforeWrite: ((keys: string[], all: boolean, db: number) => void) | null;
}

/** One database's part of a rewrite: its keys at the start, those not saved yet. */
interface DbPart {
  n: number;
  keys: string[];
  pending: Set<string>;
  /** Its SELECTDB carried the RESIZEDB hints already. */
  hinted: boolean;
}

/** Keys per slice and time budget per slice: commands wait at most about this long. */
const SLICE_KEYS = 2000;
const SLICE_MS = 8;

export class Rewrite {
  /** Databases with keys (db 0 always: the header selects it), in index order. */
  private readonly parts: DbPart[] = [];
  private readonly byDb = new Map<number, DbPart>();
  /** The part being walked, and the next key of it. */
  private d = 0;
  private i = 0;
  /** The db the entries written last belong to (a copy-on-write of another db selects it). */
  private emitDb = 0;
  private readonly total: number;
  private readonly gen: number;
  private readonly firstKept: number;
  private readonly writer: SnapshotWriter;
  private out: string[] = [];
  private outLen = 0;
  private row = 0;
  private bytes = 0;
  private written = 0;
  private readonly changesAtStart: number;
  private finished = false;

  constructor(
    private readonly shard: RewriteSource,
    private readonly store: RewriteStore,
    manifest: Manifest,
    codec: SnapshotCodec,
    private readonly startedAt: number,
  ) {
    let expires0 = 0;
    let total = 0;
    for (const [n, db] of shard.keyspaces()) {
      if (n !== 0 && db.data.size === 0) continue;
      const keys = [...db.data.keys()];
      const part = { n, keys, pending: new Set(keys), hinted: n === 0 };
      this.parts.push(part);
      this.byDb.set(n, part);
      total += keys.length;
      if (n === 0) expires0 = db.expires.size;
    }
    this.parts.sort((a, b) => a.n - b.n);
    this.total = total;
    this.gen = (manifest.base?.gen ?? 0) + 1;
    const opened = openSegment(manifest);
    this.firstKept = opened.segments[opened.segments.length - 1]!.seg;
    store.setManifest(opened);
    this.writer = codec.writer(startedAt);
    this.emit(this.writer.begin(this.byDb.get(0)?.keys.length ?? 0, expires0));
    this.changesAtStart = shard.persist.changesSinceSave;
    const p = shard.persist;
    p.rewriteInProgress = true;
    p.rewriteStartedAt = startedAt;
    p.keysTotal = total;
    p.keysProcessed = 0;
    shard.beforeWrite = (keys, all, db) => this.copyOnWrite(keys, all, db);
  }

  /** SAVE: the whole snapshot now (the shard serves nothing meanwhile, as Redis's SAVE). */
  runToEnd(): void {
    while (!this.finished) this.slice(Infinity);
  }

  runInSlices(timers: Timers): void {
    const step = () => {
      if (this.finished) return;
      this.slice(SLICE_KEYS);
      if (!this.finished) timers.set(step, 0);
    };
    timers.set(step, 0);
  }

  private slice(maxKeys: number): void {
    const t0 = this.shard.clock.now();
    let n = 0;
    while (this.next() && n < maxKeys) {
      const part = this.parts[this.d]!;
      this.save(part, part.keys[this.i++]!);
      n++;
      if ((n & 255) === 0 && this.shard.clock.now() - t0 > SLICE_MS && maxKeys !== Infinity) break;
    }
    let left = 0;
    for (const part of this.parts) left += part.pending.size;
    this.shard.persist.keysProcessed = this.total - left;
    if (!this.next()) this.finish();
  }

  /** Step to the next key to walk; false when every part is done. */
  private next(): boolean {
    while (this.d < this.parts.length && this.i >= this.parts[this.d]!.keys.length) {
      this.d++;
      this.i = 0;
    }
    return this.d < this.parts.length;
  }

  private save(part: DbPart, key: string): void {
    if (!part.pending.delete(key)) return;
    const db = this.shard.keyspace(part.n);
    const v = db.data.get(key);
    if (v === undefined) return; // deleted before its turn: its deletion is in the new segment
    if (part.n !== this.emitDb) {
      // Entries follow the SELECTDB of their db; a copy-on-write of another db's key selects it
      // for that key (a loader switches at every SELECTDB).
      // RESIZEDB hints go with the first selection of a db.
      this.emit(this.writer.select(part.n, part.hinted ? undefined : { keys: part.keys.length, expires: db.expires.size }));
      part.hinted = true;
      this.emitDb = part.n;
    }
    this.emit(this.writer.entry(key, v, db.getExpire(key)));
    this.written++;
  }

  private copyOnWrite(keys: string[], all: boolean, db: number): void {
    if (all) {
      while (this.next()) {
        const part = this.parts[this.d]!;
        this.save(part, part.keys[this.i++]!);
      }
      return;
    }
    const part = this.byDb.get(db);
    if (part) for (const k of keys) if (part.pending.has(k)) this.save(part, k);
  }

  private emit(s: string): void {
    this.out.push(s);
    this.outLen += s.length;
    this.bytes += s.length;
    if (this.outLen >= MAX_ROW) this.storeRows(false);
  }

  private storeRows(all: boolean): void {
    let data = this.out.join('');
    this.out = [];
    this.outLen = 0;
    while (data.length >= MAX_ROW || (all && data.length > 0)) {
      this.store.writeBaseRow(this.gen, this.row++, data.slice(0, MAX_ROW));
      data = data.slice(MAX_ROW);
    }
    if (data.length) {
      this.out.push(data);
      this.outLen = data.length;
    }
  }

  private finish(): void {
    this.finished = true;
    this.emit(this.writer.end());
    this.storeRows(true);
    this.shard.beforeWrite = null;
    // Records acknowledged during the rewrite are in the new segment: store them, then switch.
    this.store.flushLog();
    const now = this.shard.clock.now();
    const { manifest } = installBase(this.store.currentManifest(), { gen: this.gen, bytes: this.bytes, keys: this.written, at: this.startedAt }, this.firstKept);
    this.store.setManifest(manifest);
    this.store.retire(this.gen, this.firstKept);
    const p = this.shard.persist;
    p.rewriteInProgress = false;
    p.rewrites++;
    p.saves++;
    p.lastRewriteOk = true;
    p.lastRewriteTimeSec = Math.round((now - this.startedAt) / 1000);
    p.lastSaveTime = Math.floor(this.startedAt / 1000);
    p.changesSinceSave -= this.changesAtStart;
    p.aofBaseSize = this.bytes;
    p.aofCurrentSize = this.bytes;
    for (const s of manifest.segments) p.aofCurrentSize += s.bytes;
    p.keysProcessed = 0;
    p.keysTotal = 0;
    this.store.rewriteDone();
  }
}
