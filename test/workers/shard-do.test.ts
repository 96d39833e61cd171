// The shard Durable Object keeps acknowledged writes across eviction and abort, and expires keys by alarm.
import { env } from 'cloudflare:workers';
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShardObject } from '../../src/objects/shard.js';

// One shard serving every slot: these tests send keys of any slot (a shard refuses foreign ones).
const info = { index: 0, count: 1, slots: [0, 16383] as [number, number] };

function stub(name: string) {
  const ns = env.SHARD;
  return ns.get(ns.idFromName(name));
}

async function run(s: ReturnType<typeof stub>, ...cmds: string[][]) {
  return (await s.exec(info, cmds, 2)) as unknown as Array<{ t: string; v?: unknown }>;
}

describe('shard DO', () => {
  it('rebuilds its keyspace from the log after eviction', async () => {
    const s = stub('evict-test');
    await run(s, ['SET', 'a', '1'], ['SET', 'b', '\x00\xff binary'], ['INCR', 'a'], ['SET', 'c', 'x'], ['DEL', 'c']);
    await evictDurableObject(s);
    const r = await run(s, ['GET', 'a'], ['GET', 'b'], ['GET', 'c'], ['DBSIZE']);
    expect(r).toEqual([
      { t: 'bulk', v: '2' },
      { t: 'bulk', v: '\x00\xff binary' },
      { t: 'nil' },
      { t: 'int', v: 2 },
    ]);
  });

  it('keeps every acknowledged write across an abort (crash)', async () => {
    const acked: Array<[string, string]> = [];
    for (let i = 0; i < 50; i++) {
      // A stub is unusable after its object aborted: take a fresh one each time.
      const [r] = await run(stub('abort-test'), ['SET', `k${i}`, `v${i}`]);
      if (r!.t === 'simple') acked.push([`k${i}`, `v${i}`]);
      if (i % 10 === 9) await abortAllDurableObjects();
    }
    await abortAllDurableObjects();
    const r = await run(stub('abort-test'), ...acked.map(([k]) => ['GET', k]));
    expect(r.map((f) => f.v)).toEqual(acked.map(([, v]) => v));
    expect(acked.length).toBe(50);
  });

  it('logs relative expiries as absolute deadlines, so a restart keeps the same TTL', async () => {
    const s = stub('ttl-test');
    await run(s, ['SET', 'k', 'v', 'EX', '1000']);
    const [before] = await run(s, ['PEXPIRETIME', 'k']);
    await evictDurableObject(s);
    const [after] = await run(s, ['PEXPIRETIME', 'k']);
    expect(after).toEqual(before);
    expect(Number(before!.v)).toBeGreaterThan(Date.now() + 900_000);
  });

  it('removes expired keys from memory by alarm and logs their deletion', async () => {
    const s = stub('alarm-test');
    await run(s, ['SET', 'gone', 'v', 'PX', '20'], ['SET', 'kept', 'v']);
    await new Promise((r) => setTimeout(r, 150));
    // The alarm may already have fired on its own; if not, run it now.
    await runDurableObjectAlarm(s);
    const inMemory = await runInDurableObject(s, (o: ShardObject) => {
      const db = (o as unknown as { shard: { db: { data: Map<string, unknown> } } }).shard.db;
      return [...db.data.keys()].sort();
    });
    expect(inMemory).toEqual(['kept']);
    await evictDurableObject(s);
    expect(await run(s, ['EXISTS', 'gone'], ['EXISTS', 'kept'])).toEqual([{ t: 'int', v: 0 }, { t: 'int', v: 1 }]);
  });
});
