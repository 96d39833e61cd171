// The stream value: a sorted array of packed nodes (binary-searched by master ID, as Redis's
// radix tree of listpacks), the ID/counter metadata Redis 7.0 keeps, and consumer groups with
// their pending-entry lists.
import { registerType, type RObj } from '../keyspace.js';
import { F_DELETED, MAX_ID, StreamNode, type Entry, type SID } from '../encodings/stream-node.js';

export const INVALID_READ = -1n; // Redis's SCG_INVALID_ENTRIES_READ

/**
 * The Map key of a stream ID. V8 hashes a BigInt by its low 64 bits only, and the IDs of one
 * stream mostly share them (the sequence part: 0 for every generated ID), so a Map keyed by raw
 * IDs is one long collision chain — XREADGROUP of 40k entries took over a minute. XOR-ing the ms
 * part into the low word spreads them, and is a bijection (the ms part stays in the high word).
 */
export const idKey = (id: SID): bigint => id ^ (id >> 64n);

/** Index of the first of the sorted `k` that is >= id. */
function lowerIn(k: readonly SID[], id: SID): number {
  let lo = 0;
  let hi = k.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (k[m]! < id) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * A sorted set of IDs with a value per ID (pending-entry lists). A deletion only drops the value;
 * its ID leaves the sorted array at the next read of `keys`, in place, so that XACK of 100k IDs
 * is one pass instead of 100k splices (which took a minute). Readers see no difference.
 */
export class IdIndex<T> {
  private ids: SID[] = [];
  /** IDs in `ids` whose value was deleted. */
  private dead = 0;
  /** Values by idKey(id). */
  private readonly map = new Map<bigint, T>();
  get size(): number {
    return this.map.size;
  }
  /** The IDs in order. */
  get keys(): SID[] {
    if (this.dead) this.compact();
    return this.ids;
  }
  get(id: SID): T | undefined {
    return this.map.get(idKey(id));
  }
  /** Index in `keys` of the first key >= id. */
  lower(id: SID): number {
    return lowerIn(this.keys, id);
  }
  set(id: SID, v: T): void {
    const key = idKey(id);
    if (!this.map.has(key)) {
      const k = this.ids;
      if (k.length === 0 || k[k.length - 1]! < id) k.push(id);
      else {
        const p = lowerIn(k, id);
        if (k[p] === id) this.dead--; // deleted, not yet compacted away: live again in place
        else k.splice(p, 0, id);
      }
    }
    this.map.set(key, v);
  }
  delete(id: SID): boolean {
    if (!this.map.delete(idKey(id))) return false;
    // Compacted here too once most of the array is dead, so deleted IDs never pile up unread.
    if (++this.dead > 64 && this.dead > this.map.size) this.compact();
    return true;
  }
  private compact(): void {
    const k = this.ids;
    let w = 0;
    for (let r = 0; r < k.length; r++) {
      const id = k[r]!;
      if (this.map.has(idKey(id))) k[w++] = id;
    }
    k.length = w;
    this.dead = 0;
  }
}

export interface Consumer {
  name: string;
  seenTime: number;
  pel: IdIndex<Nack>;
}

export interface Nack {
  consumer: Consumer | null;
  time: number;
  count: number;
}

export interface Group {
  lastId: SID;
  entriesRead: bigint;
  pel: IdIndex<Nack>;
  consumers: Map<string, Consumer>;
}

export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: bigint;
  minid: SID;
  approx: boolean;
  /** 0 = no limit. */
  limit: number;
}

export class Stream implements RObj {
  /** Last measured size in bytes (engine/memory.ts): a field, far cheaper than a side table. */
  mem = 0;
  readonly type = 'stream' as const;
  nodes: StreamNode[] = [];
  length = 0;
  lastId: SID = 0n;
  firstId: SID = 0n;
  maxDeletedId: SID = 0n;
  entriesAdded = 0n;
  groups: Map<string, Group> | null = null;

  /** Append with an ID the caller validated (> lastId). */
  append(id: SID, fv: readonly string[], off: number, maxBytes: number, maxEntries: number): void {
    let node = this.nodes[this.nodes.length - 1];
    if (node) {
      let tot = 0;
      for (let i = off; i < fv.length; i++) tot += fv[i]!.length;
      const mb = maxBytes === 0 || maxBytes > 1 << 30 ? 1 << 30 : maxBytes;
      if (node.lpBytes + tot >= mb || (maxEntries && node.count >= maxEntries)) node = undefined;
    }
    if (!node) {
      const fields: string[] = [];
      for (let i = off; i < fv.length; i += 2) fields.push(fv[i]!);
      node = new StreamNode(id, fields);
      this.nodes.push(node);
    }
    node.append(id, fv, off, fv.length - off);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** Index of the node that may hold `id` (the last node whose master <= id), or -1. */
  nodeFor(id: SID): number {
    const ns = this.nodes;
    let lo = 0;
    let hi = ns.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (ns[m]!.master <= id) lo = m + 1;
      else hi = m;
    }
    return lo - 1;
  }

  /** Live entries with start <= id <= end, at most `count` (0 = all), forward or reverse. */
  range(start: SID, end: SID, count = 0, rev = false): Entry[] {
    const out: Entry[] = [];
    if (start > end || this.nodes.length === 0) return out;
    if (!rev) {
      for (let i = Math.max(0, this.nodeFor(start)); i < this.nodes.length; i++) {
        const n = this.nodes[i]!;
        if (n.master > end) break;
        if (n.lastId < start) continue;
        for (const e of n.entries()) {
          if (e.id < start || e.flags & F_DELETED) continue;
          if (e.id > end) return out;
          out.push(e);
          if (count && out.length >= count) return out;
        }
      }
    } else {
      for (let i = this.nodeFor(end); i >= 0; i--) {
        const n = this.nodes[i]!;
        if (n.lastId < start) break;
        const es = n.entries();
        for (let j = es.length - 1; j >= 0; j--) {
          const e = es[j]!;
          if (e.id > end || e.flags & F_DELETED) continue;
          if (e.id < start) return out;
          out.push(e);
          if (count && out.length >= count) return out;
        }
      }
    }
    return out;
  }

  /** The live entry with this ID, if any. */
  get(id: SID): Entry | undefined {
    const i = this.nodeFor(id);
    const e = i < 0 ? undefined : this.nodes[i]!.find(id);
    return e && !(e.flags & F_DELETED) ? e : undefined;
  }

  /** First (or last) live ID; Redis's streamGetEdgeID with tombstones skipped. Empty: max / 0-0. */
  edge(first: boolean): SID {
    const e = first ? this.range(0n, MAX_ID, 1) : this.range(0n, MAX_ID, 1, true);
    return e.length ? e[0]!.id : first ? MAX_ID : 0n;
  }

  /** First ID in the first node, tombstones included (what Redis logs for MINID rewrites). */
  firstWithTombstones(): SID {
    const n = this.nodes[0];
    return n ? n.entries()[0]!.id : MAX_ID;
  }

  /** XDEL of one ID; true when a live entry was removed. */
  delete(id: SID): boolean {
    const i = this.nodeFor(id);
    if (i < 0) return false;
    const n = this.nodes[i]!;
    const e = n.find(id);
    if (!e || e.flags & F_DELETED) return false;
    if (n.live === 1) this.nodes.splice(i, 1);
    else {
      n.markDeleted(e.off);
      n.live--;
      n.deleted++;
    }
    this.length--;
    return true;
  }

  /** Redis's streamTrim: whole nodes first, then (exact only) entries of the head node. */
  trim(a: TrimArgs): number {
    let deleted = 0;
    while (this.nodes.length) {
      if (a.strategy === 'maxlen' && BigInt(this.length) <= a.maxlen) break;
      const n = this.nodes[0]!;
      const entries = n.live;
      if (a.limit && deleted + entries > a.limit) break;
      const removeNode = a.strategy === 'maxlen' ? BigInt(this.length - entries) >= a.maxlen : n.lastId < a.minid;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      for (const e of n.entries()) {
        const stop = a.strategy === 'maxlen' ? BigInt(this.length) <= a.maxlen : e.id >= a.minid;
        if (stop) break;
        if (!(e.flags & F_DELETED)) {
          n.markDeleted(e.off);
          n.live--;
          n.deleted++;
          this.length--;
          deleted++;
        }
      }
      break;
    }
    this.firstId = this.length === 0 ? 0n : this.edge(true);
    return deleted;
  }

  /** Redis's streamRangeHasTombstones. */
  hasTombstones(start: SID | null, end: SID | null): boolean {
    const md = this.maxDeletedId;
    if (!this.length || md === 0n) return false;
    if (this.firstId > md) return false;
    return (start ?? 0n) <= md && md <= (end ?? MAX_ID);
  }

  /** Redis's streamEstimateDistanceFromFirstEverEntry. */
  estimateDistance(id: SID): bigint {
    if (!this.entriesAdded) return 0n;
    if (!this.length && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return INVALID_READ;
    const md = this.maxDeletedId;
    if (md === 0n || md < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length);
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return INVALID_READ;
  }

  /** Consumer-group lag (null when it cannot be known), as XINFO reports it. */
  lag(g: Group): bigint | null {
    if (!this.entriesAdded) return 0n;
    if (g.entriesRead !== INVALID_READ && !this.hasTombstones(g.lastId, null)) return this.entriesAdded - g.entriesRead;
    const r = this.estimateDistance(g.lastId);
    return r === INVALID_READ ? null : this.entriesAdded - r;
  }

  group(name: string): Group | undefined {
    return this.groups?.get(name);
  }

  createGroup(name: string, lastId: SID, entriesRead: bigint): Group | null {
    this.groups ??= new Map();
    if (this.groups.has(name)) return null;
    const g: Group = { lastId, entriesRead, pel: new IdIndex(), consumers: new Map() };
    this.groups.set(name, g);
    return g;
  }
}

export function createConsumer(g: Group, name: string, now: number): Consumer {
  const c: Consumer = { name, seenTime: now, pel: new IdIndex() };
  g.consumers.set(name, c);
  return c;
}

/** Names in Redis's rax order (bytewise), as XINFO and XPENDING list them. */
export function sortedNames<T>(m: Map<string, T> | null): string[] {
  if (!m) return [];
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function cloneStream(v: RObj): RObj {
  const s = v as Stream;
  const t = new Stream();
  t.nodes = s.nodes.map((n) => n.clone());
  t.length = s.length;
  t.lastId = s.lastId;
  t.firstId = s.firstId;
  t.maxDeletedId = s.maxDeletedId;
  t.entriesAdded = s.entriesAdded;
  if (s.groups) {
    t.groups = new Map();
    for (const [name, g] of s.groups) {
      const ng: Group = { lastId: g.lastId, entriesRead: g.entriesRead, pel: new IdIndex(), consumers: new Map() };
      for (const [cn, c] of g.consumers) ng.consumers.set(cn, { name: cn, seenTime: c.seenTime, pel: new IdIndex() });
      for (const id of g.pel.keys) {
        const nk = g.pel.get(id)!;
        const owner = nk.consumer ? ng.consumers.get(nk.consumer.name)! : null;
        const copy: Nack = { consumer: owner, time: nk.time, count: nk.count };
        ng.pel.set(id, copy);
        owner?.pel.set(id, copy);
      }
      t.groups.set(name, ng);
    }
  }
  return t;
}

registerType('stream', { clone: cloneStream, encoding: () => 'stream' });
