// Standalone mode against a standalone redis-server: INFO and CLUSTER as a standalone Redis, and
// multi-key commands and transactions whose keys share a shard (different slots) run as one batch.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { SlotMap, keySlot } from '../../src/cluster/slot.js';

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
