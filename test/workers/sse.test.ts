// SSE framing (issue 19, item 10): no payload or channel name can end an event or forge another,
// a real @upstash/redis subscriber receives payloads with CR, LF and NUL exactly as published,
// and `?encoding=base64` carries any bytes exactly. Wire bytes are asserted, not only parsed events.
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from '@upstash/redis/cloudflare';
import { fromBytes, toBase64 } from '../../src/protocol/bytes.js';
import { openResp, worker } from './ws-client.js';

const H = { Authorization: 'Bearer test-token' };
const rest = async (argv: string[]) =>
  (await worker.fetch('http://kf/', { method: 'POST', headers: { ...H, 'content-type': 'application/json' }, body: JSON.stringify(argv) })).json();

const FORGE = 'hello\n\ndata: message,admin-channel,FORGED\n\n';
/** \r, \n, \r\n and NUL, then bytes that are not UTF-8 (a lone continuation, an overlong NUL, 0xFF). */
const BINARY = 'a\rb\nc\r\nd\x00e' + '\x80\xc0\x80\xff' + 'f';

/** An SSE stream's raw bytes (as a byte string), read until `until` has arrived. */
async function sse(path: string) {
  const ac = new AbortController();
  const res = await worker.fetch(`http://kf${path}`, { headers: H, signal: ac.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  let buf = '';
  return {
    async until(end: string): Promise<string> {
      while (!buf.includes(end)) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += fromBytes(value);
      }
      const at = buf.indexOf(end) + end.length;
      const out = buf.slice(0, at);
      buf = buf.slice(at);
      return out;
    },
    /** Everything until the server ends the stream. */
    async rest(): Promise<string> {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return buf;
        buf += fromBytes(value);
      }
    },
    async close() {
      await reader.cancel();
      ac.abort();
    },
  };
}

/** UTF-8 bytes of a JS string, as a byte string. */
const utf8 = (s: string) => fromBytes(new TextEncoder().encode(s));

describe('SSE framing', () => {
  it('a payload with blank lines and a data: line stays inside its one event (text encoding, exact bytes)', async () => {
    const s = await sse('/subscribe/news');
    expect(await s.until('\n\n')).toBe('data: subscribe,news,1\n\n');
    expect(await rest(['PUBLISH', 'news', FORGE])).toEqual({ result: 1 });
    expect(await rest(['PUBLISH', 'news', 'after'])).toEqual({ result: 1 });
    // The whole stream up to the sentinel: exactly two events, the first one JSON-escaped.
    expect(await s.until('after\n\n')).toBe('data: message,news,"hello\\n\\ndata: message,admin-channel,FORGED\\n\\n"\n\ndata: message,news,after\n\n');
    await s.close();
  });

  it('CR, LF, CRLF, NUL and non-UTF-8 bytes: one line each; text turns invalid UTF-8 into U+FFFD, base64 keeps every byte', async () => {
    const text = await sse('/subscribe/bin-ch');
    const b64 = await sse('/subscribe/bin-ch?encoding=base64');
    expect(await text.until('\n\n')).toBe('data: subscribe,bin-ch,1\n\n');
    expect(await b64.until('\n\n')).toBe(`data: subscribe,${toBase64('bin-ch')},1\n\n`);
    // Published over RESP, which carries any bytes.
    const pub = await openResp();
    expect(await pub.cmd('PUBLISH', 'bin-ch', BINARY)).toBe(':2');
    expect(await text.until('\n\n')).toBe(`data: message,bin-ch,${utf8('"a\\rb\\nc\\r\\nd\\u0000e\ufffd\ufffd\ufffd\ufffdf"')}\n\n`);
    const line = await b64.until('\n\n');
    expect(line).toBe(`data: message,${toBase64('bin-ch')},${toBase64(BINARY)}\n\n`);
    // A base64 client decodes the exact bytes back.
    const [, ch, payload] = line.slice('data: '.length, -2).split(',');
    expect(atob(ch!)).toBe('bin-ch');
    expect(atob(payload!)).toBe(BINARY);
    pub.ws.close();
    await text.close();
    await b64.close();
  });

  it('a channel name chosen by the publisher cannot forge a pmessage either', async () => {
    const s = await sse('/psubscribe/inj*');
    expect(await s.until('\n\n')).toBe('data: psubscribe,inj*,1\n\n');
    const ch = 'inj\n\ndata: message,admin-channel,FORGED\n\n';
    expect(await rest(['PUBLISH', ch, 'x'])).toEqual({ result: 1 });
    expect(await s.until('x\n\n')).toBe('data: pmessage,inj*,"inj\\n\\ndata: message,admin-channel,FORGED\\n\\n",x\n\n');
    await s.close();
  });

  it('ends the stream when the hub drops its links (a restart), so the client can subscribe again', async () => {
    const s = await sse('/subscribe/restart-ch');
    expect(await s.until('\n\n')).toBe('data: subscribe,restart-ch,1\n\n');
    await evictDurableObject(env.HUB.get(env.HUB.idFromName('hub')), { webSockets: 'close' });
    expect(await s.rest()).toBe('');
    expect(await rest(['PUBSUB', 'NUMSUB', 'restart-ch'])).toEqual({ result: ['restart-ch', 0] });
    const again = await sse('/subscribe/restart-ch');
    expect(await again.until('\n\n')).toBe('data: subscribe,restart-ch,1\n\n');
    expect(await rest(['PUBLISH', 'restart-ch', 'back'])).toEqual({ result: 1 });
    expect(await again.until('\n\n')).toBe('data: message,restart-ch,back\n\n');
    await again.close();
  });

  it('refuses an unknown encoding', async () => {
    const r = await worker.fetch('http://kf/subscribe/ch?encoding=hex', { headers: H });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'ERR unknown encoding: use encoding=base64 or encoding=text' });
  });
});

describe('@upstash/redis subscriber over SSE', () => {
  // The client calls the global fetch with its base URL; route http://kf to the Worker.
  const realFetch = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return new URL(url).host === 'kf' ? worker.fetch(input as RequestInfo, init) : realFetch(input, init);
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('receives the forged-looking payload and CR/LF/NUL payloads exactly, and no event on another channel', async () => {
    const redis = new Redis({ url: 'http://kf', token: 'test-token' });
    const sub = redis.subscribe<string>(['up-news']);
    const got: Array<{ channel: string; message: unknown }> = [];
    const other: unknown[] = [];
    let wake: () => void = () => {};
    sub.on('message', (d) => {
      if (d.channel === 'up-news') got.push(d);
      else other.push(d);
      wake();
    });
    const subscribed = new Promise<number>((r) => sub.on('subscribe', r));
    expect(await subscribed).toBe(1);
    const payloads = [FORGE, 'a\rb\nc\r\nd\x00e', 'plain, with commas', JSON.stringify({ k: 'v\nw' })];
    for (const p of payloads) expect(await rest(['PUBLISH', 'up-news', p])).toEqual({ result: 1 });
    while (got.length < payloads.length) await new Promise<void>((r) => (wake = r));
    // Its automatic deserialization turns the JSON-escaped forms back into the text published;
    // the last payload is JSON, so it arrives as the object.
    expect(got).toEqual([
      { channel: 'up-news', message: FORGE },
      { channel: 'up-news', message: 'a\rb\nc\r\nd\x00e' },
      { channel: 'up-news', message: 'plain, with commas' },
      { channel: 'up-news', message: { k: 'v\nw' } },
    ]);
    expect(other).toEqual([]);
    await sub.unsubscribe();
  });
});
