// A seeded simulation of one replication group in process: a primary ShardHost and replicas,
// each over its own memory storage on one manual clock, messages between them through a network
// that loses, reorders and duplicates. The invariant after every step: each synced replica's data
// equals the primary's data at the replica's offset (the primary's state is recorded at every
// offset it reaches).
import { Rng } from '../../src/engine/clock.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { MemoryPort } from '../../src/persistence/port.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import type { ToPrimary, ToReplica } from '../../src/shard/repl.js';
import { PrimarySide, ReplicaSide } from '../../src/shard/repl-host.js';
import { seededBytes } from './fake-storage.js';
import { digest } from './state-digest.js';
import { SimTime } from './txn-env.js';

const INFO = { index: 0, count: 1, slots: [0, 16383] as [number, number] };

export interface SimOptions {
  seed: number;
  replicas?: number;
  /** Probability a message is lost / delivered twice. */
  loss?: number;
  dup?: number;
  /** Small backlog and chunks so full resyncs and split pushes happen. */
  backlog?: number;
  streamChunk?: number;
  snapshotChunk?: number;
  bug?: 'ack-off-by-one' | 'apply-twice' | 'accept-gap';
}

type Msg = { to: 'p'; from: number; m: ToPrimary } | { to: number; m: ToReplica };

export class ReplSim {
  readonly time = new SimTime();
  readonly rng: Rng;
  readonly pport = new MemoryPort(false);
  primary: ShardHost;
  readonly side: PrimarySide;
  readonly rports: MemoryPort[] = [];
  readonly replicas: ReplicaSide[] = [];
  /** The primary's data (digest text) at every offset it reached. */
  readonly states = new Map<number, string>();
  net: Msg[] = [];
  /** Replicas cut off from the network (their messages vanish). */
  readonly cut = new Set<number>();
  steps = 0;
  /** WAIT answers that claimed more replicas than had the offset. */
  readonly waitErrors: string[] = [];
  waits = 0;
  /** Full / partial resyncs of replica instances replaced by restarts (the live ones count theirs). */
  fulls = 0;
  partials = 0;

  constructor(readonly o: SimOptions) {
    this.rng = new Rng(o.seed);
    this.primary = ShardHost.open(INFO, this.env(this.pport, 100, () => this.propagate()))!;
    this.side = new PrimarySide(() => this.primary, RDB_SNAPSHOT, () => this.time.clock.now(), { streamChunk: o.streamChunk, snapshotChunk: o.snapshotChunk });
    if (o.bug === 'ack-off-by-one') this.side.core.bug = 'ack-off-by-one';
    this.side.guard();
    this.record();
    for (let i = 0; i < (o.replicas ?? 2); i++) {
      this.rports.push(new MemoryPort(false));
      this.replicas.push(this.openReplica(i));
      this.sendP(i, this.replicas[i]!.core.psync(this.time.clock.now()));
    }
  }

  private env(port: MemoryPort, seed: number, committed?: () => void): HostEnv {
    return { port, clock: this.time.clock, timers: this.time.timers, randomBytes: seededBytes(seed), codec: RDB_SNAPSHOT, committed };
  }

  private openReplica(i: number): ReplicaSide {
    const port = this.rports[i]!;
    const open = () => ShardHost.open(INFO, this.env(port, 200 + i))!;
    const side = new ReplicaSide(`r${i}`, open(), port, (old) => {
      old.close();
      return open();
    }, () => this.time.clock.now());
    if (this.o.bug === 'accept-gap') side.core.bug = 'accept-gap';
    if (this.o.bug === 'apply-twice') {
      // Broken on purpose: a duplicate push is applied again.
      const core = side.core as unknown as { receive: (m: ToReplica, now: number) => ToPrimary[] };
      const orig = core.receive.bind(core);
      core.receive = (m, now) => {
        if (m.t === 'stream' && m.data.length && m.off < side.offset() && m.off + m.data.length <= side.offset()) {
          side.apply(m.data);
          return [{ t: 'ack', id: side.id, off: side.offset() }];
        }
        return orig(m, now);
      };
    }
    return side;
  }

  record(): void {
    this.states.set(this.primary.log.offset, text(this.primary));
  }

  private propagate(): void {
    for (const [id, m] of this.side.core.propagate(this.time.clock.now())) this.net.push({ to: Number(id.slice(1)), m });
  }

  private sendP(from: number, m: ToPrimary): void {
    if (this.cut.has(from)) return;
    this.net.push({ to: 'p', from, m });
  }

  /** One primary write (a single command, or an atomic MULTI batch: one unit either way). */
  async write(): Promise<void> {
    const r = this.rng;
    const k = () => `k${r.int(12)}`;
    const cmds: string[][] = [];
    const one = (): string[] => {
      switch (r.int(6)) {
        case 0: return ['SET', k(), `v${r.int(1000)}`];
        case 1: return ['INCR', `n${r.int(4)}`];
        case 2: return ['RPUSH', `l${r.int(3)}`, `e${r.int(100)}`, 'x'.repeat(r.int(300))];
        case 3: return ['HSET', `h${r.int(3)}`, `f${r.int(8)}`, `${r.int(100)}`];
        case 4: return ['DEL', k()];
        default: return ['SADD', `s${r.int(3)}`, `m${r.int(20)}`];
      }
    };
    const atomic = r.int(4) === 0;
    const n = atomic ? 2 + r.int(3) : 1;
    for (let i = 0; i < n; i++) cmds.push(one());
    await this.primary.exec(cmds, 2, { atomic });
    this.record();
  }

  /** WAIT 1..n for the current offset, checked when it answers: that many replicas really have it. */
  wait(): void {
    const target = this.primary.log.offset;
    const n = 1 + this.rng.int(this.replicas.length);
    const done = this.side.core.wait(n, target, (count) => {
      this.waits++;
      const have = this.replicas.filter((r) => r.offset() >= target).length;
      if (count > have) this.waitErrors.push(`WAIT ${n} for offset ${target} answered ${count}, but ${have} replicas have it`);
    });
    this.time.timers.set(done, 500 + this.rng.int(2000));
  }

  /** Deliver one message from the network (a random one: reordering), maybe lose or duplicate it. */
  deliver(): void {
    if (!this.net.length) return;
    const i = this.rng.int(this.net.length);
    const msg = this.net[i]!;
    if (this.rng.next() >= (this.o.dup ?? 0)) this.net.splice(i, 1);
    if (this.rng.next() < (this.o.loss ?? 0)) return;
    const now = this.time.clock.now();
    if (msg.to === 'p') {
      if (this.cut.has(msg.from)) return;
      for (const m of this.side.receive(msg.m, { ip: '127.0.0.1', port: 7000 + msg.from })) this.net.push({ to: msg.from, m });
    } else {
      if (this.cut.has(msg.to)) return;
      for (const m of this.replicas[msg.to]!.core.receive(msg.m, now)) this.sendP(msg.to, m);
    }
  }

  /** A replica restarts: a new host from its storage, a PSYNC from its stored offset. */
  restart(i: number): void {
    this.fulls += this.replicas[i]!.core.fulls;
    this.partials += this.replicas[i]!.core.partials;
    this.replicas[i]!.current.close();
    this.replicas[i] = this.openReplica(i);
    this.sendP(i, this.replicas[i]!.core.psync(this.time.clock.now()));
  }

  /** Time passes: timers, the primary's resends and the replicas' acks / re-PSYNCs. */
  async tick(ms: number): Promise<void> {
    this.time.advance(ms);
    await flush();
    const now = this.time.clock.now();
    for (const [id, m] of this.side.core.tick(now)) this.net.push({ to: Number(id.slice(1)), m });
    this.replicas.forEach((r, i) => {
      for (const m of r.core.tick(now)) this.sendP(i, m);
    });
  }

  /** The invariant; returns what is wrong (null: holds). */
  check(): string | null {
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[i]!;
      if (!r.synced()) continue;
      const off = r.offset();
      const want = this.states.get(off);
      if (want === undefined) return `replica ${i} is at offset ${off}, which the primary never reached`;
      const got = text(r.current);
      if (got !== want) return `replica ${i} at offset ${off}: data differs from the primary's there`;
    }
    return null;
  }

  /** Deliver everything, with no loss, until quiet (the replicas caught up). */
  async drain(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await this.tick(1500);
      while (this.net.length) {
        const msg = this.net.shift()!;
        const now = this.time.clock.now();
        if (msg.to === 'p') {
          if (!this.cut.has(msg.from)) for (const m of this.side.receive(msg.m, { ip: '127.0.0.1', port: 7000 + msg.from })) this.net.push({ to: msg.from, m });
        } else if (!this.cut.has(msg.to)) for (const m of this.replicas[msg.to]!.core.receive(msg.m, now)) this.sendP(msg.to, m);
      }
      await flush();
      if (this.replicas.every((r, i) => this.cut.has(i) || r.offset() === this.primary.log.offset)) return;
    }
  }
}

function text(h: ShardHost): string {
  return JSON.stringify([...digest(h.shard)]);
}

/** Let queued commits (promise callbacks) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The seeded run: writes, deliveries, restarts and ticks; returns the first violation. */
export async function runSim(o: SimOptions, steps: number): Promise<{ error: string | null; sim: ReplSim }> {
  const sim = new ReplSim(o);
  if (o.backlog) await sim.primary.exec([['CONFIG', 'SET', 'repl-backlog-size', String(o.backlog)]], 2);
  sim.record(); // CONFIG SET is in the stream too (keyflare persists it there)
  for (let s = 0; s < steps; s++) {
    sim.steps = s;
    const roll = sim.rng.next();
    if (roll < 0.35) await sim.write();
    else if (roll < 0.85) sim.deliver();
    else if (roll < 0.88) sim.restart(sim.rng.int(sim.replicas.length));
    else if (roll < 0.91) sim.wait();
    else await sim.tick(200 + sim.rng.int(1500));
    await flush();
    const e = sim.check();
    if (e) return { error: `step ${s} (seed ${o.seed}): ${e}`, sim };
    if (sim.waitErrors.length) return { error: `step ${s} (seed ${o.seed}): ${sim.waitErrors[0]}`, sim };
  }
  await sim.drain();
  const e = sim.check();
  if (e) return { error: `after drain (seed ${o.seed}): ${e}`, sim };
  for (let i = 0; i < sim.replicas.length; i++) {
    if (sim.replicas[i]!.offset() !== sim.primary.log.offset) return { error: `after drain (seed ${o.seed}): replica ${i} at ${sim.replicas[i]!.offset()}, primary at ${sim.primary.log.offset}`, sim };
  }
  return { error: null, sim };
}
