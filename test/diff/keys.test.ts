import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { registerType, type RObj } from '../../src/engine/keyspace.js';

const d = useDiff();

describe('generic key commands match real Redis', () => {
  it('DEL, UNLINK, EXISTS, TOUCH, TYPE', async () => {
    await d.check([
      ['DEL'],
      ['UNLINK'],
      ['EXISTS'],
      ['TOUCH'],
      ['TYPE'],
      ['TYPE', 'a', 'b'],
      ['SET', '{t}a', '1'],
      ['SET', '{t}b', '2'],
      ['EXISTS', '{t}a', '{t}b', '{t}c', '{t}a'],
      ['TOUCH', '{t}a', '{t}b', '{t}c', '{t}a'],
      ['TYPE', '{t}a'],
      ['TYPE', '{t}c'],
      ['DEL', '{t}a', '{t}c', '{t}a'],
      ['EXISTS', '{t}a'],
      ['UNLINK', '{t}b', '{t}b'],
      ['UNLINK', '{t}b'],
      ['DEL', 'x'],
      ['SET', '', 'empty'],
      ['EXISTS', ''],
      ['TYPE', ''],
      ['DEL', ''],
    ]);
  });

  it('EXPIRE family: options, errors, propagation-visible results', async () => {
    await d.check([
      ['EXPIRE'],
      ['EXPIRE', 'k'],
      ['PEXPIRE', 'k'],
      ['EXPIREAT', 'k'],
      ['PEXPIREAT', 'k'],
      ['EXPIRE', 'k', '10'],
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', 'abc'],
      ['EXPIRE', 'k', '10.5'],
      ['EXPIRE', 'k', ' 10'],
      ['EXPIRE', 'k', '10', 'NX', 'XX'],
      ['EXPIRE', 'k', '10', 'xx', 'nx'],
      ['EXPIRE', 'k', '10', 'NX', 'GT'],
      ['EXPIRE', 'k', '10', 'LT', 'NX'],
      ['EXPIRE', 'k', '10', 'GT', 'LT'],
      ['EXPIRE', 'k', '10', 'GT', 'XX', 'LT'],
      ['EXPIRE', 'k', '10', 'FOO'],
      ['EXPIRE', 'k', 'abc', 'FOO'],
      ['EXPIRE', 'missing', '10', 'FOO'],
      ['EXPIRE', 'k', '10', 'a\x00b'],
      ['EXPIRE', 'k', '10', 'a\r\nb'],
      ['PEXPIRE', 'k', '10', 'NX', 'NX', 'bad'],
      ['EXPIRE', 'k', '9223372036854775807'],
      ['EXPIRE', 'k', '9223372036854776'],
      ['EXPIRE', 'k', '9223372036854775'],
      ['EXPIRE', 'k', '-9223372036854776'],
      ['PEXPIRE', 'k', '9223372036854775807'],
      ['PEXPIRE', 'k', '9223372036854775000'],
      ['EXPIREAT', 'k', '9223372036854776'],
      ['EXPIREAT', 'k', '9223372036854775808'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'GT'],
      ['EXPIRE', 'k', '100', 'XX'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'LT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'LT'],
      ['EXPIRE', 'k', '50', 'GT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'GT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '50', 'lt'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '60', 'NX'],
      ['EXPIRE', 'k', '70', 'XX', 'GT'],
      ['TTL', 'k'],
      ['EXPIREAT', 'k', '4000000000'],
      ['EXPIREAT', 'k', '4000000000', 'GT'],
      ['EXPIREAT', 'k', '4000000000', 'LT'],
      ['PEXPIREAT', 'k', '4000000000001', 'GT'],
      ['PEXPIREAT', 'k', '4000000000000', 'LT'],
      ['PEXPIRETIME', 'k'],
      ['PERSIST', 'k'],
      ['PERSIST', 'k'],
      ['PERSIST', 'missing'],
      ['PERSIST'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '10', 'XX'],
      ['EXPIRE', 'k', '10', 'GT'],
      ['EXPIRE', 'k', '-5', 'GT'],
      ['EXISTS', 'k'],
      ['EXPIRE', 'k', '-5', 'LT'],
      ['EXISTS', 'k'],
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '0'],
      ['EXISTS', 'k'],
      ['SET', 'k', 'v'],
      ['PEXPIRE', 'k', '-1'],
      ['EXISTS', 'k'],
      ['SET', 'k', 'v'],
      ['EXPIREAT', 'k', '1'],
      ['TTL', 'k'],
      ['SET', 'k', 'v'],
      ['PEXPIREAT', 'k', '0'],
      ['PTTL', 'k'],
      ['SET', 'k', 'v'],
      ['EXPIREAT', 'k', '-9223372036854775'],
      ['EXISTS', 'k'],
      ['EXPIREAT', 'missing', '1'],
    ]);
  });

  it('TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST', async () => {
    await d.check([
      ['TTL'],
      ['TTL', 'a', 'b'],
      ['PTTL'],
      ['EXPIRETIME'],
      ['PEXPIRETIME', 'a', 'b'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['SET', 'k', 'v'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['EXPIREAT', 'k', '4000000000'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4000000000499'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4000000000500'],
      ['EXPIRETIME', 'k'],
      ['EXPIRE', 'k', '100'],
      ['TTL', 'k'],
      ['SET', 'k', 'v2', 'KEEPTTL'],
      ['TTL', 'k'],
      ['SET', 'k', 'v3'],
      ['TTL', 'k'],
      ['SET', 'k', 'v', 'EX', '1000'],
      ['TTL', 'k'],
      ['PERSIST', 'k'],
      ['TTL', 'k'],
      ['PEXPIRETIME', 'k'],
    ]);
  });

  it('RENAME and RENAMENX', async () => {
    await d.check([
      ['RENAME'],
      ['RENAME', '{t}a'],
      ['RENAME', '{t}a', '{t}b', '{t}c'],
      ['RENAMENX', '{t}a'],
      ['RENAME', 'a', 'b'],
      ['RENAME', '{t}a', '{t}b'],
      ['RENAMENX', '{t}a', '{t}b'],
      ['RENAME', '{t}a', '{t}a'],
      ['RENAMENX', '{t}a', '{t}a'],
      ['SET', '{t}a', '1'],
      ['RENAME', '{t}a', '{t}a'],
      ['RENAMENX', '{t}a', '{t}a'],
      ['EXPIRE', '{t}a', '100'],
      ['RENAME', '{t}a', '{t}b'],
      ['EXISTS', '{t}a'],
      ['GET', '{t}b'],
      ['TTL', '{t}b'],
      ['SET', '{t}c', 'cc'],
      ['RENAMENX', '{t}b', '{t}c'],
      ['RENAMENX', '{t}b', '{t}d'],
      ['TTL', '{t}d'],
      ['RENAME', '{t}c', '{t}d'],
      ['GET', '{t}d'],
      ['TTL', '{t}d'],
      ['SET', '{t}e', 'abc'],
      ['APPEND', '{t}e', 'd'],
      ['RENAME', '{t}e', '{t}f'],
      ['OBJECT', 'ENCODING', '{t}f'],
      ['SET', '{t}g', '12'],
      ['RENAME', '{t}g', '{t}h'],
      ['OBJECT', 'ENCODING', '{t}h'],
    ]);
  });

  it('COPY', async () => {
    await d.check([
      ['COPY'],
      ['COPY', '{t}a'],
      ['COPY', 'a', 'b'],
      ['COPY', '{t}a', '{t}b'],
      ['COPY', '{t}a', '{t}a'],
      ['SET', '{t}a', 'hello'],
      ['COPY', '{t}a', '{t}a'],
      ['COPY', '{t}a', '{t}a', 'DB', '0'],
      ['COPY', '{t}a', '{t}a', 'DB', '1'],
      ['COPY', '{t}a', '{t}b', 'DB', '1'],
      ['COPY', '{t}a', '{t}b', 'DB', '15'],
      ['COPY', '{t}a', '{t}b', 'DB', '16'],
      ['COPY', '{t}a', '{t}b', 'DB', '-1'],
      ['COPY', '{t}a', '{t}b', 'DB', 'x'],
      ['COPY', '{t}a', '{t}b', 'DB', '99999999999'],
      ['COPY', '{t}a', '{t}b', 'DB'],
      ['COPY', '{t}a', '{t}b', 'DB', '16', 'FOO'],
      ['COPY', '{t}a', '{t}b', 'FOO', 'DB', '16'],
      ['COPY', '{t}a', '{t}b', 'REPLACE', 'FOO'],
      ['COPY', '{t}nokey', '{t}b'],
      ['COPY', '{t}a', '{t}b', 'db', '0', 'DB', '0'],
      ['GET', '{t}b'],
      ['COPY', '{t}a', '{t}b'],
      ['SET', '{t}a', 'world'],
      ['COPY', '{t}a', '{t}b'],
      ['GET', '{t}b'],
      ['EXPIRE', '{t}a', '100'],
      ['COPY', '{t}a', '{t}b', 'replace', 'REPLACE'],
      ['GET', '{t}b'],
      ['TTL', '{t}b'],
      ['PERSIST', '{t}a'],
      ['COPY', '{t}a', '{t}b', 'REPLACE'],
      ['TTL', '{t}b'],
      ['GET', '{t}a'],
      ['SET', '{t}n', '42'],
      ['COPY', '{t}n', '{t}m'],
      ['OBJECT', 'ENCODING', '{t}m'],
      ['SET', '{t}r', 'ab'],
      ['APPEND', '{t}r', 'c'],
      ['COPY', '{t}r', '{t}s'],
      ['OBJECT', 'ENCODING', '{t}s'],
      ['TYPE', '{t}s'],
    ]);
  });

  it('OBJECT subcommands', async () => {
    const long44 = 'x'.repeat(44);
    await d.check([
      ['OBJECT'],
      ['OBJECT', 'HELP'],
      ['OBJECT', 'help', 'x'],
      ['OBJECT', 'NOPE'],
      ['OBJECT', 'NOPE', 'k'],
      ['OBJECT', 'ENCODING'],
      ['OBJECT', 'ENCODING', 'k', 'x'],
      ['OBJECT', 'FREQ'],
      ['OBJECT', 'IDLETIME'],
      ['OBJECT', 'REFCOUNT'],
      ['OBJECT', 'ENCODING', 'k'],
      ['OBJECT', 'FREQ', 'k'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['OBJECT', 'REFCOUNT', 'k'],
      ['SET', 'k', 'hello'],
      ['OBJECT', 'ENCODING', 'k'],
      ['OBJECT', 'encoding', 'k'],
      ['OBJECT', 'REFCOUNT', 'k'],
      ['OBJECT', 'FREQ', 'k'],
      ...[
        '0', '1', '-1', '9999', '10000', '-0', '+1', '01', ' 1', '1 ', '1.5', '',
        '9223372036854775807', '-9223372036854775808', '9223372036854775808', '12345678901234567890',
        long44, `${long44}y`, '1'.repeat(21), 'a'.repeat(100),
      ].flatMap((v) => [['SET', 'v', v], ['OBJECT', 'ENCODING', 'v'], ['OBJECT', 'REFCOUNT', 'v']]),
      ['SET', 's', 'ab'],
      ['APPEND', 's', 'c'],
      ['OBJECT', 'ENCODING', 's'],
      ['SET', 's', '12'],
      ['OBJECT', 'ENCODING', 's'],
    ]);
  });

  it('OBJECT FREQ and IDLETIME under an LFU policy', async () => {
    try {
      await d.check([
        ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
        ['SET', 'k', 'hello'],
        ['OBJECT', 'FREQ', 'k'],
        ['OBJECT', 'FREQ', 'missing'],
        ['OBJECT', 'IDLETIME', 'k'],
        ['OBJECT', 'IDLETIME', 'missing'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'],
        ['OBJECT', 'FREQ', 'k'],
      ]);
    } finally {
      for (const p of [2, 3] as const) await d.pair(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], p);
    }
  });

  it('RANDOMKEY on an empty and a one-key keyspace', async () => {
    await d.check([
      ['RANDOMKEY'],
      ['RANDOMKEY', 'x'],
      ['SET', 'only', 'v'],
      ['RANDOMKEY'],
      ['RANDOMKEY'],
      ['DEL', 'only'],
      ['RANDOMKEY'],
    ]);
  });
});

describe('multi-key commands across shards (Redis Cluster refuses them; keyflare fans out)', () => {
  it('DEL, UNLINK, EXISTS, TOUCH across slots answer the sum of the per-key answers on Redis', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a', 'nokey'];
    const shardsOf = new Set(keys.map((k) => d.backend.slots.shardOfKey(k)));
    expect(shardsOf.size).toBeGreaterThan(1);
    for (const cmd of ['EXISTS', 'TOUCH', 'DEL', 'EXISTS', 'UNLINK'] as const) {
      for (const p of [2, 3] as const) {
        await d.pair(['FLUSHALL'], p);
        for (const k of ['a', 'c', 'd', 'g']) await d.pair(['SET', k, 'v'], p);
        // Redis, key by key (what each shard is asked), summed:
        let want = 0;
        for (const k of keys) want += Number(/^:(\d+)/.exec((await d.pair([cmd, k], p)).redis)![1]);
        for (const k of ['a', 'c', 'd', 'g']) await d.pair(['SET', k, 'v'], p);
        const { redis, kf } = await d.pair([cmd, ...keys], p);
        expect(redis).toMatch(/^-CROSSSLOT/);
        expect(kf).toBe(`:${want}\r\n`);
      }
    }
  });

  it('RANDOMKEY draws from every shard, and only live keys', async () => {
    await d.pair(['FLUSHALL']);
    const keys = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const k of keys) await d.pair(['SET', k, 'v']);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { kf } = await d.pair(['RANDOMKEY']);
      const m = /^\$\d+\r\n(.*)\r\n$/.exec(kf);
      expect(m && keys.includes(m[1]!)).toBe(true);
      seen.add(m![1]!);
    }
    expect(new Set([...seen].map((k) => d.backend.slots.shardOfKey(k))).size).toBe(4);
    expect(seen.size).toBeGreaterThan(20);
  });
});

describe('COPY and OBJECT ENCODING for non-string types go through the type hooks', () => {
  interface FakeList extends RObj { items: string[] }
  it('COPY deep-copies via the registered clone hook; TYPE and OBJECT use the type', async () => {
    registerType('list', {
      clone: (v) => ({ type: 'list', mem: 0, items: [...(v as FakeList).items] }) as FakeList,
      encoding: (v) => ((v as FakeList).items.length > 2 ? 'quicklist' : 'listpack'),
    });
    await d.pair(['FLUSHALL']);
    const shard = d.backend.shards[d.backend.slots.shardOfKey('{t}l')]!;
    const orig: FakeList = { type: 'list', mem: 0, items: ['a', 'b'] };
    shard.db.set('{t}l', orig);
    const s = d.backend.session();
    const run = async (...argv: string[]) => (await s.run([argv]))[0]!;
    expect(await run('COPY', '{t}l', '{t}m')).toEqual({ t: 'int', v: 1 });
    const copy = shard.db.data.get('{t}m') as FakeList;
    expect(copy).not.toBe(orig);
    expect(copy.items).toEqual(['a', 'b']);
    orig.items.push('c');
    expect(copy.items).toEqual(['a', 'b']);
    expect(await run('TYPE', '{t}m')).toEqual({ t: 'simple', v: 'list' });
    expect(await run('OBJECT', 'ENCODING', '{t}l')).toEqual({ t: 'bulk', v: 'quicklist' });
    expect(await run('OBJECT', 'ENCODING', '{t}m')).toEqual({ t: 'bulk', v: 'listpack' });
    expect(await run('OBJECT', 'REFCOUNT', '{t}m')).toEqual({ t: 'int', v: 1 });
    const scanned = await run('SCAN', '0', 'TYPE', 'list', 'COUNT', '100');
    expect(JSON.stringify(scanned)).toContain('{t}m');
  });
});

describe('the key commands describe themselves as Redis does', () => {
  it('COMMAND INFO (arity, flags, key positions, ACL categories, tips, key specs)', async () => {
    const names = ['del', 'unlink', 'exists', 'touch', 'type', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl',
      'expiretime', 'pexpiretime', 'persist', 'rename', 'renamenx', 'copy', 'keys', 'scan', 'randomkey'];
    await d.check([
      ['COMMAND', 'INFO', ...names],
      // Not the OBJECT container itself: Redis lists its subcommands in (per-process random) dict order.
      ['COMMAND', 'INFO', 'object|help', 'object|encoding', 'object|freq', 'object|idletime', 'object|refcount'],
    ]);
  });
});
