// Every HTTP route obeys the token's ACL user as the Redis command it stands for, driven by the
// routes the Hono app registers: a route added without a case here fails. Also: tokens of
// disabled or deleted users do not authenticate, and the benchmark floors need a token.
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/worker/app.js';
import { READONLY_RULES } from '../../src/server/acl.js';
import { RPC_MAX_N } from '../../src/worker/echo.js';
import { openResp, worker } from './ws-client.js';

const H = { Authorization: 'Bearer test-token' };
const RO = { Authorization: 'Bearer test-ro-token' };
const NOPERM_KEYS = 'NOPERM this user has no permissions to access one of the keys used as arguments';
const NOPERM_CHANNELS = 'NOPERM this user has no permissions to access one of the channels used as arguments';
const noperm = (cmd: string) => `NOPERM this user has no permissions to run the '${cmd}' command`;

type Res = { status: number; body: unknown };

async function fetchJson(path: string, init: RequestInit = {}, headers: Record<string, string> = RO): Promise<Res> {
  const r = await worker.fetch(`http://kf${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (an event stream, an RDB file)
  }
  return { status: r.status, body };
}
const post = (path: string, body: unknown, headers: Record<string, string> = RO) => fetchJson(path, { method: 'POST', body: JSON.stringify(body) }, headers);
const admin = (argv: string[]) => post('/', argv, H);

/** The readonly user with its built-in rules plus `extra` (a fresh user each time). */
async function readonlyWith(...extra: string[]): Promise<void> {
  expect(await admin(['ACL', 'SETUSER', 'readonly', 'reset', ...READONLY_RULES, '>test-ro-token', ...extra])).toEqual({ status: 200, body: { result: 'OK' } });
}
/** The issue's rules: reads of pub:* only, the channel `pub` only. */
const restricted = () => readonlyWith('resetkeys', '%R~pub:*', 'resetchannels', '&pub');

afterEach(() => readonlyWith());

/** The first SSE line of a stream, or the JSON refusal. */
async function sse(path: string, method = 'GET'): Promise<Res> {
  const ac = new AbortController();
  const r = await worker.fetch(`http://kf${path}`, { method, headers: RO, signal: ac.signal });
  if (r.headers.get('content-type') !== 'text/event-stream') return { status: r.status, body: await r.json() };
  const reader = r.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return { status: r.status, body: text.split('\n\n')[0] };
}

/** An RDB file of exactly these keys (the dataset is flushed, set, exported). */
async function rdbOf(keys: string[]): Promise<ArrayBuffer> {
  await admin(['FLUSHALL']);
  for (const k of keys) await admin(['SET', k, 'v']);
  const r = await worker.fetch('http://kf/export', { headers: H });
  expect(r.status).toBe(200);
  return r.arrayBuffer();
}
const importFile = (file: ArrayBuffer) => fetchJson('/import', { method: 'POST', body: file });

/** A console file: served to anyone by GET; POST and other paths under /console need the token. */
async function consoleFile(path: string, type: string, has: string): Promise<void> {
  const r = await worker.fetch(`http://kf${path}`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain(type);
  expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await r.text()).toContain(has);
  expect((await fetchJson(path, { method: 'POST', body: '[]' }, {})).status).toBe(401);
  expect((await fetchJson(`${path}x`, {}, {})).status).toBe(401);
}

/** What each route stands for, denied and allowed. Keyed as `app.routes` names them. */
const CASES: Record<string, () => Promise<void>> = {
  // DUMP of every key: a user limited to some keys, or without DUMP, is refused; ~* may export.
  'GET /export': async () => {
    await admin(['SET', 'secret', 's']);
    await restricted();
    expect(await fetchJson('/export')).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    await readonlyWith('-dump');
    expect(await fetchJson('/export')).toEqual({ status: 400, body: { error: noperm('dump') } });
    await readonlyWith('resetkeys', '%R~*');
    const ok = await worker.fetch('http://kf/export', { headers: RO });
    expect(ok.status).toBe(200);
    expect(new TextDecoder().decode((await ok.arrayBuffer()).slice(0, 5))).toBe('REDIS');
  },
  // RESTORE of each key of the file: checked before anything is written.
  'POST /import': async () => {
    const both = await rdbOf(['pub:a', 'secret']);
    const pubOnly = await rdbOf(['pub:a']);
    await admin(['FLUSHALL']);
    expect(await importFile(pubOnly)).toEqual({ status: 400, body: { error: noperm('restore') } });
    await readonlyWith('+restore', 'resetkeys', '~pub:*');
    expect(await importFile(both)).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await admin(['DBSIZE'])).toEqual({ status: 200, body: { result: 0 } });
    const ok = await importFile(pubOnly);
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toContain('"done":true');
    expect(await admin(['GET', 'pub:a'])).toEqual({ status: 200, body: { result: 'v' } });
  },
  'POST /': async () => {
    await restricted();
    expect(await post('/', ['GET', 'secret'])).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await post('/', ['WATCH', 'secret'])).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await post('/', ['PUBLISH', 'other', 'm'])).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect((await post('/', ['GET', 'pub:a'])).status).toBe(200);
    expect((await post('/', ['WATCH', 'pub:a'])).status).toBe(200);
  },
  'POST /pipeline': async () => {
    await restricted();
    const r = await post('/pipeline', [['GET', 'secret'], ['GET', 'pub:none'], ['WATCH', 'secret']]);
    expect(r).toEqual({ status: 200, body: [{ error: NOPERM_KEYS }, { result: null }, { error: NOPERM_KEYS }] });
  },
  'POST /multi-exec': async () => {
    await restricted();
    expect(await post('/multi-exec', [['GET', 'secret']])).toEqual({ status: 400, body: { error: 'EXECABORT Transaction discarded because of previous errors.' } });
    expect(await post('/multi-exec', [['GET', 'pub:none']])).toEqual({ status: 200, body: [{ result: null }] });
  },
  // No command of its own: the WebSocket session checks each command.
  'GET /resp': async () => {
    expect((await fetchJson('/resp')).status).toBe(426);
    await restricted();
    const c = await openResp(RO);
    expect(await c.cmd('GET', 'secret')).toBe(`-${NOPERM_KEYS}`);
    expect(await c.cmd('SUBSCRIBE', 'other')).toBe(`-${NOPERM_CHANNELS}`);
    expect(await c.cmd('GET', 'pub:none')).toBe('$-1');
    c.ws.close();
  },
  'GET /subscribe/*': async () => {
    await restricted();
    expect(await sse('/subscribe/other')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    // A name the stream may decode leniently is checked as its bytes.
    expect(await sse('/subscribe/%FFx')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect(await sse('/subscribe/pub')).toEqual({ status: 200, body: 'data: subscribe,pub,1' });
  },
  'POST /subscribe/*': async () => {
    await restricted();
    expect(await sse('/subscribe/other', 'POST')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect(await sse('/subscribe/pub', 'POST')).toEqual({ status: 200, body: 'data: subscribe,pub,1' });
  },
  // Patterns are compared with the user's channel patterns literally (Redis's rule).
  'GET /psubscribe/*': async () => {
    await restricted();
    expect(await sse('/psubscribe/p*')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect(await sse('/psubscribe/pub')).toEqual({ status: 200, body: 'data: psubscribe,pub,1' });
  },
  'POST /psubscribe/*': async () => {
    await restricted();
    expect(await sse('/psubscribe/p*', 'POST')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect(await sse('/psubscribe/pub', 'POST')).toEqual({ status: 200, body: 'data: psubscribe,pub,1' });
  },
  // The floors stand for PING (echo, empty) and GET x (the RPC loop); they need a token.
  'GET /bench/resp-echo': async () => {
    const up = { Upgrade: 'websocket' };
    expect((await fetchJson('/bench/resp-echo', { headers: up }, {})).status).toBe(401);
    await readonlyWith('-ping');
    expect(await fetchJson('/bench/resp-echo', { headers: up })).toEqual({ status: 400, body: { error: noperm('ping') } });
    await readonlyWith();
    const r = await worker.fetch('http://kf/bench/resp-echo', { headers: { ...RO, ...up } });
    expect(r.status).toBe(101);
    r.webSocket!.accept();
    r.webSocket!.close();
  },
  'GET /bench/empty': async () => {
    expect((await fetchJson('/bench/empty', {}, {})).status).toBe(401);
    await readonlyWith('-ping');
    expect(await fetchJson('/bench/empty')).toEqual({ status: 400, body: { error: noperm('ping') } });
    await readonlyWith();
    expect(await fetchJson('/bench/empty')).toEqual({ status: 200, body: { result: 'OK' } });
  },
  'GET /bench/rpc': async () => {
    expect((await fetchJson('/bench/rpc?n=3000000', {}, {})).status).toBe(401);
    await restricted();
    expect(await fetchJson('/bench/rpc?n=3')).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    await readonlyWith();
    const bad = `ERR n must be an integer from 1 to ${RPC_MAX_N}`;
    for (const n of ['3000000', String(RPC_MAX_N + 1), '0', '-1', '1.5', 'x', '1e3']) {
      expect(await fetchJson(`/bench/rpc?n=${n}`)).toEqual({ status: 400, body: { error: bad } });
    }
    const ok = await fetchJson('/bench/rpc?n=3');
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body as object).sort()).toEqual(['batchedGetUs', 'parallelGetUs', 'sequentialGetUs']);
  },
  // The console's files: a sign-in page served without a token (no command, no data in them);
  // the page's data calls go over /resp with AUTH. Only GET of these exact paths skips the token.
  'GET /console': () => consoleFile('/console', 'text/html', '<form id="signin"'),
  'GET /console/app.js': () => consoleFile('/console/app.js', 'text/javascript', "conn.call('AUTH', token)"),
  'GET /console/app.css': () => consoleFile('/console/app.css', 'text/css', 'body{'),
  // The path form is one command; /watch and /publish are its WATCH and PUBLISH.
  'GET /*': async () => {
    await restricted();
    expect(await fetchJson('/get/secret')).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await fetchJson('/watch/secret')).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await fetchJson('/watch/pub:a/secret')).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await fetchJson('/publish/other/m')).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect(await fetchJson('/get/pub:none')).toEqual({ status: 200, body: { result: null } });
    expect((await fetchJson('/watch/pub:a')).status).toBe(200);
    expect((await fetchJson('/publish/pub/m')).status).toBe(200);
  },
  'POST /*': async () => {
    await restricted();
    expect(await post('/watch', ['pub:a', 'secret'])).toEqual({ status: 400, body: { error: NOPERM_KEYS } });
    expect(await fetchJson('/set/pub:a', { method: 'POST', body: 'v' })).toEqual({ status: 400, body: { error: noperm('set') } });
    expect(await fetchJson('/publish/other', { method: 'POST', body: 'm' })).toEqual({ status: 400, body: { error: NOPERM_CHANNELS } });
    expect((await post('/watch', ['pub:a'])).status).toBe(200);
  },
};

/** The routes as Hono registered them, without the auth middleware (`ALL /*`, registered first). */
const routes = [...new Set(app.routes.filter((r, i) => !(i === 0 && r.method === 'ALL')).map((r) => `${r.method} ${r.path}`))];

describe('every route applies the ACL of the token user', () => {
  it('the auth middleware comes first and is the only catch-all', () => {
    expect(app.routes[0]).toMatchObject({ method: 'ALL', path: '/*' });
    expect(app.routes.filter((r) => r.method === 'ALL')).toHaveLength(1);
    expect(Object.keys(CASES).filter((k) => !routes.includes(k))).toEqual([]);
  });
  for (const route of routes) {
    it(route, async () => {
      expect(CASES[route], `route ${route} has no ACL case: say which command it stands for`).toBeDefined();
      await CASES[route]!();
    });
  }
  it('denials are recorded in ACL LOG as a command denial is', async () => {
    await admin(['ACL', 'LOG', 'RESET']);
    await restricted();
    await fetchJson('/export');
    await sse('/subscribe/other');
    const log = (await admin(['ACL', 'LOG'])).body as { result: unknown[][] };
    expect(log.result.map((e) => e.slice(2, 10))).toEqual([
      ['reason', 'channel', 'context', 'toplevel', 'object', 'other', 'username', 'readonly'],
      ['reason', 'key', 'context', 'toplevel', 'object', '*', 'username', 'readonly'],
    ]);
  });
});

describe('an open SSE subscription', () => {
  async function open(path: string) {
    const r = await worker.fetch(`http://kf${path}`, { headers: RO });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const reader = r.body!.getReader();
    let text = '';
    /** The next event, or null once the stream ended. */
    const next = async (): Promise<string | null> => {
      while (!text.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) return null;
        text += new TextDecoder().decode(value);
      }
      const i = text.indexOf('\n\n');
      const ev = text.slice(0, i);
      text = text.slice(i + 2);
      return ev;
    };
    return { next, reader };
  }

  it('is ended, as Redis disconnects the subscriber, when its user loses the channel or is deleted, not when turned off', async () => {
    await restricted();
    const s = await open('/subscribe/pub');
    expect(await s.next()).toBe('data: subscribe,pub,1');
    // `off`: Redis keeps an authenticated subscriber (give the check, every TTL_MS, a chance to run).
    await admin(['ACL', 'SETUSER', 'readonly', 'off']);
    await new Promise((r) => setTimeout(r, 1500));
    await admin(['PUBLISH', 'pub', 'still']);
    expect(await s.next()).toBe('data: message,pub,still');
    await admin(['ACL', 'SETUSER', 'readonly', 'on', 'resetchannels', '&other']);
    expect(await s.next()).toBeNull();

    await restricted();
    const p = await open('/psubscribe/pub');
    expect(await p.next()).toBe('data: psubscribe,pub,1');
    await admin(['ACL', 'DELUSER', 'readonly']);
    expect(await p.next()).toBeNull();
  });
});

describe('benchmark floors (KEYFLARE_BENCH=1)', () => {
  it('need a token and bound their parameters', async () => {
    for (const path of ['/bench/empty', '/bench/rpc?n=3000000', '/bench/resp-echo']) {
      expect(await fetchJson(path, { headers: { Upgrade: path.endsWith('echo') ? 'websocket' : '' } }, {})).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    }
    expect(await fetchJson('/bench/rpc?n=3000000')).toEqual({ status: 400, body: { error: `ERR n must be an integer from 1 to ${RPC_MAX_N}` } });
  });
});

describe('tokens of disabled or deleted users', () => {
  const readonlyWorks = async () => (await post('/', ['GET', 'x'])).status === 200;
  const refusedEverywhere = async () => {
    expect(await post('/', ['GET', 'x'])).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    expect((await fetchJson('/export')).status).toBe(401);
    expect((await fetchJson('/subscribe/pub')).status).toBe(401);
    expect((await fetchJson('/resp', { headers: { Upgrade: 'websocket' } })).status).toBe(401);
    const c = await openResp({});
    expect(await c.cmd('AUTH', 'test-ro-token')).toBe('-WRONGPASS invalid username-password pair or user is disabled.');
    c.ws.close();
  };

  it('ACL SETUSER readonly off: the token is refused at once; open connections keep working (Redis 7.0)', async () => {
    const open = await openResp(RO);
    expect(await readonlyWorks()).toBe(true);
    await admin(['ACL', 'SETUSER', 'readonly', 'off']);
    await refusedEverywhere();
    // Redis 7.0.15: `off` stops new authentications only; an authenticated connection goes on.
    expect(await open.cmd('GET', 'x')).toBe('$-1');
    await admin(['ACL', 'SETUSER', 'readonly', 'on']);
    expect(await readonlyWorks()).toBe(true);
    open.ws.close();
  });

  it('ACL DELUSER readonly: the token is refused; its open connections are refused and closed', async () => {
    const open = await openResp(RO);
    const closed = new Promise<void>((r) => open.ws.addEventListener('close', () => r()));
    expect(await admin(['ACL', 'DELUSER', 'readonly'])).toEqual({ status: 200, body: { result: 1 } });
    await refusedEverywhere();
    expect(await open.cmd('GET', 'x')).toBe(`-${noperm('get')}`);
    await closed;
  });

  it('ACL SETUSER default off: the main token is refused too, until another admin turns it on', async () => {
    await admin(['ACL', 'SETUSER', 'root', 'on', '>rootpw', '~*', '&*', '+@all']);
    const root = await openResp({});
    expect(await root.cmd('AUTH', 'root', 'rootpw')).toBe('+OK');
    expect(await root.cmd('ACL', 'SETUSER', 'default', 'off')).toBe('+OK');
    expect(await admin(['GET', 'x'])).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    const c = await openResp({});
    expect(await c.cmd('AUTH', 'test-token')).toBe('-WRONGPASS invalid username-password pair or user is disabled.');
    expect(await root.cmd('ACL', 'SETUSER', 'default', 'on')).toBe('+OK');
    expect(await c.cmd('AUTH', 'test-token')).toBe('+OK');
    expect((await admin(['GET', 'x'])).status).toBe(200);
    await admin(['ACL', 'DELUSER', 'root']);
    c.ws.close();
    root.ws.close();
  });
});
