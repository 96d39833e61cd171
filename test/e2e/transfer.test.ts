// Migration both ways: GET /export is a dump.rdb that redis-check-rdb accepts and a real
// redis-server loads with the same data; POST /import takes a real Redis's dump.rdb.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, startRedis } from '../helpers/redis-server.js';

const run = promisify(execFile);
const token = inject('token');
const target = inject('targets').at(-1)!; // npm start's server
const base = `http://127.0.0.1:${target.httpPort}`;
const auth = { Authorization: `Bearer ${token}` };
const clients: IORedis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

function client(port: number): IORedis {
  const c = new IORedis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

/** Every key's type and contents in a comparable form. */
async function snapshot(r: IORedis, keys: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const k of keys) {
    const t = await r.type(k);
    if (t === 'string') out.push([k, t, await r.get(k)]);
    else if (t === 'list') out.push([k, t, await r.lrange(k, 0, -1)]);
    else if (t === 'hash') out.push([k, t, Object.entries(await r.hgetall(k)).sort()]);
    else if (t === 'set') out.push([k, t, (await r.smembers(k)).sort()]);
    else if (t === 'zset') out.push([k, t, await r.zrange(k, 0, -1, 'WITHSCORES')]);
    else if (t === 'stream') out.push([k, t, await r.xrange(k, '-', '+')]);
    else out.push([k, t]);
    const ttl = await r.pttl(k);
    out.push(ttl > 0 ? 'ttl' : ttl);
  }
  return out;
}

const KEYS = ['mig:s', 'mig:l', 'mig:h', 'mig:set', 'mig:z', 'mig:x', 'mig:ttl', 'mig:big'];
async function seed(r: IORedis): Promise<void> {
  await r.set('mig:s', 'héllo \x00 binary');
  await r.rpush('mig:l', 'a', 'b', 'c');
  await r.hset('mig:h', 'f1', 'v1', 'f2', 'v2');
  await r.sadd('mig:set', 'x', 'y', '1');
  await r.zadd('mig:z', 1.5, 'a', 2, 'b');
  await r.xadd('mig:x', '1-1', 'f', 'v');
  await r.set('mig:ttl', 'v', 'EX', 10_000);
  await r.set('mig:big', 'z'.repeat(100_000));
}

describe('export and import of dump.rdb', () => {
  it('GET /export: redis-check-rdb accepts it and redis-server loads the same data', async () => {
    const kf = client(target.respPort);
    await seed(kf);
    const res = await fetch(`${base}/export`, { headers: auth });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'kf-export-'));
    writeFileSync(join(dir, 'dump.rdb'), new Uint8Array(await res.arrayBuffer()));
    const check = await run('redis-check-rdb', [join(dir, 'dump.rdb')]);
    expect(check.stdout).toMatch(/RDB looks OK/);
    const port = await freePort();
    const child = (await import('node:child_process')).spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', ''], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100; i++) {
        try {
          await run('redis-cli', ['-p', String(port), 'ping']);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const real = client(port);
      expect(await snapshot(real, KEYS)).toEqual(await snapshot(kf, KEYS));
      real.disconnect();
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('POST /import: a real Redis dump.rdb arrives key by key on the right shards', async () => {
    const redis = await startRedis();
    try {
      const real = client(redis.port);
      await real.flushall();
      await seed(real);
      for (let i = 0; i < 2000; i++) await real.set(`imp:${i}`, String(i));
      await real.save();
      const dir = (await real.config('GET', 'dir')) as string[];
      const file = readFileSync(join(dir[1]!, 'dump.rdb'));
      const kf = client(target.respPort);
      await kf.del(...KEYS);
      const res = await fetch(`${base}/import`, { method: 'POST', headers: auth, body: file });
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ done: true, imported: 2008 });
      expect(await snapshot(kf, KEYS)).toEqual(await snapshot(real, KEYS));
      expect(await kf.get('imp:1999')).toBe('1999');
      real.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('databases both ways: a real dump.rdb with keys in dbs 0, 3 and 15 imports into those dbs; the export carries them back', async () => {
    const redis = await startRedis();
    try {
      const real = client(redis.port);
      await real.flushall();
      const put = async (db: number) => {
        await real.select(db);
        for (let i = 0; i < 30; i++) await real.set(`mdb:${i}`, `db${db}-${i}`);
        await real.rpush('mdb:l', `in-${db}`);
        await real.set('mdb:ttl', 'v', 'EX', 10_000);
      };
      for (const db of [0, 3, 15]) await put(db);
      await real.select(0);
      await real.save();
      const dir = (await real.config('GET', 'dir')) as string[];
      const file = readFileSync(join(dir[1]!, 'dump.rdb'));
      const res = await fetch(`${base}/import`, { method: 'POST', headers: auth, body: file });
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ done: true, imported: 96 });
      const keys = ['mdb:0', 'mdb:29', 'mdb:l', 'mdb:ttl'];
      for (const db of [0, 3, 15, 4]) {
        const kf = new IORedis({ port: target.respPort, host: '127.0.0.1', db, maxRetriesPerRequest: 1 });
        clients.push(kf);
        await real.select(db);
        expect(await snapshot(kf, keys)).toEqual(await snapshot(real, keys));
      }
      // The export is a dump.rdb with SELECTDB per db: redis-check-rdb accepts it, a real
      // redis-server loads every db from it.
      const out = await fetch(`${base}/export`, { headers: auth });
      const edir = mkdtempSync(join(tmpdir(), 'kf-export-dbs-'));
      writeFileSync(join(edir, 'dump.rdb'), new Uint8Array(await out.arrayBuffer()));
      expect((await run('redis-check-rdb', [join(edir, 'dump.rdb')])).stdout).toMatch(/RDB looks OK/);
      real.disconnect();
      const port = await freePort();
      const child = (await import('node:child_process')).spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', edir, '--dbfilename', 'dump.rdb', '--save', ''], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 100; i++) {
          try {
            await run('redis-cli', ['-p', String(port), 'ping']);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        for (const db of [3, 15]) {
          const loaded = new IORedis({ port, host: '127.0.0.1', db, maxRetriesPerRequest: 1 });
          clients.push(loaded);
          expect(await loaded.get('mdb:7')).toBe(`db${db}-7`);
          expect(await loaded.lrange('mdb:l', 0, -1)).toEqual([`in-${db}`]);
          expect(await loaded.dbsize()).toBe(32);
          loaded.disconnect();
        }
      } finally {
        child.kill('SIGTERM');
      }
    } finally {
      await redis.stop();
    }
  });

  it('a truncated or foreign file imports nothing and answers 400', async () => {
    const kf = client(target.respPort);
    const res = await fetch(`${base}/export`, { headers: auth });
    const good = new Uint8Array(await res.arrayBuffer());
    await kf.set('trunc:marker', 'x');
    await kf.del('trunc:marker');
    for (const bad of [good.slice(0, good.length - 20), new TextEncoder().encode('REDIS0099garbage'), new TextEncoder().encode('not an rdb')]) {
      const r = await fetch(`${base}/import`, { method: 'POST', headers: auth, body: bad });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/^ERR invalid RDB file/);
    }
    expect(await kf.exists('trunc:marker')).toBe(0);
  });
});
