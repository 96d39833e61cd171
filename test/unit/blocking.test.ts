// The waiter registry behind blocking commands: FIFO per key, one serve per waiter, timeouts.
import { describe, expect, it } from 'vitest';
import { Waiters } from '../../src/engine/blocking.js';
import { NILARR, bulk, type Frame } from '../../src/protocol/frame.js';

const req = (keys: string[], argv = ['BLPOP', ...keys, '0']) => ({ keys, timeoutMs: 0, argv, timeoutReply: NILARR });

describe('Waiters', () => {
  it('serves the waiters of a ready key first come, first served, until one would block', async () => {
    const w = new Waiters();
    const a = w.add(req(['k']), 2, 1);
    const b = w.add(req(['k', 'j']), 2, 2);
    const c = w.add(req(['k']), 2, 3);
    let items = 2;
    const served: number[] = [];
    w.signal('k');
    w.serve((x) => {
      if (items === 0) return null;
      items--;
      served.push(x.client);
      return bulk(`item-for-${x.client}`);
    });
    expect(served).toEqual([1, 2]);
    expect(await a.promise).toEqual(bulk('item-for-1'));
    expect(await b.promise).toEqual(bulk('item-for-2'));
    expect(w.size).toBe(1);
    expect(w.watches('j')).toBe(false); // b left every key it waited on
    expect(w.end(c.id)).toBe(true);
    expect(await c.promise).toEqual(NILARR);
    expect(w.end(c.id)).toBe(false);
    expect(w.size).toBe(0);
  });

  it('ignores signals for keys nobody waits on, and ends all waiters of a client', async () => {
    const w = new Waiters();
    w.signal('nobody');
    let calls = 0;
    w.serve(() => {
      calls++;
      return null;
    });
    expect(calls).toBe(0);
    const x = w.add(req(['a']), 2, 7);
    const y = w.add(req(['b']), 2, 7);
    w.add(req(['c']), 2, 8);
    const ids = w.ofClient(7);
    expect(ids).toEqual([x.id, y.id]);
    ids.forEach((id) => w.end(id));
    const replies: Frame[] = await Promise.all([x.promise, y.promise]);
    expect(replies).toEqual([NILARR, NILARR]);
    expect(w.size).toBe(1);
  });
});

describe('armTimer', () => {
  it('re-arms waits longer than setTimeout can hold, and fires once at the end', async () => {
    const { armTimer } = await import('../../src/engine/blocking.js');
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const timers = { set: (fn: () => void, ms: number) => pending.push({ fn, ms }), clear: () => {} };
    let fired = 0;
    armTimer(timers, () => fired++, 2 ** 31 - 1 + 5000);
    expect(pending.map((p) => p.ms)).toEqual([2 ** 31 - 1]);
    pending.shift()!.fn();
    expect(fired).toBe(0);
    expect(pending.map((p) => p.ms)).toEqual([5000]);
    pending.shift()!.fn();
    expect(fired).toBe(1);
  });
});
