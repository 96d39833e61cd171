// SPOP's logged effects replay to the same state, as Redis 7.0 propagates them: one SREM per
// popped member, DEL when the whole set is popped, nothing for a count of 0 or a missing key.
import { describe, expect, it } from 'vitest';
import { Shard } from '../../src/shard/shard.js';
import { ManualClock } from '../../src/engine/clock.js';
import type { Frame } from '../../src/protocol/frame.js';

const info = { index: 0, count: 1, slots: [0, 16383] as const };
const newShard = (seed: number) => new Shard(info, new ManualClock(), seed);
const sorted = (f: Frame) => ((f as { v: Array<{ v: string }> }).v.map((x) => x.v)).sort();

describe('set effects', () => {
  it('SPOP with and without count logs SREMs / DEL that replay to the same set', () => {
    for (const members of [Array.from({ length: 40 }, (_, i) => String(i)), Array.from({ length: 40 }, (_, i) => `m${i}`), Array.from({ length: 600 }, (_, i) => `m${i}`)]) {
      const a = newShard(11);
      const effects: string[][] = [];
      const run = (argv: string[]) => {
        const r = a.exec([argv]);
        effects.push(...r.effects);
        return r.replies[0]!;
      };
      run(['SADD', 's', ...members]);
      run(['SPOP', 's']);
      expect(effects.at(-1)![0]).toBe('SREM');
      const before = effects.length;
      const popped = run(['SPOP', 's', '5']);
      // Five SREMs of one command: one unit, framed MULTI … EXEC (Redis 7.0 wraps them likewise).
      const unit = effects.slice(before);
      expect([unit[0], unit.at(-1), unit.length]).toEqual([['MULTI'], ['EXEC'], 7]);
      expect(unit.slice(1, -1).map((e) => e.slice(0, 2))).toEqual(Array(5).fill(['SREM', 's']));
      expect(unit.slice(1, -1).map((e) => e[2]).sort()).toEqual(sorted(popped));
      run(['SPOP', 's', String(members.length - 8)]); // the "keep the remaining" strategy
      run(['SPOP', 's', '0']);
      run(['SPOP', 'nokey', '3']);
      const n = effects.length;
      run(['SPOP', 's', '1']);
      expect(effects.length).toBe(n + 1);
      const replay = newShard(99);
      replay.exec(effects.filter((e) => e[0] !== 'MULTI' && e[0] !== 'EXEC')); // as the log's reader yields them
      expect(sorted(replay.exec([['SMEMBERS', 's']]).replies[0]!)).toEqual(sorted(a.exec([['SMEMBERS', 's']]).replies[0]!));
      const m = effects.length;
      run(['SPOP', 's', '100000']);
      expect(effects.slice(m)).toEqual([['DEL', 's']]);
      replay.exec(effects.slice(m));
      expect(replay.exec([['EXISTS', 's']]).replies[0]).toEqual({ t: 'int', v: 0 });
    }
  });

  it('read-only set commands and no-op writes log nothing', () => {
    const a = newShard(1);
    a.exec([['SADD', '{t}s', '1', '2']]);
    const r = a.exec([['SRANDMEMBER', '{t}s', '-5'], ['SMEMBERS', '{t}s'], ['SADD', '{t}s', '1'], ['SREM', '{t}s', '9'],
      ['SMOVE', '{t}s', '{t}d', '9'], ['SINTERCARD', '1', '{t}s'], ['SSCAN', '{t}s', '0']]);
    expect(r.effects).toEqual([]);
    const w = a.exec([['SMOVE', '{t}s', '{t}d', '1'], ['SUNIONSTORE', '{t}u', '{t}s', '{t}d']]);
    expect(w.effects).toEqual([['SMOVE', '{t}s', '{t}d', '1'], ['SUNIONSTORE', '{t}u', '{t}s', '{t}d']]);
  });
});
