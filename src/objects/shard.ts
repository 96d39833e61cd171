// The shard Durable Object: owns one slot range's keyspace in memory and its write log in
// SQLite storage. Every write's effect is stored before the reply leaves (the output gate holds
// replies until the storage commit), and a restarted object rebuilds memory by replaying the log.
import { DurableObject } from 'cloudflare:workers';
import type { ShardInfo } from '../commands/types.js';
import type { Timers } from '../engine/blocking.js';
import type { ExecOpts } from '../server/session.js';
import { systemClock } from '../engine/clock.js';
import { Shard } from '../engine/shard.js';
import { toBytes } from '../protocol/bytes.js';
import type { Frame } from '../protocol/frame.js';
import { RespDecoder } from '../protocol/resp-decode.js';
import { encodeCommand, type Proto } from '../protocol/resp-encode.js';

/** Stored rows stay well under the platform's 2 MB limit; larger records span several rows. */
const MAX_ROW = 1024 * 1024;
/** Active expiry runs at most this often (Redis's active cycle runs at 10 Hz). */
const MIN_ALARM_GAP_MS = 100;
const TIMERS: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) };

export class ShardObject extends DurableObject {
  private shard: Shard | null = null;
  private alarmAt = Infinity;
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS aof (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  }

  /**
   * Run a batch of commands; the RPC the Worker calls. Effects are appended to the log in the
   * same synchronous turn as the commands, so the output gate holds the reply until they are
   * stored. A blocking command keeps the call pending until it is served or times out.
   */
  exec(info: ShardInfo, batch: string[][], resp: Proto, opts: ExecOpts = {}): Frame[] | Promise<Frame[]> {
    const shard = this.load(info);
    if (opts.atomic) {
      const r = shard.exec(batch, resp, true);
      this.logged(shard, r.effects);
      return r.replies;
    }
    return shard.execAsync(batch, resp, opts.client ?? 0, TIMERS, (effects) => this.logged(shard, effects));
  }

  /** A client disconnected: its blocked commands end (their replies go nowhere). */
  unblockClient(client: number): number {
    const shard = this.shard;
    if (!shard) return 0;
    const ids = shard.waiters.ofClient(client);
    for (const id of ids) shard.waiters.end(id);
    return ids.length;
  }

  private logged(shard: Shard, effects: string[][]): void {
    if (effects.length) this.append(effects);
    this.schedule(shard);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = Infinity;
    const shard = this.load(null);
    if (!shard) return;
    const { next, effects } = shard.expireCycle();
    if (effects.length) this.append(effects);
    if (next !== Infinity) this.setAlarm(Math.max(next, Date.now() + MIN_ALARM_GAP_MS));
  }

  /** Number of log rows (tests and INFO use it). */
  logRows(): number {
    return this.sql.exec('SELECT COUNT(*) AS n FROM aof').one().n as number;
  }

  private load(info: ShardInfo): Shard;
  private load(info: null): Shard | null;
  private load(info: ShardInfo | null): Shard | null {
    if (this.shard) return this.shard;
    if (!info) {
      const row = this.sql.exec('SELECT v FROM meta WHERE k = ?', 'info').toArray()[0];
      if (!row) return null;
      info = JSON.parse(row.v as string) as ShardInfo;
    } else {
      this.sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', 'info', JSON.stringify(info));
    }
    const shard = new Shard(info, systemClock, info.index + 1);
    // Replay the log as one RESP stream: a record may span rows.
    const dec = new RespDecoder();
    dec.maxBulkLen = Number.MAX_SAFE_INTEGER;
    for (const row of this.sql.exec('SELECT data FROM aof ORDER BY seq')) {
      dec.push(new Uint8Array(row.data as ArrayBuffer));
      const cmds: string[][] = [];
      for (let c = dec.next(); c !== null; c = dec.next()) {
        if (!Array.isArray(c)) throw new Error(`corrupt log: ${c.error}`);
        cmds.push(c);
      }
      shard.replay(cmds);
    }
    if (dec.buffered) console.warn(`shard ${info.index}: ignoring a truncated log tail of ${dec.buffered} bytes`);
    this.shard = shard;
    // Keys that expired while the object was down are removed by the first alarm.
    if (shard.db.expires.size) this.setAlarm(Date.now());
    return shard;
  }

  private append(effects: string[][]): void {
    let data = '';
    for (const e of effects) data += encodeCommand(e);
    for (let i = 0; i < data.length; i += MAX_ROW) {
      this.sql.exec('INSERT INTO aof (data) VALUES (?)', toBytes(data.slice(i, i + MAX_ROW)).buffer);
    }
  }

  private schedule(shard: Shard): void {
    const t = shard.db.earliestNewDeadline;
    if (t < this.alarmAt) this.setAlarm(Math.max(t, Date.now() + MIN_ALARM_GAP_MS));
  }

  private setAlarm(at: number): void {
    if (at >= this.alarmAt) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}

