// A replication group of Durable Objects: one primary shard DO and 2 replica DOs (DO→DO pushes
// after each group commit, acks back). Replicas converge (DUMP of every key equal), refuse client
// writes with READONLY, continue by offset after a restart (no full resync), and
// min-replicas-to-write refuses writes with NOREPLICAS.
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const info = { index: 0, count: 1, slots: [0, 16383] as [number, number] };
type Reply = { t: string; v?: unknown };

function stub(name: string) {
  const ns = env.SHARD;
  return ns.get(ns.idFromName(name));
}
async function run(s: ReturnType<typeof stub>, ...cmds: string[][]): Promise<Reply[]> {
  return (await s.exec(info, cmds, 2)) as unknown as Reply[];
}
async function caughtUp(p: ReturnType<typeof stub>, rs: Array<ReturnType<typeof stub>>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const want = (await p.replFacts()).offset;
    const got = await Promise.all(rs.map((r) => r.replFacts()));
    if (got.every((g) => g.offset === want)) return want;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('replicas did not catch up');
}
async function dumps(s: ReturnType<typeof stub>, keys: string[]): Promise<Reply[]> {
  return run(s, ...keys.map((k) => ['DUMP', k]));
}

describe('replication between Durable Objects', () => {
  it('1 primary + 2 replicas under write load: replicas converge, refuse writes, continue after a restart', async () => {
    const p = stub('grp-a');
    await p.replicate(info, 2, 'grp-a');
    const rs = [stub('grp-a-r1'), stub('grp-a-r2')];
    const keys: string[] = [];
    // Concurrent writers: several batches share group commits.
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        const k = `k${w}:${i}`;
        keys.push(k, `l${w}`, `h${w}`);
        await run(p, ['SET', k, `v${i}`], ['RPUSH', `l${w}`, `${i}`], ['HSET', `h${w}`, `f${i}`, `${i}`]);
      }
    }));
    await run(p, ['MULTI'], ['INCR', 'n'], ['INCR', 'n'], ['EXEC']);
    keys.push('n');
    const off = await caughtUp(p, rs);
    const want = await dumps(p, keys);
    for (const r of rs) {
      expect(await dumps(r, keys)).toEqual(want);
      const f = await r.replFacts();
      expect(f.role).toBe('replica');
      expect(f.replid).toBe((await p.replFacts()).replid);
      expect(f.offset).toBe(off);
    }
    const pf = await p.replFacts();
    expect(pf.role).toBe('primary');
    expect(pf.replicas!.map((r) => [r.state, r.ack])).toEqual([['online', off], ['online', off]]);
    expect(await run(rs[0]!, ['SET', 'x', '1'])).toEqual([{ t: 'err', v: "READONLY You can't write against a read only replica." }]);

    // A replica restarts: it picks the stream up from its stored offset.
    await evictDurableObject(rs[0]!);
    for (let i = 0; i < 20; i++) await run(p, ['SET', `after${i}`, `${i}`]);
    await caughtUp(p, rs);
    const f0 = await rs[0]!.replFacts();
    expect(f0.fulls).toBe(0);
    expect(await run(rs[0]!, ['GET', 'after19'])).toEqual([{ t: 'bulk', v: '19' }]);
  });

  it('min-replicas-to-write: more good replicas asked for than there are refuses writes with NOREPLICAS', async () => {
    const p = stub('grp-b');
    await p.replicate(info, 2, 'grp-b');
    await run(p, ['SET', 'a', '1']);
    await caughtUp(p, [stub('grp-b-r1'), stub('grp-b-r2')]);
    await run(p, ['CONFIG', 'SET', 'min-replicas-to-write', '2']);
    expect(await run(p, ['SET', 'a', '2'])).toEqual([{ t: 'simple', v: 'OK' }]);
    await run(p, ['CONFIG', 'SET', 'min-replicas-to-write', '3']);
    expect(await run(p, ['SET', 'a', '3'], ['GET', 'a'])).toEqual([{ t: 'err', v: 'NOREPLICAS Not enough good replicas to write.' }, { t: 'bulk', v: '2' }]);
  });
});
