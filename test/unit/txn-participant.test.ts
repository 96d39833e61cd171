// The participant of cross-shard transactions (src/shard/txn.ts) through the shard host, as a
// coordinator drives it over the wire (txn-wire.ts): locks, waiting, WATCH, stage / commit /
// abort, leases, the primary's decisions, deferred batches, recovery from the log.
import { describe, expect, it } from 'vitest';
import { MemoryPort } from '../../src/persistence/port.js';
import { TXLOG_ABORT, TXLOG_COMMIT, TXLOG_DECISION, TXLOG_PREPARED } from '../../src/shard/txn.js';
import { encodeAbort, encodeCommit, encodeLock, encodeStage, encodeStatus, type LockRequest } from '../../src/shard/txn-wire.js';
import { LocalBackend } from '../../src/server/local.js';
import { SimTime, T0, cluster, run, send, settled } from '../helpers/txn-env.js';

const LEASE = 1000;
const lockReq = (txid: string, o: Partial<LockRequest> = {}): LockRequest => ({ txid, primary: 1, leaseMs: LEASE, db: 0, wait: false, read: [], write: [], watches: [], ...o });
const bulk = (v: string) => ({ t: 'bulk', v });
const OK = { t: 'simple', v: 'OK' };

/** Records of the stored log, in order (what recovery replays). */
function records(port: MemoryPort): string[] {
  return port.rows.map((r) => r.data).join('').split('\r\n').filter((l) => l.startsWith('\0txlog-'));
}

describe('participant: locks', () => {
  it('try-lock answers busy at once on a conflict and locks nothing; a waiting lock queues FIFO', async () => {
    const t = new SimTime();
    const [h] = cluster(1, t).hosts as [NonNullable<ReturnType<typeof cluster>['hosts'][0]>];
    expect(await send(h, encodeLock(lockReq('t1', { write: ['a', 'b'] })))).toEqual(['locked']);
    // c is free but b is not: all or nothing.
    expect(await send(h, encodeLock(lockReq('t2', { write: ['c', 'b'] })))).toEqual(['busy']);
    expect(await send(h, encodeLock(lockReq('t3', { write: ['c', 'd'] })))).toEqual(['locked']);
    expect(h.txn.lockedKeys).toBe(4);
    const w4 = send(h, encodeLock(lockReq('t4', { write: ['a'], wait: true })));
    const w5 = send(h, encodeLock(lockReq('t5', { write: ['a', 'e'], wait: true })));
    // e is free, but t5 queues behind t4 for a; a later waiting lock of e alone waits behind t5.
    const w6 = send(h, encodeLock(lockReq('t6', { write: ['e'], wait: true })));
    expect(await settled(w4)).toBe(false);
    expect(await settled(w6)).toBe(false);
    expect(await send(h, encodeAbort('t1'))).toEqual(['ok']);
    expect(await w4).toEqual(['locked']);
    expect(await settled(w5)).toBe(false);
    expect(await settled(w6)).toBe(false);
    expect(await send(h, encodeAbort('t4'))).toEqual(['ok']);
    expect(await w5).toEqual(['locked']);
    expect(await settled(w6)).toBe(false);
    await send(h, encodeAbort('t5'));
    expect(await w6).toEqual(['locked']);
  });

  it('LOCK returns the read keys as DUMP payloads with absolute expiry, absent keys as absent', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    await run(h, ['SET', 's', 'hello'], ['PEXPIREAT', 's', String(T0 + 50_000)], ['RPUSH', 'l', 'x', 'y']);
    const [ds, dl] = await run(h, ['DUMP', 's'], ['DUMP', 'l']);
    const r = await send(h, encodeLock(lockReq('t', { read: ['s', 'l', 'none'] })));
    expect(r).toEqual(['locked', 's', '1', (ds as { v: string }).v, String(T0 + 50_000), 'l', '1', (dl as { v: string }).v, '-1', 'none', '0']);
  });

  it('a changed WATCHed key answers watch-failed and leaves nothing locked', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    await run(h, ['SET', 'w', '1']);
    const [v] = await run(h, ['\0watch', '1', '60000', 'w']);
    const [epoch, ver] = (v as { v: Array<{ v: number }> }).v.map((x) => Number(x.v));
    const watches = [{ key: 'w', epoch: epoch!, ver: ver! }];
    expect(await send(h, encodeLock(lockReq('ok', { read: ['w'], watches })))).toEqual(['locked', 'w', '1', expect.any(String), '-1']);
    await send(h, encodeAbort('ok'));
    await run(h, ['SET', 'w', '2']);
    expect(await send(h, encodeLock(lockReq('t', { write: ['x'], watches })))).toEqual(['watch-failed']);
    expect(h.txn.lockedKeys).toBe(0);
    expect(await send(h, encodeLock(lockReq('u', { write: ['x', 'w'] })))).toEqual(['locked']);
  });
});

describe('participant: stage, commit, abort', () => {
  it('stage logs PREPARED before answering; keys stay locked (batches wait); commit applies as one framed unit and publishes the notes', async () => {
    const t = new SimTime();
    const port = new MemoryPort(true);
    const c = cluster(2, t, {}, (i) => (i === 0 ? port : new MemoryPort(true)));
    const h = c.hosts[0]!;
    await run(h, ['SET', 'a', '10'], ['SET', 'other', 'o']);
    await send(h, encodeLock(lockReq('tx', { read: ['a'], write: ['b'] })));
    const [d7] = await run(h, ['DUMP', 'other']); // any payload: a string
    const stage = send(h, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'a', value: null }, { key: 'b', value: (d7 as { v: string }).v, expireAt: T0 + 9000 }], notes: [['__keyspace@0__:a', 'del']] }));
    expect(await stage).toEqual(['ok']);
    expect(records(port)).toEqual([TXLOG_PREPARED]);
    const free = run(h, ['GET', 'other']);
    const get = run(h, ['GET', 'a'], ['GET', 'b']);
    const mixed = run(h, ['GET', 'other'], ['GET', 'a']);
    // A key no lock holds is read at once, unless work waiting before wants it too (arrival order).
    const after = run(h, ['GET', 'other']);
    expect(await free).toEqual([bulk('o')]);
    expect(await settled(after)).toBe(false);
    expect(await settled(get)).toBe(false);
    expect(await settled(mixed)).toBe(false);
    expect(await send(h, encodeCommit({ txid: 'tx', db: 0, writes: [], notes: [] }))).toEqual(['ok']);
    expect(await get).toEqual([{ t: 'nil' }, bulk('o')]);
    expect(await mixed).toEqual([bulk('o'), { t: 'nil' }]);
    expect(await after).toEqual([bulk('o')]);
    expect((await run(h, ['PEXPIRETIME', 'b']))[0]).toEqual({ t: 'int', v: T0 + 9000 });
    expect(c.published).toEqual([['__keyspace@0__:a', 'del']]);
    // The commit is one MULTI … EXEC unit: its record, then the writes.
    const log = port.rows.map((r) => r.data).join('');
    const unit = log.slice(log.indexOf('*1\r\n$5\r\nMULTI'));
    expect(unit.indexOf(TXLOG_COMMIT)).toBeLessThan(unit.indexOf('RESTORE'));
    expect(unit.indexOf('RESTORE')).toBeLessThan(unit.indexOf('EXEC'));
    expect(h.txn.lockedKeys).toBe(0);
  });

  it('abort drops the staged writes, logs ABORT, and the waiting batch sees the old value', async () => {
    const t = new SimTime();
    const port = new MemoryPort(true);
    const c = cluster(2, t, {}, (i) => (i === 0 ? port : new MemoryPort(true)));
    const h = c.hosts[0]!;
    await run(h, ['SET', 'a', '10']);
    await send(h, encodeLock(lockReq('tx', { write: ['a'] })));
    await send(h, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'a', value: null }], notes: [] }));
    const get = run(h, ['GET', 'a']);
    expect(await send(h, encodeAbort('tx'))).toEqual(['ok']);
    expect(await get).toEqual([bulk('10')]);
    expect(records(port)).toEqual([TXLOG_PREPARED, TXLOG_ABORT]);
    expect(await send(h, encodeCommit({ txid: 'tx', db: 0, writes: [], notes: [] }))).toEqual(['aborted']);
  });

  it('at the primary COMMIT carries its own writes and is the decision; STATUS answers committed', async () => {
    const t = new SimTime();
    const c = cluster(2, t);
    const p = c.hosts[1]!;
    await send(p, encodeLock(lockReq('tx', { write: ['k'] })));
    expect(await send(p, encodeStatus('tx'))).toEqual(['pending']);
    const [, payload] = await run(p, ['SET', 'tmp', 'v'], ['DUMP', 'tmp']);
    expect(await send(p, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'k', value: (payload as { v: string }).v, expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    expect(await run(p, ['GET', 'k'])).toEqual([bulk('v')]);
    expect(await send(p, encodeStatus('tx'))).toEqual(['committed']);
    expect(p.txn.decision('tx')).toBe('committed');
  });

  it('deferred batches run after the release in arrival order; FLUSHDB waits for every lock of the db', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    await send(h, encodeLock(lockReq('tx', { write: ['l'] })));
    const order: string[] = [];
    const other = await run(h, ['SET', 'z', '1']); // no key in common with a lock
    expect(other).toEqual([OK]);
    const b1 = run(h, ['RPUSH', 'l', 'a']).then((r) => order.push('a') && r);
    const flush = run(h, ['FLUSHDB']).then((r) => order.push('flush') && r);
    // Behind a waiting FLUSHDB everything of the db waits (it would run before the flush otherwise).
    const b2 = run(h, ['RPUSH', 'l', 'b']).then((r) => order.push('b') && r);
    const z = run(h, ['GET', 'z']).then((r) => order.push('z') && r);
    expect(await settled(b1)).toBe(false);
    expect(await settled(flush)).toBe(false);
    await send(h, encodeAbort('tx'));
    expect(await b1).toEqual([{ t: 'int', v: 1 }]);
    expect(await flush).toEqual([OK]);
    expect(await b2).toEqual([{ t: 'int', v: 1 }]);
    expect(await z).toEqual([{ t: 'nil' }]);
    expect(order).toEqual(['a', 'flush', 'b', 'z']);
  });
});

describe('participant: blocked commands', () => {
  it('a blocked command whose key becomes ready is not served while it would write a locked key; it is once the lock goes', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    await run(h, ['RPUSH', 'dst', 'd0']);
    const moved = run(h, ['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0']);
    expect(await settled(moved)).toBe(false);
    expect(await send(h, encodeLock(lockReq('tx', { primary: 0, read: ['dst'] })))).toEqual(['locked', 'dst', '1', expect.any(String), '-1']);
    expect(await run(h, ['RPUSH', 'src', 'v'])).toEqual([{ t: 'int', v: 1 }]);
    expect(await settled(moved)).toBe(false); // dst is locked: BLMOVE waits
    const [, payload] = await run(h, ['RPUSH', 'tmp', 'c'], ['DUMP', 'tmp']);
    expect(await send(h, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'dst', value: (payload as { v: string }).v, expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    expect(await moved).toEqual([bulk('v')]);
    expect(await run(h, ['LRANGE', 'dst', '0', '-1'])).toEqual([{ t: 'arr', v: [bulk('c'), bulk('v')] }]);
  });

  it('the rest of a batch after a blocking command waits for the locks it meets by then', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    const batch = run(h, ['BLPOP', 'q', '0'], ['SET', 'k', 'after']);
    await send(h, encodeLock(lockReq('tx', { primary: 0, write: ['k'] })));
    await run(h, ['LPUSH', 'q', 'x']);
    expect(await settled(batch)).toBe(false);
    expect(await send(h, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'k', value: null }], notes: [] }))).toEqual(['ok']);
    expect(await batch).toEqual([{ t: 'arr', v: [bulk('q'), bulk('x')] }, OK]);
    expect(await run(h, ['GET', 'k'])).toEqual([bulk('after')]);
  });
});

describe('participant: databases', () => {
  it('locks are per db; MOVE, COPY … DB, SWAPDB, FLUSHALL and a transaction in that db wait for the locks of the dbs they touch', async () => {
    const t = new SimTime();
    const h = cluster(1, t).hosts[0]!;
    await h.exec([['SET', 'k', 'in3']], 2, { db: 3 });
    await send(h, encodeLock(lockReq('tx', { db: 3, write: ['k'] })));
    expect(await h.exec([['SET', 'k', 'in0']], 2, { db: 0 })).toEqual([OK]); // db 0's k is another key
    const waiting = [
      h.exec([['MOVE', 'k', '3']], 2, { db: 0 }),
      h.exec([['COPY', 'k', 'k', 'DB', '3']], 2, { db: 0 }),
      h.exec([['SWAPDB', '1', '3']], 2, { db: 0 }),
      h.exec([['GET', 'x'], ['GET', 'k']], 2, { db: 3, atomic: true }),
      h.exec([['FLUSHALL']], 2, { db: 5 }),
    ];
    for (const w of waiting) expect(await settled(Promise.resolve(w))).toBe(false);
    await send(h, encodeAbort('tx'));
    const [move, copy, swap, sel, flush] = await Promise.all(waiting);
    expect(move).toEqual([{ t: 'int', v: 0 }]); // k exists in db 3: MOVE does nothing
    expect(copy).toEqual([{ t: 'int', v: 0 }]);
    expect(swap).toEqual([OK]);
    expect(sel).toEqual([{ t: 'nil' }, { t: 'nil' }]); // db 3 is the old db 1 now (empty)
    expect(flush).toEqual([OK]);
  });
});

describe('participant: leases and the primary', () => {
  it('a lock held past its lease without STAGE is released; a late STAGE answers aborted', async () => {
    const t = new SimTime();
    const h = cluster(2, t).hosts[0]!;
    await send(h, encodeLock(lockReq('tx', { write: ['a'] })));
    const w = run(h, ['SET', 'a', '1']);
    t.advance(LEASE - 1);
    expect(await settled(w)).toBe(false);
    t.advance(1);
    expect(await w).toEqual([OK]);
    expect(h.txn.lockedKeys).toBe(0);
    expect(await send(h, encodeStage({ txid: 'tx', db: 0, writes: [], notes: [] }))).toEqual(['aborted']);
  });

  it('at the primary: an unknown txid is aborted durably; a lease that ended undecided is aborted and a late COMMIT refused', async () => {
    const t = new SimTime();
    const port = new MemoryPort(true);
    const c = cluster(2, t, {}, (i) => (i === 1 ? port : new MemoryPort(true)));
    const p = c.hosts[1]!;
    expect(await send(p, encodeStatus('nobody'))).toEqual(['aborted']);
    expect(records(port)).toEqual([TXLOG_DECISION]);
    await send(p, encodeLock(lockReq('tx', { write: ['k'] })));
    expect(await send(p, encodeStatus('tx'))).toEqual(['pending']);
    t.advance(LEASE);
    expect(await send(p, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'k', value: null }], notes: [] }))).toEqual(['aborted']);
    expect(await send(p, encodeStatus('tx'))).toEqual(['aborted']);
    // The decisions survive a restart.
    p.close();
    const again = c.open(1);
    expect(await send(again, encodeStatus('nobody'))).toEqual(['aborted']);
    expect(await send(again, encodeStatus('tx'))).toEqual(['aborted']);
  });

  it('a txid locked again after an abort (the try phase) is pending at the primary, not aborted (found by the simulation)', async () => {
    const t = new SimTime();
    const p = cluster(2, t).hosts[1]!;
    await send(p, encodeLock(lockReq('tx', { write: ['k'] })));
    await send(p, encodeAbort('tx'));
    expect(p.txn.decision('tx')).toBe('aborted');
    await send(p, encodeLock(lockReq('tx', { write: ['k'], wait: true })));
    expect(await send(p, encodeStatus('tx'))).toEqual(['pending']);
    expect(await send(p, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'k', value: null }], notes: [] }))).toEqual(['ok']);
    expect(await send(p, encodeStatus('tx'))).toEqual(['committed']);
  });

  it('a staged participant past its lease asks the primary: pending and unreachable retry with backoff, then the decision applies', async () => {
    const t = new SimTime();
    const c = cluster(2, t, { retryMinMs: 100, retryMaxMs: 400 });
    const [s, p] = c.hosts as [NonNullable<(typeof c.hosts)[0]>, NonNullable<(typeof c.hosts)[0]>];
    await run(s, ['SET', 'x', 'old']);
    const [payload] = await run(s, ['DUMP', 'x']);
    await send(p, encodeLock(lockReq('tx', { write: ['y'], leaseMs: 10 * LEASE })));
    await send(s, encodeLock(lockReq('tx', { write: ['x'] })));
    await send(s, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'x', value: null }], notes: [] }));
    c.down.add(1);
    t.advance(LEASE); // asks: unreachable
    await settled(Promise.resolve());
    expect(s.txn.held()[0]!.staged).toBe(true);
    c.down.delete(1);
    t.advance(100); // asks: pending (the primary's own lease runs)
    await settled(Promise.resolve());
    expect(s.txn.held()).toHaveLength(1);
    // The coordinator commits the primary; the staged participant learns it on its next ask.
    expect(await send(p, encodeCommit({ txid: 'tx', db: 0, writes: [{ key: 'y', value: (payload as { v: string }).v, expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    t.advance(400);
    await settled(Promise.resolve());
    expect(s.txn.held()).toHaveLength(0);
    expect(await run(s, ['GET', 'x'])).toEqual([{ t: 'nil' }]);
    // The coordinator's own COMMIT, arriving late, is answered ok.
    expect(await send(s, encodeCommit({ txid: 'tx', db: 0, writes: [], notes: [] }))).toEqual(['ok']);
  });

  it('a staged participant whose primary aborted (lease ended) drops its writes', async () => {
    const t = new SimTime();
    const c = cluster(2, t, { retryMinMs: 100 });
    const [s, p] = c.hosts as [NonNullable<(typeof c.hosts)[0]>, NonNullable<(typeof c.hosts)[0]>];
    await run(s, ['SET', 'x', 'old']);
    await send(p, encodeLock(lockReq('tx', { write: ['y'] })));
    await send(s, encodeLock(lockReq('tx', { write: ['x'] })));
    await send(s, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'x', value: null }], notes: [] }));
    for (let i = 0; i < 10 && s.txn.held().length; i++) {
      t.advance(100);
      await settled(Promise.resolve());
    }
    expect(s.txn.held()).toHaveLength(0);
    expect(p.txn.decision('tx')).toBe('aborted');
    expect(await run(s, ['GET', 'x'])).toEqual([bulk('old')]);
  });
});

describe('participant: recovery', () => {
  it('a restart re-creates a staged transaction from the log (still locked); the coordinator commit then applies; an unstaged lock is gone', async () => {
    const t = new SimTime();
    const c = cluster(2, t);
    const s = c.hosts[0]!;
    await run(s, ['SET', 'x', 'old'], ['SET', 'u', 'u0']);
    await send(s, encodeLock(lockReq('tx', { write: ['x'] })));
    await send(s, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'x', value: null }], notes: [] }));
    await send(s, encodeLock(lockReq('other', { write: ['u'] })));
    s.close();
    const r = c.open(0);
    expect(r.txn.held().map((x) => [x.txid, x.staged])).toEqual([['tx', true]]);
    expect(await run(r, ['SET', 'u', 'u1'])).toEqual([OK]);
    const get = run(r, ['GET', 'x']);
    expect(await settled(get)).toBe(false);
    expect(await send(r, encodeStage({ txid: 'other', db: 0, writes: [], notes: [] }))).toEqual(['aborted']);
    expect(await send(r, encodeCommit({ txid: 'tx', db: 0, writes: [], notes: [] }))).toEqual(['ok']);
    expect(await get).toEqual([{ t: 'nil' }]);
    // And once more: the commit is in the log, nothing is staged any more.
    r.close();
    const r2 = c.open(0);
    expect(r2.txn.held()).toEqual([]);
    expect(await run(r2, ['GET', 'x'], ['GET', 'u'])).toEqual([{ t: 'nil' }, bulk('u1')]);
  });

  it('a staged transaction and the decision table survive an AOF rewrite that retires the log before it', async () => {
    const t = new SimTime();
    const c = cluster(2, t);
    const [s, p] = c.hosts as [NonNullable<(typeof c.hosts)[0]>, NonNullable<(typeof c.hosts)[0]>];
    await send(s, encodeLock(lockReq('tx', { write: ['x'] })));
    await send(s, encodeStage({ txid: 'tx', db: 0, writes: [{ key: 'x', value: null }], notes: [] }));
    await send(p, encodeStatus('gone'));
    await run(s, ['SAVE']);
    await run(p, ['SAVE']);
    s.close();
    p.close();
    expect(c.open(0).txn.held().map((x) => x.txid)).toEqual(['tx']);
    expect(c.open(1).txn.decision('gone')).toBe('aborted');
  });
});

describe('internal commands are not for clients', () => {
  it('a client sending a NUL-prefixed transaction command gets unknown command', async () => {
    const b = new LocalBackend(2);
    const s = b.session();
    const [r] = await s.run([['\0tx-lock', 't', '0', '1000', '0', '0', '0', '1', '0', 'k']]);
    expect(r!.t).toBe('err');
    expect((r as { v: string }).v).toMatch(/^ERR unknown command '\0tx-lock'/);
    const [r2] = await s.run([['\0tx-status', 't']]);
    expect((r2 as { v: string }).v).toMatch(/^ERR unknown command/);
    expect(b.hosts.every((h) => h.txn.idle)).toBe(true);
  });
});
