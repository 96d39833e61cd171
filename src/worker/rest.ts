// The Upstash-compatible REST API: `/` (one command), path form, `/pipeline`, `/multi-exec`.
import type { Context } from 'hono';
import { argvFromJson, replyToJson } from '../protocol/json.js';
import { fromBytes, fromUtf8 } from '../protocol/bytes.js';
import type { Frame } from '../protocol/frame.js';
import { Session } from '../server/session.js';
import { WorkerBackend, type Access, type Env } from './env.js';
import { BULK_LEN_ERROR, argvTooLong } from './bulk-limit.js';

type Ctx = Context<{ Bindings: Env; Variables: { access: NonNullable<Access> } }>;

let syncSeq = 0;

function session(c: Ctx): Session {
  const access = c.get('access');
  const backend = new WorkerBackend(c.env, new URL(c.req.url).hostname);
  return new Session(backend, { authenticated: true, user: access.user, readonly: access.readonly });
}

function respond(c: Ctx, body: unknown, status: 200 | 400 | 409 = 200): Response {
  // Writes are visible to every later request as soon as they are acknowledged (one leader per
  // slot range, no replicas yet), so any fresh token honours read-your-writes.
  c.header('upstash-sync-token', `${Date.now()}-${++syncSeq}`);
  return c.json(body, status);
}

/** proto-max-bulk-len holds for REST arguments as for RESP bulks: a 400 with Redis's text. */
async function overBulkLimit(c: Ctx, cmds: string[][]): Promise<Response | null> {
  return (await argvTooLong(cmds, () => new WorkerBackend(c.env, '').bulkLimit())) ? respond(c, { error: BULK_LEN_ERROR }, 400) : null;
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

function one(c: Ctx, reply: Frame): Response {
  const out = replyToJson(reply, wantsBase64(c));
  return respond(c, out, 'error' in out ? 400 : 200);
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
  const [reply] = await session(c).run([argv]);
  return one(c, reply!);
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
  return typeof tok === 'string' ? respond(c, { result: tok }) : one(c, tok);
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
  const [reply] = await session(c).run([argv]);
  return one(c, reply!);
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
  const s = session(c);
  // WATCH in a pipeline is connection-scoped (to the pipeline): release what it left.
  const replies = await s.run(cmds).finally(() => s.close());
  const b64 = wantsBase64(c);
  return respond(c, replies.map((r) => replyToJson(r, b64)));
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
