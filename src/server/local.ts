// An in-process service: N shards behind the same Session routing the Worker uses, each run by
// the same shard host as the Durable Object (persistence/host.ts) over memory storage.
// Tests (differential, routing) and the in-process benchmark run on it; no runtime needed.
import { SlotMap } from '../cluster/slot.js';
import type { Mode, ServerFacts } from '../commands/types.js';
import { systemClock, type Clock } from '../engine/clock.js';
import type { Shard } from '../shard/shard.js';
import { ShardHost } from '../shard/host.js';
import { MemoryPort } from '../persistence/port.js';
import { RDB_SNAPSHOT } from '../persistence/rdb-snapshot.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Session, type Backend, type ExecOpts } from './session.js';
import type { Timers } from '../engine/blocking.js';
import { LocalHub } from './pubsub.js';
import { LocalAcl, builtinLines } from './acl.js';
import { LocalClients } from './clients.js';
import { clientInfo } from './commands/client.js';
import { PrimarySide, ReplicaSide } from '../shard/repl-host.js';
import { PrimaryLinks } from '../shard/repl-link.js';

/** ACL GENPASS: the host's CSPRNG (Node's and workerd's global WebCrypto). */
const randomBytes = (n: number): Uint8Array => (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(new Uint8Array(n));

const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as never) };

/** LocalBackend's settings as one object (the positional form stays for the many existing callers). */
export interface LocalOptions {
  shards?: number;
  clock?: Clock;
  /** standalone (default) or cluster, as KEYFLARE_MODE for the Worker. */
  mode?: Mode;
  timers?: Timers;
  /** Test only: a broken coordinator (server/xshard.ts) for the history checker to catch. */
  xshardBug?: 'unlocked-reads';
  /** Replicas per shard (issue 13), in process: each shard a group linked by direct calls. */
  replicas?: number;
}

export class LocalBackend implements Backend {
  readonly slots: SlotMap;
  readonly hosts: ShardHost[];
  /** Each shard's storage (tests recover a second host from it). */
  readonly ports: MemoryPort[];
  readonly shards: Shard[];
  /** Every effect each shard logged, in order (what its AOF would hold). */
  readonly logs: string[][][];
  readonly server: ServerFacts;
  /** The in-process pub/sub hub; shards' keyspace notifications are published to it. */
  readonly pubsub = new LocalHub();
  /** The in-process client registry (CLIENT LIST/KILL/PAUSE/UNBLOCK, MONITOR). */
  readonly clients = new LocalClients();
  /** The registry's connection counts (INFO total_connections_received) for sessions not attached. */
  get connections(): LocalClients {
    return this.clients;
  }
  /** MONITOR lines received by each monitoring session (by client id). */
  readonly monitorLines = new Map<number, string[]>();
  /** ACL users, in memory: `default` (the token's user) and `readonly` (the read-only token's). */
  readonly acl: LocalAcl;
  private ids = 0;
  private txids = 0;
  readonly xshardBug?: 'unlocked-reads';

  readonly clock: Clock;
  readonly timers: Timers;

  constructor(
    shardsOrOptions: number | LocalOptions = 4,
    clock: Clock = systemClock,
    readonly token = 'local-token',
    readonly readonlyToken = 'local-ro-token',
    timers: Timers = realTimers,
  ) {
    const o: LocalOptions = typeof shardsOrOptions === 'number' ? { shards: shardsOrOptions, clock, timers } : shardsOrOptions;
    const n = o.shards ?? 4;
    if (o.xshardBug) this.xshardBug = o.xshardBug;
    this.clock = clock = o.clock ?? systemClock;
    this.timers = timers = o.timers ?? realTimers;
    this.slots = new SlotMap(n);
    this.logs = this.slots.ranges.map(() => []);
    this.ports = this.slots.ranges.map(() => new MemoryPort(true));
    this.hosts = this.slots.ranges.map((r, i) => ShardHost.open({ index: i, count: n, slots: r, ...(o.mode === 'cluster' ? { cluster: true } : {}) }, {
      // Memory holds what it was given at once: replies need not wait for a commit (gated).
      port: this.ports[i]!, clock, timers, randomBytes, codec: RDB_SNAPSHOT,
      publish: (notes) => this.pubsub.publishMany(notes),
      // A staged participant asks the primary of its transaction (TX_STATUS).
      peer: async (shard, argv) => this.hosts[shard]!.exec([argv], 2),
      tap: (effects) => {
        for (const e of effects) this.logs[i]!.push(e);
      },
      committed: () => this.links[i]?.committed(),
    })!);
    this.shards = this.hosts.map((h) => h.shard);
    if (o.replicas) this.startGroups(o.replicas, n, o.mode);
    this.acl = new LocalAcl(builtinLines(token, readonlyToken), () => clock.now(), randomBytes);
    this.server = { version: '7.0.15', mode: o.mode ?? 'standalone', runId: '0'.repeat(40), startedAt: clock.now(), tcpPort: 6380, host: '127.0.0.1' };
  }

  /** Each shard's replicas (by shard, then k-1) and the primaries' links, when grouped. */
  readonly replicaSides: ReplicaSide[][] = [];
  private readonly links: PrimaryLinks[] = [];

  private startGroups(count: number, n: number, mode?: Mode): void {
    const clock = this.clock;
    this.hosts.forEach((h, i) => {
      const info = { index: i, count: n, slots: this.slots.ranges[i]!, ...(mode === 'cluster' ? { cluster: true } : {}) };
      const sides: ReplicaSide[] = [];
      for (let k = 1; k <= count; k++) {
        const port = new MemoryPort(true);
        const env = { port, clock, timers: this.timers, randomBytes, codec: RDB_SNAPSHOT };
        sides.push(new ReplicaSide(String(k), ShardHost.open(info, env)!, port, (old) => {
          old.close();
          return ShardHost.open(info, env)!;
        }, () => clock.now()));
      }
      this.replicaSides.push(sides);
      const side = new PrimarySide(() => h, RDB_SNAPSHOT, () => clock.now());
      side.guard();
      const links = new PrimaryLinks(side, count, async (k, m) => {
        const r = sides[k - 1]!;
        return m === null ? [r.core.psync(clock.now())] : r.core.receive(m, clock.now());
      }, this.timers, () => clock.now());
      this.links[i] = links;
      links.start();
    });
  }

  /** A backend whose shards are replica k of each group (tests: a connection to a replica). */
  replicaView(k: number): Backend {
    const view = Object.create(this) as LocalBackend;
    view.exec = async (shard, batch, resp, opts = {}) => this.replicaSides[shard]![k - 1]!.current.exec(batch, resp, opts);
    return view;
  }

  /** Stop the replication links' timers. */
  close(): void {
    for (const l of this.links) l.close();
  }

  now(): number {
    return this.clock.now();
  }

  txid(): string {
    return `local-${++this.txids}`;
  }

  nextClientId(): number {
    return ++this.ids;
  }

  async exec(shard: number, batch: string[][], resp: Proto, opts: ExecOpts = {}): Promise<Frame[]> {
    return this.hosts[shard]!.exec(batch, resp, opts);
  }

  auth(user: string | null, pass: string): { user: string; readonly: boolean } | null {
    if ((user === null || user === 'default') && pass === this.token) return { user: 'default', readonly: false };
    if ((user === null || user === 'readonly') && pass === this.readonlyToken) return { user: 'readonly', readonly: true };
    return null;
  }

  /** A new connection, authenticated as a local client is (the bridge authenticates for it). */
  session(authenticated = true): Session {
    const s = new Session(this, { authenticated });
    this.attach(s);
    return s;
  }

  /** Register a connection in the in-process registry (CLIENT KILL sets its `closing`). */
  attach(s: Session): void {
    const id = s.session.id;
    s.client.attach(this.clients, {
      kill: () => {
        s.session.closing = true;
      },
      unblock: async (error) => this.unblockClient(id, error),
      monitorLine: (line) => {
        let l = this.monitorLines.get(id);
        if (!l) this.monitorLines.set(id, (l = []));
        l.push(line);
      },
    });
    this.clients.add(id, s.client, () => clientInfo(s));
  }

  /** CLIENT UNBLOCK: end the client's blocked commands with their timeout reply or an error. */
  unblockClient(client: number, error: boolean): boolean {
    let n = 0;
    for (const h of this.hosts) n += h.unblockClient(client, error ? 'error' : 'timeout');
    return n > 0;
  }
}
