// Client management across two in-process connections (LocalBackend's registry): LIST, KILL,
// PAUSE, REPLY, UNBLOCK, MONITOR, and the MONITOR line format compared with real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { monitorLine, pausedByWrite } from '../../src/server/clients.js';
import { findSpec } from '../../src/server/commands/table.js';
import { ManualClock } from '../../src/engine/clock.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';
import type { Frame } from '../../src/protocol/frame.js';

const text = (f: Frame) => (f as { v: string }).v;

describe('client management (in process)', () => {
  it('CLIENT LIST sees every connection; KILL ID / ADDR / SKIPME close the right ones', async () => {
    const b = new LocalBackend();
    const a = b.session();
    const c = b.session();
    c.session.addr = '10.0.0.2:5000';
    const [list] = await a.run([['CLIENT', 'LIST']]);
    expect(text(list!).split('\n').filter(Boolean)).toHaveLength(2);
    expect(text(list!)).toContain(`id=${c.session.id} addr=10.0.0.2:5000`);
    expect(await a.run([['CLIENT', 'KILL', 'ADDR', '10.0.0.2:5000']])).toEqual([{ t: 'int', v: 1 }]);
    expect(c.session.closing).toBe(true);
    const d = b.session();
    expect(await a.run([['CLIENT', 'KILL', 'ID', String(d.session.id)]])).toEqual([{ t: 'int', v: 1 }]);
    expect(d.session.closing).toBe(true);
    // SKIPME yes (default) spares the caller; the old form may kill it.
    expect(await a.run([['CLIENT', 'KILL', 'ID', String(a.session.id)]])).toEqual([{ t: 'int', v: 0 }]);
    expect(a.session.closing).toBe(false);
    expect(await a.run([['CLIENT', 'KILL', a.session.addr], ['PING']])).toEqual([{ t: 'simple', v: 'OK' }]);
    expect(a.session.closing).toBe(true);
  });

  it('CLIENT PAUSE WRITE holds writes but not reads; UNPAUSE releases them', async () => {
    const b = new LocalBackend();
    const a = b.session();
    const c = b.session();
    await a.run([['CLIENT', 'PAUSE', '60000', 'WRITE']]);
    expect(await c.run([['GET', 'k']])).toEqual([{ t: 'nil' }]);
    let done = false;
    const w = c.run([['SET', 'k', 'v']]).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await b.session().run([['CLIENT', 'UNPAUSE']]);
    expect(await w).toEqual([{ t: 'simple', v: 'OK' }]);
  });

  it('CLIENT REPLY OFF / SKIP / ON silence the right replies', async () => {
    const b = new LocalBackend();
    const a = b.session();
    const muted: boolean[] = [];
    await a.run([['CLIENT', 'REPLY', 'SKIP'], ['PING', 'x'], ['PING', 'y'], ['CLIENT', 'REPLY', 'OFF'], ['PING', 'z'], ['CLIENT', 'REPLY', 'ON'], ['PING', 'w']], muted);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => !!muted[i])).toEqual([true, true, false, true, true, false, false]);
  });

  it('CLIENT UNBLOCK ends a BLPOP with its timeout reply or the UNBLOCKED error', async () => {
    const b = new LocalBackend();
    const a = b.session();
    const c = b.session();
    for (const [mode, want] of [['TIMEOUT', { t: 'nilarr' }], ['ERROR', { t: 'err', v: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' }]] as const) {
      const p = c.run([['BLPOP', 'q', '0']]);
      await new Promise((r) => setTimeout(r, 10));
      expect(await a.run([['CLIENT', 'UNBLOCK', String(c.session.id), mode]])).toEqual([{ t: 'int', v: 1 }]);
      expect(await p).toEqual([want]);
    }
    expect(await a.run([['CLIENT', 'UNBLOCK', String(c.session.id)]])).toEqual([{ t: 'int', v: 0 }]);
  });

  it('MONITOR receives the other connection’s commands (not admin ones)', async () => {
    const b = new LocalBackend();
    const m = b.session();
    const c = b.session();
    expect(await m.run([['MONITOR']])).toEqual([{ t: 'simple', v: 'OK' }]);
    await c.run([['SET', 'k', 'a b"\x01'], ['CONFIG', 'GET', 'timeout'], ['GET', 'k']]);
    const lines = b.monitorLines.get(m.session.id)!;
    expect(lines.map((l) => l.replace(/^\d+\.\d{6} /, ''))).toEqual([`[0 ${c.session.addr}] "SET" "k" "a b\\"\\x01"`, `[0 ${c.session.addr}] "GET" "k"`]);
  });

  it('CLIENT NO-TOUCH on: reads leave OBJECT IDLETIME alone; off: they reset it', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const b = new LocalBackend(4, clock);
    const a = b.session();
    await a.run([['SET', 'k', 'v']]);
    clock.advance(20_000);
    expect(await a.run([['CLIENT', 'NO-TOUCH', 'maybe'], ['CLIENT', 'NO-TOUCH', 'on'], ['GET', 'k'], ['OBJECT', 'IDLETIME', 'k']])).toEqual([
      { t: 'err', v: 'ERR syntax error' }, { t: 'simple', v: 'OK' }, { t: 'bulk', v: 'v' }, { t: 'int', v: 20 },
    ]);
    expect(text((await a.run([['CLIENT', 'INFO']]))[0]!)).toMatch(/ flags=T /);
    await a.run([['CLIENT', 'NO-TOUCH', 'off'], ['GET', 'k']]);
    expect(await a.run([['OBJECT', 'IDLETIME', 'k']])).toEqual([{ t: 'int', v: 0 }]);
  });

  it('INFO clients counts the connections', async () => {
    const b = new LocalBackend();
    const a = b.session();
    b.session();
    const [f] = await a.run([['INFO', 'clients']]);
    expect(text(f!)).toContain('connected_clients:2');
  });
});

describe('MONITOR line format', () => {
  let redis: RedisProc;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('quotes arguments as real Redis does', async () => {
    const arg = 'a b"c\\\x01\n\xff';
    const raw = await monitorOnce(redis.port, ['SET', 'k', arg]);
    const ours = monitorLine(0, 0, 'X', ['SET', 'k', arg]);
    expect(ours.slice(ours.indexOf('"'))).toBe(raw.slice(raw.indexOf('"')));
  });
});

async function monitorOnce(port: number, argv: string[]): Promise<string> {
  const net = await import('node:net');
  const enc = (a: string[]) => `*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const m = net.connect(port, '127.0.0.1');
    let buf = '';
    m.setEncoding('latin1');
    m.on('error', reject);
    m.on('data', (d: string) => {
      buf += d;
      if (buf.startsWith('+OK\r\n') && buf.length === 5) {
        const o = net.connect(port, '127.0.0.1', () => o.write(Buffer.from(enc(argv), 'latin1')));
        o.on('data', () => o.end());
      }
      const lines = buf.split('\r\n');
      if (lines.length > 2) {
        m.destroy();
        resolve(lines[1]!.slice(1));
      }
    });
    m.write('MONITOR\r\n');
  });
}

describe('CLIENT PAUSE WRITE: which commands it holds (Redis blockPostponeClient)', () => {
  const spec = (name: string) => findSpec(name)!;
  const held = (argv: string[], queued: string[][] = []) =>
    pausedByWrite(spec(argv[0]!.toLowerCase()), argv, queued.map((q) => ({ spec: spec(q[0]!.toLowerCase()), argv: q })));
  it('writes and may-replicate commands are held; reads and no-writes scripts are not', () => {
    expect(held(['SET', 'k', 'v'])).toBe(true);
    expect(held(['GET', 'k'])).toBe(false);
    expect(held(['PFCOUNT', 'h'])).toBe(true);
    expect(held(['PUBLISH', 'c', 'm'])).toBe(true);
    expect(held(['EVAL', 'return 1', '0'])).toBe(true);
    expect(held(['EVAL', '#!lua\nreturn 1', '0'])).toBe(true);
    expect(held(['EVAL', '#!lua flags=no-writes\nreturn 1', '0'])).toBe(false);
    expect(held(['EVAL_RO', 'return 1', '0'])).toBe(false);
  });
  it('EXEC is held when its queue writes', () => {
    expect(held(['EXEC'], [['GET', 'k'], ['PING']])).toBe(false);
    expect(held(['EXEC'], [['GET', 'k'], ['INCR', 'n']])).toBe(true);
  });
});
