// The log's offsets against real Redis: the same writes sent to a redis-server and to a shard
// host must move Redis's master_repl_offset and the log's offset by the same bytes. Alignment:
// Redis counts its replication stream only once a backlog exists, so the test first attaches a
// replica (PSYNC ? -1) and drops it — the backlog stays — and Redis's stream then opens with
// SELECT 0 before the first write, as keyflare's log does at offset 0. Commands whose effects
// Redis and keyflare propagate differently (CONFIG SET is in keyflare's stream, not in Redis's)
// are left out. Also INFO replication's field list, and repl-backlog-size's CONFIG SET rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/clock.js';
import { ShardHost } from '../../src/shard/host.js';
import { MemoryPort } from '../../src/persistence/port.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { LocalBackend } from '../../src/server/local.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';
import { ManualTimers, seededBytes } from '../helpers/fake-storage.js';

let redis: RedisProc;
let c: RawClient;

beforeAll(async () => {
  redis = await startRedis({ extra: ['--repl-ping-replica-period', '3600', '--enable-debug-command', 'yes'] });
  c = await RawClient.connect(redis.port);
  // Keys expire lazily only (the host's timers are manual too): the lazy-expiry steps below.
  expect(await c.call([['DEBUG', 'SET-ACTIVE-EXPIRE', '0']])).toEqual(['+OK\r\n']);
  const replica = await RawClient.connect(redis.port);
  expect(await replica.call([['REPLCONF', 'capa', 'psync2']])).toEqual(['+OK\r\n']);
  const [full] = await replica.call([['PSYNC', '?', '-1']]);
  expect(full).toMatch(/^\+FULLRESYNC [0-9a-f]{40} 0\r\n$/);
  replica.close();
});
afterAll(async () => {
  c?.close();
  await redis?.stop();
});

async function redisOffset(): Promise<number> {
  const [info] = await c.call([['INFO', 'replication']]);
  return Number(/master_repl_offset:(\d+)/.exec(info!)![1]);
}

const info = { index: 0, count: 1, slots: [0, 16383] as const };

describe('log offsets = Redis master_repl_offset', () => {
  it('moves by the same bytes for the same writes, transactions included', async () => {
    const h = ShardHost.open(info, { port: new MemoryPort(), clock: systemClock, timers: new ManualTimers(), randomBytes: seededBytes(5), codec: RDB_SNAPSHOT })!;
    expect(await redisOffset()).toBe(0);
    const steps: Array<{ cmds: string[][]; multi?: boolean; after?: number }> = [
      { cmds: [['SET', 'k', 'v']] },
      { cmds: [['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a']], multi: true },
      { cmds: [['SET', 'b', '1'], ['GET', 'b']], multi: true }, // one write: not framed
      { cmds: [['GET', 'a']], multi: true }, // no write: nothing
      { cmds: [['RPUSH', 'l', 'x', 'y', 'z'], ['LPOP', 'l'], ['HSET', 'h', 'f', 'v', 'g', 'w'], ['SADD', 's', 'm1', 'm2']] },
      { cmds: [['MSET', 'm1', 'x', 'm2', 'y'], ['APPEND', 'k', 'more'], ['DEL', 'm1', 'nosuch'], ['ZADD', 'z', '1.5', 'one']] },
      { cmds: [['SET', 't', 'v', 'EX', '100'], ['SET', 'bin', '\x00\xff\r\n'], ['INCRBY', 'a', '-7']] },
      { cmds: [['HSET', 'h2', 'f', 'v'], ['SADD', 's2', 'x'], ['RPUSH', 'l2', 'x'], ['EXPIRE', 'h2', '1000']], multi: true },
      { cmds: [['SET', 'big', 'x'.repeat(5000)], ['GETDEL', 'big'], ['DEL', 'l', 'h', 's']] },
      // A script's effects: wrapped in MULTI … EXEC when more than one, as Redis 7.0 propagates them.
      { cmds: [['EVAL', "redis.call('SET', KEYS[1], 'x') redis.call('INCRBY', KEYS[2], 5) return 1", '2', 'e1', 'e2']] },
      { cmds: [['EVAL', "return redis.call('INCR', KEYS[1])", '1', 'e2']] },
      // A script inside a transaction: one frame, never nested.
      { cmds: [['SET', 'm3', '1'], ['EVAL', "redis.call('SET', KEYS[1], 'y') redis.call('DEL', KEYS[2]) return 1", '2', 'e1', 'm3']], multi: true },
      // One command, two effects: the lazy-expiry DEL and the write are one MULTI … EXEC unit.
      { cmds: [['SET', 'lz', 'v', 'PX', '1']], after: 20 },
      { cmds: [['SET', 'lz', 'w']] },
      { cmds: [['SET', 'lz2', 'v', 'PX', '1'], ['RPUSH', 'lz3', 'a'], ['PEXPIRE', 'lz3', '1']], after: 20 },
      { cmds: [['APPEND', 'lz2', 'x'], ['RPUSH', 'lz3', 'b'], ['GET', 'lz2']] },
      // A lazy expiry inside a transaction: one frame still.
      { cmds: [['SET', 'lz4', 'v', 'PX', '1']], after: 20 },
      { cmds: [['SET', 'lz4', 'w'], ['INCR', 'a']], multi: true },
    ];
    for (const [i, step] of steps.entries()) {
      if (step.multi) {
        const replies = await c.call([['MULTI'], ...step.cmds, ['EXEC']]);
        expect(replies[replies.length - 1]!.startsWith('*')).toBe(true);
        await h.exec(step.cmds, 2, { atomic: true });
      } else {
        await c.call(step.cmds);
        await h.exec(step.cmds, 2);
      }
      expect([i, h.log.offset]).toEqual([i, await redisOffset()]);
      if (step.after) await new Promise((r) => setTimeout(r, step.after));
    }
  });
});

describe('INFO replication', () => {
  it('prints the fields Redis prints for a master without replicas, with the log facts', async () => {
    const fresh = await startRedis();
    try {
      const r = await RawClient.connect(fresh.port);
      const [theirs] = await r.call([['INFO', 'replication']]);
      r.close();
      const b = new LocalBackend(1);
      const s = b.session();
      const [ours] = await s.run([['INFO', 'replication']]);
      const names = (t: string) => t.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
      const text = (ours as { v: string }).v;
      expect(names(text)).toEqual(names(/\$\d+\r\n([\s\S]*)\r\n$/.exec(theirs!)![1]!));
      expect(text).toMatch(/^# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:[0-9a-f]{40}\r\nmaster_replid2:0{40}\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:0\r\n$/);
      await s.run([['SET', 'k', 'v']]);
      const [after] = await s.run([['INFO', 'replication']]);
      expect((after as { v: string }).v).toContain('master_repl_offset:50\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:50\r\n');
    } finally {
      await fresh.stop();
    }
  });

  it('repl-backlog-size: CONFIG SET accepts and refuses what Redis does (and raises small values to 16 kb)', async () => {
    const b = new LocalBackend(1);
    const s = b.session();
    const cases = ['0', '100', '-1', '1x', '2mb', '1mb', '9223372036854775808', '1gb'];
    for (const v of cases) {
      const mine = await s.run([['CONFIG', 'SET', 'repl-backlog-size', v], ['CONFIG', 'GET', 'repl-backlog-size']]);
      const theirs = await c.call([['CONFIG', 'SET', 'repl-backlog-size', v], ['CONFIG', 'GET', 'repl-backlog-size']]);
      const enc = (f: { t: string; v?: unknown }) => (f.t === 'err' ? `-${f.v}\r\n` : f.t === 'simple' ? `+${f.v}\r\n` : JSON.stringify(f));
      expect([v, enc(mine[0] as never)]).toEqual([v, theirs[0]]);
      const got = (mine[1] as { v: Array<{ v: string }> }).v.map((x) => x.v);
      expect([v, `*2\r\n$17\r\nrepl-backlog-size\r\n$${got[1]!.length}\r\n${got[1]}\r\n`]).toEqual([v, theirs[1]]);
    }
    await c.call([['CONFIG', 'SET', 'repl-backlog-size', '1mb']]);
  });
});
