// Fake storage and timers for the log, writer and crash tests: a storage port that can stop
// (crash) or fail at any write, one whose commits are released by hand, and a manual timer queue.
import type { Timers } from '../../src/engine/blocking.js';
import { Rng } from '../../src/engine/clock.js';
import { MemoryPort, type LogRow } from '../../src/persistence/port.js';

/** Deterministic randomness for replids. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  const rng = new Rng(seed);
  return (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = rng.int(256);
    return b;
  };
}

/** Timers run by hand: `advance(ms)` fires what is due, in deadline order. */
export class ManualTimers implements Timers {
  now = 0;
  private seq = 0;
  private readonly q = new Map<number, { at: number; fn: () => void }>();
  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.q.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(h: unknown): void {
    this.q.delete(h as number);
  }
  get size(): number {
    return this.q.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let best: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.q) if (e[1].at <= end && (!best || e[1].at < best[1].at)) best = e;
      if (!best) break;
      this.q.delete(best[0]);
      this.now = Math.max(this.now, best[1].at);
      best[1].fn();
    }
    this.now = end;
  }
}

/** A memory port whose sync() resolves only when the test says so (and counts commits). */
export class HeldPort extends MemoryPort {
  syncs = 0;
  private waiting: Array<() => void> = [];
  override sync(): Promise<void> {
    this.syncs++;
    return new Promise((res) => this.waiting.push(res));
  }
  get held(): number {
    return this.waiting.length;
  }
  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }
}

export class StorageCrash extends Error {}

/** One durable state of the fake storage. */
interface State {
  rows: LogRow[];
  meta: Map<string, string>;
  base: Map<number, string[]>;
}

const copy = (s: State): State => ({ rows: s.rows.slice(), meta: new Map(s.meta), base: new Map([...s.base].map(([k, v]) => [k, v.slice()])) });

/**
 * Storage that stops or fails at its n-th write (every row, meta write, base row and delete is a
 * write). `mode` says what survives a stop:
 * - 'commit': writes are durable only when a sync() has resolved after them (SQLite's
 *   transactions, DO storage): a stop loses everything since the last resolved sync;
 * - 'write': every completed write is durable on its own (an append-only file without
 *   transactions): a stop may cut a commit — and a unit spanning rows — anywhere.
 * `fail` makes the n-th write throw once and then work again (in 'commit' mode the uncommitted
 * writes are rolled back), instead of the storage stopping for good.
 * Syncs resolve on a later event-loop turn (setImmediate), so batches overlap a commit in flight.
 */
export class CrashPort extends MemoryPort {
  private durableState: State;
  /** What the last sync() call covers: it becomes durable when that sync resolves. */
  private committing: State | null = null;
  writes = 0;
  stopped = false;
  constructor(
    readonly mode: 'commit' | 'write',
    private readonly stopAt: number,
    private readonly fail = false,
    from?: CrashPort,
  ) {
    super();
    this.durableState = from ? copy(from.durable()) : { rows: [], meta: new Map(), base: new Map() };
    this.load(this.durableState);
  }

  /** What survives (a recovery sees this). */
  durable(): State {
    return this.mode === 'write' ? { rows: this.rows, meta: this.meta, base: this.base } : this.durableState;
  }

  /** A storage with this one's durable state and no crash scheduled: the restarted object's. */
  restart(): CrashPort {
    return new CrashPort(this.mode, Infinity, false, this);
  }

  private load(s: State): void {
    const c = copy(s);
    this.rows = c.rows;
    this.meta.clear();
    for (const [k, v] of c.meta) this.meta.set(k, v);
    this.base.clear();
    for (const [k, v] of c.base) this.base.set(k, v);
  }

  private write(): void {
    if (this.stopped) throw new StorageCrash('storage stopped');
    if (++this.writes !== this.stopAt) return;
    if (this.fail) {
      // The failed write's transaction is rolled back; commits already under way complete.
      if (this.mode === 'commit') this.load(this.committing ?? this.durableState);
      throw new Error('storage write failed');
    }
    this.stopped = true;
    throw new StorageCrash('storage stopped');
  }

  override appendRows(rows: readonly LogRow[]): void {
    for (const r of rows) {
      this.write();
      super.appendRows([r]);
    }
  }
  override writeMeta(key: string, value: string): void {
    this.write();
    super.writeMeta(key, value);
  }
  override writeBaseRow(gen: number, idx: number, data: string): void {
    this.write();
    super.writeBaseRow(gen, idx, data);
  }
  override deleteBelow(off: number): void {
    this.write();
    super.deleteBelow(off);
  }
  override deleteFrom(off: number): void {
    this.write();
    super.deleteFrom(off);
  }
  override deleteBaseExcept(gen: number): void {
    this.write();
    super.deleteBaseExcept(gen);
  }
  override sync(): Promise<void> {
    if (this.stopped) return new Promise(() => {}); // the process is gone: nobody hears back
    const snap = this.mode === 'commit' ? copy({ rows: this.rows, meta: this.meta, base: this.base }) : null;
    this.committing = snap;
    return new Promise((res, rej) => {
      setImmediate(() => {
        if (this.stopped) return rej(new StorageCrash('storage stopped'));
        if (snap) this.durableState = snap;
        if (this.committing === snap) this.committing = null;
        res();
      });
    });
  }
}
