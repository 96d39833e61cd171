// Benchmark floors, served only when KEYFLARE_BENCH=1: a RESP WebSocket that decodes commands and
// answers +OK without touching a shard, and an empty REST route. They measure the platform's cost.
import { RespDecoder } from '../protocol/resp-decode.js';
import { WorkerBackend, type Env } from './env.js';

const OK = new TextEncoder().encode('+OK\r\n');

export function acceptEcho(): Response {
  const pair = new WebSocketPair();
  const ws = pair[1];
  ws.accept();
  const decoder = new RespDecoder();
  let busy: Promise<void> = Promise.resolve();
  ws.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as string | ArrayBuffer | Blob;
    busy = busy.then(async () => {
      if (typeof data === 'string') decoder.push(new TextEncoder().encode(data));
      else if (data instanceof ArrayBuffer) decoder.push(new Uint8Array(data));
      else decoder.push(new Uint8Array(await data.arrayBuffer()));
      let n = 0;
      for (let c = decoder.next(); c !== null && Array.isArray(c); c = decoder.next()) n++;
      if (n === 0) return;
      const out = new Uint8Array(OK.length * n);
      for (let i = 0; i < n; i++) out.set(OK, i * OK.length);
      ws.send(out);
    });
  });
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** Time `n` sequential one-command RPCs to shard 0 (GET and PING), and `n` in parallel. */
export async function rpcFloor(env: Env, n: number): Promise<Record<string, number>> {
  const b = new WorkerBackend(env, 'bench');
  await b.exec(0, [['GET', 'x']], 2);
  const out: Record<string, number> = {};
  let t = Date.now();
  for (let i = 0; i < n; i++) await b.exec(0, [['GET', 'x']], 2);
  out.sequentialGetUs = ((Date.now() - t) * 1000) / n;
  t = Date.now();
  await Promise.all(Array.from({ length: n }, () => b.exec(0, [['GET', 'x']], 2)));
  out.parallelGetUs = ((Date.now() - t) * 1000) / n;
  t = Date.now();
  await b.exec(0, Array.from({ length: n }, () => ['GET', 'x']), 2);
  out.batchedGetUs = ((Date.now() - t) * 1000) / n;
  return out;
}
