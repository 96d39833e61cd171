// One shard's keyspace: key → value, key → absolute expiry (ms), lazy expiry, access clocks.
// Strings are stored as plain byte strings (the cheapest representation, see protocol/bytes.ts);
// every other type is an object carrying its `type` name.
import type { Rng } from './clock.js';
import { EXPIRE_OVERHEAD, accounted, remeasure } from './memory.js';
import { lfuInit, lfuTouch, type Lfu } from './evict.js';
import { WatchTable } from './watch.js';
import { ValueCursors } from './scan.js';
import { isStrictLong } from '../protocol/numfmt.js';

export { isStrictLong };

export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

/** A non-string value. Each type's module (engine/types/*) owns its concrete shape. */
export interface RObj {
  readonly type: Exclude<TypeName, 'string'>;
  /** The value's size as last measured by engine/memory.ts (the running total's share). */
  mem: number;
}

export type Value = string | RObj;

export function typeOf(v: Value): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}

/** What each non-string type's module registers so generic commands (COPY, OBJECT) can serve it. */
export interface TypeHooks {
  /** A deep copy sharing no mutable state with the original (COPY). */
  clone(v: RObj): RObj;
  /** OBJECT ENCODING's answer for this value (listpack, quicklist, intset, skiplist…). */
  encoding(v: RObj): string;
  /** The members of a set, in iteration order (ZUNION/ZINTER/ZDIFF read plain sets as score 1). */
  members?(v: RObj): string[];
}

const HOOKS = new Map<string, TypeHooks>();

export function registerType(type: RObj['type'], hooks: TypeHooks): void {
  HOOKS.set(type, hooks);
}

/** A collection's members through its type's `members` hook (undefined when it has none). */
export function collectionMembers(v: RObj): string[] | undefined {
  return HOOKS.get(v.type)?.members?.(v);
}

/** A deep copy of a value: strings are immutable and shared; other types use their hook. */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  const h = HOOKS.get(v.type);
  if (!h) throw new Error(`no clone hook registered for type ${v.type}`);
  return h.clone(v);
}

/** Redis's OBJECT ENCODING name for the value stored at `key`. */
export function encodingOf(db: Keyspace, key: string, v: Value): string {
  if (typeof v !== 'string') {
    const h = HOOKS.get(v.type);
    if (!h) throw new Error(`no encoding hook registered for type ${v.type}`);
    return h.encoding(v);
  }
  // Modified in place (APPEND, SETRANGE…) strings stay raw, as Redis's unshared sds does.
  if (db.rawStrings.has(key)) return 'raw';
  if (v.length <= 20 && isStrictLong(v) && !db.embStrings.has(key)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}


/**
 * Active expiry of parts of values (hash fields with their own TTL): each runs after the keys'
 * pass in activeExpire and returns its earliest pending deadline. Types register at import.
 */
export type SubExpirer = (db: Keyspace, budget: number) => number;
const SUB_EXPIRERS: SubExpirer[] = [];

export function registerSubExpirer(fn: SubExpirer): void {
  if (!SUB_EXPIRERS.includes(fn)) SUB_EXPIRERS.push(fn);
}

/** 2020-01-01T00:00:00Z: access stamps are seconds after it (a small integer until 2054). */
export const ACCESS_EPOCH = 1_577_836_800_000;

export class Keyspace {
  readonly data = new Map<string, Value>();
  readonly expires = new Map<string, number>();
  /**
   * Last access per key in whole seconds since ACCESS_EPOCH (Redis's LRU clock also ticks in
   * seconds): small integers stay unboxed in the Map, which saves ~16 B per key over ms stamps.
   */
  readonly access = new Map<string, number>();
  /** Keys whose short string was modified in place (APPEND, SETRANGE…): Redis reports "raw". */
  readonly rawStrings = new Set<string>();
  /**
   * Keys whose integer-looking string is a plain string object, never int-encoded (INCRBYFLOAT's
   * formatted result): Redis reports "embstr".
   */
  readonly embStrings = new Set<string>();
  /** Live HSCAN/SSCAN/ZSCAN walks of this keyspace's values (scan.ts). */
  readonly cursors = new ValueCursors();
  /** The command's cached time (Redis fixes `now` once per command). */
  now = 0;
  /** While replaying the log, nothing expires (as Redis while loading). */
  loading = false;
  /** Set while a command that must not update access times runs (OBJECT, TYPE via NO-TOUCH…). */
  noTouch = false;
  /** Called for each key removed because it expired (lazily or actively). */
  onExpired: (key: string) => void = () => {};
  /** Logs an effect made outside a command's own (a hash field reclaimed by its TTL → HDEL). */
  onEffect: (argv: string[]) => void = () => {};
  /** Earliest deadline set since the last active-expiry pass (the shard schedules its alarm). */
  earliestNewDeadline = Infinity;
  hits = 0;
  misses = 0;
  /** Estimated bytes of all keys and values (memory.ts) and of WATCH entries, kept up to date by every write. */
  used = 0;
  /** Set while an LFU policy is selected: access then holds packed LFU counters (evict.ts). */
  lfu: Lfu | null = null;
  /** Called by flush (the evictor lets go of its iterator over the old entries). */
  onFlush: () => void = () => {};

  /** Record an access: the LRU clock, or the LFU counter's logarithmic increment. */
  private touch(key: string): void {
    if (this.lfu === null) this.access.set(key, this.stamp());
    else this.access.set(key, lfuTouch(this.lfu, this.now, this.access.get(key)));
  }

  /** Re-measure a collection changed in place (the shard calls it for a write's keys). */
  resize(key: string): void {
    const v = this.data.get(key);
    if (v === undefined || typeof v === 'string') return;
    const before = accounted(key, v);
    this.used += remeasure(key, v) - before;
  }
  /**
   * Versions of WATCHed keys: every write path below reports the keys it changes. Its entries'
   * memory counts in `used`, so maxmemory and INFO see what watches (REST leases above all) hold.
   */
  watches = new WatchTable((d) => {
    this.used += d;
  });

  /**
   * SWAPDB: two keyspaces trade their watch tables (a WATCH names a db index, not the data that
   * moves; each table keeps its db's epoch). A watched key that exists on either side changes (Redis's touchAllWatchedKeysInDb);
   * a logically expired one does not.
   */
  static swapWatches(a: Keyspace, b: Keyspace): void {
    const live = (k: string) => (a.data.has(k) && !a.isExpired(k)) || (b.data.has(k) && !b.isExpired(k));
    if (a.watches.size !== 0) a.watches.flushed(live);
    if (b.watches.size !== 0) b.watches.flushed(live);
    const wa = a.watches;
    const wb = b.watches;
    a.used += wb.bytes - wa.bytes;
    b.used += wa.bytes - wb.bytes;
    a.watches = wb;
    b.watches = wa;
    wb.onBytes = (d) => (a.used += d);
    wa.onBytes = (d) => (b.used += d);
  }

  /** The access clock now (seconds since ACCESS_EPOCH). */
  stamp(): number {
    return Math.floor((this.now - ACCESS_EPOCH) / 1000);
  }

  get size(): number {
    return this.data.size;
  }

  /** Whether the key's deadline has passed, without removing it (Redis's keyIsExpired). */
  isExpired(key: string): boolean {
    const at = this.expires.get(key);
    // A key is still alive at its deadline: Redis expires it only when now > when.
    return at !== undefined && at < this.now && !this.loading;
  }

  /** Remove the key if its deadline has passed; true when it did. */
  expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at >= this.now || this.loading) return false;
    this.remove(key);
    this.onExpired(key);
    return true;
  }

  /**
   * Lookup for reading: counts hits/misses and refreshes the access time unless `touch` is
   * false (Redis's LOOKUP_NOTOUCH: TYPE, TTL, EXISTS, OBJECT read without touching).
   */
  read(key: string, touch = true): Value | undefined {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
    const v = this.data.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (touch && !this.noTouch) this.touch(key);
    return v;
  }

  /** Lookup for writing: no hit/miss accounting. */
  get(key: string): Value | undefined {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
    const v = this.data.get(key);
    if (v !== undefined && !this.noTouch) this.touch(key);
    if (this.watches.size !== 0) this.watches.candidate(key);
    return v;
  }

  /** Whether the key exists (expired keys do not), without touching it. */
  exists(key: string): boolean {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
    return this.data.has(key);
  }

  /** Overwrite or create: clears the TTL unless keepTtl, as Redis's setKey does. */
  set(key: string, v: Value, keepTtl = false): void {
    const old = this.data.get(key);
    const before = old === undefined ? 0 : accounted(key, old);
    this.data.set(key, v);
    this.used += remeasure(key, v) - before;
    // An overwrite keeps the LFU counter (Redis's dbOverwrite keeps the old lru field) after the
    // one access of setKey's lookupKeyWrite.
    if (this.lfu === null) this.access.set(key, this.stamp());
    else this.access.set(key, old === undefined ? lfuInit(this.now) : lfuTouch(this.lfu, this.now, this.access.get(key)));
    if (!keepTtl && this.expires.size !== 0 && this.expires.delete(key)) this.used -= EXPIRE_OVERHEAD;
    if (this.rawStrings.size !== 0) this.rawStrings.delete(key);
    if (this.embStrings.size !== 0) this.embStrings.delete(key);
    if (this.watches.size !== 0) this.watches.modified(key);
  }

  /** Replace the value of an existing key in place (keeps its TTL). */
  update(key: string, v: Value): void {
    const old = this.data.get(key);
    const before = old === undefined ? 0 : accounted(key, old);
    this.data.set(key, v);
    this.used += remeasure(key, v) - before;
    if (this.rawStrings.size !== 0) this.rawStrings.delete(key);
    if (this.embStrings.size !== 0) this.embStrings.delete(key);
    if (this.watches.size !== 0) this.watches.modified(key);
  }

  /** Delete; true when the key existed (and was not expired). */
  del(key: string): boolean {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
    if (!this.data.has(key)) return false;
    this.remove(key);
    return true;
  }

  /**
   * RENAME: the value object moves with its TTL and encoding (Redis moves the same robj), and
   * an existing destination is dropped first. The caller checked that `src` exists.
   */
  rename(src: string, dst: string): void {
    const v = this.data.get(src)!;
    const at = this.expires.get(src);
    const raw = this.rawStrings.size !== 0 && this.rawStrings.has(src);
    const emb = this.embStrings.size !== 0 && this.embStrings.has(src);
    const acc = this.access.get(src);
    this.remove(dst);
    this.remove(src);
    this.data.set(dst, v);
    this.used += remeasure(dst, v);
    // The value moves with its LFU counter (the same robj in Redis).
    this.access.set(dst, this.lfu === null ? this.stamp() : acc ?? lfuInit(this.now));
    if (at !== undefined) this.setExpire(dst, at);
    if (raw) this.rawStrings.add(dst);
    if (emb) this.embStrings.add(dst);
  }

  /** A uniformly drawn live key (expired draws are removed and redrawn), or undefined. */
  randomKey(rng: Rng): string | undefined {
    let stale = 0;
    for (;;) {
      if (this.data.size === 0) return undefined;
      // Maps have no random access: draw from a snapshot of the key list, rebuilt when the
      // keyspace has drifted from it. Keys added since the snapshot wait for the next rebuild.
      const pool = this.randomPool;
      if (pool === null || stale > 4 || Math.abs(pool.length - this.data.size) > (pool.length >> 2)) {
        this.randomPool = [...this.data.keys()];
        stale = 0;
        continue;
      }
      const key = pool[rng.int(pool.length)]!;
      if (!this.data.has(key)) {
        stale++;
        continue;
      }
      if (this.expires.size !== 0 && this.expireIfNeeded(key)) continue;
      return key;
    }
  }

  private randomPool: string[] | null = null;

  private remove(key: string): void {
    const v = this.data.get(key);
    if (v !== undefined) this.used -= accounted(key, v);
    this.data.delete(key);
    if (this.expires.delete(key)) this.used -= EXPIRE_OVERHEAD;
    this.access.delete(key);
    if (this.rawStrings.size !== 0) this.rawStrings.delete(key);
    if (this.embStrings.size !== 0) this.embStrings.delete(key);
    if (this.watches.size !== 0) this.watches.modified(key);
  }

  setExpire(key: string, at: number): void {
    const n = this.expires.size;
    this.expires.set(key, at);
    if (this.expires.size !== n) this.used += EXPIRE_OVERHEAD;
    if (this.watches.size !== 0) this.watches.modified(key);
    if (at < this.earliestNewDeadline) this.earliestNewDeadline = at;
  }

  /** Absolute expiry in ms, or -1 when the key has none (caller checks existence first). */
  getExpire(key: string): number {
    return this.expires.get(key) ?? -1;
  }

  persist(key: string): boolean {
    const had = this.expires.delete(key);
    if (had) this.used -= EXPIRE_OVERHEAD;
    if (had && this.watches.size !== 0) this.watches.modified(key);
    return had;
  }

  flush(): number {
    const n = this.data.size;
    if (this.watches.size !== 0) this.watches.flushed((k) => this.data.has(k));
    this.randomPool = null;
    this.data.clear();
    this.expires.clear();
    this.access.clear();
    this.rawStrings.clear();
    this.embStrings.clear();
    this.used = this.watches.bytes; // watches survive a flush (their keys changed)
    this.onFlush();
    return n;
  }

  /**
   * Active expiry: remove up to `budget` expired keys. Returns the earliest deadline still
   * pending (Infinity when none), so the caller can set one alarm for it. Nothing expires while
   * loading, as in Redis.
   */
  activeExpire(budget = 100_000): number {
    let next = Infinity;
    let done = 0;
    if (this.loading) return this.expires.size ? this.now : Infinity;
    for (const [key, at] of this.expires) {
      if (at < this.now) {
        if (done >= budget) return this.now; // more to do: come back at once
        this.remove(key);
        this.onExpired(key);
        done++;
      } else if (at < next) next = at;
    }
    for (const fn of SUB_EXPIRERS) next = Math.min(next, fn(this, budget));
    // Ended REST watch leases go too: their memory counts in `used`.
    if (this.watches.size !== 0) next = Math.min(next, this.watches.expireLeases(this.now));
    this.earliestNewDeadline = Infinity;
    return next;
  }
}
