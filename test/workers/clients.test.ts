// Client management across real WebSockets inside workerd: CLIENT KILL closes another socket,
// MONITOR streams another connection's commands, CLIENT LIST sees both (through the registry DO).
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const worker = (exports as unknown as { default: Fetcher }).default;

async function connect() {
  const res = await worker.fetch('http://kf/resp', { headers: { Upgrade: 'websocket', Authorization: 'Bearer test-token' } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  let buf = '';
  let closed = false;
  const waiters: Array<() => void> = [];
  let chain = Promise.resolve();
  ws.addEventListener('message', (ev) => {
    const d = ev.data as ArrayBuffer | string | Blob;
    chain = chain.then(async () => {
      const bytes = typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d instanceof Blob ? await d.arrayBuffer() : d);
      buf += String.fromCharCode(...bytes);
      waiters.splice(0).forEach((w) => w());
    });
  });
  ws.addEventListener('close', () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  const enc = (a: string[]) => `*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join('');
  return {
    ws,
    get closed() {
      return closed;
    },
    send(...argv: string[]) {
      ws.send(Uint8Array.from(enc(argv), (c) => c.charCodeAt(0)));
    },
    /** Wait until the buffer holds `re`; return and consume up to the end of the match. */
    async until(re: RegExp, ms = 5000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const m = re.exec(buf);
        if (m) {
          const out = buf.slice(0, m.index + m[0].length);
          buf = buf.slice(m.index + m[0].length);
          return out;
        }
        if (closed || Date.now() > end) throw new Error(`timed out waiting for ${re} in ${JSON.stringify(buf)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    async closedSoon(ms = 5000) {
      const end = Date.now() + ms;
      while (!closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return closed;
    },
  };
}

describe('client management over WebSockets', () => {
  it('CLIENT LIST shows both connections and CLIENT KILL ID closes the other socket', async () => {
    const a = await connect();
    const b = await connect();
    b.send('CLIENT', 'ID');
    const bid = /:(\d+)\r\n/.exec(await b.until(/:\d+\r\n/))![1]!;
    a.send('CLIENT', 'LIST');
    const list = await a.until(/\$\d+\r\n(?:[^\r]*\n)+\r\n/);
    expect(list).toContain(`id=${bid} `);
    a.send('CLIENT', 'KILL', 'ID', bid);
    expect(await a.until(/:\d+\r\n/)).toBe(':1\r\n');
    expect(await b.closedSoon()).toBe(true);
    a.ws.close();
  });

  it('MONITOR receives the other connection’s commands', async () => {
    const m = await connect();
    const c = await connect();
    m.send('MONITOR');
    expect(await m.until(/\+OK\r\n/)).toBe('+OK\r\n');
    // The registry tells other connections that a monitor exists: retry until the line arrives.
    let line = '';
    for (let i = 0; i < 50 && !line; i++) {
      c.send('SET', 'mon-key', `v${i}`);
      await c.until(/\+OK\r\n/);
      line = await m.until(/\+\d+\.\d{6} \[0 [^\]]+\] "SET" "mon-key" "v\d+"\r\n/, 100).catch(() => '');
    }
    expect(line).toMatch(/"SET" "mon-key"/);
    m.ws.close();
    c.ws.close();
  });

  it('SLOWLOG: the registry DO keeps entries from every connection; settings reach connections opened later', async () => {
    const a = await connect();
    a.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    expect(await a.until(/\+OK\r\n/)).toBe('+OK\r\n');
    a.send('SLOWLOG', 'RESET');
    await a.until(/\+OK\r\n/);
    // b opens after the change: it hears the threshold from the registry when its link opens.
    const b = await connect();
    b.send('CLIENT', 'SETNAME', 'slow-b');
    await b.until(/\+OK\r\n/);
    let seen = '';
    for (let i = 0; i < 50 && !seen; i++) {
      b.send('SET', 'slow-key', 'A'.repeat(130));
      await b.until(/\+OK\r\n/);
      a.send('SLOWLOG', 'GET', '-1');
      const r = await a.until(/\r\n(?:\$-1|\$\d+\r\n[^\r]*)\r\n\r?\n?$/, 2000).catch(() => '');
      if (r.includes('slow-b')) seen = r;
      else await new Promise((res) => setTimeout(res, 20));
    }
    expect(seen).toContain('$8\r\nslow-key\r\n');
    expect(seen).toContain(`${'A'.repeat(128)}... (2 more bytes)`);
    expect(seen).toContain('$6\r\nslow-b\r\n');
    a.send('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await a.until(/\+OK\r\n/);
    a.ws.close();
    b.ws.close();
  });
});
