// Transactions on the in-process service with a manual clock: WATCH aborts by expiry and by
// FLUSHALL, watch bookkeeping released, REST watch tokens, internal commands out of clients' reach.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { LocalBackend } from '../../src/server/local.js';
import { REST_WATCH_LEASE_MS, REST_WATCH_MAX_KEYS, REST_WATCH_TOO_MANY } from '../../src/server/transaction.js';
import { LEASE_BUDGET, LEASE_BUDGET_ERROR, LEASE_SWEEP_GAP_MS, WATCH_CMD, WatchTable, entryBytes } from '../../src/engine/watch.js';
import { OOM_ERROR } from '../../src/engine/evict.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Session } from '../../src/server/session.js';

const bulk = (v: string): Frame => ({ t: 'bulk', v });
const NILARR: Frame = { t: 'nilarr' };

function setup() {
  const clock = new ManualClock();
  const be = new LocalBackend(4, clock);
  return { clock, be, a: be.session(), b: be.session() };
}
/** A REST watch token (the test fails on an error reply). */
async function tokenOf(s: Session, keys: string[]): Promise<string> {
  const t = await s.watchToken(keys);
  expect(typeof t).toBe('string');
  return t as string;
}
const watchedEntries = (be: LocalBackend) => be.shards.reduce((n, s) => n + s.db.watches.size, 0);

describe('WATCH aborts', () => {
  it('when a watched key expires between WATCH and EXEC (lazily, at EXEC)', async () => {
    const { clock, a } = setup();
    await a.run([['SET', 'k', 'v', 'PX', '1000'], ['WATCH', 'k']]);
    clock.advance(1001);
    const r = await a.run([['MULTI'], ['SET', 'k', 'new'], ['EXEC'], ['GET', 'k']]);
    expect(r[2]).toEqual(NILARR);
    expect(r[3]).toEqual({ t: 'nil' });
  });

  it('when active expiry removed the watched key', async () => {
    const { clock, be, a } = setup();
    await a.run([['SET', 'k', 'v', 'PX', '1000'], ['WATCH', 'k']]);
    clock.advance(1001);
    for (const s of be.shards) s.expireCycle();
    expect(await a.run([['MULTI'], ['SET', 'k', 'new'], ['EXEC']])).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'QUEUED' }, NILARR]);
  });

  it('not when the key had already expired at WATCH, nor when its TTL is still running', async () => {
    const { clock, a } = setup();
    await a.run([['SET', 'gone', 'v', 'PX', '10'], ['SET', 'alive', 'v', 'PX', '100000']]);
    clock.advance(50);
    await a.run([['WATCH', 'gone', 'alive']]);
    clock.advance(50);
    const r = await a.run([['MULTI'], ['SET', 'x', '1'], ['EXEC']]);
    expect(r[2]).toEqual({ t: 'arr', v: [{ t: 'simple', v: 'OK' }] });
  });

  it('on FLUSHALL and FLUSHDB by another connection (keys on every shard)', async () => {
    for (const flush of ['FLUSHALL', 'FLUSHDB']) {
      const { a, b } = setup();
      await a.run([['SET', 'a', '1'], ['SET', 'b', '2'], ['WATCH', 'a'], ['WATCH', 'b']]);
      await b.run([[flush]]);
      const r = await a.run([['MULTI'], ['SET', 'a', 'mine'], ['EXEC'], ['GET', 'a']]);
      expect(r[2]).toEqual(NILARR);
      expect(r[3]).toEqual({ t: 'nil' });
    }
  });

  it('on a change to a watched key of another shard than the transaction', async () => {
    const { a, b } = setup();
    await a.run([['WATCH', 'foo'], ['WATCH', 'a']]); // different shards
    await b.run([['SET', 'foo', 'x']]);
    expect((await a.run([['MULTI'], ['SET', 'a', '1'], ['EXEC'], ['EXISTS', 'a']])).slice(2)).toEqual([NILARR, { t: 'int', v: 0 }]);
  });
});

describe('watch bookkeeping', () => {
  it('shard entries exist only while watched: released by EXEC, DISCARD, UNWATCH, RESET, close', async () => {
    const { be, a } = setup();
    const ends: string[][][] = [[['MULTI'], ['EXEC']], [['MULTI'], ['DISCARD']], [['UNWATCH']], [['RESET']]];
    for (const end of ends) {
      await a.run([['WATCH', 'a'], ['WATCH', 'b'], ['WATCH', 'foo']]);
      expect(watchedEntries(be)).toBe(3);
      await a.run(end);
      expect(watchedEntries(be)).toBe(0);
    }
    await a.run([['WATCH', 'a']]);
    await a.close();
    expect(watchedEntries(be)).toBe(0);
  });

  it('two connections watching one key share an entry until both release it', async () => {
    const { be, a, b } = setup();
    await a.run([['WATCH', 'k']]);
    await b.run([['WATCH', 'k']]);
    expect(watchedEntries(be)).toBe(1);
    await a.run([['UNWATCH']]);
    expect(watchedEntries(be)).toBe(1);
    await b.run([['SET', 'k', '1']]);
    expect((await b.run([['MULTI'], ['EXEC']]))[1]).toEqual(NILARR);
    expect(watchedEntries(be)).toBe(0);
  });

  it('internal shard commands cannot be sent by a client', async () => {
    const { a } = setup();
    const [r] = await a.run([[WATCH_CMD, '1', '0', 'k']]);
    expect(r!.t).toBe('err');
    const [t] = await a.run([['MULTI'], [WATCH_CMD, '1', '0', 'k'], ['EXEC']]).then((x) => x.slice(2));
    expect(t).toEqual({ t: 'err', v: 'EXECABORT Transaction discarded because of previous errors.' });
  });
});

describe('REST watch tokens', () => {
  it('a token-guarded transaction runs when nothing changed and aborts (running nothing) when a key did', async () => {
    const { be, a, b } = setup();
    await a.run([['SET', '{u}n', '1']]);
    const tok = await tokenOf(a, ['{u}n', 'foo']);
    expect(await a.transaction([['INCR', '{u}n']], tok)).toEqual([{ t: 'int', v: 2 }]);
    const tok2 = await tokenOf(a, ['{u}n', 'foo']);
    await b.run([['SET', 'foo', 'changed']]);
    expect(await a.transaction([['INCR', '{u}n']], tok2)).toEqual(NILARR);
    expect((await a.run([['GET', '{u}n']]))[0]).toEqual(bulk('2'));
    // The REST session holds nothing: the entries only wait for their lease.
    expect(be.shards.every((s) => s.db.watches.size <= 2)).toBe(true);
  });

  it('a malformed token is refused; a token from a restarted shard aborts', async () => {
    const { clock, a } = setup();
    expect(await a.transaction([['SET', 'k', 'v']], 'nonsense')).toEqual({ t: 'err', v: 'ERR invalid watch token' });
    const tok = await tokenOf(a, ['k']);
    clock.advance(1);
    const fresh = new LocalBackend(4, clock).session(); // same keys, new shard incarnations
    expect(await fresh.transaction([['SET', 'k', 'v']], tok)).toEqual(NILARR);
  });

  it('after its lease, a swept entry makes the token abort (never a missed change)', async () => {
    const { clock, be, a } = setup();
    const tok = await tokenOf(a, ['k']);
    clock.advance(REST_WATCH_LEASE_MS + 1);
    // Enough other watches to trigger a sweep of the shard's expired leases.
    const shard = be.slots.shardOfKey('k');
    const others: string[] = [];
    for (let i = 0; others.length < 70; i++) if (be.slots.shardOfKey(`o${i}`) === shard) others.push(`o${i}`);
    await tokenOf(a, others);
    await tokenOf(a, others); // the watch after the table grew sweeps it
    expect(await a.transaction([['SET', 'k', 'v']], tok)).toEqual(NILARR);
  });
});

describe('REST watch limits and their memory', () => {
  /** `n` distinct keys of length `len` in the slot of `{slot}` (one shard, one slot for WATCH). */
  const keysOn = (slot: string, n: number, len: number, tag = 'k') => Array.from({ length: n }, (_, i) => `{${slot}}${tag}${i}:`.padEnd(len, 'x'));
  const bytesOf = (keys: string[]) => keys.reduce((n, k) => n + entryBytes(k), 0);

  it('one request may watch at most REST_WATCH_MAX_KEYS distinct keys', async () => {
    const { be, a } = setup();
    const keys = Array.from({ length: REST_WATCH_MAX_KEYS + 1 }, (_, i) => `w${i}`);
    expect(await a.watchToken(keys)).toEqual({ t: 'err', v: REST_WATCH_TOO_MANY });
    expect(watchedEntries(be)).toBe(0);
    expect(typeof (await a.watchToken([...keys.slice(1), keys[1]!]))).toBe('string'); // duplicates count once
    expect(watchedEntries(be)).toBe(REST_WATCH_MAX_KEYS);
  });

  it('a shard refuses leases past LEASE_BUDGET bytes until they end; connections are not capped', async () => {
    const { clock, be, a, b } = setup();
    const len = 7000; // 1,000 such keys lease ~7.1 MB: the second request passes 8 MiB
    const first = keysOn('x', 1000, len, 'a');
    const second = keysOn('x', 1000, len, 'b');
    const shard = be.shards[be.slots.shardOfKey('{x}')]!;
    expect(typeof (await a.watchToken(first))).toBe('string');
    expect(shard.db.watches.leasedBytes).toBe(bytesOf(first));
    expect(bytesOf(first) + bytesOf(second)).toBeGreaterThan(LEASE_BUDGET);
    expect(await a.watchToken(second)).toEqual({ t: 'err', v: LEASE_BUDGET_ERROR });
    expect(shard.db.watches.size).toBe(1000); // the refused request registered nothing
    // Keys already leased cost nothing more: renewing them is fine.
    expect(typeof (await a.watchToken(first.slice(0, 10)))).toBe('string');
    // A connection's WATCH lives with the connection (as in Redis): not capped.
    expect((await b.run([['WATCH', ...second]]))[0]).toEqual({ t: 'simple', v: 'OK' });
    await b.close();
    clock.advance(REST_WATCH_LEASE_MS + 1);
    expect(typeof (await a.watchToken(second))).toBe('string');
  });

  it('watch entries count in used_memory (so maxmemory sees them) until released or their lease ends', async () => {
    const { clock, be, a, b } = setup();
    const shard = be.shards[be.slots.shardOfKey('{x}')]!;
    const base = shard.db.used;
    const keys = keysOn('x', 1000, 200);
    expect(typeof (await a.watchToken(keys))).toBe('string');
    expect(shard.db.used).toBe(base + bytesOf(keys));
    // Over maxmemory because of the leases: a write to that shard is refused (noeviction).
    await a.run([['CONFIG', 'SET', 'maxmemory', String(base + 1000)]]);
    const onShard = keysOn('x', 1, 3, 'v')[0]!;
    expect((await a.run([['SET', onShard, 'v']]))[0]).toEqual({ t: 'err', v: OOM_ERROR });
    // FLUSHALL keeps them (they are not data).
    await a.run([['FLUSHALL']]);
    expect(shard.db.used).toBe(bytesOf(keys));
    // The lease ends: active expiry frees them without another WATCH.
    clock.advance(REST_WATCH_LEASE_MS + 2);
    shard.expireCycle();
    expect(shard.db.watches.size).toBe(0);
    expect(shard.db.used).toBe(0);
    expect((await a.run([['SET', onShard, 'v']]))[0]).toEqual({ t: 'simple', v: 'OK' });
    // A connection's watches count while held and leave with it.
    const used = shard.db.used;
    await b.run([['WATCH', ...keys]]);
    expect(shard.db.used).toBe(used + bytesOf(keys));
    await b.close();
    expect(shard.db.used).toBe(used);
  });

  it('active expiry sweeps ended leases at most once per LEASE_SWEEP_GAP_MS and says when to come back', () => {
    const w = new WatchTable();
    w.watch(['a'], 0, false, 100);
    w.watch(['b'], 50, false, 100);
    expect(w.expireLeases(10)).toBe(101); // the first lease's end
    expect(w.expireLeases(101)).toBe(101 + LEASE_SWEEP_GAP_MS); // 'a' gone; 'b' waits for the gap
    expect(w.size).toBe(1);
    expect(w.expireLeases(101 + LEASE_SWEEP_GAP_MS)).toBe(Infinity);
    expect([w.size, w.bytes, w.leasedBytes]).toEqual([0, 0, 0]);
  });
});
