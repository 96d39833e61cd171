// The pure core of one shard: keyspace + config + stats, executing command batches and
// returning replies with the deterministic write effects to log. The Durable Object wraps it.
import { lookup } from '../commands/table.js';
import type { CommandSpec, Ctx, ShardInfo } from '../commands/types.js';
import { err, type Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Rng, type Clock } from './clock.js';
import { Config } from './config.js';
import { Keyspace } from './keyspace.js';
import { Stats } from './stats.js';

export interface BatchResult {
  replies: Frame[];
  /** Write effects in execution order, each a command argv (what the AOF stores). */
  effects: string[][];
}

export class Shard {
  readonly db = new Keyspace();
  readonly config = new Config();
  readonly stats = new Stats();
  readonly rng: Rng;
  private effects: string[][] = [];
  private readonly ctx: ExecCtx;

  constructor(
    readonly info: ShardInfo,
    readonly clock: Clock,
    seed = 1,
  ) {
    this.rng = new Rng(seed);
    this.ctx = new ExecCtx(this);
    this.db.onExpired = (key) => {
      this.stats.expiredKeys++;
      this.effects.push(['DEL', key]);
    };
  }

  /** Run a batch in order; effects of writes are collected for the log. */
  exec(batch: readonly string[][], resp: Proto = 2): BatchResult {
    const replies: Frame[] = [];
    for (const argv of batch) replies.push(this.run(argv, resp));
    const effects = this.effects;
    this.effects = [];
    return { replies, effects };
  }

  /** Re-apply logged effects (recovery): nothing expires and nothing is logged again. */
  replay(records: readonly string[][]): void {
    this.db.loading = true;
    try {
      for (const argv of records) this.run(argv, 2);
    } finally {
      this.db.loading = false;
      this.effects = [];
    }
  }

  /** Active expiry pass; returns the next deadline (Infinity: none) and the DELs to log. */
  expireCycle(): { next: number; effects: string[][] } {
    this.db.now = this.clock.now();
    const next = this.db.activeExpire();
    const effects = this.effects;
    this.effects = [];
    return { next, effects };
  }

  private run(argv: string[], resp: Proto): Frame {
    if (argv.length === 0) return err('ERR empty command');
    const found = lookup(argv);
    if (!found.spec) return found.err;
    const spec = found.spec;
    if (!spec.run) return err(`ERR '${spec.name}' is not served by a shard`);
    const c = this.ctx;
    const now = this.clock.now();
    this.db.now = now;
    c.begin(now, resp);
    const reply = spec.run(c, argv);
    this.stats.totalCommands++;
    this.stats.calls.set(spec.name, (this.stats.calls.get(spec.name) ?? 0) + 1);
    if (reply.t === 'err') {
      this.stats.errorReplies++;
      this.stats.error(reply.v, spec.name);
    }
    if (c.dirty > 0 && isWrite(spec)) {
      if (c.rewritten !== undefined) {
        if (c.rewritten !== null) this.effects.push(c.rewritten);
      } else this.effects.push(argv);
    }
    if (c.extra.length) for (const e of c.extra) this.effects.push(e);
    return reply;
  }
}

function isWrite(spec: CommandSpec): boolean {
  return spec.flags.includes('write');
}

/** One reusable context object per shard: commands run one at a time. */
class ExecCtx implements Ctx {
  now = 0;
  resp: Proto = 2;
  dirty = 0;
  rewritten: string[] | null | undefined = undefined;
  extra: string[][] = [];

  constructor(private readonly s: Shard) {}

  get db() {
    return this.s.db;
  }
  get config() {
    return this.s.config;
  }
  get stats() {
    return this.s.stats;
  }
  get rng() {
    return this.s.rng;
  }
  get shard() {
    return this.s.info;
  }

  begin(now: number, resp: Proto): void {
    this.now = now;
    this.resp = resp;
    this.dirty = 0;
    this.rewritten = undefined;
    if (this.extra.length) this.extra = [];
  }

  rewrite(argv: string[] | null): void {
    this.rewritten = argv;
  }

  propagate(argv: string[]): void {
    this.extra.push(argv);
  }
}
