// @upstash/ratelimit 2.2.0, unmodified, over REST through unmodified @upstash/redis: its scripts
// open with Upstash's own shebang flag `allow-key-locking`, which keyflare accepts (Redis 7.0 refuses it).
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { describe, expect, inject, it } from 'vitest';

// Limiter state outlives a run on a reused server: fresh identifiers per run.
const run = Date.now().toString(36);
const token = inject('token');

describe.each(inject('targets'))('$name', ({ httpPort }) => {
  const redis = new Redis({ url: `http://127.0.0.1:${httpPort}`, token, retry: false });
  // The limiter's keys (current and previous window) share the `{…}` prefix: one slot until
  // cross-shard atomicity (issue 11) lands.
  const limiter = (limiter: ConstructorParameters<typeof Ratelimit>[0]['limiter'], name: string) =>
    new Ratelimit({ redis, limiter, prefix: `{rl-${name}-${run}}`, ephemeralCache: false, analytics: false });

  it('slidingWindow counts down to a refusal, per identifier', async () => {
    const rl = limiter(Ratelimit.slidingWindow(3, '60 s'), 'sw');
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await rl.limit('alice'));
    expect(seen.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(seen.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(seen[0]!.limit).toBe(3);
    expect((await rl.limit('bob')).success).toBe(true);
    expect(await rl.getRemaining('alice')).toMatchObject({ remaining: 0 });
    await rl.resetUsedTokens('alice');
    expect((await rl.limit('alice')).success).toBe(true);
  });

  it('fixedWindow and tokenBucket refuse past their budget', async () => {
    const fw = limiter(Ratelimit.fixedWindow(2, '60 s'), 'fw');
    const f = [await fw.limit('u'), await fw.limit('u'), await fw.limit('u')];
    expect(f.map((r) => r.success)).toEqual([true, true, false]);
    const tb = limiter(Ratelimit.tokenBucket(1, '60 s', 2), 'tb');
    const t = [await tb.limit('u'), await tb.limit('u'), await tb.limit('u')];
    expect(t.map((r) => r.success)).toEqual([true, true, false]);
    expect(t[0]!.remaining).toBe(1);
  });
});
