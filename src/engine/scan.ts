// SCAN's shard side: cursors that name live Map iterators, and the walk that never misses a key.
// A JS Map iterator survives deletions and also yields keys appended after it was made, so a
// key present for the whole scan is always reached. Each shard keeps a small LRU of iterators;
// a cursor it no longer holds (evicted, reused, or from before a restart) restarts that shard's
// walk from the beginning: duplicates are allowed by SCAN's contract, misses are not.
import type { Keyspace } from './keyspace.js';
import type { Rng } from './clock.js';

/** Live iterators kept per shard; beyond this the least recently used one is dropped. */
export const SCAN_CACHE_SIZE = 256;
/** Iterator ids per epoch; ids are reused only after this many cursors (long after eviction). */
const ID_SPACE = 2 ** 20;
/** Session cursors are `local * shards + shard` and must stay exact doubles (< 2^53). */
const GLOBAL_SPACE = 2 ** 53;

interface ScanState {
  epoch: number;
  nextId: number;
  /** id → iterator; Map order is the LRU order (oldest first). */
  live: Map<number, Iterator<string>>;
}

const STATES = new WeakMap<Keyspace, ScanState>();

/** How many distinct epochs a shard's local cursor can carry given the shard count. */
function epochs(shards: number): number {
  return Math.max(1, Math.floor(GLOBAL_SPACE / Math.max(1, shards) / ID_SPACE));
}

function state(db: Keyspace, rng: Rng, now: number, shards: number): ScanState {
  let st = STATES.get(db);
  if (!st) {
    // The epoch marks this in-memory instance: cursors from before a restart find no iterator
    // here even if the seeded RNG repeats, because the clock part differs.
    const n = epochs(shards);
    const epoch = (rng.int(n) + (now % n)) % n;
    st = { epoch, nextId: 1 + rng.int(ID_SPACE - 1), live: new Map() };
    STATES.set(db, st);
  }
  return st;
}

export interface ScanStep {
  /** The next shard-local cursor; 0 when this shard's walk is complete. */
  next: number;
  keys: string[];
}

/**
 * Visit up to `count` keys of this shard from `cursor` (0 = start), keeping those `accept`
 * returns true for. `accept` may delete the key it is given (lazy expiry): the walk goes on.
 */
export function scanShard(
  db: Keyspace, rng: Rng, now: number, shards: number,
  cursor: number, count: number, accept: (key: string) => boolean,
): ScanStep {
  const st = state(db, rng, now, shards);
  let it: Iterator<string> | undefined;
  if (cursor !== 0 && Math.floor(cursor / ID_SPACE) === st.epoch) {
    const id = cursor % ID_SPACE;
    it = st.live.get(id);
    // A cursor is single-use: reusing one would resume a walk that has moved on.
    if (it) st.live.delete(id);
  }
  it ??= db.data.keys();
  const keys: string[] = [];
  for (let visited = 0; visited < count; visited++) {
    const r = it.next();
    if (r.done) return { next: 0, keys };
    if (accept(r.value)) keys.push(r.value);
  }
  const id = st.nextId;
  st.nextId = id + 1 >= ID_SPACE ? 1 : id + 1;
  st.live.set(id, it);
  if (st.live.size > SCAN_CACHE_SIZE) st.live.delete(st.live.keys().next().value!);
  return { next: st.epoch * ID_SPACE + id, keys };
}

/** Drop every live iterator of this shard (tests; a shard that wants its memory back). */
export function resetScans(db: Keyspace): void {
  STATES.delete(db);
}

/**
 * Redis's parseScanCursorOrReply: strtoul base 10 — optional sign, leading zeros, "" is 0,
 * "-n" wraps modulo 2^64; no leading space, no trailing junk, no overflow. Null when invalid.
 */
export function parseCursor(s: string): bigint | null {
  if (s === '') return 0n;
  const m = /^([+-]?)(\d+)$/.exec(s);
  if (!m) return null;
  let v = BigInt(m[2]!);
  if (v > 0xffffffffffffffffn) return null;
  if (m[1] === '-') v = (0x10000000000000000n - v) & 0xffffffffffffffffn;
  return v;
}

/**
 * The keyspace's cache of live walks inside one value (HSCAN, SSCAN, ZSCAN): cursor → the
 * iterator it resumes and the collection it walks. One per keyspace (Keyspace.cursors), so shards
 * sharing an isolate never share cursors. A cursor not held (evicted, from another collection or
 * from before a restart) restarts the walk: duplicates are allowed by SCAN's contract, misses are
 * not. Ids start at a random point so a restarted shard's cursors rarely name an old one.
 */
export class ValueCursors {
  private readonly live = new Map<number, { of: object; it: Iterator<unknown> }>();
  private next = 0;

  constructor(private readonly keep = SCAN_CACHE_SIZE) {}

  /** The walk `cursor` names over `of`, taken out of the cache; undefined: start over. */
  take<T>(cursor: bigint, of: object): Iterator<T> | undefined {
    if (cursor === 0n || cursor > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const id = Number(cursor);
    const e = this.live.get(id);
    if (!e || e.of !== of) return undefined;
    this.live.delete(id);
    return e.it as Iterator<T>;
  }

  /** Keep a walk to resume; returns its cursor (never 0). */
  put(of: object, it: Iterator<unknown>, rng: Rng): number {
    if (this.next === 0) this.next = 1 + rng.int(2 ** 40);
    const id = this.next;
    this.next = id + 1 >= GLOBAL_SPACE ? 1 : id + 1;
    this.live.set(id, { of, it });
    if (this.live.size > this.keep) this.live.delete(this.live.keys().next().value!);
    return id;
  }
}
