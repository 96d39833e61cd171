// RESP over WebSocket inside the Workers runtime: pipelining, split frames, RESP3, auth.
import { describe, expect, it } from 'vitest';
import { openResp as connect, worker } from './ws-client.js';

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
