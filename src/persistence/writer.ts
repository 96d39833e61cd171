// The log writer: buffers encoded units, stores them per appendfsync and shares commits among
// concurrent batches (group commit), behind the storage port with injected timers. Pure.
//
// appendfsync always: a reply waits until its unit is durable. An idle writer stores the buffer
// at once and syncs; batches arriving while that commit is in flight wait for it, then share one
// next commit — commits never queue up one per request (Redis shares one write + fsync among
// the clients of an event-loop turn). On a gated port (a DO's output gate holds replies until
// the writes issued before them are durable) a reply whose rows were written in its own turn is
// released at once. everysec: stored by a timer at most a second later. no: stored when 4 MB
// are buffered or 5 s after the first unstored write.
import type { Timers } from '../engine/blocking.js';
import { MAX_ROW, packRows } from './log.js';
import type { StoragePort } from './port.js';

export type Fsync = 'always' | 'everysec' | 'no';

export const EVERYSEC_MS = 1000;
export const IDLE_FLUSH_MS = 5000;
/** Unstored bytes that force a store under everysec and no (bounds the memory held). */
export const NO_FSYNC_FLUSH_BYTES = 4 * 1024 * 1024;

export interface WriterOpts {
  /** Row size (tests make it small so units span rows). */
  maxRow?: number;
  /** Called with the durable offset after every successful commit. */
  onDurable?: (offset: number) => void;
}

export class LogWriter {
  private units: string[] = [];
  private size = 0;
  /** Offset of the first buffered byte (= end of what was written to the port). */
  private written: number;
  /** Durable up to here. */
  durable: number;
  /** Start offset of the last row written (retention never deletes it: it carries the offset). */
  lastRowStart: number;
  private timer: unknown = null;
  private inflight: Promise<void> | null = null;
  /** What the commit in flight makes durable. */
  private inflightUpTo = 0;
  private next: Promise<void> | null = null;
  /** Storage failed: nothing more is acknowledged; the host must restart from storage. */
  failed: Error | null = null;
  private readonly maxRow: number;

  constructor(
    private readonly port: StoragePort,
    private readonly timers: Timers,
    /** The segment rows are written to now (the manifest's last). */
    private readonly segment: () => number,
    offset: number,
    lastRowStart: number,
    private readonly opts: WriterOpts = {},
  ) {
    this.written = offset;
    this.durable = offset;
    this.lastRowStart = lastRowStart;
    this.maxRow = opts.maxRow ?? MAX_ROW;
  }

  /** Bytes acknowledged (or about to be) but not written to storage yet. */
  get pending(): number {
    return this.size;
  }

  /**
   * Queue one unit's bytes, which start at stream offset `off`: right after what was queued
   * before, or further on after a gap (appendonly was off meanwhile).
   */
  push(unit: string, off: number): void {
    if (!unit.length) return;
    if (off !== this.written + this.size) {
      this.flush();
      this.written = off;
    }
    this.units.push(unit);
    this.size += unit.length;
  }

  /** After each batch: everysec / no arm the timer or store at the size threshold; always: settle. */
  policy(fsync: Fsync): void {
    if (!this.size || fsync === 'always') return;
    if (this.size >= NO_FSYNC_FLUSH_BYTES) this.commitInBackground();
    else this.arm(fsync === 'everysec' ? EVERYSEC_MS : IDLE_FLUSH_MS);
  }

  /**
   * appendfsync always: what a reply whose units end at `upTo` waits for — null when it may leave
   * now (durable, or covered by the port's gate), else the commit that makes it durable (rejected
   * when storage failed).
   */
  settle(upTo: number): Promise<void> | null {
    if (this.failed) return Promise.reject(this.failed);
    if (upTo <= this.durable) return null;
    if (upTo > this.written) return this.commit();
    // Written already: by a commit in flight, or by a plain store that still needs its sync.
    if (this.port.gated) return null;
    if (this.inflight && this.inflightUpTo >= upTo) return this.inflight;
    return this.commit();
  }

  /** Group commit: store the buffer and sync, or share the successor of the commit in flight. */
  commit(): Promise<void> | null {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.inflight) {
      const p = this.startCommit();
      return this.port.gated ? null : p;
    }
    if (!this.next) {
      this.next = this.inflight.then(() => {
        this.next = null;
        const p = this.startCommit();
        return this.port.gated ? undefined : p;
      });
    }
    return this.next;
  }

  /** Write everything buffered to storage now (not waiting for durability). */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    if (!this.size || this.failed) return;
    const rows = packRows(this.units, this.written, this.segment(), this.maxRow);
    this.units = [];
    const size = this.size;
    this.size = 0;
    try {
      this.port.appendRows(rows);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    this.written += size;
    this.lastRowStart = rows[rows.length - 1]!.off;
  }

  private startCommit(): Promise<void> {
    // A commit queued behind one that failed: its units may never have been written.
    if (this.failed) return Promise.reject(this.failed);
    try {
      this.flush();
    } catch (e) {
      return Promise.reject(e);
    }
    const upTo = this.written;
    const p: Promise<void> = this.port.sync().then(
      () => {
        if (upTo > this.durable) {
          this.durable = upTo;
          this.opts.onDurable?.(upTo);
        }
        if (this.inflight === p) this.inflight = null;
      },
      (e: unknown) => {
        if (this.inflight === p) this.inflight = null;
        this.fail(e);
        throw e;
      },
    );
    this.inflight = p;
    this.inflightUpTo = upTo;
    p.catch(() => {}); // observed by the replies waiting on it; the failure is kept in `failed`
    return p;
  }

  private commitInBackground(): void {
    const p = this.commit();
    p?.catch(() => {});
  }

  private arm(ms: number): void {
    if (this.timer !== null) return;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.commitInBackground();
    }, ms);
  }

  /** Storage failed (here or in a write made by someone else through the same port). */
  fail(e: unknown): void {
    if (!this.failed) this.failed = e instanceof Error ? e : new Error(String(e));
  }

  /** Stop timers (the host is going away). */
  close(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
