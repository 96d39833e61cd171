// SLOWLOG's service-wide log and what a connection puts in it: Redis's entry shape, argument
// trimming and redaction, and the per-command timing of a pipeline.
//
// Design. Redis times a command's execution on its one thread. A keyflare command's time is
// spent across a Worker and shard Durable Objects, and workerd's clock does not advance during
// synchronous code, so a shard cannot time its own execution. The connection measures instead:
// a command's duration is from its dispatch to its reply (a shard batch's round trip for every
// command in the batch; EXEC's for each queued command). The log itself lives in the client
// registry (one per service, like the rest of the service-wide client state); its two settings
// are broadcast to every connection, which sends its entries only when a command took at least
// `slowlog-log-slower-than`, so a fast command costs one clock read.
import type { CommandSpec } from '../commands/types.js';

/** One entry: Redis's [id, timestamp, microseconds, args, peer, client name]. */
export interface SlowEntry {
  id: number;
  /** Unix seconds. */
  ts: number;
  us: number;
  args: string[];
  peer: string;
  name: string;
}
export type NewSlowEntry = Omit<SlowEntry, 'id'>;

export interface SlowConfig {
  /** Microseconds; -1 disables the log, 0 logs every command. */
  threshold: number;
  maxLen: number;
}
export const SLOW_DEFAULTS: SlowConfig = { threshold: 10000, maxLen: 128 };

/** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
const MAX_ARGC = 32;
const MAX_STRING = 128;

/** The log: newest first, at most maxLen entries, ids increasing from 0 since the start. */
export class SlowLog {
  private entries: SlowEntry[] = [];
  private nextId = 0;
  constructor(private maxLen = SLOW_DEFAULTS.maxLen) {}

  add(es: readonly NewSlowEntry[]): void {
    for (const e of es) this.entries.unshift({ id: this.nextId++, ...e });
    this.trim();
  }
  setMaxLen(n: number): void {
    this.maxLen = n;
    this.trim();
  }
  /** count -1: all. */
  get(count: number): SlowEntry[] {
    return count < 0 ? this.entries.slice() : this.entries.slice(0, count);
  }
  len(): number {
    return this.entries.length;
  }
  reset(): void {
    this.entries = [];
  }
  /**
   * The ids the log holds: every id in [low, next), newest first in get() (ids are handed out in
   * order and only the oldest fall off, so they are contiguous). A host that persists the log
   * stores the difference between two ranges instead of comparing entries.
   */
  range(): { low: number; next: number } {
    return { low: this.nextId - this.entries.length, next: this.nextId };
  }
  /** The entry with id `id` (within range()). */
  byId(id: number): SlowEntry | undefined {
    return this.entries[this.nextId - 1 - id];
  }
  /** For a host that persists the log: the entries and the next id. */
  snapshot(): { entries: SlowEntry[]; nextId: number } {
    return { entries: this.entries.slice(), nextId: this.nextId };
  }
  restore(s: { entries: SlowEntry[]; nextId: number }): void {
    this.entries = s.entries.slice(0, this.maxLen);
    this.nextId = s.nextId;
  }
  private trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }
}

/**
 * The arguments as Redis logs them: secrets replaced by "(redacted)" (the arguments Redis's
 * commands mark with redactClientCommandArgument), at most 32 arguments (the last saying how
 * many more), each at most 128 bytes (then how many more bytes).
 */
export function slowArgs(spec: CommandSpec, argv: readonly string[]): string[] {
  const a = argv.slice();
  for (const i of redacted(spec.name, a)) a[i] = '(redacted)';
  const n = Math.min(a.length, MAX_ARGC);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === MAX_ARGC - 1 && a.length > MAX_ARGC) {
      out.push(`... (${a.length - MAX_ARGC + 1} more arguments)`);
      break;
    }
    const s = a[i]!;
    out.push(s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}... (${s.length - MAX_STRING} more bytes)` : s);
  }
  return out;
}

/** Redis 7.0's sensitive configs (CONFIG SET redacts their values). */
const SENSITIVE_CONFIGS = new Set(['masterauth', 'requirepass']);

function redacted(name: string, a: readonly string[]): number[] {
  const from = (i: number) => Array.from({ length: Math.max(0, a.length - i) }, (_, j) => i + j);
  switch (name) {
    case 'auth':
      return from(1);
    case 'acl|setuser':
      return from(2);
    case 'hello': {
      const out: number[] = [];
      for (let i = 2; i < a.length; i++) {
        const o = a[i]!.toLowerCase();
        if (o === 'auth' && i + 2 < a.length) {
          out.push(i + 1, i + 2);
          i += 2;
        } else if (o === 'setname') i++;
      }
      return out;
    }
    case 'config|set': {
      const out: number[] = [];
      for (let i = 2; i + 1 < a.length; i += 2) if (SENSITIVE_CONFIGS.has(a[i]!.toLowerCase())) out.push(i + 1);
      return out;
    }
    case 'migrate': {
      for (let i = 6; i < a.length; i++) {
        const o = a[i]!.toLowerCase();
        if (o === 'auth') return [i + 1].filter((j) => j < a.length);
        if (o === 'auth2') return [i + 1, i + 2].filter((j) => j < a.length);
        if (o === 'keys') break;
      }
      return [];
    }
    default:
      return [];
  }
}

/** The values a successful CONFIG SET gave the two slowlog settings (null: it set neither). */
export function slowConfigOf(argv: readonly string[], cur: SlowConfig): SlowConfig | null {
  let next: SlowConfig | null = null;
  for (let i = 2; i + 1 < argv.length; i += 2) {
    const k = argv[i]!.toLowerCase();
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) continue;
    if (k === 'slowlog-log-slower-than') next = { ...(next ?? cur), threshold: v };
    else if (k === 'slowlog-max-len') next = { ...(next ?? cur), maxLen: v };
  }
  return next;
}

/** A pipeline's command timings: each command's dispatch and reply times, in ms. */
export class SlowTimer {
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  /** MULTI's queued commands, logged at EXEC with EXEC's duration. */
  private readonly execs = new Map<number, string[][]>();
  constructor(private readonly now: () => number) {}

  begin(i: number): void {
    this.start[i] = this.now();
  }
  done(i: number): void {
    this.end[i] = this.now();
  }
  /** A shard batch ran from t0 to now: its commands took that long each. */
  batch(idx: readonly number[], t0: number): void {
    const t1 = this.now();
    for (const i of idx) {
      this.start[i] = t0;
      this.end[i] = t1;
    }
  }
  exec(i: number, queued: string[][]): void {
    this.execs.set(i, queued);
  }

  /** The entries for commands that took at least the threshold (µs). */
  entries(cmds: readonly (readonly string[])[], specs: readonly (CommandSpec | undefined)[], threshold: number, lookup: (argv: readonly string[]) => CommandSpec | undefined, who: { peer: string; name: string }): NewSlowEntry[] {
    if (threshold < 0) return [];
    const out: NewSlowEntry[] = [];
    const add = (spec: CommandSpec, argv: readonly string[], t0: number, t1: number) => {
      const us = Math.max(0, Math.round((t1 - t0) * 1000));
      if (us >= threshold) out.push({ ts: Math.floor(t1 / 1000), us, args: slowArgs(spec, argv), peer: who.peer, name: who.name });
    };
    for (let i = 0; i < cmds.length; i++) {
      const spec = specs[i];
      const t0 = this.start[i];
      const t1 = this.end[i];
      if (!spec || t0 === undefined || t1 === undefined) continue;
      const queued = this.execs.get(i);
      if (queued) {
        for (const q of queued) {
          const s = lookup(q);
          if (s) add(s, q, t0, t1);
        }
      }
      if (!spec.flags.includes('skip_slowlog')) add(spec, cmds[i]!, t0, t1);
    }
    return out;
  }
}
