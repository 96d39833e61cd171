// CLIENT TRACKING, shard side (Redis's tracking.c, default mode): which tracking clients read
// which keys, and the invalidation messages a modification of those keys produces.
//
// Design. Each shard keeps a tracking table key → (reader client id → id of the client that
// receives its invalidations: itself, or its REDIRECT target). Only keys read by tracking
// clients are in it, so a service nobody tracks pays one empty-Map check per write. Shard.run
// remembers the keys of readonly commands sent by a tracking client (the session passes its
// TrackOpts with the batch, ExecOpts.track); a write that changed data (c.dirty > 0), an expired
// key and an evicted key invalidate: one message per receiving client, and the key leaves the
// table until read again (as Redis). NOLOOP: a tracking writer with NOLOOP is not told of its
// own writes. Messages travel as notes with the keyspace notifications (Notifier.notes, which
// the DO / LocalBackend publish to the pub/sub hub) on an internal per-client channel
// `__keyflare_tracking__:<id>`, payload 'k' + key; the session listening there (server/
// tracking.ts) turns them into `>2 invalidate [key]` pushes. FLUSHALL / FLUSHDB clear the table;
// the session that ran the flush publishes one message on `__keyflare_tracking__:flush`, which
// every tracking session turns into `invalidate <null>` (payload 'n' on a client channel).
import type { Note } from './notify.js';

export const TRACKING_PREFIX = '__keyflare_tracking__:';
export const TRACKING_FLUSH = '__keyflare_tracking__:flush';

/** The tracking client behind a batch (absent: the client does not track). */
export interface TrackOpts {
  /** The client's id. */
  client: number;
  /** Who receives its invalidations: its own id, or its REDIRECT target. */
  to: number;
  noloop: boolean;
}

export class TrackingTable {
  private readonly keys = new Map<string, Map<number, number>>();

  get size(): number {
    return this.keys.size;
  }

  remember(key: string, t: TrackOpts): void {
    let m = this.keys.get(key);
    if (!m) this.keys.set(key, (m = new Map()));
    m.set(t.client, t.to);
  }

  /** The key was modified by `writer` (null: expiry / eviction with no client). */
  invalidate(key: string, writer: TrackOpts | null, out: Note[]): void {
    const m = this.keys.get(key);
    if (!m) return;
    this.keys.delete(key);
    for (const [reader, to] of m) {
      if (writer && writer.noloop && writer.client === reader) continue;
      out.push([TRACKING_PREFIX + to, 'k' + key]);
    }
  }

  clear(): void {
    this.keys.clear();
  }
}
