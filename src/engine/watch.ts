// Shard-side WATCH: modification versions for watched keys only, bumped by the keyspace's write
// paths, read by WATCH and compared at the start of an EXEC batch (see server/transaction.ts).
import { arr, int, NIL, OK, err, type Frame } from '../protocol/frame.js';
import type { Keyspace } from './keyspace.js';

/**
 * Internal shard commands sent by sessions (never by clients: a name starting with NUL is not in
 * the command table, so a client's command can never carry it past the session).
 *   WATCH_CMD   hold(0|1) leaseMs key…           → [epoch, ver…]   register keys, read versions
 *   CHECK_CMD   release(0|1) epoch key ver key ver… → OK | nil      (nil stops an atomic batch)
 *   RELEASE_CMD key…                             → OK              drop this connection's holds
 */
export const WATCH_CMD = '\0watch';
export const CHECK_CMD = '\0watch-check';
export const RELEASE_CMD = '\0watch-release';

/** A held (RESP connection) watch survives at most this long without EXEC/UNWATCH (lost hosts). */
export const HOLD_MAX_MS = 3_600_000;

/**
 * Estimated heap bytes of one entry beyond its key's length: the Map slot, the Entry object with
 * its four numbers (two of them heap doubles) and the key string's header. Measured in V8: 1M
 * entries with 11-byte keys cost ~149 B each.
 */
export const ENTRY_OVERHEAD = 136;

/**
 * Per shard, the bytes that REST leases (entries no connection holds, kept for their lease only)
 * may occupy. Redis has no such cap because its WATCH is bound to a connection and dies with it;
 * a lease outlives its request by minutes, so without a cap a token could park unbounded memory
 * in a shard. 8 MiB is ~55k short keys, a small share of the isolate's SAFETY_BUDGET (100 MB).
 */
export const LEASE_BUDGET = 8 * 1024 * 1024;

export const LEASE_BUDGET_ERROR = `ERR too many REST watch leases on this shard (over ${LEASE_BUDGET} bytes): retry after the leases end (5 minutes) or watch fewer keys`;

/** Active expiry sweeps ended leases at most this often. */
export const LEASE_SWEEP_GAP_MS = 1000;

export function entryBytes(key: string): number {
  return ENTRY_OVERHEAD + key.length;
}

interface Entry {
  /** The seq value of the key's last modification (or of the entry's creation). */
  ver: number;
  /** Connections that watch it and will release it (EXEC, DISCARD, UNWATCH, RESET, close). */
  refs: number;
  /** Lease of stateless watchers (REST tokens): kept at least until then. */
  soft: number;
  /** Hard limit: dropped after this even if still held (a host that vanished never releases). */
  hard: number;
}

/**
 * Versions exist only for watched keys: an unwatched key costs nothing, and a write pays one
 * `size !== 0` test. An entry is created with a fresh version (> any earlier one), so a watcher
 * whose entry was dropped and re-created sees a different version and aborts: never a missed
 * change, at worst a spurious abort after the lease. `epoch` names this in-memory incarnation of
 * the shard: versions from before a restart never match.
 */
export class WatchTable {
  epoch = 0;
  private seq = 0;
  private readonly entries = new Map<string, Entry>();
  /** Watched keys looked up for writing by the running command; bumped if it dirtied. */
  private pending: string[] = [];
  private sweepAt = 64;
  /** Estimated bytes of all entries (part of the keyspace's used memory: see `onBytes`). */
  bytes = 0;
  /** Estimated bytes of the entries with a running lease (capped by LEASE_BUDGET). */
  leasedBytes = 0;
  /** No sweep for the lease budget before this time (a refused request must not sweep each time). */
  private budgetSweepAt = 0;
  /** When active expiry next sweeps ended leases (no earlier than the first lease's end). */
  private leaseSweepAt = Infinity;

  /** `onBytes` receives every change of `bytes`: the keyspace adds it to used memory. */
  /** Hears of the table's byte changes (its keyspace's `used`; rebound when SWAPDB moves the table). */
  constructor(public onBytes: (delta: number) => void = () => {}) {}

  get size(): number {
    return this.entries.size;
  }

  private add(key: string, e: Entry): void {
    this.entries.set(key, e);
    const b = entryBytes(key);
    this.bytes += b;
    this.onBytes(b);
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    const b = entryBytes(key);
    if (e.soft !== 0) this.leasedBytes -= b;
    this.bytes -= b;
    this.onBytes(-b);
  }

  /** A write (set, update, delete, expiry, TTL change) to `key`. */
  modified(key: string): void {
    const e = this.entries.get(key);
    if (e) e.ver = ++this.seq;
  }

  /** `key` was fetched for writing; it counts as modified if the command ends dirty. */
  candidate(key: string): void {
    if (this.entries.has(key)) this.pending.push(key);
  }

  /**
   * The command ended: its watched candidates changed if it dirtied, except keys it only reads
   * (`readOnly`: store commands such as SUNIONSTORE look their sources up for writing, as Redis's
   * lookupKeyWrite does, without modifying them).
   */
  endCommand(dirty: boolean, readOnly?: () => Set<string>): void {
    if (this.pending.length === 0) return;
    if (dirty) {
      const ro = readOnly?.();
      for (const k of this.pending) if (!ro?.has(k)) this.modified(k);
    }
    this.pending = [];
  }

  /** FLUSHALL/FLUSHDB: as Redis's touchAllWatchedKeysInDb, watched keys that existed changed. */
  flushed(exists: (key: string) => boolean): void {
    for (const [k, e] of this.entries) if (exists(k)) e.ver = ++this.seq;
  }

  /**
   * Register keys and read their versions: `hold` for a connection (no cap: it lives as long as
   * the connection, as in Redis), else a lease of `leaseMs`. Null when the new leases would pass
   * `budget` bytes: then nothing is registered.
   */
  watch(keys: readonly string[], now: number, hold: boolean, leaseMs: number, budget = LEASE_BUDGET): number[] | null {
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    if (!hold) {
      let extra = 0;
      const seen = new Set<string>();
      for (const k of keys) {
        if (seen.has(k)) continue;
        seen.add(k);
        const e = this.entries.get(k);
        if (!e || e.soft === 0) extra += entryBytes(k);
      }
      if (this.leasedBytes + extra > budget && now >= this.budgetSweepAt) {
        this.budgetSweepAt = now + 1000;
        this.sweep(now);
      }
      if (this.leasedBytes + extra > budget) return null;
    }
    const out: number[] = [];
    for (const k of keys) {
      let e = this.entries.get(k);
      if (!e) this.add(k, (e = { ver: ++this.seq, refs: 0, soft: 0, hard: now + HOLD_MAX_MS }));
      if (hold) {
        e.refs++;
        e.hard = Math.max(e.hard, now + HOLD_MAX_MS);
      } else {
        if (e.soft === 0) this.leasedBytes += entryBytes(k);
        e.soft = Math.max(e.soft, now + leaseMs);
        e.hard = Math.max(e.hard, e.soft);
        if (e.soft < this.leaseSweepAt) this.leaseSweepAt = e.soft + 1;
      }
      out.push(e.ver);
    }
    return out;
  }

  release(keys: readonly string[], now: number): void {
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e) continue;
      if (e.refs > 0) e.refs--;
      if (e.refs === 0 && e.soft < now) this.drop(k, e);
    }
  }

  /** Whether every key still has the version it had when watched. */
  unchanged(epoch: number, pairs: ReadonlyArray<readonly [string, number]>): boolean {
    if (epoch !== this.epoch) return false;
    for (const [k, v] of pairs) if (this.entries.get(k)?.ver !== v) return false;
    return true;
  }

  /**
   * Active expiry (Keyspace.activeExpire): free the leases that ended, so their memory leaves
   * used_memory without waiting for the next WATCH. Returns when to come back (Infinity: no
   * lease runs). Sweeps at most once per LEASE_SWEEP_GAP_MS: a steady flow of leases ending one
   * after another costs one pass over the table per gap, not one per lease.
   */
  expireLeases(now: number): number {
    if (this.leasedBytes === 0) return (this.leaseSweepAt = Infinity);
    if (now >= this.leaseSweepAt) this.sweep(now);
    return this.leaseSweepAt;
  }

  /**
   * Drop entries nobody holds whose lease ended, and any past the hard limit (amortized O(1));
   * a held entry whose lease ended stops counting as leased.
   */
  private sweep(now: number): void {
    let next = Infinity;
    for (const [k, e] of this.entries) {
      if ((e.refs === 0 && e.soft < now) || e.hard < now) this.drop(k, e);
      else if (e.soft !== 0 && e.soft < now) {
        this.leasedBytes -= entryBytes(k);
        e.soft = 0;
      } else if (e.soft !== 0 && e.soft < next) next = e.soft;
    }
    this.sweepAt = Math.max(64, this.entries.size * 2);
    this.leaseSweepAt = next === Infinity ? Infinity : Math.max(next + 1, now + LEASE_SWEEP_GAP_MS);
  }
}

/**
 * Run an internal watch command against the keyspace (whose `now` is set). `abort` asks the
 * shard to stop the batch: the transaction after a failed check must not run.
 */
export function watchCommand(db: Keyspace, argv: readonly string[]): { reply: Frame; abort: boolean } {
  const w = db.watches;
  switch (argv[0]) {
    case WATCH_CMD: {
      const keys = argv.slice(3);
      // A key already past its deadline is removed first (as a read would): its later lazy or
      // active deletion is then no change, as Redis 7.0 treats keys expired at WATCH time.
      for (const k of keys) db.expireIfNeeded(k);
      const hold = argv[1] === '1';
      const leaseMs = Number(argv[2]);
      const vers = w.watch(keys, db.now, hold, leaseMs);
      if (vers === null) return { reply: err(LEASE_BUDGET_ERROR), abort: false };
      // Active expiry frees the leases when they end (the shard sets its alarm for it).
      if (!hold && keys.length && db.now + leaseMs + 1 < db.earliestNewDeadline) db.earliestNewDeadline = db.now + leaseMs + 1;
      const out: Frame[] = [int(w.epoch)];
      for (const v of vers) out.push(int(v));
      return { reply: arr(out), abort: false };
    }
    case CHECK_CMD: {
      const release = argv[1] === '1';
      const epoch = Number(argv[2]);
      const pairs: Array<[string, number]> = [];
      for (let i = 3; i + 1 < argv.length; i += 2) pairs.push([argv[i]!, Number(argv[i + 1])]);
      // A watched key whose deadline passed since WATCH changed (Redis 7.0's isWatchedKeyExpired):
      // removing it now bumps its version.
      for (const [k] of pairs) db.expireIfNeeded(k);
      const ok = w.unchanged(epoch, pairs);
      if (release) w.release(pairs.map((p) => p[0]), db.now);
      return ok ? { reply: OK, abort: false } : { reply: NIL, abort: true };
    }
    case RELEASE_CMD:
      w.release(argv.slice(1), db.now);
      return { reply: OK, abort: false };
    default:
      return { reply: err('ERR unknown internal command'), abort: true };
  }
}
