// Shard hosts for the participant tests and the transaction simulation: hosts over memory (or
// crashable) storage on one manual clock, peers calling each other in process, and the wire
// requests sent as a coordinator sends them (a batch of one argv, one Frame back).
import type { Timers } from '../../src/engine/blocking.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { MemoryPort, type StoragePort } from '../../src/persistence/port.js';
import type { Frame } from '../../src/protocol/frame.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import type { ParticipantOptions } from '../../src/shard/txn.js';
import { replyStrings } from '../../src/shard/txn-wire.js';
import { ManualTimers, seededBytes } from './fake-storage.js';
import type { Note } from '../../src/engine/notify.js';

export const T0 = 1_700_000_000_000;

/** Timers and a clock that move together: `advance` fires what is due, each at its time. */
export class SimTime {
  readonly timers = new ManualTimers();
  readonly clock = { now: () => T0 + this.timers.now };
  advance(ms: number): void {
    this.timers.advance(ms);
  }
}

export interface Cluster {
  hosts: Array<ShardHost | null>;
  ports: StoragePort[];
  published: Note[];
  /** Peers that cannot be reached (their calls reject). */
  down: Set<number>;
  open(i: number): ShardHost;
}

/**
 * `n` independent shards, each serving every slot (so any key works anywhere), on one clock;
 * `skew[i]` ms added to shard i's clock (machines' clocks differ).
 */
export function cluster(n: number, time: SimTime, opts: ParticipantOptions = {}, port = (_i: number) => new MemoryPort(true) as StoragePort, skew: readonly number[] = [], timers: Timers = time.timers): Cluster {
  const c: Cluster = {
    hosts: [],
    ports: [],
    published: [],
    down: new Set(),
    open(i) {
      const env: HostEnv = {
        port: c.ports[i]!, clock: skew[i] ? { now: () => time.clock.now() + skew[i]! } : time.clock, timers, randomBytes: seededBytes(i + 1), codec: RDB_SNAPSHOT,
        publish: (notes) => void c.published.push(...notes),
        peer: async (j, argv) => {
          const h = c.hosts[j];
          if (!h || c.down.has(j)) throw new Error(`shard ${j} unreachable`);
          return h.exec([argv], 2);
        },
        txn: opts,
      };
      const h = ShardHost.open({ index: i, count: n, slots: [0, 16383] }, env)!;
      c.hosts[i] = h;
      return h;
    },
  };
  for (let i = 0; i < n; i++) c.ports.push(port(i));
  for (let i = 0; i < n; i++) c.open(i);
  return c;
}

/** A wire request and its reply strings. */
export async function send(h: ShardHost, argv: string[]): Promise<string[]> {
  const f = await h.exec([argv], 2);
  const a = replyStrings(f[0]);
  if (!a) throw new Error(`not a transaction reply: ${JSON.stringify(f)}`);
  return a;
}

export async function run(h: ShardHost, ...batch: string[][]): Promise<Frame[]> {
  return h.exec(batch, 2);
}

/** Whether a promise has settled after the queued microtasks ran. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return done;
}
