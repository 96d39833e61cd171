// The primary's links to its replicas, pure over an injected call (a DO→DO RPC on the platform):
// per replica one message in flight at a time, in order (a stream is a sequence), the replica's
// answers (acks, a new PSYNC) fed back; a failed call drops the queue (the core resends from the
// acknowledged offset at its next tick); a tick every second (resends, keepalive, REPLCONF ACKs).
import type { Timers } from '../engine/blocking.js';
import type { ToPrimary, ToReplica } from './repl.js';
import type { PrimarySide } from './repl-host.js';

/** The call to replica `k` (1-based): deliver `m` (null: hello, the replica answers its PSYNC). */
export type ReplCall = (k: number, m: ToReplica | null) => Promise<ToPrimary[]>;

export const TICK_MS = 1000;

export class PrimaryLinks {
  private queues = new Map<number, ToReplica[]>();
  private busy = new Set<number>();
  private timer: unknown = null;
  private closed = false;
  /** Calls that failed (INFO, tests). */
  failures = 0;

  constructor(
    private readonly side: PrimarySide,
    readonly count: number,
    private readonly call: ReplCall,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly warn?: (m: string) => void,
  ) {}

  /** Say hello to every replica (each answers with its PSYNC), and start ticking. */
  start(): void {
    for (let k = 1; k <= this.count; k++) void this.hello(k);
    this.arm();
  }

  private async hello(k: number): Promise<void> {
    try {
      this.answer(k, await this.call(k, null));
    } catch (e) {
      this.failures++;
      this.warn?.(`replica ${k}: hello failed: ${String(e)}`);
    }
  }

  /** After a group commit: the durable stream goes out. */
  committed(): void {
    for (const [id, m] of this.side.core.propagate(this.now())) this.enqueue(Number(id), m);
  }

  private answer(k: number, ms: ToPrimary[]): void {
    for (const m of ms) for (const out of this.side.receive(m, { ip: '127.0.0.1', port: 6380 + k })) this.enqueue(k, out);
  }

  private enqueue(k: number, m: ToReplica): void {
    if (this.closed) return;
    let q = this.queues.get(k);
    if (!q) this.queues.set(k, (q = []));
    q.push(m);
    if (!this.busy.has(k)) void this.pump(k);
  }

  private async pump(k: number): Promise<void> {
    this.busy.add(k);
    const q = this.queues.get(k)!;
    try {
      while (q.length && !this.closed) {
        const m = q.shift()!;
        try {
          this.answer(k, await this.call(k, m));
        } catch (e) {
          // Lost: what was queued behind it would leave a gap; the tick resends from the ack.
          this.failures++;
          q.length = 0;
          this.warn?.(`replica ${k}: push failed: ${String(e)}`);
        }
      }
    } finally {
      this.busy.delete(k);
    }
  }

  private arm(): void {
    if (this.closed || this.timer !== null) return;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.tick();
      this.arm();
    }, TICK_MS);
  }

  private tick(): void {
    const core = this.side.core;
    const now = this.now();
    for (const [id, m] of core.tick(now)) this.enqueue(Number(id), m);
    // Keepalive (Redis's REPLCONF GETACK / the replica's ACK every second): lag and min-replicas stay true while idle.
    for (let k = 1; k <= this.count; k++) {
      const r = core.replicas.get(String(k));
      if (!r) {
        if (!this.busy.has(k)) void this.hello(k);
      } else if (r.state === 'online' && !this.busy.has(k) && r.sent === r.ack) this.enqueue(k, { t: 'stream', replid: this.side.host().log.replid, off: r.ack, data: '' });
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}
