// Popular Redis libraries, unmodified, against keyflare as their users run them: BullMQ, redlock,
// rate-limiter-flexible (ioredis), keyv and cache-manager (node-redis) over the bridge. Each
// library is its own describe. @upstash/ratelimit (over REST) is in ratelimit.test.ts.
import KeyvRedis from '@keyv/redis';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { createCache } from 'cache-manager';
import IORedis from 'ioredis';
import Keyv from 'keyv';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
// @ts-expect-error -- redlock 4 ships no types
import Redlock from 'redlock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Limiter state outlives a run on a reused server (as the oracle runs do): fresh identifiers.
const run = Date.now().toString(36);

describe.each(inject('targets'))('$name', ({ respPort }) => {
  const url = `redis://127.0.0.1:${respPort}`;
  const ioredis = () => new IORedis({ port: respPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });

  // BullMQ's scripts touch several keys of a queue at once; a `{…}` prefix puts them in one slot.
  describe('BullMQ 6.7.6', () => {
    const connection = { host: '127.0.0.1', port: respPort, maxRetriesPerRequest: null };
    const prefix = '{bull}';

    it('a Worker completes 20 jobs, a delayed job and a job that fails twice before it succeeds', async () => {
      const queue = new Queue('e2e', { connection, prefix });
      const attempts: number[] = [];
      const completed = new Map<string, unknown>();
      let allDone!: () => void;
      const done = new Promise<void>((r) => (allDone = r));
      const worker = new Worker(
        'e2e',
        async (job: Job) => {
          if (job.name === 'flaky') {
            attempts.push(job.attemptsMade);
            if (job.attemptsMade < 2) throw new Error(`boom ${job.attemptsMade}`);
          }
          return (job.data as { i: number }).i * 2;
        },
        { connection, prefix, concurrency: 5 },
      );
      const errors: Error[] = [];
      worker.on('error', (e) => errors.push(e));
      queue.on('error', (e) => errors.push(e));
      worker.on('completed', (job, ret) => {
        completed.set(job.id!, ret);
        if (completed.size === 22) allDone();
      });
      try {
        await worker.waitUntilReady();
        const jobs = await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'plain', data: { i } })));
        const delayed = await queue.add('later', { i: 100 }, { delay: 400 });
        expect(await delayed.getState()).toBe('delayed');
        const flaky = await queue.add('flaky', { i: 7 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
        await done;
        expect(jobs.map((j) => completed.get(j.id!))).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
        expect(completed.get(delayed.id!)).toBe(200);
        expect(completed.get(flaky.id!)).toBe(14);
        expect(attempts).toEqual([0, 1, 2]);
        const again = (await queue.getJob(delayed.id!))!;
        expect(again.processedOn! - again.timestamp).toBeGreaterThanOrEqual(400);
        expect((await queue.getJob(flaky.id!))!.attemptsMade).toBe(3);
        expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'wait', 'active')).toEqual({ completed: 22, failed: 0, delayed: 0, wait: 0, active: 0 });
        // The worker names its connection (CLIENT SETNAME) and the queue finds it in CLIENT LIST.
        expect((await queue.getWorkers()).length).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await worker.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    it('QueueEvents (XREAD BLOCK on the events stream) reports a job finished with its result', async () => {
      const queue = new Queue('e2e-events', { connection, prefix });
      const events = new QueueEvents('e2e-events', { connection, prefix });
      const worker = new Worker('e2e-events', async (job: Job) => `done ${(job.data as { n: number }).n}`, { connection, prefix });
      try {
        await events.waitUntilReady();
        const job = await queue.add('one', { n: 1 });
        expect(await job.waitUntilFinished(events, 30_000)).toBe('done 1');
      } finally {
        await worker.close();
        await events.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });
  });

  describe('redlock 4.2.0', () => {
    it('acquires, refuses a second holder, extends and releases', async () => {
      const client = ioredis();
      const redlock = new Redlock([client], { retryCount: 2, retryDelay: 20, driftFactor: 0.01 });
      try {
        const lock = await redlock.lock('lock:{res}', 5_000);
        expect(await client.get('lock:{res}')).toBe(lock.value);
        await expect(redlock.lock('lock:{res}', 5_000)).rejects.toThrow(/Exceeded 2 attempts to lock the resource "lock:\{res\}"/);
        const extended = await lock.extend(60_000);
        expect(await client.pttl('lock:{res}')).toBeGreaterThan(5_000);
        await extended.unlock();
        expect(await client.exists('lock:{res}')).toBe(0);
        // Released, it can be taken again; unlocking a lock someone else now holds changes nothing.
        const next = await redlock.lock('lock:{res}', 5_000);
        await expect(lock.unlock()).rejects.toThrow(/Unable to fully release the lock/);
        expect(await client.get('lock:{res}')).toBe(next.value);
        await next.unlock();
      } finally {
        client.disconnect();
      }
    });
  });

  describe('rate-limiter-flexible 11.4.0', () => {
    it('RateLimiterRedis consumes points until it blocks, then reports the block', async () => {
      const client = ioredis();
      try {
        const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: 'rlf', points: 3, duration: 3600 });
        const remaining: number[] = [];
        for (let i = 0; i < 3; i++) remaining.push((await limiter.consume(`user-1-${run}`)).remainingPoints);
        expect(remaining).toEqual([2, 1, 0]);
        const rejected = await limiter.consume(`user-1-${run}`).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(rejected).toBeInstanceOf(RateLimiterRes);
        expect((rejected as RateLimiterRes).remainingPoints).toBe(0);
        expect((rejected as RateLimiterRes).consumedPoints).toBe(4);
        expect((rejected as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
        expect((await limiter.consume(`user-2-${run}`, 2)).remainingPoints).toBe(1);
        await limiter.delete(`user-1-${run}`);
        expect((await limiter.consume(`user-1-${run}`)).remainingPoints).toBe(2);
      } finally {
        client.disconnect();
      }
    });
  });

  // The namespace is a hash tag so that setMany/deleteMany/clear (MULTI and multi-key UNLINK over
  // the namespace's keys) stay in one slot: keyflare still answers CROSSSLOT otherwise (issue 11).
  describe('keyv 5.6.0 with @keyv/redis 5.1.6, and cache-manager 7.2.9', () => {
    let keyv: Keyv;
    beforeAll(() => {
      keyv = new Keyv({ store: new KeyvRedis(url, { namespace: '{kv}', throwOnErrors: true }), namespace: '{kv}', useKeyPrefix: false });
    });
    afterAll(async () => {
      await keyv.disconnect();
    });

    it('set, get, has, delete, with and without a TTL', async () => {
      expect(await keyv.set('obj', { n: 1, s: 'x' })).toBe(true);
      expect(await keyv.get('obj')).toEqual({ n: 1, s: 'x' });
      expect(await keyv.set('ttl', 'v', 60_000)).toBe(true);
      expect(await keyv.get('ttl')).toBe('v');
      expect(await keyv.has('ttl')).toBe(true);
      expect(await keyv.delete('obj')).toBe(true);
      expect(await keyv.get('obj')).toBeUndefined();
      expect(await keyv.has('obj')).toBe(false);
      expect(await keyv.delete('obj')).toBe(false);
    });

    it('setMany, getMany, hasMany, deleteMany (MULTI in the namespace slot)', async () => {
      await keyv.setMany([
        { key: 'm1', value: 1 },
        { key: 'm2', value: 'two', ttl: 60_000 },
        { key: 'm3', value: [3] },
      ]);
      expect(await keyv.getMany(['m1', 'm2', 'm3', 'none'])).toEqual([1, 'two', [3], undefined]);
      expect(await keyv.hasMany(['m1', 'none'])).toEqual([true, false]);
      expect(await keyv.deleteMany(['m1', 'm2'])).toBe(true);
      expect(await keyv.getMany(['m1', 'm2', 'm3'])).toEqual([undefined, undefined, [3]]);
    });

    it('clear removes every key of the namespace and nothing else', async () => {
      const outside = new Keyv({ store: new KeyvRedis(url, { namespace: '{kv-other}', throwOnErrors: true }), namespace: '{kv-other}', useKeyPrefix: false });
      await outside.set('keep', 'me');
      for (let i = 0; i < 30; i++) await keyv.set(`c${i}`, i);
      await keyv.clear();
      expect(await keyv.getMany(['c0', 'c29', 'm3', 'ttl'])).toEqual([undefined, undefined, undefined, undefined]);
      expect(await outside.get('keep')).toBe('me');
      await outside.disconnect();
    });

    it('cache-manager over the keyv store: set/get/mset/mget/del/ttl', async () => {
      const cache = createCache({ stores: [keyv] });
      expect(await cache.set('cm1', { a: 1 }, 60_000)).toEqual({ a: 1 });
      expect(await cache.get('cm1')).toEqual({ a: 1 });
      const ttl = await cache.ttl('cm1');
      expect(ttl).toBeGreaterThan(Date.now());
      await cache.mset<unknown>([{ key: 'cm2', value: 2 }, { key: 'cm3', value: 'three' }]);
      expect(await cache.mget(['cm2', 'cm3', 'cm-none'])).toEqual([2, 'three', undefined]);
      expect(await cache.del('cm2')).toBe(true);
      expect(await cache.get('cm2')).toBeUndefined();
      expect(await cache.wrap('cm4', async () => 'computed', 60_000)).toBe('computed');
      expect(await cache.wrap('cm4', async () => 'again', 60_000)).toBe('computed');
    });
  });
});
