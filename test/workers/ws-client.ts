// A RESP-over-WebSocket test client for the Workers-runtime tests: raw sends, byte reads, and
// whole-reply commands (parsed with the protocol layer's reply parser).
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { fromBytes } from '../../src/protocol/bytes.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { parseReply } from '../../src/protocol/resp-reply.js';

/** The Worker's default export (typed loosely: the generated Exports type does not name it). */
export const worker = (exports as unknown as { default: Fetcher }).default;

export async function openResp(headers: Record<string, string> = { Authorization: 'Bearer test-token' }) {
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
      buf += fromBytes(bytes); // not a spread: a frame may hold more bytes than the stack has slots
      waiters.splice(0).forEach((w) => w());
    });
  });
  const more = () => new Promise<void>((r) => waiters.push(r));
  const reply = async (): Promise<string> => {
    for (;;) {
      const r = buf.length ? parseReply(buf, 0) : null;
      if (r) {
        const out = buf.slice(0, r.end - 2);
        buf = buf.slice(r.end);
        return out;
      }
      await more();
    }
  };
  return {
    ws,
    send(s: string) {
      ws.send(Uint8Array.from(s, (c) => c.charCodeAt(0)));
    },
    /** Exactly `n` bytes of what the server wrote. */
    async read(n: number): Promise<string> {
      while (buf.length < n) await more();
      const out = buf.slice(0, n);
      buf = buf.slice(n);
      return out;
    },
    /** The next whole reply (or push), without its final CRLF. */
    reply,
    /** Send one command; its whole reply without the final CRLF. */
    async cmd(...argv: string[]): Promise<string> {
      ws.send(Uint8Array.from(encodeCommand(argv), (c) => c.charCodeAt(0)));
      return reply();
    },
  };
}
