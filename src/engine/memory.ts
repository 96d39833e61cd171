// The shard's memory estimate: bytes per key (overhead + key + value), kept as a running total
// by the keyspace so the maxmemory check is O(1), and INFO's used_memory reads it directly.
//
// The estimate is monotone and roughly proportional to V8 heap use, not exact: a string value
// is its length (flat one-byte strings cost ~1 B per char), a packed collection its packed
// string's length, a big encoding its element count × (a per-element overhead + the average
// element length of a few sampled elements). Each measurement is O(1) (bounded sampling), so
// re-measuring a collection after every write to it stays cheap.
import type { RObj, Value } from './keyspace.js';
import type { HashObj } from './types/hash.js';
import type { List } from './types/list.js';
import type { RSet } from './types/set.js';
import type { ZSet } from './types/zset.js';
import type { Stream } from './types/stream.js';

/**
 * Per key: the data Map entry, the access Map entry and the key's string header. Measured:
 * 1M keys of 16 B + 32 B values cost ~109 B/key of heap, so ~61 B beyond the bytes themselves.
 */
export const KEY_OVERHEAD = 64;
/** A deadline in the expires Map: an entry plus the (heap) number. */
export const EXPIRE_OVERHEAD = 32;
/** A collection object's header and fields. */
const OBJ_OVERHEAD = 48;
/** A Map/Set entry (hash table slot + chain) plus a string header for each stored string. */
const MAP_ENTRY = 40;
const STR_HEADER = 16;
/** A skiplist node: score, back, forward links, level, plus the member index entry. */
const ZNODE = 64;
/** A pending entry (IdIndex key + Map entry + Nack object). */
const NACK = 96;
/** How many elements a big encoding's average element size is sampled from. */
const SAMPLE = 8;

/**
 * Where the isolate's 128 MB stops being safe: with maxmemory 0 a shard still refuses writes
 * (OOM, or evicts under an eviction policy) once its estimated data passes this budget, so an
 * isolate answers OOM rather than being killed for exceeding its memory limit. The rest of the
 * isolate is the runtime, the log buffers, snapshots in progress and the estimate's error.
 */
export const SAFETY_BUDGET = 100 * 1024 * 1024;

// Each collection's last measured size is kept in its `mem` field. The keyspace's running total
// is the sum of these (and of the strings' exact sizes), so a collection mutated in place is
// re-measured after the command and only the difference is applied. (A WeakMap side table cost
// ~42 B per collection — more than a small hash's fields.)

/** The size a value contributes now, as last measured (strings are measured exactly). */
export function accounted(key: string, v: Value): number {
  if (typeof v === 'string') return KEY_OVERHEAD + key.length + v.length;
  return KEY_OVERHEAD + key.length + v.mem;
}

/** Measure a value afresh and remember the result; returns what it contributes. */
export function remeasure(key: string, v: Value): number {
  if (typeof v === 'string') return KEY_OVERHEAD + key.length + v.length;
  const b = objectBytes(v);
  v.mem = b;
  return KEY_OVERHEAD + key.length + b;
}

/** Estimated bytes of a non-string value (see the file comment for the model). */
export function objectBytes(v: RObj): number {
  switch (v.type) {
    case 'hash': {
      const h = v as HashObj;
      let b = OBJ_OVERHEAD + (typeof h.d === 'string' ? h.d.length : iterBytes(h.d.size, h.d, 2));
      if (h.x !== null) b += h.x.t.size * MAP_ENTRY;
      return b;
    }
    case 'set': {
      const d = (v as RSet).data;
      return OBJ_OVERHEAD + (typeof d === 'string' ? d.length : iterBytes(d.size, d.values(), 1));
    }
    case 'zset': {
      const z = v as ZSet;
      if (z.p !== null) return OBJ_OVERHEAD + z.p.length;
      const n = z.dict!.size;
      return OBJ_OVERHEAD + iterBytes(n, z.dict!.keys(), 1) + n * (ZNODE - MAP_ENTRY + 8);
    }
    case 'list':
      return OBJ_OVERHEAD + listBytes(v as List);
    case 'stream':
      return OBJ_OVERHEAD + streamBytes(v as Stream);
  }
}

/**
 * n entries of a Map (pairs) or a Set/iterator (single strings): per-entry overhead plus the
 * average length of the first few, times n.
 */
function iterBytes(n: number, it: Iterable<unknown>, strs: 1 | 2): number {
  if (n === 0) return 0;
  let len = 0;
  let k = 0;
  for (const e of it) {
    if (strs === 2) {
      const [f, x] = e as [string, string];
      len += f.length + x.length;
    } else len += (e as string).length;
    if (++k >= SAMPLE) break;
  }
  return n * (MAP_ENTRY + strs * STR_HEADER) + Math.round((len / k) * n);
}

/** A quicklist: its node strings; past a few nodes, bytes per element from the ends × length. */
function listBytes(l: List): number {
  const q = l.q;
  if (typeof q === 'string') return q.length;
  const nodes = (l.tl - l.hd) >> 1;
  if (nodes <= SAMPLE) {
    let b = 0;
    for (let i = l.hd; i < l.tl; i += 2) b += (q[i] as string).length + STR_HEADER;
    return b;
  }
  let b = 0;
  let c = 0;
  for (let j = 0; j < SAMPLE / 2; j++) {
    const a = l.hd + 2 * j;
    const z = l.tl - 2 - 2 * j;
    b += (q[a] as string).length + (q[z] as string).length;
    c += (q[a + 1] as number) + (q[z + 1] as number);
  }
  return Math.round((b / Math.max(1, c)) * l.len) + nodes * STR_HEADER;
}

/** A stream: its nodes' listpack bytes (sampled past a few nodes) plus groups and their PELs. */
function streamBytes(s: Stream): number {
  const ns = s.nodes;
  let b = 0;
  if (ns.length <= SAMPLE) {
    for (const n of ns) b += n.lpBytes + OBJ_OVERHEAD;
  } else {
    let c = 0;
    for (let j = 0; j < SAMPLE / 2; j++) {
      const a = ns[j]!;
      const z = ns[ns.length - 1 - j]!;
      b += a.lpBytes + z.lpBytes;
      c += a.count + z.count;
    }
    b = Math.round((b / Math.max(1, c)) * s.length) + ns.length * OBJ_OVERHEAD;
  }
  if (s.groups !== null) {
    for (const g of s.groups.values()) {
      b += OBJ_OVERHEAD + MAP_ENTRY + g.pel.size * NACK;
      b += g.consumers.size * (OBJ_OVERHEAD + MAP_ENTRY);
    }
  }
  return b;
}
