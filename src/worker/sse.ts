// Pub/sub over Server-Sent Events (Upstash's REST shape): `/subscribe/<channel>` and
// `/psubscribe/<pattern>` stream `data: subscribe,<ch>,1`, `data: message,<ch>,<payload>` and
// `data: pmessage,<pattern>,<ch>,<payload>` lines, through a link to the hub as a RESP subscriber.
import { fromUtf8, toUtf8 } from '../protocol/bytes.js';
import type { Kind, PubMsg } from '../server/pubsub.js';
import { HubClient } from './hub-client.js';
import type { Env } from './env.js';

export function subscribeStream(env: Env, kind: Extract<Kind, 'channel' | 'pattern'>, rawName: string, signal: AbortSignal | null): Response {
  if (!env.HUB) return Response.json({ error: 'ERR pub/sub is not configured (no HUB binding)' }, { status: 503 });
  let name: string;
  try {
    name = fromUtf8(decodeURIComponent(rawName));
  } catch {
    return Response.json({ error: 'ERR malformed channel name' }, { status: 400 });
  }
  if (name === '') return Response.json({ error: `ERR wrong number of arguments for '${kind === 'channel' ? 'subscribe' : 'psubscribe'}' command` }, { status: 400 });
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  let done = false;
  const link = new HubClient(env.HUB).link((m: PubMsg) => {
    // Fields are bytes; the stream is UTF-8 text, as Upstash sends it.
    void write(m.map(toUtf8).join(','));
  });
  const end = () => {
    if (done) return;
    done = true;
    link.close();
    writer.close().catch(() => {});
  };
  const write = (line: string) => (done ? Promise.resolve() : writer.write(enc.encode(`data: ${line}\n\n`)).catch(end));
  signal?.addEventListener('abort', end);
  link.update(kind, [name], true).then(
    () => write(`${kind === 'channel' ? 'subscribe' : 'psubscribe'},${toUtf8(name)},1`),
    (e) => {
      void write(`error,${(e as Error).message}`);
      end();
    },
  );
  return new Response(readable, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}
