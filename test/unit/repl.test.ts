// Replication cores (shard/repl.ts, repl-replica.ts, repl-host.ts) over real shard hosts: the
// PSYNC decision (CONTINUE from a retained offset of the same history, FULLRESYNC otherwise),
// resume after a restart, WAIT, and Redis's READONLY / NOREPLICAS refusals, byte for byte.
import { describe, expect, it } from 'vitest';
import { ReplSim } from '../helpers/repl-sim.js';
import { NOREPLICAS_ERR, READONLY_ERR } from '../../src/shard/repl-host.js';

async function group(n = 2): Promise<ReplSim> {
  const sim = new ReplSim({ seed: 7, replicas: n });
  await sim.drain();
  return sim;
}

const set = (sim: ReplSim, k: string, v: string) => sim.primary.exec([['SET', k, v]], 2);

describe('replication', () => {
  it('a new replica gets a full resync, then the stream; offsets equal the primary\'s', async () => {
    const sim = await group();
    await set(sim, 'a', '1');
    await sim.primary.exec([['RPUSH', 'l', 'x', 'y'], ['INCR', 'n']], 2, { atomic: true });
    await sim.drain();
    for (const r of sim.replicas) {
      expect(r.offset()).toBe(sim.primary.log.offset);
      expect(r.current.log.replid).toBe(sim.primary.log.replid);
      expect(r.core.fulls).toBe(1);
      expect(await r.current.exec([['GET', 'a'], ['LRANGE', 'l', '0', '-1'], ['GET', 'n']], 2)).toEqual([
        { t: 'bulk', v: '1' }, { t: 'arr', v: [{ t: 'bulk', v: 'x' }, { t: 'bulk', v: 'y' }] }, { t: 'bulk', v: '1' },
      ]);
    }
    // The replica's stored log holds the primary's bytes at the same offsets.
    const r = sim.replicas[0]!.current;
    const from = r.log.floor;
    expect(from).toBeLessThan(r.log.offset);
    const mine = r.readFrom(from);
    const theirs = sim.primary.readFrom(from);
    expect(mine.ok && theirs.ok).toBe(true);
    expect(mine).toEqual(theirs);
  });

  it('a restarted replica continues from its stored offset (no full resync)', async () => {
    const sim = await group();
    for (let i = 0; i < 20; i++) await set(sim, `k${i}`, `v${i}`);
    await sim.drain();
    sim.restart(0);
    for (let i = 0; i < 5; i++) await set(sim, `m${i}`, 'x');
    await sim.drain();
    const r = sim.replicas[0]!;
    expect(r.core.fulls).toBe(0);
    expect(r.core.partials).toBe(1);
    expect(r.offset()).toBe(sim.primary.log.offset);
    expect(await r.current.exec([['GET', 'k19'], ['GET', 'm4']], 2)).toEqual([{ t: 'bulk', v: 'v19' }, { t: 'bulk', v: 'x' }]);
  });

  it('a replica whose offset left the backlog gets a full resync', async () => {
    const sim = await group();
    await sim.primary.exec([['CONFIG', 'SET', 'repl-backlog-size', '16384']], 2);
    await sim.drain();
    sim.cut.add(1);
    for (let i = 0; i < 200; i++) await set(sim, `k${i}`, 'x'.repeat(200));
    await sim.drain();
    expect(sim.primary.log.floor).toBeGreaterThan(sim.replicas[1]!.offset());
    sim.cut.delete(1);
    sim.restart(1);
    await sim.drain();
    expect(sim.replicas[1]!.core.fulls).toBe(1);
    expect(sim.replicas[1]!.offset()).toBe(sim.primary.log.offset);
    expect(await sim.replicas[1]!.current.exec([['DBSIZE']], 2)).toEqual([{ t: 'int', v: 200 }]);
  });

  it('PSYNC of another history is a full resync; of a retained offset a CONTINUE', async () => {
    const sim = await group();
    await set(sim, 'a', '1');
    const core = sim.side.core;
    const off = sim.primary.log.durable;
    expect(core.psync('x', sim.primary.log.replid, off, 0)[0]).toMatchObject({ t: 'stream', off, data: '' });
    expect(core.psync('y', 'f'.repeat(40), off, 0)[0]).toMatchObject({ t: 'full', off: sim.primary.log.offset });
    expect(core.psync('z', '?', -1, 0)[0]).toMatchObject({ t: 'full' });
  });

  it('WAIT answers at once when enough replicas have the offset, else at its timeout with the count', async () => {
    const sim = await group();
    await set(sim, 'a', '1');
    await sim.drain();
    let got = -1;
    sim.side.core.wait(2, sim.primary.log.offset, (n) => (got = n));
    expect(got).toBe(2);
    sim.cut.add(0);
    sim.cut.add(1);
    await set(sim, 'b', '1');
    got = -1;
    const timeout = sim.side.core.wait(1, sim.primary.log.offset, (n) => (got = n));
    expect(got).toBe(-1);
    timeout();
    expect(got).toBe(0);
    // Acknowledged before the timeout: answered then.
    sim.cut.delete(0);
    got = -1;
    sim.side.core.wait(1, sim.primary.log.offset, (n) => (got = n));
    await sim.drain();
    expect(got).toBe(1);
  });

  it('replica-read-only refuses client writes with Redis\'s error; reads work', async () => {
    const sim = await group();
    const r = sim.replicas[0]!.current;
    expect(READONLY_ERR).toBe("READONLY You can't write against a read only replica.");
    expect(await r.exec([['SET', 'a', '1'], ['GET', 'a']], 2)).toEqual([{ t: 'err', v: READONLY_ERR }, { t: 'nil' }]);
    await r.exec([['CONFIG', 'SET', 'replica-read-only', 'no']], 2);
    expect(await r.exec([['SET', 'a', '1']], 2)).toEqual([{ t: 'simple', v: 'OK' }]);
  });

  it('min-replicas-to-write refuses writes with NOREPLICAS when replicas are cut off', async () => {
    const sim = await group();
    expect(NOREPLICAS_ERR).toBe('NOREPLICAS Not enough good replicas to write.');
    await sim.primary.exec([['CONFIG', 'SET', 'min-replicas-to-write', '2'], ['CONFIG', 'SET', 'min-replicas-max-lag', '2']], 2);
    expect(await set(sim, 'a', '1')).toEqual([{ t: 'simple', v: 'OK' }]);
    sim.cut.add(1);
    await sim.tick(3500);
    expect(await sim.primary.exec([['SET', 'a', '2'], ['GET', 'a']], 2)).toEqual([{ t: 'err', v: NOREPLICAS_ERR }, { t: 'bulk', v: '1' }]);
    sim.cut.delete(1);
    await sim.drain();
    expect(await set(sim, 'a', '3')).toEqual([{ t: 'simple', v: 'OK' }]);
  });
});
