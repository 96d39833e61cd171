// Shard-side WATCH: modification versions for watched keys only, bumped by the keyspace's write
// paths, read by WATCH and compared at the start of an EXEC batch (see server/transaction.ts).
import { arr, int, NIL, OK, err, type Frame } from '../protocol/frame.js';
import type { KeySpec } from '../commands/types.js';
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

  get size(): number {
    return this.entries.size;
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

  watch(keys: readonly string[], now: number, hold: boolean, leaseMs: number): number[] {
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    const out: number[] = [];
    for (const k of keys) {
      let e = this.entries.get(k);
      if (!e) this.entries.set(k, (e = { ver: ++this.seq, refs: 0, soft: 0, hard: now + HOLD_MAX_MS }));
      if (hold) {
        e.refs++;
        e.hard = Math.max(e.hard, now + HOLD_MAX_MS);
      } else {
        e.soft = Math.max(e.soft, now + leaseMs);
        e.hard = Math.max(e.hard, e.soft);
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
      if (e.refs === 0 && e.soft < now) this.entries.delete(k);
    }
  }

  /** Whether every key still has the version it had when watched. */
  unchanged(epoch: number, pairs: ReadonlyArray<readonly [string, number]>): boolean {
    if (epoch !== this.epoch) return false;
    for (const [k, v] of pairs) if (this.entries.get(k)?.ver !== v) return false;
    return true;
  }

  /** Drop entries nobody holds whose lease ended, and any past the hard limit (amortized O(1)). */
  private sweep(now: number): void {
    for (const [k, e] of this.entries) {
      if ((e.refs === 0 && e.soft < now) || e.hard < now) this.entries.delete(k);
    }
    this.sweepAt = Math.max(64, this.entries.size * 2);
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
      const vers = w.watch(keys, db.now, argv[1] === '1', Number(argv[2]));
      return { reply: arr([int(w.epoch), ...vers.map((v) => int(v))]), abort: false };
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

/** Keys a command only reads, per its key specs (RO), unless another spec also writes them. */
export function readOnlyKeys(specs: readonly KeySpec[], argv: readonly string[]): Set<string> {
  const ro = new Set<string>();
  const rw = new Set<string>();
  for (const k of specs) {
    if (!k.bs || !k.fk) continue;
    let start = -1;
    if ('index' in k.bs) start = k.bs.index;
    else {
      const kw = k.bs.keyword.toLowerCase();
      const from = k.bs.startfrom;
      if (from >= 0) {
        for (let i = from; i < argv.length; i++) if (argv[i]!.toLowerCase() === kw) { start = i + 1; break; }
      } else {
        for (let i = argv.length + from; i > 0; i--) if (argv[i]!.toLowerCase() === kw) { start = i + 1; break; }
      }
    }
    if (start < 0) continue;
    let last: number;
    let step: number;
    if ('lastkey' in k.fk) {
      last = k.fk.lastkey < 0 ? argv.length + k.fk.lastkey : start + k.fk.lastkey;
      step = k.fk.keystep;
    } else {
      const n = Number(argv[start + k.fk.keynumidx]);
      if (!Number.isInteger(n) || n < 0) continue;
      step = k.fk.keystep;
      start += k.fk.firstkey;
      last = start + (n - 1) * step;
    }
    const into = k.flags.includes('RO') ? ro : rw;
    for (let i = start; i <= last && i < argv.length && step > 0; i += step) into.add(argv[i]!);
  }
  for (const k of rw) ro.delete(k);
  return ro;
}
