// Regression tests for divergences the random differential test found and h19g fixed outside
// src/commands and src/engine: DUMP's LZF bytes and stream lengths, WATCH after a timed-out
// blocking command, SAVE refused inside MULTI.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { Rng } from '../../src/engine/clock.js';

const d = useDiff();

describe('found by the random differential test', () => {
  it('DUMP of compressible strings: the same LZF bytes as Redis (liblzf HLOG 16, VERY_FAST)', async () => {
    const r = new Rng(5);
    const diffs: string[] = [];
    for (let i = 0; i < 400; i++) {
      const len = 21 + r.int(i % 10 === 0 ? 20000 : 300);
      let s = '';
      while (s.length < len) {
        const m = i % 3;
        if (m === 0) s += String.fromCharCode(97 + r.int(1 + r.int(8)));
        else if (m === 1) s += 'abcdefgh'.slice(0, 1 + r.int(8)).repeat(1 + r.int(5));
        else s += r.next() < 0.5 ? String.fromCharCode(r.int(256)) : 'xyz'.repeat(r.int(30));
      }
      s = s.slice(0, len);
      await d.pair(['SET', 'k', s]);
      const p = await d.pair(['DUMP', 'k']);
      if (p.redis !== p.kf) diffs.push(JSON.stringify(s.slice(0, 80)));
    }
    expect(diffs).toEqual([]);
    // The case the random test shrank to: a match near the end of the input.
    await d.check([['SET', 'k', 'abcdaabcabcabcabcabcabcdefabcdefabcdeabcd'], ['DUMP', 'k'], ['HSET', 'h', 'f', '0'.repeat(100)], ['DUMP', 'h']]);
  });

  it('DUMP of streams: ids and counters in rdbSaveLen\'s shortest form', async () => {
    await d.check([
      ['XADD', 'x', '20-*', 'g', '-1', 'name', 'b'], ['DUMP', 'x'],
      ['XADD', 'x', '70000-3', 'f', 'v'], ['XGROUP', 'CREATE', 'x', 'g1', '0'], ['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '1', 'STREAMS', 'x', '>'],
      ['XADD', 'y', '18446744073709551615-18446744073709551614', 'f', 'v'], ['DUMP', 'y'],
    ], [2]);
    // Consumer seen-times are the clock's: compare the payload sizes there.
    const p = await d.pair(['DUMP', 'x']);
    expect(p.kf.length).toBe(p.redis.length);
  });

  it('WATCH after a blocking command timed out on the same shard: EXEC runs (no stale block request)', async () => {
    await d.check([['BLPOP', '{t}l', '0.02'], ['WATCH', '{t}s'], ['MULTI'], ['SET', '{t}s', '1'], ['EXEC'], ['BZPOPMIN', '{t}z', '0.02'], ['WATCH', '{t}s'], ['MULTI'], ['EXEC']]);
  });

  it('SAVE inside MULTI is refused at queue time, and EXEC aborts', async () => {
    await d.check([['MULTI'], ['SET', 'a', '1'], ['SAVE'], ['EXEC'], ['GET', 'a'], ['SAVE']]);
  });
});
