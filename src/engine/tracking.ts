// CLIENT TRACKING, shard side (Redis's tracking.c): which tracking clients read which keys, the
// keys written while BCAST clients exist, and the invalidation messages both produce.
//
// Design. Each shard keeps a tracking table key → ids of the clients that read it. Only keys
// read by tracking clients are in it, so a service nobody tracks pays one empty-Map check per
// write. Shard.run remembers the keys of readonly commands sent by a tracking client whose reads
// count (the session passes its TrackOpts with the batch, ExecOpts.track; OPTIN / OPTOUT and
// BCAST decide `reads` there); a write that changed data (c.dirty > 0), an expired key and an
// evicted key invalidate: one message per reader, and the key leaves the table until read again
// (as Redis). NOLOOP: a tracking writer with NOLOOP is not told of its own writes. Messages travel
// as notes with the keyspace notifications (Notifier.notes, which the DO / LocalBackend publish
// to the pub/sub hub) on the reader's internal channel `__keyflare_tracking__:<id>`, payload
// 'k' + key; the reader's session (server/tracking.ts) pushes `>2 invalidate [key]` or sends it
// on to its REDIRECT target. FLUSHALL / FLUSHDB clear the table; the session that ran the flush
// publishes one message on `__keyflare_tracking__:flush`, which every tracking session turns
// into `invalidate <null>`.
//
// BCAST. A shard learns that BCAST clients exist from their batches (TrackOpts.bcast; a session
// that turns BCAST on sends one batch to every shard). From then on every modified key is kept
// with its last writer's id until the batch's notes are taken, and goes out as one note on
// `__keyflare_tracking__:bcast` (JSON [[key, writer id], ...]); each BCAST session keeps the keys
// under its prefixes, one message per prefix (Redis's trackingBroadcastInvalidationMessages, which
// runs once per event loop; a batch is the nearest unit here). The flag is kept until the shard
// restarts: BCAST is rare, and a stale flag costs one note per batch that writes.
import type { Note } from './notify.js';

export const TRACKING_PREFIX = '__keyflare_tracking__:';
export const TRACKING_FLUSH = '__keyflare_tracking__:flush';
export const TRACKING_BCAST = '__keyflare_tracking__:bcast';

/** The tracking client behind a batch (absent: the client does not track). */
export interface TrackOpts {
  /** The client's id. */
  client: number;
  noloop: boolean;
  /** Its reads are remembered (default mode, OPTIN after CACHING yes, OPTOUT unless CACHING no). */
  reads: boolean;
  /** It tracks in BCAST mode: the shard reports every modified key from now on. */
  bcast?: boolean;
}

export class TrackingTable {
  private readonly keys = new Map<string, Set<number>>();
  /** BCAST clients exist: modified keys are collected (key → id of its last writer, 0: none). */
  bcast = false;
  private readonly pending = new Map<string, number>();

  get size(): number {
    return this.keys.size;
  }

  /** Key → reader entries in all (INFO tracking_total_items). */
  get items(): number {
    let n = 0;
    for (const s of this.keys.values()) n += s.size;
    return n;
  }

  /** Something to do on a write: readers to tell or BCAST clients. */
  get active(): boolean {
    return this.bcast || this.keys.size > 0;
  }

  remember(key: string, t: TrackOpts): void {
    let m = this.keys.get(key);
    if (!m) this.keys.set(key, (m = new Set()));
    m.add(t.client);
  }

  /** The key was modified by `writer` (null: expiry / eviction with no client). */
  invalidate(key: string, writer: TrackOpts | null, out: Note[]): void {
    if (this.bcast) this.pending.set(key, writer?.client ?? 0);
    const m = this.keys.get(key);
    if (!m) return;
    this.keys.delete(key);
    for (const reader of m) {
      if (writer && writer.noloop && writer.client === reader) continue;
      out.push([TRACKING_PREFIX + reader, 'k' + key]);
    }
  }

  /**
   * tracking-table-max-keys: while the table holds more keys than `max` (a shard's share, maybe
   * fractional), keys leave it (their readers invalidated), as Redis's trackingLimitUsedSlots does. Redis evicts random keys; the
   * oldest-remembered go here (the pure core has no randomness of its own, and any is allowed).
   */
  limit(max: number, out: Note[]): void {
    if (max <= 0 || this.keys.size <= max) return;
    for (const key of this.keys.keys()) {
      if (this.keys.size <= max) break;
      const m = this.keys.get(key)!;
      this.keys.delete(key);
      for (const reader of m) out.push([TRACKING_PREFIX + reader, 'k' + key]);
    }
  }

  /** The keys modified since the last call, as one BCAST note (nothing when none). */
  flushBcast(out: Note[]): void {
    if (this.pending.size === 0) return;
    out.push([TRACKING_BCAST, JSON.stringify([...this.pending])]);
    this.pending.clear();
  }

  clear(): void {
    this.keys.clear();
  }
}
