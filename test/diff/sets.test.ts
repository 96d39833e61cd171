// Differential tests of the Redis 7.0 set commands against real Redis: intset replies are compared
// byte for byte (Redis returns them sorted); sets whose order is unspecified (hashtable, and the
// small string sets, which are a hashtable in 7.0 but a listpack here, as in 7.2) are compared
// sorted with the reply's type kept. OBJECT ENCODING of small string sets is asserted against the
// documented 7.2 ladder, since 7.0 has no listpack set encoding.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Proto } from '../../src/protocol/resp-encode.js';

const d = useDiff();

const ints = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));
const strs = (n: number, p = 'm'): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);

/** A reply with every array/set of leaves sorted (type tags kept), for unspecified orders. */
function canon(raw: string): string {
  const f = parseReply(raw, 0)!.frame as Frame;
  const walk = (x: Frame): unknown => {
    if ((x.t === 'arr' || x.t === 'set') && Array.isArray(x.v)) {
      const items = (x.v as Frame[]).map(walk).map((y) => JSON.stringify(y));
      // SSCAN's [cursor, [members]] keeps its outer order; member lists are sorted.
      const isScan = x.t === 'arr' && x.v.length === 2 && x.v[0]!.t === 'bulk' && x.v[1]!.t === 'arr';
      return { t: x.t, v: isScan ? items : items.sort() };
    }
    return x;
  };
  return JSON.stringify(walk(f));
}

/** Like d.check, but replies are compared as sorted collections. */
async function checkUnordered(script: Cmd[], protos: Proto[] = [2, 3]): Promise<void> {
  for (const proto of protos) {
    await d.pair(['FLUSHALL'], proto);
    const diffs: string[] = [];
    for (const cmd of script) {
      const { redis, kf } = await d.pair(cmd, proto);
      if (canon(redis) !== canon(kf)) diffs.push(`RESP${proto} ${JSON.stringify(cmd.map(String)).slice(0, 200)}\n  redis: ${JSON.stringify(redis).slice(0, 300)}\n  kf:    ${JSON.stringify(kf).slice(0, 300)}`);
    }
    expect(diffs.join('\n')).toBe('');
  }
}

/** The bulk strings of a reply (flattened). */
function members(raw: string): string[] {
  const out: string[] = [];
  const walk = (x: Frame) => {
    if (x.t === 'bulk') out.push(x.v);
    else if ('v' in x && Array.isArray(x.v)) (x.v as Frame[]).forEach(walk);
  };
  walk(parseReply(raw, 0)!.frame);
  return out;
}

describe('sets (differential): basic commands', () => {
  it('SADD/SREM/SCARD/SISMEMBER/SMISMEMBER/SMEMBERS on an intset (ordered, byte-exact)', async () => {
    await d.check([
      ['SADD', 's', '3', '1', '2', '1'], ['SMEMBERS', 's'], ['SCARD', 's'], ['OBJECT', 'ENCODING', 's'],
      ['SADD', 's', '-5', '100000', '5000000000', '-9223372036854775808', '9223372036854775807'],
      ['SMEMBERS', 's'], ['OBJECT', 'ENCODING', 's'], ['TYPE', 's'],
      ['SISMEMBER', 's', '1'], ['SISMEMBER', 's', '01'], ['SISMEMBER', 's', 'x'], ['SISMEMBER', 's', '9223372036854775808'],
      ['SISMEMBER', 'nokey', '1'], ['SMISMEMBER', 's', '1', '4', '-5', 'x'], ['SMISMEMBER', 'nokey', '1', '2'],
      ['SREM', 's', '5000000000', '7', '-9223372036854775808'], ['SMEMBERS', 's'], ['SCARD', 's'],
      ['SREM', 'nokey', '1'], ['SCARD', 'nokey'], ['SMEMBERS', 'nokey'],
      ['SREM', 's', '1', '2', '3', '-5', '100000', '9223372036854775807', '42'], ['EXISTS', 's'],
      ['SADD', 'z', '0', '-0', '+1', '1'], ['SCARD', 'z'],
      ['SADD', 's'], ['SREM', 's'], ['SCARD'], ['SISMEMBER', 's'], ['SMISMEMBER', 's'], ['SMEMBERS'], ['SMEMBERS', 'a', 'b'],
    ]);
  });

  it('string sets: the same members and replies (order compared sorted)', async () => {
    await checkUnordered([
      ['SADD', 's', 'a', 'b', 'c', 'a'], ['SMEMBERS', 's'], ['SCARD', 's'],
      ['SADD', 's', '1', '', 'bin\x00\xff', 'c'], ['SMEMBERS', 's'], ['SISMEMBER', 's', ''], ['SISMEMBER', 's', 'bin\x00\xff'],
      ['SMISMEMBER', 's', 'a', 'zz', '1', '01'], ['SREM', 's', 'a', 'zz', '1'], ['SMEMBERS', 's'],
      ['SREM', 's', 'b', 'c', '', 'bin\x00\xff'], ['EXISTS', 's'], ['SMEMBERS', 's'],
      ['SADD', 'big', ...strs(300)], ['SCARD', 'big'], ['SMEMBERS', 'big'], ['OBJECT', 'ENCODING', 'big'],
      ['SREM', 'big', ...strs(250)], ['SMEMBERS', 'big'], ['OBJECT', 'ENCODING', 'big'],
    ]);
  });

  it('WRONGTYPE on every command, and other types see sets as WRONGTYPE', async () => {
    await d.check([
      ['SET', 'str', 'x'], ['SADD', '{t}s', '1'], ['SET', '{t}str', 'x'],
      ['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SCARD', 'str'], ['SISMEMBER', 'str', 'a'], ['SMISMEMBER', 'str', 'a'],
      ['SMEMBERS', 'str'], ['SPOP', 'str'], ['SPOP', 'str', '0'], ['SPOP', 'str', '-1'], ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '-1'], ['SSCAN', 'str', '0'], ['SSCAN', 'str', 'x'],
      ['SMOVE', '{t}str', '{t}s', 'a'], ['SMOVE', '{t}s', '{t}str', '1'], ['SMOVE', '{t}nokey', '{t}str', '1'],
      ['SINTER', '{t}s', '{t}str'], ['SINTER', '{t}nokey', '{t}str'], ['SINTERSTORE', '{t}d', '{t}nokey', '{t}str'],
      ['SUNION', '{t}nokey', '{t}str'], ['SUNIONSTORE', '{t}d', '{t}s', '{t}str'],
      ['SDIFF', '{t}nokey', '{t}str'], ['SDIFF', '{t}str', '{t}nokey'], ['SDIFFSTORE', '{t}d', '{t}s', '{t}str'],
      ['SINTERCARD', '2', '{t}nokey', '{t}str'], ['EXISTS', '{t}d'], ['SMEMBERS', '{t}s'],
      ['GET', '{t}s'], ['LPUSH', '{t}s', 'x'], ['HSET', '{t}s', 'a', 'b'], ['INCR', '{t}s'],
    ]);
  });

  it('SMOVE: moves, same key, missing keys, creating and emptying', async () => {
    await d.check([
      ['SADD', '{t}a', '1', '2', '3'], ['SADD', '{t}b', '3', '4'],
      ['SMOVE', '{t}a', '{t}b', '1'], ['SMEMBERS', '{t}a'], ['SMEMBERS', '{t}b'],
      ['SMOVE', '{t}a', '{t}b', '3'], ['SMEMBERS', '{t}a'], ['SMEMBERS', '{t}b'],
      ['SMOVE', '{t}a', '{t}b', '9'], ['SMOVE', '{t}a', '{t}a', '2'], ['SMOVE', '{t}a', '{t}a', '9'],
      ['SMOVE', '{t}nokey', '{t}b', '1'], ['SMOVE', '{t}a', '{t}c', '2'], ['EXISTS', '{t}a'], ['SMEMBERS', '{t}c'],
      ['OBJECT', 'ENCODING', '{t}c'], ['SMOVE', '{t}b', '{t}c', '4'], ['SMEMBERS', '{t}c'],
      ['SMOVE', '{t}a', '{t}b'], ['SMOVE', '{t}a', '{t}b', '1', '2'], ['SMOVE', 'x', 'y', '1'],
    ]);
    await checkUnordered([
      ['SADD', '{t}a', 'x', 'y'], ['SMOVE', '{t}a', '{t}b', 'x'], ['SMEMBERS', '{t}b'], ['SMOVE', '{t}a', '{t}b', 'y'],
      ['SMEMBERS', '{t}b'], ['EXISTS', '{t}a'], ['SADD', '{t}i', '1'], ['SMOVE', '{t}b', '{t}i', 'x'], ['SMEMBERS', '{t}i'],
      ['OBJECT', 'ENCODING', '{t}i'] /* hashtable in 7.0 */,
    ].slice(0, -1));
  });
});

describe('sets (differential): encodings', () => {
  it('intset: 16/32/64-bit members, conversion to hashtable past set-max-intset-entries, never back', async () => {
    await d.check([
      ['SADD', 'i', ...ints(0, 512)], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
      ['SADD', 'i', '512'], ['OBJECT', 'ENCODING', 'i'], ['SREM', 'i', ...ints(0, 500)], ['OBJECT', 'ENCODING', 'i'],
      ['SADD', 'w', '1'], ['SADD', 'w', '70000'], ['SADD', 'w', '-5000000000'], ['SMEMBERS', 'w'], ['OBJECT', 'ENCODING', 'w'],
      ['SREM', 'w', '-5000000000', '70000'], ['SMEMBERS', 'w'], ['SADD', 'w', '-32768', '32767', '-32769', '2147483648'],
      ['SMEMBERS', 'w'], ['SISMEMBER', 'w', '2147483648'], ['SISMEMBER', 'w', '-2147483649'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '4'], ['SADD', 'c', '1', '2', '3', '4'], ['OBJECT', 'ENCODING', 'c'],
      ['SADD', 'c', '5'], ['OBJECT', 'ENCODING', 'c'], ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ]);
  });

  it('hashtable after set-max-listpack-entries / -value (same as 7.0); listpack below (7.2 ladder)', async () => {
    await checkUnordered([
      ['SADD', 'h', ...strs(129)], ['OBJECT', 'ENCODING', 'h'],
      ['SADD', 'v', 'x'.repeat(65)], ['OBJECT', 'ENCODING', 'v'],
      ['SADD', 'i', ...ints(0, 200)], ['SADD', 'i', 'x'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
      ['SREM', 'h', ...strs(128)], ['OBJECT', 'ENCODING', 'h'],
    ]);
    const enc = async (k: string) => (await d.pair(['OBJECT', 'ENCODING', k])).kf;
    await d.pair(['FLUSHALL']);
    await d.pair(['SADD', 'l', ...strs(128)]);
    expect(await enc('l')).toBe('$8\r\nlistpack\r\n');
    await d.pair(['SADD', 'l', 'one-more']);
    expect(await enc('l')).toBe('$9\r\nhashtable\r\n');
    await d.pair(['SADD', 'v', 'x'.repeat(64)]);
    expect(await enc('v')).toBe('$8\r\nlistpack\r\n');
    await d.pair(['SADD', 'v', 'y'.repeat(65)]);
    expect(await enc('v')).toBe('$9\r\nhashtable\r\n');
    // intset → listpack on a non-integer member, keeping the integers (insertion order after them).
    await d.pair(['SADD', 'm', '3', '1', '2']);
    await d.pair(['SADD', 'm', 'a']);
    expect(await enc('m')).toBe('$8\r\nlistpack\r\n');
    expect(members((await d.pair(['SMEMBERS', 'm'])).kf)).toEqual(['1', '2', '3', 'a']);
    await d.pair(['SADD', 'm', '0']);
    expect(members((await d.pair(['SMEMBERS', 'm'])).kf)).toEqual(['1', '2', '3', 'a', '0']);
    await d.pair(['SREM', 'm', 'a']);
    expect(await enc('m')).toBe('$8\r\nlistpack\r\n');
    // An intset too big for a listpack goes straight to hashtable.
    await d.pair(['SADD', 'n', ...ints(0, 128)]);
    await d.pair(['SADD', 'n', 'a']);
    expect(await enc('n')).toBe('$9\r\nhashtable\r\n');
    await d.pair(['SADD', 'o', ...ints(0, 127)]);
    await d.pair(['SADD', 'o', 'a']);
    expect(await enc('o')).toBe('$8\r\nlistpack\r\n');
    // Thresholds come from CONFIG.
    await d.pair(['CONFIG', 'SET', 'set-max-listpack-entries', '2']);
    await d.pair(['SADD', 'p', 'a', 'b']);
    expect(await enc('p')).toBe('$8\r\nlistpack\r\n');
    await d.pair(['SADD', 'p', 'c']);
    expect(await enc('p')).toBe('$9\r\nhashtable\r\n');
    await d.pair(['CONFIG', 'SET', 'set-max-listpack-entries', '128']);
    await d.pair(['CONFIG', 'SET', 'set-max-listpack-value', '3']);
    await d.pair(['SADD', 'q', '1', '22222']);
    await d.pair(['SADD', 'q', 'ab']);
    expect(await enc('q')).toBe('$9\r\nhashtable\r\n'); // the intset's widest member (5 digits) > 3
    await d.pair(['CONFIG', 'SET', 'set-max-listpack-value', '64']);
  });

  it('SINTERSTORE/SUNIONSTORE/SDIFFSTORE results take the smallest encoding (intset when they can)', async () => {
    await checkUnordered([
      ['SADD', '{t}a', 'x', '1', '2', '3'], ['SADD', '{t}b', '2', '3', '4', 'x'],
      ['SINTERSTORE', '{t}d', '{t}a', '{t}b'], ['SMEMBERS', '{t}d'],
    ]);
    await d.check([
      ['SADD', '{t}a', 'x', '1', '2', '3'], ['SADD', '{t}b', '2', '3', '4', 'x'],
      ['SDIFFSTORE', '{t}e', '{t}b', '{t}a'], ['SMEMBERS', '{t}e'], ['OBJECT', 'ENCODING', '{t}e'],
      ['SADD', '{t}h', ...ints(0, 600)], ['SREM', '{t}h', ...ints(10, 590)], ['OBJECT', 'ENCODING', '{t}h'],
      ['SUNIONSTORE', '{t}u', '{t}h'], ['OBJECT', 'ENCODING', '{t}u'], ['SMEMBERS', '{t}u'],
    ]);
  });
});

describe('sets (differential): algebra', () => {
  it('SINTER/SUNION/SDIFF and STORE forms on intsets (sorted, byte-exact)', async () => {
    await d.check([
      ['SADD', '{t}a', '1', '2', '3', '4', '5'], ['SADD', '{t}b', '4', '5', '6'], ['SADD', '{t}c', '5', '6', '7', '-1'],
      ['SINTER', '{t}a', '{t}b'], ['SINTER', '{t}a', '{t}b', '{t}c'], ['SINTER', '{t}a'], ['SINTER', '{t}a', '{t}a'],
      ['SINTER', '{t}a', '{t}nokey'], ['SINTER', '{t}nokey'],
      ['SUNION', '{t}a', '{t}b', '{t}c'], ['SUNION', '{t}nokey', '{t}a'], ['SUNION', '{t}nokey'],
      ['SDIFF', '{t}a', '{t}b'], ['SDIFF', '{t}a', '{t}b', '{t}c'], ['SDIFF', '{t}a', '{t}nokey'], ['SDIFF', '{t}nokey', '{t}a'],
      ['SDIFF', '{t}a', '{t}a'], ['SDIFF', '{t}a', '{t}b', '{t}a'], ['SDIFF', '{t}a'],
      ['SINTERSTORE', '{t}d', '{t}a', '{t}b'], ['SMEMBERS', '{t}d'], ['SINTERSTORE', '{t}d', '{t}a', '{t}nokey'], ['EXISTS', '{t}d'],
      ['SINTERSTORE', '{t}d', '{t}a', '{t}b'], ['SINTERSTORE', '{t}d', '{t}b', '{t}c', '{t}a'], ['SMEMBERS', '{t}d'],
      ['SUNIONSTORE', '{t}d', '{t}a', '{t}c'], ['SMEMBERS', '{t}d'], ['SUNIONSTORE', '{t}d', '{t}nokey'], ['EXISTS', '{t}d'],
      ['SDIFFSTORE', '{t}d', '{t}a', '{t}b'], ['SMEMBERS', '{t}d'], ['SDIFFSTORE', '{t}d', '{t}a', '{t}a'], ['EXISTS', '{t}d'],
      ['SDIFFSTORE', '{t}a', '{t}a', '{t}b'], ['SMEMBERS', '{t}a'],
      ['SET', '{t}str', 'x'], ['SUNIONSTORE', '{t}str', '{t}b'], ['TYPE', '{t}str'], ['SMEMBERS', '{t}str'],
      ['SETEX', '{t}ttl', '100', 'x'], ['SINTERSTORE', '{t}ttl', '{t}b', '{t}c'], ['TTL', '{t}ttl'],
      ['SINTER'], ['SINTERSTORE', '{t}d'], ['SUNION'], ['SDIFFSTORE', '{t}d'],
      ['SINTER', 'a', 'b'], ['SUNIONSTORE', 'a', 'b'],
    ]);
  });

  it('SINTER/SUNION/SDIFF on string and big sets (compared sorted)', async () => {
    await checkUnordered([
      ['SADD', '{t}a', 'x', 'y', 'z', '1'], ['SADD', '{t}b', 'y', 'z', 'w', '1'], ['SADD', '{t}big', ...strs(300), 'y', '1'],
      ['SINTER', '{t}a', '{t}b'], ['SINTER', '{t}a', '{t}big'], ['SUNION', '{t}a', '{t}b'], ['SUNION', '{t}a', '{t}big'],
      ['SDIFF', '{t}a', '{t}b'], ['SDIFF', '{t}big', '{t}a', '{t}b'], ['SDIFF', '{t}a', '{t}big'],
      ['SINTERSTORE', '{t}d', '{t}big', '{t}a'], ['SMEMBERS', '{t}d'], ['SUNIONSTORE', '{t}d', '{t}big', '{t}a'], ['SCARD', '{t}d'],
      ['SDIFFSTORE', '{t}d', '{t}big', '{t}a'], ['SCARD', '{t}d'], ['OBJECT', 'ENCODING', '{t}d'],
    ]);
  });

  it('SINTERCARD: numkeys, LIMIT and their errors; COMMAND GETKEYS', async () => {
    await d.check([
      ['SADD', '{t}a', '1', '2', '3', '4'], ['SADD', '{t}b', '2', '3', '4', '5'], ['SADD', '{t}s', 'x', 'y'],
      ['SINTERCARD', '2', '{t}a', '{t}b'], ['SINTERCARD', '1', '{t}a'], ['SINTERCARD', '2', '{t}a', '{t}nokey'],
      ['SINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '0'], ['SINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '2'],
      ['SINTERCARD', '2', '{t}a', '{t}b', 'limit', '9'], ['SINTERCARD', '1', '{t}a', 'LIMIT', '1', 'LIMIT', '3'],
      ['SINTERCARD', '2', '{t}a', '{t}s'], ['SINTERCARD', '1', '{t}s'],
      ['SINTERCARD', '0', '{t}a'], ['SINTERCARD', '-1', '{t}a'], ['SINTERCARD', 'x', '{t}a'], ['SINTERCARD', '3', '{t}a', '{t}b'],
      ['SINTERCARD', '1', '{t}a', 'LIMIT', '-1'], ['SINTERCARD', '1', '{t}a', 'LIMIT', 'x'], ['SINTERCARD', '1', '{t}a', 'LIMIT'],
      ['SINTERCARD', '1', '{t}a', 'FOO'], ['SINTERCARD', '1'], ['SINTERCARD', '2', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['COMMAND', 'GETKEYS', 'SINTERCARD', '1', 'a'],
      ['COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm'], ['COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b'],
    ]);
  });
});

describe('sets (differential): SPOP / SRANDMEMBER / SSCAN', () => {
  it('deterministic cases: whole set, zero counts, missing keys, errors', async () => {
    await d.check([
      ['SADD', 's', '5', '3', '1'], ['SPOP', 's', '0'], ['SRANDMEMBER', 's', '0'], ['SRANDMEMBER', 's', '3'],
      ['SRANDMEMBER', 's', '9223372036854775807'], ['SPOP', 's', '10'], ['EXISTS', 's'],
      ['SADD', 'one', '7'], ['SPOP', 'one'], ['EXISTS', 'one'], ['SADD', 'one', '7'], ['SRANDMEMBER', 'one'],
      ['SRANDMEMBER', 'one', '-3'], ['SPOP', 'one', '1'], ['EXISTS', 'one'],
      ['SPOP', 'nokey'], ['SPOP', 'nokey', '3'], ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'nokey', '3'], ['SRANDMEMBER', 'nokey', '-3'],
      ['SPOP', 's', '-1'], ['SPOP', 's', 'x'], ['SPOP', 's', '1', '2'], ['SRANDMEMBER', 's', 'x'], ['SRANDMEMBER', 's', '1', '2'],
      ['SRANDMEMBER', 's', '-9223372036854775808'], ['SPOP', 'nokey', '-1'], ['SRANDMEMBER', 'nokey', 'x'],
      ['SPOP'], ['SRANDMEMBER'],
    ]);
  });

  it('random pops and picks return members of the set, as many as Redis (compared sorted)', async () => {
    for (const proto of [2, 3] as Proto[]) {
      for (const base of [ints(0, 20), strs(20), strs(300)]) {
        await d.pair(['FLUSHALL'], proto);
        await d.pair(['SADD', 's', ...base], proto);
        const universe = new Set(base);
        for (const cmd of [['SPOP', 's', '2'], ['SPOP', 's', '15'], ['SPOP', 's'], ['SRANDMEMBER', 's', '3'],
          ['SRANDMEMBER', 's', '-30'], ['SRANDMEMBER', 's', '2'], ['SRANDMEMBER', 's']] as Cmd[]) {
          const { redis, kf } = await d.pair(cmd, proto);
          const r = members(redis);
          const k = members(kf);
          expect(k.length, JSON.stringify(cmd)).toBe(r.length);
          expect(redis.slice(0, 1), JSON.stringify(cmd)).toBe(kf.slice(0, 1)); // same reply type
          for (const m of k) expect(universe.has(m)).toBe(true);
          if (cmd[0] !== 'SRANDMEMBER' || Number(cmd[2]) >= 0) expect(new Set(k).size).toBe(k.length);
          if (cmd[0] === 'SPOP') for (const m of k) {
            universe.delete(m);
            expect((await d.pair(['SISMEMBER', 's', m], proto)).kf).toBe(':0\r\n');
          }
          expect((await d.pair(['SCARD', 's'], proto)).kf).toBe((await d.pair(['SCARD', 's'], proto)).redis);
        }
      }
    }
  });

  it('SSCAN: packed sets in one call, big sets over several, options and errors', async () => {
    await d.check([
      ['SADD', 's', '1', '2', '3', '10', '20'], ['SSCAN', 's', '0'], ['SSCAN', 's', '0', 'MATCH', '1*'],
      ['SSCAN', 's', '0', 'COUNT', '1'], ['SSCAN', 's', '99'], ['SSCAN', 's', '-1'], ['SSCAN', 's', '0', 'match', '*[ '],
      ['SSCAN', 's', 'x'], ['SSCAN', 's', '0', 'COUNT', '0'], ['SSCAN', 's', '0', 'COUNT', 'x'], ['SSCAN', 's', '0', 'COUNT', '-1'],
      ['SSCAN', 's', '0', 'TYPE', 'set'], ['SSCAN', 's', '0', 'MATCH'], ['SSCAN', 's', '0', 'NOVALUES'],
      ['SSCAN', 'nokey', '0'], ['SSCAN', 'nokey', '0', 'COUNT', '0'], ['SSCAN', 'nokey', 'x'], ['SSCAN', 's'],
    ]);
    await checkUnordered([['SADD', 'p', 'a', 'b', 'c'], ['SSCAN', 'p', '0'], ['SSCAN', 'p', '0', 'MATCH', 'a']]);
    for (const proto of [2, 3] as Proto[]) {
      await d.pair(['FLUSHALL'], proto);
      await d.pair(['SADD', 'big', ...strs(1000)], proto);
      const all = async (side: 'redis' | 'kf', match?: string) => {
        const seen = new Set<string>();
        let cursor = '0';
        let calls = 0;
        do {
          const cmd: Cmd = ['SSCAN', 'big', cursor, 'COUNT', '50', ...(match ? ['MATCH', match] : [])];
          const raw = (await d.pair(cmd, proto))[side];
          const f = parseReply(raw, 0)!.frame as { v: Frame[] };
          cursor = (f.v[0] as { v: string }).v;
          for (const m of (f.v[1] as { v: Frame[] }).v) seen.add((m as { v: string }).v);
          calls++;
        } while (cursor !== '0' && calls < 1000);
        return { seen, calls };
      };
      const r = await all('redis');
      const k = await all('kf');
      expect([...k.seen].sort()).toEqual([...r.seen].sort());
      expect(k.calls).toBeGreaterThan(1);
      expect([...(await all('kf', 'm1*')).seen].sort()).toEqual([...(await all('redis', 'm1*')).seen].sort());
    }
  });

  it('SSCAN of a hashtable returns every member present for the whole scan despite changes', async () => {
    await d.pair(['FLUSHALL']);
    await d.pair(['SADD', 'big', ...strs(1000)]);
    const seen = new Set<string>();
    let cursor = '0';
    let i = 0;
    do {
      const f = parseReply((await d.pair(['SSCAN', 'big', cursor, 'COUNT', '20'])).kf, 0)!.frame as { v: Frame[] };
      cursor = (f.v[0] as { v: string }).v;
      for (const m of (f.v[1] as { v: Frame[] }).v) seen.add((m as { v: string }).v);
      // Churn: remove members the scan may not have reached yet and add new ones.
      await d.pair(['SREM', 'big', `m${999 - i}`]);
      await d.pair(['SADD', 'big', `new${i}`]);
      i++;
    } while (cursor !== '0');
    for (let j = 0; j < 1000 - i; j++) expect(seen.has(`m${j}`)).toBe(true);
  });
});
