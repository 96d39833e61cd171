// Generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, KEYS, SCAN,
// RANDOMKEY and OBJECT. The expiry commands live in keys-expire.ts.
import { E, NIL, OK, ZERO, ONE, arr, bulk, err, int, simple, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { Rng } from '../engine/clock.js';
import { compileGlob } from '../engine/glob.js';
import { lfuDecr } from '../engine/evict.js';
import { cloneValue, encodingOf, typeOf, type Value } from '../engine/keyspace.js';
import { parseCursor, scanShard } from '../engine/scan.js';
import { scanArgs } from './args.js';
import { helpReply } from './help.js';
import type { CommandSpec, ConnCtx, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';

function del(c: Ctx, argv: string[]): Frame {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.del(argv[i]!)) n++;
  c.dirty += n;
  return int(n);
}

function exists(c: Ctx, argv: string[]): Frame {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]!, false) !== undefined) n++;
  return int(n);
}

function touch(c: Ctx, argv: string[]): Frame {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]!) !== undefined) n++;
  return int(n);
}

function type(c: Ctx, argv: string[]): Frame {
  const v = c.db.read(argv[1]!, false);
  return simple(v === undefined ? 'none' : typeOf(v));
}

/** RENAME / RENAMENX: an existing source is required even when both names are the same. */
function renameGeneric(c: Ctx, argv: string[], nx: boolean): Frame {
  const src = argv[1]!;
  const dst = argv[2]!;
  if (c.db.get(src) === undefined) return E.noKey;
  if (src === dst) return nx ? ZERO : OK;
  if (c.db.get(dst) !== undefined && nx) return ZERO;
  c.db.rename(src, dst);
  c.dirty++;
  return nx ? ONE : OK;
}

const rename = (c: Ctx, argv: string[]) => renameGeneric(c, argv, false);
const renamenx = (c: Ctx, argv: string[]) => renameGeneric(c, argv, true);

/** A db index argument as Redis's getIntFromObjectOrReply(…, NULL) reads it: an int, or the error. */
function dbArg(s: string): number | Frame {
  const n = parseI64(s);
  if (n === null) return E.notInt;
  if (n > 2147483647n || n < -2147483648n) return err('ERR value is out of range, value must between -2147483648 and 2147483647');
  return Number(n);
}

const inRange = (c: Ctx, n: number) => n >= 0 && n < c.databases;

/** COPY source destination [DB destination-db] [REPLACE] (Redis's copyCommand). */
function copy(c: Ctx, argv: string[]): Frame {
  let replace = false;
  let dbid = c.dbIndex;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j]!.toLowerCase();
    if (a === 'replace') replace = true;
    else if (a === 'db' && j + 1 < argv.length) {
      const n = dbArg(argv[++j]!);
      if (typeof n !== 'number') return n;
      if (!inRange(c, n)) return err('ERR DB index is out of range');
      dbid = n;
    } else return E.syntax;
  }
  if (c.shard.cluster && (c.dbIndex !== 0 || dbid !== 0)) return err('ERR Copying to another database is not allowed in cluster mode');
  const src = argv[1]!;
  const dst = argv[2]!;
  if (dbid === c.dbIndex && src === dst) return err('ERR source and destination objects are the same');
  const v = c.db.read(src);
  if (v === undefined) return ZERO;
  const at = c.db.getExpire(src);
  const to = c.keyspace(dbid);
  to.now = c.now;
  if (to.get(dst) !== undefined) {
    if (!replace) return ZERO;
    to.del(dst);
  }
  const raw = c.db.rawStrings.has(src);
  const emb = c.db.embStrings.has(src);
  to.set(dst, cloneValue(v));
  if (raw) to.rawStrings.add(dst);
  if (emb) to.embStrings.add(dst);
  if (at !== -1) to.setExpire(dst, at);
  c.dirty++;
  if (dbid !== c.dbIndex) {
    c.notify('g', 'copy_to', dst, dbid);
    c.signalDb = dbid;
  }
  return ONE;
}

/** MOVE key db (Redis's moveCommand): the value with its TTL, unless the target has the key. */
function move(c: Ctx, argv: string[]): Frame {
  if (c.shard.cluster) return err('ERR MOVE is not allowed in cluster mode');
  const key = argv[1]!;
  const n = dbArg(argv[2]!);
  if (typeof n !== 'number') return n;
  if (!inRange(c, n)) return err('ERR DB index is out of range');
  if (n === c.dbIndex) return err('ERR source and destination objects are the same');
  const v = c.db.get(key);
  if (v === undefined) return ZERO;
  const at = c.db.getExpire(key);
  const to = c.keyspace(n);
  to.now = c.now;
  if (to.get(key) !== undefined) return ZERO;
  const raw = c.db.rawStrings.has(key);
  const emb = c.db.embStrings.has(key);
  to.set(key, v);
  if (raw) to.rawStrings.add(key);
  if (emb) to.embStrings.add(key);
  if (at !== -1) to.setExpire(key, at);
  c.db.del(key);
  c.dirty++;
  c.notify('g', 'move_from', key);
  c.notify('g', 'move_to', key, n);
  c.signalDb = n; // the key is ready for the target db's blocked clients
  return ONE;
}

/** SWAPDB index1 index2 on one shard (the session sends it to every shard). */
function swapdb(c: Ctx, argv: string[]): Frame {
  if (c.shard.cluster) return err('ERR SWAPDB is not allowed in cluster mode');
  const a = parseI64(argv[1]!);
  if (a === null || a > 2147483647n || a < -2147483648n) return err('ERR invalid first DB index');
  const b = parseI64(argv[2]!);
  if (b === null || b > 2147483647n || b < -2147483648n) return err('ERR invalid second DB index');
  const x = Number(a);
  const y = Number(b);
  if (!inRange(c, x) || !inRange(c, y)) return err('ERR DB index is out of range');
  if (x !== y) c.swapDbs(x, y);
  c.dirty++; // Redis propagates SWAPDB also when both indexes are the same
  return OK;
}

/** KEYS on one shard (the session concatenates the shards' answers). Skips expired keys. */
function keys(c: Ctx, argv: string[]): Frame {
  const m = compileGlob(argv[1]!);
  const out: Frame[] = [];
  const db = c.db;
  if (m.kind === 'exact') {
    if (db.data.has(m.literal) && !db.isExpired(m.literal)) out.push(bulk(m.literal));
    return arr(out);
  }
  const volatile = db.expires.size !== 0;
  for (const k of db.data.keys()) {
    if (m(k) && !(volatile && db.isExpired(k))) out.push(bulk(k));
  }
  return arr(out);
}

/** Shard side of SCAN: argv carries this shard's local cursor. */
function scanRun(c: Ctx, argv: string[]): Frame {
  const cur = parseCursor(argv[1]!);
  if (cur === null) return err('ERR invalid cursor');
  const o = scanArgs(argv, 2, true);
  if ('t' in o) return o;
  const db = c.db;
  const m = o.match;
  // Redis's order: pattern, then type (a lookup, which expires), then expiry.
  const accept = (k: string): boolean => {
    if (m !== null && !m(k)) return false;
    if (o.type !== null) {
      const v = db.read(k, false);
      if ((v === undefined ? 'none' : typeOf(v)) !== o.type) return false;
    }
    return !(db.expires.size !== 0 && db.expireIfNeeded(k));
  };
  const local = cur < 2n ** 53n ? Number(cur) : -1; // not one of ours: restart this shard
  const r = scanShard(db, c.rng, c.now, c.shard.count, local, o.count, accept);
  return arr([bulk(String(r.next)), arr(r.keys.map(bulk))]);
}

/**
 * Session side of SCAN: the cursor is `local * shards + shard`; shards are walked in order and
 * a finished shard hands over to the next one (cursor = its index, local 0 = start). While the
 * reply holds fewer than COUNT keys, a finished shard's walk goes straight on to the next shard,
 * so a small keyspace comes back in one call as it does from Redis.
 */
async function scanConn(c: ConnCtx, argv: string[]): Promise<Frame> {
  const cur = parseCursor(argv[1]!);
  if (cur === null) return err('ERR invalid cursor');
  const o = scanArgs(argv, 2, true);
  if ('t' in o) return o;
  const n = c.slots.shards;
  let shard = Number(cur % BigInt(n));
  let local = String(cur / BigInt(n));
  const found: Frame[] = [];
  for (;;) {
    const reply = await c.exec(shard, ['SCAN', local, ...argv.slice(2)]);
    if (reply.t !== 'arr') return reply;
    const [next, keys] = reply.v as [Frame & { t: 'bulk' }, Frame & { t: 'arr' }];
    for (const k of keys.v) found.push(k);
    if (next.v !== '0') return arr([bulk(String(BigInt(next.v) * BigInt(n) + BigInt(shard))), arr(found)]);
    shard++;
    if (shard >= n) return arr([bulk('0'), arr(found)]);
    if (found.length >= o.count) return arr([bulk(String(shard)), arr(found)]);
    local = '0';
  }
}

function randomkeyRun(c: Ctx): Frame {
  const k = c.db.randomKey(c.rng);
  return k === undefined ? NIL : bulk(k);
}

// A connection's RNG picks shards: seeded from the injected clock and the connection's id, owned
// by the connection (SessionState.rng), not shared by every connection of the isolate.

/** RANDOMKEY: a random shard's random key; if that shard is empty, any non-empty shard's. */
async function randomkeyConn(c: ConnCtx): Promise<Frame> {
  const connRng = (c.session.rng ??= new Rng(c.now() ^ (c.session.id * 0x9e3779b1)));
  const n = c.slots.shards;
  const first = await c.exec(connRng.int(n), ['RANDOMKEY']);
  if (first.t !== 'nil' || n === 1) return first;
  const found = (await c.all(['RANDOMKEY'])).filter((f) => f.t !== 'nil');
  return found.length === 0 ? NIL : found[connRng.int(found.length)]!;
}

/** OBJECT's lookup: no access-time update, missing → nil. */
function objectLookup(c: Ctx, key: string): Value | undefined {
  return c.db.read(key, false);
}

const isLfu = (c: Ctx) => c.config.get('maxmemory-policy').endsWith('-lfu');
const isLruOrLfu = (c: Ctx) => /-(lru|lfu)$/.test(c.config.get('maxmemory-policy'));

function objectEncoding(c: Ctx, argv: string[]): Frame {
  const v = objectLookup(c, argv[2]!);
  return v === undefined ? NIL : bulk(encodingOf(c.db, argv[2]!, v));
}

function objectRefcount(c: Ctx, argv: string[]): Frame {
  const key = argv[2]!;
  const v = objectLookup(c, key);
  if (v === undefined) return NIL;
  // Redis stores small integers as shared objects (refcount INT_MAX) unless maxmemory with an
  // LRU/LFU policy needs a private access clock per value.
  if (typeof v === 'string' && encodingOf(c.db, key, v) === 'int') {
    const n = Number(v);
    const shared = (c.config.get('maxmemory') === '0' || !isLruOrLfu(c)) && n >= 0 && n < 10000;
    if (shared) return int(2147483647);
  }
  return ONE;
}

function objectIdletime(c: Ctx, argv: string[]): Frame {
  const key = argv[2]!;
  if (objectLookup(c, key) === undefined) return NIL;
  if (isLfu(c)) {
    return err('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
  }
  // Redis's LRU clock ticks in whole seconds.
  const at = c.db.access.get(key) ?? c.db.stamp();
  return int(Math.max(0, c.db.stamp() - at));
}

function objectFreq(c: Ctx, argv: string[]): Frame {
  if (objectLookup(c, argv[2]!) === undefined) return NIL;
  if (!isLfu(c)) {
    return err('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
  }
  return int(lfuDecr(c.db.lfu, c.db.now, c.db.access.get(argv[2]!)));
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

const spec = (name: string, run: Handler | undefined, extra: Impl = {}): CommandSpec => def(name, run ? { run, ...extra } : extra);

const MULTI_SHARD = { route: 'split', combine: 'sum' } as const;

const objectSub = (name: string, run: Handler): CommandSpec => def(`object|${name}`, { run });

export const KEY_COMMANDS: CommandSpec[] = [
  spec('del', del, MULTI_SHARD),
  spec('unlink', del, MULTI_SHARD),
  spec('exists', exists, MULTI_SHARD),
  spec('touch', touch, MULTI_SHARD),
  spec('type', type),
  spec('rename', rename),
  spec('renamenx', renamenx),
  spec('copy', copy),
  spec('move', move),
  spec('swapdb', swapdb, { route: 'all', combine: 'ok' }),
  spec('keys', keys, { route: 'all', combine: 'concat' }),
  spec('scan', scanRun, { route: 'conn', conn: scanConn }),
  spec('randomkey', randomkeyRun, { route: 'conn', conn: randomkeyConn }),
  def('object', { route: 'conn', sub: [
      spec('object|help', undefined, { route: 'conn', conn: () => helpReply('OBJECT', OBJECT_HELP) }),
      objectSub('encoding', objectEncoding),
      objectSub('freq', objectFreq),
      objectSub('idletime', objectIdletime),
      objectSub('refcount', objectRefcount),
    ] }),
];
