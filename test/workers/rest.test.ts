// The Upstash-compatible REST routes inside the Workers runtime.
import { exports } from 'cloudflare:workers';

// The Worker's default export (typed loosely: the generated Exports type does not name it).
const worker = (exports as unknown as { default: Fetcher }).default;
import { describe, expect, it } from 'vitest';

const H = { Authorization: 'Bearer test-token' };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return worker.fetch(`http://kf${path}`, {
    method: 'POST',
    headers: { ...H, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('REST', () => {
  it('runs one command and returns {result}, with a sync token', async () => {
    const r = await post('/', ['SET', 'rest:a', 'hello']);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ result: 'OK' });
    expect(r.headers.get('upstash-sync-token')).toBeTruthy();
    const g = await post('/', ['GET', 'rest:a']);
    expect(await g.json()).toEqual({ result: 'hello' });
  });

  it('turns JSON numbers and booleans into strings', async () => {
    await post('/', ['SET', 'rest:n', 42]);
    expect(await (await post('/', ['INCRBY', 'rest:n', 8])).json()).toEqual({ result: 50 });
  });

  it('answers path-form commands, with query options and a POST body as the last argument', async () => {
    const r = await worker.fetch('http://kf/set/rest:p/v1?EX=100', { headers: H });
    expect(await r.json()).toEqual({ result: 'OK' });
    expect(await (await worker.fetch('http://kf/ttl/rest:p', { headers: H })).json()).toEqual({ result: 100 });
    await worker.fetch('http://kf/set/rest:body', { method: 'POST', headers: H, body: 'from body' });
    expect(await (await worker.fetch('http://kf/get/rest:body', { headers: H })).json()).toEqual({ result: 'from body' });
  });

  it('pipelines across shards, in order, with per-command errors', async () => {
    const r = await post('/pipeline', [['SET', 'p:1', 'a'], ['SET', 'p:2', 'b'], ['MGET', 'p:1', 'p:2', 'p:none'], ['NOPE'], ['GET', 'p:1']]);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual([
      { result: 'OK' },
      { result: 'OK' },
      { result: ['a', 'b', null] },
      { error: "ERR unknown command 'NOPE', with args beginning with: " },
      { result: 'a' },
    ]);
  });

  it('encodes every string but OK in base64 when asked', async () => {
    const r = await post('/pipeline', [['SET', 'b64', 'héllo'], ['GET', 'b64'], ['PING'], ['DBSIZE']], { 'Upstash-Encoding': 'base64' });
    const body = (await r.json()) as Array<{ result: unknown }>;
    expect(body[0]).toEqual({ result: 'OK' });
    expect(body[1]).toEqual({ result: btoa(String.fromCharCode(...new TextEncoder().encode('héllo'))) });
    expect(body[2]).toEqual({ result: btoa('PONG') });
    expect(typeof body[3]!.result).toBe('number');
  });

  it('runs /multi-exec atomically on one slot, and across shards (standalone mode)', async () => {
    const ok = await post('/multi-exec', [['SET', '{t}a', '1'], ['INCR', '{t}a'], ['GET', '{t}a']]);
    expect(await ok.json()).toEqual([{ result: 'OK' }, { result: 2 }, { result: '2' }]);
    // x1 and x2 live on shards 2 and 1: the coordinator runs them as one transaction.
    const across = await post('/multi-exec', [['SET', 'x1', '1'], ['SET', 'x2', '2'], ['MGET', 'x1', 'x2']]);
    expect(await across.json()).toEqual([{ result: 'OK' }, { result: 'OK' }, { result: ['1', '2'] }]);
    const abort = await post('/multi-exec', [['SET', '{t}a', '1'], ['SET']]);
    expect(abort.status).toBe(400);
    expect(await abort.json()).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
  });

  it('answers 400 with {error} for a command error and for malformed JSON', async () => {
    const r = await post('/', ['SET', 'only-key']);
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    const m = await post('/', '["SET",');
    expect(m.status).toBe(400);
    expect(((await m.json()) as { error: string }).error).toMatch(/^ERR failed to parse the request body as JSON/);
    const notArray = await post('/', { cmd: 'GET' });
    expect(notArray.status).toBe(400);
  });

  it('refuses a wrong or missing token with 401, and other methods with 405', async () => {
    expect((await worker.fetch('http://kf/get/a', { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await worker.fetch('http://kf/get/a')).status).toBe(401);
    expect((await worker.fetch('http://kf/get/a?_token=test-token')).status).toBe(200);
    expect((await worker.fetch('http://kf/get/a', { method: 'DELETE', headers: H })).status).toBe(405);
  });

  it('lets the read-only token read but not write', async () => {
    const ro = { Authorization: 'Bearer test-ro-token' };
    const w = await post('/', ['SET', 'ro:k', 'v'], ro);
    expect(w.status).toBe(400);
    expect(await w.json()).toEqual({ error: "NOPERM this user has no permissions to run the 'set' command" });
    expect((await post('/', ['GET', 'ro:k'], ro)).status).toBe(200);
  });
});
