// MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP: Redis's replies over keyflare's own estimate
// (engine/memory.ts), since a Durable Object has no allocator statistics to report.
import { E, NIL, OK, arr, bulk, dbl, int, map, verb, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { EXPIRE_OVERHEAD, KEY_OVERHEAD, objectBytes } from '../engine/memory.js';
import { helpReply } from './help.js';
import { BASELINE } from './info.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';
import { def } from './spec-data.js';

/** MEMORY USAGE key [SAMPLES count]: the key's estimated bytes (its TTL entry included), or nil. */
function usage(c: Ctx, argv: string[]): Frame {
  for (let j = 3; j < argv.length; j += 2) {
    if (argv[j]!.toLowerCase() !== 'samples' || j + 1 >= argv.length) return E.syntax;
    const n = parseI64(argv[j + 1]!);
    if (n === null) return E.notInt;
    if (n < 0n) return E.syntax;
  }
  const key = argv[2]!;
  // As Redis's dbFind: no expiry check, no access-time update.
  const v = c.db.data.get(key);
  if (v === undefined) return NIL;
  // A collection is measured afresh (bounded sampling, as Redis's SAMPLES), not its cached size.
  const bytes = KEY_OVERHEAD + key.length + (typeof v === 'string' ? v.length : objectBytes(v));
  return int(bytes + (c.db.expires.has(key) ? EXPIRE_OVERHEAD : 0));
}

/** A shard's part of MEMORY STATS: [keys, expires, dataset bytes], then [db, keys, expires] per db with keys. */
function shardStats(c: Ctx): Frame {
  let keys = 0;
  let expires = 0;
  let used = 0;
  const per: Frame[] = [];
  for (const [n, db] of c.keyspaces()) {
    used += db.used;
    if (db.size === 0) continue;
    keys += db.size;
    expires += db.expires.size;
    per.push(int(n), int(db.size), int(db.expires.size));
  }
  return arr([int(keys), int(expires), int(used), ...per]);
}

/** Redis Cluster links every key into its slot's list: two pointers per key. */
const SLOT_LINKS = 16;

const num = (f: Frame | undefined): number => (f && f.t === 'int' ? Number(f.v) : 0);

async function stats(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(argv);
  let keys = 0;
  let expires = 0;
  let dataset = 0;
  const dbs = new Map<number, [number, number]>();
  for (const r of replies) {
    if (r.t === 'err') return r;
    if (r.t !== 'arr') continue;
    keys += num(r.v[0]);
    expires += num(r.v[1]);
    dataset += num(r.v[2]);
    for (let i = 3; i + 2 < r.v.length; i += 3) {
      const d = dbs.get(num(r.v[i])) ?? [0, 0];
      dbs.set(num(r.v[i]), [d[0] + num(r.v[i + 1]), d[1] + num(r.v[i + 2])]);
    }
  }
  const total = BASELINE + dataset;
  // Field/value pairs of the reply map, in Redis's order.
  const out: Frame[] = [];
  const f = (k: string, v: Frame): void => {
    out.push(bulk(k), v);
  };
  f('peak.allocated', int(total)); f('total.allocated', int(total)); f('startup.allocated', int(BASELINE));
  f('replication.backlog', int(0)); f('clients.slaves', int(0)); f('clients.normal', int(0));
  f('cluster.links', int(0)); f('aof.buffer', int(0)); f('lua.caches', int(0)); f('functions.caches', int(0));
  // Redis lists a db only when it holds keys, in index order (each summed over the shards).
  for (const [n, [k, x]] of [...dbs].sort((a, b) => a[0] - b[0])) {
    f(`db.${n}`, map([
      bulk('overhead.hashtable.main'), int(k * KEY_OVERHEAD),
      bulk('overhead.hashtable.expires'), int(x * EXPIRE_OVERHEAD),
      bulk('overhead.hashtable.slot-to-keys'), int(k * SLOT_LINKS),
    ]));
  }
  f('overhead.total', int(BASELINE)); f('keys.count', int(keys));
  f('keys.bytes-per-key', int(keys ? Math.floor(dataset / keys) : 0)); f('dataset.bytes', int(dataset));
  f('dataset.percentage', dbl((dataset * 100) / total)); f('peak.percentage', dbl(100));
  f('allocator.allocated', int(total)); f('allocator.active', int(total)); f('allocator.resident', int(total));
  f('allocator-fragmentation.ratio', dbl(1)); f('allocator-fragmentation.bytes', int(0));
  f('allocator-rss.ratio', dbl(1)); f('allocator-rss.bytes', int(0));
  f('rss-overhead.ratio', dbl(1)); f('rss-overhead.bytes', int(0));
  f('fragmentation', dbl(1)); f('fragmentation.bytes', int(0));
  return map(out);
}

const EMPTY_DOCTOR =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const OK_DOCTOR = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

/**
 * MEMORY DOCTOR: Redis's report. Below 5 MB it declines, as Redis does; above, keyflare has none of
 * the problems Redis looks for (fragmentation, peak, big client buffers), so it finds none.
 */
async function doctor(c: ConnCtx): Promise<Frame> {
  const replies = await c.all(['MEMORY', 'STATS']);
  let dataset = 0;
  for (const r of replies) {
    if (r.t === 'err') return r;
    if (r.t === 'arr') dataset += num(r.v[2]);
  }
  return verb(BASELINE + dataset < 5 * 1024 * 1024 ? EMPTY_DOCTOR : OK_DOCTOR);
}

const HELP = [
  'DOCTOR', '    Return memory problems reports.',
  'MALLOC-STATS', '    Return internal statistics report from the memory allocator.',
  'PURGE', '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS', '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]', '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

export const MEMORY_COMMANDS: CommandSpec[] = [
  def('memory', { route: 'conn', sub: [
      def('memory|usage', { run: usage }),
      def('memory|stats', { route: 'conn', conn: stats, run: shardStats }),
      def('memory|doctor', { route: 'conn', conn: doctor }),
      // What Redis answers when built without jemalloc: V8's heap is not the allocator's to report.
      def('memory|malloc-stats', { route: 'conn', conn: () => verb('Stats not supported for the current allocator') }),
      // Nothing to purge: V8 collects garbage on its own schedule.
      def('memory|purge', { route: 'conn', conn: () => OK }),
      def('memory|help', { route: 'conn', conn: () => helpReply('MEMORY', HELP) }),
    ] }),
];
