// Differential testing: the same commands against a real redis-server and keyflare's in-process
// service (the Session routing over 4 shards); replies must match byte for byte.
import { afterAll, beforeAll, expect } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import type { Clock } from '../../src/engine/clock.js';
import type { Mode } from '../../src/commands/types.js';
import { RawClient } from './raw-client.js';
import { startRedis, type RedisProc } from './redis-server.js';

export type Cmd = Array<string | number>;

export class Diff {
  redis!: RedisProc;
  backend!: LocalBackend;
  private rc: Record<number, RawClient> = {};
  private kf: Record<number, Session> = {};

  constructor(
    private readonly clock?: Clock,
    private readonly mode: Mode = 'cluster',
  ) {}

  async start(): Promise<void> {
    // Cluster mode compares with a one-node Redis Cluster, standalone with a standalone redis-server.
    this.redis = await startRedis({ cluster: this.mode === 'cluster' });
    this.backend = new LocalBackend({ shards: 4, clock: this.clock, mode: this.mode });
    for (const p of [2, 3] as Proto[]) {
      this.rc[p] = await RawClient.connect(this.redis.port);
      this.kf[p] = this.backend.session();
      if (p === 3) {
        await this.rc[p]!.call([['HELLO', '3']]);
        await this.kf[p]!.run([['HELLO', '3']]);
      }
    }
  }

  async stop(): Promise<void> {
    for (const c of Object.values(this.rc)) c.close();
    await this.redis?.stop();
  }

  /** One command on both sides: the raw reply bytes of each. */
  async pair(cmd: Cmd, proto: Proto = 2): Promise<{ redis: string; kf: string }> {
    const argv = cmd.map(String);
    const [redis] = await this.rc[proto]!.call([argv]);
    const [f] = await this.kf[proto]!.run([argv]);
    return { redis: redis!, kf: encodeStr(f!, proto) };
  }

  /**
   * Run the script on both sides from an empty keyspace, in RESP2 and RESP3 (or one of them),
   * and assert every reply is byte-identical.
   */
  async check(script: Cmd[], protos: Proto[] = [2, 3]): Promise<void> {
    for (const proto of protos) {
      await this.pair(['FLUSHALL'], proto);
      const diffs: string[] = [];
      for (const cmd of script) {
        const { redis, kf } = await this.pair(cmd, proto);
        if (redis !== kf) diffs.push(`RESP${proto} ${JSON.stringify(cmd.map(String))}\n  redis: ${JSON.stringify(redis)}\n  kf:    ${JSON.stringify(kf)}`);
      }
      expect(diffs.join('\n')).toBe('');
    }
  }
}

/** Register a Diff for the current test file (started before, stopped after). */
export function useDiff(clock?: Clock, mode: Mode = 'cluster'): Diff {
  const d = new Diff(clock, mode);
  beforeAll(() => d.start(), 30_000);
  afterAll(() => d.stop());
  return d;
}
