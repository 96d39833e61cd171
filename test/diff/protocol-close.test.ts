// A connection the server closes after a protocol error must be closed for good, against real
// Redis: a client that keeps writing (and does not close its own side, as Redis's Tcl suite does)
// soon fails, after reading the -ERR Protocol error line. keyflare's side is the TCP bridge
// (bin/keyflare.mjs) in front of a WebSocket end that answers as src/worker/ws.ts does.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { freePort, startRedis, type RedisProc } from '../helpers/redis-server.js';

let redis: RedisProc;
let wss: WebSocketServer;
let bridge: { close(): void } | undefined;
let bridgePort = 0;

beforeAll(async () => {
  redis = await startRedis();
  const wsPort = await freePort();
  wss = new WebSocketServer({ port: wsPort, host: '127.0.0.1' });
  // As ws.ts on a decoder failure: the error reply, then close 1002.
  wss.on('connection', (ws) => {
    ws.once('message', () => {
      ws.send(Buffer.from("-ERR Protocol error: expected '$', got '\\x00'\r\n"));
      ws.close(1002, 'protocol error');
    });
  });
  // @ts-expect-error -- plain JS module
  const { startBridge } = await import('../../bin/keyflare.mjs');
  bridgePort = await freePort();
  bridge = await startBridge({ port: bridgePort, url: `ws://127.0.0.1:${wsPort}/resp`, token: '', quiet: true });
}, 30_000);

afterAll(async () => {
  bridge?.close();
  wss?.close();
  await redis?.stop();
});

/** Write a desync byte then keep writing; resolves with what was read once the connection fails. */
function desync(port: number): Promise<{ closed: boolean; got: string }> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearInterval(t);
      clearTimeout(limit);
      s.destroy();
      resolve({ closed, got });
    };
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.write('*\x00');
    const t = setInterval(() => s.write('A'.repeat(1024) + '\n'), 5);
    const limit = setTimeout(() => finish(false), 5000);
  });
}

describe('protocol error closes the connection', () => {
  it('a client that keeps writing after the error fails within seconds, having read the error', async () => {
    const [r, k] = await Promise.all([desync(redis.port), desync(bridgePort)]);
    expect(r.closed).toBe(true);
    expect(r.got).toMatch(/^-ERR Protocol error/);
    expect(k.closed).toBe(true);
    expect(k.got).toMatch(/^-ERR Protocol error/);
  }, 20_000);
});
