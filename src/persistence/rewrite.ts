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
  readonly db: Keyspace;
  readonly persist: PersistState;
  readonly clock: Clock;
  /** Called before a write command runs with the keys it will write (the copy-on-write hook). */
  beforeWrite: ((keys: string[], all: boolean) => void) | null;
}

/** Keys per slice and time budget per slice: commands wait at most about this long. */
const SLICE_KEYS = 2000;
const SLICE_MS = 8;

export class Rewrite {
  private readonly keys: string[];
  private readonly pending: Set<string>;
  private i = 0;
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
    const db = shard.db;
    this.keys = [...db.data.keys()];
    this.pending = new Set(this.keys);
    this.gen = (manifest.base?.gen ?? 0) + 1;
    const opened = openSegment(manifest);
    this.firstKept = opened.segments[opened.segments.length - 1]!.seg;
    store.setManifest(opened);
    this.writer = codec.writer(startedAt);
    this.emit(this.writer.begin(this.keys.length, db.expires.size));
    this.changesAtStart = shard.persist.changesSinceSave;
    const p = shard.persist;
    p.rewriteInProgress = true;
    p.rewriteStartedAt = startedAt;
    p.keysTotal = this.keys.length;
    p.keysProcessed = 0;
    shard.beforeWrite = (keys, all) => this.copyOnWrite(keys, all);
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
    while (this.i < this.keys.length && n < maxKeys) {
      this.save(this.keys[this.i++]!);
      n++;
      if ((n & 255) === 0 && this.shard.clock.now() - t0 > SLICE_MS && maxKeys !== Infinity) break;
    }
    this.shard.persist.keysProcessed = this.keys.length - this.pending.size;
    if (this.i >= this.keys.length) this.finish();
  }

  private save(key: string): void {
    if (!this.pending.delete(key)) return;
    const db = this.shard.db;
    const v = db.data.get(key);
    if (v === undefined) return; // deleted before its turn: its deletion is in the new segment
    this.emit(this.writer.entry(key, v, db.getExpire(key)));
    this.written++;
  }

  private copyOnWrite(keys: string[], all: boolean): void {
    if (all) {
      while (this.i < this.keys.length) this.save(this.keys[this.i++]!);
      return;
    }
    for (const k of keys) if (this.pending.has(k)) this.save(k);
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
