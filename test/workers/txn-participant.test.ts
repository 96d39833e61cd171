// Cross-shard transactions in the Workers runtime, the participant side: shard Durable Objects
// answer the wire requests (txn-wire.ts); a staged participant whose coordinator vanished and
// that crashed recovers its staged writes from the log, asks its primary (a peer DO call)
// and applies the decision, waking the batch that waited for the key; clients cannot send the
// internal commands.
import { env, exports } from 'cloudflare:workers';
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import type { ShardObject } from '../../src/objects/shard.js';
import { describe, expect, it } from 'vitest';
import { SlotMap } from '../../src/cluster/slot.js';
import type { ShardInfo } from '../../src/commands/types.js';
import { dumpPayload } from '../../src/persistence/rdb.js';
import type { Frame } from '../../src/protocol/frame.js';
import { encodeCommit, encodeLock, encodeStage, encodeStatus, replyStrings, type LockRequest } from '../../src/shard/txn-wire.js';

type R = { result?: unknown; error?: string };
const worker = (exports as unknown as { default: Fetcher }).default;
const call = async (...cmds: unknown[][]): Promise<R[]> => {
  const res = await worker.fetch('http://kf/pipeline', { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: JSON.stringify(cmds) });
  expect(res.status).toBe(200);
  return (await res.json()) as R[];
};
const slots = new SlotMap(4);
const info = (i: number): ShardInfo => ({ index: i, count: 4, slots: slots.ranges[i]! });
const stub = (i: number) => env.SHARD.get(env.SHARD.idFromName(`shard-${i}`));
/** A key of shard `s` not used before (tag: the test's own prefix). */
function keyOn(s: number, tag: string): string {
  for (let i = 0; ; i++) if (slots.shardOfKey(`${tag}${i}`) === s) return `${tag}${i}`;
}
async function send(s: number, argv: string[]): Promise<string[]> {
  const r = (await stub(s).exec(info(s), [argv], 2)) as Frame[];
  return replyStrings(r[0])!;
}
const lockReq = (txid: string, o: Partial<LockRequest>): LockRequest => ({ txid, primary: 0, leaseMs: 300, db: 0, wait: false, read: [], write: [], watches: [], ...o });

describe('transaction participant in workerd', () => {
  it('staged participants crashed before their lease ends recover from the log; one is woken by its alarm, one by a waiting GET; both ask the primary (a peer DO) and apply its commit', async () => {
    const LONG = 1500;
    const a = keyOn(0, 'txa');
    const b = keyOn(2, 'txb');
    const c = keyOn(3, 'txc');
    await call(['SET', a, 'a0'], ['SET', b, 'b0'], ['SET', c, 'c0']);
    expect(await send(0, encodeLock(lockReq('w1', { read: [a], leaseMs: LONG })))).toEqual(['locked', a, '1', expect.any(String), '-1']);
    expect(await send(2, encodeLock(lockReq('w1', { write: [b], leaseMs: LONG })))).toEqual(['locked']);
    expect(await send(3, encodeLock(lockReq('w1', { write: [c], leaseMs: LONG })))).toEqual(['locked']);
    expect(await send(2, encodeStage({ txid: 'w1', db: 0, writes: [{ key: b, value: dumpPayload('b1'), expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    expect(await send(3, encodeStage({ txid: 'w1', db: 0, writes: [{ key: c, value: dumpPayload('c1'), expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    expect(await send(0, encodeCommit({ txid: 'w1', db: 0, writes: [{ key: a, value: dumpPayload('a1'), expireAt: -1 }], notes: [] }))).toEqual(['ok']);
    expect(await send(0, encodeStatus('w1'))).toEqual(['committed']);
    // The coordinator vanishes before committing shards 2 and 3; every object crashes.
    // (abort, not evict: eviction waits for the object's timers, here its lease, to run)
    await abortAllDurableObjects();
    const loaded = (s: number) => runInDurableObject(stub(s), (o: ShardObject) => {
      const host = (o as unknown as { host: { txn: { held(): Array<{ staged: boolean }> } } | null }).host;
      return host ? host.txn.held().map((h) => h.staged) : null;
    });
    // Shard 3 loads for a request: the staged transaction is back from the log, still locked.
    await stub(3).exec(info(3), [['PING']], 2);
    expect(await loaded(3)).toEqual([true]);
    expect(await loaded(2)).toBeNull();
    // The GET waits for the lease, the STATUS to the primary, and the commit.
    expect(await call(['GET', c])).toEqual([{ result: 'c1' }]);
    // Nobody calls shard 2: its alarm wakes it, it recovers, asks, applies.
    for (let i = 0; i < 100 && JSON.stringify(await loaded(2)) !== '[]'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await loaded(2)).toEqual([]);
    expect(await runInDurableObject(stub(2), (o: ShardObject) => o.shard?.db.data.get(b))).toBe('b1');
    expect(await call(['GET', a], ['GET', b], ['GET', c])).toEqual([{ result: 'a1' }, { result: 'b1' }, { result: 'c1' }]);
  });

  it('a GET of a key locked by a transaction waits for it (here: its lease ends), then answers', async () => {
    const k = keyOn(1, 'txk');
    await call(['SET', k, 'v0']);
    expect(await send(1, encodeLock(lockReq('w2', { primary: 1, write: [k] })))).toEqual(['locked']);
    const t0 = Date.now();
    expect(await call(['GET', k])).toEqual([{ result: 'v0' }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    // The primary decided abort when the lease ended; a late COMMIT is refused.
    expect(await send(1, encodeCommit({ txid: 'w2', db: 0, writes: [{ key: k, value: null }], notes: [] }))).toEqual(['aborted']);
    expect(await call(['GET', k])).toEqual([{ result: 'v0' }]);
  });

  it('a client cannot send the internal commands', async () => {
    const [r] = await call(['\0tx-status', 'w1']);
    expect(r!.error).toMatch(/^ERR unknown command/);
  });
});
