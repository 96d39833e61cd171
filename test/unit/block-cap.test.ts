// ExecOpts.maxBlockMs (REST's bound on blocking): past it a blocking command answers exactly its own timeout reply; before it, it is served as usual.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Proto } from '../../src/protocol/resp-encode.js';

const BLOCKING: string[][] = [
  ['BLPOP', '{c}l', '0'],
  ['BRPOP', '{c}l', '0'],
  ['BLMOVE', '{c}l', '{c}m', 'LEFT', 'RIGHT', '0'],
  ['BRPOPLPUSH', '{c}l', '{c}m', '0'],
  ['BLMPOP', '0', '1', '{c}l', 'LEFT'],
  ['BZPOPMIN', '{c}z', '0'],
  ['BZPOPMAX', '{c}z', '0'],
  ['BZMPOP', '0', '1', '{c}z', 'MIN'],
  ['XREAD', 'BLOCK', '0', 'STREAMS', '{c}s', '$'],
];

/** The same command with a short timeout of its own: the reply when that timeout elapses. */
function withTimeout(argv: string[]): string[] {
  const a = [...argv];
  if (a[0] === 'XREAD') a[2] = '1';
  else if (a[0] === 'BLMPOP' || a[0] === 'BZMPOP') a[1] = '0.02';
  else a[a.length - 1] = '0.02';
  return a;
}

describe('maxBlockMs', () => {
  for (const proto of [2, 3] as Proto[]) {
    it(`RESP${proto}: each blocking command past the bound answers the reply of its own timeout`, async () => {
      const b = new LocalBackend(4);
      const shard = b.slots.shardOfKey('{c}l');
      await b.exec(shard, [['XGROUP', 'CREATE', '{c}s', 'g', '$', 'MKSTREAM']], proto);
      for (const argv of BLOCKING) {
        const [timedOut] = await b.exec(shard, [withTimeout(argv)], proto, { client: 1 });
        expect(await b.exec(shard, [argv], proto, { client: 2, maxBlockMs: 0 }), argv.join(' ')).toEqual([timedOut]);
      }
      const [timedOut] = await b.exec(shard, [['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '1', 'STREAMS', '{c}s', '>']], proto);
      expect(await b.exec(shard, [['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', '{c}s', '>']], proto, { maxBlockMs: 0 })).toEqual([timedOut]);
      expect(b.shards[shard]!.blockedClients).toBe(0);
    });
  }

  it('bounds the waits of a whole batch together, forever (0) included, and runs the rest of the batch', async () => {
    const b = new LocalBackend(4);
    const shard = b.slots.shardOfKey('{c}l');
    const replies = await b.exec(shard, [['BLPOP', '{c}l', '0'], ['BZPOPMIN', '{c}z', '0'], ['SET', '{c}k', 'v'], ['BLPOP', '{c}l', '0']], 2, { client: 3, maxBlockMs: 20 });
    expect(replies).toEqual([{ t: 'nilarr' }, { t: 'nilarr' }, { t: 'simple', v: 'OK' }, { t: 'nilarr' }]);
    expect(b.shards[shard]!.blockedClients).toBe(0);
  });

  it('a command served before the bound gets its data', async () => {
    const b = new LocalBackend(4);
    const shard = b.slots.shardOfKey('{c}l');
    const waiting = b.exec(shard, [['BLPOP', '{c}l', '0']], 2, { client: 4, maxBlockMs: 60_000 });
    await new Promise((r) => setTimeout(r, 5));
    expect(b.shards[shard]!.blockedClients).toBe(1);
    await b.exec(shard, [['RPUSH', '{c}l', 'x']], 2);
    expect(await waiting).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: '{c}l' }, { t: 'bulk', v: 'x' }] }]);
  });
});
