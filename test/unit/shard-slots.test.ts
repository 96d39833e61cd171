// A shard refuses keys of slots it does not serve (issue 10 item 4): a router with a stale slot
// map must never write to the wrong shard. Checked on the pure shard and through a session whose
// slot map disagrees with the shards' (as after a reshard the Worker has not heard of).
import { describe, expect, it } from 'vitest';
import { SlotMap, keySlot } from '../../src/cluster/slot.js';
import { systemClock } from '../../src/engine/clock.js';
import { LocalBackend } from '../../src/server/local.js';
import { SLOT_NOT_SERVED, Shard } from '../../src/shard/shard.js';

const REFUSED = { t: 'err', v: SLOT_NOT_SERVED };
const OK = { t: 'simple', v: 'OK' };

/** A key whose slot is in [lo, hi] (or outside it with `outside`). */
function keyIn(lo: number, hi: number, outside = false, from = 0): string {
  for (let i = from; ; i++) {
    const s = keySlot(`k${i}`);
    if ((s >= lo && s <= hi) !== outside) return `k${i}`;
  }
}

describe('slot ownership', () => {
  const shard = () => new Shard({ index: 1, count: 4, slots: [4096, 8191] }, systemClock, 2);

  it('a shard refuses a key of another slot before running anything: no write, no effect', () => {
    const s = shard();
    const mine = keyIn(4096, 8191);
    const other = keyIn(4096, 8191, true);
    const r = s.exec([['SET', other, 'x'], ['SET', mine, 'y'], ['GET', other], ['MSET', mine, '1', other, '2'], ['DEL', other]]);
    expect(r.replies).toEqual([REFUSED, OK, REFUSED, REFUSED, REFUSED]);
    expect(r.effects).toEqual([['SET', mine, 'y']]);
    expect(s.db.data.has(other)).toBe(false);
    expect(s.db.get(mine)).toBe('y'); // the MSET touching a foreign key did not run either
    // Keyless commands run anywhere; errors are counted as Redis counts them.
    expect(s.exec([['DBSIZE']]).replies).toEqual([{ t: 'int', v: 1 }]);
    expect(s.stats.errorReplies).toBe(4);
  });

  it('an atomic batch with one foreign key runs none of its commands', () => {
    const s = shard();
    const mine = keyIn(4096, 8191);
    const other = keyIn(4096, 8191, true);
    const r = s.exec([['SET', mine, '1'], ['INCR', other], ['SET', mine, '2']], 2, true);
    expect(r.replies).toEqual([REFUSED, REFUSED, REFUSED]);
    expect(r.effects).toEqual([]);
    expect(s.db.data.has(mine)).toBe(false);
  });

  it('replay of the shard’s own log is not refused (it was accepted when written)', () => {
    const s = shard();
    const other = keyIn(4096, 8191, true);
    s.replay([['SET', other, 'x']]);
    expect(s.db.get(other)).toBe('x');
  });

  it('a session routing with a stale slot map gets the refusal, and no shard holds a misplaced key', async () => {
    const b = new LocalBackend(4);
    // The Worker's map says 2 shards, the shards still serve 4 ranges (a reshard it missed).
    (b as unknown as { slots: SlotMap }).slots = new SlotMap(2);
    const s = b.session();
    // Slots 4096-8191: the stale map sends them to shard 0, which serves 0-4095.
    const k = keyIn(4096, 8191);
    expect(await s.run([['SET', k, 'v'], ['GET', k]])).toEqual([REFUSED, REFUSED]);
    expect(await s.run([['MULTI'], ['SET', k, 'v'], ['EXEC']])).toEqual([OK, { t: 'simple', v: 'QUEUED' }, REFUSED]);
    expect(await s.transaction([['SET', k, 'v'], ['INCR', `{${k}}n`]])).toEqual(REFUSED);
    for (const sh of b.shards) expect(sh.db.data.has(k)).toBe(false);
    expect(b.logs.flat()).toEqual([]);
  });
});
