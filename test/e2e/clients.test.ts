// Real clients against `wrangler dev`: redis-cli, redis-benchmark and ioredis/node-redis through
// the bridge; @upstash/redis and curl over REST.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis as UpstashRedis } from '@upstash/redis';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const token = inject('token');
const roToken = inject('roToken');

describe.each(inject('targets'))('$name', ({ httpPort, respPort }) => {
  const base = `http://127.0.0.1:${httpPort}`;

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(respPort), ...args]);
    return stdout.trim();
  }

  describe('redis-cli through the bridge', () => {
    it('sets and gets', async () => {
      expect(await cli('set', 'a', 'b')).toBe('OK');
      expect(await cli('get', 'a')).toBe('b');
      expect(await cli('--no-raw', 'get', 'a')).toBe('"b"');
    });

    it('speaks RESP3 and reports errors', async () => {
      expect(await cli('-3', 'hello', '3')).toContain('proto');
      expect(await cli('set', 'x')).toBe("ERR wrong number of arguments for 'set' command");
      // k1 and k2 live on different shards: one atomic MSET all the same (standalone mode).
      expect(await cli('mset', 'k1', 'v', 'k2', 'v')).toBe('OK');
    });

    it('redis-benchmark completes against it', async () => {
      const { stdout } = await run('redis-benchmark', ['-p', String(respPort), '-t', 'set,get', '-n', '2000', '-c', '10', '-q'], { maxBuffer: 64 * 1024 * 1024 });
      expect(stdout).toMatch(/SET: [\d.]+ requests per second/);
      expect(stdout).toMatch(/GET: [\d.]+ requests per second/);
    });
  });

  describe('ioredis and node-redis through the bridge', () => {
    it('ioredis: commands, pipelines and binary values', async () => {
      const r = new IORedis({ port: respPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
      await r.connect();
      expect(await r.set('io:a', '1')).toBe('OK');
      expect(await r.incrby('io:a', 41)).toBe(42);
      const bin = Buffer.from([0, 255, 13, 10, 128]);
      await r.set('io:bin', bin);
      expect(Buffer.compare((await r.getBuffer('io:bin'))!, bin)).toBe(0);
      const res = await r.pipeline().set('io:p1', 'x').set('io:p2', 'y').mget('io:p1', 'io:p2', 'io:none').exec();
      expect(res!.map(([e, v]) => [e, v])).toEqual([[null, 'OK'], [null, 'OK'], [null, ['x', 'y', null]]]);
      expect(await r.del('io:p1', 'io:p2', 'io:none')).toBe(2);
      r.disconnect();
    });

    it('node-redis (RESP2 and RESP3)', async () => {
      for (const RESP of [2, 3] as const) {
        const c = createClient({ socket: { port: respPort, host: '127.0.0.1' }, RESP });
        await c.connect();
        expect(await c.set(`nr${RESP}`, 'v')).toBe('OK');
        expect(await c.get(`nr${RESP}`)).toBe('v');
        expect(await c.exists([`nr${RESP}`, 'nr:none'])).toBe(1);
        await c.quit();
      }
    });
  });

  describe('@upstash/redis over REST', () => {
    const client = (t = token, enc?: false) =>
      new UpstashRedis({ url: base, token: t, retry: false, ...(enc === false ? { responseEncoding: false } : {}) });

    it('get/set with the default base64 encoding and JSON values', async () => {
      const r = client();
      expect(await r.set('up:a', 'héllo wörld')).toBe('OK');
      expect(await r.get('up:a')).toBe('héllo wörld');
      await r.set('up:obj', { n: 1, s: 'x' });
      expect(await r.get('up:obj')).toEqual({ n: 1, s: 'x' });
      expect(await r.incr('up:n')).toBe(1);
    });

    it('pipeline and multi-exec', async () => {
      const r = client(token, false);
      const p = r.pipeline();
      p.set('up:p1', 'a');
      p.get('up:p1');
      p.del('up:p1');
      expect(await p.exec()).toEqual(['OK', 'a', 1]);
      const m = r.multi();
      m.set('{up}x', '5');
      m.incrby('{up}x', 5);
      expect(await m.exec()).toEqual(['OK', 10]);
    });

    it('a read-only token can read but not write', async () => {
      await expect(client(roToken).set('up:ro', 'v')).rejects.toThrow(/NOPERM/);
      expect(await client(roToken).get('up:a')).toBe('héllo wörld');
    });
  });

  describe('curl over REST', () => {
    it('a bad token is 401', async () => {
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Authorization: Bearer wrong', `${base}/get/a`]);
      expect(stdout).toBe('401');
    });

    it('malformed JSON is 400 with a clear error', async () => {
      const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', '-H', `Authorization: Bearer ${token}`, '-d', '["SET", "a"', `${base}/`]);
      const [body, code] = stdout.split('\n');
      expect(code).toBe('400');
      expect(JSON.parse(body!).error).toMatch(/^ERR failed to parse the request body as JSON/);
    });

    it('the path form works with curl', async () => {
      const { stdout } = await run('curl', ['-s', '-H', `Authorization: Bearer ${token}`, `${base}/set/curl:k/v1`]);
      expect(JSON.parse(stdout)).toEqual({ result: 'OK' });
    });
  });
});
