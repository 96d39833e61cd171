// The AOF's manifest policy, pure — Redis 7's multi-part AOF: a manifest names one base (an RDB
// snapshot) and the increment segments after it; a rewrite starts a new segment and later
// installs a new base. Records themselves, their offsets and rows are the log's (log.ts), and
// when they are stored is the writer's (writer.ts).
export { MAX_ROW } from './log.js';
export { EVERYSEC_MS, IDLE_FLUSH_MS, NO_FSYNC_FLUSH_BYTES, type Fsync } from './writer.js';

export interface Segment {
  seg: number;
  bytes: number;
  /** Stream offset where the segment starts (absent in manifests written before offsets). */
  off?: number;
}

/** What storage keeps under meta 'manifest'. */
export interface Manifest {
  /**
   * The base image (an RDB snapshot), or null when the log starts from empty. `off`: the stream
   * offset it covers up to (absent in manifests written before offsets).
   */
  base: { gen: number; bytes: number; keys: number; at: number; off?: number } | null;
  /** Increment segments after the base, oldest first; the last one is being appended to. */
  segments: Segment[];
}

export function emptyManifest(): Manifest {
  return { base: null, segments: [{ seg: 1, bytes: 0, off: 0 }] };
}

/** A rewrite begins: writes go to a fresh segment from now on; returns the new manifest. */
export function openSegment(m: Manifest, off?: number): Manifest {
  const last = m.segments[m.segments.length - 1]!;
  const seg: Segment = off === undefined ? { seg: last.seg + 1, bytes: 0 } : { seg: last.seg + 1, bytes: 0, off };
  return { base: m.base, segments: [...m.segments, seg] };
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
