// The snapshot (AOF base) seam: how a keyspace is written as a stream of bytes in slices, and
// read back. The Durable Object drives it; the format itself is Redis's RDB (see rdb-snapshot.ts).
import type { Value } from '../engine/keyspace.js';

export interface SnapshotWriter {
  /** File header (magic, version, aux fields, db selector). */
  begin(keysHint: number, expiresHint: number): string;
  /** The entries that follow belong to database `db` (SELECTDB, with RESIZEDB hints when given). */
  select(db: number, hints?: { keys: number; expires: number }): string;
  /** One key: its value and absolute expiry in ms (-1: none), as bytes. */
  entry(key: string, value: Value, expireAt: number): string;
  /** Trailer (EOF opcode and checksum over everything written). */
  end(): string;
}

export interface SnapshotCodec {
  writer(nowMs: number): SnapshotWriter;
  /**
   * Parse a whole snapshot, calling `put` per key; throws on a corrupt or unsupported file.
   * `shard` supplies the encoding thresholds values are rebuilt with (Redis's config on load).
   * With `onCorrupt`, a value that cannot be built is skipped and reported there (key null: a
   * file-level fault such as a checksum mismatch) instead; only corrupt framing still throws.
   */
  load(
    bytes: Uint8Array,
    put: (key: string, value: Value, expireAt: number, db: number) => void,
    shard?: { config: { int(name: string): number }; rng: { next(): number } },
    onCorrupt?: (key: string | null, message: string) => void,
  ): void;
}
