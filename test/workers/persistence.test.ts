// Multi-part AOF in DO storage: rewrites install an RDB base and retire old segments; a restarted
// shard loads base + segments; writes during a background rewrite are not lost.
import { env, exports } from 'cloudflare:workers';
import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShardObject } from '../../src/objects/shard.js';

// One shard serving every slot: these tests send keys of any slot (a shard refuses foreign ones).
const info = { index: 0, count: 1, slots: [0, 16383] as [number, number] };
type F = { t: string; v?: unknown };
const stub = (name: string) => env.SHARD.get(env.SHARD.idFromName(name));
const exec = async (name: string, ...cmds: string[][]) => (await stub(name).exec(info, cmds, 2)) as unknown as F[];
const facts = (name: string) => runInDurableObject(stub(name), (o: ShardObject) => o.storageFacts());

/** One value of every type, read back in a comparable form. */
const seed = [
  ['SET', 's', 'string \x00\xff'],
  ['SET', 'n', '12345'],
  ['SET', 'ttl', 'v', 'PX', '100000000'],
  ['RPUSH', 'l', 'a', 'b', 'c'],
  ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
  ['SADD', 'si', '1', '2', '3'],
  ['SADD', 'ss', 'x', 'y'],
  ['ZADD', 'z', '1.5', 'a', '2', 'b'],
  ['XADD', 'x', '1-1', 'f', 'v'],
  ['PFADD', 'hll', 'a', 'b', 'c'],
];
const probe = [
  ['GET', 's'], ['GET', 'n'], ['PEXPIRETIME', 'ttl'], ['LRANGE', 'l', '0', '-1'], ['HGETALL', 'h'], ['SMEMBERS', 'si'],
  ['SCARD', 'ss'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['XRANGE', 'x', '-', '+'], ['PFCOUNT', 'hll'], ['DBSIZE'],
];

describe('AOF rewrite and recovery', () => {
  it('SAVE writes an RDB base, retires the old segment, and a restart loads base + new segment', async () => {
    await exec('p1', ...seed);
    const before = await exec('p1', ...probe);
    expect(await exec('p1', ['SAVE'])).toEqual([{ t: 'simple', v: 'OK' }]);
    const f = await facts('p1');
    expect(f.manifest.base).not.toBeNull();
    expect(f.baseRows).toBeGreaterThan(0);
    expect(f.logRows).toBe(0); // everything before the snapshot is retired
    await exec('p1', ['RPUSH', 'l', 'd'], ['INCR', 'n']);
    await evictDurableObject(stub('p1'));
    const after = await exec('p1', ...probe);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual({ t: 'bulk', v: '12346' });
    expect(after[2]).toEqual(before[2]);
    expect(after[3]).toEqual({ t: 'arr', v: ['a', 'b', 'c', 'd'].map((v) => ({ t: 'bulk', v })) });
    expect(after.slice(4)).toEqual(before.slice(4));
    const [lastsave] = await exec('p1', ['LASTSAVE']);
    expect(Number(lastsave!.v)).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('BGREWRITEAOF runs in slices while writes continue, and loses none of them', async () => {
    const keys: string[][] = [];
    for (let i = 0; i < 20000; i++) keys.push(['SET', `k${i}`, String(i)]);
    for (let i = 0; i < keys.length; i += 2000) await exec('p2', ...keys.slice(i, i + 2000));
    expect(await exec('p2', ['BGREWRITEAOF'])).toEqual([{ t: 'simple', v: 'Background append only file rewriting started' }]);
    // Writes during the rewrite: increments of keys not yet saved must not be applied twice.
    const during: string[][] = [];
    for (let i = 0; i < 20000; i += 97) during.push(['INCR', `k${i}`]);
    const [busy] = await exec('p2', ['BGREWRITEAOF']);
    expect(busy).toEqual({ t: 'err', v: 'ERR Background append only file rewriting already in progress' });
    await exec('p2', ...during);
    for (let i = 0; i < 200; i++) {
      const [info] = await exec('p2', ['INFO', 'persistence']);
      if (String(info!.v).includes('aof_rewrite_in_progress:0')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const f = await facts('p2');
    expect(f.manifest.base?.keys).toBe(20000);
    await abortAllDurableObjects();
    const got = await exec('p2', ...during.map(([, k]) => ['GET', k!]));
    expect(got.map((g) => g.v)).toEqual(during.map(([, k]) => String(Number(k!.slice(1)) + 1)));
    const [n] = await exec('p2', ['DBSIZE']);
    expect(n).toEqual({ t: 'int', v: 20000 });
  });

  it('reports persistence in INFO and honours appendfsync everysec (through the Worker)', async () => {
    const worker = (exports as unknown as { default: Fetcher }).default;
    const call = async (...cmds: string[][]) =>
      (await (await worker.fetch('http://kf/pipeline', { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: JSON.stringify(cmds) })).json()) as Array<{ result: unknown }>;
    await call(['CONFIG', 'SET', 'appendfsync', 'everysec'], ['SET', 'fsync:a', '1']);
    const [info, own] = await call(['INFO', 'persistence'], ['INFO', 'keyflare']);
    const text = String(info!.result);
    expect(String(own!.result)).toMatch(/aof_fsync_policy:everysec\r\naof_crash_may_lose:up to 1 second/);
    expect(text).toMatch(/aof_enabled:1/);
    await new Promise((r) => setTimeout(r, 1200));
    await abortAllDurableObjects();
    expect(await call(['GET', 'fsync:a'], ['CONFIG', 'SET', 'appendfsync', 'always'])).toEqual([{ result: '1' }, { result: 'OK' }]);
  });
});
