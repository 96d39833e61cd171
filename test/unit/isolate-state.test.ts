// No mutable module-level state shared by the shards of an isolate (issue 10 item 5): two shards
// with the same seed and the same commands answer the same, whatever the other did before.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import type { Frame } from '../../src/protocol/frame.js';

const INFO = { index: 0, count: 1, slots: [0, 16383] as [number, number] };

function loaded(): Shard {
  const s = new Shard(INFO, new ManualClock(), 7);
  const hset = ['HSET', 'h'];
  const sadd = ['SADD', 's'];
  const zadd = ['ZADD', 'z'];
  // Members longer than 64 bytes: hashtable / skiplist encodings, which scan by cursor.
  const long = 'x'.repeat(80);
  for (let i = 0; i < 300; i++) {
    hset.push(`f${i}${long}`, 'v');
    sadd.push(`m${i}${long}`);
    zadd.push(String(i), `m${i}${long}`);
  }
  s.exec([hset, sadd, zadd]);
  return s;
}

const cursorOf = (f: Frame) => ((f as { v: Frame[] }).v[0] as { v: string }).v;

describe('isolate state', () => {
  it('HSCAN / SSCAN / ZSCAN cursors are the keyspace’s own: another shard’s scans do not shift them', () => {
    const a = loaded();
    const b = loaded();
    const scans = [['HSCAN', 'h', '0'], ['SSCAN', 's', '0'], ['ZSCAN', 'z', '0']];
    const first = a.exec(scans).replies.map(cursorOf);
    const second = b.exec(scans).replies.map(cursorOf);
    expect(first.every((c) => c !== '0')).toBe(true);
    expect(second).toEqual(first);
  });
});
