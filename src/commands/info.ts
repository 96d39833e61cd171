// INFO: each shard reports its counters as a small text reply; the connection merges them and
// renders Redis 7.0's sections, field names and formatting (`# Server\r\nredis_version:…`).
import type { GroupFacts } from '../persistence/state.js';
import type { Ctx, ServerFacts, SessionState } from './types.js';
import { bulk, type Frame } from '../protocol/frame.js';

export interface Counters {
  keys: number;
  expires: number;
  /** Sum of remaining TTLs (ms) over `ttlSamples` sampled volatile keys, for avg_ttl. */
  ttlSum: number;
  ttlSamples: number;
  memory: number;
  totalCommands: number;
  expiredKeys: number;
  evictedKeys: number;
  trackKeys: number;
  trackItems: number;
  /** Clients waiting in a blocking command (BLPOP, XREAD BLOCK…) on this shard. */
  blocked: number;
  // Persistence, summed over shards except where noted in mergeCounters.
  changes: number;
  lastSave: number;
  rwip: number;
  rwsched: number;
  rwOk: number;
  rwTime: number;
  rewrites: number;
  saves: number;
  aofBase: number;
  aofCur: number;
  aofBuf: number;
  loadMs: number;
  loadKeys: number;
  /** Recovery's leftovers (persistence/recover.ts): summed; the error is the first shard's. */
  loadSkipK: number;
  loadSkipR: number;
  loadTrunc: number;
  loadErr: string;
  kProc: number;
  kTotal: number;
  fsync: string;
  hits: number;
  misses: number;
  errorReplies: number;
  hz: number;
  maxmemory: number;
  policy: string;
  appendonly: string;
  calls: Map<string, number>;
  failed: Map<string, number>;
  errors: Map<string, number>;
  /** Each shard's log facts (INFO replication), by shard. */
  repl: ReplCounters[];
  /** Each shard's own size and load, by shard (INFO keyflare's shardN lines, the console's cluster picture). */
  perShard: ShardLoad[];
  /** Each shard's replication group, by shard (absent: no replicas). */
  groups: GroupFacts[];
  /** Per database with keys (INFO keyspace's dbN lines), summed over the shards. */
  dbs: Map<number, { keys: number; expires: number; ttlSum: number; ttlSamples: number }>;
}

/** One shard's keys, memory and commands run (its counters before they are summed). */
export interface ShardLoad {
  keys: number;
  expires: number;
  memory: number;
  ops: number;
  hits: number;
  misses: number;
}

const LOAD_KEYS: Record<string, keyof ShardLoad> = { keys: 'keys', expires: 'expires', memory: 'memory', totalCommands: 'ops', hits: 'hits', misses: 'misses' };

/** One shard's log, as INFO replication names it (persistence/log.ts ReplFacts). */
export interface ReplCounters {
  replid: string;
  replid2: string;
  offset: number;
  secondOffset: number;
  active: number;
  size: number;
  first: number;
  histlen: number;
}

const ZERO_ID = '0'.repeat(40);

const SAMPLE = 512;
export const BASELINE = 1_600_000;

/** The shard side: its counters as lines `name:value` (maps as `c.<cmd>:n`, `f.<cmd>:n`, `e.<prefix>:n`). */
export function shardCounters(c: Ctx): Frame {
  // Every database of the shard: memory (engine/memory.ts's running estimate, what maxmemory is
  // compared with) and hits are the shard's; keys and TTLs are listed per db as well.
  let memory = 0;
  let hits = 0;
  let misses = 0;
  let keys = 0;
  let expires = 0;
  const dbLines: string[] = [];
  for (const [n, db] of c.keyspaces()) {
    memory += db.used;
    hits += db.hits;
    misses += db.misses;
    if (db.size === 0) continue;
    let ttlSum = 0;
    let ttlSamples = 0;
    for (const at of db.expires.values()) {
      if (ttlSamples >= SAMPLE) break;
      if (at > c.now) {
        ttlSum += at - c.now;
        ttlSamples++;
      }
    }
    keys += db.size;
    expires += db.expires.size;
    dbLines.push(`db.${n}:${db.size},${db.expires.size},${ttlSum},${ttlSamples}`);
  }
  const s = c.stats;
  const lines = [
    `keys:${keys}`, `expires:${expires}`, `memory:${memory}`, ...dbLines,
    `totalCommands:${s.totalCommands}`, `expiredKeys:${s.expiredKeys}`, `evictedKeys:${s.evictedKeys}`, `trackKeys:${c.trackingTable.size}`, `trackItems:${c.trackingTable.items}`,
    `blocked:${c.blockedClients}`, `hits:${hits}`, `misses:${misses}`,
    ...persistLines(c), ...replLines(c), `errorReplies:${s.errorReplies}`,
    `hz:${c.config.get('hz')}`, `maxmemory:${c.config.get('maxmemory')}`,
    `policy:${c.config.get('maxmemory-policy')}`, `appendonly:${c.config.get('appendonly')}`,
  ];
  for (const [k, n] of s.calls) lines.push(`c.${k}:${n}`);
  for (const [k, n] of s.failed) lines.push(`f.${k}:${n}`);
  for (const [k, n] of s.errors) lines.push(`e.${k}:${n}`);
  return bulk(lines.join('\n'));
}

function persistLines(c: Ctx): string[] {
  const p = c.persist;
  return [
    `changes:${p.changesSinceSave}`, `lastSave:${p.lastSaveTime}`, `rwip:${p.rewriteInProgress ? 1 : 0}`,
    `rwsched:${p.rewriteScheduled ? 1 : 0}`, `rwOk:${p.lastRewriteOk ? 1 : 0}`, `rwTime:${p.lastRewriteTimeSec}`,
    `rewrites:${p.rewrites}`, `saves:${p.saves}`, `aofBase:${p.aofBaseSize}`, `aofCur:${p.aofCurrentSize}`,
    `aofBuf:${p.aofBufferLength}`, `loadMs:${p.loadTimeMs}`, `loadKeys:${p.loadedKeys}`, `kProc:${p.keysProcessed}`,
    `kTotal:${p.keysTotal}`, `fsync:${c.config.get('appendfsync')}`,
    `loadSkipK:${p.loadSkippedKeys}`, `loadSkipR:${p.loadSkippedRecords}`, `loadTrunc:${p.loadTruncatedBytes}`,
    // Last: free text, kept on one line and read up to the line's end (it may hold colons).
    `loadErr:${p.loadLastError ? `shard ${c.shard.index}: ${p.loadLastError.replace(/[\r\n]+/g, ' ')}` : ''}`,
  ];
}

function replLines(c: Ctx): string[] {
  const g = c.persist.group?.();
  return [...(g ? [`rgrp:${JSON.stringify(g)}`] : []), ...logLines(c)];
}

function logLines(c: Ctx): string[] {
  const r = c.persist.repl?.();
  if (!r) return [`replid:${ZERO_ID}`, `replid2:${ZERO_ID}`, 'replOff:0', 'repl2Off:-1', 'blActive:0', `blSize:${c.config.get('repl-backlog-size')}`, 'blFirst:0', 'blHist:0'];
  return [
    `replid:${r.replid}`, `replid2:${r.replid2}`, `replOff:${r.offset}`, `repl2Off:${r.secondOffset}`, `blActive:${r.backlogActive ? 1 : 0}`,
    `blSize:${r.backlogSize}`, `blFirst:${r.firstByte}`, `blHist:${r.histlen}`,
  ];
}

/**
 * Replica k of every shard's group is one replica of the service (the shards' streams are one
 * stream, their offsets summed): its offset is the sum of its acks, its lag the largest, online
 * when it is online everywhere. A replica's own lines when this shard is one.
 */
export function groupView(gs: readonly GroupFacts[], offset: number): { role: 'master'; replicas: Array<{ ip: string; port: number; state: string; offset: number; lag: number }> } | { role: 'slave'; g: Extract<GroupFacts, { role: 'slave' }>; offset: number } {
  const slave = gs.find((g) => g.role === 'slave');
  if (slave && slave.role === 'slave') return { role: 'slave', g: slave, offset };
  const byId = new Map<string, { ip: string; port: number; state: string; offset: number; lag: number }>();
  for (const g of gs) {
    if (g.role !== 'master') continue;
    for (const r of g.replicas) {
      const e = byId.get(r.id);
      if (!e) byId.set(r.id, { ip: r.ip, port: r.port, state: r.state, offset: r.ack, lag: r.lag });
      else {
        e.offset += r.ack;
        e.lag = Math.max(e.lag, r.lag);
        if (r.state !== 'online') e.state = r.state;
      }
    }
  }
  return { role: 'master', replicas: [...byId.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]) };
}

function groupLines(gs: readonly GroupFacts[], offset: number): string[] {
  const v = groupView(gs, offset);
  if (v.role === 'master') return ['role:master', `connected_slaves:${v.replicas.length}`, ...v.replicas.map((r, i) => `slave${i}:ip=${r.ip},port=${r.port},state=${r.state},offset=${r.offset},lag=${r.lag}`)];
  const g = v.g;
  const up = g.link === 'connected';
  return [
    'role:slave', `master_host:${g.host}`, `master_port:${g.port}`, `master_link_status:${up ? 'up' : 'down'}`,
    `master_last_io_seconds_ago:${g.lastIo}`, `master_sync_in_progress:${g.link === 'sync' ? 1 : 0}`,
    `slave_read_repl_offset:${offset}`, `slave_repl_offset:${offset}`, ...(up ? [] : ['master_link_down_since_seconds:-1']),
    'slave_priority:100', `slave_read_only:${g.readOnly ? 1 : 0}`, 'replica_announced:1', 'connected_slaves:0',
  ];
}

const REPL_KEYS: Record<string, keyof ReplCounters> = {
  replid: 'replid', replid2: 'replid2', replOff: 'offset', repl2Off: 'secondOffset', blActive: 'active', blSize: 'size', blFirst: 'first', blHist: 'histlen',
};

/** XOR of 40-hex ids: one id for several shards' histories, changing when any of theirs does. */
function xorIds(ids: readonly string[]): string {
  let out = '';
  for (let i = 0; i < 40; i += 8) {
    let x = 0;
    for (const id of ids) x ^= parseInt(id.slice(i, i + 8), 16);
    out += (x >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/**
 * The service's replication line values: one shard's as they are; several shards' streams as one
 * — offsets and history lengths summed, ids XORed (so the id changes when any shard's does).
 */
export function replSummary(rs: readonly ReplCounters[]): ReplCounters {
  if (rs.length === 1) return rs[0]!;
  if (rs.length === 0) return { replid: ZERO_ID, replid2: ZERO_ID, offset: 0, secondOffset: -1, active: 0, size: 1048576, first: 0, histlen: 0 };
  let offset = 0;
  let histlen = 0;
  let second = 0;
  let active = 1;
  for (const r of rs) {
    offset += r.offset;
    histlen += r.histlen;
    second = second < 0 || r.secondOffset < 0 ? -1 : second + r.secondOffset;
    if (!r.active) active = 0;
  }
  const replid2 = rs.every((r) => r.replid2 === ZERO_ID) ? ZERO_ID : xorIds(rs.map((r) => r.replid2));
  return { replid: xorIds(rs.map((r) => r.replid)), replid2, offset, secondOffset: second, active, size: rs[0]!.size, first: active ? offset - histlen + 1 : 0, histlen: active ? histlen : 0 };
}

function emptyCounters(): Counters {
  return {
    keys: 0, expires: 0, ttlSum: 0, ttlSamples: 0, memory: 0, totalCommands: 0, expiredKeys: 0, evictedKeys: 0, trackKeys: 0, trackItems: 0, blocked: 0,
    changes: 0, lastSave: Infinity, rwip: 0, rwsched: 0, rwOk: 1, rwTime: -1, rewrites: 0, saves: 0, aofBase: 0, aofCur: 0,
    aofBuf: 0, loadMs: 0, loadKeys: 0, loadSkipK: 0, loadSkipR: 0, loadTrunc: 0, loadErr: '', kProc: 0, kTotal: 0, fsync: 'always',
    hits: 0, misses: 0, errorReplies: 0, hz: 10, maxmemory: 0, policy: 'noeviction', appendonly: 'yes',
    calls: new Map(), failed: new Map(), errors: new Map(), repl: [], perShard: [], groups: [], dbs: new Map(),
  };
}

/**
 * Merge the shards' replies: sums, except settings (taken from the first shard). A command that
 * every shard ran (`fanout`) was one client command: its calls are divided by the shard count.
 */
export function mergeCounters(replies: readonly Frame[], fanout: (cmd: string) => boolean = () => false): Counters {
  const out = emptyCounters();
  replies.forEach((f, i) => {
    if (f.t !== 'bulk') return;
    for (const line of f.v.split('\n')) {
      if (line.startsWith('rgrp:')) {
        out.groups[i] = JSON.parse(line.slice(5)) as GroupFacts;
        continue;
      }
      if (line.startsWith('loadErr:')) {
        if (!out.loadErr) out.loadErr = line.slice(8);
        continue;
      }
      const colon = line.lastIndexOf(':');
      const k = line.slice(0, colon);
      const v = line.slice(colon + 1);
      const add = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + Number(v));
      if (Object.hasOwn(LOAD_KEYS, k)) (out.perShard[i] ??= { keys: 0, expires: 0, memory: 0, ops: 0, hits: 0, misses: 0 })[LOAD_KEYS[k]!] = Number(v);
      if (k.startsWith('db.')) {
        const n = Number(k.slice(3));
        const [keys, expires, ttlSum, ttlSamples] = v.split(',').map(Number) as [number, number, number, number];
        const d = out.dbs.get(n) ?? { keys: 0, expires: 0, ttlSum: 0, ttlSamples: 0 };
        out.dbs.set(n, { keys: d.keys + keys, expires: d.expires + expires, ttlSum: d.ttlSum + ttlSum, ttlSamples: d.ttlSamples + ttlSamples });
        out.ttlSum += ttlSum;
        out.ttlSamples += ttlSamples;
      } else if (k.startsWith('c.')) add(out.calls, k.slice(2));
      else if (k.startsWith('f.')) add(out.failed, k.slice(2));
      else if (k.startsWith('e.')) add(out.errors, k.slice(2));
      else if (k in REPL_KEYS) {
        const r = (out.repl[i] ??= { replid: ZERO_ID, replid2: ZERO_ID, offset: 0, secondOffset: -1, active: 0, size: 0, first: 0, histlen: 0 });
        const f = REPL_KEYS[k]!;
        if (f === 'replid' || f === 'replid2') r[f] = v;
        else r[f] = Number(v);
      }
      else if (k === 'policy' || k === 'appendonly' || k === 'fsync') {
        if (i === 0) out[k] = v;
      } else if (k === 'lastSave' || k === 'rwOk') {
        out[k] = Math.min(out[k], Number(v)); // the service saved when its last shard did
      } else if (k === 'loadMs' || k === 'rwTime') {
        out[k] = Math.max(out[k], Number(v));
      } else if (k === 'hz' || k === 'maxmemory') {
        if (i === 0) out[k] = Number(v);
      } else if (k in out) (out as unknown as Record<string, number>)[k]! += Number(v);
    }
  });
  const n = replies.length;
  for (const m of [out.calls, out.failed]) {
    for (const [k, v] of m) {
      if (!fanout(k)) continue;
      const once = Math.floor(v / n);
      if (m === out.calls) out.totalCommands -= v - once;
      m.set(k, once);
    }
  }
  return out;
}

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n;
  for (const u of units) {
    d /= 1024;
    if (d < 1024 || u === 'P') return `${d.toFixed(2)}${u}`;
  }
  return `${n}B`;
}

const ALL = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];
const DEFAULT = ALL.filter((s) => s !== 'commandstats' && s !== 'latencystats');

/** Which sections INFO's arguments select (Redis 7.0: default / all / everything, several names). */
export function selectSections(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (args.length === 0) for (const s of DEFAULT) out.add(s);
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'default') for (const s of DEFAULT) out.add(s);
    else if (l === 'all' || l === 'everything') for (const s of ALL) out.add(s);
    else out.add(l);
  }
  return out;
}

export interface InfoFacts {
  server: ServerFacts;
  session: SessionState;
  now: number;
  shards: number;
  /** The service's connections (client registry), when known: connected, tracking. */
  clients?: { connected: number; tracking: number; held: number; prefixes?: number };
  /** Channels, patterns and shard channels with subscribers (the pub/sub hub), when known. */
  pubsub?: { channels: number; patterns: number; shardChannels: number };
  /** RESP connections accepted (the client registry), when known. */
  connectionsReceived?: number;
  /** Each shard's slot range, in shard order, when known (INFO keyflare's shardN lines). */
  ranges?: ReadonlyArray<readonly [number, number]>;
}

/** Render the selected sections in Redis's fixed order. */
export function renderInfo(sections: Set<string>, t: Counters, f: InfoFacts): string {
  const parts: string[] = [];
  const secs = Math.floor(f.now / 1000);
  const uptime = Math.max(0, Math.floor((f.now - f.server.startedAt) / 1000));
  const used = BASELINE + t.memory;
  const sec: Record<string, () => string[]> = {
    server: () => [
      'redis_version:' + f.server.version, 'redis_git_sha1:00000000', 'redis_git_dirty:0', 'redis_build_id:6b657966' + '6c617265',
      'redis_mode:cluster', 'os:Cloudflare Workers', 'arch_bits:64', 'monotonic_clock:Durable Object clock',
      'multiplexing_api:workerd', 'atomicvar_api:c11-builtin', 'gcc_version:0.0.0', 'process_id:1', 'process_supervised:no',
      'run_id:' + f.server.runId, 'tcp_port:' + f.server.tcpPort, `server_time_usec:${f.now * 1000}`,
      `uptime_in_seconds:${uptime}`, `uptime_in_days:${Math.floor(uptime / 86400)}`, `hz:${t.hz}`, `configured_hz:${t.hz}`,
      `lru_clock:${secs & ((1 << 24) - 1)}`, 'executable:', 'config_file:', 'io_threads_active:0',
    ],
    clients: () => [
      `connected_clients:${f.clients?.connected ?? 1}`, 'cluster_connections:0', 'maxclients:10000', 'client_recent_max_input_buffer:0',
      'client_recent_max_output_buffer:0', `blocked_clients:${t.blocked + (f.clients?.held ?? 0)}`, `tracking_clients:${f.clients?.tracking ?? 0}`, 'clients_in_timeout_table:0',
    ],
    memory: () => [
      `used_memory:${used}`, `used_memory_human:${bytesToHuman(used)}`, `used_memory_rss:${used}`, `used_memory_rss_human:${bytesToHuman(used)}`,
      `used_memory_peak:${used}`, `used_memory_peak_human:${bytesToHuman(used)}`, 'used_memory_peak_perc:100.00%',
      `used_memory_overhead:${BASELINE}`, `used_memory_startup:${BASELINE}`, `used_memory_dataset:${t.memory}`,
      `used_memory_dataset_perc:${((t.memory * 100) / used).toFixed(2)}%`,
      `allocator_allocated:${used}`, `allocator_active:${used}`, `allocator_resident:${used}`,
      `total_system_memory:${128 * 1024 * 1024 * f.shards}`, `total_system_memory_human:${bytesToHuman(128 * 1024 * 1024 * f.shards)}`,
      'used_memory_lua:0', 'used_memory_vm_eval:0', 'used_memory_lua_human:0B', 'used_memory_scripts_eval:0', 'number_of_cached_scripts:0',
      'number_of_functions:0', 'number_of_libraries:0', 'used_memory_vm_functions:0', 'used_memory_vm_total:0', 'used_memory_vm_total_human:0B',
      'used_memory_functions:0', 'used_memory_scripts:0', 'used_memory_scripts_human:0B',
      `maxmemory:${t.maxmemory}`, `maxmemory_human:${bytesToHuman(t.maxmemory)}`, `maxmemory_policy:${t.policy}`,
      'allocator_frag_ratio:1.00', 'allocator_frag_bytes:0', 'allocator_rss_ratio:1.00', 'allocator_rss_bytes:0',
      'rss_overhead_ratio:1.00', 'rss_overhead_bytes:0', 'mem_fragmentation_ratio:1.00', 'mem_fragmentation_bytes:0',
      'mem_not_counted_for_evict:0', 'mem_replication_backlog:0', 'mem_total_replication_buffers:0', 'mem_clients_slaves:0',
      'mem_clients_normal:0', 'mem_cluster_links:0', 'mem_aof_buffer:0', 'mem_allocator:v8', 'active_defrag_running:0',
      'lazyfree_pending_objects:0', 'lazyfreed_objects:0',
    ],
    // keyflare's own section (only when asked for by name): durability and recovery facts.
    keyflare: () => [
      `shards:${f.shards}`,
      `aof_fsync_policy:${t.fsync}`,
      `aof_crash_may_lose:${t.fsync === 'always' ? 'nothing acknowledged' : t.fsync === 'everysec' ? 'up to 1 second of acknowledged writes' : 'acknowledged writes not yet stored (up to 4mb or 5 seconds idle)'}`,
      `aof_unstored_bytes:${t.aofBuf}`,
      `last_load_time_ms:${t.loadMs}`,
      `last_load_keys:${t.loadKeys}`,
      // What the last load left out rather than refuse to start (persistence/recover.ts).
      `load_skipped_keys:${t.loadSkipK}`,
      `load_skipped_records:${t.loadSkipR}`,
      `load_truncated_bytes:${t.loadTrunc}`,
      `load_last_error:${t.loadErr}`,
      // Each shard's own log (INFO replication shows them as one stream).
      ...t.repl.map((r, i) => r && `repl_shard${i}:replid=${r.replid},offset=${r.offset},backlog_first_byte_offset=${r.first},backlog_histlen=${r.histlen}`).filter(Boolean),
      // Each shard's slots, size and load (ops = commands it ran, INFO's own fan-out included).
      ...t.perShard.map((l, i) => l && `shard${i}:${f.ranges?.[i] ? `slots=${f.ranges[i]![0]}-${f.ranges[i]![1]},` : ''}keys=${l.keys},expires=${l.expires},memory=${l.memory},ops=${l.ops},hits=${l.hits},misses=${l.misses}`).filter(Boolean),
    ],
    persistence: () => [
      'loading:0', 'async_loading:0', 'current_cow_peak:0', 'current_cow_size:0', 'current_cow_size_age:0', 'current_fork_perc:0.00',
      `current_save_keys_processed:${t.kProc}`, `current_save_keys_total:${t.kTotal}`, `rdb_changes_since_last_save:${t.changes}`,
      `rdb_bgsave_in_progress:${t.rwip ? 1 : 0}`, `rdb_last_save_time:${t.lastSave === Infinity ? 0 : t.lastSave}`,
      `rdb_last_bgsave_status:${t.rwOk ? 'ok' : 'err'}`, `rdb_last_bgsave_time_sec:${t.rwTime}`, 'rdb_current_bgsave_time_sec:-1',
      `rdb_saves:${t.saves}`, 'rdb_last_cow_size:0', 'rdb_last_load_keys_expired:0', `rdb_last_load_keys_loaded:${t.loadKeys}`,
      `aof_enabled:${t.appendonly === 'yes' ? 1 : 0}`, `aof_rewrite_in_progress:${t.rwip ? 1 : 0}`, `aof_rewrite_scheduled:${t.rwsched ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${t.rwTime}`, 'aof_current_rewrite_time_sec:-1', `aof_last_bgrewrite_status:${t.rwOk ? 'ok' : 'err'}`,
      `aof_rewrites:${t.rewrites}`, 'aof_rewrites_consecutive_failures:0', 'aof_last_write_status:ok', 'aof_last_cow_size:0',
      'module_fork_in_progress:0', 'module_fork_last_cow_size:0',
      ...(t.appendonly === 'yes'
        ? [
            `aof_current_size:${t.aofCur}`, `aof_base_size:${t.aofBase}`, 'aof_pending_rewrite:0', `aof_buffer_length:${t.aofBuf}`,
            'aof_pending_bio_fsync:0', 'aof_delayed_fsync:0',
          ]
        : []),
    ],
    stats: () => [
      `total_connections_received:${f.connectionsReceived ?? 0}`, `total_commands_processed:${t.totalCommands}`, 'instantaneous_ops_per_sec:0',
      'total_net_input_bytes:0', 'total_net_output_bytes:0', 'total_net_repl_input_bytes:0', 'total_net_repl_output_bytes:0',
      'instantaneous_input_kbps:0.00', 'instantaneous_output_kbps:0.00', 'instantaneous_input_repl_kbps:0.00', 'instantaneous_output_repl_kbps:0.00',
      'rejected_connections:0', 'sync_full:0', 'sync_partial_ok:0', 'sync_partial_err:0', `expired_keys:${t.expiredKeys}`,
      'expired_stale_perc:0.00', 'expired_time_cap_reached_count:0', 'expire_cycle_cpu_milliseconds:0', `evicted_keys:${t.evictedKeys}`,
      'evicted_clients:0', 'total_eviction_exceeded_time:0', 'current_eviction_exceeded_time:0', `keyspace_hits:${t.hits}`,
      `keyspace_misses:${t.misses}`, `pubsub_channels:${f.pubsub?.channels ?? 0}`, `pubsub_patterns:${f.pubsub?.patterns ?? 0}`, `pubsubshard_channels:${f.pubsub?.shardChannels ?? 0}`, 'latest_fork_usec:0',
      'total_forks:0', 'migrate_cached_sockets:0', 'slave_expires_tracked_keys:0', 'active_defrag_hits:0', 'active_defrag_misses:0',
      'active_defrag_key_hits:0', 'active_defrag_key_misses:0', 'total_active_defrag_time:0', 'current_active_defrag_time:0',
      `tracking_total_keys:${t.trackKeys}`, `tracking_total_items:${t.trackItems}`, `tracking_total_prefixes:${f.clients?.prefixes ?? 0}`, 'unexpected_error_replies:0',
      `total_error_replies:${t.errorReplies}`, 'dump_payload_sanitizations:0', 'total_reads_processed:0', 'total_writes_processed:0',
      'io_threaded_reads_processed:0', 'io_threaded_writes_processed:0', 'reply_buffer_shrinks:0', 'reply_buffer_expands:0',
    ],
    replication: () => {
      const r = replSummary(t.repl.filter(Boolean));
      return [
        ...groupLines(t.groups.filter(Boolean), r.offset), 'master_failover_state:no-failover', `master_replid:${r.replid}`,
        `master_replid2:${r.replid2}`, `master_repl_offset:${r.offset}`, `second_repl_offset:${r.secondOffset}`, `repl_backlog_active:${r.active}`,
        `repl_backlog_size:${r.size}`, `repl_backlog_first_byte_offset:${r.first}`, `repl_backlog_histlen:${r.histlen}`,
      ];
    },
    cpu: () => [
      'used_cpu_sys:0.000000', 'used_cpu_user:0.000000', 'used_cpu_sys_children:0.000000', 'used_cpu_user_children:0.000000',
      'used_cpu_sys_main_thread:0.000000', 'used_cpu_user_main_thread:0.000000',
    ],
    modules: () => [],
    commandstats: () =>
      [...t.calls].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) =>
        `cmdstat_${k}:calls=${n},usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=${t.failed.get(k) ?? 0}`),
    errorstats: () => [...t.errors].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `errorstat_${k}:count=${n}`),
    latencystats: () => [],
    cluster: () => [`cluster_enabled:${f.server.mode === 'cluster' ? 1 : 0}`],
    // Every database with keys, in index order (Redis's genRedisInfoString).
    keyspace: () =>
      [...t.dbs].sort(([a], [b]) => a - b).map(([n, d]) => `db${n}:keys=${d.keys},expires=${d.expires},avg_ttl=${d.ttlSamples ? Math.floor(d.ttlSum / d.ttlSamples) : 0}`),
  };
  const titles: Record<string, string> = { cpu: 'CPU' };
  for (const name of [...ALL, 'keyflare']) {
    if (!sections.has(name)) continue;
    const title = titles[name] ?? name[0]!.toUpperCase() + name.slice(1);
    parts.push(`# ${title}\r\n` + sec[name]!().map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}
