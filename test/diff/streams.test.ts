// Streams against real Redis 7.0: XADD/XLEN/XRANGE/XREVRANGE/XDEL/XTRIM/XSETID/XREAD, IDs,
// trimming (exact and approximate, which depends on node boundaries) and errors.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';
import { arr, type Frame } from '../../src/protocol/frame.js';

const d = useDiff();

const fill = (key: string, n: number, from = 1, field = 'f', val = (i: number) => `v${i}`): Cmd[] => {
  const out: Cmd[] = [];
  for (let i = from; i < from + n; i++) out.push(['XADD', key, `${i}-1`, field, val(i)]);
  return out;
};

describe('XADD / XLEN / XRANGE', () => {
  it('explicit IDs, ms-* IDs, ordering errors and ID parsing edge cases', async () => {
    await d.check([
      ['XADD', 's', '1-1', 'a', '1'],
      ['XADD', 's', '1-1', 'a', '1'],
      ['XADD', 's', '1-0', 'a', '1'],
      ['XADD', 's', '1-*', 'b', '2'],
      ['XADD', 's', '2-*', 'c', '3'],
      ['XADD', 's', '2', 'c', '3'],
      ['XADD', 's', '3', 'c', '3', 'd', '4'],
      ['XADD', 's', '0-0', 'a', '1'],
      ['XADD', 'n', '0-0', 'a', '1'],
      ['XADD', 'n', '0-*', 'a', '1'],
      ['XADD', 'n', '0-*', 'a', '1'],
      ['XADD', 's', 'x', 'a', '1'],
      ['XADD', 's', '5-x', 'a', '1'],
      ['XADD', 's', '-', 'a', '1'],
      ['XADD', 's', '+', 'a', '1'],
      ['XADD', 's', '-5', 'a', '1'],
      ['XADD', 's', '5--5', 'a', '1'],
      ['XADD', 's', '007-1', 'a', '1'],
      ['XADD', 's', '+8-1', 'a', '1'],
      ['XADD', 's', '9- 1', 'a', '1'],
      ['XADD', 's', '10-*-1', 'a', '1'],
      ['XADD', 's', '18446744073709551616-1', 'a', '1'],
      ['XADD', 's', '11-1', 'a'],
      ['XADD', 's', '11-1', 'a', '1', 'b'],
      ['XADD', 's', '11-1'],
      ['XLEN', 's'],
      ['XLEN', 'nokey'],
      ['XRANGE', 's', '-', '+'],
      ['XREVRANGE', 's', '+', '-'],
      ['XRANGE', 's', '2', '3'],
      ['XRANGE', 's', '(1-1', '(3-0'],
      ['XREVRANGE', 's', '(3-0', '(1-1'],
      ['XRANGE', 's', '-', '+', 'COUNT', '2'],
      ['XRANGE', 's', '-', '+', 'COUNT', '0'],
      ['XRANGE', 's', '-', '+', 'COUNT', '-3'],
      ['XRANGE', 's', '-', '+', 'COUNT'],
      ['XRANGE', 's', '-', '+', 'COUNT', 'x'],
      ['XRANGE', 's', '-', '+', 'LIMIT', '2'],
      ['XRANGE', 'nokey', '-', '+'],
      ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'],
      ['XRANGE', 's', '(-', '+'],
      ['XRANGE', 's', '(+', '+'],
      ['XRANGE', 's', '-', '(-'],
      ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'],
      ['XRANGE', 's', '-', '(0-0'],
      ['XRANGE', 's', 'x', '+'],
      ['XRANGE', 's', '3', '1'],
      ['SET', 'str', 'x'],
      ['XADD', 'str', '*', 'a', '1'],
      ['XLEN', 'str'],
      ['XRANGE', 'str', '-', '+'],
    ]);
  });

  it('the 2^64-1 edges', async () => {
    await d.check([
      ['XADD', 'e', '18446744073709551615-18446744073709551614', 'a', '1'],
      ['XADD', 'e', '18446744073709551615-*', 'a', '2'],
      ['XADD', 'e', '18446744073709551615-*', 'a', '3'],
      ['XADD', 'e', '*', 'a', '3'],
      ['XADD', 'e', '18446744073709551615-18446744073709551615', 'a', '3'],
      ['XRANGE', 'e', '18446744073709551615', '+'],
      ['XREVRANGE', 'e', '+', '-', 'COUNT', '1'],
      ['XADD', 'f', '18446744073709551614-18446744073709551615', 'a', '1'],
      ['XADD', 'f', '18446744073709551614-*', 'a', '1'],
      ['XADD', 'f', '*', 'a', '1'],
      ['XRANGE', 'f', '-', '+'],
      ['XADD', 'g', '1-18446744073709551615', 'a', '1'],
      ['XADD', 'g', '1-*', 'a', '1'],
      ['XADD', 'g', '2-0', 'x', '1'],
      ['XRANGE', 'g', '(1-18446744073709551615', '+'],
      ['XRANGE', 'g', '-', '(2-0'],
    ]);
  });

  it('NOMKSTREAM, MAXLEN/MINID (= and ~), LIMIT and their errors', async () => {
    await d.check([
      ['XADD', 's', 'NOMKSTREAM', '1-1', 'a', '1'],
      ['EXISTS', 's'],
      ...fill('s', 10),
      ['XADD', 's', 'NOMKSTREAM', '20-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '5', '21-1', 'a', '1'],
      ['XLEN', 's'],
      ['XRANGE', 's', '-', '+'],
      ['XADD', 's', 'MAXLEN', '=', '3', '22-1', 'a', '1'],
      ['XRANGE', 's', '-', '+'],
      ['XADD', 's', 'MINID', '22', '23-1', 'a', '1'],
      ['XRANGE', 's', '-', '+'],
      ['XADD', 's', 'MAXLEN', '~', '1', '24-1', 'a', '1'],
      ['XLEN', 's'],
      ['XADD', 's', 'MAXLEN', '-1', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', 'x', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '1', 'MINID', '1', '25-1', 'a', '1'],
      ['XADD', 's', 'MINID', 'x', '25-1', 'a', '1'],
      ['XADD', 's', 'LIMIT', '10', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '1', 'LIMIT', '10', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '-1', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', 'x', '25-1', 'a', '1'],
      ['XADD', 's', 'LIMIT', '0', '25-1', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '0', '25-1', 'a', '1'],
      ['XADD', 's', 'maxlen', '~', '1', 'limit', '10', 'nomkstream', '26-1', 'a', '1'],
      ['XLEN', 's'],
      ['XADD', 's', 'MAXLEN', '0', '27-1', 'a', '1'],
      ['XLEN', 's'],
      ['XRANGE', 's', '-', '+'],
      ['XADD', 's', 'MAXLEN'],
      ['XADD', 's', 'FOO', 'a', '1'],
    ]);
  });

  it('XTRIM reports argument errors before it looks at the key', async () => {
    await d.check([
      ['XTRIM', '{a}x1', 'MAXLEN', 'x'], ['XTRIM', '{a}x1', '10', '0'], ['XTRIM', '{a}x1', 'MAXLEN', '-1'],
      ['XTRIM', '{a}x1', 'MINID', 'x'], ['XTRIM', '{a}x1', 'MAXLEN', '~', '1', 'LIMIT', 'x'], ['XTRIM', '{a}x1', 'LIMIT', '1'],
      ['XTRIM', '{a}x1', 'MAXLEN', '1', 'LIMIT', '1'], ['XTRIM', '{a}x1', 'MAXLEN', '1'],
      ['SET', '{a}str', 'x'], ['XTRIM', '{a}str', 'MAXLEN', 'x'], ['XTRIM', '{a}str', 'MAXLEN', '1'],
    ]);
  });

  it('IDs far from the node master (wrapping uint64 deltas) stay in the node, as in Redis', async () => {
    await d.check([
      ['XADD', '{t}x0', '1-18446744073709551615', 'f', 'abc'], ['XADD', '{t}x0', '119', 'g', '-3'], ['XINFO', 'STREAM', '{t}x0'],
      ['XRANGE', '{t}x0', '-', '+'], ['XREVRANGE', '{t}x0', '+', '-'],
      ['CONFIG', 'SET', 'stream-node-max-entries', '3'],
      ['XADD', '{t}s', '1-5', 'f', 'v'], ['XADD', '{t}s', '4503599627370497-0', 'f', 'v'],
      ['XADD', '{t}s', '4503599627370497-9007199254740993', 'f', 'v'], ['XADD', '{t}s', '9223372036854775809-1', 'f', 'v'],
      ['XADD', '{t}s', '18446744073709551615-18446744073709551615', 'f', 'v'],
      ['XINFO', 'STREAM', '{t}s'], ['XRANGE', '{t}s', '-', '+'], ['XRANGE', '{t}s', '4503599627370497-1', '+', 'COUNT', '2'],
      ['XDEL', '{t}s', '4503599627370497-0'], ['XRANGE', '{t}s', '-', '+'],
      ['XTRIM', '{t}s', 'MAXLEN', '~', '2'], ['XLEN', '{t}s'], ['XINFO', 'STREAM', '{t}s'],
      ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
    ]);
  });

  it("radix-tree-nodes counts Redis's rax nodes, through node removals", async () => {
    const ids = ['1-1', '2-1', '255-1', '256-1', '65536-1', '65537-0', '4294967296-1', '4294967297-7', '72057594037927936-1', '72057594037927936-2', '18446744073709551615-0'];
    await d.check([
      ['CONFIG', 'SET', 'stream-node-max-entries', '1'],
      ...ids.flatMap((id) => [['XADD', '{r}s', id, 'f', 'v'], ['XINFO', 'STREAM', '{r}s']] as Cmd[]),
      ...['65536-1', '2-1', '72057594037927936-2', '1-1', '4294967297-7'].flatMap((id) => [['XDEL', '{r}s', id], ['XINFO', 'STREAM', '{r}s']] as Cmd[]),
      ['XTRIM', '{r}s', 'MAXLEN', '~', '2'], ['XINFO', 'STREAM', '{r}s'],
      ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
    ]);
  });

  it('approximate trimming removes whole nodes exactly where Redis does (entries and bytes limits)', async () => {
    const big = (i: number) => 'x'.repeat(30 + (i % 7));
    await d.check([
      ...fill('a', 350),
      ['XTRIM', 'a', 'MAXLEN', '~', '120'],
      ['XLEN', 'a'],
      ['XTRIM', 'a', 'MAXLEN', '~', '120', 'LIMIT', '50'],
      ['XTRIM', 'a', 'MAXLEN', '~', '10', 'LIMIT', '200'],
      ['XLEN', 'a'],
      ['XTRIM', 'a', 'MINID', '~', '320'],
      ['XLEN', 'a'],
      ['XTRIM', 'a', 'MINID', '345'],
      ['XRANGE', 'a', '-', '+'],
      ...fill('b', 400, 1, 'field', big),
      ['XTRIM', 'b', 'MAXLEN', '~', '250'],
      ['XLEN', 'b'],
      ['XTRIM', 'b', 'MINID', '~', '300'],
      ['XLEN', 'b'],
      ['XTRIM', 'b', 'MAXLEN', '~', '0'],
      ['XLEN', 'b'],
      ['CONFIG', 'SET', 'stream-node-max-entries', '7'],
      ...fill('c', 30, 1, 'f', (i) => String(i * 1000)),
      ['XTRIM', 'c', 'MAXLEN', '~', '10'],
      ['XLEN', 'c'],
      ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
      ['XTRIM', 'nokey', 'MAXLEN', '1'],
      ['XTRIM', 'c', 'MAXLEN'],
      ['XTRIM', 'c', 'FOO', '1'],
      ['XTRIM', 'c', 'LIMIT', '1'],
      ['XTRIM', 'c', 'MAXLEN', '1', 'LIMIT', '1'],
      ['XTRIM', 'c', 'MAXLEN', '1', 'x'],
      ['XTRIM', 'c', 'MAXLEN', '=', '1'],
      ['XRANGE', 'c', '-', '+'],
    ]);
  });

  it('varied fields (same-as-master and different) round-trip', async () => {
    await d.check([
      ['XADD', 's', '1-1', 'a', '1', 'b', '2'],
      ['XADD', 's', '1-2', 'a', '3', 'b', '4'],
      ['XADD', 's', '1-3', 'b', '3', 'a', '4'],
      ['XADD', 's', '1-4', 'z', ''],
      ['XADD', 's', '1-5', '', 'bin\x00\xff'],
      ['XADD', 's', '1-6', 'a', '1', 'b', '2', 'c', '3'],
      ['XADD', 's', '100000000000-1', 'a', '1', 'b', '2'],
      ['XRANGE', 's', '-', '+'],
      ['XREVRANGE', 's', '+', '-', 'COUNT', '3'],
    ]);
  });
});

describe('XDEL / XSETID', () => {
  it('deletes, tombstones, first entry and max deleted ID', async () => {
    await d.check([
      ...fill('s', 5),
      ['XDEL', 's', '1-1', '3-1', '9-9'],
      ['XDEL', 's', '1-1'],
      ['XDEL', 's', '2-1', 'bad'],
      ['XLEN', 's'],
      ['XDEL', 's', '2'],
      ['XDEL', 's', '2-1'],
      ['XRANGE', 's', '-', '+'],
      ['XDEL', 'nokey', '1-1'],
      ['XDEL', 's', '4-1', '5-1'],
      ['XLEN', 's'],
      ['EXISTS', 's'],
      ['XADD', 's', '5-1', 'a', '1'],
      ['XADD', 's', '6-1', 'a', '1'],
      ['XRANGE', 's', '-', '+'],
      ['XSETID', 's', '5-0'],
      ['XSETID', 's', '7-0'],
      ['XADD', 's', '7-0', 'a', '1'],
      ['XADD', 's', '7-*', 'a', '1'],
      ['XSETID', 's', '100-0', 'ENTRIESADDED', '0'],
      ['XSETID', 's', '100-0', 'ENTRIESADDED', '-1'],
      ['XSETID', 's', '100-0', 'ENTRIESADDED', 'x'],
      ['XSETID', 's', '100-0', 'MAXDELETEDID', '200-0'],
      ['XSETID', 's', '100-0', 'MAXDELETEDID', '50-0', 'ENTRIESADDED', '99'],
      ['XSETID', 's', '40-0'],
      ['XSETID', 's', '100-0', 'FOO', '1'],
      ['XSETID', 's', '-'],
      ['XSETID', 'nokey', '1-1'],
      ['SET', 'str', 'x'],
      ['XSETID', 'str', '1-1'],
      ['XDEL', 'str', '1-1'],
      ['XINFO', 'STREAM', 's'],
    ].filter((c) => !(c[0] === 'XINFO')));
  });
});

describe('XREAD', () => {
  it('non-blocking reads, $, COUNT, several streams, errors', async () => {
    await d.check([
      ...fill('{t}a', 3),
      ...fill('{t}b', 2),
      ['XREAD', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'COUNT', '2', 'STREAMS', '{t}a', '{t}b', '0', '1-1'],
      ['XREAD', 'STREAMS', '{t}a', '{t}b', '$', '$'],
      ['XREAD', 'STREAMS', '{t}a', '{t}nokey', '2-1', '0'],
      ['XREAD', 'STREAMS', '{t}nokey', '$'],
      ['XREAD', 'COUNT', '-1', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'COUNT', 'x', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'STREAMS', '{t}a', '{t}b', '0'],
      ['XREAD', 'STREAMS', '{t}a', '>'],
      ['XREAD', 'STREAMS', '{t}a', '+'],
      ['XREAD', 'STREAMS', '{t}a', 'x'],
      ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'NOACK', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'FOO', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'COUNT', '1', '{t}a', '0'],
      ['XREAD', 'BLOCK', '-1', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'BLOCK', '1.5', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'BLOCK', '10', 'STREAMS', '{t}a', '0'],
      ['XREAD', 'BLOCK', '10', 'STREAMS', '{t}a', '3-1'],
      ['XDEL', '{t}a', '3-1'],
      ['XREAD', 'STREAMS', '{t}a', '2-1'],
      ['SET', '{t}s', 'x'],
      ['XREAD', 'STREAMS', '{t}a', '{t}s', '0', '0'],
      ['XREAD', 'STREAMS', '{t}a', '{t}b'.replace('b', 'x'), '0', '0'],
    ]);
  });

  it('XREAD BLOCK inside a transaction answers at once (nil array), as Redis in MULTI', async () => {
    const cmds = [
      ['XREAD', 'BLOCK', '0', 'STREAMS', 'm', '$'],
      ['XADD', 'm', '1-1', 'a', '1'],
      ['XREAD', 'BLOCK', '0', 'STREAMS', 'm', '0'],
    ];
    const rc = await RawClient.connect(d.redis.port);
    const raw = await rc.call([['DEL', 'm'], ['MULTI'], ...cmds, ['EXEC']]);
    rc.close();
    const s = d.backend.session();
    await s.run([['DEL', 'm']]);
    const r = await s.transaction(cmds);
    expect(Array.isArray(r)).toBe(true);
    expect(encodeStr(arr(r as Frame[]), 2)).toBe(raw[raw.length - 1]);
  });
});

describe('auto IDs', () => {
  it('XADD * produces increasing IDs with ms from the clock, seq bumping within a millisecond', async () => {
    for (const proto of [2, 3] as const) {
      await d.pair(['DEL', 'auto'], proto);
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        const { redis, kf } = await d.pair(['XADD', 'auto', '*', 'i', String(i)], proto);
        expect(redis).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
        ids.push(kf.split('\r\n')[1]!);
      }
      const parsed = ids.map((s) => s.split('-').map(BigInt) as [bigint, bigint]);
      for (let i = 1; i < parsed.length; i++) {
        const [a, b] = [parsed[i - 1]!, parsed[i]!];
        expect(b[0] > a[0] || (b[0] === a[0] && b[1] === a[1] + 1n)).toBe(true);
      }
      expect(Math.abs(Number(parsed[0]![0]) - Date.now())).toBeLessThan(60_000);
      // A future explicit top makes * continue from it.
      await d.pair(['XADD', 'auto', '99999999999999-5', 'x', '1'], proto);
      const { redis, kf } = await d.pair(['XADD', 'auto', '*', 'x', '1'], proto);
      expect(kf).toBe(redis);
    }
  });
});
