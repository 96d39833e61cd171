// Benchmark floors, served only when KEYFLARE_BENCH=1 and to a valid token: a RESP WebSocket that
// decodes commands and answers +OK without touching a shard, an empty REST route, and an RPC
// loop. They measure the platform's cost; their inputs are bounded so a floor cannot exhaust an
// isolate (an unbounded `n` once took the Worker to 7 GB).
import { RespDecoder } from '../protocol/resp-decode.js';
import { WorkerBackend, type Env } from './env.js';

const OK = new TextEncoder().encode('+OK\r\n');

export function acceptEcho(): Response {
  const pair = new WebSocketPair();
  const ws = pair[1];
  ws.accept();
  const decoder = new RespDecoder();
  // Benchmarks send small values: a bulk this large is not one, and would only be buffered.
  decoder.maxBulkLen = ECHO_MAX_BULK;
  let busy: Promise<void> = Promise.resolve();
  ws.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as string | ArrayBuffer | Blob;
    busy = busy.then(async () => {
      if (typeof data === 'string') decoder.push(new TextEncoder().encode(data));
      else if (data instanceof ArrayBuffer) decoder.push(new Uint8Array(data));
      else decoder.push(new Uint8Array(await data.arrayBuffer()));
      let n = 0;
      let bad = false;
      for (let c = decoder.next(); c !== null; c = decoder.next()) {
        if (!Array.isArray(c)) {
          bad = true;
          break;
        }
        n++;
      }
      if (bad) return ws.close(1002, 'protocol error');
      if (n === 0) return;
      const out = new Uint8Array(OK.length * n);
      for (let i = 0; i < n; i++) out.set(OK, i * OK.length);
      ws.send(out);
    });
  });
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** The echo floor's largest bulk string. */
export const ECHO_MAX_BULK = 1024 * 1024;
/**
 * The RPC floor's largest `n`: n calls run at once and one batch holds n commands, so memory
 * grows with n (~2 KB per call in flight); 10,000 keeps it to tens of MB and still averages.
 */
export const RPC_MAX_N = 10_000;

/** `?n=` of the RPC floor (default 1000), or the error to answer. */
export function rpcCount(q: string | undefined): number | string {
  const n = q === undefined ? 1000 : Number(q);
  if (!Number.isInteger(n) || n < 1 || n > RPC_MAX_N || !/^\d+$/.test(q ?? '1000')) return `ERR n must be an integer from 1 to ${RPC_MAX_N}`;
  return n;
}

/** Time `n` sequential one-command RPCs to shard 0 (GET), `n` in parallel, and one batch of `n`. */
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
