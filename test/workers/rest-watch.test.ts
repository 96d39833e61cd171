// WATCH over REST inside the Workers runtime: POST /watch returns a token, /multi-exec with the
// keyflare-watch-token header runs only if no watched key changed (409 otherwise).
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { entryBytes } from '../../src/engine/watch.js';
import { REST_WATCH_MAX_KEYS, REST_WATCH_TOO_MANY } from '../../src/server/transaction.js';

const worker = (exports as unknown as { default: Fetcher }).default;
const H = { Authorization: 'Bearer test-token' };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return worker.fetch(`http://kf${path}`, { method: 'POST', headers: { ...H, ...headers }, body: JSON.stringify(body) });
}

async function token(keys: string[]): Promise<string> {
  const r = await post('/watch', keys);
  expect(r.status).toBe(200);
  const { result } = (await r.json()) as { result: string };
  expect(typeof result).toBe('string');
  return result;
}

describe('REST WATCH', () => {
  it('runs the transaction when the watched keys are unchanged', async () => {
    await post('/', ['SET', '{w}bal', '10']);
    const tok = await token(['{w}bal', 'other-shard-key']);
    const r = await post('/multi-exec', [['DECRBY', '{w}bal', '3'], ['GET', '{w}bal']], { 'keyflare-watch-token': tok });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual([{ result: 7 }, { result: '7' }]);
  });

  it('answers 409 and runs nothing when a watched key changed, on the same or another shard', async () => {
    await post('/', ['SET', '{w}n', '1']);
    for (const changed of ['{w}n', 'other-shard-key']) {
      const tok = await token(['{w}n', 'other-shard-key']);
      await post('/', ['SET', changed, 'by someone else']);
      const r = await post('/multi-exec', [['SET', '{w}n', 'mine']], { 'keyflare-watch-token': tok });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: string }).error).toMatch(/^WATCH /);
    }
    expect(await (await post('/', ['GET', '{w}n'])).json()).toEqual({ result: 'by someone else' });
  });

  it('counts expiry and FLUSHALL as changes; the path and single-command forms give tokens too', async () => {
    await post('/', ['SET', '{w}e', 'v', 'PX', '50']);
    const viaSingle = ((await (await post('/', ['WATCH', '{w}e'])).json()) as { result: string }).result;
    await new Promise((r) => setTimeout(r, 120));
    expect((await post('/multi-exec', [['GET', '{w}e']], { 'keyflare-watch-token': viaSingle })).status).toBe(409);

    await post('/', ['SET', '{w}f', 'v']);
    const viaPath = ((await (await worker.fetch('http://kf/watch/%7Bw%7Df', { headers: H })).json()) as { result: string }).result;
    await post('/', ['FLUSHALL']);
    expect((await post('/multi-exec', [['GET', '{w}f']], { 'keyflare-watch-token': viaPath })).status).toBe(409);
  });

  it('refuses a malformed token; without the header /multi-exec is unchanged', async () => {
    const bad = await post('/multi-exec', [['GET', 'x']], { 'keyflare-watch-token': 'garbage' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'ERR invalid watch token' });
    const plain = await post('/multi-exec', [['SET', '{w}p', '1'], ['GET', '{w}p']]);
    expect(await plain.json()).toEqual([{ result: 'OK' }, { result: '1' }]);
  });

  it('bounds a request to REST_WATCH_MAX_KEYS keys and counts the leases in used_memory', async () => {
    const RO = { Authorization: 'Bearer test-ro-token' };
    const keys = Array.from({ length: REST_WATCH_MAX_KEYS + 1 }, (_, i) => `{wl}${i}:`.padEnd(100, 'x'));
    const tooMany = await post('/watch', keys, RO);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: REST_WATCH_TOO_MANY });
    const used = async () => {
      const { result } = (await (await post('/', ['INFO', 'memory'])).json()) as { result: string };
      return Number(/used_memory:(\d+)/.exec(result)![1]);
    };
    const before = await used();
    // The read-only token may watch; what the leases hold is memory maxmemory sees.
    expect((await post('/watch', keys.slice(1), RO)).status).toBe(200);
    expect((await used()) - before).toBe(REST_WATCH_MAX_KEYS * entryBytes(keys[1]!));
  });

  it('a pipeline is one connection: WATCH / MULTI / EXEC inside it behave as over RESP', async () => {
    const r = await post('/pipeline', [['WATCH', '{w}q'], ['MULTI'], ['SET', '{w}q', '1'], ['EXEC'], ['GET', '{w}q']]);
    expect(await r.json()).toEqual([{ result: 'OK' }, { result: 'OK' }, { result: 'QUEUED' }, { result: ['OK'] }, { result: '1' }]);
  });
});
