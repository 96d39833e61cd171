// An in-process service: N pure shards behind the same Session routing the Worker uses.
// Tests (differential, routing) and the in-process benchmark run on it; no runtime needed.
import { SlotMap } from '../cluster/slot.js';
import type { ServerFacts } from '../commands/types.js';
import { systemClock, type Clock } from '../engine/clock.js';
import { Shard } from '../engine/shard.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Session, type Backend, type ExecOpts } from './session.js';
import type { Timers } from '../engine/blocking.js';
import { LocalHub } from './pubsub.js';

const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as never) };

export class LocalBackend implements Backend {
  readonly slots: SlotMap;
  readonly shards: Shard[];
  /** Every effect each shard logged, in order (what its AOF would hold). */
  readonly logs: string[][][];
  readonly server: ServerFacts;
  /** The in-process pub/sub hub; shards' keyspace notifications are published to it. */
  readonly pubsub = new LocalHub();
  private ids = 0;

  constructor(
    n = 4,
    readonly clock: Clock = systemClock,
    readonly token = 'local-token',
    readonly readonlyToken = 'local-ro-token',
    readonly timers: Timers = realTimers,
  ) {
    this.slots = new SlotMap(n);
    this.shards = this.slots.ranges.map((r, i) => new Shard({ index: i, count: n, slots: r }, clock, i + 1));
    this.logs = this.shards.map(() => []);
    this.server = { version: '7.0.15', runId: '0'.repeat(40), startedAt: clock.now(), tcpPort: 6380, host: '127.0.0.1' };
  }

  now(): number {
    return this.clock.now();
  }

  nextClientId(): number {
    return ++this.ids;
  }

  async exec(shard: number, batch: string[][], resp: Proto, opts: ExecOpts = {}): Promise<Frame[]> {
    const s = this.shards[shard]!;
    const log = (effects: string[][]) => {
      for (const e of effects) this.logs[shard]!.push(e);
    };
    if (opts.atomic) {
      const r = s.exec(batch, resp, true);
      log(r.effects);
      await this.notify(s);
      return r.replies;
    }
    const replies = await s.execAsync(batch, resp, opts.client ?? 0, this.timers, log);
    await this.notify(s);
    return replies;
  }

  private async notify(s: Shard): Promise<void> {
    const notes = s.takeNotes();
    if (notes.length) await this.pubsub.publishMany(notes);
  }

  auth(user: string | null, pass: string): { user: string; readonly: boolean } | null {
    if ((user === null || user === 'default') && pass === this.token) return { user: 'default', readonly: false };
    if (pass === this.readonlyToken) return { user: user ?? 'default', readonly: true };
    return null;
  }

  /** A new connection, authenticated as a local client is (the bridge authenticates for it). */
  session(authenticated = true): Session {
    return new Session(this, { authenticated });
  }
}
