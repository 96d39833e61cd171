// The append-only log's policy, pure: records are encoded as the RESP commands Redis itself
// would write, buffered per appendfsync, cut into rows that fit DO storage, and addressed by a
// replication-style offset. Redis 7's multi-part AOF: a manifest names one base and the
// increment segments after it; a rewrite starts a new segment and later installs a new base.
import { encodeCommand } from '../protocol/resp-encode.js';

export type Fsync = 'always' | 'everysec' | 'no';

/** Rows stay well under the platform's 2 MB per value; a record may span rows. */
export const MAX_ROW = 1024 * 1024;
/** appendfsync no: flush when this much is buffered (or when the shard idles). */
export const NO_FSYNC_FLUSH_BYTES = 4 * 1024 * 1024;
export const EVERYSEC_MS = 1000;
export const IDLE_FLUSH_MS = 5000;

export interface Segment {
  seg: number;
  bytes: number;
}

/** What DO storage keeps under meta 'manifest'. */
export interface Manifest {
  /** The base image (an RDB snapshot), or null when the log starts from empty. */
  base: { gen: number; bytes: number; keys: number; at: number } | null;
  /** Increment segments after the base, oldest first; the last one is being appended to. */
  segments: Segment[];
}

export function emptyManifest(): Manifest {
  return { base: null, segments: [{ seg: 1, bytes: 0 }] };
}

/** A rewrite begins: writes go to a fresh segment from now on; returns the new manifest. */
export function openSegment(m: Manifest): Manifest {
  const last = m.segments[m.segments.length - 1]!;
  return { base: m.base, segments: [...m.segments, { seg: last.seg + 1, bytes: 0 }] };
}

/** A rewrite finished: the new base covers every segment before `firstKept`. */
export function installBase(m: Manifest, base: NonNullable<Manifest['base']>, firstKept: number): { manifest: Manifest; retired: number[] } {
  const retired = m.segments.filter((s) => s.seg < firstKept).map((s) => s.seg);
  return { manifest: { base, segments: m.segments.filter((s) => s.seg >= firstKept) }, retired };
}

export function logBytes(m: Manifest): number {
  let n = 0;
  for (const s of m.segments) n += s.bytes;
  return n;
}

/**
 * Redis's auto-aof-rewrite rule: rewrite when the log grew by `percentage` % over its size after
 * the last rewrite (base size), and is at least `minSize` bytes.
 */
export function shouldAutoRewrite(m: Manifest, percentage: number, minSize: number): boolean {
  if (percentage <= 0) return false;
  const cur = (m.base?.bytes ?? 0) + logBytes(m);
  if (cur < minSize) return false;
  const base = m.base?.bytes ?? 0;
  if (base === 0) return true;
  return ((cur - base) * 100) / base >= percentage;
}

/** Buffers encoded records until the fsync policy says they must be stored. */
export class AofBuffer {
  private parts: string[] = [];
  private size = 0;
  /** Total bytes ever appended: the replication offset. */
  offset = 0;

  get pending(): number {
    return this.size;
  }

  append(effects: readonly string[][]): void {
    for (const e of effects) {
      const rec = encodeCommand(e);
      this.parts.push(rec);
      this.size += rec.length;
      this.offset += rec.length;
    }
  }

  /** Whether the buffer must be stored now under `fsync` (always: every batch). */
  mustFlush(fsync: Fsync): boolean {
    if (this.size === 0) return false;
    if (fsync === 'always') return true;
    if (fsync === 'no') return this.size >= NO_FSYNC_FLUSH_BYTES;
    return false;
  }

  /** Take everything buffered, cut into rows of at most MAX_ROW bytes. */
  take(): string[] {
    if (this.size === 0) return [];
    const all = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (all.length <= MAX_ROW) return [all];
    const rows: string[] = [];
    for (let i = 0; i < all.length; i += MAX_ROW) rows.push(all.slice(i, i + MAX_ROW));
    return rows;
  }
}
