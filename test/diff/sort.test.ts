// Differential tests of SORT and SORT_RO against real Redis 7.0 (a one-node cluster, as keyflare
// presents itself), plus the standalone BY/GET pattern lookups against a standalone redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';
import { Shard } from '../../src/shard/shard.js';
import { ManualClock } from '../../src/engine/clock.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import { sortScore } from '../../src/commands/sort.js';

const d = useDiff();

const ints = (from: number, n: number, step = 1): string[] => Array.from({ length: n }, (_, i) => String(from + i * step));
const strs = (n: number, p = 'm'): string[] => Array.from({ length: n }, (_, i) => `${p}${(i * 7919) % n}`);

/** Every way of reading one key with SORT's options that are allowed in cluster mode. */
function variants(key: string, numeric = true): Cmd[] {
  const out: Cmd[] = [];
  const base: Cmd[] = [[], ['DESC'], ['ASC'], ['LIMIT', 0, 3], ['LIMIT', 2, 2], ['LIMIT', -5, 2], ['LIMIT', 1, -1], ['LIMIT', 1, 0],
    ['LIMIT', 100, 3], ['LIMIT', 0, 1000], ['DESC', 'LIMIT', 1, 3], ['BY', 'nosort'], ['BY', 'nosort', 'DESC'],
    ['BY', 'nosort', 'LIMIT', 1, 2], ['BY', 'nosort', 'DESC', 'LIMIT', 1, 2], ['BY', 'nosort', 'LIMIT', 50, 2], ['BY', 'nosort', 'ALPHA', 'DESC']];
  for (const b of base) {
    if (numeric) out.push(['SORT', key, ...b], ['SORT_RO', key, ...b]);
    out.push(['SORT', key, 'ALPHA', ...b], ['SORT_RO', key, ...b, 'ALPHA']);
  }
  return out;
}

describe('SORT on lists', () => {
  it('numeric, ALPHA, DESC, LIMIT and BY nosort', async () => {
    await d.check([
      ['RPUSH', 'l', '3', '1', '2', '10', '-5', '1.5', '1e2', '0x10', '-0', '0', '+7', '.5', '3'],
      ...variants('l'),
      ['RPUSH', 'w', 'banana', 'apple', 'Cherry', 'apple', '10', '9', ''],
      ...variants('w', false),
      ['SORT', 'w'],
      ['SORT', 'nokey'], ['SORT', 'nokey', 'BY', 'nosort', 'DESC'], ['SORT_RO', 'nokey', 'ALPHA', 'LIMIT', 0, 1],
    ]);
  });

  it('a big list (several quicklist nodes)', async () => {
    const big = ints(0, 1500).map((x) => String((Number(x) * 7919) % 1500));
    await d.check([
      ['RPUSH', 'big', ...big],
      ['SORT', 'big', 'LIMIT', 700, 20], ['SORT', 'big', 'DESC', 'LIMIT', 0, 10], ['SORT', 'big', 'ALPHA', 'LIMIT', 10, 10],
      ['SORT', 'big', 'BY', 'nosort', 'LIMIT', 1000, 10], ['SORT', 'big', 'BY', 'nosort', 'DESC', 'LIMIT', 1200, 10],
      ['SORT', 'big', 'BY', 'nosort', 'DESC', 'LIMIT', 1495, 10],
    ]);
  });

  it('scores as glibc strtod reads them, and the conversion error', async () => {
    const good = ['', ' 1', '0x1p3', '0X1P-2', '0x.8', '0x1.8p1', 'inf', '-inf', 'INF', 'infinity', '+5', '1.', '.5',
      '2.2250738585072014e-308', '1e308', '007', '-0', 'a\0b', '1\0x', '12345678901234567890', '9007199254740993'];
    const bad = ['1 ', 'nan', 'nan(1)', '1e400', '-1e400', '1e-400', '1e-310', '4.9e-324', ' ', '.', '1e', '1e+', '0x', 'abc', '1_0', '\t', '0x1p'];
    const script: Cmd[] = [];
    for (const [i, v] of good.entries()) script.push(['RPUSH', `g${i}`, v, '1', '-3', '2.5'], ['SORT', `g${i}`], ['SORT', `g${i}`, 'DESC']);
    for (const [i, v] of bad.entries()) {
      script.push(['RPUSH', `{b}${i}`, '1', v, '2'], ['SORT', `{b}${i}`], ['SORT', `{b}${i}`, 'ALPHA'],
        ['SORT', `{b}${i}`, 'STORE', `{b}dst${i}`], ['EXISTS', `{b}dst${i}`], ['SORT', `{b}${i}`, 'BY', 'nosort'],
        // Redis 7.0 never clears errno before its strtod, so an ERANGE would leak into the next
        // SORT on this connection; ZADD's string2d clears it (keyflare has no such state).
        ['ZADD', '{b}errno', 0, 'x']);
    }
    await d.check(script);
  });

  it('ALPHA is byte order up to a NUL (strcoll), STORE compares whole byte strings', async () => {
    await d.check([
      ['RPUSH', '{t}l', '\xff', '\xc3\xa9', 'z', 'a\0b', 'a\0a', 'a', 'a\0', 'B', '\x01', 'Z\x80'],
      ['SORT', '{t}l', 'ALPHA'], ['SORT', '{t}l', 'ALPHA', 'DESC'], ['SORT_RO', '{t}l', 'ALPHA', 'LIMIT', 1, 4],
      ['SORT', '{t}l', 'ALPHA', 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
      ['SORT', '{t}l', 'ALPHA', 'DESC', 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
    ]);
  });
});

describe('SORT on sets', () => {
  it('intsets (ordered), string sets sorted ALPHA or numerically, hashtables', async () => {
    await d.check([
      ['SADD', 'is', '5', '3', '9', '1', '-20', '100', '7'],
      ...variants('is'),
      ['SADD', 'fs', '1.5', '-2', 'inf', '3e2', '0x10', '7'],
      ['SORT', 'fs'], ['SORT', 'fs', 'DESC', 'LIMIT', 1, 3], ['SORT', 'fs', 'ALPHA'], ['SORT_RO', 'fs', 'ALPHA', 'DESC'],
      ['SADD', 'ss', 'pear', 'apple', 'fig', 'Kiwi', '10', '9'],
      ['SORT', 'ss'], ['SORT', 'ss', 'ALPHA'], ['SORT', 'ss', 'ALPHA', 'DESC', 'LIMIT', 0, 4],
      ['SADD', 'hs', ...strs(300)], ['OBJECT', 'ENCODING', 'hs'],
      ['SORT', 'hs', 'ALPHA', 'LIMIT', 0, 10], ['SORT', 'hs', 'ALPHA', 'DESC', 'LIMIT', 100, 10],
      ['SADD', 'hi', ...ints(-400, 700, 3), 'x'], ['SREM', 'hi', 'x'], ['SORT', 'hi', 'LIMIT', 250, 10], ['SORT', 'hi', 'DESC', 'LIMIT', 5, 5],
    ]);
  });

  it('BY nosort with STORE sorts a set ALPHA (deterministic result), without STORE an intset keeps its order', async () => {
    await d.check([
      ['SADD', '{t}is', '5', '30', '9', '100', '-1'],
      ['SORT', '{t}is', 'BY', 'nosort'], ['SORT', '{t}is', 'BY', 'nosort', 'DESC', 'LIMIT', 1, 2],
      ['SORT', '{t}is', 'BY', 'nosort', 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
      ['SORT', '{t}is', 'BY', 'nosort', 'DESC', 'LIMIT', 1, 3, 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
      ['SADD', '{t}ss', 'b', 'a', 'c', 'a\0', 'a\0b'],
      ['SORT', '{t}ss', 'BY', 'nosort', 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
      ['SORT', '{t}ss', 'BY', 'nosort', 'LIMIT', 0, 2, 'STORE', '{t}d'], ['LRANGE', '{t}d', 0, -1],
    ]);
  });

  it('BY nosort on a string set returns every member once (order unspecified)', async () => {
    const canon = (raw: string) => JSON.stringify(((parseReply(raw, 0)!.frame as { v: Frame[] }).v).map((f) => (f as { v: string }).v).sort());
    for (const proto of [2, 3] as Proto[]) {
      await d.pair(['FLUSHALL'], proto);
      await d.pair(['SADD', 's', ...strs(50), 'q'], proto);
      const p = await d.pair(['SORT', 's', 'BY', 'nosort'], proto);
      expect(canon(p.kf)).toBe(canon(p.redis));
    }
  });
});

describe('SORT on sorted sets', () => {
  it('members sorted by value; BY nosort keeps score order with LIMIT and DESC; converted to skiplist', async () => {
    const big: string[] = [];
    for (let i = 0; i < 200; i++) big.push(String((i * 37) % 200), `${(i * 13) % 200}`);
    await d.check([
      ['ZADD', 'z', 3, '10', 1, '2', 2, '-1', 5, '1.5', 4, '7'],
      ['OBJECT', 'ENCODING', 'z'], ...variants('z'), ['OBJECT', 'ENCODING', 'z'],
      ['ZADD', 'zr', 1, 'a'], ['SORT_RO', 'zr', 'BY', 'nosort'], ['OBJECT', 'ENCODING', 'zr'],
      ['ZADD', 'za', 3, 'c', 1, 'b', 2, 'a', 0, 'd'],
      ['SORT', 'za'], ['SORT', 'za', 'ALPHA'], ['SORT', 'za', 'BY', 'nosort'], ['SORT', 'za', 'BY', 'nosort', 'DESC', 'LIMIT', 1, 2],
      ['ZADD', 'zb', ...big], ['OBJECT', 'ENCODING', 'zb'],
      ['SORT', 'zb', 'LIMIT', 100, 5], ['SORT', 'zb', 'BY', 'nosort', 'LIMIT', 150, 5], ['SORT', 'zb', 'BY', 'nosort', 'DESC', 'LIMIT', 3, 4],
      ['SORT', 'zb', 'BY', 'nosort', 'DESC', 'LIMIT', 0, 2], ['SORT', 'zb', 'ALPHA', 'DESC', 'LIMIT', 0, 5],
      ['ZRANGE', 'zb', 0, 4, 'WITHSCORES'],
    ]);
  });
});

describe('SORT … STORE', () => {
  it('replaces the destination with a list (dropping its TTL), deletes it when empty, returns the length', async () => {
    await d.check([
      ['RPUSH', '{t}src', 3, 1, 2],
      ['SET', '{t}dst', 'x', 'EX', 100],
      ['SORT', '{t}src', 'STORE', '{t}dst'], ['TYPE', '{t}dst'], ['TTL', '{t}dst'], ['LRANGE', '{t}dst', 0, -1], ['OBJECT', 'ENCODING', '{t}dst'],
      ['SORT', '{t}src', 'DESC', 'LIMIT', 0, 2, 'STORE', '{t}dst'], ['LRANGE', '{t}dst', 0, -1],
      ['SORT', '{t}src', 'STORE', '{t}x', 'STORE', '{t}dst', 'ALPHA'], ['EXISTS', '{t}x'], ['LRANGE', '{t}dst', 0, -1],
      ['SORT', '{t}src', 'LIMIT', 5, 5, 'STORE', '{t}dst'], ['EXISTS', '{t}dst'],
      ['SORT', '{t}nokey', 'STORE', '{t}dst'], ['EXISTS', '{t}dst'],
      ['SORT', '{t}src', 'STORE', '{t}src'], ['LRANGE', '{t}src', 0, -1],
      ['SORT', '{t}src', 'BY', 'nosort', 'DESC', 'STORE', '{t}src'], ['LRANGE', '{t}src', 0, -1],
      ['ZADD', '{t}z', 1, 'x', 2, 'y'], ['SORT', '{t}z', 'BY', 'nosort', 'DESC', 'STORE', '{t}h'], ['LRANGE', '{t}h', 0, -1],
      ['RPUSH', '{t}big', ...ints(0, 300)], ['SORT', '{t}big', 'DESC', 'STORE', '{t}d2'], ['LLEN', '{t}d2'], ['LINDEX', '{t}d2', 0], ['LINDEX', '{t}d2', -1],
      ['SORT', '{t}src', 'STORE', '{u}other'],
      ['SORT_RO', '{t}src', 'STORE', '{t}dst'],
    ]);
  });
});

describe('SORT errors', () => {
  it('WRONGTYPE, syntax, LIMIT, and BY/GET refused in cluster mode', async () => {
    await d.check([
      ['SET', 'str', 'v'], ['HSET', 'h', 'f', 'v'], ['XADD', 'x', '1-1', 'f', 'v'], ['RPUSH', 'l', '2', '1'],
      ['SORT', 'str'], ['SORT', 'h'], ['SORT_RO', 'x'], ['SORT', 'str', 'BY', 'nosort'], ['SORT', 'str', 'LIMIT', 0, 1, 'STORE', 'str'],
      ['SORT', 'str', 'foo'], ['SORT', 'l', 'foo'], ['SORT', 'l', 'LIMIT'], ['SORT', 'l', 'LIMIT', 0], ['SORT', 'l', 'LIMIT', 'a', 1],
      ['SORT', 'l', 'LIMIT', 0, 'b'], ['SORT', 'l', 'LIMIT', '1.5', 1], ['SORT', 'l', 'LIMIT', '99999999999999999999', 1],
      ['SORT', 'l', 'LIMIT', 0, '9223372036854775807'], ['SORT', 'l', 'LIMIT', '-9223372036854775808', '-1'],
      ['SORT', 'l', 'STORE'], ['SORT', 'l', 'BY'], ['SORT', 'l', 'GET'], ['SORT_RO', 'l', 'STORE', 'l'],
      ['SORT', 'l', 'BY', 'w_*'], ['SORT', 'l', 'BY', 'w_{l}*'], ['SORT', 'l', 'BY', 'w_*->f'], ['SORT_RO', 'l', 'BY', '*'],
      ['SORT', 'l', 'GET', '#'], ['SORT', 'l', 'GET', 'x_{l}*'], ['SORT', 'l', 'BY', 'nosort', 'GET', '#'],
      ['SORT', 'l', 'GET', '#', 'foo'], ['SORT', 'l', 'foo', 'GET', '#'], ['SORT', 'l', 'LIMIT', 'x', 1, 'BY', 'w_*'],
      ['SORT', 'l', 'BY', 'w_*', 'LIMIT', 'x', 1], ['SORT', 'str', 'GET', '#'], ['SORT', 'l', 'BY', 'no\0*'],
      ['SORT', 'l', 'BY', 'nosort', 'BY', 'w_*'], ['SORT', 'l', 'by', 'NOSORT', 'limit', 0, 1, 'desc', 'alpha', 'asc'],
      ['SORT'], ['SORT_RO'],
    ]);
  });
});

describe('SORT key positions', () => {
  it('COMMAND INFO and COMMAND GETKEYS match Redis', async () => {
    await d.check([
      ['COMMAND', 'INFO', 'sort', 'sort_ro'],
      ['COMMAND', 'GETKEYS', 'SORT', 'a'], ['COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE', 'b'],
      ['COMMAND', 'GETKEYS', 'SORT', 'a', 'BY', 'x', 'LIMIT', 0, 1, 'STORE', 'b', 'GET', 'y'],
      ['COMMAND', 'GETKEYS', 'SORT', 'a', 'store', 'b', 'STORE', 'c'], ['COMMAND', 'GETKEYS', 'SORT', 'a', 'LIMIT', 'STORE', 'b'],
      ['COMMAND', 'GETKEYS', 'SORT', 'a', 'GET', 'STORE', 'b'], ['COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE', 'STORE', 'b'],
      ['COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE'], ['COMMAND', 'GETKEYS', 'SORT_RO', 'a', 'STORE', 'b'],
    ]);
  });
});

describe('SORT propagation', () => {
  it('SORT … STORE is logged as received; a read-only SORT logs nothing', () => {
    const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, new ManualClock());
    s.exec([['RPUSH', 'l', '2', '1']]);
    expect(s.exec([['SORT', 'l']]).effects).toEqual([]);
    expect(s.exec([['SORT', 'l', 'STORE', 'd']]).effects).toEqual([['SORT', 'l', 'STORE', 'd']]);
    expect(s.exec([['SORT', 'nokey', 'STORE', 'none']]).effects).toEqual([]);
    expect(s.exec([['SORT', 'nokey', 'STORE', 'd']]).effects).toEqual([['SORT', 'nokey', 'STORE', 'd']]);
  });

  it('sortScore agrees with strtod on a few exact values', () => {
    expect(sortScore('0x1.8p1')).toBe(3);
    expect(sortScore('0x.8')).toBe(0.5);
    expect(sortScore('0x' + 'f'.repeat(20) + 'p-80')).toBe(Number(BigInt('0x' + 'f'.repeat(20))) / 2 ** 80);
    expect(sortScore('1e-310')).toBeNull();
    expect(sortScore('')).toBe(0);
  });
});

// Standalone Redis allows BY patterns and GET: the same lookups run on one shard, against a
// standalone redis-server.
describe('SORT BY/GET patterns (standalone mode)', () => {
  let redis: RedisProc;
  let rc: Record<number, RawClient>;
  beforeAll(async () => {
    redis = await startRedis();
    rc = { 2: await RawClient.connect(redis.port), 3: await RawClient.connect(redis.port) };
    await rc[3]!.call([['HELLO', '3']]);
  }, 30_000);
  afterAll(async () => {
    for (const c of Object.values(rc ?? {})) c.close();
    await redis?.stop();
  });

  async function check(script: Cmd[]): Promise<void> {
    for (const proto of [2, 3] as Proto[]) {
      const shard = new Shard({ index: 0, count: 1, slots: [0, 16383], standalone: true }, new ManualClock());
      await rc[proto]!.call([['FLUSHALL']]);
      const diffs: string[] = [];
      for (const cmd of script) {
        const argv = cmd.map(String);
        const [r] = await rc[proto]!.call([argv]);
        const kf = encodeStr(shard.exec([argv], proto).replies[0]!, proto);
        if (r !== kf) diffs.push(`RESP${proto} ${JSON.stringify(argv)}\n  redis: ${JSON.stringify(r)}\n  kf:    ${JSON.stringify(kf)}`);
      }
      expect(diffs.join('\n')).toBe('');
    }
  }

  it('BY key and hash-field patterns, GET # / keys / fields, missing keys, STORE', async () => {
    await check([
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
      ['MSET', 'w_a', '3', 'w_b', '1', 'w_c', '2', 'n_a', 'Ann', 'n_b', 'Bob', 'n_d', 'Dee'],
      ['HSET', 'h_a', 'age', '40', 'nm', 'zed'], ['HSET', 'h_b', 'age', '7', 'nm', 'amy'], ['HSET', 'h_c', 'age', 'x'],
      ['SET', 'h_d', 'notahash'], ['HSET', 'w_e', 'f', 'v'],
      ['SORT', 'l', 'BY', 'w_*'], ['SORT', 'l', 'BY', 'w_*', 'DESC'], ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'n_*'],
      ['SORT', 'l', 'BY', 'w_*', 'LIMIT', 1, 2, 'GET', 'n_*', 'GET', 'h_*->age', 'GET', '#'],
      ['SORT', 'l', 'BY', 'h_*->age'], ['SORT', 'l', 'BY', 'h_*->nm', 'ALPHA'], ['SORT', 'l', 'BY', 'h_*->nm', 'ALPHA', 'DESC'],
      ['SORT', 'l', 'BY', 'n_*', 'ALPHA'], ['SORT', 'l', 'BY', 'n_*', 'ALPHA', 'DESC', 'STORE', 'out'], ['LRANGE', 'out', 0, -1],
      ['SORT', 'l', 'GET', 'n_*', 'GET', 'nofield', 'GET', 'h_*->', 'GET', 'h_*->nm', 'ALPHA', 'STORE', 'out2'], ['LRANGE', 'out2', 0, -1],
      ['SORT', 'l', 'BY', 'nosort', 'GET', 'n_*', 'DESC'], ['SORT', 'l', 'GET', '#', 'GET', 'w_*', 'ALPHA', 'LIMIT', 0, 3],
      ['SORT', 'l', 'BY', 'zz_*'], ['SORT', 'l', 'BY', 'zz_*', 'ALPHA'], ['SORT', 'l', 'BY', 'h_*->age', 'LIMIT', 0, 1],
      ['SORT', 'l', 'GET', '#\0x'], ['SORT', 'l', 'GET', 'w*\0'],
      ['SADD', 's', '3', '1', '2'], ['SET', 'k_1', 'c'], ['SET', 'k_2', 'a'], ['SET', 'k_3', 'b'],
      ['SORT', 's', 'BY', 'k_*', 'ALPHA', 'GET', '#', 'GET', 'k_*'], ['SORT', 's', 'BY', 'nosort', 'GET', 'k_*', 'STORE', 'o3'], ['LRANGE', 'o3', 0, -1],
      ['ZADD', 'z', 1, '3', 2, '1', 3, '2'], ['SORT', 'z', 'BY', 'k_*', 'ALPHA', 'DESC', 'GET', 'k_*'], ['SORT', 'z', 'BY', 'nosort', 'GET', 'k_*', 'DESC'],
    ]);
  });
});
