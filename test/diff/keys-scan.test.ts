import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';

const d = useDiff();

interface Walk {
  keys: string[];
  cursors: string[];
  calls: number;
}

function scanReply(raw: string): { cursor: string; keys: string[] } {
  const f = parseReply(raw)!.frame;
  if (f.t !== 'arr') throw new Error(`unexpected SCAN reply ${JSON.stringify(raw)}`);
  const [c, ks] = f.v as unknown as [{ v: string }, { v: Frame[] }];
  return { cursor: c.v, keys: ks.v.map((k) => (k as { v: string }).v) };
}

/** A whole SCAN iteration on one side ('redis' or 'kf'), with the options after the cursor. */
async function walk(side: 'redis' | 'kf', opts: string[], proto: 2 | 3 = 2): Promise<Walk> {
  const out: Walk = { keys: [], cursors: [], calls: 0 };
  let cursor = '0';
  do {
    const r = scanReply((await d.pair(['SCAN', cursor, ...opts], proto))[side]);
    out.calls++;
    out.keys.push(...r.keys);
    cursor = r.cursor;
    out.cursors.push(cursor);
    if (out.calls > 100_000) throw new Error('SCAN does not terminate');
  } while (cursor !== '0');
  return out;
}

const uniqSorted = (a: string[]) => [...new Set(a)].sort();

describe('SCAN matches real Redis', () => {
  it('errors and the empty keyspace', async () => {
    const script: Cmd[] = [
      ['SCAN'],
      ['SCAN', '0'],
      ['SCAN', 'x'],
      ['SCAN', ' 1'],
      ['SCAN', '1 '],
      ['SCAN', '0x10'],
      ['SCAN', '18446744073709551616'],
      ['SCAN', '99999999999999999999999'],
      ['SCAN', ''],
      ['SCAN', '+0'],
      ['SCAN', '-0'],
      ['SCAN', '+'],
      ['SCAN', '-'],
      ['SCAN', '00'],
      ['SCAN', 'x', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT'],
      ['SCAN', '0', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'x'],
      ['SCAN', '0', 'COUNT', '1.5'],
      ['SCAN', '0', 'COUNT', '99999999999999999999'],
      ['SCAN', '0', 'COUNT', '0', 'MATCH'],
      ['SCAN', '0', 'MATCH', '*', 'COUNT', 'x'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN', '0', 'MATCH', 'a', 'FOO'],
      ['SCAN', '0', 'match', 'a*', 'count', '5', 'type', 'string'],
      ['SCAN', '0', 'TYPE', 'nosuchtype'],
      ['SCAN', '0', 'COUNT', '9223372036854775807'],
    ];
    await d.check(script);
  });

  it('a single key comes back whatever the cursor walk', async () => {
    await d.check([['SET', 'k', 'v'], ['SCAN', '0', 'COUNT', '1000'], ['SCAN', '0', 'MATCH', 'nope', 'COUNT', '1000']]);
  });

  it('full iterations return the same keys, with every cursor a decimal < 2^53', async () => {
    for (const p of [2, 3] as const) await d.pair(['FLUSHALL'], p);
    const names: string[] = [];
    for (let i = 0; i < 400; i++) names.push(i % 3 === 0 ? `user:${i}` : i % 3 === 1 ? `{t}x${i}` : `k\x00\xff${i}`);
    names.push('');
    for (const k of names) {
      const { redis, kf } = await d.pair(['SET', k, 'v']);
      expect([redis, kf]).toEqual(['+OK\r\n', '+OK\r\n']);
    }
    const variants: string[][] = [
      [],
      ['COUNT', '1'],
      ['COUNT', '7'],
      ['COUNT', '1000'],
      ['MATCH', 'user:*'],
      ['MATCH', 'user:1?', 'COUNT', '3'],
      ['MATCH', '*'],
      ['MATCH', ''],
      ['MATCH', '{t}x[1-2]*'],
      ['TYPE', 'string'],
      ['TYPE', 'STRING', 'COUNT', '50'],
      ['TYPE', 'list'],
      ['TYPE', 'none'],
      ['MATCH', 'user:*', 'TYPE', 'string', 'COUNT', '20'],
    ];
    for (const [i, opts] of variants.entries()) {
      const proto = i % 2 ? 3 : 2;
      const r = await walk('redis', opts, proto);
      const k = await walk('kf', opts, proto);
      expect(uniqSorted(k.keys), `SCAN ${opts.join(' ')}`).toEqual(uniqSorted(r.keys));
      for (const c of k.cursors) {
        expect(c).toMatch(/^(0|[1-9]\d*)$/);
        expect(Number(c)).toBeLessThan(2 ** 53);
      }
      if (opts.length === 0) {
        expect(uniqSorted(k.keys)).toEqual(uniqSorted(names));
        // COUNT is a visiting budget: 401 keys over 4 shards at 10 per shard call (a call may
        // finish one shard and go on into the next).
        expect(k.calls).toBeGreaterThanOrEqual(21);
        expect(k.calls).toBeLessThanOrEqual(50);
      }
    }
  });

  it('skips keys that expired (and removes them), as Redis does', async () => {
    for (const p of [2, 3] as const) await d.pair(['FLUSHALL'], p);
    for (let i = 0; i < 50; i++) {
      await d.pair(['SET', `e${i}`, 'v', 'PX', '1']);
      await d.pair(['SET', `l${i}`, 'v']);
    }
    await new Promise((r) => setTimeout(r, 10));
    const r = await walk('redis', ['COUNT', '5']);
    const k = await walk('kf', ['COUNT', '5']);
    expect(uniqSorted(k.keys)).toEqual(uniqSorted(r.keys));
    expect(uniqSorted(k.keys)).toHaveLength(50);
    const { redis, kf } = await d.pair(['DBSIZE']);
    expect(kf).toBe(redis);
    expect(kf).toBe(':50\r\n');
  });
});
