// One client connection (a WebSocket, or one REST request): protocol state, auth, and the
// routing of a pipeline to shards — one batch per shard, replies reassembled in order.
import { keySlot, type SlotMap } from '../cluster/slot.js';
import { keyPositions } from '../commands/table.js';
import { TABLE, lookup } from './commands/table.js';
import { allClients } from './commands/client.js';
import type { CommandSpec, ConnCtx, Mode, ServerFacts, ServiceFacts, SessionState } from '../commands/types.js';
import { E, NILARR, OK, err, int, type Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { subscribedCheck, type PubSubBackend } from './pubsub.js';
import { ConnPubSub } from './pubsub-conn.js';
import type { SessionPart } from './part.js';
import { checkCommand, nopermText, passwordOk, type AclHost, type Denial } from './acl.js';
import { ClientConn, monitored, monitorLine, pauseGate, pausedByWrite } from './clients.js';
import { TRACKING_AFTER, afterTrackingCommand, closeTracking, spendCaching, syncTracking, trackOpts, trackingState } from './tracking.js';
import type { TrackOpts } from '../engine/tracking.js';
import { incident } from './incident.js';
import { runAcross, type XCommand, type XResult, type XWatch } from './xshard.js';
import { replyStrings } from '../shard/txn-wire.js';
import { SlowTimer, slowConfigOf } from './slowlog.js';
import { REST_WATCH_MAX_KEYS, REST_WATCH_TOO_MANY, Transaction, TxRoute, watchedElsewhere, decodeWatchToken, encodeWatchToken, runAtomic, watchKeys, type TxHost, type WatchMap } from './transaction.js';

/** Commands whose replies are pushes (Redis's addReplyPubsub*): never silenced by CLIENT REPLY. */
const PUSH_REPLIES = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);

/** What a session needs from its host (the Worker, or an in-process test harness). */
export interface Backend {
  readonly slots: SlotMap;
  readonly server: ServerFacts;
  now(): number;
  /** Run a batch of commands on one shard, in order (atomic: no blocking, as in MULTI). */
  exec(shard: number, batch: string[][], resp: Proto, opts?: ExecOpts): Promise<Frame[]>;
  /** Token check: null user = the AUTH <password> form. */
  auth(user: string | null, pass: string): { user: string; readonly: boolean } | null;
  nextClientId(): number;
  /** The pub/sub hub (server/pubsub.ts); absent: pub/sub commands answer an error. */
  readonly pubsub?: PubSubBackend;
  /** ACL users (server/acl.ts); absent: only the read-only flag limits a session. */
  readonly acl?: AclHost;
  /** Ids of cross-shard transactions, unique across the service (absent: per-connection ids). */
  txid?(): string;
  /** Cross-shard transactions' lock lease (server/xshard.ts XSHARD_LEASE_MS when absent). */
  readonly txLeaseMs?: number;
  /** Test only: a broken coordinator variant (server/xshard.ts), which the history checker must catch. */
  readonly xshardBug?: 'unlocked-reads';
  /** The client registry's connection counts, for sessions without a registry link (REST). */
  readonly connections?: ConnectionStats;
}

/** INFO's total_connections_received and its CONFIG RESETSTAT (server/clients.ts ClientRegistry). */
export interface ConnectionStats {
  received(): Promise<number>;
  resetStats(): Promise<void>;
}

export interface ExecOpts {
  /** The batch is a transaction: blocking commands answer at once. */
  atomic?: boolean;
  /** The connection's client id (blocked clients are tracked per client). */
  client?: number;
  /** CLIENT NO-TOUCH on: reads leave the keys' access time alone. */
  noTouch?: boolean;
  /** CLIENT TRACKING on: the shard remembers the keys read (engine/tracking.ts). */
  track?: TrackOpts;
  /** The batch's blocking commands wait at most this long in all (REST), then time out. */
  maxBlockMs?: number;
  /** The connection's selected database (SELECT); absent: 0. */
  db?: number;
}

let fallbackIds = 0;

/** A blocking command's timeout in ms (0: forever), or null when it is not one polled across shards. */
function blockTimeoutMs(name: string, argv: readonly string[]): number | null {
  const arg = name === 'blmpop' || name === 'bzmpop' ? argv[1] : argv[argv.length - 1];
  const secs = Number(arg);
  return Number.isFinite(secs) && secs >= 0 ? Math.round(secs * 1000) : null;
}
let txSeq = 0;

/**
 * Whether a command whose keys span shards runs through the coordinator (standalone mode).
 * Not yet: scripts and functions (their caches and libraries live on the shards), XREAD and
 * XREADGROUP (their BLOCK waits on several shards), SORT (BY/GET patterns name keys only known
 * once the list is read). Those answer CROSSSLOT across shards.
 */
export function acrossShards(mode: Mode, spec: CommandSpec): boolean {
  if (mode === 'cluster') return false;
  return !NOT_ACROSS.has(spec.name);
}

const NOT_ACROSS = new Set(['eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro', 'sort', 'sort_ro', 'xread', 'xreadgroup']);

export class Session implements ConnCtx, TxHost {
  readonly session: SessionState;
  /** MULTI queue and WATCHed versions (server/transaction.ts). */
  readonly tx: Transaction;
  /** Client management: CLIENT REPLY, NO-TOUCH, TRACKING, PAUSE, MONITOR (server/clients.ts). */
  readonly client: ClientConn;
  /** Subscriptions and the push sink (server/pubsub-conn.ts). */
  readonly subscriptions: ConnPubSub;
  /**
   * Every part of the connection's state, in RESET's order (Redis's clearClientConnectionState:
   * MULTI discarded and keys unwatched, subscriptions dropped, tracking off, then the tracking
   * link follows what is left). Disconnect closes them in the reverse order.
   */
  private readonly parts: readonly SessionPart[];

  constructor(
    private readonly backend: Backend,
    init: Partial<SessionState> = {},
  ) {
    const now = backend.now();
    this.session = {
      id: backend.nextClientId?.() ?? ++fallbackIds,
      name: '',
      proto: 2,
      authenticated: false,
      user: 'default',
      readonly: false,
      db: 0,
      libName: '',
      libVer: '',
      createdAt: now,
      lastCmd: '',
      addr: '127.0.0.1:0',
      laddr: '127.0.0.1:0',
      closing: false,
      ...init,
    };
    this.tx = new Transaction(this);
    this.client = new ClientConn(now);
    this.subscriptions = new ConnPubSub();
    // The tracking link (server/tracking.ts): after the parts above, its wanted channels are none.
    const tracking: SessionPart = {
      reset: () => {
        trackingState(this).reset();
        return syncTracking(this, true);
      },
      close: () => closeTracking(this),
    };
    this.parts = [this.tx, this.subscriptions, this.client, tracking];
  }

  get slots(): SlotMap {
    return this.backend.slots;
  }
  get table() {
    return TABLE;
  }
  /** INFO's service-wide facts: connections from the client registry, channel counts from the hub. */
  async serviceFacts(sections: ReadonlySet<string>): Promise<ServiceFacts> {
    const out: ServiceFacts = {};
    if (sections.has('clients') || sections.has('stats')) {
      const cl = await allClients(this);
      // tracking_total_prefixes: the distinct BCAST prefixes of all clients (Redis's PrefixTable).
      const prefixes = new Set(cl.flatMap((i) => i.prefixes ?? [])).size;
      out.clients = { connected: cl.length, tracking: cl.filter((i) => i.tracking).length, held: cl.filter((i) => i.held).length, prefixes };
    }
    const p = this.backend.pubsub;
    if (sections.has('stats') && p) {
      const [channels, patterns, shardChannels] = await Promise.all([p.channels(null, false), p.numpat(), p.channels(null, true)]);
      out.pubsub = { channels: channels.length, patterns, shardChannels: shardChannels.length };
    }
    return out;
  }
  get server(): ServerFacts {
    return this.backend.server;
  }
  now(): number {
    return this.backend.now();
  }
  get pubsub(): PubSubBackend | undefined {
    return this.backend.pubsub;
  }
  get acl(): AclHost | undefined {
    return this.backend.acl;
  }
  /**
   * AUTH / HELLO AUTH: the service's tokens first (they are their users' master credentials, as
   * the Bearer header is), then the ACL user's passwords (SHA-256, compared in constant time).
   */
  auth(user: string | null, pass: string) {
    const acl = this.backend.acl;
    const tok = this.backend.auth(user, pass);
    const name = tok?.user ?? user ?? 'default';
    // Redis's rule holds for the tokens too: a disabled or deleted user cannot authenticate.
    if (!acl || (tok && acl.user(tok.user)?.enabled)) return tok;
    if (!tok && passwordOk(acl.user(name), pass)) return { user: name, readonly: false };
    acl.log({ reason: 'auth', context: this.tx.active ? 'multi' : 'toplevel', object: this.argv0, username: name, clientInfo: this.clientInfo(this.argv0.toLowerCase()) });
    return null;
  }
  /** One command on one shard; a shard that fails answers CLUSTERDOWN (details logged, see incident.ts). */
  async exec(shard: number, argv: string[]): Promise<Frame> {
    return (await this.settle([[shard, argv]])).replies[0]!;
  }
  /** One command on every shard, replies in shard order; a failed shard's reply is CLUSTERDOWN. */
  async all(argv: string[]): Promise<Frame[]> {
    return (await this.settle(this.everyShard(argv))).replies;
  }

  private everyShard(argv: string[]): Array<[number, string[]]> {
    const calls: Array<[number, string[]]> = [];
    for (let i = 0; i < this.backend.slots.shards; i++) calls.push([i, argv]);
    return calls;
  }

  /**
   * Run one command per shard and wait for every shard, also when some fail: the caller must
   * know which shards ran it (a fan-out write that failed on one shard was applied on the others).
   * Failures are logged under one incident id; their replies are CLUSTERDOWN with that id.
   */
  private async settle(calls: ReadonlyArray<readonly [number, string[]]>): Promise<Settled> {
    const res = await Promise.allSettled(calls.map(([s, argv]) => this.backend.exec(s, [argv], this.session.proto, this.execOpts())));
    const replies = new Array<Frame>(calls.length);
    const failed: number[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < res.length; i++) {
      const r = res[i]!;
      if (r.status === 'fulfilled') replies[i] = r.value[0]!;
      else {
        failed.push(i);
        errors.push(r.reason);
      }
    }
    if (failed.length === 0) return { replies, failed };
    const shards = failed.map((i) => calls[i]![0]);
    const id = incident(`${commandName(calls[0]![1])} failed on shard ${shards.join(', ')}`, errors.length === 1 ? errors[0] : new AggregateError(errors));
    const f = err(unavailable(shards, id));
    for (const i of failed) replies[i] = f;
    return { replies, failed, incident: id };
  }

  /** Client id, CLIENT NO-TOUCH, tracking and the selected db for a shard batch. */
  private execOpts(): ExecOpts {
    const cs = this.client;
    const o: ExecOpts = cs.noTouch ? { client: this.session.id, noTouch: true } : { client: this.session.id };
    if (trackingState(this).on) o.track = trackOpts(this);
    if (this.session.db !== 0) o.db = this.session.db;
    return o;
  }

  /**
   * Run a pipeline; replies come back in request order. `muted[i]` is set for replies that
   * CLIENT REPLY OFF / SKIP silence (hosts that honour it pass an array and drop those).
   */
  async run(cmds: readonly string[][], muted?: boolean[]): Promise<Frame[]> {
    // ACL users come from the host's cache: refreshed when stale, and at once before an AUTH.
    const acl = this.backend.acl;
    if (acl) await acl.sync(cmds.some((c) => c.length > 0 && /^(auth|hello)$/i.test(c[0]!)));
    const replies = new Array<Frame>(cmds.length);
    // Client management (server/clients.ts): idle time, CLIENT PAUSE, MONITOR lines, REPLY.
    const cs = this.client;
    cs.lastInteraction = this.backend.now();
    const lines: string[] | null = cs.monitors && cs.registry ? [] : null;
    let blockingSeg = false;
    // SLOWLOG (server/slowlog.ts): each command's dispatch-to-reply time, for connections with a registry.
    const slow = cs.registry ? new SlowTimer(() => this.backend.now()) : null;
    const specs: Array<CommandSpec | undefined> = [];
    // Runs of single-shard commands are gathered per shard and sent as one batch each;
    // anything else (fan-out, connection commands) is a barrier that waits for them.
    let seg = new Map<number, { idx: number[]; batch: string[][] }>();
    const flush = async () => {
      if (seg.size === 0) return;
      const cur = seg;
      seg = new Map();
      const blk = blockingSeg;
      blockingSeg = false;
      if (blk) cs.blocked = true;
      await Promise.all(
        [...cur].map(async ([shard, { idx, batch }]) => {
          let res: Frame[];
          const t0 = slow ? this.backend.now() : 0;
          try {
            res = await this.backend.exec(shard, batch, this.session.proto, this.execOpts());
          } catch (e) {
            const f = err(unavailable([shard], incident(`batch of ${batch.length} failed on shard ${shard}`, e)));
            res = batch.map(() => f);
          }
          for (let i = 0; i < idx.length; i++) replies[idx[i]!] = res[i]!;
          slow?.batch(idx, t0);
        }),
      ).finally(() => {
        if (blk) cs.blocked = false;
      });
    };
    for (let i = 0; i < cmds.length; i++) {
      const argv = cmds[i]!;
      if (this.session.closing) {
        replies.length = i;
        break;
      }
      const checked = this.check(argv);
      if ('err' in checked) {
        this.tx.flag(); // a command rejected inside MULTI makes EXEC answer EXECABORT
        replies[i] = checked.err;
        continue;
      }
      const { spec, pos } = checked;
      specs[i] = spec;
      // CLIENT PAUSE holds this connection's commands (all, or writes only) until it ends.
      const gate = cs.pause.until ? pauseGate(cs, cs.pause.mode === 'all' || pausedByWrite(spec, argv, this.tx.queued()), () => this.backend.now()) : null;
      if (gate) {
        await flush();
        cs.held = true;
        await gate.finally(() => (cs.held = false));
      }
      if (cs.replyMode === 'off' || cs.skipNext) {
        cs.skipNext = false;
        // Subscription confirmations are pushes, which CLIENT REPLY OFF / SKIP do not silence
        // (Redis marks them CLIENT_PUSHING), as they do not silence published messages.
        if (muted && !PUSH_REPLIES.has(spec.name)) muted[i] = true;
      }
      if (lines && monitored(spec)) lines.push(monitorLine(this.backend.now(), this.session.db, this.session.addr, argv));
      this.session.lastCmd = spec.name;
      if (this.tx.queues(spec)) {
        replies[i] = this.tx.enqueue(spec, argv, pos);
        continue;
      }
      if (spec.route === 'keys' || spec.route === 'split') {
        const shard = this.singleShard(spec, argv, pos);
        if (typeof shard === 'number') {
          let s = seg.get(shard);
          if (!s) seg.set(shard, (s = { idx: [], batch: [] }));
          s.idx.push(i);
          s.batch.push(argv);
          if (!blockingSeg && spec.flags.includes('blocking')) blockingSeg = true;
          // CLIENT CACHING covers this one command: it runs before the next one's opts change.
          if (trackingState(this).caching) {
            await flush();
            spendCaching(this, spec.name, false);
          }
          continue;
        }
        // Cluster mode answers CROSSSLOT; standalone mode runs it across shards (runOne).
        if (spec.route === 'keys' && !acrossShards(this.backend.server.mode, spec)) {
          replies[i] = shard;
          continue;
        }
      }
      await flush();
      slow?.begin(i);
      if (slow && spec.name === 'exec') slow.exec(i, this.tx.queuedArgv());
      // CLIENT LIST's qbuf: while Redis runs a command, its query buffer still holds it.
      cs.running = argv;
      replies[i] = await this.runOne(spec, argv, pos);
      cs.running = null;
      slow?.done(i);
      if (TRACKING_AFTER.has(spec.name)) await afterTrackingCommand(this, spec.name, replies[i]!);
      spendCaching(this, spec.name, this.tx.active);
      // CLIENT REPLY OFF / SKIP silence their own reply too; ON answers OK.
      if (spec.name === 'client|reply') {
        const quiet = cs.replyMode === 'off' || cs.skipArm;
        if (muted) muted[i] = quiet;
        cs.skipNext = cs.skipArm;
        cs.skipArm = false;
      }
    }
    await flush();
    if (lines?.length) cs.registry!.feed(lines);
    if (slow) {
      // Redis decides after the command ran: a CONFIG SET of the threshold applies to itself.
      const es = slow.entries(cmds, specs, cs.slow.threshold, (a) => lookup(a).spec, { peer: this.session.addr, name: this.session.name });
      if (es.length) cs.registry!.slowlogAdd(es);
    }
    if (acl) await acl.settle(); // ACL LOG records of this pipeline's denials
    return replies;
  }

  /**
   * Run commands atomically (REST /multi-exec): all on one slot, executed as one shard batch,
   * which a shard runs without interleaving. Refused as a whole (one error) as Redis's EXEC is.
   * `watchToken` (from watchToken()) makes it answer NILARR, running nothing, if a key changed.
   */
  async transaction(cmds: readonly string[][], watchToken?: string): Promise<Frame[] | Frame> {
    await this.backend.acl?.sync(false);
    let watched: WatchMap = new Map();
    if (watchToken !== undefined) {
      const w = decodeWatchToken(watchToken, this.backend.slots);
      if (!w) return err('ERR invalid watch token');
      watched = w;
    }
    const route = new TxRoute(this.backend.slots, this.backend.server.mode);
    const queue: Array<{ spec: CommandSpec; argv: string[]; pos: number[] }> = [];
    for (const argv of cmds) {
      const checked = this.check(argv);
      if ('err' in checked) return err('EXECABORT Transaction discarded because of previous errors.');
      const { spec, pos } = checked;
      if (spec.route === 'conn' || spec.route === 'all') {
        return err(`ERR '${spec.name}' cannot run inside a transaction: it is not bound to one slot`);
      }
      const bad = route.add(argv, pos);
      if (bad) return bad;
      queue.push({ spec, argv, pos });
    }
    // Across shards (standalone), or watching keys of another shard: the coordinator.
    if (route.spans || (this.backend.server.mode !== 'cluster' && watchedElsewhere(watched, route.shard))) {
      const r = await this.across(queue, watched);
      return r.t === 'ok' ? r.replies : r.t === 'error' ? r.reply : NILARR;
    }
    const res = await runAtomic(this, queue, route.shard, watched, false);
    return res ?? NILARR; // a Frame: the shard refused the transaction as a whole
  }

  /**
   * REST WATCH: register the keys (leased, no connection holds them) and return a token, or the
   * error: WATCH's own checks (arity, the user's ACL on the keys), then the REST limits.
   */
  async watchToken(keys: readonly string[]): Promise<string | Frame> {
    await this.backend.acl?.sync(false);
    const argv = ['WATCH'];
    for (const k of keys) argv.push(k);
    const checked = this.check(argv);
    if ('err' in checked) {
      await this.backend.acl?.settle();
      return checked.err;
    }
    const unique = [...new Set(keys)];
    if (unique.length > REST_WATCH_MAX_KEYS) return err(REST_WATCH_TOO_MANY);
    const w = await watchKeys(this, unique, false);
    return w instanceof Map ? encodeWatchToken(w) : w;
  }

  /** RESP connections accepted, from this connection's registry link or else the host's registry. */
  async connectionsReceived(): Promise<number | undefined> {
    const stats: ConnectionStats | undefined = this.client.registry ?? this.backend.connections;
    try {
      return await stats?.received();
    } catch (e) {
      incident('INFO: the client registry did not answer', e);
      return undefined;
    }
  }

  /**
   * RESET (Redis's clearClientConnectionState): MULTI discarded and keys unwatched, every
   * subscription dropped, tracking off, protocol 2, no name, db 0. The one place that knows what
   * a connection's state is made of; the parts' owners reset themselves.
   */
  async resetConnection(): Promise<void> {
    for (const p of this.parts) await p.reset();
    const s = this.session;
    s.proto = 2;
    s.name = '';
    s.db = 0;
  }

  /** The connection ended: every part lets go of what it holds (hub links, watches on the shards). */
  async close(): Promise<void> {
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const r = this.parts[i]!.close();
      if (r) await r; // the synchronous ones let go at once, before the first await
    }
  }

  /** TxHost: one batch on one shard, with this connection's protocol and client id. */
  shardBatch(shard: number, batch: string[][], atomic: boolean): Promise<Frame[]> {
    return this.backend.exec(shard, batch, this.session.proto, atomic ? { ...this.execOpts(), atomic: true } : this.execOpts());
  }

  /**
   * One command over keys of several shards, atomically (server/xshard.ts). A blocking one that
   * finds nothing runs again until its timeout (polled: TX_WAIT is not served by shards yet).
   */
  private async acrossOne(spec: CommandSpec, argv: string[], pos: readonly number[]): Promise<Frame> {
    const timeout = spec.flags.includes('blocking') ? blockTimeoutMs(spec.name, argv) : null;
    const deadline = timeout === null ? 0 : timeout === 0 ? Infinity : this.backend.now() + timeout;
    const cs = this.client;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      const r = await this.across([{ spec, argv, pos }], new Map());
      if (r.t !== 'ok') return r.t === 'error' ? r.reply : NILARR;
      const f = r.replies[0]!;
      if (timeout === null || (f.t !== 'nil' && f.t !== 'nilarr') || this.session.closing) return f;
      const left = deadline - this.backend.now();
      if (left <= 0) return NILARR; // Redis's timeout reply for every blocked list, zset or stream pop
      cs.blocked = true;
      await new Promise<void>((res) => setTimeout(() => res(), Math.min(pause, left)));
      cs.blocked = false;
    }
  }

  /** TxHost: a unit of commands (and watched keys) over several shards, run by the coordinator. */
  async across(cmds: readonly XCommand[], watched: WatchMap): Promise<XResult> {
    const watches: XWatch[] = [];
    for (const [key, w] of watched) watches.push({ key, shard: w.shard, epoch: w.epoch, ver: w.ver });
    const b = this.backend;
    const opts = this.execOpts();
    // CLIENT TRACKING: the keys the unit reads are registered on their shards first (a read of
    // them there, before the locks): a write after it invalidates them, as Redis's would.
    if (opts.track) {
      const per = new Map<number, string[]>();
      for (const c of cmds) {
        if (!c.spec.flags.includes('readonly')) continue;
        for (const p of c.pos) {
          const s = b.slots.shardOfKey(c.argv[p]!);
          let l = per.get(s);
          if (!l) per.set(s, (l = ['EXISTS']));
          l.push(c.argv[p]!);
        }
      }
      await Promise.allSettled([...per].map(([s, argv]) => b.exec(s, [argv], this.session.proto, { ...opts, noTouch: true })));
    }
    const r = await runAcross({
      slots: b.slots,
      send: async (shard, argv) => {
        const [f] = await b.exec(shard, [argv], 2, opts);
        const a = replyStrings(f);
        if (!a) throw new Error(`shard ${shard}: ${f?.t === 'err' ? f.v : 'no reply'} to ${JSON.stringify(argv[0])}`);
        return a;
      },
      plain: (shard, batch) => b.exec(shard, batch, 2, opts),
      txid: () => b.txid?.() ?? `${this.session.id}.${++txSeq}.${b.now()}`,
      clock: { now: () => b.now() },
      bug: b.xshardBug,
      leaseMs: b.txLeaseMs,
    }, cmds, watches, this.session.db, this.session.proto);
    if (r.t === 'error') {
      // Only the incident id reaches the client; the cause goes to the log.
      const id = incident(`cross-shard ${commandName(cmds[0]?.argv ?? [])}: ${(r.reply as { v: string }).v}`, r.cause);
      return { t: 'error', reply: err(`${(r.reply as { v: string }).v.split(':')[0]} (incident ${id})`) };
    }
    return r;
  }

  /** TxHost: a command not bound to a shard, queued in MULTI and run at EXEC. */
  async runUnbound(spec: CommandSpec, argv: string[]): Promise<Frame> {
    const r = await this.runOne(spec, argv);
    if (TRACKING_AFTER.has(spec.name)) await afterTrackingCommand(this, spec.name, r);
    return r;
  }

  /**
   * Table lookup, auth and permission checks, in Redis's order. The spec and key positions found
   * here are the command's for the rest of its way (routing, MULTI's slot check, the fan-out).
   */
  private check(argv: readonly string[]): Checked | { err: Frame } {
    if (argv.length === 0) return { err: err('ERR empty command') };
    // Redis's processCommand order: unknown command / arity, then NOAUTH, then ACL, then cluster.
    const found = lookup(argv);
    this.argv0 = argv[0]!; // ACL LOG names a failed AUTH / HELLO as the client spelled it
    if (!found.spec) return { err: found.err };
    if (!this.session.authenticated && !found.spec.flags.includes('no_auth')) return { err: E.noAuth };
    // Redis refuses no-multi commands (SAVE) at queue time, before the ACL check; EXEC then aborts.
    if (this.tx.active && found.spec.flags.includes('no_multi')) return { err: err('ERR Command not allowed inside a transaction') };
    const pos = keyPositions(found.spec, argv);
    // The user's ACL (the read-only token's user may neither write nor administer).
    const acl = this.backend.acl;
    if (acl) {
      const u = acl.user(this.session.user);
      // A deleted user's connections are refused everything and closed, as Redis kills them. (A
      // disabled user's open connections keep working in Redis 7.0: only new AUTHs fail.)
      const d: Denial | null = u ? checkCommand(u, found.spec, argv, pos) : { reason: 'command', object: found.spec.name };
      if (!u) this.session.closing = true;
      if (d) {
        acl.log({ ...d, context: this.tx.active ? 'multi' : 'toplevel', username: this.session.user, clientInfo: this.clientInfo(found.spec.name) });
        return { err: err(nopermText(d)) };
      }
    } else if (this.session.readonly && (found.spec.flags.includes('write') || found.spec.flags.includes('admin'))) {
      return { err: err(`NOPERM this user has no permissions to run the '${found.spec.name}' command`) };
    }
    // RESP2 subscribed mode (and RESET leaving it): see server/pubsub.ts.
    const sub = subscribedCheck(this, found.spec);
    if (sub) return 'err' in sub ? sub : { spec: sub.spec, pos };
    return { spec: found.spec, pos };
  }

  private argv0 = 'auth';

  /** A CLIENT LIST-style line for ACL LOG entries. */
  private clientInfo(cmd: string): string {
    const s = this.session;
    const age = Math.floor((this.backend.now() - s.createdAt) / 1000);
    return `id=${s.id} addr=${s.addr} laddr=${s.laddr} fd=8 name=${s.name} age=${age} idle=0 flags=${this.tx.active ? 'x' : 'N'} db=${s.db} sub=0 psub=0 ssub=0 multi=${this.tx.active ? 0 : -1} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${cmd} user=${s.user} redir=-1 resp=${s.proto}`;
  }

  /** The one shard a keyed command goes to, or CROSSSLOT (spans shards; a split command fans out). */
  private singleShard(spec: CommandSpec, argv: readonly string[], pos: readonly number[]): number | Frame {
    if (pos.length === 0) return 0;
    if (this.backend.server.mode !== 'cluster') {
      // Standalone: slots mean nothing to the client. Keys of one shard run there as one batch,
      // whatever their slots: the shard checks only that it owns them.
      const slots = this.backend.slots;
      const first = slots.shardOfKey(argv[pos[0]!]!);
      for (let j = 1; j < pos.length; j++) if (slots.shardOfKey(argv[pos[j]!]!) !== first) return E.crossSlot;
      return first;
    }
    const slot = keySlot(argv[pos[0]!]!);
    let sameSlot = true;
    for (let j = 1; j < pos.length; j++) {
      if (keySlot(argv[pos[j]!]!) !== slot) {
        sameSlot = false;
        break;
      }
    }
    if (sameSlot) return this.backend.slots.shardOfSlot(slot);
    if (spec.route === 'keys') return E.crossSlot;
    const first = this.backend.slots.shardOfSlot(slot);
    // A split command whose keys span shards is fanned out: split() finds each key's shard.
    for (let j = 1; j < pos.length; j++) if (this.backend.slots.shardOfKey(argv[pos[j]!]!) !== first) return E.crossSlot;
    return first;
  }

  private async runOne(spec: CommandSpec, argv: string[], pos?: readonly number[]): Promise<Frame> {
    switch (spec.route) {
      case 'conn':
        return spec.conn!(this, argv);
      case 'all': {
        const s = await this.settle(this.everyShard(argv));
        if (s.failed.length) return partial(spec, s);
        const reply = combine(spec, s.replies);
        // The shards reset their counters; the connection count lives in the client registry.
        if (spec.name === 'config|resetstat' && reply.t !== 'err') await (this.client.registry ?? this.backend.connections)?.resetStats();
        if (spec.name === 'config|set' && reply.t !== 'err') {
          const cs = this.client;
          const next = slowConfigOf(argv, cs.slow);
          if (next && cs.registry) await cs.registry.setSlowConfig(next);
        }
        return reply;
      }
      case 'split':
        // Standalone: a fan-out read or delete is atomic and isolated too (locked, not split).
        if (acrossShards(this.backend.server.mode, spec)) return this.acrossOne(spec, argv, pos ?? keyPositions(spec, argv));
        return this.split(spec, argv, pos ?? keyPositions(spec, argv));
      case 'keys': {
        const p = pos ?? keyPositions(spec, argv);
        if (p.length > 1 && acrossShards(this.backend.server.mode, spec)) {
          const s = this.singleShard(spec, argv, p);
          if (typeof s !== 'number') return this.acrossOne(spec, argv, p);
          return this.exec(s, argv);
        }
        return this.exec(0, argv);
      }
    }
  }

  /** Multi-key command across shards: each shard gets its keys; replies combined in key order. */
  private async split(spec: CommandSpec, argv: string[], pos: readonly number[]): Promise<Frame> {
    const per = new Map<number, number[]>();
    for (const p of pos) {
      const s = this.backend.slots.shardOfKey(argv[p]!);
      let l = per.get(s);
      if (!l) per.set(s, (l = []));
      l.push(p);
    }
    const groups = [...per];
    const s = await this.settle(groups.map(([shard, ps]) => [shard, [argv[0]!, ...ps.map((p) => argv[p]!)]] as const));
    if (s.failed.length) return partial(spec, s);
    const parts = groups.map(([, ps], i) => ({ ps, reply: s.replies[i]! }));
    for (const { reply } of parts) if (reply.t === 'err') return reply;
    if (spec.combine === 'mget') {
      const out = new Array<Frame>(pos.length);
      const index = new Map(pos.map((p, i) => [p, i]));
      for (const { ps, reply } of parts) {
        const items = (reply as { v: Frame[] }).v;
        ps.forEach((p, j) => (out[index.get(p)!] = items[j]!));
      }
      return { t: 'arr', v: out };
    }
    return combine(spec, parts.map((p) => p.reply));
  }
}

/** A command that passed the checks: its spec and key positions, found once. */
interface Checked {
  spec: CommandSpec;
  pos: number[];
}

/** What settle() gathered: one reply per call; `failed` indexes calls whose shard failed. */
interface Settled {
  replies: Frame[];
  failed: number[];
  incident?: string;
}

const commandName = (argv: readonly string[]) => (argv[0] ?? '').slice(0, 32).toUpperCase();

/** The reply for shards that could not be reached (no internals: they are in the log). */
function unavailable(shards: readonly number[], id: string): string {
  return `CLUSTERDOWN shard${shards.length > 1 ? 's' : ''} ${shards.join(', ')} unavailable (incident ${id})`;
}

/**
 * A fan-out (route 'all', or a multi-key command split over shards) where some shards failed.
 * Reads answer an error, never a partial answer. Writes that some shards applied say so: on how
 * many shards of how many it was done and which failed, so the user knows the state is partial.
 * CLUSTERDOWN (not ERR) because clients treat it as "retry later", which is right here: every
 * fan-out write (FLUSHDB, FLUSHALL, DEL/UNLINK, CONFIG SET, CONFIG RESETSTAT, SAVE, BGSAVE,
 * BGREWRITEAOF) may be retried once the shard is back: a retry finishes what the first left.
 */
export function partial(spec: CommandSpec, s: Settled): Frame {
  const failedShards = new Set(s.failed);
  const reached: Frame[] = [];
  for (let i = 0; i < s.replies.length; i++) if (!failedShards.has(i)) reached.push(s.replies[i]!);
  const done = reached.filter((r) => r.t !== 'err').length;
  const down = s.replies[s.failed[0]!]!;
  // Every shard that answered refused the command (bad arguments…): it ran nowhere, say why.
  if (reached.length && done === 0) return reached[0]!;
  if (spec.flags.includes('readonly') || done === 0) return down;
  const name = spec.name.replace('|', ' ').toUpperCase();
  const text = (down as { v: string }).v.slice('CLUSTERDOWN '.length);
  return err(`CLUSTERDOWN ${name} was applied on ${done} of ${s.replies.length} shards only; ${text}`);
}

/** Combine replies from several shards as the spec says. */
export function combine(spec: CommandSpec, replies: Frame[]): Frame {
  for (const r of replies) if (r.t === 'err') return r;
  switch (spec.combine) {
    case 'sum': {
      let n = 0;
      for (const r of replies) n += Number((r as { v: number }).v);
      return int(n);
    }
    case 'concat': {
      const v: Frame[] = [];
      // No spread: one shard's part (KEYS *) may hold more elements than a call has arguments.
      for (const r of replies) for (const x of (r as { v: Frame[] }).v) v.push(x);
      return { t: replies[0]?.t === 'set' ? 'set' : 'arr', v };
    }
    case 'ok':
    default:
      return replies[0] ?? OK;
  }
}
