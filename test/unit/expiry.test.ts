import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import { LocalBackend } from '../../src/server/local.js';
import type { Frame } from '../../src/protocol/frame.js';

const T0 = 1_700_000_000_000;

function setup() {
  const clock = new ManualClock(T0);
  const b = new LocalBackend(4, clock);
  const s = b.session();
  const run = async (...argv: Array<string | number>): Promise<Frame> => (await s.run([argv.map(String)]))[0]!;
  const val = async (...argv: Array<string | number>): Promise<unknown> => {
    const f = await run(...argv);
    if (f.t === 'arr') return f.v.map((x) => ('v' in x ? x.v : null));
    return 'v' in f ? f.v : null;
  };
  const allLogs = () => b.logs.flat();
  /** Effects logged (on any shard) since the last call. */
  let seen = b.logs.map((l) => l.length);
  const newLogs = () => {
    const out = b.logs.flatMap((l, i) => l.slice(seen[i]));
    seen = b.logs.map((l) => l.length);
    return out;
  };
  return { clock, b, run, val, allLogs, newLogs };
}

async function scanAll(val: (...a: string[]) => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  let cur = '0';
  do {
    const [c, keys] = (await val('SCAN', cur, 'COUNT', '3')) as [string, Array<{ v: string }>];
    cur = c;
    out.push(...keys.map((k) => k.v));
  } while (cur !== '0');
  return out;
}

describe('expiry with a manual clock', () => {
  it('a key lives through its deadline millisecond and is gone right after it', async () => {
    const { clock, val } = setup();
    await val('SET', 'k', 'v');
    await val('PEXPIRE', 'k', 100);
    clock.advance(100); // now == deadline: Redis still serves it (expired only when now > when)
    expect(await val('GET', 'k')).toBe('v');
    expect(await val('PTTL', 'k')).toBe(0);
    expect(await val('TTL', 'k')).toBe(0);
    expect(await val('EXISTS', 'k')).toBe(1);
    clock.advance(1);
    expect(await val('GET', 'k')).toBe(null);
    expect(await val('PTTL', 'k')).toBe(-2);
  });

  it('no read path shows a key after its deadline', async () => {
    const { clock, val } = setup();
    for (const k of ['{t}a', 'b', 'c', 'd', 'e', 'f']) {
      await val('SET', k, 'v', 'PX', 50);
    }
    await val('SET', 'live', 'v');
    clock.advance(51);
    expect(await val('EXISTS', '{t}a', 'b', 'live')).toBe(1);
    expect(await val('TTL', 'c')).toBe(-2);
    expect(await val('TYPE', 'd')).toBe('none');
    expect(await val('TOUCH', 'e')).toBe(0);
    expect(await val('OBJECT', 'ENCODING', 'f')).toBe(null);
    expect(await val('KEYS', '*')).toEqual(['live']);
    expect(await scanAll(val as never)).toEqual(['live']);
    for (let i = 0; i < 20; i++) expect(await val('RANDOMKEY')).toBe('live');
    await val('SET', '{t}r', 'v', 'PX', 1);
    clock.advance(2);
    expect(await val('COPY', '{t}r', '{t}x')).toBe(0);
    expect(await val('RENAME', '{t}r', '{t}x')).toBe('ERR no such key');
  });

  it('DBSIZE counts expired keys nobody has touched yet, as Redis does', async () => {
    const { clock, val } = setup();
    await val('SET', 'x', 'v', 'PX', 10);
    await val('SET', 'y', 'v');
    clock.advance(20);
    expect(await val('DBSIZE')).toBe(2);
    // KEYS skips it without removing it (keyIsExpired), so DBSIZE still counts it.
    expect(await val('KEYS', '*')).toEqual(['y']);
    expect(await val('DBSIZE')).toBe(2);
    expect(await val('GET', 'x')).toBe(null);
    expect(await val('DBSIZE')).toBe(1);
  });

  it('lazy expiry logs a DEL; expiry commands log absolute PEXPIREAT, past deadlines log DEL', async () => {
    const { clock, val, allLogs, newLogs } = setup();
    await val('SET', 'k', 'v');
    await val('EXPIRE', 'k', 10);
    await val('PEXPIRE', 'k', 20000, 'GT');
    await val('EXPIREAT', 'k', T0 / 1000 + 30);
    await val('PEXPIREAT', 'k', T0 + 40000);
    await val('EXPIRE', 'k', 5, 'GT'); // refused: nothing logged
    await val('EXPIRE', 'missing', 5); // no key: nothing logged
    const setK = ['SET', 'k', 'v'];
    expect(allLogs()).toEqual([
      setK,
      ['PEXPIREAT', 'k', String(T0 + 10000)],
      ['PEXPIREAT', 'k', String(T0 + 20000), 'GT'],
      ['PEXPIREAT', 'k', String(T0 + 30000)],
      ['PEXPIREAT', 'k', String(T0 + 40000)],
    ]);
    await val('EXPIRE', 'k', -1);
    expect(allLogs().at(-1)).toEqual(['DEL', 'k']);
    await val('SET', 'j', 'v', 'PX', 5);
    clock.advance(6);
    newLogs();
    expect(await val('GET', 'j')).toBe(null);
    expect(newLogs()).toEqual([['DEL', 'j']]);
  });

  it('TTL rounds to the nearest second; EXPIRETIME reports absolute times', async () => {
    const { val } = setup();
    await val('SET', 'k', 'v');
    await val('PEXPIRE', 'k', 1499);
    expect(await val('TTL', 'k')).toBe(1);
    await val('PEXPIRE', 'k', 1500);
    expect(await val('TTL', 'k')).toBe(2);
    expect(await val('PEXPIRETIME', 'k')).toBe(T0 + 1500);
    expect(await val('EXPIRETIME', 'k')).toBe(T0 / 1000 + 2);
  });

  it('active expiry removes due keys, logs a DEL for each and reports the next deadline', async () => {
    const clock = new ManualClock(T0);
    const shard = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock);
    shard.exec([
      ['SET', 'a', '1', 'PX', '10'],
      ['SET', 'b', '1', 'PX', '20'],
      ['SET', 'c', '1', 'PX', '30'],
      ['SET', 'd', '1'],
    ]);
    expect(shard.db.earliestNewDeadline).toBe(T0 + 10);
    clock.advance(20); // a is past, b is exactly at its deadline
    let r = shard.expireCycle();
    expect(r.effects).toEqual([['DEL', 'a']]);
    expect(r.next).toBe(T0 + 20);
    expect([...shard.db.data.keys()].sort()).toEqual(['b', 'c', 'd']);
    expect(shard.stats.expiredKeys).toBe(1);
    clock.advance(100);
    r = shard.expireCycle();
    expect(r.effects).toEqual([['DEL', 'b'], ['DEL', 'c']]);
    expect(r.next).toBe(Infinity);
    expect([...shard.db.data.keys()]).toEqual(['d']);
    expect(shard.db.earliestNewDeadline).toBe(Infinity);
  });

  it('active expiry works in budgets and asks to come back at once when it ran out', () => {
    const clock = new ManualClock(T0);
    const shard = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock);
    for (let i = 0; i < 10; i++) shard.exec([['SET', `k${i}`, 'v', 'PX', '1']]);
    clock.advance(2);
    shard.db.now = clock.now();
    expect(shard.db.activeExpire(4)).toBe(clock.now());
    expect(shard.db.size).toBe(6);
    expect(shard.db.activeExpire(100)).toBe(Infinity);
    expect(shard.db.size).toBe(0);
  });

  it('replay expires nothing: logged deadlines in the past are restored as they were', () => {
    const clock = new ManualClock(T0);
    const a = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock);
    const log: string[][] = [];
    const exec = (...cmds: string[][]) => log.push(...a.exec(cmds).effects);
    exec(['SET', 'k', 'v'], ['EXPIRE', 'k', '10'], ['SET', 'j', 'v', 'EX', '20'], ['SET', 'p', 'v']);
    clock.advance(60_000); // everything volatile is now past due
    const b = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock);
    b.replay(log);
    expect([...b.db.data.keys()].sort()).toEqual(['j', 'k', 'p']);
    expect(b.db.expires.get('k')).toBe(T0 + 10_000);
    expect(b.db.expires.get('j')).toBe(T0 + 20_000);
    // A past PEXPIREAT while loading sets the deadline instead of deleting (Redis: !server.loading).
    b.replay([['PEXPIREAT', 'p', String(T0)]]);
    expect(b.db.data.has('p')).toBe(true);
    // Once live again, the first access or active cycle removes them.
    const r = b.expireCycle();
    expect(r.effects.map((e) => e.join(' ')).sort()).toEqual(['DEL j', 'DEL k', 'DEL p']);
    expect(b.db.size).toBe(0);
  });

  it('OBJECT IDLETIME counts whole seconds since the last access; only real accesses reset it', async () => {
    const { clock, val } = setup();
    clock.t = 1_700_000_000_500;
    await val('SET', 'k', 'v');
    await val('EXPIRE', 'k', 1000);
    clock.advance(5_000);
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(5);
    for (const cmd of [['OBJECT', 'ENCODING', 'k'], ['TYPE', 'k'], ['TTL', 'k'], ['PTTL', 'k'], ['EXISTS', 'k'], ['EXPIRETIME', 'k'], ['SCAN', '0'], ['KEYS', '*']]) {
      await val(...cmd);
    }
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(5);
    clock.advance(499); // the LRU clock ticks on whole seconds: .500 + 5.499 s is still second 5
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(5);
    clock.advance(1);
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(6);
    await val('TOUCH', 'k');
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(0);
    clock.advance(3_000);
    await val('GET', 'k');
    expect(await val('OBJECT', 'IDLETIME', 'k')).toBe(0);
  });
});
