// REST hardening inside workerd: the path form's input (bad escapes, binary bodies) and internal failures answered with an incident id only.
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/worker/app.js';
import { setIncidentLog } from '../../src/server/incident.js';
import { SlotMap } from '../../src/cluster/slot.js';
import { openResp } from './ws-client.js';

const worker = (exports as unknown as { default: Fetcher }).default;
const H = { Authorization: 'Bearer test-token' };

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  worker.fetch(`http://kf${path}`, { method: 'POST', headers: { ...H, ...headers }, body: JSON.stringify(body) });

describe('REST path form input', () => {
  it('a malformed percent-encoding in the path or query is a 400 that says so', async () => {
    for (const path of ['/get/k%FF', '/get/k%E2%82', '/get/k%G1', '/get/k%', '/set/k%C3%28/v', '/set/q/v?EX=%FF']) {
      const r = await worker.fetch(`http://kf${path}`, { headers: H });
      expect(r.status, path).toBe(400);
      const body = (await r.json()) as { error: string };
      expect(body.error, path).toMatch(/^ERR invalid (request path|query string): '.*' is not percent-encoded UTF-8/);
    }
    // Well-formed UTF-8 escapes still work, in the path and the query.
    expect(await (await worker.fetch('http://kf/set/k%C3%A9/v%E2%82%AC?EX=100', { headers: H })).json()).toEqual({ result: 'OK' });
    expect(await (await post('/', ['GET', 'ké'])).json()).toEqual({ result: 'v€' });
    expect(await (await post('/', ['TTL', 'ké'])).json()).toEqual({ result: 100 });
  });

  it('a binary POST body is stored byte for byte', async () => {
    const bytes = new Uint8Array(1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 151 + 7) & 0xff; // every byte value, none valid UTF-8 in sequence
    const r = await worker.fetch('http://kf/set/binkey', { method: 'POST', headers: H, body: bytes });
    expect(await r.json()).toEqual({ result: 'OK' });
    expect(await (await post('/', ['STRLEN', 'binkey'])).json()).toEqual({ result: 1024 });
    const g = (await (await post('/', ['GET', 'binkey'], { 'Upstash-Encoding': 'base64' })).json()) as { result: string };
    const back = Uint8Array.from(atob(g.result), (ch) => ch.charCodeAt(0));
    expect(back).toEqual(bytes);
    // A UTF-8 text body stays that text.
    await worker.fetch('http://kf/set/textkey', { method: 'POST', headers: H, body: 'héllo' });
    expect(await (await post('/', ['GET', 'textkey'])).json()).toEqual({ result: 'héllo' });
  });
});

describe('internal failures reach the client as a fixed text with an incident id', () => {
  const SECRET = 'storage engine detail /do/shard-1 at offset 4242';
  afterEach(() => setIncidentLog((line, e) => console.error(line, e)));

  /** The real bindings, but every call to shard 1 throws. */
  function flakyEnv(): typeof env {
    const ns = env.SHARD;
    const shard = (name: string) => {
      const real = ns.get(ns.idFromName(name));
      const fail = () => Promise.reject(new Error(SECRET));
      if (name !== 'shard-1') return { exec: (...a: unknown[]) => (real.exec as (...x: unknown[]) => unknown)(...a), unblockClient: (...a: unknown[]) => (real.unblockClient as (...x: unknown[]) => unknown)(...a) };
      return { exec: fail, unblockClient: fail };
    };
    const SHARD = { idFromName: (n: string) => n, get: (id: string) => shard(id) };
    return { ...env, SHARD } as unknown as typeof env;
  }

  /** A key on shard 1 of 4. */
  const map = new SlotMap(4);
  let onShard1 = 'k0';
  for (let i = 0; map.shardOfKey(onShard1) !== 1; i++) onShard1 = `k${i}`;

  it('a failing shard under /multi-exec (an exception) answers 500 ERR internal error (incident <id>)', async () => {
    const logged: Array<{ line: string; e: unknown }> = [];
    setIncidentLog((line, e) => logged.push({ line, e }));
    const req = new Request('http://kf/multi-exec', { method: 'POST', headers: H, body: JSON.stringify([['SET', onShard1, 'v']]) });
    const r = await app.fetch(req, flakyEnv(), createExecutionContext());
    expect(r.status).toBe(500);
    const { error } = (await r.json()) as { error: string };
    expect(error).toMatch(/^ERR internal error \(incident [0-9a-f]{8}\)$/);
    const id = /incident ([0-9a-f]{8})/.exec(error)![1]!;
    const entry = logged.find((l) => l.line.includes(id))!;
    expect((entry.e as Error).message).toContain(SECRET);
  });

  it('a failing shard under a REST command answers CLUSTERDOWN with an id, not the message', async () => {
    const logged: Array<{ line: string; e: unknown }> = [];
    setIncidentLog((line, e) => logged.push({ line, e }));
    const req = new Request('http://kf/pipeline', { method: 'POST', headers: H, body: JSON.stringify([['PING'], ['GET', onShard1], ['FLUSHDB']]) });
    const body = (await (await app.fetch(req, flakyEnv(), createExecutionContext())).json()) as Array<{ result?: unknown; error?: string }>;
    expect(body[0]).toEqual({ result: 'PONG' });
    expect(body[1]!.error).toMatch(/^CLUSTERDOWN shard 1 unavailable \(incident [0-9a-f]{8}\)$/);
    expect(body[2]!.error).toMatch(/^CLUSTERDOWN FLUSHDB was applied on 3 of 4 shards only; shard 1 unavailable \(incident [0-9a-f]{8}\)$/);
    expect(JSON.stringify(body)).not.toContain('offset 4242');
    expect(logged.length).toBe(2);
  });
  it('POST /import into a failing shard reports an incident id, not the exception', async () => {
    const logged: Array<{ line: string; e: unknown }> = [];
    setIncidentLog((line, e) => logged.push({ line, e }));
    await post('/', ['SET', onShard1, 'exported']);
    const rdb = await (await worker.fetch('http://kf/export', { headers: H })).arrayBuffer();
    const ctx = createExecutionContext();
    const r = await app.fetch(new Request('http://kf/import', { method: 'POST', headers: H, body: rdb }), flakyEnv(), ctx);
    const text = await r.text();
    expect(text).toMatch(/"error":"ERR import failed after \d+ keys: ERR internal error \(incident [0-9a-f]{8}\)"/);
    expect(text).not.toContain('offset 4242');
    expect(logged.some((l) => (l.e as Error).message === SECRET)).toBe(true);
  });
});

describe('REST blocking commands', () => {
  const blocked = async (): Promise<number> => {
    const { result } = (await (await post('/', ['INFO', 'clients'])).json()) as { result: string };
    return Number(/blocked_clients:(\d+)/.exec(result)![1]);
  };
  /** Wait (bounded) until `cond` holds; fails the test when it never does. */
  const until = async (what: string, cond: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never: ${what}`);
  };

  for (const [name, wait, push, read, expected] of [
    ['BLPOP + RPUSH', ['BLPOP', 'rb:q', '0'], ['RPUSH', 'rb:q', 'precious'], ['LRANGE', 'rb:q', '0', '-1'], ['precious']],
    ['BZPOPMIN + ZADD', ['BZPOPMIN', 'rb:z', '0'], ['ZADD', 'rb:z', '1', 'precious'], ['ZRANGE', 'rb:z', '0', '-1'], ['precious']],
  ] as const) {
    it(`${name}: a client that gives up leaves no waiter, and a later push stays where it was put`, async () => {
      const ac = new AbortController();
      const pending = worker.fetch('http://kf/', { method: 'POST', headers: H, body: JSON.stringify(wait), signal: ac.signal }).catch((e: unknown) => e);
      await until('the command blocks', async () => (await blocked()) === 1);
      ac.abort();
      await pending;
      await until('the waiter is released', async () => (await blocked()) === 0);
      expect(await (await post('/', push)).json()).toEqual({ result: 1 });
      expect(await (await post('/', read)).json()).toEqual({ result: expected });
    });
  }

  it('waits at most KEYFLARE_REST_MAX_BLOCK_MS in all, then answers the timeout reply Redis gives (null)', async () => {
    const capped = { ...env, KEYFLARE_REST_MAX_BLOCK_MS: '300' } as typeof env;
    const call = (path: string, body: unknown) =>
      app.fetch(new Request(`http://kf${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) }), capped, createExecutionContext());
    const one = await call('/', ['BLPOP', 'rc:q', '0']);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ result: null });
    // Several blocking commands of one request share the budget (same shard: one after another).
    const many = await call('/pipeline', [
      ['BLPOP', '{rc}a', '0'],
      ['BZPOPMIN', '{rc}z', '0'],
      ['BLMOVE', '{rc}a', '{rc}b', 'LEFT', 'LEFT', '0'],
      ['XREAD', 'BLOCK', '0', 'STREAMS', '{rc}s', '$'],
      ['BLMPOP', '0', '1', '{rc}a', 'LEFT'],
      ['PING'],
    ]);
    expect(await many.json()).toEqual([{ result: null }, { result: null }, { result: null }, { result: null }, { result: null }, { result: 'PONG' }]);
    expect(await blocked()).toBe(0);
    // A command served before the cap is served as usual.
    const served = call('/', ['BLPOP', 'rc:served', '0']);
    await until('the command blocks', async () => (await blocked()) === 1);
    await post('/', ['RPUSH', 'rc:served', 'x']);
    expect(await (await served).json()).toEqual({ result: ['rc:served', 'x'] });
  });
});

describe('INFO stats total_connections_received', () => {
  const received = async () => {
    const { result } = (await (await post('/', ['INFO', 'stats'])).json()) as { result: string };
    return Number(/total_connections_received:(\d+)\r\n/.exec(result)![1]);
  };

  it('counts RESP connections the registry accepted; REST requests are not connections', async () => {
    const before = await received();
    const first = await openResp();
    // A connection's own INFO already counts it (its registry link goes first, on the same stub).
    expect(Number(/total_connections_received:(\d+)/.exec(await first.cmd('INFO', 'stats'))![1])).toBe(before + 1);
    const conns = [first, await openResp(), await openResp()];
    for (let i = 0; i < 200 && (await received()) !== before + 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await received()).toBe(before + 3);
    for (let i = 0; i < 3; i++) await post('/', ['PING']);
    expect(await received()).toBe(before + 3);
    for (const c of conns) c.ws.close();
  });
});
