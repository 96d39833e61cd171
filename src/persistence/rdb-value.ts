// One value in RDB form (Redis 7.0): which type byte it gets and its body, for strings, lists,
// hashes, sets and sorted sets (streams: rdb-stream.ts); and loading every type Redis 7.0 loads
// (plus older ziplist forms and 7.2's set listpack) into our types, converting at the config's
// thresholds as Redis does on load.
import type { Value } from '../engine/keyspace.js';
import { List } from '../engine/types/list.js';
import { HashObj, hashEntries, hashSet, type HashLimits } from '../engine/types/hash.js';
import { INTSET, RSet, emptySet, type SetLimits } from '../engine/types/set.js';
import { ZSet, type ZCfg } from '../engine/types/zset.js';
import { isGet, isLen } from '../engine/encodings/intset.js';
import { Stream } from '../engine/types/stream.js';
import { fmtG17 } from '../protocol/numfmt.js';
import {
  QL_PACKED, QL_PLAIN, T_HASH, T_HASH_LISTPACK, T_HASH_ZIPLIST, T_LIST, T_LIST_QUICKLIST, T_LIST_QUICKLIST_2,
  T_LIST_ZIPLIST, T_SET, T_SET_INTSET, T_SET_LISTPACK, T_STREAM_LISTPACKS, T_STREAM_LISTPACKS_2,
  T_STREAM_LISTPACKS_3, T_STRING, T_HASH_METADATA, T_HASH_ZIPMAP, T_ZSET, T_ZSET_2, T_ZSET_LISTPACK, T_ZSET_ZIPLIST, fail, type Reader, type Writer,
} from './rdb-io.js';
import { intsetDecode, intsetEncode, lpDecode, lpEncode, zipDecode } from './rdb-listpack.js';
import { loadStream, saveStream, skipStream } from './rdb-stream.js';

/** The thresholds that decide encodings of loaded values (Redis reads them from its config). */
export interface LoadLimits {
  listFill: number;
  hash: HashLimits;
  set: SetLimits;
  zset: ZCfg;
}

/** Limits from a config (CONFIG names as Redis 7.0 has them). */
export function loadLimits(cfg: { int(name: string): number }, rng: ZCfg['rng']): LoadLimits {
  return {
    listFill: cfg.int('list-max-listpack-size'),
    hash: { entries: cfg.int('hash-max-listpack-entries'), value: cfg.int('hash-max-listpack-value') },
    set: {
      intsetEntries: cfg.int('set-max-intset-entries'),
      lpEntries: cfg.int('set-max-listpack-entries'),
      lpValue: cfg.int('set-max-listpack-value'),
    },
    zset: { entries: cfg.int('zset-max-listpack-entries'), value: cfg.int('zset-max-listpack-value'), rng },
  };
}

/** A small deterministic generator for skiplist levels when the caller gives none. */
class SeededLevels {
  private s = 0x9e3779b9;
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Redis 7.0's defaults. */
export function defaultLimits(): LoadLimits {
  return {
    listFill: -2,
    hash: { entries: 512, value: 64 },
    set: { intsetEntries: 512, lpEntries: 128, lpValue: 64 },
    zset: { entries: 128, value: 64, rng: new SeededLevels() },
  };
}

// ---- saving ----

/** A score as Redis 7.0's zzlInsertAt stores it: integral values as integers, else %.17g. */
function scoreText(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) <= 4611686018427387903) return BigInt(x).toString();
  return fmtG17(x);
}

/**
 * A hash with field deadlines: Redis 7.4's RDB_TYPE_HASH_METADATA layout (the minimum deadline,
 * then [ttl][field][value] with ttl = deadline - min + 1, or 0 for none). RDB 10 has no way to
 * carry field TTLs, and dropping them would resurrect expired fields, so Redis 7.0 refuses such a
 * payload ("Bad data format") rather than loading it wrong.
 */
function saveHashWithTtls(w: Writer, h: HashObj, pairs: Array<[string, string]>, key: string | null): void {
  let min = Infinity;
  for (const at of h.x!.t.values()) if (at < min) min = at;
  w.byte(T_HASH_METADATA);
  if (key !== null) w.str(key);
  w.ms(min).len(pairs.length);
  for (const [f, x] of pairs) {
    const at = h.x!.t.get(f);
    w.len(at === undefined ? 0 : at - min + 1).str(f).str(x);
  }
}

function loadHashWithTtls(r: Reader, lim: LoadLimits): HashObj {
  const min = r.ms();
  const n = r.len();
  const flat: string[] = [];
  const ttls = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = r.len();
    const f = r.str();
    flat.push(f, r.str());
    if (t !== 0) ttls.set(f, min + t - 1);
  }
  const h = buildHash(flat, lim);
  // The caller registers the hash with its keyspace (trackFieldTtls) once the key is stored.
  if (ttls.size) {
    // A loop, not Math.min(...): a spread of 120k+ deadlines overflows the stack.
    let least = Infinity;
    for (const at of ttls.values()) if (at < least) least = at;
    h.x = { min: least, t: ttls };
  }
  return h;
}

/** Write the value's type byte, then `key` (when given, as in RDB files), then its body. */
export function saveObject(w: Writer, v: Value, key: string | null): void {
  if (typeof v === 'string') {
    w.byte(T_STRING);
    if (key !== null) w.str(key);
    w.str(v);
    return;
  }
  switch (v.type) {
    case 'list': {
      const l = v as List;
      // The nodes as the list holds them (engine/types/list.ts fills them as Redis's quicklist).
      const nodes = l.nodeItems().map(lpEncode);
      w.byte(T_LIST_QUICKLIST_2);
      if (key !== null) w.str(key);
      w.len(nodes.length);
      for (const n of nodes) w.len(QL_PACKED).str(n);
      return;
    }
    case 'hash': {
      const h = v as HashObj;
      const pairs = hashEntries(h);
      if (h.x !== null && h.x.t.size !== 0) {
        saveHashWithTtls(w, h, pairs, key);
        return;
      }
      if (typeof h.d === 'string') {
        w.byte(T_HASH_LISTPACK);
        if (key !== null) w.str(key);
        const flat: string[] = [];
        for (const [f, x] of pairs) flat.push(f, x);
        w.str(lpEncode(flat));
        return;
      }
      w.byte(T_HASH);
      if (key !== null) w.str(key);
      w.len(pairs.length);
      for (const [f, x] of pairs) w.str(f).str(x);
      return;
    }
    case 'set': {
      const s = v as RSet;
      if (s.enc === INTSET) {
        const d = s.data as string;
        const vals: Array<number | bigint> = [];
        for (let i = 0, n = isLen(d); i < n; i++) vals.push(isGet(d, i));
        w.byte(T_SET_INTSET);
        if (key !== null) w.str(key);
        w.str(intsetEncode(vals));
        return;
      }
      // Redis 7.0 has no listpack set: small non-integer sets are hash tables there.
      const ms = s.members();
      w.byte(T_SET);
      if (key !== null) w.str(key);
      w.len(ms.length);
      for (const m of ms) w.str(m);
      return;
    }
    case 'zset': {
      const z = v as ZSet;
      const e = z.all();
      if (z.encoding === 'listpack') {
        w.byte(T_ZSET_LISTPACK);
        if (key !== null) w.str(key);
        const flat: string[] = [];
        for (let i = 0; i < e.m.length; i++) flat.push(e.m[i]!, scoreText(e.s[i]!));
        w.str(lpEncode(flat));
        return;
      }
      w.byte(T_ZSET_2);
      if (key !== null) w.str(key);
      w.len(e.m.length);
      // Tail to head, as Redis saves a skiplist (so loading inserts at the head).
      for (let i = e.m.length - 1; i >= 0; i--) w.str(e.m[i]!).binDouble(e.s[i]!);
      return;
    }
    case 'stream':
      saveStream(w, v as Stream, key);
      return;
  }
}

// ---- loading ----

/** `nodes`: keep each part as one node (quicklistAppendListpack), else push the items. */
function buildList(items: string[][], lim: LoadLimits, nodes = false): List {
  const l = new List(lim.listFill);
  let n = 0;
  for (const part of items) {
    if (part.length) {
      if (nodes) l.appendNode(part);
      else l.pushTail(part);
    }
    n += part.length;
  }
  if (n === 0) fail('empty list');
  return l;
}

function buildHash(flat: readonly string[], lim: LoadLimits): HashObj {
  if (flat.length === 0 || flat.length % 2) fail('bad hash length');
  const h = new HashObj();
  for (let i = 0; i < flat.length; i += 2) {
    if (!hashSet(h, flat[i]!, flat[i + 1]!, lim.hash)) fail('Duplicate hash fields detected');
  }
  return h;
}

function buildSet(ms: readonly string[], lim: LoadLimits): RSet {
  if (ms.length === 0) fail('empty set');
  const s = emptySet();
  // A set too big for an intset starts as a hash table, as Redis's loader does.
  if (ms.length > lim.set.intsetEntries) s.toHashtable();
  for (const m of ms) if (!s.add(m, lim.set)) fail('Duplicate set members detected');
  return s;
}

function parseScore(t: string): number {
  const l = t.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  const x = Number(t);
  if (t.trim() === '' || Number.isNaN(x)) fail('invalid zset score');
  return x;
}

function buildZset(m: string[], s: number[], lim: LoadLimits): ZSet {
  if (m.length === 0) fail('empty zset');
  const idx = m.map((_, i) => i);
  for (const x of s) if (Number.isNaN(x)) fail('Zset with NAN score detected');
  idx.sort((a, b) => s[a]! - s[b]! || (m[a]! < m[b]! ? -1 : m[a]! > m[b]! ? 1 : 0));
  const seen = new Set<string>();
  for (const x of m) {
    if (seen.has(x)) fail('Duplicate zset fields detected');
    seen.add(x);
  }
  return ZSet.fromSorted({ m: idx.map((i) => m[i]!), s: idx.map((i) => s[i]!) }, lim.zset);
}

function pairsOfPack(flat: string[]): { m: string[]; s: number[] } {
  if (flat.length % 2) fail('bad zset listpack');
  const m: string[] = [];
  const s: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    m.push(flat[i]!);
    s.push(parseScore(flat[i + 1]!));
  }
  return { m, s };
}

/** rdbLoadObject: the body of a value of RDB type `type`. Throws RdbError on corrupt data. */
export function loadObject(r: Reader, type: number, lim: LoadLimits): Value {
  switch (type) {
    case T_STRING:
      return r.str();
    case T_LIST: {
      const n = r.len();
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(r.str());
      return buildList([items], lim);
    }
    case T_LIST_ZIPLIST:
      return buildList([zipDecode(r.blob())], lim);
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2: {
      const n = r.len();
      const parts: string[][] = [];
      for (let i = 0; i < n; i++) {
        let container = QL_PACKED;
        if (type === T_LIST_QUICKLIST_2) {
          container = r.len();
          if (container !== QL_PACKED && container !== QL_PLAIN) fail('quicklist integrity check failed');
        }
        if (container === QL_PLAIN) {
          parts.push([r.str()]);
          continue;
        }
        const blob = r.blob();
        // Empty nodes are skipped, as Redis does.
        parts.push(type === T_LIST_QUICKLIST ? zipDecode(blob) : lpDecode(blob));
      }
      return buildList(parts, lim, true);
    }
    case T_HASH: {
      const n = r.len();
      const flat: string[] = [];
      for (let i = 0; i < n; i++) flat.push(r.str(), r.str());
      return buildHash(flat, lim);
    }
    case T_HASH_LISTPACK:
      return buildHash(lpDecode(r.blob()), lim);
    case T_HASH_ZIPLIST:
      return buildHash(zipDecode(r.blob()), lim);
    case T_HASH_METADATA:
      return loadHashWithTtls(r, lim);
    case T_SET: {
      const n = r.len();
      const ms: string[] = [];
      for (let i = 0; i < n; i++) ms.push(r.str());
      return buildSet(ms, lim);
    }
    case T_SET_INTSET:
      return buildSet(intsetDecode(r.blob()), lim);
    case T_SET_LISTPACK:
      return buildSet(lpDecode(r.blob()), lim);
    case T_ZSET:
    case T_ZSET_2: {
      const n = r.len();
      const m: string[] = [];
      const s: number[] = [];
      for (let i = 0; i < n; i++) {
        m.push(r.str());
        s.push(type === T_ZSET_2 ? r.binDouble() : r.oldDouble());
      }
      return buildZset(m, s, lim);
    }
    case T_ZSET_LISTPACK: {
      const { m, s } = pairsOfPack(lpDecode(r.blob()));
      return buildZset(m, s, lim);
    }
    case T_ZSET_ZIPLIST: {
      const { m, s } = pairsOfPack(zipDecode(r.blob()));
      return buildZset(m, s, lim);
    }
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
      return loadStream(r, type);
    default:
      return fail(`unknown RDB type ${type}`);
  }
}

/**
 * Step over the body of a value of RDB type `type` reading only its framing (lengths and string
 * boundaries), never building it. A loader that could not build a value resumes after it this
 * way; a throw here means the file's structure itself is corrupt (nothing after it can be found).
 */
export function skipObject(r: Reader, type: number): void {
  const strs = (n: number) => {
    for (let i = 0; i < n; i++) r.skipStr();
  };
  switch (type) {
    case T_STRING:
    case T_LIST_ZIPLIST:
    case T_HASH_ZIPMAP:
    case T_HASH_LISTPACK:
    case T_HASH_ZIPLIST:
    case T_SET_INTSET:
    case T_SET_LISTPACK:
    case T_ZSET_LISTPACK:
    case T_ZSET_ZIPLIST:
      return r.skipStr();
    case T_LIST:
    case T_SET:
      return strs(r.len());
    case T_HASH:
      return strs(2 * r.len());
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2: {
      const n = r.len();
      for (let i = 0; i < n; i++) {
        if (type === T_LIST_QUICKLIST_2) r.len();
        r.skipStr();
      }
      return;
    }
    case T_HASH_METADATA: {
      r.need(8);
      const n = r.len();
      for (let i = 0; i < n; i++) {
        r.len();
        r.skipStr();
        r.skipStr();
      }
      return;
    }
    case T_ZSET:
    case T_ZSET_2: {
      const n = r.len();
      for (let i = 0; i < n; i++) {
        r.skipStr();
        if (type === T_ZSET_2) r.need(8);
        else {
          const b = r.byte();
          if (b < 253) r.need(b);
        }
      }
      return;
    }
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
      return skipStream(r, type);
    default:
      // Module values (types 6, 7) carry framing only their module understands.
      return fail(`cannot step over a value of RDB type ${type}`);
  }
}
