// Client management across connections: each connection's client state (CLIENT REPLY, NO-EVICT,
// NO-TOUCH, TRACKING, MONITOR), the service-wide registry of live connections, CLIENT PAUSE,
// MONITOR lines and the idle `timeout`.
//
// Design. A connection (a RESP WebSocket) lives in one Worker isolate and no other isolate can
// reach its socket. So the service's view of its clients is ONE registry Durable Object
// (src/objects/clients.ts, named "clients"), and every RESP connection holds one WebSocket link
// to it, exactly like a subscriber's link to the pub/sub hub:
// - the registry accepts links as hibernatable WebSockets; a link's attachment holds its client
//   id (so connected_clients = live links, rebuilt after hibernation at no cost);
// - CLIENT LIST / KILL / UNBLOCK and INFO clients are one RPC to the registry, which asks every
//   link for its current record (a pull: a connection sends nothing while nobody asks, so an
//   ordinary command costs no extra message), waits for the answers (bounded), filters, and for
//   KILL / UNBLOCK sends the order down the owning connection's link, which closes its socket or
//   ends its blocked command on the shards (ShardObject.unblockClient with the reply kind);
// - CLIENT PAUSE is stored in the registry and broadcast to every link (and handed to new links
//   when they open); each connection holds its own commands while paused (Session's gate hook);
// - MONITOR: the registry counts monitors and tells every link whether any exist; only then do
//   connections send their command lines (one message per pipeline) to the registry, which
//   forwards them to the monitoring links. No monitor: no cost.
// In process (LocalBackend) the same ClientRegistry interface is served by LocalClients, which
// holds the connections directly.
//
// CLIENT TRACKING (default mode): invalidation pushes are built in engine/tracking.ts (the
// shards' tracking tables) and server/tracking.ts (the connection's link that hears them).
import { SF, shebangFlags } from '../commands/scripting.js';
import type { CommandSpec } from '../commands/types.js';
import type { Frame } from '../protocol/frame.js';
import type { SessionPart } from './part.js';
import { SLOW_DEFAULTS, SlowLog, type NewSlowEntry, type SlowConfig, type SlowEntry } from './slowlog.js';

/** What a registry knows of a connection when asked (CLIENT LIST line plus KILL filters). */
export interface ClientInfo {
  id: number;
  addr: string;
  laddr: string;
  user: string;
  /** normal | pubsub (monitor clients count as normal, as Redis's getClientType). */
  type: 'normal' | 'pubsub';
  blocked: boolean;
  /** Its commands are held by CLIENT PAUSE. */
  held?: boolean;
  tracking: boolean;
  /** Its CLIENT TRACKING BCAST prefixes. */
  prefixes?: string[];
  line: string;
}

export interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  user?: string;
  type?: 'normal' | 'pubsub' | 'master' | 'replica';
  skipme: boolean;
}

export type PauseMode = 'write' | 'all';
export interface PauseState {
  /** ms timestamp; 0 = not paused. */
  until: number;
  mode: PauseMode;
}

/** The service-wide view of connections (LocalClients in process; the registry DO client in the Worker). */
export interface ClientRegistry {
  list(): Promise<ClientInfo[]>;
  /** Connections killed. */
  kill(f: KillFilter, self: number): Promise<number>;
  pause(p: PauseState): Promise<void>;
  unblock(id: number, error: boolean): Promise<boolean>;
  /** This connection's MONITOR state changed. */
  setMonitor(id: number, on: boolean): void;
  /** Monitor lines produced by a connection (sent only while monitors exist). */
  feed(lines: string[]): void;
  /** Connections accepted since the service began or CONFIG RESETSTAT (INFO total_connections_received). */
  received(): Promise<number>;
  resetStats(): Promise<void>;
  /** SLOWLOG: entries of commands that took at least the threshold (sent only then). */
  slowlogAdd(entries: NewSlowEntry[]): void;
  slowlogGet(count: number): Promise<SlowEntry[]>;
  slowlogLen(): Promise<number>;
  slowlogReset(): Promise<void>;
  /** CONFIG SET of slowlog-log-slower-than / slowlog-max-len: kept and told to every connection. */
  setSlowConfig(c: SlowConfig): Promise<void>;
}

/** What the host of a connection lets the registry do to it. */
export interface ConnHost {
  /** Close the connection (CLIENT KILL). */
  kill(): void;
  /** End the connection's blocked command: true if it was blocked. */
  unblock(error: boolean): Promise<boolean>;
  /** Deliver a MONITOR line (the connection monitors). */
  monitorLine?(line: string): void;
}

/** One connection's client-management state: a part its Session owns. */
export class ClientConn implements SessionPart {
  replyMode: 'on' | 'off' = 'on';
  /** CLIENT REPLY SKIP just ran: its own reply and the next command's are silenced. */
  skipArm = false;
  skipNext = false;
  noEvict = false;
  noTouch = false;
  monitor = false;
  /** A command is running that may wait on a shard (for CLIENT UNBLOCK / flags b). */
  blocked = false;
  lastInteraction: number;
  registry: ClientRegistry | null = null;
  host: ConnHost | null = null;
  /** Pause state as last heard from the registry. */
  pause: PauseState = { until: 0, mode: 'all' };
  /** Whether monitors exist anywhere (lines are sent only then). */
  monitors = false;
  /** A command of this connection is held by CLIENT PAUSE. */
  held = false;
  /** The command being run (CLIENT LIST's qbuf is its size, counted only when asked). */
  running: readonly string[] | null = null;
  /** The slowlog settings as last heard from the registry. */
  slow: SlowConfig = SLOW_DEFAULTS;
  /** Wakes commands held by a pause when it ends early (UNPAUSE). */
  wake: Array<() => void> = [];

  constructor(now: number) {
    this.lastInteraction = now;
  }

  /** Attach the connection to a registry (the host: WebSocket, or an in-process test connection). */
  attach(registry: ClientRegistry | null, host: ConnHost): this {
    this.registry = registry;
    this.host = host;
    return this;
  }

  /** RESET: nothing of its own (CLIENT TRACKING's state is the tracking part's, server/tracking.ts). */
  reset(): void {}

  /** Disconnect: the registry link is the host's to close. */
  close(): void {}

  setPause(p: PauseState): void {
    this.pause = p;
    if (p.until === 0) for (const w of this.wake.splice(0)) w();
  }
}

/**
 * Redis's CMD_MAY_REPLICATE commands: not in COMMAND INFO's flags, yet CLIENT PAUSE WRITE holds
 * them (PFCOUNT may rewrite its HLL's cache; PUBLISH enters the replication stream; a script may write).
 */
const MAY_REPLICATE = new Set(['pfcount', 'publish', 'spublish', 'eval']);

/** CLIENT PAUSE WRITE's test (Redis's blockPostponeClient condition) for one command. */
export function pausedByWrite(spec: CommandSpec, argv: readonly string[], queued: ReadonlyArray<{ spec: CommandSpec; argv: readonly string[] }> = []): boolean {
  if (spec.flags.includes('write') || spec.flags.includes('may_replicate')) return true;
  // EVAL of a script declaring no-writes is a read (Redis reads its shebang flags before pausing).
  // EVALSHA and FCALL are not held: their flags live with the script or function on the shards,
  // which the connection does not know before it runs them (a known gap: Redis holds the writing ones).
  if (spec.name === 'eval') {
    const f = shebangFlags(argv[1] ?? '');
    return !('flags' in f) || (f.flags & SF.NoWrites) === 0;
  }
  if (MAY_REPLICATE.has(spec.name)) return true;
  // EXEC is held when its queue holds a write (Redis: the transaction's accumulated flags).
  if (spec.name === 'exec') return queued.some((q) => pausedByWrite(q.spec, q.argv));
  return false;
}

/**
 * Session's gate hook: null when the command runs now, else a promise that resolves when the
 * pause that holds it ends (timeout reached, or UNPAUSE heard from the registry).
 */
export function pauseGate(st: ClientConn, writes: boolean, now: () => number): Promise<void> | null {
  const p = st.pause;
  if (p.until === 0 || now() >= p.until) return null;
  if (p.mode === 'write' && !writes) return null;
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, Math.max(1, p.until - now()));
    function done() {
      clearTimeout(t);
      const i = st.wake.indexOf(done);
      if (i >= 0) st.wake.splice(i, 1);
      resolve();
    }
    st.wake.push(done);
  }).then(() => pauseGate(st, writes, now) ?? undefined);
}

// ---- MONITOR lines ----

/** sdscatrepr: a quoted argument as Redis's MONITOR prints it. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (c >= 32 && c < 127) out += ch;
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + '"';
}

/** `1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"` (the status line's text). */
export function monitorLine(nowMs: number, db: number, addr: string, argv: readonly string[]): string {
  const sec = Math.floor(nowMs / 1000);
  const usec = Math.floor((nowMs - sec * 1000) * 1000);
  return `${sec}.${String(usec).padStart(6, '0')} [${db} ${addr}] ${argv.map(repr).join(' ')}`;
}

/** Commands Redis never shows to monitors (admin, skip_monitor). */
export function monitored(spec: CommandSpec): boolean {
  return !spec.flags.includes('admin') && !spec.flags.includes('skip_monitor');
}

// ---- the in-process registry ----

interface LocalEntry {
  st: ClientConn;
  info(): ClientInfo;
}

/** LocalBackend's registry: every connection of the process, reached directly. */
export class LocalClients implements ClientRegistry {
  readonly conns = new Map<number, LocalEntry>();
  private pauseState: PauseState = { until: 0, mode: 'all' };
  private readonly monitors = new Set<number>();
  private receivedCount = 0;
  private slowCfg: SlowConfig = SLOW_DEFAULTS;
  private readonly slow = new SlowLog();

  add(id: number, st: ClientConn, info: () => ClientInfo): void {
    this.receivedCount++;
    this.conns.set(id, { st, info });
    st.setPause(this.pauseState);
    st.monitors = this.monitors.size > 0;
    st.slow = this.slowCfg;
  }

  remove(id: number): void {
    this.conns.delete(id);
    this.setMonitor(id, false);
  }

  async list(): Promise<ClientInfo[]> {
    return [...this.conns.values()].map((e) => e.info());
  }

  async kill(f: KillFilter, self: number): Promise<number> {
    const hits = matchKill(await this.list(), f, self);
    for (const i of hits) {
      const e = this.conns.get(i.id);
      if (!e) continue;
      this.remove(i.id);
      e.st.host?.kill();
    }
    return hits.length;
  }

  async pause(p: PauseState): Promise<void> {
    this.pauseState = p;
    for (const e of this.conns.values()) e.st.setPause(p);
  }

  async unblock(id: number, error: boolean): Promise<boolean> {
    const e = this.conns.get(id);
    if (!e || !e.st.blocked || !e.st.host) return false;
    return e.st.host.unblock(error);
  }

  setMonitor(id: number, on: boolean): void {
    if (on) this.monitors.add(id);
    else this.monitors.delete(id);
    for (const e of this.conns.values()) e.st.monitors = this.monitors.size > 0;
  }

  async received(): Promise<number> {
    return this.receivedCount;
  }

  async resetStats(): Promise<void> {
    this.receivedCount = 0;
  }

  slowlogAdd(entries: NewSlowEntry[]): void {
    this.slow.add(entries);
  }
  async slowlogGet(count: number): Promise<SlowEntry[]> {
    return this.slow.get(count);
  }
  async slowlogLen(): Promise<number> {
    return this.slow.len();
  }
  async slowlogReset(): Promise<void> {
    this.slow.reset();
  }
  async setSlowConfig(c: SlowConfig): Promise<void> {
    this.slowCfg = c;
    this.slow.setMaxLen(c.maxLen);
    for (const e of this.conns.values()) e.st.slow = c;
  }

  feed(lines: string[]): void {
    for (const id of this.monitors) {
      const h = this.conns.get(id)?.st.host;
      for (const l of lines) h?.monitorLine?.(l);
    }
  }
}

/** A command's size as a RESP multibulk: what Redis's query buffer holds while it runs. */
export function respLength(argv: readonly string[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/** CLIENT KILL's filters over the registry's records (SKIPME yes leaves the caller alone). */
export function matchKill(all: ClientInfo[], f: KillFilter, self: number): ClientInfo[] {
  return all.filter((i) => {
    if (f.id !== undefined && i.id !== f.id) return false;
    if (f.addr !== undefined && i.addr !== f.addr) return false;
    if (f.laddr !== undefined && i.laddr !== f.laddr) return false;
    if (f.user !== undefined && i.user !== f.user) return false;
    if (f.type !== undefined && f.type !== i.type) return false;
    if (f.skipme && i.id === self) return false;
    return true;
  });
}

// ---- idle timeout ----

/** Seconds of `timeout` (0 = never), as a host reads it (CONFIG GET timeout on a shard). */
export type TimeoutSource = () => Promise<number>;

/**
 * Redis's clientsCron idle check: a connection idle for `timeout` seconds is closed, unless it is
 * subscribed, monitoring or blocked. The timeout is read when the connection has been idle for a
 * while (so a busy connection costs nothing); while it is 0 the check repeats every RECHECK_MS,
 * so a `CONFIG SET timeout` applies to idle connections within that delay.
 */
export const RECHECK_MS = 10_000;
export function idleCheck(idleMs: number, timeoutSec: number, exempt: boolean): { close: boolean; nextMs: number } {
  if (timeoutSec <= 0) return { close: false, nextMs: RECHECK_MS };
  if (!exempt && idleMs >= timeoutSec * 1000) return { close: true, nextMs: 0 };
  return { close: false, nextMs: Math.min(RECHECK_MS, Math.max(100, timeoutSec * 1000 - idleMs)) };
}

/** Reply frames of a pipeline minus those CLIENT REPLY OFF / SKIP silenced. */
export function unmuted(replies: Frame[], muted: boolean[]): Frame[] {
  return muted.length ? replies.filter((_, i) => !muted[i]) : replies;
}
