// Standalone mode against a standalone redis-server: INFO and CLUSTER as a standalone Redis, and
// multi-key commands and transactions whose keys share a shard (different slots) run as one batch.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { SlotMap, keySlot } from '../../src/cluster/slot.js';
import { RawClient } from '../helpers/raw-client.js';

const d = useDiff(undefined, 'standalone');
const slots = new SlotMap(4);

/** `n` keys named prefix0, prefix1… on shard `shard`, each of a different slot. */
function keysOn(shard: number, n: number, prefix: string): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const k = `${prefix}${i}`;
    if (slots.shardOfKey(k) === shard && !seen.has(keySlot(k))) {
      seen.add(keySlot(k));
      out.push(k);
    }
  }
  return out;
}

const [a, b, c] = keysOn(1, 3, 'k') as [string, string, string];
// One key on each of three shards.
const x = keysOn(0, 1, 'x')[0]!;
const y = keysOn(2, 1, 'y')[0]!;
const z = keysOn(3, 1, 'z')[0]!;

describe('standalone mode (a standalone Redis 7)', () => {
  it('the keys of a test share a shard but not a slot', () => {
    expect(new Set([a, b, c].map(keySlot)).size).toBe(3);
    expect(new Set([a, b, c].map((k) => slots.shardOfKey(k))).size).toBe(1);
  });

  it('INFO cluster, CLUSTER subcommands and their arity errors', async () => {
    await d.check([
      ['INFO', 'cluster'],
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'KEYSLOT', 'x'],
      ['CLUSTER', 'HELP'],
      ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'NOPE'],
      ['CLUSTER'],
      ['CLUSTER', 'KEYSLOT'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '1'],
    ]);
  });

  it('HELLO says mode standalone', async () => {
    const { redis, kf } = await d.pair(['HELLO', '2'], 2);
    expect(redis).toContain('$4\r\nmode\r\n$10\r\nstandalone\r\n');
    expect(kf).toContain('$4\r\nmode\r\n$10\r\nstandalone\r\n');
  });

  it('multi-key commands over keys of one shard, different slots', async () => {
    await d.check(multiKey(a, b, c));
  });

  it('multi-key commands over keys of three shards', async () => {
    expect(new Set([x, y, z].map((k) => slots.shardOfKey(k))).size).toBe(3);
    await d.check(multiKey(x, y, z));
  });

  it('MULTI/EXEC and WATCH over keys of one shard, different slots', async () => {
    await d.check(transactions(a, b, c));
  });

  it('MULTI/EXEC and WATCH over keys of three shards', async () => {
    await d.check(transactions(x, y, z));
  });

  it("WATCH of keys on three shards: another connection's write to any of them aborts EXEC", async () => {
    const redis2 = await RawClient.connect(d.redis.port);
    const kf2 = d.backend.session();
    try {
      for (const victim of [x, y, z]) {
        const out: string[] = [];
        // The same sequence on both sides: WATCH x y z, another connection writes `victim`, then MULTI … EXEC.
        const script = [['WATCH', x, y, z], ['MULTI'], ['SET', x, 'tx'], ['INCR', y], ['EXEC']];
        for (const [i, cmd] of script.entries()) {
          if (i === 1) {
            await redis2.call([['SET', victim, 'other']]);
            await kf2.run([['SET', victim, 'other']]);
          }
          const { redis, kf } = await d.pair(cmd);
          out.push(redis === kf ? '' : `${JSON.stringify(cmd)} redis ${JSON.stringify(redis)} kf ${JSON.stringify(kf)}`);
        }
        expect(out.join('')).toBe('');
        // Unchanged watches on three shards: EXEC runs.
        const ok = [['WATCH', x, y, z], ['MULTI'], ['SET', x, 'tx'], ['GET', victim], ['EXEC']];
        for (const cmd of ok) {
          const { redis, kf } = await d.pair(cmd);
          expect(kf).toBe(redis);
        }
      }
    } finally {
      redis2.close();
    }
  });
});

function multiKey(a: string, b: string, c: string): Array<Array<string | number>> {
  return [
      ['MSET', a, '1', b, '2'],
      ['MGET', a, b, c],
      ['MSETNX', a, 'x', c, 'y'],
      ['MSETNX', c, 'x', `${c}`, 'y'],
      ['RENAME', a, c],
      ['RENAMENX', b, c],
      ['COPY', c, a],
      ['DEL', a, b, c],
      ['SADD', a, 'm', 'n'],
      ['SMOVE', a, b, 'm'],
      ['SUNIONSTORE', c, a, b],
      ['SINTERCARD', '2', a, c],
      ['SCARD', c],
      ['SISMEMBER', c, 'm'],
      ['SISMEMBER', c, 'n'],
      ['RPUSH', `${a}l`, 'x'],
      ['DEL', a, b, c],
      ['RPUSH', a, '1', '2', '3'],
      ['LMOVE', a, b, 'LEFT', 'RIGHT'],
      ['RPOPLPUSH', a, b],
      ['LRANGE', b, '0', '-1'],
      ['BLMOVE', a, c, 'LEFT', 'LEFT', '0.01'],
      ['BLMOVE', b, c, 'LEFT', 'LEFT', '0.01'],
      ['BLPOP', a, c, '0.01'],
      ['BLPOP', `${a}x`, b, '0'],
      ['BLMPOP', '0.01', '2', a, c, 'RIGHT'],
      ['BRPOPLPUSH', a, c, '0.05'],
      ['DEL', a, b, c],
      ['ZADD', a, '1', 'x', '2', 'y'],
      ['ZUNIONSTORE', b, '2', a, c, 'WEIGHTS', '2', '1'],
      ['ZRANGESTORE', c, b, '0', '-1'],
      ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['DEL', a, b, c],
      ['SET', a, 'abc'],
      ['SET', b, 'xyz'],
      ['BITOP', 'AND', c, a, b],
      ['GET', c],
      ['DEL', a, b, c],
      ['PFADD', a, 'x', 'y'],
      ['PFADD', b, 'y', 'z'],
      ['PFCOUNT', a, b],
      ['PFMERGE', c, a, b],
      ['PFCOUNT', c],
      ['DEL', a, b, c],
      ['MSETNX', a, '1', b, '2'],
      ['EXISTS', a, b, c, a],
      ['TOUCH', a, b, c],
      ['RENAMENX', a, c],
      ['COPY', b, c],
      ['COPY', b, c, 'REPLACE'],
      ['MGET', a, b, c],
      ['UNLINK', a, c],
      ['DEL', a, b, c],
      ['SADD', a, '1', '2', '3'],
      ['SADD', b, '2', '3', '4'],
      ['SINTERSTORE', c, a, b],
      ['SDIFFSTORE', c, a, b],
      ['SMEMBERS', c],
      ['SDIFFSTORE', c, c, a],
      ['EXISTS', c],
      ['SINTER', a, b],
      ['SDIFF', a, b],
      ['SMISMEMBER', a, '1', '4'],
      ['SMOVE', a, `${b}`, '1'],
      ['SMOVE', a, c, 'nosuch'],
      ['DEL', a, b, c],
      ['ZADD', a, '1', 'm', '2', 'n', '3', 'o'],
      ['ZADD', b, '5', 'n', '6', 'p'],
      ['ZINTERSTORE', c, '2', a, b, 'AGGREGATE', 'MAX'],
      ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['ZDIFFSTORE', c, '2', a, b],
      ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['ZUNION', '2', a, b, 'WITHSCORES'],
      ['ZINTERCARD', '2', a, b],
      ['ZRANGESTORE', c, a, '(1', '+inf', 'BYSCORE', 'LIMIT', '0', '1'],
      ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['ZMPOP', '2', c, a, 'MIN'],
      ['DEL', a, b, c],
      ['GEOADD', a, '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
      ['GEOSEARCHSTORE', b, a, 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC'],
      ['ZRANGE', b, '0', '-1'],
      ['GEOSEARCHSTORE', c, a, 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'STOREDIST'],
      ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'STORE', c],
      ['GEORADIUSBYMEMBER', a, 'Palermo', '300', 'km', 'STOREDIST', b],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['DEL', a, b, c],
      ['SET', a, 'foobar'],
      ['SET', b, 'abcdef'],
      ['BITOP', 'OR', c, a, b],
      ['GET', c],
      ['BITOP', 'XOR', c, a, b, c],
      ['GET', c],
      ['BITOP', 'NOT', c, a],
      ['STRLEN', c],
      ['LPUSH', a, 'x'],
      ['RENAME', a, b],
      ['TYPE', b],
      ['LMOVE', b, a, 'RIGHT', 'LEFT'],
      ['LMOVE', b, a, 'RIGHT', 'LEFT'],
      ['SET', c, 's'],
      ['LMOVE', a, c, 'LEFT', 'LEFT'],
      ['RPOPLPUSH', c, a],
      ['SMOVE', c, a, 'x'],
      ['SUNIONSTORE', a, c],
      ['PFMERGE', a, c],
      ['MGET', a, b, c],
  ];
}

function transactions(a: string, b: string, c: string): Array<Array<string | number>> {
  return [
      ['MULTI'],
      ['SET', a, '1'],
      ['INCR', b],
      ['MSET', a, '2', c, '3'],
      ['MGET', a, b, c],
      ['EXEC'],
      ['WATCH', a, b],
      ['MULTI'],
      ['INCR', a],
      ['INCR', c],
      ['EXEC'],
      ['WATCH', a, c],
      ['SET', c, 'changed'],
      ['MULTI'],
      ['INCR', a],
      ['EXEC'],
      ['GET', a],
  ];
}
