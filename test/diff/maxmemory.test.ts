// maxmemory against real Redis 7.0: the OOM refusal's exact text and which commands it refuses,
// the policy settings, and LFU counters as OBJECT FREQ reports them.
import { afterAll, describe, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

const RESET: Cmd = ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'lfu-log-factor', '10', 'lfu-decay-time', '1'];

afterAll(async () => {
  await d.pair(RESET);
});

describe('maxmemory', () => {
  it('over the budget with noeviction: denyoom commands get OOM, reads and deletes run', async () => {
    // A one-byte budget: Redis is over it at once; keyflare's shard is once it holds a key.
    await d.check([
      ['SET', '{t}a', '1'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', '{t}b', '2'],
      ['GET', '{t}a'],
      ['APPEND', '{t}a', 'x'],
      ['INCR', '{t}a'],
      ['LPUSH', '{t}l', 'x'],
      ['HSET', '{t}h', 'f', 'v'],
      ['SADD', '{t}s', 'm'],
      ['EXPIRE', '{t}a', '100'],
      ['TTL', '{t}a'],
      ['PERSIST', '{t}a'],
      ['EXISTS', '{t}a', '{t}b'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['DEL', '{t}a'],
      RESET,
      ['SET', '{t}b', '2'],
    ]);
  });

  it('maxmemory-policy values, case, and errors', async () => {
    const script: Cmd[] = [];
    for (const p of ['volatile-lru', 'VOLATILE-LFU', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']) {
      script.push(['CONFIG', 'SET', 'maxmemory-policy', p], ['CONFIG', 'GET', 'maxmemory-policy']);
    }
    script.push(['CONFIG', 'SET', 'maxmemory-policy', 'lru'], ['CONFIG', 'SET', 'maxmemory-policy', ''], ['CONFIG', 'SET', 'maxmemory-samples', '0']);
    script.push(RESET);
    await d.check(script);
  });

  it('OBJECT FREQ counts accesses under an LFU policy (log factor 0: one per access)', async () => {
    await d.check([
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu', 'lfu-log-factor', '0', 'lfu-decay-time', '0'],
      ['SET', '{t}k', 'v'],
      ['OBJECT', 'FREQ', '{t}k'],
      ['GET', '{t}k'], ['GET', '{t}k'], ['GET', '{t}k'], ['STRLEN', '{t}k'],
      ['EXISTS', '{t}k'], ['TYPE', '{t}k'], ['TTL', '{t}k'], ['OBJECT', 'ENCODING', '{t}k'],
      ['OBJECT', 'FREQ', '{t}k'],
      ['APPEND', '{t}k', 'w'],
      ['OBJECT', 'FREQ', '{t}k'],
      ['SET', '{t}k', 'new'],
      ['OBJECT', 'FREQ', '{t}k'],
      ['RENAME', '{t}k', '{t}k2'],
      ['OBJECT', 'FREQ', '{t}k2'],
      ['HSET', '{t}h', 'f', 'v'], ['HGET', '{t}h', 'f'],
      ['OBJECT', 'FREQ', '{t}h'],
      ['OBJECT', 'FREQ', '{t}nosuch'],
      ['OBJECT', 'IDLETIME', '{t}h'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      ['OBJECT', 'FREQ', '{t}h'],
      RESET,
    ]);
  });
});
