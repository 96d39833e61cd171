// Differential tests of the sorted set family against real Redis 7.0: every command, option and
// error path, small (listpack) and big (skiplist) encodings, RESP2 and RESP3.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

/** ZADD of n members m0..m(n-1) with scores i * step. */
function zaddMany(key: string, n: number, step = 1, prefix = 'm'): Cmd {
  const c: Cmd = ['ZADD', key];
  for (let i = 0; i < n; i++) c.push(String(i * step), `${prefix}${i}`);
  return c;
}

/** Run a script on a small set and on the same set forced big (entries threshold 0 converts). */
async function bothEncodings(setup: Cmd[], script: Cmd[]): Promise<void> {
  await d.check([['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ...setup, ['OBJECT', 'ENCODING', 'z'], ...script]);
  await d.check([['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ...setup, ['OBJECT', 'ENCODING', 'z'], ...script, ['CONFIG', 'SET', 'zset-max-listpack-entries', '128']]);
}

describe('ZADD / ZINCRBY', () => {
  it('options, replies and errors', async () => {
    await bothEncodings([], [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
      ['ZADD', 'z', '1', 'a'],
      ['ZADD', 'z', 'CH', '5', 'a', '6', 'new'],
      ['ZADD', 'z', 'NX', '10', 'a', '11', 'nx1'],
      ['ZADD', 'z', 'XX', '10', 'a', '11', 'xx1'],
      ['ZADD', 'z', 'XX', 'CH', '12', 'a', '11', 'xx1'],
      ['ZADD', 'z', 'GT', 'CH', '1', 'a', '20', 'b'],
      ['ZADD', 'z', 'LT', 'CH', '100', 'a', '0', 'c'],
      ['ZADD', 'z', 'GT', 'XX', 'CH', '30', 'b', '1', 'zz'],
      ['ZADD', 'z', 'INCR', '2.5', 'a'],
      ['ZADD', 'z', 'INCR', 'NX', '2.5', 'a'],
      ['ZADD', 'z', 'INCR', 'XX', '2.5', 'missing'],
      ['ZADD', 'z', 'INCR', 'GT', '-1', 'a'],
      ['ZADD', 'z', 'INCR', 'LT', '-1', 'a'],
      ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'],
      ['ZADD', 'z', 'NX', 'XX', '1', 'a'],
      ['ZADD', 'z', 'NX', 'GT', '1', 'a'],
      ['ZADD', 'z', 'LT', 'GT', '1', 'a'],
      ['ZADD', 'z', 'NX', 'LT', '1', 'a'],
      ['ZADD', 'z', '1'],
      ['ZADD', 'z', 'NX'],
      ['ZADD', 'z', '1', 'a', '2'],
      ['ZADD', 'z', 'abc', 'a'],
      ['ZADD', 'z', '1', 'a', 'nan', 'b'],
      ['ZADD', 'z', 'inf', 'pinf', '-inf', 'ninf', '+inf', 'pinf2'],
      ['ZADD', 'z', 'INCR', '-inf', 'pinf'],
      ['ZADD', 'z', '1e400', 'x'],
      ['ZADD', 'z', '0x10', 'hex', '1e3', 'exp', '-0', 'negz', '0.1', 'tenth', '1.5e-7', 'small'],
      ['ZADD', 'z', ' 1', 'sp'],
      ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ['ZSCORE', 'z', 'negz'],
      ['ZINCRBY', 'z', '1', 'a'],
      ['ZINCRBY', 'z', '1.1', 'fresh'],
      ['ZINCRBY', 'z', 'x', 'a'],
      ['ZINCRBY', 'z', 'inf', 'pinf'],
      ['ZINCRBY', 'z', '-inf', 'pinf'],
      ['ZINCRBY', 'nokey', '3', 'm'],
      ['ZADD', 'nokey2', 'XX', '1', 'a'],
      ['EXISTS', 'nokey2'],
      ['ZADD', 'nokey3', 'XX', 'INCR', '1', 'a'],
      ['SET', 'str', 'v'],
      ['ZADD', 'str', '1', 'a'],
      ['ZADD', 'str', 'x', 'a'],
      ['ZINCRBY', 'str', '1', 'a'],
      ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ['ZCARD', 'z'],
    ]);
  });

  it('scores print as Redis prints doubles', async () => {
    await d.check([
      ['ZADD', 'z', '0.1', 'a', '1e20', 'b', '123456789012345678', 'c', '3.0', 'd', '-1.5e-300', 'e', '1.7976931348623157e308', 'f', '5e-324', 'g'],
      ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ['ZSCORE', 'z', 'a'],
      ['ZMSCORE', 'z', 'a', 'nope', 'b'],
      ['ZSCAN', 'z', '0'],
      ['ZINCRBY', 'z', '0.2', 'a'],
    ]);
  });
});

describe('ZREM / ZCARD / ZSCORE / ZMSCORE / ZRANK', () => {
  it('basics and errors', async () => {
    await bothEncodings([['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '3', 'cc', '4', 'd']], [
      ['ZCARD', 'z'], ['ZCARD', 'nokey'],
      ['ZSCORE', 'z', 'c'], ['ZSCORE', 'z', 'x'], ['ZSCORE', 'nokey', 'x'],
      ['ZMSCORE', 'z', 'a', 'x', 'd'], ['ZMSCORE', 'nokey', 'a', 'b'], ['ZMSCORE', 'z'],
      ['ZRANK', 'z', 'a'], ['ZRANK', 'z', 'cc'], ['ZRANK', 'z', 'x'], ['ZRANK', 'nokey', 'x'],
      ['ZREVRANK', 'z', 'a'], ['ZREVRANK', 'z', 'd'], ['ZREVRANK', 'z', 'x'],
      ['ZREM', 'z', 'a', 'x', 'a'], ['ZREM', 'nokey', 'a'], ['ZREM', 'z'],
      ['ZREM', 'z', 'b', 'c', 'cc', 'd', 'e'], ['EXISTS', 'z'],
      ['SET', 's', 'v'],
      ['ZCARD', 's'], ['ZSCORE', 's', 'a'], ['ZMSCORE', 's', 'a'], ['ZRANK', 's', 'a'], ['ZREM', 's', 'a'],
    ]);
  });
});

describe('ranges', () => {
  const setup: Cmd[] = [['ZADD', 'z', '1', 'a', '2', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '-inf', 'ninf', 'inf', 'pinf']];
  it('ZRANGE by rank, REV, WITHSCORES, ZREVRANGE', async () => {
    await bothEncodings(setup, [
      ['ZRANGE', 'z', '0', '-1'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'z', '2', '4', 'withscores'],
      ['ZRANGE', 'z', '-3', '-1'], ['ZRANGE', 'z', '-100', '100'], ['ZRANGE', 'z', '5', '2'], ['ZRANGE', 'z', '100', '200'],
      ['ZRANGE', 'z', '0', '2', 'REV'], ['ZRANGE', 'z', '0', '-1', 'REV', 'WITHSCORES'], ['ZRANGE', 'z', '-2', '-1', 'REV'],
      ['ZREVRANGE', 'z', '0', '2'], ['ZREVRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZREVRANGE', 'z', '1', '1', 'REV'],
      ['ZRANGE', 'z', 'a', '1'], ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'], ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '-1'],
      ['ZRANGE', 'z', '0', '1', 'BYLEX', 'WITHSCORES'], ['ZRANGE', 'z', '0', '1', 'foo'], ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'],
      ['ZRANGE', 'z', '0', '1', 'LIMIT', '0'], ['ZRANGE', 'z', '0', '1', 'LIMIT', 'x', '1', 'BYSCORE'],
      ['ZRANGE', 'nokey', '0', '-1'], ['ZRANGE', 'nokey', '0', '-1', 'WITHSCORES'],
      ['ZRANGE', 'z', '9223372036854775807', '-9223372036854775808'], ['ZRANGE', 'z', '0', '9223372036854775808'],
    ]);
  });

  it('BYSCORE ranges, exclusivity, LIMIT, ZCOUNT', async () => {
    await bothEncodings(setup, [
      ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '2', '4'], ['ZRANGEBYSCORE', 'z', '(2', '4'],
      ['ZRANGEBYSCORE', 'z', '2', '(4'], ['ZRANGEBYSCORE', 'z', '(2', '(2'], ['ZRANGEBYSCORE', 'z', '2', '2'], ['ZRANGEBYSCORE', 'z', '4', '2'],
      ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '1', '3'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '1', '-1'],
      ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '-1', '3'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '100', '3'],
      ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '2', '0'], ['ZRANGEBYSCORE', 'z', '1', '5', 'WITHSCORES', 'LIMIT', '1', '2'],
      ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf'], ['ZREVRANGEBYSCORE', 'z', '4', '(2', 'WITHSCORES'], ['ZREVRANGEBYSCORE', 'z', '2', '4'],
      ['ZREVRANGEBYSCORE', 'z', 'inf', '-inf', 'LIMIT', '2', '3'],
      ['ZRANGE', 'z', '(1', '4', 'BYSCORE', 'WITHSCORES'], ['ZRANGE', 'z', '4', '(1', 'BYSCORE', 'REV', 'LIMIT', '1', '2'],
      ['ZRANGE', 'z', '1', '4', 'BYSCORE', 'LIMIT', '1', '1', 'WITHSCORES', 'REV'],
      ['ZRANGEBYSCORE', 'z', 'x', '1'], ['ZRANGEBYSCORE', 'z', '1', 'nan'], ['ZRANGEBYSCORE', 'z', '(', '5'], ['ZRANGEBYSCORE', 'z', '', '5'],
      ['ZRANGEBYSCORE', 'z', ' 1', '5'], ['ZRANGEBYSCORE', 'z', '1e400', '1e500'], ['ZRANGEBYSCORE', 'z', '1', '2', 'BYSCORE'],
      ['ZRANGEBYSCORE', 'z', '1', '2', 'REV'], ['ZREVRANGE', 'z', '0', '1', 'BYSCORE'],
      ['ZCOUNT', 'z', '-inf', '+inf'], ['ZCOUNT', 'z', '(2', '5'], ['ZCOUNT', 'z', '2', '(2'], ['ZCOUNT', 'z', '3', '1'],
      ['ZCOUNT', 'z', 'a', 'b'], ['ZCOUNT', 'nokey', '0', '1'], ['ZCOUNT', 'nokey', 'x', '1'],
    ]);
  });

  it('BYLEX ranges and ZLEXCOUNT', async () => {
    await bothEncodings([['ZADD', 'z', '0', 'a', '0', 'b', '0', 'c', '0', 'cc', '0', 'd', '0', 'e', '0', '', '0', '\xff']], [
      ['ZRANGEBYLEX', 'z', '-', '+'], ['ZRANGEBYLEX', 'z', '[b', '[d'], ['ZRANGEBYLEX', 'z', '(b', '(d'], ['ZRANGEBYLEX', 'z', '[c', '(c'],
      ['ZRANGEBYLEX', 'z', '[d', '[b'], ['ZRANGEBYLEX', 'z', '+', '-'], ['ZRANGEBYLEX', 'z', '-', '[c', 'LIMIT', '1', '2'],
      ['ZRANGEBYLEX', 'z', '-', '+', 'LIMIT', '-1', '2'], ['ZRANGEBYLEX', 'z', '[', '+'], ['ZRANGEBYLEX', 'z', '(', '+'],
      ['ZREVRANGEBYLEX', 'z', '+', '-'], ['ZREVRANGEBYLEX', 'z', '[d', '(b', 'LIMIT', '1', '5'],
      ['ZRANGE', 'z', '[b', '[d', 'BYLEX'], ['ZRANGE', 'z', '[d', '[b', 'BYLEX', 'REV'], ['ZRANGE', 'z', '-', '+', 'BYLEX', 'LIMIT', '2', '2'],
      ['ZRANGEBYLEX', 'z', 'a', '+'], ['ZRANGEBYLEX', 'z', '-x', '+'], ['ZRANGEBYLEX', 'z', '-', '+x'], ['ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES'],
      ['ZLEXCOUNT', 'z', '-', '+'], ['ZLEXCOUNT', 'z', '[b', '(d'], ['ZLEXCOUNT', 'z', 'b', 'd'], ['ZLEXCOUNT', 'nokey', '-', '+'],
    ]);
  });

  it('ZRANGESTORE', async () => {
    await d.check([
      ...setup.map((c) => c.map((x) => (x === 'z' ? '{t}z' : x))),
      ['ZRANGESTORE', '{t}d', '{t}z', '0', '2'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', '{t}d'],
      ['ZRANGESTORE', '{t}d', '{t}z', '1', '(4', 'BYSCORE', 'REV'], ['ZRANGESTORE', '{t}d', '{t}z', '4', '(1', 'BYSCORE', 'REV', 'LIMIT', '0', '2'],
      ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', '{t}d', '{t}z', '0', '-1', 'REV'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', '{t}d', '{t}z', '[a', '[c', 'BYLEX'],
      ['ZRANGESTORE', '{t}d', '{t}z', '5', '1'], ['EXISTS', '{t}d'],
      ['ZRANGESTORE', '{t}d', '{t}nokey', '0', '-1'], ['ZRANGESTORE', '{t}d', '{t}z', '0', '1', 'WITHSCORES'],
      ['SET', '{t}s', 'x'], ['ZRANGESTORE', '{t}d', '{t}s', '0', '-1'], ['ZRANGESTORE', '{t}s', '{t}z', '0', '1'], ['TYPE', '{t}s'],
      ['SET', '{t}d', 'x'], ['EXPIRE', '{t}d', '100'], ['ZRANGESTORE', '{t}d', '{t}z', '0', '1'], ['TTL', '{t}d'],
      ['ZRANGESTORE', '{t}a', '{u}b', '0', '1'],
    ]);
  });

  it('ZREMRANGEBYRANK / BYSCORE / BYLEX', async () => {
    await bothEncodings(setup, [
      ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZREMRANGEBYRANK', 'z', '-2', '-1'], ['ZREMRANGEBYRANK', 'z', '5', '1'],
      ['ZREMRANGEBYRANK', 'z', '100', '101'], ['ZREMRANGEBYRANK', 'z', 'x', '1'], ['ZRANGE', 'z', '0', '-1'],
      ['ZREMRANGEBYSCORE', 'z', '(1', '2'], ['ZREMRANGEBYSCORE', 'z', 'x', '2'], ['ZRANGE', 'z', '0', '-1'],
      ['ZREMRANGEBYLEX', 'z', '[d', '[d'], ['ZREMRANGEBYLEX', 'z', 'd', '[d'], ['ZRANGE', 'z', '0', '-1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['ZREMRANGEBYRANK', 'z', '0', '-1'], ['EXISTS', 'z'],
      ['ZREMRANGEBYRANK', 'nokey', '0', '-1'], ['ZREMRANGEBYSCORE', 'nokey', '-inf', 'inf'], ['ZREMRANGEBYLEX', 'nokey', '-', '+'],
      ['SET', 's', 'x'], ['ZREMRANGEBYRANK', 's', '0', '1'], ['ZREMRANGEBYSCORE', 's', 'x', '1'],
    ]);
  });

  it('wrong types everywhere', async () => {
    await d.check([
      ['SET', 's', 'x'],
      ['ZRANGE', 's', '0', '1'], ['ZRANGEBYSCORE', 's', '0', '1'], ['ZRANGEBYLEX', 's', '-', '+'], ['ZCOUNT', 's', '0', '1'],
      ['ZLEXCOUNT', 's', '-', '+'], ['ZPOPMIN', 's'], ['ZRANDMEMBER', 's'], ['ZRANDMEMBER', 's', '2'], ['ZSCAN', 's', '0'],
      ['ZUNION', '1', 's'], ['ZMPOP', '1', 's', 'MIN'], ['BZPOPMIN', 's', '0'],
    ]);
  });
});

describe('pops', () => {
  it('ZPOPMIN / ZPOPMAX', async () => {
    await bothEncodings([['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']], [
      ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z', '2'], ['ZPOPMAX', 'z', '0'], ['ZPOPMIN', 'z', '-1'], ['ZPOPMIN', 'z', 'x'],
      ['ZPOPMIN', 'z', '1', '2'], ['ZPOPMAX', 'z', '10'], ['EXISTS', 'z'], ['ZPOPMIN', 'z'], ['ZPOPMIN', 'z', '3'], ['ZPOPMIN', 'z', '0'],
      ['SET', 's', 'x'], ['ZPOPMIN', 's', '0'], ['ZPOPMAX', 's'],
    ]);
  });

  it('ZMPOP and the non-blocking side of BZPOPMIN / BZPOPMAX / BZMPOP', async () => {
    await d.check([
      ['ZADD', '{t}a', '1', 'x', '2', 'y', '3', 'z'], ['ZADD', '{t}b', '5', 'p'],
      ['ZMPOP', '1', '{t}a', 'MIN'], ['ZMPOP', '2', '{t}none', '{t}a', 'max', 'COUNT', '5'], ['ZMPOP', '2', '{t}none', '{t}a', 'MIN'],
      ['ZMPOP', '1', '{t}b', 'MAX', 'COUNT', '10'], ['ZMPOP', '1', '{t}b', 'MIN'],
      ['ZMPOP', '0', '{t}a', 'MIN'], ['ZMPOP', 'x', '{t}a', 'MIN'], ['ZMPOP', '-1', '{t}a', 'MIN'], ['ZMPOP', '3', '{t}a', 'MIN'],
      ['ZMPOP', '1', '{t}a', 'MID'], ['ZMPOP', '1', '{t}a', 'MIN', 'COUNT'], ['ZMPOP', '1', '{t}a', 'MIN', 'COUNT', '0'],
      ['ZMPOP', '1', '{t}a', 'MIN', 'COUNT', 'x'], ['ZMPOP', '1', '{t}a', 'MIN', 'COUNT', '1', 'COUNT', '1'], ['ZMPOP', '1', '{t}a', 'MIN', 'foo'],
      ['ZADD', '{t}a', '1', 'x', '2', 'y', '3', 'z'],
      ['BZPOPMIN', '{t}none', '{t}a', '0'], ['BZPOPMAX', '{t}a', '1.5'], ['BZMPOP', '0', '2', '{t}none', '{t}a', 'MIN', 'COUNT', '3'],
      ['BZPOPMIN', '{t}a', '-1'], ['BZPOPMIN', '{t}a', 'x'], ['BZMPOP', '-1', '1', '{t}a', 'MIN'], ['BZMPOP', '0', '0', '{t}a', 'MIN'],
      ['SET', '{t}s', 'v'], ['BZPOPMIN', '{t}s', '0'], ['BZMPOP', '0', '1', '{t}s', 'MAX'], ['ZMPOP', '2', '{t}a', '{t}s', 'MIN'],
      ['ZMPOP', '2', '{t}a', '{u}b', 'MIN'],
    ]);
  });

  it('timeouts as Redis 7.0 parses them: inf and 1e400 negative, sub-ms rounds up; BZMPOP checks the rest first', async () => {
    await d.check([
      ['BZPOPMIN', '{t}z', 'inf'], ['BZPOPMIN', '{t}z', '1e400'], ['BZPOPMAX', '{t}z', '-inf'], ['BZPOPMIN', '{t}z', 'nan'],
      ['BZPOPMIN', '{t}z', '0.0001'], ['BZPOPMAX', '{t}z', '0.0005'], ['BZMPOP', '0.0001', '1', '{t}z', 'MIN'], ['BZMPOP', 'inf', '1', '{t}z', 'MIN'],
      ['BZMPOP', 'x', '1', '{t}z', 'MIN', 'COUNT', '0'], ['BZMPOP', 'x', '0', '{t}z', 'MIN'], ['BZMPOP', 'x', '1', '{t}z', 'FOO'],
      ['BZMPOP', 'x', '1', '{t}z', 'MIN'],
    ]);
  });

  it('a blocking pop with nothing to serve times out with a null array', async () => {
    await d.check([['BZPOPMIN', 'nokey', '0.01'], ['BZMPOP', '0.01', '1', 'nokey', 'MAX']]);
  });
});

describe('set operations', () => {
  it('ZUNION / ZINTER / ZDIFF with WEIGHTS, AGGREGATE, WITHSCORES', async () => {
    const base: Cmd[] = [
      ['ZADD', '{t}a', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', '{t}b', '10', 'b', '20', 'c', '30', 'd'],
      ['ZADD', '{t}c', 'inf', 'a', '-inf', 'b', '5', 'c'],
    ];
    await d.check([
      ...base,
      ['ZUNION', '2', '{t}a', '{t}b'], ['ZUNION', '2', '{t}a', '{t}b', 'WITHSCORES'], ['ZUNION', '3', '{t}a', '{t}b', '{t}c', 'WITHSCORES'],
      ['ZUNION', '2', '{t}a', '{t}b', 'WEIGHTS', '2', '0.5', 'WITHSCORES'], ['ZUNION', '2', '{t}a', '{t}b', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZUNION', '2', '{t}a', '{t}b', 'AGGREGATE', 'max', 'WEIGHTS', '1', '-1', 'WITHSCORES'],
      ['ZUNION', '2', '{t}a', '{t}c', 'WEIGHTS', '0', '0', 'WITHSCORES'], ['ZUNION', '2', '{t}c', '{t}c', 'WITHSCORES'],
      ['ZINTER', '2', '{t}a', '{t}b', 'WITHSCORES'], ['ZINTER', '3', '{t}a', '{t}b', '{t}c', 'WITHSCORES'], ['ZINTER', '2', '{t}a', '{t}nokey'],
      ['ZINTER', '2', '{t}a', '{t}c', 'AGGREGATE', 'SUM', 'WITHSCORES'],
      ['ZDIFF', '2', '{t}a', '{t}b', 'WITHSCORES'], ['ZDIFF', '1', '{t}a'], ['ZDIFF', '2', '{t}nokey', '{t}a'], ['ZDIFF', '2', '{t}a', '{t}nokey', 'WITHSCORES'],
      ['ZDIFF', '2', '{t}a', '{t}b', 'WEIGHTS', '1', '2'], ['ZDIFF', '2', '{t}a', '{t}b', 'AGGREGATE', 'MIN'],
      ['ZUNION', '0', '{t}a'], ['ZUNION', '-1', '{t}a'], ['ZUNION', 'x', '{t}a'], ['ZUNION', '3', '{t}a', '{t}b'],
      ['ZUNION', '2', '{t}a', '{t}b', 'WEIGHTS', '1'], ['ZUNION', '2', '{t}a', '{t}b', 'WEIGHTS', '1', 'x'], ['ZUNION', '2', '{t}a', '{t}b', 'WEIGHTS', '1', 'nan'],
      ['ZUNION', '2', '{t}a', '{t}b', 'AGGREGATE', 'AVG'], ['ZUNION', '2', '{t}a', '{t}b', 'AGGREGATE'], ['ZUNION', '2', '{t}a', '{t}b', 'FOO'],
      ['ZINTER', '0', '{t}a'], ['ZDIFF', '0', '{t}a'],
      ['SET', '{t}s', 'x'], ['ZUNION', '2', '{t}a', '{t}s'], ['ZINTER', '2', '{t}nokey', '{t}s'], ['ZUNION', '2', '{t}s', '{t}a', 'FOO'],
      ['ZUNION', '2', '{t}a', '{u}b'],
    ]);
  });

  it('the STORE forms and ZINTERCARD', async () => {
    await d.check([
      ['ZADD', '{t}a', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', '{t}b', '10', 'b', '20', 'c', '30', 'd'],
      ['ZUNIONSTORE', '{t}d', '2', '{t}a', '{t}b'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', '{t}d'],
      ['ZINTERSTORE', '{t}d', '2', '{t}a', '{t}b', 'WEIGHTS', '1', '3', 'AGGREGATE', 'MAX'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['ZDIFFSTORE', '{t}d', '2', '{t}b', '{t}a'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['ZINTERSTORE', '{t}d', '2', '{t}a', '{t}nokey'], ['EXISTS', '{t}d'], ['ZINTERSTORE', '{t}d', '2', '{t}a', '{t}nokey'],
      ['ZUNIONSTORE', '{t}a', '2', '{t}a', '{t}b'], ['ZRANGE', '{t}a', '0', '-1', 'WITHSCORES'],
      ['ZUNIONSTORE', '{t}d', '1', '{t}a', 'WITHSCORES'], ['ZUNIONSTORE', '{t}d', '0', '{t}a'], ['ZDIFFSTORE', '{t}d', '0', '{t}a'],
      ['SET', '{t}s', 'x'], ['ZUNIONSTORE', '{t}s', '1', '{t}a'], ['TYPE', '{t}s'], ['ZUNIONSTORE', '{t}d', '1', '{t}s'],
      ['ZINTERCARD', '2', '{t}a', '{t}b'], ['ZINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '1'], ['ZINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '0'],
      ['ZINTERCARD', '1', '{t}nokey'], ['ZINTERCARD', '0', '{t}a'], ['ZINTERCARD', 'x', '{t}a'], ['ZINTERCARD', '3', '{t}a', '{t}b'],
      ['ZINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', '-1'], ['ZINTERCARD', '2', '{t}a', '{t}b', 'LIMIT', 'x'], ['ZINTERCARD', '2', '{t}a', '{t}b', 'LIMIT'],
      ['ZINTERCARD', '2', '{t}a', '{t}b', 'FOO', '1'], ['ZINTERCARD', '2', '{t}a', '{t}s'],
      ['ZUNIONSTORE', '{u}d', '1', '{t}a'],
    ]);
  });

  it('big inputs (skiplist) and results that fit listpack again', async () => {
    await d.check([
      zaddMany('{t}big', 200, 0.5), zaddMany('{t}big2', 150, 2),
      ['OBJECT', 'ENCODING', '{t}big'],
      ['ZUNIONSTORE', '{t}u', '2', '{t}big', '{t}big2'], ['OBJECT', 'ENCODING', '{t}u'], ['ZRANGE', '{t}u', '0', '20', 'WITHSCORES'],
      ['ZINTERSTORE', '{t}i', '2', '{t}big', '{t}big2', 'AGGREGATE', 'MIN'], ['OBJECT', 'ENCODING', '{t}i'], ['ZCARD', '{t}i'],
      ['ZRANGESTORE', '{t}r', '{t}big', '0', '9'], ['OBJECT', 'ENCODING', '{t}r'],
      ['ZRANGESTORE', '{t}r', '{t}big', '0', '127'], ['OBJECT', 'ENCODING', '{t}r'],
      ['ZRANGESTORE', '{t}r', '{t}big', '0', '128'], ['OBJECT', 'ENCODING', '{t}r'],
      ['ZDIFFSTORE', '{t}df', '2', '{t}big', '{t}big2'], ['OBJECT', 'ENCODING', '{t}df'], ['ZRANGE', '{t}df', '0', '-1', 'WITHSCORES'],
      ['ZINTER', '2', '{t}big', '{t}big2', 'WITHSCORES'],
    ]);
  });
});

describe('set operations over plain sets (members of score 1)', () => {
  it('every form reads a set (intset or hashtable), with WEIGHTS and AGGREGATE; STORE writes the destination', async () => {
    await d.check([
      ['SADD', '{y}z0', '3'], ['ZINTER', '1', '{y}z0'],
      ['SADD', '{y}s1', '3', '1', 'a', 'b'], ['ZADD', '{y}z1', '2', 'a', '5', '3', '7', 'q'], ['SADD', '{y}s2', 'x', 'y', '3'],
      ['SADD', '{y}s3', '1', '3', '9', 'L'.repeat(70)],
      ['ZINTER', '2', '{y}s1', '{y}z1', 'WITHSCORES'], ['ZINTER', '3', '{y}s1', '{y}z1', '{y}s2', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZUNION', '3', '{y}s1', '{y}z1', '{y}s2', 'WEIGHTS', '2', '3', 'inf', 'WITHSCORES'],
      ['ZUNION', '4', '{y}s1', '{y}z1', '{y}s2', '{y}s3', 'WEIGHTS', '2', '3', '-1', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES'],
      ['ZDIFF', '2', '{y}s1', '{y}z1', 'WITHSCORES'], ['ZDIFF', '2', '{y}z1', '{y}s2', 'WITHSCORES'], ['ZDIFF', '2', '{y}s3', '{y}s1'],
      ['ZUNIONSTORE', '{y}d', '2', '{y}s1', '{y}s2'], ['TYPE', '{y}d'], ['ZRANGE', '{y}d', '0', '-1', 'WITHSCORES'],
      ['ZINTERSTORE', '{y}d', '2', '{y}s1', '{y}z1', 'WEIGHTS', '0', 'inf'], ['ZRANGE', '{y}d', '0', '-1', 'WITHSCORES'],
      ['ZDIFFSTORE', '{y}d', '2', '{y}s1', '{y}s2'], ['ZRANGE', '{y}d', '0', '-1', 'WITHSCORES'],
      ['ZINTERCARD', '2', '{y}s1', '{y}s2'], ['ZINTERCARD', '3', '{y}s1', '{y}z1', '{y}s3', 'LIMIT', '1'],
      ['ZINTERCARD', '1', '{y}s1', 'WEIGHTS', '1'], ['ZINTERCARD', '1', '{y}s1', 'AGGREGATE', 'SUM'],
      ['ZUNIONSTORE', '{y}s1', '2', '{y}s1', '{y}z1'], ['TYPE', '{y}s1'], ['ZRANGE', '{y}s1', '0', '-1', 'WITHSCORES'],
      ['SET', '{y}str', 'x'], ['ZUNION', '2', '{y}s2', '{y}str'],
    ]);
  });

  it('a later input\'s 0 × inf is NaN: SUM resets the running score to 0, MIN and MAX keep it', async () => {
    await d.check([
      ['ZADD', '{c}a', '-2.5', 'm'], ['ZADD', '{c}b', '0.1', 'm'], ['ZADD', '{c}c', '0', 'm'],
      ['ZINTERSTORE', '{c}d', '3', '{c}a', '{c}b', '{c}c', 'WEIGHTS', '1', '-1', '-inf'], ['ZRANGE', '{c}d', '0', '-1', 'WITHSCORES'],
      ['ZINTER', '3', '{c}a', '{c}b', '{c}c', 'WEIGHTS', '1', '-1', '-inf', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZINTER', '3', '{c}a', '{c}b', '{c}c', 'WEIGHTS', '1', '-1', '-inf', 'AGGREGATE', 'MAX', 'WITHSCORES'],
      ['ZINTER', '2', '{c}c', '{c}a', 'WEIGHTS', 'inf', '1', 'WITHSCORES'],
    ]);
  });
});

describe('lex ranges over members of different scores (what Redis\'s walks find)', () => {
  it('listpack: the first/last-member test, the scan to the first in range, the walk while in range', async () => {
    await d.check([
      ['ZADD', '{t}z', '2e2', '-7', '-1', '4', '0', 'd'], ['ZRANGEBYLEX', '{t}z', '[a', '+', 'LIMIT', '1', '-1'], ['ZRANGEBYLEX', '{t}z', '-', '+'],
      ['ZRANGEBYLEX', '{t}z', '[4', '+'], ['ZREVRANGEBYLEX', '{t}z', '+', '[0'], ['ZLEXCOUNT', '{t}z', '-', '[4'], ['ZREMRANGEBYLEX', '{t}z', '[a', '+'],
      ['ZADD', '{t}y', '-1', 'm39', '0', 'x', 'inf', 'c'], ['ZLEXCOUNT', '{t}y', '(c', '+'], ['ZLEXCOUNT', '{t}y', '[m', '+'], ['ZRANGE', '{t}y', '[m', '+', 'BYLEX'],
      ['ZRANGE', '{t}y', '+', '[a', 'BYLEX', 'REV', 'LIMIT', '1', '2'], ['ZRANGESTORE', '{t}d', '{t}y', '[a', '[y', 'BYLEX'], ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['ZADD', '{t}w', '2', 'm36', '1e10', '\r\n', '3', '4}'], ['ZREVRANGEBYLEX', '{t}w', '+', '[a'], ['ZRANGEBYLEX', '{t}w', '[4', '(n'],
      ['ZREMRANGEBYLEX', '{t}w', '[4', '+'], ['ZRANGE', '{t}w', '0', '-1'],
      ['ZADD', '{t}v', '1', 'b', '2', 'a', '3', 'c', '4', 'b2'], ['ZRANGEBYLEX', '{t}v', '[b', '+', 'LIMIT', '0', '-1'], ['ZREVRANGEBYLEX', '{t}v', '+', '-', 'LIMIT', '1', '-1'],
      ['ZLEXCOUNT', '{t}v', '[b', '[c'], ['ZREMRANGEBYLEX', '{t}v', '[b', '[c'], ['ZRANGE', '{t}v', '0', '-1'],
    ]);
  });

  it('skiplist with equal scores: the same answers through the descents', async () => {
    const members = ['a', 'aa', 'ab', 'b', 'ba', 'c', 'd', 'e', 'f', 'g'];
    await d.check([
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', '{t}z', ...members.flatMap((m) => ['0', m])], ['OBJECT', 'ENCODING', '{t}z'],
      ['ZRANGEBYLEX', '{t}z', '[aa', '(d', 'LIMIT', '1', '3'], ['ZREVRANGEBYLEX', '{t}z', '[e', '(a', 'LIMIT', '2', '-1'], ['ZLEXCOUNT', '{t}z', '(a', '[f'],
      ['ZLEXCOUNT', '{t}z', '[x', '+'], ['ZLEXCOUNT', '{t}z', '-', '(a'], ['ZRANGE', '{t}z', '[c', '[b', 'BYLEX'], ['ZREMRANGEBYLEX', '{t}z', '(ab', '[c'], ['ZRANGE', '{t}z', '0', '-1'],
      ['ZREMRANGEBYLEX', '{t}z', '[c', '[b'], ['ZCARD', '{t}z'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ]);
  });
});

describe('ZRANGESTORE and -0', () => {
  it('entries stored while the destination is still a listpack lose the sign of -0', async () => {
    await d.check([
      ['CONFIG', 'SET', 'zset-max-listpack-value', '5'],
      ['ZADD', '{c}z', '1', 'bbbbbbbbbbbbbbb'], ['ZADD', '{c}z', '-0', 'a'], ['ZSCORE', '{c}z', 'a'],
      ['ZRANGESTORE', '{c}d', '{c}z', '0', '-1'], ['ZSCORE', '{c}d', 'a'],
      ['ZRANGESTORE', '{c}d', '{c}z', '+inf', '-inf', 'BYSCORE', 'REV'], ['ZSCORE', '{c}d', 'a'],
      ['ZRANGESTORE', '{c}d', '{c}z', '0', '-1', 'REV'], ['ZSCORE', '{c}d', 'a'],
      ['ZADD', '{c}z', '-0', 'a0', '-0', 'a1'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
      ['ZRANGESTORE', '{c}d', '{c}z', '0', '-1'], ['ZRANGE', '{c}d', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', '{c}d', '{c}z', '-inf', '+inf', 'BYSCORE'], ['ZRANGE', '{c}d', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', '{c}d', '{c}z', '0', '1'], ['ZRANGE', '{c}d', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', '{c}d', '{c}z', '[a', '[b', 'BYLEX'], ['ZRANGE', '{c}d', '0', '-1', 'WITHSCORES'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
    ]);
  });
});

describe('encodings', () => {
  it('listpack → skiplist at the entry and value thresholds, never back', async () => {
    await d.check([
      zaddMany('z', 128), ['OBJECT', 'ENCODING', 'z'], ['ZADD', 'z', '1000', 'one-more'], ['OBJECT', 'ENCODING', 'z'],
      ['ZREMRANGEBYRANK', 'z', '0', '-3'], ['OBJECT', 'ENCODING', 'z'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ['ZADD', 'v', '1', 'x'.repeat(64)], ['OBJECT', 'ENCODING', 'v'], ['ZADD', 'v', '1', 'y'.repeat(65)], ['OBJECT', 'ENCODING', 'v'],
      ['ZADD', 'w', '1', 'w'.repeat(65)], ['OBJECT', 'ENCODING', 'w'],
      ['ZINCRBY', 'q', '1', 'q'.repeat(65)], ['OBJECT', 'ENCODING', 'q'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'],
      ['ZADD', 'e', '1', 'a', '2', 'b', '3', 'c'], ['OBJECT', 'ENCODING', 'e'], ['ZADD', 'e', '1', 'a'], ['ZADD', 'e', '4', 'd'], ['OBJECT', 'ENCODING', 'e'],
      ['ZADD', 'f', '1', 'a', '1', 'a', '1', 'a', '1', 'a'], ['OBJECT', 'ENCODING', 'f'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'g', '1', 'a'], ['OBJECT', 'ENCODING', 'g'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['COPY', 'z', 'z2'], ['OBJECT', 'ENCODING', 'z2'], ['ZRANGE', 'z2', '0', '-1', 'WITHSCORES'], ['ZADD', 'z2', '5', 'new'], ['ZCARD', 'z'], ['ZCARD', 'z2'],
      ['COPY', 'e', 'e2'], ['OBJECT', 'ENCODING', 'e2'],
    ]);
  });

  it('a big set behaves like a small one across many operations', async () => {
    const script: Cmd[] = [zaddMany('z', 300, 1), zaddMany('z', 300, -1, 'n')];
    for (const r of [[0, 10], [-10, -1], [100, 150], [295, 305], [-700, 700]]) script.push(['ZRANGE', 'z', String(r[0]), String(r[1]), 'WITHSCORES'], ['ZRANGE', 'z', String(r[0]), String(r[1]), 'REV']);
    script.push(
      ['ZRANGEBYSCORE', 'z', '(10', '20', 'WITHSCORES'], ['ZREVRANGEBYSCORE', 'z', '20', '(-5', 'LIMIT', '3', '7'], ['ZCOUNT', 'z', '-100', '100'],
      ['ZRANK', 'z', 'm150'], ['ZREVRANK', 'z', 'n150'], ['ZRANK', 'z', 'm0'], ['ZRANK', 'z', 'n0'],
      ['ZREM', 'z', 'm1', 'm2', 'n299', 'nope'], ['ZINCRBY', 'z', '1000', 'm3'], ['ZRANGE', 'z', '-3', '-1', 'WITHSCORES'],
      ['ZREMRANGEBYSCORE', 'z', '50', '100'], ['ZCARD', 'z'], ['ZREMRANGEBYRANK', 'z', '10', '20'], ['ZRANGE', 'z', '0', '30'],
      ['ZPOPMIN', 'z', '3'], ['ZPOPMAX', 'z', '3'], ['ZCARD', 'z'], ['ZRANDMEMBER', 'z', '1000', 'WITHSCORES'],
    );
    await d.check(script);
  });
});

describe('ZRANDMEMBER', () => {
  it('deterministic shapes and errors', async () => {
    await d.check([
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
      ['ZRANDMEMBER', 'z', '0'], ['ZRANDMEMBER', 'z', '3'], ['ZRANDMEMBER', 'z', '10', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '0', 'WITHSCORES'],
      ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '5'], ['ZRANDMEMBER', 'nokey', '-5', 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', 'x'], ['ZRANDMEMBER', 'z', '1', 'FOO'], ['ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x'],
      ['ZRANDMEMBER', 'z', '-9223372036854775808'], ['ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'],
    ]);
  });

  it('random picks: members of the set, distinct for a positive count', async () => {
    await d.pair(['FLUSHALL']);
    await d.pair(['ZADD', 'r', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']);
    for (const proto of [2, 3] as const) {
      for (const cmd of [['ZRANDMEMBER', 'r', '3'], ['ZRANDMEMBER', 'r', '-8'], ['ZRANDMEMBER', 'r'], ['ZRANDMEMBER', 'r', '2', 'WITHSCORES'], ['ZRANDMEMBER', 'r', '-3', 'WITHSCORES']]) {
        const { redis, kf } = await d.pair(cmd, proto);
        // Same shape (lengths, types); members drawn from the set.
        expect(kf.replace(/[a-e1-5](?=\r\n)/g, '?')).toBe(redis.replace(/[a-e1-5](?=\r\n)/g, '?'));
        if (cmd[2] === '3') expect(new Set(kf.match(/\r\n[a-e]\r\n/g)).size).toBe(3);
      }
    }
  });
});

describe('ZSCAN', () => {
  it('small sets answer in one call; options and errors', async () => {
    await d.check([
      ['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'cc', 'inf', 'd'],
      ['ZSCAN', 'z', '0'], ['ZSCAN', 'z', '0', 'MATCH', 'c*'], ['ZSCAN', 'z', '0', 'COUNT', '1'], ['ZSCAN', 'z', '0', 'COUNT', '0'],
      ['ZSCAN', 'z', '0', 'COUNT', 'x'], ['ZSCAN', 'z', '0', 'MATCH'], ['ZSCAN', 'z', '0', 'TYPE', 'zset'], ['ZSCAN', 'z', 'x'],
      ['ZSCAN', 'nokey', '0'], ['ZSCAN', 'nokey', 'x'],
    ]);
  });

  it('a big set: every member present for the whole scan comes back', async () => {
    await d.pair(['FLUSHALL']);
    await d.pair(zaddMany('big', 500, 1.5));
    for (const proto of [2, 3] as const) {
      const seen = new Map<string, string>();
      let cursor = '0';
      let calls = 0;
      do {
        const { kf } = await d.pair(['ZSCAN', 'big', cursor, 'COUNT', '37'], proto);
        const parts = kf.split('\r\n');
        cursor = parts[2]!;
        for (let i = 4; i + 3 < parts.length; i += 4) seen.set(parts[i + 1]!, parts[i + 3]!);
        if (calls === 3) await d.pair(['ZREM', 'big', 'm499', 'm498']);
        calls++;
      } while (cursor !== '0' && calls < 1000);
      for (let i = 0; i < 498; i++) expect(seen.get(`m${i}`)).toBe(String(i * 1.5));
      await d.pair(['ZADD', 'big', '1', 'm499', '2', 'm498']);
    }
  });
});

describe('keys of numkeys commands (COMMAND GETKEYS)', () => {
  it('matches real Redis', async () => {
    await d.check([
      ['COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
      ['COMMAND', 'GETKEYS', 'ZINTER', '2', 'a', 'b'], ['COMMAND', 'GETKEYS', 'ZDIFF', '1', 'a'],
      ['COMMAND', 'GETKEYS', 'ZMPOP', '2', 'a', 'b', 'MIN'], ['COMMAND', 'GETKEYS', 'BZMPOP', '0', '2', 'a', 'b', 'MIN'],
      ['COMMAND', 'GETKEYS', 'ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['COMMAND', 'GETKEYS', 'ZRANGESTORE', 'd', 's', '0', '1'],
      ['COMMAND', 'GETKEYS', 'BZPOPMIN', 'a', 'b', '0'],
      ['COMMAND', 'GETKEYS', 'ZUNION', '5', 'a', 'b'],
    ]);
  });
});
