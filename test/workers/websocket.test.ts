// RESP over WebSocket inside the Workers runtime: pipelining, split frames, RESP3, auth.
import { exports } from 'cloudflare:workers';

// The Worker's default export (typed loosely: the generated Exports type does not name it).
const worker = (exports as unknown as { default: Fetcher }).default;
import { describe, expect, it } from 'vitest';

async function connect(headers: Record<string, string> = { Authorization: 'Bearer test-token' }) {
  const res = await worker.fetch('http://kf/resp', { headers: { Upgrade: 'websocket', ...headers } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  let buf = '';
  const waiters: Array<() => void> = [];
  let chain = Promise.resolve();
  ws.addEventListener('message', (ev) => {
    const d = ev.data as ArrayBuffer | string | Blob;
    // Blobs are read asynchronously: keep arrival order with a chain (and return nothing).
    chain = chain.then(async () => {
      const bytes = typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d instanceof Blob ? await d.arrayBuffer() : d);
      buf += String.fromCharCode(...bytes);
      waiters.splice(0).forEach((w) => w());
    });
  });
  return {
    ws,
    send(s: string) {
      ws.send(Uint8Array.from(s, (c) => c.charCodeAt(0)));
    },
    async read(n: number): Promise<string> {
      while (buf.length < n) await new Promise<void>((r) => waiters.push(r));
      const out = buf.slice(0, n);
      buf = buf.slice(n);
      return out;
    },
  };
}

describe('RESP over WebSocket', () => {
  it('answers pipelined commands in order, even when split across messages', async () => {
    const c = await connect();
    c.send('*3\r\n$3\r\nSET\r\n$2\r\nws\r\n$5\r\nhello\r\n*2\r\n$3\r\nGE');
    c.send('T\r\n$2\r\nws\r\nPING\r\n');
    expect(await c.read(5 + 11 + 7)).toBe('+OK\r\n$5\r\nhello\r\n+PONG\r\n');
    c.ws.close();
  });

  it('switches to RESP3 with HELLO 3', async () => {
    const c = await connect();
    c.send('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n');
    const hello = await c.read(1);
    expect(hello).toBe('%');
    c.ws.close();
  });

  it('requires AUTH without a token, and accepts the token as password', async () => {
    const c = await connect({});
    c.send('*2\r\n$3\r\nGET\r\n$1\r\nx\r\n');
    expect(await c.read(32)).toBe('-NOAUTH Authentication required.');
    await c.read(2);
    c.send('*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n');
    const wrong = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
    expect(await c.read(wrong.length)).toBe(wrong);
    c.send('*2\r\n$4\r\nAUTH\r\n$10\r\ntest-token\r\n*1\r\n$4\r\nPING\r\n');
    expect(await c.read(12)).toBe('+OK\r\n+PONG\r\n');
    c.ws.close();
  });

  it('refuses a wrong token on the upgrade', async () => {
    const res = await worker.fetch('http://kf/resp', { headers: { Upgrade: 'websocket', Authorization: 'Bearer bad' } });
    expect(res.status).toBe(401);
  });

  it('answers a protocol error with Redis text and closes', async () => {
    const c = await connect();
    const closed = new Promise<void>((r) => c.ws.addEventListener('close', () => r()));
    c.send('*1\r\n$abc\r\n');
    const e = '-ERR Protocol error: invalid bulk length\r\n';
    expect(await c.read(e.length)).toBe(e);
    await closed;
  });
});
