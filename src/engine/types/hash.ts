// The hash type: a packed string (Redis's listpack) converted once to a Map (hashtable) at
// Redis's thresholds, plus optional per-field deadlines (Redis 7.4's hash field expiry) with
// lazy reclamation on access and an active pass the keyspace runs with its own expiry.
import { registerSubExpirer, registerType, type Keyspace, type RObj } from '../keyspace.js';
import { EMPTY_PACK, packCount, packDel, packEach, packFind, packFrom, packGet, packSet } from '../encodings/hash-pack.js';

/** Field deadlines of one hash; `min` is a lower bound of them (exact after each sweep). */
export interface FieldTtls {
  min: number;
  t: Map<string, number>;
}

export class HashObj implements RObj {
  /** Last measured size in bytes (engine/memory.ts): a field, far cheaper than a side table. */
  mem = 0;
  /** Packed (listpack) or a Map (hashtable); never converted back, as Redis 7.0. */
  d: string | Map<string, string>;
  /** Created on the first field TTL; its presence makes a packed hash report "listpackex". */
  x: FieldTtls | null = null;
  constructor(d: string | Map<string, string> = EMPTY_PACK) {
    this.d = d;
  }
  // On the prototype, so it costs no per-hash slot.
  get type(): 'hash' {
    return 'hash';
  }
}

export interface HashLimits {
  entries: number;
  value: number;
}

export function hashLen(h: HashObj): number {
  return typeof h.d === 'string' ? packCount(h.d) : h.d.size;
}

export function hashGet(h: HashObj, f: string): string | undefined {
  return typeof h.d === 'string' ? packGet(h.d, f) : h.d.get(f);
}

export function hashHas(h: HashObj, f: string): boolean {
  return typeof h.d === 'string' ? packFind(h.d, f) !== null : h.d.has(f);
}

/**
 * A copy of s[a, b) that does not keep the packed string alive: V8 slices of 13+ chars are
 * views into their parent, which would pin the old listpack once its values move into a Map.
 */
function detach(s: string): string {
  if (s.length < 13) return s;
  const codes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += 8192) parts.push(String.fromCharCode.apply(null, codes.slice(i, i + 8192)));
  return parts.join('');
}

export function toHashtable(h: HashObj): void {
  if (typeof h.d !== 'string') return;
  const m = new Map<string, string>();
  packEach(h.d, (f, v) => {
    m.set(detach(f), detach(v));
  });
  h.d = m;
}

/**
 * Set a field (hashTypeSet): a field or value longer than the value limit converts first, more
 * entries than the limit convert after. Returns true when the field is new. Clears the field's
 * TTL unless keepTtl (HINCRBY* keep it, HSET does not).
 */
export function hashSet(h: HashObj, f: string, v: string, lim: HashLimits, keepTtl = false): boolean {
  if (typeof h.d === 'string' && (f.length > lim.value || v.length > lim.value)) toHashtable(h);
  let added: boolean;
  if (typeof h.d === 'string') {
    const r = packSet(h.d, f, v);
    h.d = r.s;
    added = r.added;
    if (added && packCount(h.d) > lim.entries) toHashtable(h);
  } else {
    added = !h.d.has(f);
    h.d.set(f, v);
  }
  if (!keepTtl && h.x !== null) h.x.t.delete(f);
  return added;
}

export function hashDel(h: HashObj, f: string): boolean {
  let done: boolean;
  if (typeof h.d === 'string') {
    const s = packDel(h.d, f);
    done = s !== null;
    if (s !== null) h.d = s;
  } else done = h.d.delete(f);
  if (done && h.x !== null) h.x.t.delete(f);
  return done;
}

/** Visit fields in the encoding's order (insertion order for both here). */
export function hashEach(h: HashObj, fn: (f: string, v: string) => boolean | void): void {
  if (typeof h.d === 'string') packEach(h.d, fn);
  else for (const [f, v] of h.d) if (fn(f, v) === false) return;
}

export function hashEntries(h: HashObj): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  hashEach(h, (f, v) => {
    out.push([f, v]);
  });
  return out;
}

export function hashFrom(pairs: ReadonlyArray<readonly [string, string]>): HashObj {
  return new HashObj(packFrom(pairs));
}

// ---- per-field expiry ----

/** Deadline of a field in ms, or undefined when it has none. */
export function fieldTtl(h: HashObj, f: string): number | undefined {
  return h.x === null ? undefined : h.x.t.get(f);
}

/** Per keyspace: key → hash holding field deadlines (the active pass walks these). */
const INDEX = new WeakMap<Keyspace, Map<string, HashObj>>();

function indexOf(db: Keyspace): Map<string, HashObj> {
  let m = INDEX.get(db);
  if (!m) INDEX.set(db, (m = new Map()));
  return m;
}

/** Give the field a deadline (the caller checked it exists and the time is in the future). */
export function setFieldTtl(db: Keyspace, key: string, h: HashObj, f: string, at: number): void {
  if (h.x === null) h.x = { min: at, t: new Map() };
  h.x.t.set(f, at);
  if (at < h.x.min || h.x.t.size === 1) h.x.min = at;
  indexOf(db).set(key, h);
  if (at < db.earliestNewDeadline) db.earliestNewDeadline = at;
}

/** The first field TTL command on a packed hash makes it listpackex, as Redis 7.4. */
export function markFieldTtls(h: HashObj): void {
  if (h.x === null) h.x = { min: Infinity, t: new Map() };
}

export function persistField(h: HashObj, f: string): boolean {
  return h.x !== null && h.x.t.delete(f);
}

/**
 * Remove the hash's fields whose deadline has passed (now > deadline), log them as one HDEL, and
 * delete the key when nothing is left. Returns true when the key was deleted. Nothing expires
 * while the log is replayed: the log carries the HDELs.
 */
export function expireFields(db: Keyspace, key: string, h: HashObj, now: number): boolean {
  const x = h.x;
  if (x === null || x.t.size === 0 || x.min >= now || db.loading) return false;
  const gone: string[] = [];
  let min = Infinity;
  for (const [f, at] of x.t) {
    if (at < now) gone.push(f);
    else if (at < min) min = at;
  }
  x.min = min;
  if (gone.length === 0) return false;
  for (const f of gone) hashDel(h, f);
  db.onEffect(['HDEL', key, ...gone]);
  if (hashLen(h) === 0) {
    db.del(key);
    return true;
  }
  return false;
}

/** Keep the hash in the active index while it has deadlines (e.g. after RENAME or COPY). */
export function trackFieldTtls(db: Keyspace, key: string, h: HashObj): void {
  if (h.x !== null && h.x.t.size !== 0) {
    const idx = indexOf(db);
    if (idx.get(key) !== h) idx.set(key, h);
  }
}

/**
 * Active field expiry (run by Keyspace.activeExpire): reclaim due fields of every indexed hash,
 * dropping index entries whose key no longer holds that hash. Returns the earliest deadline left.
 */
export function activeExpireFields(db: Keyspace, budget: number): number {
  const idx = INDEX.get(db);
  if (!idx || idx.size === 0) return Infinity;
  let next = Infinity;
  let done = 0;
  for (const [key, h] of idx) {
    if (db.data.get(key) !== h || h.x === null || h.x.t.size === 0) {
      idx.delete(key);
      continue;
    }
    if (h.x.min < db.now) {
      if (done >= budget) return db.now;
      done += 1;
      if (expireFields(db, key, h, db.now)) {
        idx.delete(key);
        continue;
      }
      if (h.x.t.size === 0) {
        idx.delete(key);
        continue;
      }
    }
    if (h.x.min < next) next = h.x.min;
  }
  return next;
}

registerSubExpirer(activeExpireFields);

registerType('hash', {
  clone(v) {
    const h = v as HashObj;
    const c = new HashObj(typeof h.d === 'string' ? h.d : new Map(h.d));
    if (h.x !== null) c.x = { min: h.x.min, t: new Map(h.x.t) };
    return c;
  },
  encoding(v) {
    const h = v as HashObj;
    return typeof h.d !== 'string' ? 'hashtable' : h.x !== null ? 'listpackex' : 'listpack';
  },
});
