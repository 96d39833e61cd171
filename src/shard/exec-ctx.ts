// The context a shard's commands run with (commands/types.ts Ctx): one reusable object per
// shard, over what the shard lends it (CtxHost), so the handlers never see the Shard itself.
import { SHARD_TABLE } from '../commands/table.js';
import type { CommandSpec, Ctx, ShardInfo } from '../commands/types.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import type { Rng } from '../engine/clock.js';
import type { Config } from '../engine/config.js';
import type { Keyspace } from '../engine/keyspace.js';
import type { BlockRequest } from '../engine/blocking.js';
import type { Stats } from '../engine/stats.js';
import type { Notifier, NotifyClass } from '../engine/notify.js';
import type { PersistState } from '../persistence/state.js';
import type { TrackingTable } from '../engine/tracking.js';

/** What of the Shard a command's context reaches (the Shard implements it). */
export interface CtxHost {
  readonly info: ShardInfo;
  readonly databases: number;
  readonly config: Config;
  readonly stats: Stats;
  readonly persist: PersistState;
  readonly rng: Rng;
  readonly notifier: Notifier;
  readonly tracking: TrackingTable;
  quiet: boolean;
  readonly db: Keyspace;
  readonly dbIndex: number;
  readonly blockedClients: number;
  keyspace(n: number): Keyspace;
  keyspaces(): Generator<[number, Keyspace]>;
  swapDbs(a: number, b: number): void;
  selectDb(n: number): void;
  flushAll(): number;
  runNested(spec: CommandSpec, argv: string[], resp: Proto): Frame;
}

/** One reusable context object per shard: commands run one at a time. */
export class ExecCtx implements Ctx {
  now = 0;
  resp: Proto = 2;
  dirty = 0;
  rewritten: string[] | null | undefined = undefined;
  extra: string[][] = [];
  blockRequest: BlockRequest | null = null;
  /** A db whose blocked clients the command's keys may wake too (MOVE's destination); -1: none. */
  signalDb = -1;
  private mayBlock = false;

  constructor(private readonly s: CtxHost) {}

  get table() {
    return SHARD_TABLE;
  }
  call(spec: CommandSpec, argv: string[], resp: Proto): Frame {
    return this.s.runNested(spec, argv, resp);
  }
  /** The running command's state, kept across a nested command (scripts). */
  save() {
    const x = { now: this.now, resp: this.resp, dirty: this.dirty, rewritten: this.rewritten, extra: this.extra, blockRequest: this.blockRequest, mayBlock: this.mayBlock };
    this.extra = []; // the nested command's propagations are its own
    return x;
  }
  restore(x: ReturnType<ExecCtx['save']>): void {
    this.now = x.now;
    this.resp = x.resp;
    this.dirty = x.dirty;
    this.rewritten = x.rewritten;
    this.extra = x.extra;
    this.blockRequest = x.blockRequest;
    this.mayBlock = x.mayBlock;
  }

  get db() {
    return this.s.db;
  }
  get dbIndex() {
    return this.s.dbIndex;
  }
  get databases() {
    return this.s.databases;
  }
  keyspace(n: number) {
    return this.s.keyspace(n);
  }
  keyspaces() {
    return this.s.keyspaces();
  }
  swapDbs(a: number, b: number): void {
    this.s.swapDbs(a, b);
  }
  flushAll(): number {
    return this.s.flushAll();
  }
  selectDb(n: number): void {
    this.s.selectDb(n);
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
  get blockedClients() {
    return this.s.blockedClients;
  }
  get trackingTable() {
    return this.s.tracking;
  }
  get persist() {
    return this.s.persist;
  }

  begin(now: number, resp: Proto, mayBlock: boolean): void {
    this.now = now;
    this.resp = resp;
    this.mayBlock = mayBlock;
    this.blockRequest = null;
    this.signalDb = -1;
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

  publish(channel: string, message: string, shard: boolean): void {
    this.s.notifier.notes.push(shard ? [channel, message, true] : [channel, message]);
  }

  notify(cls: NotifyClass, event: string, key: string, db?: number): void {
    const n = this.s.notifier;
    n.explicit = true;
    if (n.flags && !this.s.quiet) n.emit(cls, event, key, db);
  }

  block(keys: string[], timeoutMs: number, retryArgv?: string[]): boolean {
    if (!this.mayBlock) return false;
    this.blockRequest = retryArgv ? { keys, timeoutMs, retryArgv } : { keys, timeoutMs };
    return true;
  }
}
