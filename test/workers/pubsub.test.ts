// Pub/sub through the real Worker and hub Durable Object: a WebSocket subscriber receives what a
// REST client publishes, an SSE /subscribe stream receives its lines, keyspace notifications
// reach a subscriber after CONFIG SET notify-keyspace-events KEA.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const worker = (exports as unknown as { default: Fetcher }).default;
const H = { Authorization: 'Bearer test-token' };

const enc = (argv: string[]) => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

async function connect() {
  const res = await worker.fetch('http://kf/resp', { headers: { Upgrade: 'websocket', ...H } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  let buf = '';
  const waiters: Array<() => void> = [];
  ws.addEventListener('message', async (ev) => {
    const d = ev.data as ArrayBuffer | string | Blob;
    const bytes = typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d instanceof Blob ? await d.arrayBuffer() : d);
    buf += String.fromCharCode(...bytes);
    waiters.splice(0).forEach((w) => w());
  });
  return {
    ws,
    send(...cmds: string[][]) {
      ws.send(Uint8Array.from(cmds.map(enc).join(''), (c) => c.charCodeAt(0)));
    },
    /** Wait until `want` bytes have arrived (or fail after 5 s). */
    async read(want: string): Promise<string> {
      const deadline = Date.now() + 5000;
      while (buf.length < want.length && Date.now() < deadline) {
        await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 100))]);
      }
      const out = buf.slice(0, want.length);
      buf = buf.slice(want.length);
      return out;
    },
  };
}

const rest = (argv: string[]) =>
  worker.fetch('http://kf/', { method: 'POST', headers: { ...H, 'content-type': 'application/json' }, body: JSON.stringify(argv) }).then((r) => r.json());

describe('pub/sub through the Worker and the hub', () => {
  it('a WebSocket subscriber receives messages published over REST (command and /publish path forms)', async () => {
    const sub = await connect();
    sub.send(['SUBSCRIBE', 'ws-news'], ['PSUBSCRIBE', 'ws-*']);
    expect(await sub.read('*3\r\n$9\r\nsubscribe\r\n$7\r\nws-news\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$4\r\nws-*\r\n:2\r\n')).toBe(
      '*3\r\n$9\r\nsubscribe\r\n$7\r\nws-news\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$4\r\nws-*\r\n:2\r\n',
    );
    expect(await rest(['PUBLISH', 'ws-news', 'hello'])).toEqual({ result: 2 });
    const msg = '*3\r\n$7\r\nmessage\r\n$7\r\nws-news\r\n$5\r\nhello\r\n*4\r\n$8\r\npmessage\r\n$4\r\nws-*\r\n$7\r\nws-news\r\n$5\r\nhello\r\n';
    expect(await sub.read(msg)).toBe(msg);
    expect(await (await worker.fetch('http://kf/publish/ws-other/hi', { headers: H })).json()).toEqual({ result: 1 });
    const p = '*4\r\n$8\r\npmessage\r\n$4\r\nws-*\r\n$8\r\nws-other\r\n$2\r\nhi\r\n';
    expect(await sub.read(p)).toBe(p);
    expect(await rest(['PUBSUB', 'NUMSUB', 'ws-news'])).toEqual({ result: ['ws-news', 1] });
    // Subscribed mode refuses other commands (RESP2).
    sub.send(['GET', 'x']);
    const e = "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n";
    expect(await sub.read(e)).toBe(e);
    sub.send(['UNSUBSCRIBE', 'ws-news']);
    await sub.read('*3\r\n$11\r\nunsubscribe\r\n$7\r\nws-news\r\n:1\r\n');
    expect(await rest(['PUBLISH', 'ws-news', 'x'])).toEqual({ result: 1 });
    sub.ws.close();
  });

  it('a RESP3 subscriber gets push frames, from a publisher on another WebSocket', async () => {
    const sub = await connect();
    const pub = await connect();
    sub.send(['HELLO', '3']);
    await sub.read('%');
    await new Promise((r) => setTimeout(r, 50));
    sub.send(['SSUBSCRIBE', 'sh-ch']);
    // Skip the rest of HELLO's map, then the confirmation push.
    const conf = '>3\r\n$10\r\nssubscribe\r\n$5\r\nsh-ch\r\n:1\r\n';
    let seen = '';
    for (let i = 0; i < 1000 && !seen.endsWith(conf); i++) seen += await sub.read('x');
    expect(seen.endsWith(conf)).toBe(true);
    pub.send(['SPUBLISH', 'sh-ch', 'bytes']);
    expect(await pub.read(':1\r\n')).toBe(':1\r\n');
    const m = '>3\r\n$8\r\nsmessage\r\n$5\r\nsh-ch\r\n$5\r\nbytes\r\n';
    expect(await sub.read(m)).toBe(m);
    sub.ws.close();
    pub.ws.close();
  });

  it('an SSE /subscribe stream receives subscribe and message lines; /psubscribe pmessage lines', async () => {
    const ac = new AbortController();
    const res = await worker.fetch('http://kf/subscribe/sse-ch', { headers: H, signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const pres = await worker.fetch('http://kf/psubscribe/sse-*', { headers: H });
    const reader = res.body!.getReader();
    const preader = pres.body!.getReader();
    const dec = new TextDecoder();
    const lines = async (r: ReadableStreamDefaultReader<Uint8Array>, n: number) => {
      let text = '';
      while (text.split('\n\n').length - 1 < n) {
        const { value, done } = await r.read();
        if (done) break;
        text += dec.decode(value);
      }
      return text.split('\n\n').filter(Boolean);
    };
    expect(await lines(reader, 1)).toEqual(['data: subscribe,sse-ch,1']);
    expect(await lines(preader, 1)).toEqual(['data: psubscribe,sse-*,1']);
    expect(await rest(['PUBLISH', 'sse-ch', 'héllo, world'])).toEqual({ result: 2 });
    expect(await lines(reader, 1)).toEqual(['data: message,sse-ch,héllo, world']);
    expect(await lines(preader, 1)).toEqual(['data: pmessage,sse-*,sse-ch,héllo, world']);
    await reader.cancel();
    await preader.cancel();
  });

  it('keyspace notifications reach a subscriber after CONFIG SET notify-keyspace-events KEA', async () => {
    const sub = await connect();
    sub.send(['PSUBSCRIBE', '__keyevent@0__:*']);
    const conf = '*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n';
    expect(await sub.read(conf)).toBe(conf);
    expect(await rest(['SET', 'kn-before', 'v'])).toEqual({ result: 'OK' });
    expect(await rest(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'])).toEqual({ result: 'OK' });
    expect(await rest(['SET', 'kn-key', 'v'])).toEqual({ result: 'OK' });
    expect(await rest(['LPUSH', 'kn-list', 'a'])).toEqual({ result: 1 });
    expect(await rest(['DEL', 'kn-list'])).toEqual({ result: 1 });
    const ev = (event: string, key: string) => {
      const ch = `__keyevent@0__:${event}`;
      return `*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$${ch.length}\r\n${ch}\r\n$${key.length}\r\n${key}\r\n`;
    };
    const want = ev('set', 'kn-key') + ev('lpush', 'kn-list') + ev('del', 'kn-list');
    expect(await sub.read(want)).toBe(want);
    expect(await rest(['CONFIG', 'SET', 'notify-keyspace-events', ''])).toEqual({ result: 'OK' });
    sub.ws.close();
  });
});
