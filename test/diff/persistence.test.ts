// SAVE / BGSAVE / BGREWRITEAOF / LASTSAVE replies and errors compared with real Redis (what the
// snapshots do is tested in the Workers runtime: test/workers/persistence.test.ts).
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();

describe('persistence commands', () => {
  it('SAVE, argument errors, and the started replies match', async () => {
    await d.check([['SAVE'], ['SAVE', 'x'], ['BGSAVE', 'x'], ['BGSAVE', 'SCHEDULE', 'x'], ['BGREWRITEAOF', 'x'], ['LASTSAVE', 'x']], [2]);
    const bg = await d.pair(['BGSAVE']);
    expect(bg.kf).toBe(bg.redis);
    // Let Redis's child finish before asking it to rewrite.
    for (let i = 0; i < 100; i++) {
      const { redis } = await d.pair(['INFO', 'persistence']);
      if (redis.includes('rdb_bgsave_in_progress:0')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const rw = await d.pair(['BGREWRITEAOF']);
    expect(rw.kf).toBe(rw.redis);
  });

  it('LASTSAVE is a recent unix time on both sides', async () => {
    const { redis, kf } = await d.pair(['LASTSAVE']);
    const n = (s: string) => Number(s.slice(1, -2));
    expect(Math.abs(n(kf) - n(redis))).toBeLessThan(120);
  });
});
