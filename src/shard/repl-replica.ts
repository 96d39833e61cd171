// Replication, the replica's side, pure: the handshake (PSYNC from the stored offset, or ? -1
// when never synced), a full resync's chunks gathered and installed, stream bytes applied only
// at the replica's exact offset (a gap or a duplicate from loss and reordering is never applied
// twice or out of order), REPLCONF ACK, and the link state INFO prints. Time comes in as arguments.
import type { ToPrimary, ToReplica } from './repl.js';

/** What the replica applies to: its shard host (ShardHost's replica face). */
export interface ReplicaTarget {
  /** Its log's offset (what it applied and will store). */
  offset(): number;
  /** Its log's replid: the primary's once synced. */
  replid(): string;
  /** Whether it ever completed a sync (else it asks PSYNC ? -1). */
  synced(): boolean;
  /** Apply and log stream bytes starting exactly at offset(); returns an error text when they do not parse. */
  apply(data: string): string | null;
  /** Replace everything by this snapshot at `off` under `replid`. */
  install(replid: string, off: number, rdb: string): void;
  /** CONTINUE under a new history id (the primary was promoted since): Redis's replid shift. */
  adopt(replid: string): void;
}

/** Redis's repl_state, as INFO's master_link_status / master_sync_in_progress show it. */
export type LinkState = 'connect' | 'sync' | 'connected';

/** A replica that heard nothing for this long asks again (repl-timeout is 60 s; pushes are retried at 1 s). */
export const REPSYNC_MS = 5000;

export class ReplReplica {
  state: LinkState = 'connect';
  /** Last time anything came from the primary (master_last_io_seconds_ago). */
  lastIo = -1;
  private lastAsk = -Infinity;
  /** A PSYNC is unanswered. */
  private asked = false;
  private parts: string[] = [];
  private full: { replid: string; off: number; parts: number } | null = null;
  /** Full resyncs and partial resyncs done (tests, INFO's sync_full / sync_partial_ok). */
  fulls = 0;
  partials = 0;
  /** Test only: an injected bug for the simulation to catch (bytes after a gap applied anyway). */
  bug: 'accept-gap' | null = null;

  constructor(
    readonly id: string,
    private readonly target: ReplicaTarget,
    private readonly opts: { repsyncMs?: number } = {},
  ) {}

  /** The handshake's PSYNC (also after a restart: from the stored offset). */
  psync(now: number): ToPrimary {
    this.lastAsk = now;
    this.asked = true;
    this.state = this.state === 'connected' ? 'connect' : this.state;
    const t = this.target;
    return t.synced() ? { t: 'psync', id: this.id, replid: t.replid(), off: t.offset() } : { t: 'psync', id: this.id, replid: '?', off: -1 };
  }

  /** A message from the primary; returns what to answer (an ack, or a new PSYNC after a gap). */
  receive(m: ToReplica, now: number): ToPrimary[] {
    this.lastIo = now;
    const t = this.target;
    if (m.t === 'full') {
      if (m.part === 0) {
        this.full = { replid: m.replid, off: m.off, parts: m.parts };
        this.parts = [];
        this.state = 'sync';
      }
      const f = this.full;
      // A chunk of another transfer, or out of order: the transfer is incomplete, ask again later.
      if (!f || f.replid !== m.replid || f.off !== m.off || m.part !== this.parts.length) return [];
      this.parts.push(m.data);
      if (this.parts.length < f.parts) return [];
      t.install(f.replid, f.off, this.parts.join(''));
      this.full = null;
      this.parts = [];
      this.state = 'connected';
      this.asked = false;
      this.fulls++;
      return [{ t: 'ack', id: this.id, off: t.offset() }];
    }
    if (this.state === 'sync' || !t.synced()) return [];
    if (m.replid !== t.replid()) {
      // The answer to our PSYNC (empty data, our offset) may carry a new id: adopt it. Anything
      // else under another id is from an old link.
      if (m.data.length || m.off !== t.offset()) return [];
      t.adopt(m.replid);
    }
    const here = t.offset();
    if (m.off > here && this.bug !== 'accept-gap') {
      // A gap (a push was lost): ask for the rest.
      this.state = 'connect';
      return now - this.lastAsk >= 0 ? [this.psync(now)] : [];
    }
    if (!m.data.length) {
      // +CONTINUE (the answer to our PSYNC): the link is up.
      if (this.asked && m.off <= here) {
        this.asked = false;
        this.state = 'connected';
        this.partials++;
      }
      return [{ t: 'ack', id: this.id, off: here }];
    }
    // Stream units already applied are skipped (a resend after a late ack); a push always starts
    // at a unit boundary, so skipping whole units means finding `here` as one.
    if (m.off + m.data.length <= here) return [{ t: 'ack', id: this.id, off: here }];
    const data = m.off >= here ? m.data : null;
    if (data === null) {
      // Starts before `here` and ends after it: apply from `here` (a unit boundary of both).
      const err = t.apply(m.data.slice(here - m.off));
      if (err) return this.broken(now);
    } else {
      const err = t.apply(data);
      if (err) return this.broken(now);
    }
    this.state = 'connected';
    return [{ t: 'ack', id: this.id, off: t.offset() }];
  }

  /** Bytes that do not parse at our offset: start over with a PSYNC. */
  private broken(now: number): ToPrimary[] {
    this.state = 'connect';
    return [this.psync(now)];
  }

  /** Every second: REPLCONF ACK; and a PSYNC when nothing came for a while (the link is re-made). */
  tick(now: number): ToPrimary[] {
    const wait = this.opts.repsyncMs ?? REPSYNC_MS;
    if (this.state !== 'connected') return now - this.lastAsk >= wait ? [this.psync(now)] : [];
    if (this.lastIo >= 0 && now - this.lastIo >= wait && now - this.lastAsk >= wait) return [this.psync(now)];
    return [{ t: 'ack', id: this.id, off: this.target.offset() }];
  }
}
