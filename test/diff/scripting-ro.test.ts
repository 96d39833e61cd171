// EVALSHA_RO and SCRIPT HELP against real Redis (the read-only script path and the help text).
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();
const RO = "return redis.call('GET', KEYS[1])"; // sha1 d3c21d0c…
const RW = "return redis.call('SET', KEYS[1], ARGV[1])"; // sha1 d8f2fad9…

describe('EVALSHA_RO / SCRIPT HELP', () => {
  it('EVALSHA_RO runs a loaded read-only script and refuses writes and unknown digests as Redis', async () => {
    await d.check([
      ['SET', '{r}k', 'v'],
      ['SCRIPT', 'LOAD', RO],
      ['SCRIPT', 'LOAD', RW],
      ['EVALSHA_RO', 'd3c21d0c2b9ca22f82737626a27bcaf5d288f99f', '1', '{r}k'],
      ['EVALSHA_RO', 'd8f2fad9f8e86a53d2a6ebd960b33c4972cacc37', '1', '{r}k', 'w'],
      ['EVALSHA_RO', '0000000000000000000000000000000000000000', '1', '{r}k'],
      ['EVALSHA_RO', 'd3c21d0c2b9ca22f82737626a27bcaf5d288f99f', 'x', '{r}k'],
      ['GET', '{r}k'],
      ['SCRIPT', 'HELP', 'x'],
    ]);
  });

  it("SCRIPT HELP is Redis's text, SCRIPT DEBUG's lines included", async () => {
    for (const proto of [2, 3] as const) {
      const { redis, kf } = await d.pair(['SCRIPT', 'HELP'], proto);
      expect(redis.split('\r\n')).toContain('+DEBUG (YES|SYNC|NO)');
      expect(kf).toBe(redis);
    }
  });
});
