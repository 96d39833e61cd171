// The Upstash-compatible REST API: `/` (one command), path form, `/pipeline`, `/multi-exec`.
import type { Context } from 'hono';
import { argvFromJson, replyToJson } from '../protocol/json.js';
import { fromBytes, fromUtf8 } from '../protocol/bytes.js';
import { err, type Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Session, type ExecOpts } from '../server/session.js';
import { incident, internalError } from '../server/incident.js';
import { WorkerBackend, type Access, type Env } from './env.js';
import { BULK_LEN_ERROR, argvTooLong } from './bulk-limit.js';

type Ctx = Context<{ Bindings: Env; Variables: { access: NonNullable<Access> } }>;

let syncSeq = 0;

/**
 * How long a REST request's blocking commands may wait in all (BLPOP … 0 included), after which
 * they answer the reply Redis gives when their timeout elapses (null). A request has no
 * connection to keep it: it must end. 25 s stays under the ~30 s request timeouts common between
 * clients and Workers (proxies, load balancers, serverless callers; AWS API Gateway cuts at 29 s)
 * and under the 30 s a Worker may keep working for a request whose client went away — so a long
 * poll ends with its timeout reply, not a gateway error. KEYFLARE_REST_MAX_BLOCK_MS changes it.
 */
export const REST_MAX_BLOCK_MS = 25_000;

/** The replies of batches that were not sent because the client had gone (nobody reads them). */
const GONE = err('ERR the client went away');

/** Shard access for one REST request: blocking is bounded, and stops when the client goes. */
class RestBackend extends WorkerBackend {
  gone = false;
  constructor(env: Env, host: string, private readonly deadline: number, background: (p: Promise<unknown>) => void) {
    super(env, host, background);
  }
  override exec(shard: number, batch: string[][], resp: Proto, opts: ExecOpts = {}): Promise<Frame[]> {
    // Nothing more is sent for a client that went away (Redis also drops the unread pipeline).
    if (this.gone) return Promise.resolve(batch.map(() => GONE));
    return super.exec(shard, batch, resp, { ...opts, maxBlockMs: Math.max(0, this.deadline - Date.now()) });
  }
}

function session(c: Ctx): Session {
  return restSession(c).s;
}

/** Work a request started that must outlive its response (ctx.waitUntil; none in a test harness). */
function background(c: Ctx): (p: Promise<unknown>) => void {
  return (p) => {
    try {
      c.executionCtx.waitUntil(p);
    } catch {
      // no execution context (a test harness): the promise runs on its own
    }
  };
}

/**
 * The request's backend, made once per request. What does not depend on the request (slot map,
 * shard ids and infos, ACL users, server facts, the proto-max-bulk-len cache) is per isolate
 * (worker/env.ts, acl-client.ts, bulk-limit.ts); the backend itself holds only what workerd ties
 * to a request (its stubs) and the request's own state (deadline, gone). The Session is per
 * request too: it is the request's connection (client id, user, a pipeline's MULTI and WATCH).
 */
const backends = new WeakMap<object, RestBackend>();
function backendOf(c: Ctx): RestBackend {
  let b = backends.get(c.req.raw);
  if (!b) {
    const cap = Number(c.env.KEYFLARE_REST_MAX_BLOCK_MS ?? REST_MAX_BLOCK_MS);
    b = new RestBackend(c.env, new URL(c.req.url).hostname, Date.now() + (cap >= 0 ? cap : REST_MAX_BLOCK_MS), background(c));
    backends.set(c.req.raw, b);
  }
  return b;
}

/** A REST request's session, and what to do when its client goes away. */
function restSession(c: Ctx): { s: Session; gone(): void } {
  const access = c.get('access');
  const backend = backendOf(c);
  const s = new Session(backend, { authenticated: true, user: access.user, readonly: access.readonly, rest: true });
  // The client gave up (curl -m, a fetch aborted): a command of it that waits on a shard (BLPOP…)
  // must not take data for nobody. The unblock goes through the same stubs as the commands, so
  // it reaches each shard after them (E-order) and finds their waiters; nothing is sent after.
  const gone = () => {
    if (backend.gone) return;
    backend.gone = true;
    if (!s.client.blocked) return;
    // A stub broken by the cancelled request fails every later call: then a fresh one (no order
    // with the command then, which was almost always delivered long before); failing both, the bound ends it.
    const done = backend
      .unblockClient(s.session.id)
      .catch(() => new WorkerBackend(c.env, '').unblockClient(s.session.id))
      .catch((e) => void incident('REST unblock after the client went away', e));
    background(c)(done);
  };
  c.req.raw.signal?.addEventListener('abort', gone, { once: true });
  return { s, gone };
}

/** While a command waits on a shard, a space is written this often (see runRest). */
const KEEPALIVE_MS = 250;
const SPACE = new Uint8Array([0x20]);

type Out = { body: unknown; status: 200 | 400 };

/**
 * Run a REST request's commands and answer. Most answer at once. One still waiting on a shard
 * after KEEPALIVE_MS (BLPOP…) is answered on a stream: status 200 at once, a space every
 * KEEPALIVE_MS (JSON allows whitespace before a value), then the JSON body. Why: a runtime learns
 * that an HTTP client went away only when it writes to it — the local runtimes (wrangler dev,
 * npm start) never fire Request.signal otherwise — and the first failed write releases the
 * waiter. The cost: an error that ends such a wait (rare: CLIENT UNBLOCK … ERROR) comes as
 * {"error"} with status 200, as in /pipeline.
 */
async function runRest(c: Ctx, cmds: string[][], shape: (replies: Frame[]) => Out, pipelined = false): Promise<Response> {
  const { s, gone } = restSession(c);
  // WATCH in a pipeline is connection-scoped (to the pipeline): release what it left.
  const work = s.run(cmds).finally(() => (pipelined ? s.close() : undefined)).then(shape);
  let finished = false;
  const settled = work.then(() => void (finished = true), () => void (finished = true));
  for (;;) {
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([settled, new Promise((r) => (t = setTimeout(r, KEEPALIVE_MS)))]);
    clearTimeout(t);
    if (finished) {
      const out = await work; // an exception goes to app.onError
      return respond(c, out.body, out.status);
    }
    if (s.client.blocked) break;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  let dead = false;
  let chain: Promise<void> = Promise.resolve();
  const write = (b: Uint8Array) => {
    chain = chain.then(() => (dead ? undefined : w.write(b))).catch(() => {
      dead = true;
      gone();
    });
  };
  const keep = setInterval(() => write(SPACE), KEEPALIVE_MS);
  write(SPACE);
  const end = work
    .then(
      (out) => JSON.stringify(out.body),
      (e) => JSON.stringify({ error: internalError(incident(`${c.req.method} ${c.req.path} (streamed)`, e)) }),
    )
    .then((text) => {
      clearInterval(keep);
      write(new TextEncoder().encode(text));
      return chain.then(() => (dead ? undefined : w.close())).catch(() => {});
    });
  try {
    c.executionCtx.waitUntil(end);
  } catch {
    // no execution context (a test harness)
  }
  // Not compressed (identity; no-transform for the edge): a compressor would hold the spaces back,
  // and a write must reach the socket to find out whether the client is still there.
  const headers = { 'content-type': 'application/json', 'content-encoding': 'identity', 'cache-control': 'no-transform', 'upstash-sync-token': syncToken() };
  return new Response(readable, { status: 200, headers });
}

function syncToken(): string {
  return `${Date.now()}-${++syncSeq}`;
}

function respond(c: Ctx, body: unknown, status: 200 | 400 | 409 = 200): Response {
  // Writes are visible to every later request as soon as they are acknowledged (one leader per
  // slot range, no replicas yet), so any fresh token honours read-your-writes.
  c.header('upstash-sync-token', syncToken());
  return c.json(body, status);
}

/** proto-max-bulk-len holds for REST arguments as for RESP bulks: a 400 with Redis's text. */
async function overBulkLimit(c: Ctx, cmds: string[][]): Promise<Response | null> {
  return (await argvTooLong(cmds, () => backendOf(c).bulkLimit())) ? respond(c, { error: BULK_LEN_ERROR }, 400) : null;
}

function wantsBase64(c: Ctx): boolean {
  return (c.req.header('upstash-encoding') ?? '').toLowerCase() === 'base64';
}

async function jsonBody(c: Ctx): Promise<unknown | Response> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    return respond(c, { error: `ERR failed to parse the request body as JSON: ${(e as Error).message}` }, 400);
  }
}

/** One command's reply: 400 for an error. */
function one(c: Ctx): (replies: Frame[]) => Out {
  const b64 = wantsBase64(c);
  return ([reply]) => {
    const out = replyToJson(reply!, b64);
    return { body: out, status: 'error' in out ? 400 : 200 };
  };
}

/** POST / with ["CMD", "arg", …] */
export async function single(c: Ctx): Promise<Response> {
  const body = await jsonBody(c);
  if (body instanceof Response) return body;
  const argv = argvFromJson(body);
  if (typeof argv === 'string') return respond(c, { error: argv }, 400);
  const tooLong = await overBulkLimit(c, [argv]);
  if (tooLong) return tooLong;
  if (argv[0]!.toLowerCase() === 'watch') return watch(c, argv.slice(1));
  return runRest(c, [argv], one(c));
}

/** Upstash has no WATCH (a REST request has no connection); keyflare's header for /multi-exec. */
export const WATCH_HEADER = 'keyflare-watch-token';

/**
 * REST WATCH (`POST /watch` with ["key", …], `/watch/k1/k2`, or `POST /` with ["WATCH", …]):
 * answers {"result": "<token>"}; /multi-exec with the token in WATCH_HEADER aborts with 409 if a
 * watched key changed since. A request has no connection to hold the watch, so the token carries
 * the keys' shard versions (see server/transaction.ts; it grants nothing: forging one can only
 * make a transaction abort).
 */
async function watch(c: Ctx, keys: string[]): Promise<Response> {
  if (keys.length === 0) return respond(c, { error: "ERR wrong number of arguments for 'watch' command" }, 400);
  const tooLong = await overBulkLimit(c, [keys]);
  if (tooLong) return tooLong;
  const tok = await session(c).watchToken(keys);
  if (typeof tok === 'string') return respond(c, { result: tok });
  const out = one(c)([tok]);
  return respond(c, out.body, out.status);
}

/**
 * The path form's argv: path segments, then query names and values (`+` is a space, as in forms).
 * Both are percent-encoded UTF-8 text, as Upstash reads them; a malformed escape or bytes that
 * are not UTF-8 (`%FF`) are the client's error (400), never guessed at. Binary goes in the body.
 */
function pathArgv(url: URL): string[] | string {
  const argv: string[] = [];
  for (const seg of url.pathname.split('/')) {
    if (seg.length === 0) continue;
    const a = decodePart(seg);
    if (a === null) return `ERR invalid request path: '${seg.slice(0, 64)}' is not percent-encoded UTF-8 (send binary values as the POST body)`;
    argv.push(a);
  }
  for (const pair of url.search.slice(1).split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const k = decodePart((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decodePart(pair.slice(eq + 1).replace(/\+/g, ' '));
    if (k === null || v === null) return `ERR invalid query string: '${pair.slice(0, 64)}' is not percent-encoded UTF-8`;
    if (k === '_token') continue;
    argv.push(k);
    if (v !== '') argv.push(v);
  }
  return argv;
}

/** Percent-decoded UTF-8 as a byte string; null when malformed. */
function decodePart(s: string): string | null {
  try {
    return fromUtf8(decodeURIComponent(s));
  } catch {
    return null; // URIError: a bad escape, or escapes that are not UTF-8
  }
}

/** GET|POST /cmd/arg/arg…?opt=val — a POST body becomes the last argument. */
export async function pathForm(c: Ctx): Promise<Response> {
  const url = new URL(c.req.url);
  if (url.pathname === '/watch' && c.req.method === 'POST') {
    // POST /watch with a JSON array of keys.
    const body = await jsonBody(c);
    if (body instanceof Response) return body;
    const keys = Array.isArray(body) && body.length ? argvFromJson(body) : 'ERR POST /watch expects a JSON array of keys';
    if (typeof keys === 'string') return respond(c, { error: keys }, 400);
    return watch(c, keys);
  }
  const argv = pathArgv(url);
  if (typeof argv === 'string') return respond(c, { error: argv }, 400);
  if (c.req.method === 'POST') {
    // The body is the value's bytes as sent (binary-safe), not text.
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length) argv.push(fromBytes(body));
  }
  if (argv.length === 0) return respond(c, { error: 'ERR empty command' }, 400);
  const tooLong = await overBulkLimit(c, [argv]);
  if (tooLong) return tooLong;
  if (argv[0]!.toLowerCase() === 'watch') {
    return watch(c, argv.slice(1));
  }
  return runRest(c, [argv], one(c));
}

function commandsOf(body: unknown): string[][] | string {
  if (!Array.isArray(body)) return 'ERR the request body must be a JSON array of commands';
  const cmds: string[][] = [];
  for (const x of body) {
    const argv = argvFromJson(x);
    if (typeof argv === 'string') return argv;
    cmds.push(argv);
  }
  return cmds;
}

/** POST /pipeline with [[…], […]]: not atomic, one result per command, always 200. */
export async function pipeline(c: Ctx): Promise<Response> {
  const body = await jsonBody(c);
  if (body instanceof Response) return body;
  const cmds = commandsOf(body);
  if (typeof cmds === 'string') return respond(c, { error: cmds }, 400);
  const tooLong = await overBulkLimit(c, cmds);
  if (tooLong) return tooLong;
  const b64 = wantsBase64(c);
  return runRest(c, cmds, (replies) => ({ body: replies.map((r) => replyToJson(r, b64)), status: 200 }), true);
}

/** POST /multi-exec: atomic on one shard; a transaction refused as a whole is one 400 error. */
export async function multiExec(c: Ctx): Promise<Response> {
  const body = await jsonBody(c);
  if (body instanceof Response) return body;
  const cmds = commandsOf(body);
  if (typeof cmds === 'string') return respond(c, { error: cmds }, 400);
  const tooLong = await overBulkLimit(c, cmds);
  if (tooLong) return tooLong;
  const token = c.req.header(WATCH_HEADER);
  const res = await session(c).transaction(cmds, token);
  if (!Array.isArray(res)) {
    if (res.t === 'nilarr') return respond(c, { error: 'WATCH a watched key changed: the transaction was not executed' }, 409);
    return respond(c, { error: (res as { v: string }).v }, 400);
  }
  const b64 = wantsBase64(c);
  return respond(c, res.map((r) => replyToJson(r, b64)));
}
