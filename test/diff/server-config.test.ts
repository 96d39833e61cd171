// CONFIG GET/SET/RESETSTAT/HELP against real Redis 7.0: values, normalization, errors, atomicity.
import { describe, expect, it } from 'vitest';
import { parseReply } from '../../src/protocol/resp-reply.js';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

// Parameters whose defaults match Redis 7.0's (appendonly/appendfsync differ on purpose: keyflare
// always logs and stores a write before replying; set-max-listpack-* do not exist in 7.0).
const PARAMS = [
  'maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'proto-max-bulk-len', 'client-query-buffer-limit',
  'list-max-listpack-size', 'list-max-ziplist-size', 'list-compress-depth', 'hash-max-listpack-entries',
  'hash-max-listpack-value', 'hash-max-ziplist-entries', 'hash-max-ziplist-value', 'set-max-intset-entries',
  'zset-max-listpack-entries', 'zset-max-listpack-value', 'zset-max-ziplist-entries', 'zset-max-ziplist-value',
  'notify-keyspace-events', 'save', 'timeout', 'lfu-log-factor', 'lfu-decay-time', 'hz',
  'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size', 'aof-load-truncated',
];

/** Put both sides back to the defaults the tests start from. */
const RESET: Cmd[] = [
  ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'hz', '10', 'notify-keyspace-events', '', 'save', '', 'timeout', '0'],
  ['CONFIG', 'SET', 'list-max-listpack-size', '-2', 'hash-max-listpack-entries', '512', 'zset-max-listpack-value', '64', 'maxmemory-samples', '5'],
  ['CONFIG', 'SET', 'appendonly', 'no', 'appendfsync', 'everysec'],
];

/** Parse a flat CONFIG GET reply (RESP2) into sorted "name=value" pairs. */
function pairs(raw: string): string[] {
  const f = parseReply(raw, 0)!.frame as { v: Array<{ v: string }> };
  const out: string[] = [];
  for (let i = 0; i < f.v.length; i += 2) out.push(`${f.v[i]!.v}=${f.v[i + 1]!.v}`);
  return out.sort();
}

describe('CONFIG', () => {
  it('GET of each parameter and alias matches Redis 7.0 defaults', async () => {
    await d.check(PARAMS.map((p) => ['CONFIG', 'GET', p]));
    await d.check([['CONFIG', 'GET', 'MAXMEMORY'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET']]);
  });

  it('GET patterns match the same names and aliases (order is Redis dict order: compared as sets)', async () => {
    for (const pat of ['*ziplist*', 'list-*', 'hash-*', 'zset-*', 'lfu-*', 'auto-aof-*', 'notify*', 'proto*', 'LIST-MAX*', 'h?', '[lh]*-max-*-size']) {
      const { redis, kf } = await d.pair(['CONFIG', 'GET', pat]);
      expect(pairs(kf), pat).toEqual(pairs(redis));
    }
    for (const cmd of [['CONFIG', 'GET', 'list-max-ziplist-size', 'list-*', 'hz'], ['CONFIG', 'GET', 'timeout', 'hz', 'timeout', 'TIMEOUT']]) {
      const { redis, kf } = await d.pair(cmd);
      expect(pairs(kf), cmd.join(' ')).toEqual(pairs(redis));
    }
  });

  it('replicaof/slaveof exist (empty, immutable); a hidden knob answers by exact name only', async () => {
    await d.check([
      ['CONFIG', 'GET', 'replicaof'], ['CONFIG', 'GET', 'slaveof'], ['CONFIG', 'GET', 'SLAVEOF'],
      ['CONFIG', 'SET', 'replicaof', '127.0.0.1 1'], ['CONFIG', 'SET', 'slaveof', ''],
      ['CONFIG', 'GET', 'key-load-delay'], ['CONFIG', 'GET', '*load-delay*'],
      ['CONFIG', 'SET', 'key-load-delay', '5'], ['CONFIG', 'GET', 'key-load-delay'], ['CONFIG', 'SET', 'key-load-delay', '0'],
    ]);
    const { redis, kf } = await d.pair(['CONFIG', 'GET', '*of']);
    expect(pairs(kf)).toEqual(pairs(redis));
  });

  it('SET applies several pairs, normalizes, and GET prints memory as bytes', async () => {
    await d.check([
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'ALLKEYS-LRU'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'maxmemory', '1g'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '1GB'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '5K'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '007'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '18446744073709551615'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '99999999999gb'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', ''], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'list-max-ziplist-size', '5', 'list-max-listpack-size', '6'], ['CONFIG', 'GET', 'list-max-ziplist-size'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '7'], ['CONFIG', 'GET', 'hash-max-listpack-entries'],
      ['CONFIG', 'SET', 'hz', '1000000'], ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '0'], ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'appendonly', 'YES', 'appendfsync', 'No'], ['CONFIG', 'GET', 'appendonly'], ['CONFIG', 'GET', 'appendfsync'],
      ['CONFIG', 'SET', 'maxmemory-samples', '10', 'timeout', '300', 'lfu-log-factor', '0', 'lfu-decay-time', '0'],
      ['CONFIG', 'GET', 'maxmemory-samples'], ['CONFIG', 'GET', 'timeout'], ['CONFIG', 'GET', 'lfu-log-factor'],
      ['CONFIG', 'SET', 'auto-aof-rewrite-min-size', '1mb', 'aof-load-truncated', 'no'], ['CONFIG', 'GET', 'auto-aof-rewrite-min-size'],
      ['CONFIG', 'SET', 'aof-load-truncated', 'yes'],
      ...RESET,
    ], [2]);
  });

  it('notify-keyspace-events and save print their normalized forms', async () => {
    const script: Cmd[] = [];
    for (const v of ['g', '$lsh', 'KEA', 'Ex', 'gK', 'A', 'm', 'n', 'Anm', 'g$lshzxetd', 'g$lshzxetdK', 'E', 'xeK', 'AKEm', '']) {
      script.push(['CONFIG', 'SET', 'notify-keyspace-events', v], ['CONFIG', 'GET', 'notify-keyspace-events']);
    }
    script.push(['CONFIG', 'SET', 'notify-keyspace-events', 'Q'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KEZ']);
    for (const v of ['3600 1 300 100', '+1 05', '1 0', '100   10', ' 100 10 ', '-1 5', '1 -5', '0 0', 'abc', '100', '1x 5', '']) {
      script.push(['CONFIG', 'SET', 'save', v], ['CONFIG', 'GET', 'save']);
    }
    await d.check([...script, ...RESET]);
  });

  it('SET errors use Redis texts and apply nothing when any pair fails', async () => {
    await d.check([
      ['CONFIG', 'SET', 'maxmemory', 'foo'],
      ['CONFIG', 'SET', 'maxmemory', '-1'],
      ['CONFIG', 'SET', 'maxmemory', '1.5'],
      ['CONFIG', 'SET', 'maxmemory', '1tb'],
      ['CONFIG', 'SET', 'maxmemory', '1 gb'],
      ['CONFIG', 'SET', 'nosuch', '1'],
      ['CONFIG', 'SET', 'maxmemory', '1', 'maxmemory', '2'],
      ['CONFIG', 'SET', 'maxmemory', '1', 'MAXMEMORY', '2'],
      ['CONFIG', 'SET', 'maxmemory', '5', 'maxmemory-policy', 'bad'],
      ['CONFIG', 'SET', 'maxmemory', '5', 'nosuch', '2'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '0', 'a'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'],
      ['CONFIG', 'SET', 'appendfsync', 'sometimes'],
      ['CONFIG', 'SET', 'hz', 'abc'],
      ['CONFIG', 'SET', 'timeout', '+5'], ['CONFIG', 'SET', 'timeout', '007'], ['CONFIG', 'SET', 'timeout', '-0'],
      ['CONFIG', 'SET', 'timeout', '2147483648'], ['CONFIG', 'SET', 'timeout', '9223372036854775808'], ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '99999999999'],
      ['CONFIG', 'SET', 'list-compress-depth', '-1'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '-1'], ['CONFIG', 'SET', 'zset-max-listpack-value', '1kb'], ['CONFIG', 'GET', 'zset-max-listpack-value'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1kb'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
      ['CONFIG', 'SET', 'maxmemory-samples', '0'],
      ['CONFIG', 'SET', 'lfu-log-factor', '-1'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '10'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '18446744073709551615'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', '10'],
      ['CONFIG', 'SET', 'auto-aof-rewrite-percentage', 'x'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'NOPE'],
      ['CONFIG'],
      ['CONFIG', 'RESETSTAT', 'x'],
      ['CONFIG', 'RESETSTAT'],
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'HELP'],
      ['CONFIG', 'HELP', 'x'],
    ]);
  });

  it('SET is applied on every shard and logged, so a replayed log restores it', async () => {
    await d.pair(['CONFIG', 'SET', 'maxmemory-samples', '7']);
    for (const s of d.backend.shards) expect(s.config.get('maxmemory-samples')).toBe('7');
    for (const log of d.backend.logs) expect(log).toContainEqual(['CONFIG', 'SET', 'maxmemory-samples', '7']);
    await d.pair(['CONFIG', 'SET', 'maxmemory-samples', '5']);
    const { Shard } = await import('../../src/shard/shard.js');
    const fresh = new Shard(d.backend.shards[1]!.info, d.backend.clock);
    fresh.replay(d.backend.logs[1]!);
    expect(fresh.config.get('maxmemory-samples')).toBe('5');
    expect(d.backend.logs[1]!.filter((e) => e[0] === 'CONFIG').length).toBeGreaterThanOrEqual(2);
  });
});
