// Standalone mode (the default) with unmodified clients: multi-key commands and transactions whose keys live on different shards.
import { spawnSync } from 'node:child_process';
import KeyvRedis from '@keyv/redis';
import IORedis from 'ioredis';
import Keyv from 'keyv';
import { createClient } from 'redis';
import { describe, expect, inject, it } from 'vitest';
import { SlotMap } from '../../src/cluster/slot.js';

// The servers run wrangler.toml's SHARDS (4).
const slots = new SlotMap(4);
const run = Date.now().toString(36);
/** Ten keys named prefix:0…9; the test checks they do span shards. */
const tenKeys = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}:${run}:${i}`);
const shardsOf = (keys: string[]) => new Set(keys.map((k) => slots.shardOfKey(k))).size;

describe.each(inject('targets'))('$name', ({ respPort }) => {
  const url = `redis://127.0.0.1:${respPort}`;

  it('@keyv/redis setMany / getMany / deleteMany over keys of several shards (no hash tag)', async () => {
    const keyv = new Keyv({ store: new KeyvRedis(url, { namespace: `kv${run}`, throwOnErrors: true }), namespace: `kv${run}` });
    try {
      const entries = Array.from({ length: 10 }, (_, i) => ({ key: `m${i}`, value: { i } }));
      await keyv.setMany(entries);
      expect(await keyv.getMany(entries.map((e) => e.key))).toEqual(entries.map((e) => e.value));
      expect(await keyv.deleteMany(['m0', 'm1', 'm2'])).toBe(true);
      expect(await keyv.getMany(['m0', 'm3'])).toEqual([undefined, { i: 3 }]);
    } finally {
      await keyv.disconnect();
    }
  });

  it('ioredis: MSET / MGET of ten keys over shards, and a MULTI across shards', async () => {
    const c = new IORedis({ port: respPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      const keys = tenKeys('io');
      expect(shardsOf(keys)).toBeGreaterThan(1);
      expect(await c.mset(...keys.flatMap((k, i) => [k, String(i)]))).toBe('OK');
      expect(await c.mget(...keys)).toEqual(keys.map((_, i) => String(i)));
      const [a, b] = [keys[0]!, keys.find((k) => slots.shardOfKey(k) !== slots.shardOfKey(keys[0]!))!];
      const res = await c.multi().incrby(a, 10).decrby(b, 10).mget(a, b).exec();
      expect(res).toEqual([[null, 10], [null, -10 + keys.indexOf(b)], [null, ['10', String(-10 + keys.indexOf(b))]]]);
      expect(await c.rename(a, `${b}:renamed`)).toBe('OK');
      expect(await c.get(`${b}:renamed`)).toBe('10');
    } finally {
      c.disconnect();
    }
  });

  it('node-redis: the default MULTI (transactional pipeline) across shards', async () => {
    const c = createClient({ socket: { port: respPort, host: '127.0.0.1' } });
    await c.connect();
    try {
      const keys = tenKeys('nr');
      expect(shardsOf(keys.slice(0, 3))).toBeGreaterThan(1);
      const res = await c.multi().set(keys[0]!, 'a').set(keys[1]!, 'b').sAdd(keys[2]!, 'x').mGet([keys[0]!, keys[1]!]).exec();
      expect(res).toEqual(['OK', 'OK', 1, ['a', 'b']]);
      expect(await c.sMove(keys[2]!, keys[3]!, 'x')).toBe(1);
      expect(await c.sMembers(keys[3]!)).toEqual(['x']);
    } finally {
      await c.quit();
    }
  });

  it("redis-py (Debian's python3-redis): pipeline() is a transaction, across shards", () => {
    const keys = tenKeys('py');
    expect(shardsOf(keys.slice(0, 3))).toBeGreaterThan(1);
    const script = [
      'import json, sys, redis',
      `r = redis.Redis(host="127.0.0.1", port=${respPort}, decode_responses=True)`,
      `k = ${JSON.stringify(keys.slice(0, 3))}`,
      'p = r.pipeline()',
      'p.set(k[0], "1"); p.incr(k[1]); p.rpush(k[2], "a", "b"); p.mget(k[0], k[1])',
      'print(json.dumps(p.execute()))',
    ].join('\n');
    const out = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([true, 1, 2, ['1', '1']]);
  });
});
