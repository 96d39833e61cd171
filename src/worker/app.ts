// The Worker's HTTP surface (Hono): auth, the REST API, and the RESP WebSocket endpoint.
//
// Every route is authorized as the Redis command(s) it stands for, with the ACL of the token's
// user (worker/auth.ts): `needs(...)` names them for routes that do not run commands through a
// session; routes that carry commands (/, /pipeline, /multi-exec, the path form, /watch) have the
// session check each one as a RESP connection does. A refusal is Redis's NOPERM text with 400, as
// every command error is under the Upstash contract (its client reads `error` on any non-2xx).
// test/workers/route-acl.test.ts walks `app.routes`: a route without an ACL case fails it.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Access, Env } from './env.js';
import { authenticate, currentUser, denial, pathBytes, refusal, subscriberRevoked, type Caller, type Need } from './auth.js';
import { TTL_MS } from './acl-client.js';
import { multiExec, pathForm, pipeline, single } from './rest.js';
import { acceptResp } from './ws.js';
import { exportRdb, importRdb } from './transfer.js';
import { subscribeStream } from './sse.js';
import { incident, internalError } from '../server/incident.js';
import { acceptEcho, rpcCount, rpcFloor } from './echo.js';
import { consoleFile, isConsoleFile } from './console/routes.js';

type App = { Bindings: Env; Variables: { access: NonNullable<Access>; caller: Caller } };

export const app = new Hono<App>();

function tokenOf(req: Request): string | null {
  const h = req.headers.get('authorization');
  if (h) {
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m ? m[1]! : null;
  }
  return new URL(req.url).searchParams.get('_token');
}

// The details stay in the log, under an id the client can quote (server/incident.ts).
app.onError((e, c) => c.json({ error: internalError(incident(`${c.req.method} ${c.req.path}`, e)) }, 500));

app.use('*', async (c, next) => {
  // Serving without a token would expose the data to anyone: refuse instead.
  if (!c.env.KEYFLARE_TOKEN) {
    return c.json({ error: 'ERR no KEYFLARE_TOKEN is configured: refusing to serve (wrangler secret put KEYFLARE_TOKEN)' }, 503);
  }
  // The console's page and script are a sign-in form: every data call they make needs the token.
  if (isConsoleFile(c.req.method, c.req.path)) return next();
  const isWs = c.req.path === '/resp' && (c.req.header('upgrade') ?? '').toLowerCase() === 'websocket';
  const token = tokenOf(c.req.raw);
  // A token of a disabled or deleted user is refused like a wrong one (nothing tells them apart).
  const caller = token === null ? null : await authenticate(c.env, token);
  if (isWs) {
    // A WebSocket may authenticate later with AUTH / HELLO AUTH; a wrong token is refused now.
    if (token !== null && !caller) return c.json({ error: 'Unauthorized' }, 401);
    return acceptResp(c.env, new URL(c.req.url).hostname, caller?.access ?? null);
  }
  if (!caller) return c.json({ error: 'Unauthorized' }, 401);
  c.set('access', caller.access);
  c.set('caller', caller);
  if (c.req.method !== 'GET' && c.req.method !== 'POST') {
    return c.json({ error: `ERR method ${c.req.method} not allowed` }, 405, { Allow: 'GET, POST' });
  }
  await next();
});

/** The route stands for these commands: refused with their NOPERM unless the caller may run all. */
function needs(of: (c: Context<App>) => Need[]): MiddlewareHandler<App> {
  return async (c, next) => {
    const found = denial(c.get('caller').user, of(c));
    if (found) return c.json({ error: await refusal(c.env, c.get('caller'), found) }, 400);
    await next();
  };
}

/** The channel or pattern of an SSE route, as the bytes SUBSCRIBE / PSUBSCRIBE would name. */
const streamName = (c: Context<App>, prefix: string) => pathBytes(new URL(c.req.url).pathname.slice(prefix.length));
/** An empty name is SUBSCRIBE's arity error (the stream answers it): no channel to check. */
const subscribes = (cmd: string, prefix: string) => (c: Context<App>) => {
  const name = streamName(c, prefix);
  return name === '' ? [] : [{ argv: [cmd, name] }];
};

/**
 * Serve an SSE subscription while its user may hold it: as Redis disconnects a subscriber whose
 * user was deleted or lost the channel (not one merely turned `off`), the stream is ended once
 * the isolate's ACL cache shows that (checked every TTL_MS).
 */
function subscription(cmd: string, prefix: string, kind: 'channel' | 'pattern'): MiddlewareHandler<App> {
  return async (c) => {
    const ac = new AbortController();
    const client = c.req.raw.signal;
    const req = new Request(c.req.raw, { signal: AbortSignal.any([client, ac.signal]) });
    const res = subscribeStream(c.env, kind, new URL(c.req.url).pathname.slice(prefix.length), req);
    if (res.headers.get('content-type') !== 'text/event-stream') return res;
    const need = subscribes(cmd, prefix)(c);
    const name = c.get('caller').access.user;
    const timer = setInterval(() => {
      void currentUser(c.env, name).then((u) => {
        if (subscriberRevoked(u, need)) stop();
      }, () => {});
    }, TTL_MS);
    const stop = () => {
      clearInterval(timer);
      ac.abort();
    };
    client.addEventListener('abort', stop);
    // The stream's end, however it comes (client gone, hub error, revoked), stops the checks.
    const reader = res.body!.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const { value, done } = await reader.read();
        if (done) {
          stop();
          ctl.close();
        } else ctl.enqueue(value);
      },
      cancel(reason) {
        stop();
        return reader.cancel(reason);
      },
    });
    return new Response(body, res);
  };
}

/** The benchmark floors exist only with KEYFLARE_BENCH=1 (never in production). */
const benchOn: MiddlewareHandler<App> = async (c, next) => {
  if (c.env.KEYFLARE_BENCH !== '1') return c.json({ error: 'ERR the benchmark floors are off (KEYFLARE_BENCH=1 serves them)' }, 404);
  await next();
};

// A dump of every key: what SCAN and DUMP of each key need (a user limited to some keys is refused).
app.get('/export', needs(() => [{ argv: ['SCAN', '0'] }, { argv: ['DUMP'], keys: 'every' }]), exportRdb);
// RESTORE … REPLACE of each key of the file: the command here, each key once the file is parsed.
app.post('/import', needs(() => [{ argv: ['RESTORE'], keys: 'none' }]), importRdb);
app.post('/', single);
app.post('/pipeline', pipeline);
app.post('/multi-exec', multiExec);
// No command: a WebSocket upgrade is taken by the middleware, whose session checks each command.
app.get('/resp', (c) => c.json({ error: 'ERR /resp expects a WebSocket upgrade' }, 426));
// Pub/sub over SSE: SUBSCRIBE <channel> / PSUBSCRIBE <pattern>. `/publish/<ch>/<msg>` is the path form.
app.on(['GET', 'POST'], '/subscribe/*', needs(subscribes('SUBSCRIBE', '/subscribe/')), subscription('SUBSCRIBE', '/subscribe/', 'channel'));
app.on(['GET', 'POST'], '/psubscribe/*', needs(subscribes('PSUBSCRIBE', '/psubscribe/')), subscription('PSUBSCRIBE', '/psubscribe/', 'pattern'));
// Benchmark floors: echo answers +OK to every command without running it, as PING would; the
// RPC floor runs GET x on shard 0.
app.get('/bench/resp-echo', benchOn, needs(() => [{ argv: ['PING'] }]), () => acceptEcho());
app.get('/bench/empty', benchOn, needs(() => [{ argv: ['PING'] }]), (c) => c.json({ result: 'OK' }));
app.get('/bench/rpc', benchOn, needs(() => [{ argv: ['GET', 'x'] }]), async (c) => {
  const n = rpcCount(c.req.query('n'));
  if (typeof n === 'string') return c.json({ error: n }, 400);
  return c.json(await rpcFloor(c.env, n));
});
// The browser console (worker/console/): its page, script and stylesheet, served without a token.
app.get('/console', consoleFile);
app.get('/console/app.js', consoleFile);
app.get('/console/app.css', consoleFile);
app.on(['GET', 'POST'], '/*', pathForm);
