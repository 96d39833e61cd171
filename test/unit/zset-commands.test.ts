// Sorted set behaviour Redis 7.0 cannot be the oracle for: ZRANK WITHSCORE (Redis 7.2, as its
// documentation specifies) and the log effects (checked against Redis 7.0's AOF by hand:
// ZMPOP → ZPOPMIN/ZPOPMAX key <count>, BZPOPMIN → ZPOPMIN key, BZMPOP → ZPOPMAX key <count>).
import { describe, expect, it } from 'vitest';
import { Shard } from '../../src/shard/shard.js';
import { ManualClock } from '../../src/engine/clock.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';

function shard(): Shard {
  return new Shard({ index: 0, count: 1, slots: [0, 16383] }, new ManualClock());
}

function run(s: Shard, cmds: string[][], resp: 2 | 3 = 2): { replies: string[]; effects: string[][] } {
  const r = s.exec(cmds, resp);
  return { replies: r.replies.map((f) => encodeStr(f, resp)), effects: r.effects };
}

describe('ZRANK / ZREVRANK WITHSCORE (Redis 7.2)', () => {
  it('replies [rank, score], a null array for a missing member or key, and refuses other words', () => {
    for (const enc of ['128', '0']) {
      const s = shard();
      run(s, [['CONFIG', 'SET', 'zset-max-listpack-entries', enc], ['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c']]);
      expect(run(s, [['ZRANK', 'z', 'b', 'WITHSCORE']]).replies).toEqual(['*2\r\n:1\r\n$3\r\n2.5\r\n']);
      expect(run(s, [['ZREVRANK', 'z', 'a', 'withscore']], 3).replies).toEqual(['*2\r\n:2\r\n,1\r\n']);
      expect(run(s, [['ZRANK', 'z', 'x', 'WITHSCORE'], ['ZRANK', 'none', 'x', 'WITHSCORE'], ['ZRANK', 'z', 'x']]).replies).toEqual(['*-1\r\n', '*-1\r\n', '$-1\r\n']);
      expect(run(s, [['ZRANK', 'z', 'a', 'WITHSCORES'], ['ZRANK', 'z', 'a', 'WITHSCORE', 'x']]).replies).toEqual(['-ERR syntax error\r\n', "-ERR wrong number of arguments for 'zrank' command\r\n"]);
    }
  });
});

describe('log effects', () => {
  it('pops are logged as the ZPOPMIN/ZPOPMAX Redis 7.0 propagates', () => {
    const s = shard();
    run(s, [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f']]);
    expect(run(s, [['ZPOPMIN', 'z']]).effects).toEqual([['ZPOPMIN', 'z']]);
    expect(run(s, [['zpopmax', 'z', '2']]).effects).toEqual([['zpopmax', 'z', '2']]);
    expect(run(s, [['ZMPOP', '2', 'none', 'z', 'MIN']]).effects).toEqual([['ZPOPMIN', 'z', '1']]);
    expect(run(s, [['BZPOPMIN', 'z', '0']]).effects).toEqual([['ZPOPMIN', 'z']]);
    expect(run(s, [['BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '10']]).effects).toEqual([['ZPOPMAX', 'z', '10']]);
    expect(run(s, [['EXISTS', 'z'], ['ZPOPMIN', 'z', '5'], ['ZMPOP', '1', 'z', 'MIN']]).effects).toEqual([]);
  });

  it('ZADD INCR and ZINCRBY are logged as received; no-ops are not logged; random reads never', () => {
    const s = shard();
    expect(run(s, [['ZADD', 'y', '1', 'a'], ['ZADD', 'y', 'INCR', '2', 'a'], ['ZINCRBY', 'y', '1.5', 'a']]).effects).toEqual([
      ['ZADD', 'y', '1', 'a'], ['ZADD', 'y', 'INCR', '2', 'a'], ['ZINCRBY', 'y', '1.5', 'a'],
    ]);
    expect(run(s, [['ZADD', 'y', 'GT', 'CH', '1', 'a'], ['ZADD', 'y', '4.5', 'a'], ['ZRANDMEMBER', 'y', '-5'], ['ZREM', 'y', 'x']]).effects).toEqual([]);
  });

  it('replaying the log rebuilds the same sets', () => {
    const a = shard();
    const log: string[][] = [];
    const script = [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZINCRBY', 'z', '5', 'a'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '2'],
      ['ZADD', 'w', '1', 'x', '2', 'y'], ['ZUNIONSTORE', 'u', '2', 'z', 'w', 'WEIGHTS', '2', '3'], ['ZRANGESTORE', 'r', 'u', '0', '0'],
      ['BZPOPMAX', 'w', '1'], ['ZREMRANGEBYSCORE', 'u', '6', '6'],
    ];
    for (const c of script) log.push(...run(a, [c]).effects);
    const b = shard();
    b.replay(log);
    for (const k of ['z', 'w', 'u', 'r']) {
      expect(run(b, [['ZRANGE', k, '0', '-1', 'WITHSCORES']]).replies).toEqual(run(a, [['ZRANGE', k, '0', '-1', 'WITHSCORES']]).replies);
    }
  });
});
