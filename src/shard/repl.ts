// Replication, the primary's side, pure: the replica table, PSYNC answered from the shard log
// (CONTINUE from a retained offset, or FULLRESYNC from a snapshot sent in chunks), propagation
// batched per group commit, REPLCONF ACK, WAIT waiters and min-replicas-to-write. Time comes in
// as arguments; sending is the host's (messages are returned, never sent from here).
import type { ReadResult, Unit } from '../persistence/log.js';
import { EXEC_RECORD, MULTI_RECORD } from '../persistence/log.js';
import { encodeCommand } from '../protocol/resp-encode.js';

/** A full resync's snapshot goes in chunks well under a DO RPC's 32 MiB (and a row's 2 MB). */
export const SNAPSHOT_CHUNK = 512 * 1024;
/** Stream bytes per propagation message. */
export const STREAM_CHUNK = 1024 * 1024;
/** A push not acknowledged for this long is sent again from the acknowledged offset. */
export const RESEND_MS = 1000;

/** Primary → replica. */
export type ToReplica =
  /** Stream bytes starting at `off` (whole units), under history `replid`. */
  | { t: 'stream'; replid: string; off: number; data: string }
  /** Part `part` of `parts` of an RDB snapshot of the keyspace at offset `off` (+FULLRESYNC). */
  | { t: 'full'; replid: string; off: number; part: number; parts: number; data: string };

/** Replica → primary. `replid` '?' with off -1: a replica that never synced (PSYNC ? -1). */
export type ToPrimary =
  | { t: 'psync'; id: string; replid: string; off: number }
  | { t: 'ack'; id: string; off: number };

/** What the primary reads: the shard log (ShardLog) and a snapshot of the shard's keyspace. */
export interface PrimaryLog {
  readonly replid: string;
  /** Stored and durable up to here: what may be sent. */
  readonly durable: number;
  /** master_repl_offset. */
  readonly offset: number;
  readFrom(offset: number, maxBytes?: number, replid?: string): ReadResult;
  canContinue(replid: string, offset: number): boolean;
  /** The keyspace now as an RDB file (one-byte string), and the offset it reflects. */
  snapshot(): { off: number; data: string };
}

/** One unit's bytes exactly as the log stored them (a frame with its MULTI and EXEC). */
export function unitBytes(u: Unit): string {
  let s = u.atomic ? MULTI_RECORD : '';
  for (const r of u.records) s += encodeCommand(r);
  return u.atomic ? s + EXEC_RECORD : s;
}

export interface ReplicaRec {
  id: string;
  /** Redis's slave states as INFO prints them. */
  state: 'wait_bgsave' | 'online';
  /** Offset the replica acknowledged (REPLCONF ACK). */
  ack: number;
  /** Stream sent up to here (optimistically; back to `ack` when a push is not answered). */
  sent: number;
  lastAck: number;
  lastSend: number;
  /** What INFO prints as ip and port. */
  ip: string;
  port: number;
}

interface Waiter {
  n: number;
  target: number;
  done: (count: number) => void;
}

export class ReplPrimary {
  readonly replicas = new Map<string, ReplicaRec>();
  private waiters = new Set<Waiter>();
  /** Test only: an injected bug for the simulation to catch. */
  bug: 'ack-off-by-one' | null = null;

  constructor(
    private readonly log: PrimaryLog,
    private readonly opts: { streamChunk?: number; snapshotChunk?: number; resendMs?: number } = {},
  ) {}

  /**
   * PSYNC replid offset (masterTryPartialResynchronization): continue from the log when the
   * history is the same and the offset retained, else a full resync from a snapshot.
   */
  psync(id: string, replid: string, off: number, now: number, addr = { ip: '127.0.0.1', port: 0 }): ToReplica[] {
    const r: ReplicaRec = this.replicas.get(id) ?? { id, state: 'wait_bgsave', ack: 0, sent: 0, lastAck: now, lastSend: now, ip: addr.ip, port: addr.port };
    this.replicas.set(id, r);
    r.lastAck = now;
    if (off >= 0 && this.log.canContinue(replid, off)) {
      r.state = 'online';
      r.ack = r.sent = off;
      r.lastSend = now;
      // +CONTINUE: the current replid (the replica adopts it), then the missing units.
      const out: ToReplica[] = [{ t: 'stream', replid: this.log.replid, off, data: '' }];
      const more = this.pushOne(r, now);
      if (more) out.push(more);
      return out;
    }
    const snap = this.log.snapshot();
    const size = this.opts.snapshotChunk ?? SNAPSHOT_CHUNK;
    const parts = Math.max(1, Math.ceil(snap.data.length / size));
    const out: ToReplica[] = [];
    for (let i = 0; i < parts; i++) out.push({ t: 'full', replid: this.log.replid, off: snap.off, part: i, parts, data: snap.data.slice(i * size, (i + 1) * size) });
    r.state = 'wait_bgsave';
    r.ack = r.sent = snap.off;
    r.lastSend = now;
    return out;
  }

  /** REPLCONF ACK: the replica applied and stored the stream up to `off`. */
  ack(id: string, off: number, now: number): void {
    const r = this.replicas.get(id);
    if (!r) return;
    r.lastAck = now;
    if (r.state === 'wait_bgsave' && off >= r.ack) r.state = 'online';
    if (off > r.ack) r.ack = off;
    if (r.sent < r.ack) r.sent = r.ack;
    this.settleWaiters();
  }

  /** After a group commit: one message per online replica with everything durable it lacks. */
  propagate(now: number): Array<[string, ToReplica]> {
    const out: Array<[string, ToReplica]> = [];
    for (const r of this.replicas.values()) {
      const m = this.pushOne(r, now);
      if (m) out.push([r.id, m]);
    }
    return out;
  }

  /** Pushes not answered for a while are sent again from the acknowledged offset. */
  tick(now: number): Array<[string, ToReplica]> {
    const wait = this.opts.resendMs ?? RESEND_MS;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.sent > r.ack && now - r.lastSend >= wait) r.sent = r.ack;
    return this.propagate(now);
  }

  private pushOne(r: ReplicaRec, now: number): ToReplica | null {
    if (r.state !== 'online' || r.sent >= this.log.durable) return null;
    const got = this.log.readFrom(r.sent, this.opts.streamChunk ?? STREAM_CHUNK, undefined);
    if (!got.ok) {
      // Its offset left the backlog: it asks again (PSYNC) and gets a full resync.
      if (got.reason === 'below-floor') this.replicas.delete(r.id);
      return null;
    }
    if (!got.units.length) return null;
    let data = '';
    for (const u of got.units) data += unitBytes(u);
    const m: ToReplica = { t: 'stream', replid: this.log.replid, off: r.sent, data };
    r.sent = got.next;
    r.lastSend = now;
    return m;
  }

  /** A replica that went away (its link was dropped). */
  drop(id: string): void {
    this.replicas.delete(id);
    this.settleWaiters();
  }

  /** Replicas that acknowledged `target` (WAIT's count). */
  count(target: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && (this.bug === 'ack-off-by-one' ? r.ack + 1 : r.ack) >= target) n++;
    return n;
  }

  /**
   * WAIT numreplicas: `done(count)` once `n` replicas acknowledged `target`; the host calls the
   * returned function at the timeout (it answers the count then). n ≤ count already: at once.
   */
  wait(n: number, target: number, done: (count: number) => void): () => void {
    const have = this.count(target);
    if (have >= n) {
      done(have);
      return () => {};
    }
    const w: Waiter = { n, target, done };
    this.waiters.add(w);
    return () => {
      if (!this.waiters.delete(w)) return;
      w.done(this.count(target));
    };
  }

  private settleWaiters(): void {
    for (const w of this.waiters) {
      const c = this.count(w.target);
      if (c >= w.n) {
        this.waiters.delete(w);
        w.done(c);
      }
    }
  }

  /** min-replicas-to-write: online replicas whose last ack is at most `maxLagS` seconds old. */
  good(now: number, maxLagS: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && Math.floor((now - r.lastAck) / 1000) <= maxLagS) n++;
    return n;
  }

  /** INFO replication's slaveN lines, in the order replicas attached. */
  lines(now: number): string[] {
    const out: string[] = [];
    let i = 0;
    for (const r of this.replicas.values()) {
      out.push(`slave${i++}:ip=${r.ip},port=${r.port},state=${r.state},offset=${r.ack},lag=${Math.floor((now - r.lastAck) / 1000)}`);
    }
    return out;
  }
}
