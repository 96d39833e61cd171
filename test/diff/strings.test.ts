// Differential tests of the string family against real Redis 7.0 (RESP2 and RESP3).
// WRONGTYPE cases are not provoked here yet: no other value type exists at the time of writing.
// When lists/hashes land, add e.g. `LPUSH l x` then GET/SET GET/GETEX/GETDEL/GETSET/INCR/
// INCRBYFLOAT/APPEND/STRLEN/GETRANGE/SETRANGE on `l` (WRONGTYPE), MGET (nil) and LCS (its error).
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../src/server/commands/table.js';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

/** Integer reply of a RESP2 reply string. */
const intOf = (r: string): number => Number(/^:(-?\d+)\r\n$/.exec(r)?.[1] ?? NaN);

/**
 * The key's remaining TTL in ms on both sides. keyflare's TTL/PTTL may not exist yet (another
 * family), so keyflare's deadline is read from the shard's keyspace when PTTL is missing.
 */
async function pttlBoth(key: string): Promise<{ redis: number; kf: number }> {
  const r = await d.pair(['PTTL', key]);
  if (TABLE.has('pttl')) return { redis: intOf(r.redis), kf: intOf(r.kf) };
  const shard = d.backend.shards[d.backend.slots.shardOfKey(key)]!;
  const at = shard.db.getExpire(key);
  return { redis: intOf(r.redis), kf: !shard.db.exists(key) ? -2 : at < 0 ? -1 : at - Date.now() };
}

/** Assert both sides' TTLs agree within `slack` ms (clocks are read at slightly different times). */
async function expectSameTtl(key: string, slack = 1500): Promise<void> {
  const { redis, kf } = await pttlBoth(key);
  if (redis < 0 || kf < 0) expect(kf).toBe(redis);
  else expect(Math.abs(redis - kf)).toBeLessThanOrEqual(slack);
}

describe('strings: GET / SET', () => {
  it('SET options, repeats, conflicts and syntax errors', async () => {
    await d.check([
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['SET', 'k', 'v2', 'NX'],
      ['SET', 'k', 'v3', 'XX'],
      ['GET', 'k'],
      ['SET', 'nk', 'v', 'XX'],
      ['GET', 'nk'],
      ['SET', 'nk', 'v', 'NX'],
      ['SET', 'nk', 'w', 'nx', 'nx'],
      ['SET', 'k', 'a', 'NX', 'XX'],
      ['SET', 'k', 'a', 'XX', 'NX'],
      ['SET', 'k', 'a', 'GET'],
      ['SET', 'k', 'b', 'get', 'GET'],
      ['SET', 'missing', 'b', 'GET'],
      ['SET', 'k', 'c', 'NX', 'GET'],
      ['SET', 'none', 'c', 'XX', 'GET'],
      ['GET', 'none'],
      ['SET', 'none2', 'c', 'NX', 'GET'],
      ['GET', 'none2'],
      ['SET', 'k', 'v', 'EX', '10', 'EX', '20'],
      ['SET', 'k', 'v', 'PX', '10000', 'px', '20000'],
      ['SET', 'k', 'v', 'EX', '10', 'PX', '10'],
      ['SET', 'k', 'v', 'EX', '10', 'EXAT', '10'],
      ['SET', 'k', 'v', 'PXAT', '10', 'EX', '10'],
      ['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'],
      ['SET', 'k', 'v', 'EX', '1', 'KEEPTTL'],
      ['SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'],
      ['SET', 'k', 'v', 'EX'],
      ['SET', 'k', 'v', 'PERSIST'],
      ['SET', 'k', 'v', 'FOO'],
      ['SET', 'k', 'v', 'EX', 'abc'],
      ['SET', 'k', 'v', 'EX', '1.5'],
      ['SET', 'k', 'v', 'EX', '0'],
      ['SET', 'k', 'v', 'EX', '-1'],
      ['SET', 'k', 'v', 'PX', '0'],
      ['SET', 'k', 'v', 'EXAT', '0'],
      ['SET', 'k', 'v', 'PXAT', '-5'],
      ['SET', 'k', 'v', 'EX', '9223372036854775'],
      ['SET', 'k', 'v', 'EX', '9223372036854776'],
      ['SET', 'k', 'v', 'PX', '9223372036854775807'],
      ['SET', 'k', 'v', 'PX', '9223372036854775808'],
      ['SET', 'k', 'v', 'EXAT', '9223372036854776'],
      ['SET', 'k', 'v', 'EXAT', '9223372036854775'],
      ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
      ['SET', 'k', 'v', 'EX', '100', 'GET', 'XX'],
      ['GET', 'k'],
      ['SET', 'past', 'v', 'EXAT', '1'],
      ['GET', 'past'],
      ['SET', 'past', 'v', 'PXAT', '1000', 'GET'],
      ['EXISTS', 'past'],
      ['SET', 'k'],
      ['SET'],
      ['GET'],
      ['GET', 'a', 'b'],
      ['GET', 'nosuch'],
    ]);
  });

  it('binary values with NUL and 0xff bytes round-trip', async () => {
    const bin = 'a\x00b\xff\xfe\r\n\x00';
    await d.check([
      ['SET', bin, bin],
      ['GET', bin],
      ['STRLEN', bin],
      ['APPEND', bin, '\x00\xff'],
      ['GET', bin],
      ['GETRANGE', bin, '1', '4'],
      ['SETRANGE', bin, '2', '\xff\x00'],
      ['GET', bin],
      ['SET', 'empty', ''],
      ['GET', 'empty'],
      ['STRLEN', 'empty'],
    ]);
  });

  it('SET with expiry options sets the same TTL as Redis', async () => {
    await d.check([['SET', 'e1', 'v', 'EX', '100'], ['SET', 'e2', 'v', 'PX', '100000'], ['SET', 'e3', 'v'], ['SET', 'e4', 'v', 'EX', '50']], [2]);
    const now = Math.floor(Date.now() / 1000);
    await d.check([['SET', 'e4', 'w', 'KEEPTTL'], ['SET', 'e5', 'v', 'EXAT', String(now + 200)], ['SET', 'e6', 'v', 'PXAT', String(now * 1000 + 300_000)]], [2]);
    await expectSameTtl('e1');
    await expectSameTtl('e2');
    await expectSameTtl('e3');
    await expectSameTtl('e4');
    await expectSameTtl('e5');
    await expectSameTtl('e6');
    await d.check([['SET', 'e1', 'x'], ['GET', 'e4']], [2]); // a plain SET clears the TTL, KEEPTTL kept it
    await expectSameTtl('e1');
  });
});

describe('strings: TTL effects seen through TTL', () => {
  it.skipIf(!TABLE.has('ttl'))('SET/SETEX/PSETEX/GETEX/KEEPTTL/INCR leave the TTL Redis leaves', async () => {
    await d.check([
      ['SET', 'k', 'v', 'EX', '100'], ['TTL', 'k'],
      ['SET', 'k', 'w', 'KEEPTTL'], ['TTL', 'k'],
      ['SET', 'k', 'w'], ['TTL', 'k'],
      ['SETEX', 'k', '50', 'v'], ['TTL', 'k'],
      ['PSETEX', 'k', '70000', 'v'], ['TTL', 'k'],
      ['GETEX', 'k', 'EX', '30'], ['TTL', 'k'],
      ['GETEX', 'k', 'PERSIST'], ['TTL', 'k'],
      ['SET', 'n', '1', 'EX', '100'], ['INCR', 'n'], ['INCRBYFLOAT', 'n', '2.5'], ['APPEND', 'n', '1'], ['SETRANGE', 'n', '0', '7'], ['TTL', 'n'],
      ['GETSET', 'n', '0'], ['TTL', 'n'],
      ['SET', 'm', 'v', 'PX', '100000', 'GET'], ['TTL', 'm'],
      ['MSET', '{x}a', '1'], ['TTL', '{x}a'],
    ]);
  });
});

describe('strings: SETNX SETEX PSETEX GETSET GETDEL GETEX', () => {
  it('SETNX, SETEX, PSETEX replies and errors', async () => {
    await d.check([
      ['SETNX', 'k', 'a'],
      ['SETNX', 'k', 'b'],
      ['GET', 'k'],
      ['SETNX', 'k'],
      ['SETEX', 'k', '100', 'v'],
      ['GET', 'k'],
      ['SETEX', 'k', '0', 'v'],
      ['SETEX', 'k', '-10', 'v'],
      ['SETEX', 'k', 'x', 'v'],
      ['SETEX', 'k', '9223372036854775', 'v'],
      ['SETEX', 'k', '100'],
      ['PSETEX', 'k', '100000', 'w'],
      ['GET', 'k'],
      ['PSETEX', 'k', '0', 'w'],
      ['PSETEX', 'k', '9223372036854775807', 'w'],
      ['PSETEX', 'k', '1.5', 'w'],
      ['PSETEX', 'k', 'w'],
    ]);
  });

  it('GETSET and GETDEL', async () => {
    await d.check([
      ['GETSET', 'k', 'a'],
      ['GETSET', 'k', 'b'],
      ['GET', 'k'],
      ['GETSET', 'k'],
      ['GETDEL', 'k'],
      ['GETDEL', 'k'],
      ['EXISTS', 'k'],
      ['GETDEL', 'k', 'x'],
      ['SET', 'n', '12'],
      ['GETDEL', 'n'],
    ]);
  });

  it('GETEX options and errors', async () => {
    const future = String(Math.floor(Date.now() / 1000) + 1000);
    await d.check([
      ['GETEX', 'missing'],
      ['GETEX', 'missing', 'EX', 'abc'],
      ['GETEX', 'missing', 'EX', '0'],
      ['SET', 'k', 'v'],
      ['GETEX', 'k'],
      ['GETEX', 'k', 'EX', '100'],
      ['GETEX', 'k', 'PX', '100000'],
      ['GETEX', 'k', 'EXAT', future],
      ['GETEX', 'k', 'PXAT', future + '000'],
      ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'k', 'persist', 'PERSIST'],
      ['GETEX', 'k', 'EX', '10', 'EX', '20'],
      ['GETEX', 'k', 'EX', '10', 'PX', '20'],
      ['GETEX', 'k', 'PERSIST', 'EX', '20'],
      ['GETEX', 'k', 'EX', '20', 'PERSIST'],
      ['GETEX', 'k', 'KEEPTTL'],
      ['GETEX', 'k', 'NX'],
      ['GETEX', 'k', 'GET'],
      ['GETEX', 'k', 'EX'],
      ['GETEX', 'k', 'EX', '0'],
      ['GETEX', 'k', 'EX', '-1'],
      ['GETEX', 'k', 'EX', 'x'],
      ['GETEX', 'k', 'PX', '9223372036854775807'],
      ['GETEX', 'k', 'EX', '9223372036854775'],
      ['GETEX', 'k', 'EXAT', '1'],
      ['EXISTS', 'k'],
      ['GETEX', 'k'],
      ['SET', 'k2', 'v'],
      ['GETEX', 'k2', 'PXAT', '1000'],
      ['GET', 'k2'],
      ['GETEX'],
    ]);
  });

  it('GETEX sets and clears the TTL as Redis does', async () => {
    await d.check([['SET', 'g', 'v'], ['GETEX', 'g', 'EX', '100']], [2]);
    await expectSameTtl('g');
    await d.check([['GETEX', 'g', 'PX', '300000']], [2]);
    await expectSameTtl('g');
    await d.check([['GETEX', 'g', 'PERSIST']], [2]);
    await expectSameTtl('g');
  });
});

describe('strings: MGET MSET MSETNX', () => {
  it('replies, arity and missing keys (one slot)', async () => {
    await d.check([
      ['MSET', '{t}a', '1', '{t}b', '2', '{t}c', '\x00\xff'],
      ['MGET', '{t}a', '{t}b', '{t}c', '{t}nope', '{t}a'],
      ['MSET', '{t}a', '1', '{t}b'],
      ['MSET', '{t}a'],
      ['MSETNX', '{t}a', 'x', '{t}z', 'y'],
      ['MGET', '{t}a', '{t}z'],
      ['MSETNX', '{t}y', 'x', '{t}z', 'y'],
      ['MGET', '{t}y', '{t}z'],
      ['MSETNX', '{t}y', 'x', '{t}z'],
      ['MSETNX', '{t}q'],
      ['MSET', '{t}a', '1', '{t}a', '2'],
      ['GET', '{t}a'],
      ['MSETNX', '{t}n1', '1', '{t}n1', '2'],
      ['GET', '{t}n1'],
      ['MGET'],
      ['MGET', 'solo'],
    ]);
  });

  it('MSET across slots is CROSSSLOT, as in Redis Cluster', async () => {
    await d.check([
      ['MSET', 'a', '1', 'b', '2'],
      ['MSETNX', 'a', '1', 'b', '2'],
      ['MSET', 'a', '1', 'b'],
    ]);
  });

  it('MGET across shards returns each key in request order (keyflare fans out)', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const k of keys) await d.pair(['SET', k, `v-${k}`]);
    const s = d.backend.session();
    const [r] = await s.run([['MGET', ...keys, 'missing']]);
    expect(r).toEqual({ t: 'arr', v: [...keys.map((k) => ({ t: 'bulk', v: `v-${k}` })), { t: 'nil' }] });
    // The same values, one GET at a time, from real Redis.
    for (const k of keys) expect((await d.pair(['GET', k])).redis).toBe(`$${k.length + 2}\r\nv-${k}\r\n`);
  });
});

describe('strings: counters', () => {
  it('INCR DECR INCRBY DECRBY including int64 overflow', async () => {
    await d.check([
      ['INCR', 'n'],
      ['INCR', 'n'],
      ['DECR', 'n'],
      ['INCRBY', 'n', '100'],
      ['DECRBY', 'n', '50'],
      ['INCRBY', 'n', '-1000'],
      ['DECRBY', 'n', '-7'],
      ['DECR', 'fresh'],
      ['INCRBY', 'n', 'abc'],
      ['INCRBY', 'n', '1.5'],
      ['INCRBY', 'n', ' 1'],
      ['INCRBY', 'n', '+1'],
      ['INCRBY', 'n', '01'],
      ['INCRBY', 'n', '9223372036854775808'],
      ['SET', 'max', '9223372036854775807'],
      ['INCR', 'max'],
      ['INCRBY', 'max', '1'],
      ['DECRBY', 'max', '-1'],
      ['INCRBY', 'max', '0'],
      ['DECR', 'max'],
      ['GET', 'max'],
      ['SET', 'min', '-9223372036854775808'],
      ['DECR', 'min'],
      ['INCRBY', 'min', '-1'],
      ['DECRBY', 'min', '1'],
      ['INCR', 'min'],
      ['GET', 'min'],
      ['DECRBY', 'x', '-9223372036854775808'],
      ['INCRBY', 'x', '-9223372036854775808'],
      ['INCRBY', 'x', '9223372036854775807'],
      ['INCR', 'x'],
      ['SET', 'big', '9007199254740993'],
      ['INCR', 'big'],
      ['INCRBY', 'big', '9007199254740993'],
      ['SET', 's', 'abc'],
      ['INCR', 's'],
      ['SET', 's', '-0'],
      ['INCR', 's'],
      ['SET', 's', '007'],
      ['INCR', 's'],
      ['SET', 's', ' 5'],
      ['INCR', 's'],
      ['SET', 's', '5 '],
      ['DECR', 's'],
      ['SET', 's', '1e3'],
      ['INCRBY', 's', '1'],
      ['SET', 's', '99999999999999999999'],
      ['INCR', 's'],
      ['INCR'],
      ['INCR', 'a', 'b'],
      ['INCRBY', 'a'],
      ['DECRBY', 'a'],
      ['DECR'],
    ]);
  });

  it('INCR keeps the TTL (the value is replaced in place)', async () => {
    await d.check([['SET', 't', '5', 'EX', '100'], ['INCR', 't'], ['INCRBYFLOAT', 't', '1.5'], ['APPEND', 't', '0'], ['SETRANGE', 't', '0', '9']], [2]);
    await expectSameTtl('t');
  });

  it('INCRBYFLOAT long-double results and formatting', async () => {
    await d.check([
      ['SET', 'f', '10.5'],
      ['INCRBYFLOAT', 'f', '0.1'],
      ['INCRBYFLOAT', 'f', '1e3'],
      ['INCRBYFLOAT', 'f', '-1010'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['INCRBYFLOAT', 'z', '-0.3'],
      ['INCRBYFLOAT', 'a', '1e20'],
      ['INCRBYFLOAT', 'a', '1e20'],
      ['INCRBYFLOAT', 'b', '5.0e3'],
      ['INCRBYFLOAT', 'b', '5.0E+3'],
      ['INCRBYFLOAT', 'c', '-0'],
      ['INCRBYFLOAT', 'c', '-0.0'],
      ['GET', 'c'],
      ['INCRBYFLOAT', 'd', '1e400'],
      ['INCRBYFLOAT', 'd', '-1e400'],
      ['INCRBYFLOAT', 'e', '1.7976931348623157e308'],
      ['INCRBYFLOAT', 'e', '1.7976931348623157e308'],
      ['INCRBYFLOAT', 'g', '1e4932'],
      ['INCRBYFLOAT', 'g', '1e4932'],
      ['INCRBYFLOAT', 'h', '1.2e4932'],
      ['INCRBYFLOAT', 'h', '1e-4940'],
      ['INCRBYFLOAT', 'h', '1e-5000'],
      ['INCRBYFLOAT', 'i', '0.00000000000000001'],
      ['INCRBYFLOAT', 'i', '5e-18'],
      ['INCRBYFLOAT', 'j', '-0.000000000000000001'],
      ['INCRBYFLOAT', 'k', '3.14159265358979323846264338327950288'],
      ['INCRBYFLOAT', 'l', '123456789012345678901234567890'],
      ['INCRBYFLOAT', 'm', '0x1p3'],
      ['INCRBYFLOAT', 'm', '0x1.8p-1'],
      ['INCRBYFLOAT', 'm', '0X10'],
      ['INCRBYFLOAT', 'm', '0x'],
      ['INCRBYFLOAT', 'm', '.5'],
      ['INCRBYFLOAT', 'm', '1.'],
      ['INCRBYFLOAT', 'm', '+2'],
      ['INCRBYFLOAT', 'm', '.'],
      ['INCRBYFLOAT', 'm', '1e'],
      ['INCRBYFLOAT', 'm', 'e5'],
      ['INCRBYFLOAT', 'm', 'abc'],
      ['INCRBYFLOAT', 'm', ''],
      ['INCRBYFLOAT', 'm', ' 1'],
      ['INCRBYFLOAT', 'm', '1 '],
      ['INCRBYFLOAT', 'm', 'nan'],
      ['INCRBYFLOAT', 'm', 'inf'],
      ['INCRBYFLOAT', 'm', '-Infinity'],
      ['INCRBYFLOAT', 'm', '1e5000'],
      ['INCRBYFLOAT', 'm', '1\x002'],
      ['INCRBYFLOAT', 'm', '\x00abc'],
      ['INCRBYFLOAT', 'm', '0x1p99999'],
      ['INCRBYFLOAT', 'm', '0x1p-99999'],
      ['INCRBYFLOAT', 'm', '1e-99999999999999999999'],
      ['INCRBYFLOAT', 'm', '0.0e99999999999'],
      ['GET', 'm'],
      ['SET', 'n', '9223372036854775807'],
      ['INCRBYFLOAT', 'n', '1'],
      ['SET', 'n', 'abc'],
      ['INCRBYFLOAT', 'n', '1'],
      ['SET', 'n', ' 1'],
      ['INCRBYFLOAT', 'n', '1'],
      ['SET', 'n', '007'],
      ['INCRBYFLOAT', 'n', '0.5'],
      ['SET', 'n', '1.5e3'],
      ['INCRBYFLOAT', 'n', '1'],
      ['SET', 'n', 'inf'],
      ['INCRBYFLOAT', 'n', '1'],
      ['INCRBYFLOAT', 'p', '1.23456789012345678901234567890'],
      ['INCRBYFLOAT', 'p', '-1'],
      ['INCRBYFLOAT', 'q', '-1e10'],
      ['INCRBYFLOAT', 'q', '0.000001'],
      ['INCRBYFLOAT'],
      ['INCRBYFLOAT', 'm'],
    ]);
  });
});

describe('strings: INCRBYFLOAT fuzz', () => {
  it('random increments of every magnitude give Redis\'s long-double results', async () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const script: Cmd[] = [];
    for (let i = 0; i < 300; i++) {
      const digits = String(rnd(1_000_000_000)) + String(rnd(1000));
      const point = rnd(digits.length + 1);
      let num = digits.slice(0, point) + '.' + digits.slice(point);
      if (rnd(3) === 0) num += 'e' + (rnd(80) - 40);
      if (rnd(2) === 0) num = '-' + num;
      script.push(['INCRBYFLOAT', `f${rnd(6)}`, num]);
    }
    await d.check(script, [2]);
  });
});

describe('strings: APPEND STRLEN GETRANGE SETRANGE SUBSTR', () => {
  it('APPEND and STRLEN', async () => {
    await d.check([
      ['APPEND', 'k', 'hello'],
      ['APPEND', 'k', ' world'],
      ['APPEND', 'k', ''],
      ['GET', 'k'],
      ['STRLEN', 'k'],
      ['STRLEN', 'nope'],
      ['APPEND', 'e', ''],
      ['EXISTS', 'e'],
      ['SET', 'n', '12'],
      ['APPEND', 'n', '34'],
      ['INCR', 'n'],
      ['APPEND'],
      ['APPEND', 'k'],
      ['STRLEN'],
      ['STRLEN', 'a', 'b'],
    ]);
  });

  it('GETRANGE / SUBSTR with negative and out-of-range indexes', async () => {
    const ranges: Array<[string, string]> = [
      ['0', '-1'], ['0', '0'], ['0', '3'], ['-3', '-1'], ['-1', '-3'], ['5', '3'], ['3', '100'],
      ['-100', '2'], ['-100', '-50'], ['100', '200'], ['-1', '-1'], ['0', '-100'], ['2', '-2'],
      ['9223372036854775807', '9223372036854775807'], ['-9223372036854775808', '9223372036854775807'],
      ['-9223372036854775807', '-9223372036854775808'], ['-9223372036854775808', '-9223372036854775807'],
      ['0', '9223372036854775807'],
    ];
    const script: Cmd[] = [['SET', 's', 'Hello, world'], ['SET', 'e', ''], ['SET', 'n', '12345']];
    for (const [a, b] of ranges) script.push(['GETRANGE', 's', a, b], ['SUBSTR', 's', a, b], ['GETRANGE', 'e', a, b], ['GETRANGE', 'n', a, b]);
    script.push(
      ['GETRANGE', 'nope', '0', '-1'],
      ['GETRANGE', 's', 'a', '1'],
      ['GETRANGE', 's', '0', 'b'],
      ['GETRANGE', 'nope', 'x', '1'],
      ['GETRANGE', 's', '0', '9223372036854775808'],
      ['GETRANGE', 's', '0'],
      ['SUBSTR', 's', '0'],
      ['GETRANGE', 's', '0', '1', '2'],
    );
    await d.check(script);
  });

  it('SETRANGE pads with zero bytes and checks limits', async () => {
    await d.check([
      ['SETRANGE', 'k', '5', 'abc'],
      ['GET', 'k'],
      ['STRLEN', 'k'],
      ['SETRANGE', 'k', '0', 'XY'],
      ['GET', 'k'],
      ['SETRANGE', 'k', '6', 'zzzzzz'],
      ['GET', 'k'],
      ['SETRANGE', 'k', '20', '!'],
      ['GET', 'k'],
      ['SETRANGE', 'k', '2', ''],
      ['SETRANGE', 'k', '1000000000', ''],
      ['SETRANGE', 'nope', '3', ''],
      ['EXISTS', 'nope'],
      ['SETRANGE', 'nope', '0', 'a'],
      ['SETRANGE', 'k', '-1', 'x'],
      ['SETRANGE', 'k', 'x', 'x'],
      ['SETRANGE', 'k', '9223372036854775808', 'x'],
      ['SETRANGE', 'k', '536870912', 'x'],
      ['SETRANGE', 'k', '536870911', 'xy'],
      ['SETRANGE', 'big', '9223372036854775807', 'xy'],
      ['SETRANGE', 'big', '536870912', 'x'],
      ['EXISTS', 'big'],
      ['SET', 'n', '12345'],
      ['SETRANGE', 'n', '1', '9'],
      ['INCR', 'n'],
      ['SETRANGE', 'k', '1'],
      ['SETRANGE'],
    ]);
  });
});

describe('strings: raw encoding after in-place edits', () => {
  const script: Cmd[] = [
      ['SET', 'e1', 'abc'], ['APPEND', 'e1', 'd'],
      ['APPEND', 'e2', 'new'],
      ['SET', 'e3', '12'], ['APPEND', 'e3', ''],
      ['SETRANGE', 'e4', '2', 'x'],
      ['SET', 'e5', 'abc'], ['SETRANGE', 'e5', '0', 'z'],
      ['SET', 'e6', 'abc'], ['SETRANGE', 'e6', '1', ''],
      ['SET', 'e7', 'abc'], ['APPEND', 'e7', 'd'], ['SET', 'e7', 'plain'],
      ['SET', 'e8', '5'], ['APPEND', 'e8', '1'], ['INCR', 'e8'],
      ['SET', 'e9', 'abc'], ['APPEND', 'e9', 'd'], ['INCRBYFLOAT', 'e9x', '1.5'],
  ];
  const keys = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e9x'];

  it.skipIf(!TABLE.has('object'))('OBJECT ENCODING matches after APPEND, SETRANGE, INCR, INCRBYFLOAT', async () => {
    await d.check([...script, ...keys.map((k) => ['OBJECT', 'ENCODING', k])]);
  });

  it('INCRBYFLOAT stores an integral result as a string object (embstr), carried by COPY and RENAME', async () => {
    await d.check([
      ['INCRBYFLOAT', '{a}s1', '7'], ['OBJECT', 'ENCODING', '{a}s1'], ['COPY', '{a}s1', '{a}s2'], ['OBJECT', 'ENCODING', '{a}s2'],
      ['RENAME', '{a}s1', '{a}s3'], ['OBJECT', 'ENCODING', '{a}s3'], ['INCR', '{a}s3'], ['OBJECT', 'ENCODING', '{a}s3'],
      ['INCRBYFLOAT', '{a}s3', '-0.5'], ['OBJECT', 'ENCODING', '{a}s3'], ['INCRBYFLOAT', '{a}s3', '0.5'], ['OBJECT', 'ENCODING', '{a}s3'],
      ['SET', '{a}s3', '5'], ['OBJECT', 'ENCODING', '{a}s3'], ['SET', '{a}s4', '5'], ['INCRBYFLOAT', '{a}s4', '1e17'], ['OBJECT', 'ENCODING', '{a}s4'],
      ['GETSET', '{a}s2', '9'], ['OBJECT', 'ENCODING', '{a}s2'], ['INCRBYFLOAT', '{a}s2', '1'], ['DUMP', '{a}s2'],
      ['APPEND', '{a}s2', '1'], ['OBJECT', 'ENCODING', '{a}s2'],
    ]);
  });

  it('keys Redis reports as "raw" are exactly those keyflare marks raw', async () => {
    await d.check(script, [2]);
    for (const key of keys) {
      const enc = (await d.pair(['OBJECT', 'ENCODING', key])).redis;
      const shard = d.backend.shards[d.backend.slots.shardOfKey(key)]!;
      expect(shard.db.rawStrings.has(key), `${key}: ${enc}`).toBe(enc === '$3\r\nraw\r\n');
    }
  });
});

describe('strings: LCS', () => {
  it('LCS plain, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors', async () => {
    await d.check([
      ['MSET', '{l}a', 'ohmytext', '{l}b', 'mynewtext'],
      ['LCS', '{l}a', '{l}b'],
      ['LCS', '{l}a', '{l}b', 'LEN'],
      ['LCS', '{l}a', '{l}b', 'IDX'],
      ['LCS', '{l}a', '{l}b', 'idx', 'MINMATCHLEN', '4'],
      ['LCS', '{l}a', '{l}b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
      ['LCS', '{l}a', '{l}b', 'IDX', 'WITHMATCHLEN'],
      ['LCS', '{l}a', '{l}b', 'IDX', 'MINMATCHLEN', '-5', 'WITHMATCHLEN'],
      ['LCS', '{l}a', '{l}b', 'MINMATCHLEN', '2'],
      ['LCS', '{l}a', '{l}b', 'LEN', 'IDX'],
      ['LCS', '{l}a', '{l}b', 'IDX', 'LEN'],
      ['LCS', '{l}a', '{l}b', 'MINMATCHLEN'],
      ['LCS', '{l}a', '{l}b', 'MINMATCHLEN', 'x'],
      ['LCS', '{l}a', '{l}b', 'FOO'],
      ['LCS', '{l}a', '{l}b', 'LEN', 'LEN'],
      ['LCS', '{l}a', '{l}nope'],
      ['LCS', '{l}a', '{l}nope', 'IDX'],
      ['LCS', '{l}nope', '{l}nope2', 'LEN'],
      ['LCS', '{l}a', '{l}a', 'IDX', 'WITHMATCHLEN'],
      ['MSET', '{l}c', 'ABCBDAB', '{l}d', 'BDCABA', '{l}e', '\x00\xff\x00abc\xff', '{l}f', '\xffab\x00\x00c'],
      ['LCS', '{l}c', '{l}d'],
      ['LCS', '{l}c', '{l}d', 'IDX', 'WITHMATCHLEN'],
      ['LCS', '{l}d', '{l}c', 'IDX'],
      ['LCS', '{l}e', '{l}f'],
      ['LCS', '{l}e', '{l}f', 'IDX', 'WITHMATCHLEN'],
      ['MSET', '{l}g', 'aaaaaaaaaabbbbbbbbbbcccccccccc', '{l}h', 'cccccbbbbbaaaaabbbbbcccccaaaaa'],
      ['LCS', '{l}g', '{l}h', 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'],
      ['LCS', '{l}g', '{l}h'],
      ['LCS', 'x', 'y'],
      ['LCS', '{l}a'],
    ]);
  });

  it('LCS on longer random strings matches', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 4;
    const mk = (n: number) => Array.from({ length: n }, () => 'ACGT'[rnd()]).join('');
    await d.check([
      ['MSET', '{r}x', mk(300), '{r}y', mk(250)],
      ['LCS', '{r}x', '{r}y'],
      ['LCS', '{r}x', '{r}y', 'LEN'],
      ['LCS', '{r}x', '{r}y', 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'],
    ]);
  });
});

const NAMES = ['get', 'set', 'setnx', 'setex', 'psetex', 'getex', 'getdel', 'getset', 'mget', 'mset', 'msetnx', 'append', 'strlen', 'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'getrange', 'setrange', 'substr', 'lcs'];

describe('strings: table', () => {
  it.skipIf(!TABLE.has('command'))('COMMAND INFO of every string command is byte-identical (tips and key specs too)', async () => {
    await d.check(NAMES.map((n) => ['COMMAND', 'INFO', n]));
  });

  it('arity, flags, categories and key positions equal COMMAND INFO', async () => {
    const names = ['get', 'set', 'setnx', 'setex', 'psetex', 'getex', 'getdel', 'getset', 'mget', 'mset', 'msetnx', 'append', 'strlen', 'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'getrange', 'setrange', 'substr', 'lcs'];
    for (const n of names) {
      const info = (await d.pair(['COMMAND', 'INFO', n])).redis;
      const spec = TABLE.get(n)!;
      expect(spec, n).toBeDefined();
      // *1 *10 $len name :arity *flags… :first :last :step *cats…
      const m = /^\*1\r\n\*10\r\n\$\d+\r\n([a-z]+)\r\n:(-?\d+)\r\n\*(\d+)\r\n((?:\+[a-z_]+\r\n)*):(-?\d+)\r\n:(-?\d+)\r\n:(-?\d+)\r\n\*(\d+)\r\n((?:\+@[a-z_]+\r\n)*)/.exec(info);
      expect(m, info).not.toBeNull();
      const flags = m![4]!.split('\r\n').filter(Boolean).map((s) => s.slice(1));
      const cats = m![9]!.split('\r\n').filter(Boolean).map((s) => s.slice(2));
      expect({ n, arity: spec.arity, flags: [...spec.flags], keys: [...spec.keys], acl: [...spec.acl] }).toEqual({
        n, arity: Number(m![2]), flags, keys: [Number(m![5]), Number(m![6]), Number(m![7])], acl: cats,
      });
    }
  });
});
