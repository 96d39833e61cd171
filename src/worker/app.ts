// The Worker's HTTP surface (Hono): auth, the REST API, and the RESP WebSocket endpoint.
import { Hono } from 'hono';
import { checkToken, type Access, type Env } from './env.js';
import { multiExec, pathForm, pipeline, single } from './rest.js';
import { acceptResp } from './ws.js';
import { exportRdb, importRdb } from './transfer.js';
import { subscribeStream } from './sse.js';
import { incident, internalError } from '../server/incident.js';
import { acceptEcho, rpcFloor } from './echo.js';

type App = { Bindings: Env; Variables: { access: NonNullable<Access> } };

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
  if (c.env.KEYFLARE_BENCH === '1' && c.req.path.startsWith('/bench/')) {
    if (c.req.path === '/bench/resp-echo') return acceptEcho();
    if (c.req.path === '/bench/empty') return c.json({ result: 'OK' });
    if (c.req.path === '/bench/rpc') return c.json(await rpcFloor(c.env, Number(c.req.query('n') ?? 1000)));
  }
  const isWs = c.req.path === '/resp' && (c.req.header('upgrade') ?? '').toLowerCase() === 'websocket';
  const token = tokenOf(c.req.raw);
  const access = token === null ? null : checkToken(c.env, null, token);
  if (isWs) {
    // A WebSocket may authenticate later with AUTH / HELLO AUTH; a wrong token is refused now.
    if (token !== null && !access) return c.json({ error: 'Unauthorized' }, 401);
    return acceptResp(c.env, new URL(c.req.url).hostname, access);
  }
  if (!access) return c.json({ error: 'Unauthorized' }, 401);
  c.set('access', access);
  if (c.req.method !== 'GET' && c.req.method !== 'POST') {
    return c.json({ error: `ERR method ${c.req.method} not allowed` }, 405, { Allow: 'GET, POST' });
  }
  await next();
});

app.get('/export', exportRdb);
app.post('/import', importRdb);
app.post('/', single);
app.post('/pipeline', pipeline);
app.post('/multi-exec', multiExec);
app.get('/resp', (c) => c.json({ error: 'ERR /resp expects a WebSocket upgrade' }, 426));
// Pub/sub over SSE; `/publish/<ch>/<msg>` is the path form of PUBLISH.
app.on(['GET', 'POST'], '/subscribe/*', (c) => subscribeStream(c.env, 'channel', new URL(c.req.url).pathname.slice('/subscribe/'.length), c.req.raw));
app.on(['GET', 'POST'], '/psubscribe/*', (c) => subscribeStream(c.env, 'pattern', new URL(c.req.url).pathname.slice('/psubscribe/'.length), c.req.raw));
app.on(['GET', 'POST'], '/*', pathForm);
