// Pub/sub over Server-Sent Events (Upstash's REST shape): `/subscribe/<channel>` and
// `/psubscribe/<pattern>` stream `data: subscribe,<ch>,1`, `data: message,<ch>,<payload>` and
// `data: pmessage,<pattern>,<ch>,<payload>` lines, through a link to the hub as a RESP subscriber.
//
// Framing. An SSE line ends at CR, LF or CRLF and an event at a blank line, so no field may carry
// one raw, or a publisher could end the event and forge the next (`hello\n\ndata: message,admin,X`).
// SSE's own way to carry a multi-line payload (several `data:` lines the reader joins with \n) is
// not safe for the client we must serve: @upstash/redis (1.39, HttpClient.request) splits the
// stream on \n and hands every line that starts with `data: ` to Subscriber.handleMessage as an
// event of its own, which strips a further leading `data:` — so the continuation line
// `data: data: message,admin,X` would still be a forged event. Hence each event is exactly one
// `data:` line, and its fields are encoded in one of two ways:
// - text (the default): fields are UTF-8 text (invalid sequences become U+FFFD, as in the REST
//   API without base64), and a field holding a CR or LF is sent as its JSON string literal
//   (JSON.stringify escapes both). @upstash/redis JSON-parses message payloads (its default
//   automaticDeserialization), so it receives such a payload exactly as published; payloads without
//   CR/LF (JSON.stringify output among them) go as they are. @upstash/redis sends
//   `Upstash-Encoding: base64` on its subscribe requests too, yet never base64-decodes SSE data,
//   and its own tests against Upstash expect the published text: so, as Upstash, that header does
//   not change the stream. Commas inside names go as they are (the format has no escape for them).
// - base64 (`?encoding=base64`, for clients that need exact bytes; a query parameter because a
//   browser's EventSource cannot set headers): every name and payload is the standard base64 of
//   its bytes; the event type and the count stay plain. Any bytes round-trip.
import { fromUtf8, toBase64, toUtf8 } from '../protocol/bytes.js';
import { MAX_NAME_BYTES, type Kind, type PubMsg } from '../server/pubsub.js';
import { HubClient } from './hub-client.js';
import type { Env } from './env.js';

export type SseEncoding = 'text' | 'base64';

/** One field of an event, safe to put on a `data:` line (it holds no CR or LF). */
export function sseField(bytes: string, encoding: SseEncoding): string {
  if (encoding === 'base64') return toBase64(bytes);
  const text = toUtf8(bytes);
  return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? JSON.stringify(text) : text;
}

/** A whole event: `data: <type>,<fields…>\n\n` (fields are byte strings; `count` stays a number). */
export function sseEvent(type: string, fields: string[], encoding: SseEncoding, count?: number): string {
  let line = `data: ${type}`;
  for (const f of fields) line += `,${sseField(f, encoding)}`;
  if (count !== undefined) line += `,${count}`;
  return `${line}\n\n`;
}

export function subscribeStream(env: Env, kind: Extract<Kind, 'channel' | 'pattern'>, rawName: string, req: Request): Response {
  if (!env.HUB) return Response.json({ error: 'ERR pub/sub is not configured (no HUB binding)' }, { status: 503 });
  let name: string;
  try {
    name = fromUtf8(decodeURIComponent(rawName));
  } catch {
    return Response.json({ error: 'ERR malformed channel name' }, { status: 400 });
  }
  const command = kind === 'channel' ? 'subscribe' : 'psubscribe';
  if (name === '') return Response.json({ error: `ERR wrong number of arguments for '${command}' command` }, { status: 400 });
  if (name.length > MAX_NAME_BYTES) return Response.json({ error: `ERR ${kind} name is longer than ${MAX_NAME_BYTES} bytes, the pub/sub hub's limit` }, { status: 400 });
  const requested = new URL(req.url).searchParams.get('encoding');
  if (requested !== null && requested !== 'base64' && requested !== 'text') {
    return Response.json({ error: "ERR unknown encoding: use encoding=base64 or encoding=text" }, { status: 400 });
  }
  const encoding: SseEncoding = requested === 'base64' ? 'base64' : 'text';
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  let done = false;
  const link = new HubClient(env.HUB).link(
    (m: PubMsg) => void write(sseEvent(m[0]!, m.slice(1), encoding)),
    // The hub ended the link (it restarted): end the stream, so the client knows to subscribe again.
    () => end(),
  );
  const end = () => {
    if (done) return;
    done = true;
    link.close();
    writer.close().catch(() => {});
  };
  const write = (event: string) => (done ? Promise.resolve() : writer.write(enc.encode(event)).catch(end));
  req.signal.addEventListener('abort', end);
  link.update(kind, [name], true).then(
    () => write(sseEvent(command, [name], encoding, 1)),
    () => {
      // The event text is ours, not the exception's (internal messages do not reach clients).
      void write(`data: error,the pub/sub hub did not take the subscription\n\n`);
      end();
    },
  );
  return new Response(readable, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}
