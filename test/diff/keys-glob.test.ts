import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useDiff } from '../helpers/diff.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import { GLOB_CASES, NOCASE_CASES } from '../unit/glob-cases.js';

const d = useDiff();

function strings(raw: string): string[] {
  const f = parseReply(raw)!.frame as { t: string; v: Frame[] };
  if (f.t !== 'arr' && f.t !== 'set') throw new Error(`not an array: ${JSON.stringify(raw)}`);
  return f.v.map((x) => (x as { v: string }).v);
}

/** KEYS on both sides: the sorted key lists (their order is the hash tables', not comparable). */
async function keysBoth(pattern: string, proto: 2 | 3 = 2): Promise<{ redis: string[]; kf: string[] }> {
  const { redis, kf } = await d.pair(['KEYS', pattern], proto);
  return { redis: strings(redis).sort(), kf: strings(kf).sort() };
}

async function load(keys: Iterable<string>): Promise<void> {
  await d.pair(['FLUSHALL']);
  for (const k of keys) {
    const { redis, kf } = await d.pair(['SET', k, 'v']);
    expect([redis, kf]).toEqual(['+OK\r\n', '+OK\r\n']);
  }
}

describe('KEYS patterns against real Redis', () => {
  it('the glob table (test/unit/glob-cases.ts) is what real Redis answers, and keyflare agrees', async () => {
    await load(new Set(GLOB_CASES.map(([, s]) => s)));
    const wrong: string[] = [];
    for (const p of new Set(GLOB_CASES.map(([p]) => p))) {
      const { redis, kf } = await keysBoth(p);
      expect(kf, `KEYS ${JSON.stringify(p.slice(0, 50))}`).toEqual(redis);
      for (const [cp, s, m] of GLOB_CASES) {
        if (cp === p && redis.includes(s) !== m) wrong.push(`${JSON.stringify(p.slice(0, 50))} vs ${JSON.stringify(s.slice(0, 50))}: redis says ${!m}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the nocase table is what Redis answers when matching command names', async () => {
    const wrong: string[] = [];
    for (const [p, name, m] of NOCASE_CASES) {
      const [raw] = await (d as unknown as { rc: Record<number, { call(c: string[][]): Promise<string[]> }> }).rc[2]!.call([['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', p]]);
      if (strings(raw!).includes(name) !== m) wrong.push(`${p} vs ${name}`);
    }
    expect(wrong).toEqual([]);
  });

  it('random patterns over random keys give the same KEYS answers (RESP2 and RESP3)', async () => {
    const ch = fc.constantFrom('a', 'b', 'c', 'A', '-', ':', '\\', '^', '\xe9', '\x00');
    const key = fc.array(ch, { maxLength: 5 }).map((a) => a.join(''));
    const pch = fc.constantFrom('a', 'b', 'c', 'A', '-', ':', '\\', '^', '\xe9', '*', '?', '[', ']', '[a-c]', '[^b]', '\\*');
    const pat = fc.array(pch, { maxLength: 6 }).map((a) => a.join(''));
    const keys = new Set(fc.sample(key, { seed: 7, numRuns: 150 }));
    await load(keys);
    for (const [i, p] of fc.sample(pat, { seed: 11, numRuns: 250 }).entries()) {
      const { redis, kf } = await keysBoth(p, i % 2 ? 3 : 2);
      expect(kf, `KEYS ${JSON.stringify(p)}`).toEqual(redis);
    }
  });

  it('KEYS arity and the exact-match fast path with an expired key', async () => {
    await d.check([
      ['KEYS'],
      ['KEYS', 'a', 'b'],
      ['SET', 'k', 'v'],
      ['KEYS', 'k'],
      ['KEYS', 'nokey'],
      ['PEXPIRE', 'k', '1'],
    ]);
    await new Promise((r) => setTimeout(r, 5));
    for (const p of ['k', '*', 'k*', '?']) {
      const { redis, kf } = await keysBoth(p);
      expect(kf).toEqual(redis);
      expect(kf).toEqual([]);
    }
  });
});
