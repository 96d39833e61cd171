// Hash field expiry (Redis 7.4/8.0 commands) against the behaviour redis.io documents for
// HEXPIRE, HTTL, HPERSIST, HGETDEL, HGETEX and HSETEX: real Redis 7.0 lacks them, so these run
// through LocalBackend with a ManualClock. Also: lazy and active reclamation, the logged effects,
// and that replaying the log rebuilds the same hashes.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import { LocalBackend } from '../../src/server/local.js';
import type { Frame } from '../../src/protocol/frame.js';
import { HashObj, hashEntries } from '../../src/engine/types/hash.js';

const T0 = 1_700_000_000_000;

function setup() {
  const clock = new ManualClock(T0);
  const b = new LocalBackend(4, clock);
  const s = b.session();
  const run = async (...argv: Array<string | number>): Promise<Frame> => (await s.run([argv.map(String)]))[0]!;
  const val = async (...argv: Array<string | number>): Promise<unknown> => {
    const f = await run(...argv);
    const un = (x: Frame): unknown => (x.t === 'arr' || x.t === 'map' ? x.v.map(un) : x.t === 'nil' ? null : 'v' in x ? (typeof x.v === 'bigint' ? Number(x.v) : x.v) : null);
    return un(f);
  };
  let seen = b.logs.map((l) => l.length);
  const newLogs = () => {
    const out = b.logs.flatMap((l, i) => l.slice(seen[i]));
    seen = b.logs.map((l) => l.length);
    return out;
  };
  /** State of every hash of every shard: entries and field deadlines. */
  const state = (shards: Shard[]) => shards.map((sh) => [...sh.db.data].map(([k, v]) => {
    const h = v as HashObj;
    return [k, hashEntries(h), h.x ? [...h.x.t].sort() : []];
  }).sort());
  return { clock, b, run, val, newLogs, state };
}

describe('HEXPIRE family', () => {
  it('sets deadlines, reports them (HTTL rounds up) and hides fields right after their deadline', async () => {
    const { clock, val } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(await val('HEXPIRE', 'h', 10, 'FIELDS', 2, 'a', 'zz')).toEqual([1, -2]);
    expect(await val('HPEXPIRE', 'h', 1500, 'FIELDS', 1, 'b')).toEqual([1]);
    expect(await val('HTTL', 'h', 'FIELDS', 3, 'a', 'b', 'c')).toEqual([10, 2, -1]);
    expect(await val('HPTTL', 'h', 'FIELDS', 2, 'a', 'b')).toEqual([10000, 1500]);
    expect(await val('HEXPIRETIME', 'h', 'FIELDS', 1, 'a')).toEqual([(T0 + 10000) / 1000]);
    expect(await val('HPEXPIRETIME', 'h', 'FIELDS', 2, 'b', 'c')).toEqual([T0 + 1500, -1]);
    expect(await val('HTTL', 'nokey', 'FIELDS', 2, 'a', 'b')).toEqual([-2, -2]);
    expect(await val('OBJECT', 'ENCODING', 'h')).toBe('listpackex');
    clock.advance(1500);
    expect(await val('HGET', 'h', 'b')).toBe('2'); // alive at its deadline millisecond
    clock.advance(1);
    expect(await val('HGET', 'h', 'b')).toBe(null);
    expect(await val('HLEN', 'h')).toBe(2);
    expect(await val('HGETALL', 'h')).toEqual(['a', '1', 'c', '3']);
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'b')).toEqual([-2]);
    await val('HDEL', 'h', 'c');
    clock.advance(10000);
    // The last field expired: the key is gone.
    expect(await val('EXISTS', 'h')).toBe(1); // not yet touched by a hash command nor the active pass
    expect(await val('HLEN', 'h')).toBe(0);
    expect(await val('EXISTS', 'h')).toBe(0);
  });

  it('NX XX GT LT conditions, a past time deletes (2), and the codes per field', async () => {
    const { val } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(await val('HEXPIRE', 'h', 100, 'XX', 'FIELDS', 1, 'a')).toEqual([0]);
    expect(await val('HEXPIRE', 'h', 100, 'GT', 'FIELDS', 1, 'a')).toEqual([0]); // no TTL = infinite
    expect(await val('HEXPIRE', 'h', 100, 'LT', 'FIELDS', 1, 'a')).toEqual([1]);
    expect(await val('HEXPIRE', 'h', 200, 'NX', 'FIELDS', 2, 'a', 'b')).toEqual([0, 1]);
    expect(await val('HEXPIRE', 'h', 50, 'GT', 'FIELDS', 1, 'a')).toEqual([0]);
    expect(await val('HEXPIRE', 'h', 150, 'GT', 'FIELDS', 1, 'a')).toEqual([1]);
    expect(await val('HEXPIRE', 'h', 150, 'LT', 'FIELDS', 1, 'a')).toEqual([0]);
    expect(await val('HEXPIRE', 'h', 120, 'lt', 'FIELDS', 1, 'a')).toEqual([1]);
    expect(await val('HEXPIRE', 'h', 300, 'XX', 'FIELDS', 2, 'a', 'c')).toEqual([1, 0]);
    expect(await val('HEXPIRE', 'h', 0, 'FIELDS', 1, 'c')).toEqual([2]);
    expect(await val('HPEXPIREAT', 'h', T0 - 1, 'FIELDS', 2, 'b', 'c')).toEqual([2, -2]);
    expect(await val('HEXPIREAT', 'h', T0 / 1000, 'FIELDS', 1, 'a')).toEqual([2]); // now counts as past
    expect(await val('EXISTS', 'h')).toBe(0);
    expect(await val('HEXPIRE', 'h', 10, 'FIELDS', 1, 'a')).toEqual([-2]);
  });

  it('errors: FIELDS position, numfields, bad times, WRONGTYPE', async () => {
    const { val } = setup();
    await val('HSET', 'h', 'a', '1');
    await val('SET', 's', 'x');
    const e = (x: unknown) => x as string;
    expect(e(await val('HEXPIRE', 'h', 10, 'NOPE', 1, 'a'))).toBe('ERR Mandatory argument FIELDS is missing or not at the right position');
    expect(e(await val('HEXPIRE', 'h', 10, 'NX', 'XX', 'FIELDS', 1, 'a'))).toBe('ERR Mandatory argument FIELDS is missing or not at the right position');
    expect(e(await val('HEXPIRE', 'h', 10, 'FIELDS', 0, 'a'))).toBe('ERR Number of fields must be a positive integer');
    expect(e(await val('HEXPIRE', 'h', 10, 'FIELDS', 'x', 'a'))).toBe('ERR Number of fields must be a positive integer');
    expect(e(await val('HEXPIRE', 'h', 10, 'FIELDS', 2, 'a'))).toBe('ERR The `numfields` parameter must match the number of arguments');
    expect(e(await val('HEXPIRE', 'h', 'x', 'FIELDS', 1, 'a'))).toBe('ERR value is not an integer or out of range');
    expect(e(await val('HEXPIRE', 'h', -1, 'FIELDS', 1, 'a'))).toBe('ERR invalid expire time, must be >= 0');
    expect(e(await val('HEXPIRE', 'h', '9999999999999999', 'FIELDS', 1, 'a'))).toBe("ERR invalid expire time in 'hexpire' command");
    expect(e(await val('HPEXPIREAT', 'h', '70368744177664', 'FIELDS', 1, 'a'))).toBe("ERR invalid expire time in 'hpexpireat' command");
    expect(e(await val('HEXPIRE', 'h', 10, 'FIELDS', 1))).toBe("ERR wrong number of arguments for 'hexpire' command");
    expect(e(await val('HEXPIRE', 's', 10, 'FIELDS', 1, 'a'))).toMatch(/^WRONGTYPE/);
    expect(e(await val('HTTL', 's', 'FIELDS', 1, 'a'))).toMatch(/^WRONGTYPE/);
    expect(e(await val('HTTL', 'h', 'FIELDS', 2, 'a'))).toBe('ERR The `numfields` parameter must match the number of arguments');
    expect(e(await val('HPERSIST', 'h', 'FIELD', 1, 'a'))).toBe('ERR Mandatory argument FIELDS is missing or not at the right position');
  });

  it('HPERSIST; HSET drops a field TTL, HINCRBY and HINCRBYFLOAT keep it', async () => {
    const { val, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await val('HEXPIRE', 'h', 100, 'FIELDS', 3, 'a', 'b', 'c');
    expect(await val('HPERSIST', 'h', 'FIELDS', 3, 'a', 'a', 'zz')).toEqual([1, -1, -2]);
    expect(await val('HPERSIST', 'nokey', 'FIELDS', 1, 'a')).toEqual([-2]);
    await val('HSET', 'h', 'b', '5');
    expect(await val('HTTL', 'h', 'FIELDS', 3, 'a', 'b', 'c')).toEqual([-1, -1, 100]);
    newLogs();
    expect(await val('HINCRBY', 'h', 'c', 2)).toBe(5);
    expect(await val('HINCRBYFLOAT', 'h', 'c', '0.5')).toBe('5.5');
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'c')).toEqual([100]);
    // HINCRBYFLOAT is logged as HSET, so the deadline is logged after it: one command's two
    // effects, framed MULTI … EXEC as one unit.
    expect(newLogs()).toEqual([
      ['HINCRBY', 'h', 'c', '2'],
      ['MULTI'],
      ['HSET', 'h', 'c', '5.5'],
      ['HPEXPIREAT', 'h', String(T0 + 100_000), 'FIELDS', '1', 'c'],
      ['EXEC'],
    ]);
  });

  it('relative deadlines are logged as HPEXPIREAT, past ones as HDEL, unmet ones not at all', async () => {
    const { val, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    newLogs();
    await val('HEXPIRE', 'h', 10, 'FIELDS', 2, 'a', 'zz');
    await val('HEXPIRE', 'h', 10, 'XX', 'FIELDS', 1, 'b');
    await val('HPEXPIRE', 'h', 0, 'FIELDS', 2, 'b', 'c');
    expect(newLogs()).toEqual([
      ['HPEXPIREAT', 'h', String(T0 + 10_000), 'FIELDS', '1', 'a'],
      ['HDEL', 'h', 'b', 'c'],
    ]);
  });

  it('fields survive conversion to a hashtable with their deadlines', async () => {
    const { clock, val, b } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2');
    await val('HPEXPIRE', 'h', 100, 'FIELDS', 1, 'a');
    await val('HSET', 'h', 'long', 'x'.repeat(100));
    expect(await val('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    expect(await val('HPTTL', 'h', 'FIELDS', 1, 'a')).toEqual([100]);
    await val('HSET', '{h}copy', 'z', '1');
    clock.advance(101);
    expect(await val('HGET', 'h', 'a')).toBe(null);
    expect(await val('HLEN', 'h')).toBe(2);
    void b;
  });
});

describe('lazy and active reclamation', () => {
  it('the active pass deletes due fields and emptied keys, logs HDEL, and reports the next deadline', async () => {
    const { clock, val, b, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2');
    await val('HPEXPIRE', 'h', 100, 'FIELDS', 1, 'a');
    await val('HPEXPIRE', 'h', 300, 'FIELDS', 1, 'b');
    await val('HSET', 'g', 'x', '1');
    await val('HPEXPIRE', 'g', 200, 'FIELDS', 1, 'x');
    newLogs();
    clock.advance(150);
    const sh = b.shards;
    const nexts = sh.map((s) => s.expireCycle());
    const all = nexts.flatMap((n) => n.effects);
    expect(all).toEqual([['HDEL', 'h', 'a']]);
    expect(Math.min(...nexts.map((n) => n.next))).toBe(T0 + 200);
    clock.advance(100);
    expect(sh.flatMap((s) => s.expireCycle().effects)).toEqual([['HDEL', 'g', 'x']]);
    expect(sh.some((s) => s.db.data.has('g'))).toBe(false);
    clock.advance(100);
    const last = sh.map((s) => s.expireCycle());
    expect(last.flatMap((n) => n.effects)).toEqual([['HDEL', 'h', 'b']]);
    expect(Math.min(...last.map((n) => n.next))).toBe(Infinity);
    expect(await val('DBSIZE')).toBe(0);
  });

  it('a lazily reclaimed field is logged before the command that found it', async () => {
    const { clock, val, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2');
    await val('HPEXPIRE', 'h', 10, 'FIELDS', 1, 'a');
    newLogs();
    clock.advance(11);
    expect(await val('HSETNX', 'h', 'a', 'new')).toBe(1);
    expect(newLogs()).toEqual([['MULTI'], ['HDEL', 'h', 'a'], ['HSETNX', 'h', 'a', 'new'], ['EXEC']]);
  });

  it('a deadline set by a field command lowers the keyspace\'s earliest deadline (the DO alarm)', async () => {
    const { val, b } = setup();
    await val('HSET', 'h', 'a', '1');
    await val('HPEXPIRE', 'h', 500, 'FIELDS', 1, 'a');
    expect(Math.min(...b.shards.map((s) => s.db.earliestNewDeadline))).toBe(T0 + 500);
  });

  it('replaying the log rebuilds the same hashes and deadlines', async () => {
    const { clock, val, b, state } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    await val('HEXPIRE', 'h', 5, 'FIELDS', 2, 'a', 'b');
    await val('HGETEX', 'h', 'PX', 2000, 'FIELDS', 1, 'c');
    await val('HSETEX', 'h', 'EX', 7, 'FIELDS', 1, 'e', '5');
    await val('HSETEX', 'h', 'KEEPTTL', 'FIELDS', 1, 'e', '6');
    await val('HINCRBYFLOAT', 'h', 'a', '0.1');
    await val('HGETEX', 'h', 'PERSIST', 'FIELDS', 1, 'b');
    clock.advance(2001);
    await val('HGETALL', 'h');
    await val('HGETDEL', 'h', 'FIELDS', 1, 'd');
    await val('HSET', 'g', 'x', '1');
    await val('HGETEX', 'g', 'EXAT', 1, 'FIELDS', 1, 'x');
    const fresh = b.shards.map((s, i) => new Shard(s.info, clock, 99 + i));
    fresh.forEach((s, i) => s.replay(b.logs[i]!));
    expect(state(fresh)).toEqual(state(b.shards));
  });
});

describe('HGETDEL, HGETEX, HSETEX', () => {
  it('HGETDEL returns values and deletes, the key goes with its last field', async () => {
    const { val, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2');
    newLogs();
    expect(await val('HGETDEL', 'h', 'FIELDS', 3, 'a', 'zz', 'a')).toEqual(['1', null, null]);
    expect(newLogs()).toEqual([['HDEL', 'h', 'a']]);
    expect(await val('HGETDEL', 'h', 'FIELDS', 1, 'b')).toEqual(['2']);
    expect(await val('EXISTS', 'h')).toBe(0);
    expect(await val('HGETDEL', 'h', 'FIELDS', 1, 'b')).toEqual([null]);
    expect(await val('HGETDEL', 'h', 'FIELDS', 2, 'b')).toBe('ERR The `numfields` parameter must match the number of arguments');
    expect(await val('HGETDEL', 'h', 'FIELDS', 0, 'b')).toBe('ERR Number of fields must be a positive integer');
    expect(await val('HGETDEL', 'h', 'b', 1, 'b')).toBe('ERR Mandatory argument FIELDS is missing or not at the right position');
  });

  it('HGETEX gets and sets or removes deadlines; a past time deletes after reading', async () => {
    const { val, newLogs } = setup();
    await val('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    newLogs();
    expect(await val('HGETEX', 'h', 'FIELDS', 2, 'a', 'zz')).toEqual(['1', null]);
    expect(newLogs()).toEqual([]);
    expect(await val('HGETEX', 'h', 'EX', 60, 'FIELDS', 2, 'a', 'zz')).toEqual(['1', null]);
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'a')).toEqual([60]);
    expect(await val('HGETEX', 'h', 'PERSIST', 'FIELDS', 2, 'a', 'b')).toEqual(['1', '2']);
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'a')).toEqual([-1]);
    expect(newLogs()).toEqual([
      ['HPEXPIREAT', 'h', String(T0 + 60_000), 'FIELDS', '1', 'a'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'a'],
    ]);
    expect(await val('HGETEX', 'h', 'PXAT', T0 - 5, 'FIELDS', 1, 'c')).toEqual(['3']);
    expect(await val('HEXISTS', 'h', 'c')).toBe(0);
    expect(newLogs()).toEqual([['HDEL', 'h', 'c']]);
    expect(await val('HGETEX', 'nokey', 'EX', 1, 'FIELDS', 1, 'c')).toEqual([null]);
    expect(await val('HGETEX', 'h', 'EX', 1, 'PX', 1, 'FIELDS', 1, 'a')).toBe('ERR Only one of EX, PX, EXAT, PXAT or PERSIST arguments can be specified');
    expect(await val('HGETEX', 'h', 'PERSIST', 'PERSIST', 'FIELDS', 1, 'a')).toBe('ERR Only one of EX, PX, EXAT, PXAT or PERSIST arguments can be specified');
    expect(await val('HGETEX', 'h', 'EX', -5, 'FIELDS', 1, 'a')).toBe('ERR invalid expire time, must be >= 0');
    expect(await val('HGETEX', 'h', 'FIELDS', 0, 'a')).toBe('ERR invalid number of fields');
    expect(await val('HGETEX', 'h', 'FIELDS', 2, 'a')).toBe("ERR wrong number of arguments for 'hgetex' command");
    expect(await val('HGETEX', 'h', 'KEEPTTL', 'FIELDS', 1, 'a')).toBe('ERR syntax error');
  });

  it('HSETEX: FNX, FXX, KEEPTTL, deadlines, errors', async () => {
    const { val, newLogs } = setup();
    expect(await val('HSETEX', 'h', 'FXX', 'FIELDS', 1, 'a', '1')).toBe(0);
    expect(await val('EXISTS', 'h')).toBe(0);
    expect(await val('HSETEX', 'h', 'FNX', 'EX', 60, 'FIELDS', 2, 'a', '1', 'b', '2')).toBe(1);
    expect(await val('HTTL', 'h', 'FIELDS', 2, 'a', 'b')).toEqual([60, 60]);
    expect(await val('HSETEX', 'h', 'FNX', 'FIELDS', 2, 'c', '3', 'a', '9')).toBe(0);
    expect(await val('HGET', 'h', 'a')).toBe('1');
    expect(await val('HSETEX', 'h', 'FXX', 'KEEPTTL', 'FIELDS', 1, 'a', '10')).toBe(1);
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'a')).toEqual([60]);
    expect(await val('HSETEX', 'h', 'FIELDS', 1, 'a', '11')).toBe(1);
    expect(await val('HTTL', 'h', 'FIELDS', 1, 'a')).toEqual([-1]);
    newLogs();
    expect(await val('HSETEX', 'h', 'PX', 0, 'FIELDS', 1, 'b', 'x')).toBe(1);
    expect(await val('HEXISTS', 'h', 'b')).toBe(0);
    expect(newLogs()).toEqual([['MULTI'], ['HSET', 'h', 'b', 'x'], ['HDEL', 'h', 'b'], ['EXEC']]);
    expect(await val('HSETEX', 'h', 'PX', 1000, 'FIELDS', 1, 'b', 'y')).toBe(1);
    expect(newLogs()).toEqual([['HSETEX', 'h', 'PXAT', String(T0 + 1000), 'FIELDS', '1', 'b', 'y']]);
    expect(await val('HSETEX', 'h', 'FNX', 'FXX', 'FIELDS', 1, 'a', '1')).toBe('ERR Only one of FXX or FNX arguments can be specified');
    expect(await val('HSETEX', 'h', 'EX', 1, 'KEEPTTL', 'FIELDS', 1, 'a', '1')).toBe('ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
    expect(await val('HSETEX', 'h', 'FIELDS', 2, 'a', '1')).toBe("ERR wrong number of arguments for 'hsetex' command");
    expect(await val('HSETEX', 'h', 'FIELDS', 1, 'a', '1', 'b')).toBe("ERR wrong number of arguments for 'hsetex' command");
    expect(await val('HSETEX', 'h', 'PERSIST', 'FIELDS', 1, 'a', '1')).toBe('ERR syntax error');
    expect(await val('HSETEX', 'h', 'EX', 1, 'a', '1')).toBe('ERR syntax error');
    await val('SET', 's', 'x');
    expect(await val('HSETEX', 's', 'FIELDS', 1, 'a', '1')).toMatch(/^WRONGTYPE/);
    expect(await val('HGETEX', 's', 'FIELDS', 1, 'a')).toMatch(/^WRONGTYPE/);
    expect(await val('HGETDEL', 's', 'FIELDS', 1, 'a')).toMatch(/^WRONGTYPE/);
  });
});
