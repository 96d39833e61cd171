// Blocking commands with two real connections through the bridge (ioredis), on every local server:
// a waiting client is woken by another client's write, in FIFO order, and times out with nil.
import IORedis from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';

const clients: IORedis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

describe.each(inject('targets'))('$name', ({ respPort }) => {
  const conn = () => {
    const c = new IORedis({ port: respPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };

  it('BLPOP is woken by an LPUSH from another connection; BRPOP waiters are served first come, first served', async () => {
    const [a, b, w] = [conn(), conn(), conn()];
    const key = `blk:${respPort}`;
    // Each waiter is seen blocked before the next one comes (a fixed sleep raced a slow first connection).
    const blocked = async (n: number) => {
      for (let i = 0; i < 400 && !(await w.info('clients')).includes(`blocked_clients:${n}\r\n`); i++) await new Promise((r) => setTimeout(r, 25));
    };
    const first = a.blpop(key, 0);
    await blocked(1);
    const second = b.blpop(key, 0);
    await blocked(2);
    await w.rpush(key, 'one', 'two');
    expect(await first).toEqual([key, 'one']);
    expect(await second).toEqual([key, 'two']);
  });

  it('BLMOVE, BZPOPMIN and XREAD BLOCK wake on writes; a timeout answers nil', async () => {
    const [a, w] = [conn(), conn()];
    const tag = `{bl${respPort}}`;
    const moved = a.blmove(`${tag}src`, `${tag}dst`, 'LEFT', 'RIGHT', 5);
    await new Promise((r) => setTimeout(r, 100));
    await w.rpush(`${tag}src`, 'x');
    expect(await moved).toBe('x');
    expect(await w.lrange(`${tag}dst`, 0, -1)).toEqual(['x']);
    const z = a.bzpopmin(`${tag}z`, 5);
    await new Promise((r) => setTimeout(r, 100));
    await w.zadd(`${tag}z`, 3, 'm');
    expect(await z).toEqual([`${tag}z`, 'm', '3']);
    const x = a.xread('BLOCK', 5000, 'STREAMS', `${tag}x`, '$');
    await new Promise((r) => setTimeout(r, 100));
    const id = await w.xadd(`${tag}x`, '*', 'f', 'v');
    expect(await x).toEqual([[`${tag}x`, [[id, ['f', 'v']]]]]);
    expect(await a.blpop(`${tag}none`, 0.2)).toBeNull();
  });
});
