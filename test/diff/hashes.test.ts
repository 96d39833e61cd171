// Differential tests of the Redis 7.0 hash commands: both encodings, the conversion thresholds,
// RESP2 and RESP3, every error path; unordered replies (big hashes, HRANDFIELD) compared sorted.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';

const d = useDiff();

const long = (n: number, ch = 'x') => ch.repeat(n);
const fields = (n: number, prefix = 'f'): string[] => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]).flat();

/** Flatten a reply into sorted leaf strings (for replies whose order is unspecified). */
function leaves(raw: string): string[] {
  const f = parseReply(raw, 0)!.frame as Frame;
  const out: string[] = [];
  const walk = (x: Frame) => {
    if ('v' in x && Array.isArray(x.v)) (x.v as Frame[]).forEach(walk);
    else out.push(JSON.stringify(x));
  };
  walk(f);
  return out.sort();
}

describe('hashes (differential)', () => {
  it('HSET/HGET/HMGET/HMSET/HSETNX/HDEL/HLEN/HEXISTS/HSTRLEN in a listpack', async () => {
    await d.check([
      ['HSET', 'h', 'a', '1', 'b', '2'],
      ['HSET', 'h', 'a', '10', 'c', '3'],
      ['HGET', 'h', 'a'], ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'],
      ['HMGET', 'h', 'a', 'zz', 'c'], ['HMGET', 'nokey', 'a', 'b'],
      ['HMSET', 'h', 'd', '4'], ['HMSET', 'h', 'd'], ['HSET', 'h', 'd'], ['HSET', 'h'],
      ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'e', 'x'], ['HSETNX', 'new', 'e', 'x'],
      ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HLEN', 'h'], ['HLEN', 'nokey'],
      ['HEXISTS', 'h', 'a'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'nokey', 'a'],
      ['HSTRLEN', 'h', 'a'], ['HSTRLEN', 'h', 'zz'], ['HSTRLEN', 'nokey', 'a'],
      ['HDEL', 'h', 'a', 'zz', 'a'], ['HDEL', 'nokey', 'a'], ['HGETALL', 'h'],
      ['HDEL', 'h', 'b', 'c', 'd', 'e'], ['EXISTS', 'h'], ['HGETALL', 'h'], ['HKEYS', 'nokey'], ['HVALS', 'nokey'],
      ['HSET', 'h', '', ''], ['HGET', 'h', ''], ['HSET', 'h', 'bin\x00\xff', 'v\r\n'], ['HGETALL', 'h'],
      ['OBJECT', 'ENCODING', 'h'], ['TYPE', 'h'],
    ]);
  });

  it('WRONGTYPE on every command', async () => {
    await d.check([
      ['SET', 's', 'x'],
      ['HSET', 's', 'a', '1'], ['HMSET', 's', 'a', '1'], ['HSETNX', 's', 'a', '1'], ['HGET', 's', 'a'], ['HMGET', 's', 'a'],
      ['HDEL', 's', 'a'], ['HLEN', 's'], ['HSTRLEN', 's', 'a'], ['HEXISTS', 's', 'a'], ['HKEYS', 's'], ['HVALS', 's'],
      ['HGETALL', 's'], ['HINCRBY', 's', 'a', '1'], ['HINCRBYFLOAT', 's', 'a', '1'], ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '2'], ['HSCAN', 's', '0'], ['HSET', 'h', 'a', '1'], ['GET', 'h'], ['INCR', 'h'],
    ]);
  });

  it('conversion to hashtable at hash-max-listpack-entries and -value, never back', async () => {
    await d.check([
      ['HSET', 'h', ...fields(128)], ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', ...fields(512)], ['OBJECT', 'ENCODING', 'h'], ['HLEN', 'h'],
      ['HSET', 'h', 'extra', 'x'], ['OBJECT', 'ENCODING', 'h'], ['HLEN', 'h'],
      ['HDEL', 'h', 'extra', 'f0', 'f1'], ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'v', 'a', long(64)], ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'v', 'b', long(65)], ['OBJECT', 'ENCODING', 'v'], ['HDEL', 'v', 'b'], ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'k', long(65), 'a'], ['OBJECT', 'ENCODING', 'k'],
      ['HSET', 'n', 'a', '1'], ['HINCRBY', 'n', long(70), '1'], ['OBJECT', 'ENCODING', 'n'],
      ['HSET', 'm', 'a', '1'], ['HINCRBYFLOAT', 'm', long(70), '1.5'], ['OBJECT', 'ENCODING', 'm'],
      ['HSET', 'x', 'a', '1'], ['HSETNX', 'x', 'a', long(70)], ['OBJECT', 'ENCODING', 'x'],
      ['HSETNX', 'x', 'b', long(70)], ['OBJECT', 'ENCODING', 'x'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
      ['HSET', 'c', 'a', '1', 'b', '2'], ['OBJECT', 'ENCODING', 'c'], ['HSET', 'c', 'c', '3'], ['OBJECT', 'ENCODING', 'c'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'], ['HSET', 'z', 'a', '1'], ['OBJECT', 'ENCODING', 'z'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '3'], ['HSET', 'y', 'abc', 'def'], ['OBJECT', 'ENCODING', 'y'],
      ['HSET', 'y', 'abcd', '1'], ['OBJECT', 'ENCODING', 'y'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
      ['HSET', '{t}src', 'a', '1'], ['COPY', '{t}src', '{t}dst'], ['HGETALL', '{t}dst'], ['OBJECT', 'ENCODING', '{t}dst'],
    ]);
  });

  it('big hashes: content matches (order unspecified)', async () => {
    const big: Cmd[] = [['HSET', 'h', ...fields(600)]];
    for (const proto of [2, 3] as const) {
      await d.pair(['FLUSHALL'], proto);
      for (const c of big) await d.pair(c, proto);
      for (const c of [['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h']]) {
        const { redis, kf } = await d.pair(c, proto);
        expect(leaves(kf)).toEqual(leaves(redis));
        expect(kf.slice(0, 5)).toBe(redis.slice(0, 5));
      }
    }
    await d.check([['HSET', 'h', ...fields(600)], ['HGET', 'h', 'f599'], ['HMGET', 'h', 'f1', 'nope'], ['HLEN', 'h'], ['HSTRLEN', 'h', 'f10'], ['HDEL', 'h', 'f1', 'f2'], ['HLEN', 'h'], ['HEXISTS', 'h', 'f1']]);
  });

  it('HINCRBY and HINCRBYFLOAT: values, overflow, formatting, errors', async () => {
    await d.check([
      ['HINCRBY', 'h', 'a', '5'], ['HINCRBY', 'h', 'a', '-10'], ['HINCRBY', 'h', 'a', 'x'], ['HINCRBY', 'h', 'a', '1.5'],
      ['HSET', 'h', 'big', '9223372036854775806'], ['HINCRBY', 'h', 'big', '1'], ['HINCRBY', 'h', 'big', '1'],
      ['HSET', 'h', 'small', '-9223372036854775807'], ['HINCRBY', 'h', 'small', '-1'], ['HINCRBY', 'h', 'small', '-1'],
      ['HSET', 'h', 's', 'abc', 'sp', ' 1', 'fl', '1.5'], ['HINCRBY', 'h', 's', '1'], ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'fl', '1'],
      ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '0.1'],
      ['HINCRBYFLOAT', 'h', 'f', '1e3'], ['HINCRBYFLOAT', 'h', 'f', '-1000.3'], ['HINCRBYFLOAT', 'h', 'a', '2.5'],
      ['HINCRBYFLOAT', 'h', 's', '1'], ['HINCRBYFLOAT', 'h', 'f', 'x'], ['HINCRBYFLOAT', 'h', 'f', 'inf'],
      ['HINCRBYFLOAT', 'h', 'f', 'nan'], ['HINCRBYFLOAT', 'h', 'f', ''], ['HINCRBYFLOAT', 'h', 'big', '1'],
      ['HSET', 'e', 'e', '1e308'], ['HINCRBYFLOAT', 'e', 'e', '1e308'], ['HINCRBYFLOAT', 'e', 'e', '1.7976931348623157e308'],
      ['HGET', 'e', 'e'], ['OBJECT', 'ENCODING', 'e'],
      ['HINCRBYFLOAT', 'h', 'g', '3.0e2'], ['HINCRBYFLOAT', 'h', 'g', '-300'], ['HGETALL', 'h'],
      ['HINCRBY', 'nokey', 'a', 'x'], ['EXISTS', 'nokey'], ['HINCRBYFLOAT', 'nokey', 'a', 'x'], ['EXISTS', 'nokey'],
    ]);
  });

  it('HRANDFIELD: shapes, counts and errors', async () => {
    await d.check([
      ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '3'], ['HRANDFIELD', 'nokey', '3', 'WITHVALUES'],
      ['HSET', 'h', 'a', '1'], ['HRANDFIELD', 'h'], ['HRANDFIELD', 'h', '1'], ['HRANDFIELD', 'h', '-3'],
      ['HRANDFIELD', 'h', '-2', 'WITHVALUES'], ['HRANDFIELD', 'h', '5', 'withvalues'], ['HRANDFIELD', 'h', '0'],
      ['HRANDFIELD', 'h', '0', 'WITHVALUES'], ['HRANDFIELD', 'h', 'x'], ['HRANDFIELD', 'h', '1', 'foo'],
      ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'], ['HRANDFIELD', 'h', '-9223372036854775808'],
      ['HRANDFIELD', 'h', '-9223372036854775807', 'WITHVALUES'], ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'], ['HRANDFIELD', 'nokey', '9223372036854775807', 'WITHVALUES'],
      ['HSET', 'g', 'a', '1', 'b', '2', 'c', '3'], ['HRANDFIELD', 'g', '3'], ['HRANDFIELD', 'g', '10', 'WITHVALUES'],
    ]);
    for (const proto of [2, 3] as const) {
      await d.pair(['FLUSHALL'], proto);
      for (const h of [['HSET', 'h', ...fields(5)], ['HSET', 'big', ...fields(300)]]) await d.pair(h, proto);
      for (const [key, n] of [['h', 5], ['big', 300]] as const) {
        const { redis, kf } = await d.pair(['HRANDFIELD', key, n, 'WITHVALUES'], proto);
        expect(leaves(kf)).toEqual(leaves(redis));
        for (const cnt of [3, -7, 2]) {
          const r = await d.pair(['HRANDFIELD', key, cnt, 'WITHVALUES'], proto);
          // Same shape and length; distinct fields for a positive count.
          expect(r.kf.slice(0, 4)).toBe(r.redis.slice(0, 4));
          expect(leaves(r.kf).length).toBe(leaves(r.redis).length);
        }
      }
    }
  });

  it('HSCAN: listpack in one call, errors, MATCH and COUNT', async () => {
    await d.check([
      ['HSCAN', 'nokey', '0'], ['HSCAN', 'nokey', '0', 'BAD'], ['HSCAN', 'nokey', 'x'],
      ['HSET', 'h', 'a', '1', 'b', '2', 'ab', '3'], ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'COUNT', '1'],
      ['HSCAN', 'h', '0', 'MATCH', 'a*'], ['HSCAN', 'h', '0', 'MATCH', 'a*', 'COUNT', '100'],
      ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', 'x'], ['HSCAN', 'h', '0', 'MATCH'],
      ['HSCAN', 'h', '0', 'TYPE', 'string'], ['HSCAN', 'h', 'abc'], ['HSCAN', 'h', '-1'], ['HSCAN', 'h', '18446744073709551616'],
    ]);
    // A hashtable scan returns every field exactly as present, over several calls.
    for (const proto of [2, 3] as const) {
      await d.pair(['FLUSHALL'], proto);
      await d.pair(['HSET', 'h', ...fields(700)], proto);
      const seen = new Set<string>();
      let cur = '0';
      let rounds = 0;
      do {
        const { kf } = await d.pair(['HSCAN', 'h', cur, 'COUNT', '50'], proto);
        const f = parseReply(kf, 0)!.frame as { v: Frame[] };
        cur = (f.v[0] as { v: string }).v;
        const items = (f.v[1] as { v: Frame[] }).v.map((x) => (x as { v: string }).v);
        for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
        rounds++;
      } while (cur !== '0' && rounds < 1000);
      expect(seen.size).toBe(700);
      expect(rounds).toBeGreaterThan(10);
    }
  });
});
