// Databases through persistence: the log records each write's db as Redis's AOF does (SELECT n
// when the db changes), a rewrite's base holds every db (SELECTDB + RESIZEDB), and recovery from
// either restores every db; MULTI/EXEC batches and expiry in other dbs follow the same rules.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { readRdb } from '../../src/persistence/rdb.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import { MemoryPort, type StoragePort } from '../../src/persistence/port.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { ManualTimers, seededBytes } from '../helpers/fake-storage.js';
import type { Frame } from '../../src/protocol/frame.js';
import { LocalBackend } from '../../src/server/local.js';

const OK: Frame = { t: 'simple', v: 'OK' };

const info = { index: 0, count: 1, slots: [0, 16383] as const };

function env(port: StoragePort, clock = new ManualClock(), tap?: (e: string[][]) => void): HostEnv {
  return { port, clock, timers: new ManualTimers(), randomBytes: seededBytes(3), codec: RDB_SNAPSHOT, ...(tap ? { tap } : {}) };
}

const run = async (h: ShardHost, db: number, ...cmds: string[][]): Promise<Frame[]> => await h.exec(cmds, 2, db ? { db } : {});

/** Every db's keys with their values (GET) and TTL presence, as the shard serves them. */
async function state(h: ShardHost): Promise<Record<number, Record<string, string>>> {
  const out: Record<number, Record<string, string>> = {};
  for (let db = 0; db < 16; db++) {
    const [keys] = await run(h, db, ['KEYS', '*']);
    const names = (keys as { v: Array<{ v: string }> }).v.map((f) => f.v).sort();
    if (!names.length) continue;
    const got: Record<string, string> = (out[db] = {});
    for (const k of names) {
      const [t] = await run(h, db, ['TYPE', k]);
      const [v] = await run(h, db, (t as { v: string }).v === 'string' ? ['GET', k] : ['LRANGE', k, '0', '-1']);
      const [ttl] = await run(h, db, ['PTTL', k]);
      got[k] = `${JSON.stringify(v)} ttl=${(ttl as { v: number }).v > 0 ? 'yes' : (ttl as { v: number }).v}`;
    }
  }
  return out;
}

async function writeSome(h: ShardHost): Promise<void> {
  await run(h, 0, ['SET', 'k', 'zero'], ['SET', 'only0', '0']);
  await run(h, 3, ['SET', 'k', 'three'], ['RPUSH', 'l', 'a', 'b'], ['SET', 'ttl', 'x', 'PX', '100000']);
  await run(h, 15, ['SET', 'k', 'fifteen'], ['INCR', 'n']);
  await run(h, 0, ['INCR', 'n']);
  // A transaction in db 3 and a MOVE from db 15 to db 7.
  await h.exec([['RPUSH', 'l', 'c'], ['DEL', 'k']], 2, { db: 3, atomic: true });
  await run(h, 15, ['SET', 'mv', 'moved'], ['MOVE', 'mv', '7']);
}

const EXPECTED = {
  0: { k: '{"t":"bulk","v":"zero"} ttl=-1', n: '{"t":"bulk","v":"1"} ttl=-1', only0: '{"t":"bulk","v":"0"} ttl=-1' },
  3: { l: '{"t":"arr","v":[{"t":"bulk","v":"a"},{"t":"bulk","v":"b"},{"t":"bulk","v":"c"}]} ttl=-1', ttl: '{"t":"bulk","v":"x"} ttl=yes' },
  7: { mv: '{"t":"bulk","v":"moved"} ttl=-1' },
  15: { k: '{"t":"bulk","v":"fifteen"} ttl=-1', n: '{"t":"bulk","v":"1"} ttl=-1' },
};

describe('databases and persistence', () => {
  it('the log names each write\'s db with SELECT when it changes, as Redis\'s AOF', async () => {
    const effects: string[][] = [];
    const h = ShardHost.open(info, env(new MemoryPort(), undefined, (e) => effects.push(...e)))!;
    await writeSome(h);
    expect(effects).toEqual([
      ['SET', 'k', 'zero'], ['SET', 'only0', '0'],
      ['SELECT', '3'], ['SET', 'k', 'three'], ['RPUSH', 'l', 'a', 'b'], ['SET', 'ttl', 'x', 'PXAT', expect.any(String)],
      ['SELECT', '15'], ['SET', 'k', 'fifteen'], ['INCR', 'n'],
      ['SELECT', '0'], ['INCR', 'n'],
      ['SELECT', '3'], ['RPUSH', 'l', 'c'], ['DEL', 'k'],
      ['SELECT', '15'], ['SET', 'mv', 'moved'], ['MOVE', 'mv', '7'],
    ]);
    expect(await state(h)).toEqual(EXPECTED);
  });

  it('a restart replays the log into every db', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    await writeSome(h);
    h.close();
    const again = ShardHost.open(info, env(port))!;
    expect(await state(again)).toEqual(EXPECTED);
    // The stream continues in the db it ended in: a write in db 15 needs no SELECT, one in db 0 does.
    const effects: string[][] = [];
    const third = ShardHost.open(info, env(port, undefined, (e) => effects.push(...e)))!;
    await run(third, 15, ['SET', 'a', '1']);
    await run(third, 0, ['SET', 'b', '2']);
    expect(effects).toEqual([['SET', 'a', '1'], ['SELECT', '0'], ['SET', 'b', '2']]);
    const fourth = ShardHost.open(info, env(port))!;
    expect((await run(fourth, 15, ['GET', 'a']))[0]).toEqual({ t: 'bulk', v: '1' });
    expect((await run(fourth, 0, ['GET', 'b']))[0]).toEqual({ t: 'bulk', v: '2' });
  });

  it('a rewritten base holds every db (SELECTDB per db), and the segment after it selects its db', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    await writeSome(h);
    expect(await run(h, 0, ['SAVE'])).toEqual([{ t: 'simple', v: 'OK' }]);
    // Written after the rewrite, in the db the stream was in before it (15): the new segment's
    // reader starts in db 0, so this write must carry its SELECT.
    await run(h, 15, ['SET', 'after', 'save']);
    await run(h, 3, ['DEL', 'ttl']);
    h.close();
    const again = ShardHost.open(info, env(port))!;
    expect(again.loadReport.keys).toBe(8);
    const want = structuredClone(EXPECTED) as Record<number, Record<string, string>>;
    want[15]!.after = '{"t":"bulk","v":"save"} ttl=-1';
    delete want[3]!.ttl;
    expect(await state(again)).toEqual(want);
    // The base is a dump.rdb whose keys carry their db.
    const m = JSON.parse(port.readMeta('manifest')!) as { base: { gen: number } };
    const bytes = toBytes([...port.readBase(m.base.gen)].join(''));
    const dbs = [...readRdb(bytes)].map((e) => `${e.db}:${e.key}`).sort();
    expect(dbs).toEqual(['0:k', '0:n', '0:only0', '15:k', '15:n', '3:l', '3:ttl', '7:mv']);
  });

  it("a script's SELECT is logged inside its unit, and the caller's db follows it", async () => {
    const effects: string[][] = [];
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port, undefined, (e) => effects.push(...e)))!;
    const script = "redis.call('set', KEYS[1], 'zero'); redis.call('select', 4); redis.call('set', KEYS[1], 'four'); return 1";
    expect(await run(h, 0, ['EVAL', script, '1', 'k'], ['SET', 'after', '0'])).toEqual([{ t: 'int', v: 1 }, { t: 'simple', v: 'OK' }]);
    expect(effects).toEqual([['MULTI'], ['set', 'k', 'zero'], ['SELECT', '4'], ['set', 'k', 'four'], ['EXEC'], ['SELECT', '0'], ['SET', 'after', '0']]);
    h.close();
    const again = ShardHost.open(info, env(port))!;
    expect((await run(again, 0, ['MGET', 'k', 'after']))[0]).toEqual({ t: 'arr', v: [{ t: 'bulk', v: 'zero' }, { t: 'bulk', v: '0' }] });
    expect((await run(again, 4, ['MGET', 'k', 'after']))[0]).toEqual({ t: 'arr', v: [{ t: 'bulk', v: 'four' }, { t: 'nil' }] });
  });

  it('keys expiring in another db are deleted there and logged after their SELECT', async () => {
    const clock = new ManualClock();
    const effects: string[][] = [];
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port, clock, (e) => effects.push(...e)))!;
    await run(h, 5, ['SET', 'e', 'v', 'PX', '50'], ['SET', 'keep', 'v']);
    await run(h, 0, ['SET', 'z', 'v']);
    clock.advance(1000);
    await h.alarm();
    expect(effects.slice(-2)).toEqual([['SELECT', '5'], ['DEL', 'e']]);
    expect((await run(h, 5, ['DBSIZE']))[0]).toEqual({ t: 'int', v: 1 });
    h.close();
    const again = ShardHost.open(info, env(port, clock))!;
    expect((await run(again, 5, ['EXISTS', 'e', 'keep']))[0]).toEqual({ t: 'int', v: 1 });
    expect((await run(again, 0, ['DBSIZE']))[0]).toEqual({ t: 'int', v: 1 });
  });
});

describe('databases and maxmemory', () => {
  it('the budget is every db together; eviction takes keys of the db holding the most, and logs them there', async () => {
    const effects: string[][] = [];
    const h = ShardHost.open(info, env(new MemoryPort(), undefined, (e) => effects.push(...e)))!;
    const V = 'x'.repeat(1000);
    for (let i = 0; i < 50; i++) await run(h, 0, ['SET', `a${i}`, V]);
    for (let i = 0; i < 150; i++) await run(h, 6, ['SET', `b${i}`, V]);
    const used = [...h.shard.keyspaces()].reduce((n, [, k]) => n + k.used, 0);
    // Under noeviction a budget below what the dbs hold together refuses writes in any db.
    await run(h, 0, ['CONFIG', 'SET', 'maxmemory', String(Math.floor(used * 0.8))]);
    expect((await run(h, 3, ['SET', 'new', V]))[0]).toEqual({ t: 'err', v: expect.stringMatching(/^OOM /) });
    await run(h, 0, ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random']);
    effects.length = 0;
    expect(await run(h, 0, ['SET', 'a-new', V])).toEqual([{ t: 'simple', v: 'OK' }]);
    const dels = effects.filter((e) => e[0] === 'DEL');
    expect(dels.length).toBeGreaterThan(20);
    // Taken from db 6 (three times db 0's memory), and logged after its SELECT.
    expect(dels.every((e) => e[1]!.startsWith('b'))).toBe(true);
    expect(effects[0]).toEqual(['SELECT', '6']);
    expect(((await run(h, 0, ['DBSIZE']))[0] as { v: number }).v).toBe(51);
    const after = [...h.shard.keyspaces()].reduce((n, [, k]) => n + k.used, 0);
    expect(after).toBeLessThanOrEqual(Math.floor(used * 0.8));
  });
});

describe('databases and WATCH', () => {
  it('EXEC after a SELECT away from the WATCH db never passes over a change (it aborts)', async () => {
    const b = new LocalBackend({ shards: 2 });
    const [a, other, writer] = [b.session(), b.session(), b.session()];
    // Another connection watches the same name in db 1 (its own entry there, if dbs had one each).
    expect(await other.run([['SELECT', '1'], ['WATCH', 'k']])).toEqual([OK, OK]);
    expect(await a.run([['WATCH', 'k']])).toEqual([OK]);
    expect(await writer.run([['SET', 'k', 'changed']])).toEqual([OK]);
    const r = await a.run([['SELECT', '1'], ['MULTI'], ['SET', 'k', 'x'], ['EXEC']]);
    expect(r[3]).toEqual({ t: 'nilarr' });
    expect(await a.run([['GET', 'k']])).toEqual([{ t: 'nil' }]);
  });

  it('SWAPDB touches a watched key that exists on either side', async () => {
    const b = new LocalBackend({ shards: 2 });
    const [a, w] = [b.session(), b.session()];
    await w.run([['SELECT', '1'], ['SET', 'k', 'in-1']]);
    expect(await a.run([['WATCH', 'k']])).toEqual([OK]);
    await w.run([['SWAPDB', '0', '1']]);
    expect((await a.run([['MULTI'], ['GET', 'k'], ['EXEC']]))[2]).toEqual({ t: 'nilarr' });
    expect(await a.run([['WATCH', 'nothing'], ['MULTI'], ['GET', 'k'], ['EXEC']])).toEqual([OK, OK, { t: 'simple', v: 'QUEUED' }, { t: 'arr', v: [{ t: 'bulk', v: 'in-1' }] }]);
  });
});
