// The storage port: the few operations the shard's log, writer and recovery need from durable
// storage (DO SQLite in objects/shard.ts, memory here), so all the logic above it stays pure.

/**
 * One stored piece of the replication stream. `off` is the stream offset of its first byte;
 * `head` says it starts at a unit boundary (a record, or a whole MULTI … EXEC frame), so a reader
 * may start there. Rows that continue a unit too big for one row have `head` false.
 */
export interface LogRow {
  off: number;
  /** The AOF segment (manifest) the row belongs to: what recovery replays after the base. */
  seg: number;
  head: boolean;
  /** The bytes, as a one-byte string (protocol/bytes.ts). */
  data: string;
}

export interface StoragePort {
  /**
   * True when the platform holds outgoing replies until the writes issued before them are
   * durable (a Durable Object's output gate): a writer may then release a reply at once.
   */
  readonly gated: boolean;
  /** Append rows (ascending, after every stored row). */
  appendRows(rows: readonly LogRow[]): void;
  /** Rows whose start offset is in [from, to), ascending. May be read lazily. */
  readRows(from: number, to: number): Iterable<LogRow>;
  /** Start offset of the last head row starting at or before `off`; null when there is none. */
  headAtOrBelow(off: number): number | null;
  /** Start of the first stored row, start and end of the last; null when empty. */
  bounds(): { first: number; last: number; end: number } | null;
  /** Delete rows that end at or before `off`. */
  deleteBelow(off: number): void;
  /** Delete rows that start at or after `off` (a torn tail found by recovery). */
  deleteFrom(off: number): void;
  readMeta(key: string): string | null;
  writeMeta(key: string, value: string): void;
  writeBaseRow(gen: number, idx: number, data: string): void;
  /** The rows of base generation `gen`, in index order. */
  readBase(gen: number): Iterable<string>;
  /** Delete base rows of every generation but `gen`. */
  deleteBaseExcept(gen: number): void;
  /**
   * Resolves when everything written so far is durable; rejects when storage failed (the
   * writes since the last durable point may be lost, and the host must restart from storage).
   */
  sync(): Promise<void>;
  /**
   * Rows of the pre-offset log format (byte chunks of one RESP stream, a record may span rows),
   * oldest first; recovery converts them once and then calls dropLegacy. Absent: none.
   */
  legacyRows?(): Iterable<{ seg: number; data: string }>;
  dropLegacy?(): void;
}

/** Binary search: index of the last row with off <= x, or -1. */
function lastAtOrBelow(rows: readonly LogRow[], x: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.off <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * Storage in memory: the in-process backend's port (LocalBackend) and the base of the tests'
 * fake storage. Everything written is durable at once; nothing survives the process.
 */
export class MemoryPort implements StoragePort {
  /**
   * `gated`: rows in memory are as durable as they will ever be once written, so a reply need
   * not wait for a commit (the in-process backend); tests that hold commits back pass false.
   */
  constructor(readonly gated = false) {}

  rows: LogRow[] = [];
  readonly meta = new Map<string, string>();
  readonly base = new Map<number, string[]>();
  legacy: Array<{ seg: number; data: string }> = [];

  appendRows(rows: readonly LogRow[]): void {
    for (const r of rows) this.rows.push(r);
  }
  *readRows(from: number, to: number): Iterable<LogRow> {
    let i = lastAtOrBelow(this.rows, from);
    if (i < 0 || this.rows[i]!.off < from) i++;
    for (; i < this.rows.length && this.rows[i]!.off < to; i++) yield this.rows[i]!;
  }
  headAtOrBelow(off: number): number | null {
    for (let i = lastAtOrBelow(this.rows, off); i >= 0; i--) if (this.rows[i]!.head) return this.rows[i]!.off;
    return null;
  }
  bounds(): { first: number; last: number; end: number } | null {
    if (!this.rows.length) return null;
    const last = this.rows[this.rows.length - 1]!;
    return { first: this.rows[0]!.off, last: last.off, end: last.off + last.data.length };
  }
  deleteBelow(off: number): void {
    let n = 0;
    while (n < this.rows.length && this.rows[n]!.off + this.rows[n]!.data.length <= off) n++;
    if (n) this.rows = this.rows.slice(n);
  }
  deleteFrom(off: number): void {
    const i = lastAtOrBelow(this.rows, off - 1) + 1;
    this.rows.length = i;
  }
  readMeta(key: string): string | null {
    return this.meta.get(key) ?? null;
  }
  writeMeta(key: string, value: string): void {
    this.meta.set(key, value);
  }
  writeBaseRow(gen: number, idx: number, data: string): void {
    let g = this.base.get(gen);
    if (!g) this.base.set(gen, (g = []));
    g[idx] = data;
  }
  readBase(gen: number): Iterable<string> {
    return this.base.get(gen) ?? [];
  }
  deleteBaseExcept(gen: number): void {
    for (const g of [...this.base.keys()]) if (g !== gen) this.base.delete(g);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  legacyRows(): Iterable<{ seg: number; data: string }> {
    return this.legacy;
  }
  dropLegacy(): void {
    this.legacy = [];
  }
}
