// maxmemory: the eviction policies (Redis's evict.c — sampled LRU/LFU/TTL with a pool of the 16
// best candidates, random), the LFU log counter, and the budget check the shard runs per command.
//
// maxmemory is a per-shard budget: CONFIG SET applies it to every shard (each DO isolate has
// its own 128 MB), each shard compares its own estimated data (memory.ts) with it, and INFO's
// used_memory is the sum. With maxmemory 0 (or above it) the shard's SAFETY_BUDGET still applies.
import { Rng } from './clock.js';
import type { Config } from './config.js';
import type { Keyspace } from './keyspace.js';
import { SAFETY_BUDGET } from './memory.js';

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

// ---- LFU (Redis's Morris-style log counter) ----

export const LFU_INIT_VAL = 5;

/** What the keyspace needs to keep LFU counters while an LFU policy is selected. */
export interface Lfu {
  factor: number;
  decay: number;
  rng: Rng;
}

/**
 * The counter is packed as Redis packs its 24-bit lru field: 16 bits of minutes (the last
 * decrement time) then 8 bits of counter, so it stays a small integer in Keyspace.access.
 * LRU stamps (seconds since 2020) are always >= 2^24: a key not touched since the policy
 * changed reads as a fresh counter.
 */
const LFU_LIMIT = 1 << 24;

function minutes(now: number): number {
  return Math.floor(now / 60000) & 65535;
}

export function lfuInit(now: number): number {
  return (minutes(now) << 8) | LFU_INIT_VAL;
}

/** LFUDecrAndReturn: the counter after decaying one step per lfu-decay-time minutes elapsed. */
export function lfuDecr(l: Lfu | null, now: number, packed: number | undefined): number {
  if (packed === undefined || packed >= LFU_LIMIT) return LFU_INIT_VAL;
  const ldt = packed >>> 8;
  const counter = packed & 255;
  const m = minutes(now);
  const elapsed = m >= ldt ? m - ldt : 65535 - ldt + m;
  const decay = l?.decay ?? 1;
  const periods = decay ? Math.floor(elapsed / decay) : 0;
  return periods ? (periods > counter ? 0 : counter - periods) : counter;
}

/** updateLFU: decay, then a logarithmic increment (p = 1 / ((counter - 5) * factor + 1)). */
export function lfuTouch(l: Lfu, now: number, packed: number | undefined): number {
  let counter = lfuDecr(l, now, packed);
  if (counter < 255) {
    const base = counter - LFU_INIT_VAL;
    const p = 1 / ((base < 0 ? 0 : base) * l.factor + 1);
    if (l.rng.next() < p) counter++;
  }
  return (minutes(now) << 8) | counter;
}

// ---- policies ----

const EVPOOL_SIZE = 16;
/** Entries skipped at random between two samples (see Evictor.sample). */
const SKIP = 8;
/** Pool scores for volatile-ttl: later deadlines score lower. */
const TTL_BASE = Number.MAX_SAFE_INTEGER;

const enum Kind {
  None,
  Lru,
  Lfu,
  Ttl,
  Random,
}

type Cursor = Iterator<string> | null;

/**
 * One shard's eviction state. Maps have no random access, so sampling walks a persistent
 * iterator over the dictionary (the data or the expires Map) and skips a random 0..7 entries
 * between samples: every key is visited once per lap, windows land at random offsets, and the
 * 16-entry pool carries the best candidates across calls, which is what makes Redis's sampled
 * LRU approximate true LRU. A live Map iterator pins the Map's obsolete hash tables (and their
 * entries) until it advances, so it is dropped on FLUSHALL, on a policy change and when the Map
 * was resized a lot since; it restarts from the Map's start then.
 */
export class Evictor {
  /** The estimate a shard refuses or evicts at when maxmemory is 0 (tests lower it). */
  safety = SAFETY_BUDGET;
  private version = -1;
  private maxmemory = 0;
  private kind = Kind.None;
  private volatile = false;
  private samples = 5;
  private readonly poolKeys: (string | null)[] = new Array<string | null>(EVPOOL_SIZE).fill(null);
  private readonly poolScores = new Float64Array(EVPOOL_SIZE);
  private cursor: Cursor = null;
  private cursorOf: Map<string, unknown> | null = null;
  private cursorSize = 0;
  private readonly lfuRng = new Rng(0x1f0);

  /** The database candidates are taken from now (the one holding the most memory). */
  private db: Keyspace;

  constructor(
    /** The shard's databases (SELECT): the budget is theirs together, as Redis's used_memory. */
    private readonly dbs: () => ReadonlyArray<Keyspace | undefined>,
    private readonly config: Config,
    private readonly rng: Rng,
    /** Deletes an evicted key's value from `db` and records the eviction (DEL effect, stats, event). */
    private readonly onEvict: (key: string, db: Keyspace) => void,
  ) {
    this.db = dbs().find((k) => k !== undefined)!;
  }

  /** What the shard's databases hold together (the estimate maxmemory is compared with). */
  used(): number {
    // Every command asks: a plain loop (most shards have db 0 only).
    const dbs = this.dbs();
    let n = 0;
    for (let i = 0; i < dbs.length; i++) n += dbs[i]?.used ?? 0;
    return n;
  }

  /** The LFU settings a database made after the last sync starts with. */
  get lfu(): Keyspace['lfu'] {
    return this.kind === Kind.Lfu ? { factor: this.config.int('lfu-log-factor'), decay: this.config.int('lfu-decay-time'), rng: this.lfuRng } : null;
  }

  /** Candidates come from the db using the most memory (that has any in the policy's dict). */
  private pickDb(): void {
    let best: Keyspace | null = null;
    for (const k of this.dbs()) {
      if (!k) continue;
      if ((this.volatile ? k.expires.size : k.data.size) === 0) continue;
      if (!best || k.used > best.used) best = k;
    }
    if (best && best !== this.db) {
      this.db = best;
      this.poolKeys.fill(null); // the pool's keys are of the previous db
    }
  }

  /** Re-read the memory settings after CONFIG SET (cheap: a version check). */
  sync(): void {
    const v = this.config.version;
    if (v === this.version) return;
    this.version = v;
    this.maxmemory = Number(this.config.get('maxmemory'));
    this.samples = this.config.int('maxmemory-samples');
    const policy = this.config.get('maxmemory-policy');
    this.volatile = policy.startsWith('volatile-');
    this.kind = policy === 'noeviction' ? Kind.None
      : policy.endsWith('-lru') ? Kind.Lru
      : policy.endsWith('-lfu') ? Kind.Lfu
      : policy.endsWith('-ttl') ? Kind.Ttl
      : Kind.Random;
    const lfu = this.lfu;
    for (const k of this.dbs()) if (k) k.lfu = lfu;
    this.poolKeys.fill(null);
    this.dropCursor();
  }

  /** The budget in estimated bytes: maxmemory, capped by the isolate's safety budget. */
  get limit(): number {
    const m = this.maxmemory;
    return m > 0 && m < this.safety ? m : this.safety;
  }

  /**
   * performEvictions: evict per policy until the estimate fits the budget. False when it still
   * does not (noeviction, or no candidate left): the caller then refuses denyoom commands.
   */
  ensure(): boolean {
    let used = this.used();
    if (used <= this.limit) return true;
    if (this.kind === Kind.None) return false;
    const limit = this.limit;
    let ok = true;
    while (used > limit) {
      this.pickDb();
      const key = this.kind === Kind.Random ? this.randomCandidate() : this.poolCandidate();
      if (key === null) {
        ok = false;
        break;
      }
      const db = this.db;
      const before = db.used;
      this.onEvict(key, db);
      used -= before - db.used;
    }
    return ok;
  }

  private dict(): Map<string, unknown> {
    return this.volatile ? this.db.expires : this.db.data;
  }

  /** FLUSHALL: the old entries must not stay reachable through the iterator or the pool. */
  reset(): void {
    this.poolKeys.fill(null);
    this.dropCursor();
  }

  private dropCursor(): void {
    this.cursor = null;
    this.cursorOf = null;
  }

  /** The next sampled key of `dict` (after a random skip), or null when it is empty. */
  private sample(dict: Map<string, unknown>): string | null {
    if (dict.size === 0) return null;
    // A Map resized since the iterator was made is rehashed: restart rather than pin old tables.
    const drift = dict.size > 2 * this.cursorSize + 64 || 2 * dict.size + 64 < this.cursorSize;
    if (this.cursorOf !== dict || this.cursor === null || drift) {
      this.cursor = dict.keys();
      this.cursorOf = dict;
      this.cursorSize = dict.size;
    }
    let skip = dict.size > SKIP * this.samples ? this.rng.int(SKIP) : 0;
    for (let wrapped = 0; ; ) {
      const r = this.cursor!.next();
      if (r.done) {
        if (++wrapped > 1) return null;
        this.cursor = dict.keys();
        this.cursorSize = dict.size;
        continue;
      }
      if (skip-- > 0) continue;
      return r.value;
    }
  }

  private randomCandidate(): string | null {
    return this.sample(this.dict());
  }

  /** Higher is a better candidate: idle seconds, 255 - LFU counter, or how soon it expires. */
  private score(key: string): number {
    const db = this.db;
    switch (this.kind) {
      case Kind.Lru: {
        const at = db.access.get(key);
        return at === undefined ? 0 : db.stamp() - at;
      }
      case Kind.Lfu:
        return 255 - lfuDecr(db.lfu, db.now, db.access.get(key));
      default:
        return TTL_BASE - (db.expires.get(key) ?? TTL_BASE);
    }
  }

  /** evictionPoolPopulate + the pick from the pool's best end. */
  private poolCandidate(): string | null {
    const dict = this.dict();
    const keys = this.poolKeys;
    for (let round = 0; round < 4; round++) {
      const n = Math.min(this.samples, dict.size);
      if (n === 0) return null;
      for (let i = 0; i < n; i++) {
        const key = this.sample(dict);
        if (key === null) break;
        this.insert(key, this.score(key));
      }
      for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
        const key = keys[k];
        if (key === null || key === undefined) continue;
        keys[k] = null;
        if (dict.has(key)) return key;
      }
    }
    return null;
  }

  private insert(key: string, score: number): void {
    const keys = this.poolKeys;
    const sc = this.poolScores;
    for (let j = 0; j < EVPOOL_SIZE; j++) if (keys[j] === key) return; // already a candidate
    let k = 0;
    while (k < EVPOOL_SIZE && keys[k] !== null && sc[k]! < score) k++;
    if (k === 0 && keys[EVPOOL_SIZE - 1] !== null) return; // worse than every pooled candidate
    if (k < EVPOOL_SIZE && keys[k] === null) {
      // an empty slot: take it
    } else if (keys[EVPOOL_SIZE - 1] === null) {
      for (let j = EVPOOL_SIZE - 1; j > k; j--) {
        keys[j] = keys[j - 1]!;
        sc[j] = sc[j - 1]!;
      }
    } else {
      k--;
      for (let j = 0; j < k; j++) {
        keys[j] = keys[j + 1]!;
        sc[j] = sc[j + 1]!;
      }
    }
    keys[k] = key;
    sc[k] = score;
  }
}
