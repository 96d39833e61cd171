// CONFIG parameters the service honours: definitions with Redis 7.0's defaults and validation,
// glob lookup over names and aliases, and atomic multi-pair SET. Values are kept as CONFIG GET prints them.
import { stringMatch } from './glob.js';

export type ParamKind = 'int' | 'memory' | 'bool' | 'enum' | 'string';

export interface ParamDef {
  name: string;
  aliases?: string[];
  kind: ParamKind;
  default: string;
  /** Bounds, as bigints because memory values are 64-bit (maxmemory is unsigned). */
  min?: bigint;
  max?: bigint;
  values?: string[];
  /** Custom parse for 'string' kinds: the normalized value, or an error message. */
  parse?: (v: string) => string | { error: string };
  /** Applied after validation (Redis clamps hz into 1..500 rather than refusing). */
  clamp?: (n: bigint) => bigint;
  /** A memory value may be a percentage ("10%"), printed back as given (Redis's PERCENT_CONFIG). */
  percent?: boolean;
  /** CONFIG SET refuses it (Redis's IMMUTABLE_CONFIG: set at startup only). */
  immutable?: boolean;
  /** Found by its exact name only, never by a pattern (Redis's HIDDEN_CONFIG: debugging knobs). */
  hidden?: boolean;
}

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const LLONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

export const PARAMS: ParamDef[] = [
  { name: 'maxmemory', kind: 'memory', default: '0', min: 0n, max: ULLONG_MAX },
  { name: 'maxmemory-policy', kind: 'enum', default: 'noeviction', values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'] },
  { name: 'maxmemory-samples', kind: 'int', default: '5', min: 1n, max: INT_MAX },
  { name: 'proto-max-bulk-len', kind: 'memory', default: '536870912', min: 1024n * 1024n, max: LLONG_MAX },
  { name: 'client-query-buffer-limit', kind: 'memory', default: '1073741824', min: 1024n * 1024n, max: LLONG_MAX },
  { name: 'list-max-listpack-size', aliases: ['list-max-ziplist-size'], kind: 'int', default: '-2', min: INT_MIN, max: INT_MAX },
  { name: 'list-compress-depth', kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'hash-max-listpack-entries', aliases: ['hash-max-ziplist-entries'], kind: 'int', default: '512', min: 0n, max: LLONG_MAX },
  { name: 'hash-max-listpack-value', aliases: ['hash-max-ziplist-value'], kind: 'memory', default: '64', min: 0n, max: LLONG_MAX },
  { name: 'set-max-intset-entries', kind: 'int', default: '512', min: 0n, max: LLONG_MAX },
  // Not in Redis 7.0 (added in 7.2); kept because the set engine may use a listpack encoding.
  { name: 'set-max-listpack-entries', kind: 'int', default: '128', min: 0n, max: LLONG_MAX },
  { name: 'set-max-listpack-value', kind: 'memory', default: '64', min: 0n, max: LLONG_MAX },
  { name: 'zset-max-listpack-entries', aliases: ['zset-max-ziplist-entries'], kind: 'int', default: '128', min: 0n, max: LLONG_MAX },
  { name: 'zset-max-listpack-value', aliases: ['zset-max-ziplist-value'], kind: 'memory', default: '64', min: 0n, max: LLONG_MAX },
  { name: 'stream-node-max-bytes', kind: 'memory', default: '4096', min: 0n, max: LLONG_MAX },
  { name: 'stream-node-max-entries', kind: 'int', default: '100', min: 0n, max: LLONG_MAX },
  { name: 'notify-keyspace-events', kind: 'string', default: '', parse: parseNotify },
  // Redis defaults to no / everysec; keyflare always logs, and stores a write before replying.
  { name: 'appendonly', kind: 'bool', default: 'yes' },
  { name: 'appendfsync', kind: 'enum', default: 'always', values: ['everysec', 'always', 'no'] },
  { name: 'save', kind: 'string', default: '', parse: parseSave },
  { name: 'timeout', kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'lfu-log-factor', kind: 'int', default: '10', min: 0n, max: INT_MAX },
  { name: 'lfu-decay-time', kind: 'int', default: '1', min: 0n, max: INT_MAX },
  { name: 'hz', kind: 'int', default: '10', min: 0n, max: INT_MAX, clamp: (n) => (n < 1n ? 1n : n > 500n ? 500n : n) },
  { name: 'auto-aof-rewrite-percentage', kind: 'int', default: '100', min: 0n, max: INT_MAX },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', default: '67108864', min: 0n, max: LLONG_MAX },
  { name: 'aof-load-truncated', kind: 'bool', default: 'yes' },
  // The log history readers are promised (persistence/log.ts); Redis raises anything below 16 kb.
  { name: 'repl-backlog-size', kind: 'memory', default: '1048576', min: 1n, max: LLONG_MAX, clamp: (n) => (n < 16384n ? 16384n : n) },
  // Replication (shard/repl*.ts): replicas refuse client writes; a primary refuses writes with
  // fewer good replicas than min-replicas-to-write (an ack at most min-replicas-max-lag s old).
  { name: 'replica-read-only', aliases: ['slave-read-only'], kind: 'bool', default: 'yes' },
  { name: 'min-replicas-to-write', aliases: ['min-slaves-to-write'], kind: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'min-replicas-max-lag', aliases: ['min-slaves-max-lag'], kind: 'int', default: '10', min: 0n, max: INT_MAX },
  { name: 'hll-sparse-max-bytes', kind: 'memory', default: '3000', min: 0n, max: LLONG_MAX },
  // Kept for clients and tools that set them (Redis's own test suite among them). What they
  // govern in Redis: a script's busy threshold (scripting reads it), the client-memory eviction
  // limit (keyflare has none), the slow log and latency monitor. (repl-backlog-size is above:
  // keyflare's log keeps that backlog.)
  { name: 'busy-reply-threshold', aliases: ['lua-time-limit'], kind: 'int', default: '5000', min: 0n, max: LLONG_MAX },
  { name: 'maxmemory-clients', kind: 'memory', default: '0', min: 0n, max: LLONG_MAX, percent: true },
  { name: 'slowlog-log-slower-than', kind: 'int', default: '10000', min: -1n, max: LLONG_MAX },
  { name: 'slowlog-max-len', kind: 'int', default: '128', min: 0n, max: LLONG_MAX },
  { name: 'latency-monitor-threshold', kind: 'int', default: '0', min: 0n, max: LLONG_MAX },
  // CLIENT TRACKING's table bound (0: none), applied per shard (engine/tracking.ts).
  { name: 'tracking-table-max-keys', kind: 'int', default: '1000000', min: 0n, max: LLONG_MAX },
  // Startup-only in Redis; keyflare has no configuration file, so these keep their defaults.
  { name: 'daemonize', kind: 'bool', default: 'no', immutable: true },
  // SELECT's range; Redis's default. Startup-only there too (a shard sizes its keyspaces once).
  { name: 'databases', kind: 'int', default: '16', min: 1n, max: INT_MAX, immutable: true },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  // Set by REPLICAOF at runtime, never by CONFIG SET; empty while this is a primary.
  { name: 'replicaof', aliases: ['slaveof'], kind: 'string', default: '', immutable: true },
  // Redis's loading-delay knob for its own tests: accepted, nothing in keyflare waits on it.
  { name: 'key-load-delay', kind: 'int', default: '0', min: INT_MIN, max: INT_MAX, hidden: true },
];

// Keyspace notification classes (notify.c); 'A' stands for every class but m and n.
const NOTIFY_CLASSES = 'g$lshzxetd';
const NOTIFY_ORDER = 'g$lshzxetdn'; // the order keyspaceEventsFlagsToString prints them in

/** notify-keyspace-events: Redis's class letters, printed back in its normalized form. */
export function parseNotify(v: string): string | { error: string } {
  const on = new Set<string>();
  for (const ch of v) {
    if (ch === 'A') for (const c of NOTIFY_CLASSES) on.add(c);
    else if ('g$lshzxetdnKEm'.includes(ch)) on.add(ch);
    else return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  }
  let out = '';
  if ([...NOTIFY_CLASSES].every((c) => on.has(c))) out = 'A';
  else for (const c of NOTIFY_ORDER) if (on.has(c)) out += c;
  for (const c of 'KEm') if (on.has(c)) out += c;
  return out;
}

/** save "<seconds> <changes> …": split on single spaces as Redis does, strtoll per field. */
export function parseSave(v: string): string | { error: string } {
  if (v === '') return '';
  const parts = v.split(' ');
  const bad = { error: 'Invalid save parameters' };
  if (parts.length % 2 !== 0) return bad;
  const out: string[] = [];
  for (let j = 0; j < parts.length; j++) {
    const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)$/.exec(parts[j]!);
    if (!m) return bad;
    const n = m[2] === '' ? 0n : BigInt(m[1]! + m[2]!);
    if ((j % 2 === 0 && n < 1n) || (j % 2 === 1 && n < 0n)) return bad;
    out.push(String(n));
  }
  return out.join(' ');
}

/** Redis's string2ll: no sign but '-', no leading zeros, no spaces, within 64 bits. */
function string2ll(s: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const n = BigInt(s);
  return n > LLONG_MAX || n < -LLONG_MAX - 1n ? null : n;
}

/** Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb); wraps at 2^64 as C does. */
export function parseMemory(s: string): bigint | null {
  const m = /^(\d*)(.*)$/.exec(s)!;
  const mul: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };
  const unit = mul[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const n = m[1] === '' ? 0n : BigInt(m[1]!);
  if (n > ULLONG_MAX) return null;
  return (n * unit) & ULLONG_MAX;
}

export class Config {
  /** Bumped by every successful CONFIG SET, so per-command readers can cache what they parse. */
  version = 0;
  private readonly values = new Map<string, string>();
  private readonly byName = new Map<string, ParamDef>();

  constructor() {
    for (const p of PARAMS) {
      this.values.set(p.name, p.default);
      this.byName.set(p.name, p);
      for (const a of p.aliases ?? []) this.byName.set(a, p);
    }
  }

  def(name: string): ParamDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get(name: string): string {
    const p = this.def(name);
    if (!p) throw new Error(`unknown config ${name}`);
    return this.values.get(p.name)!;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  /** Every (canonical name, value) pair. */
  entries(): Array<[string, string]> {
    return [...this.values.entries()];
  }

  /**
   * CONFIG GET: (name, value) for every name or alias matching any pattern, each name once.
   * An exact name (no glob characters) is looked up directly, as Redis does.
   */
  match(patterns: readonly string[]): Array<[string, string]> {
    const out = new Map<string, string>();
    const seen = new Set<string>();
    for (const pat of patterns) {
      if (!/[*?[\\]/.test(pat)) {
        // An exact name is echoed as it was given (case included), as Redis does.
        const p = this.byName.get(pat.toLowerCase());
        if (p && !seen.has(pat.toLowerCase())) {
          seen.add(pat.toLowerCase());
          out.set(pat, this.values.get(p.name)!);
        }
        continue;
      }
      for (const [name, p] of this.byName) {
        if (p.hidden || seen.has(name) || !stringMatch(pat, name, true)) continue;
        seen.add(name);
        out.set(name, this.values.get(p.name)!);
      }
    }
    return [...out];
  }

  /** Validate all pairs, then apply all or none. Returns null or Redis's error text. */
  setMany(pairs: Array<[string, string]>): string | null {
    const staged: Array<[ParamDef, string]> = [];
    const seen = new Set<string>();
    // Redis checks every name first (unknown, immutable, repeated), then parses the values.
    for (const [name] of pairs) {
      const p = this.def(name);
      if (!p) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (p.immutable) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      // Redis 7.0 detects a repeated name, not a name repeated through its alias.
      if (seen.has(name.toLowerCase())) return `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      seen.add(name.toLowerCase());
    }
    for (const [name, raw] of pairs) {
      const p = this.def(name)!;
      const v = normalize(p, raw);
      if (typeof v !== 'string') return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${v.error}`;
      staged.push([p, v]);
    }
    for (const [p, v] of staged) this.values.set(p.name, v);
    this.version++;
    return null;
  }
}

function normalize(p: ParamDef, raw: string): string | { error: string } {
  switch (p.kind) {
    case 'bool': {
      const l = raw.toLowerCase();
      if (l !== 'yes' && l !== 'no') return { error: "argument must be 'yes' or 'no'" };
      return l;
    }
    case 'enum': {
      const l = raw.toLowerCase();
      if (!p.values!.includes(l)) return { error: 'argument(s) must be one of the following: ' + p.values!.join(', ') };
      return l;
    }
    case 'int':
    case 'memory': {
      let n: bigint | null;
      if (p.percent && raw.length > 1 && raw.endsWith('%')) {
        // Redis stores a percentage as its negation, bounded below by -100.
        const pc = string2ll(raw.slice(0, -1));
        if (pc !== null && pc >= 0n) {
          if (pc > 100n) return { error: 'percentage argument must be less or equal to 100' };
          return `${pc}%`;
        }
      }
      if (p.kind === 'memory') {
        n = parseMemory(raw);
        if (n === null) return { error: p.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value' };
        // A signed (long long) parameter sees values past LLONG_MAX as negative, as C's cast does.
        if (p.max === LLONG_MAX && n > LLONG_MAX) n -= 1n << 64n;
      } else {
        n = string2ll(raw);
        if (n === null) return { error: "argument couldn't be parsed into an integer" };
      }
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { error: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      return String(p.clamp ? p.clamp(n) : n);
    }
    case 'string':
      return p.parse ? p.parse(raw) : raw;
  }
}
