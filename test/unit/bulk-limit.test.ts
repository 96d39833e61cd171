// The Worker's per-isolate proto-max-bulk-len cache (worker/bulk-limit.ts): read at most about
// once a second, never waited for when only old by age, re-read at once after a CONFIG change.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Mod = typeof import('../../src/worker/bulk-limit.js');

/** A fresh module (its cache is module state) and a loader whose answers the test releases. */
async function setup() {
  vi.resetModules();
  const m: Mod = await import('../../src/worker/bulk-limit.js');
  const calls: Array<(v: number) => void> = [];
  const load = () => new Promise<number>((r) => calls.push(r));
  const limit = () => m.bulkLimit(load);
  return { m, calls, limit };
}

describe('proto-max-bulk-len cache', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('waits for the first read, then serves it for a second without asking again', async () => {
    const { calls, limit } = await setup();
    const first = limit();
    const second = limit();
    expect(calls.length).toBe(1); // concurrent first reads share one load
    calls[0]!(2 * 1024 * 1024);
    expect(await first).toBe(2 * 1024 * 1024);
    expect(await second).toBe(2 * 1024 * 1024);
    vi.advanceTimersByTime(900);
    expect(limit()).toBe(2 * 1024 * 1024);
    expect(calls.length).toBe(1);
  });

  it('past a second, answers the old value at once and reads a fresh one behind it', async () => {
    const { calls, limit } = await setup();
    const p = limit();
    calls[0]!(5_000_000);
    await p;
    vi.advanceTimersByTime(1500);
    expect(limit()).toBe(5_000_000);
    expect(calls.length).toBe(2);
    calls[1]!(7_000_000);
    await Promise.resolve();
    await Promise.resolve();
    expect(limit()).toBe(7_000_000);
  });

  it('after a CONFIG change seen here, waits for a fresh read; a read begun before it does not count', async () => {
    const { m, calls, limit } = await setup();
    const p = limit();
    calls[0]!(512 * 1024 * 1024);
    await p;
    vi.advanceTimersByTime(1500);
    limit(); // a background read starts (calls[1]) …
    m.noteConfigChanges([['GET', 'k'], ['config', 'SET', 'proto-max-bulk-len', '1mb']]);
    const after = limit(); // … the CONFIG SET makes it stale: a new read (calls[2]) is waited for
    expect(calls.length).toBe(3);
    calls[1]!(512 * 1024 * 1024);
    calls[2]!(1024 * 1024);
    expect(await after).toBe(1024 * 1024);
    expect(limit()).toBe(1024 * 1024);
    // CONFIG GET changes nothing.
    m.noteConfigChanges([['CONFIG', 'GET', 'proto-max-bulk-len']]);
    expect(limit()).toBe(1024 * 1024);
  });

  it('argvTooLong asks for the limit only when an argument is longer than the smallest one allowed (1mb)', async () => {
    const { m } = await setup();
    const ask = vi.fn(() => 1024 * 1024);
    expect(await m.argvTooLong([['SET', 'k', 'x'.repeat(1024 * 1024)]], ask)).toBe(false);
    expect(ask).not.toHaveBeenCalled();
    expect(await m.argvTooLong([['SET', 'k', 'x'.repeat(1024 * 1024 + 1)]], ask)).toBe(true);
    expect(await m.argvTooLong([['SET', 'k', 'x'.repeat(1024 * 1024 + 1)]], () => 2 * 1024 * 1024)).toBe(false);
  });
});
