// SELECT as unmodified clients use it (issue 11): node-redis `database: 1`, ioredis `db: 1` and
// redis-py `db=1` (Debian's python3-redis) write db 1 through the bridge; the key is not in db 0,
// and redis-cli sees it after SELECT 1. REST stays on db 0 (as Upstash) and refuses SELECT.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const token = inject('token');
const tag = Date.now().toString(36);

describe.each(inject('targets'))('$name', ({ httpPort, respPort }) => {
  const cli = async (...args: string[]) => (await run('redis-cli', ['-p', String(respPort), ...args])).stdout.trim();

  it('node-redis createClient({ database: 1 }) writes db 1, not db 0', async () => {
    const k = `db:nr:${tag}`;
    const c = createClient({ socket: { port: respPort, host: '127.0.0.1' }, database: 1 });
    await c.connect();
    expect(await c.set(k, 'one')).toBe('OK');
    expect(await c.get(k)).toBe('one');
    await c.quit();
    expect(await cli('exists', k)).toBe('0');
    expect(await cli('-n', '1', 'get', k)).toBe('one');
  });

  it('ioredis { db: 1 } writes db 1 (and keeps it across a pipeline and a MULTI)', async () => {
    const k = `db:io:${tag}`;
    const r = new IORedis({ port: respPort, host: '127.0.0.1', db: 1, maxRetriesPerRequest: 1, lazyConnect: true });
    await r.connect();
    expect(await r.set(k, 'one')).toBe('OK');
    const res = await r.multi().incr(`${k}:n`).get(k).exec();
    expect(res).toEqual([[null, 1], [null, 'one']]);
    r.disconnect();
    expect(await cli('exists', k, `${k}:n`)).toBe('0');
    expect(await cli('-n', '1', 'mget', k, `${k}:n`)).toBe('one\n1');
  });

  it('redis-py Redis(db=1) writes db 1', async () => {
    const k = `db:py:${tag}`;
    const py = `import redis\nr = redis.Redis(host='127.0.0.1', port=${respPort}, db=1)\nr.set('${k}', 'one')\nprint(r.get('${k}').decode(), r.dbsize() >= 1)`;
    const { stdout } = await run('/usr/bin/python3', ['-c', py]);
    expect(stdout.trim()).toBe('one True');
    expect(await cli('exists', k)).toBe('0');
    expect(await cli('-n', '1', 'get', k)).toBe('one');
  });

  it('REST is db 0 and answers SELECT with an error', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      return (await res.json()) as { result?: unknown; error?: string };
    };
    await cli('-n', '2', 'set', `db:rest:${tag}`, 'two');
    expect(await post(['GET', `db:rest:${tag}`])).toEqual({ result: null });
    const sel = await post(['SELECT', '2']);
    expect(sel.error).toMatch(/^ERR /);
  });
});
