// REST blocking commands on every local server: a client that gives up (its HTTP request aborted) leaves no waiter to take later pushes, and @upstash/redis still reads a streamed answer.
import { Redis } from '@upstash/redis';
import { describe, expect, inject, it } from 'vitest';

const token = inject('token');

describe.each(inject('targets'))('$name', ({ httpPort }) => {
  const url = `http://127.0.0.1:${httpPort}`;
  const rest = async (cmd: readonly unknown[]) =>
    (await (await fetch(`${url}/`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(cmd) })).json()) as { result?: unknown; error?: string };
  const blocked = async () => Number(/blocked_clients:(\d+)/.exec((await rest(['INFO', 'clients'])).result as string)![1]);
  /** Wait (bounded) until `cond` holds; fails the test when it never does. */
  const until = async (what: string, cond: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never: ${what}`);
  };

  for (const [name, wait, push, read] of [
    ['BLPOP', ['BLPOP', `rq:${httpPort}`, '0'], ['RPUSH', `rq:${httpPort}`, 'precious'], ['LRANGE', `rq:${httpPort}`, '0', '-1']],
    ['BZPOPMIN', ['BZPOPMIN', `rz:${httpPort}`, '0'], ['ZADD', `rz:${httpPort}`, '1', 'precious'], ['ZRANGE', `rz:${httpPort}`, '0', '-1']],
  ] as const) {
    it(`${name}: an aborted request leaves no waiter; a later push stays in the key`, async () => {
      const ac = new AbortController();
      const pending = fetch(`${url}/`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(wait), signal: ac.signal }).then(
        (r) => r.text(), // the status line comes at once, the body when the wait ends
        (e: unknown) => e,
      );
      await until('the command blocks', async () => (await blocked()) === 1);
      ac.abort();
      await pending.catch(() => {});
      await until('the waiter is released', async () => (await blocked()) === 0);
      expect(await rest(push)).toEqual({ result: 1 });
      expect(await rest(read)).toEqual({ result: ['precious'] });
    });
  }

  it('@upstash/redis waits on XREAD BLOCK (a streamed answer) and gets the entry added meanwhile', async () => {
    const redis = new Redis({ url, token, enableAutoPipelining: false });
    const key = `ru:${httpPort}`;
    const got = redis.xread(key, '$', { blockMS: 0 });
    await until('the command blocks', async () => (await blocked()) === 1);
    const id = await redis.xadd(key, '*', { f: 'v1' });
    expect(await got).toEqual([[key, [[id, ['f', 'v1']]]]]);
    expect(await redis.xread(key, '$', { blockMS: 300 })).toBeNull();
  });
});
