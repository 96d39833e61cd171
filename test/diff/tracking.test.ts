// CLIENT TRACKING against real Redis: the invalidation pushes a tracking connection receives
// (RESP3 pushes; RESP2 messages on a REDIRECT target subscribed to __redis__:invalidate), NOLOOP,
// FLUSHALL's null invalidation, and keys forgotten once invalidated. Two connections per side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { expandReplies, setPushSink } from '../../src/server/pubsub.js';
import { encodeCommand, encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import type { Frame } from '../../src/protocol/frame.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';

let redis: RedisProc;
let backend: LocalBackend;
const open: Conn[] = [];

beforeAll(async () => {
  redis = await startRedis({ cluster: true });
  backend = new LocalBackend(4);
}, 30_000);
afterAll(async () => {
  for (const c of open) c.close();
  await redis?.stop();
});

/** One connection on each side: a raw TCP client to Redis and a keyflare session with a push sink. */
class Conn {
  pushes: Frame[] = [];
  private constructor(
    readonly rc: RawClient,
    readonly kf: Session,
    readonly proto: Proto,
  ) {
    setPushSink(kf, (f) => this.pushes.push(f));
  }

  static async open(proto: Proto = 2): Promise<Conn> {
    const c = new Conn(await RawClient.connect(redis.port), backend.session(), proto);
    open.push(c);
    if (proto === 3) await c.cmd(['HELLO', '3']);
    return c;
  }

  /** One command, possibly different per side; every frame each side wrote (pushes first). */
  async cmd(argv: string[], redisArgv = argv): Promise<{ redis: string[]; kf: string[] }> {
    const replies = expandReplies(await this.kf.run([argv]));
    const kf = [...this.pushes.splice(0), ...replies].map((f) => encodeStr(f, this.proto));
    const r = await this.rc.raw(encodeCommand(redisArgv), kf.length);
    return { redis: r, kf };
  }

  /** Frames received since the last look, with a PING after them so Redis's side is complete. */
  async received(): Promise<{ redis: string[]; kf: string[] }> {
    return this.cmd(['PING']);
  }

  async id(): Promise<{ redis: string; kf: string }> {
    const { redis: r } = await this.cmd(['CLIENT', 'ID']);
    return { redis: r[0]!.slice(1, -2), kf: String(this.kf.session.id) };
  }

  close(): void {
    this.rc.close();
  }
}

async function same(c: Conn, script: string[][]): Promise<string[]> {
  const diffs: string[] = [];
  const all: string[] = [];
  for (const argv of script) {
    const { redis: r, kf } = await c.cmd(argv);
    all.push(...kf);
    if (JSON.stringify(r) !== JSON.stringify(kf)) diffs.push(`RESP${c.proto} ${JSON.stringify(argv)}\n  redis: ${JSON.stringify(r)}\n  kf:    ${JSON.stringify(kf)}`);
  }
  expect(diffs.join('\n')).toBe('');
  return all;
}

async function sameReceived(c: Conn): Promise<string[]> {
  const { redis: r, kf } = await c.received();
  expect(kf).toEqual(r);
  return kf;
}

const inval = (k: string) => `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${k.length}\r\n${k}\r\n`;

describe('CLIENT TRACKING invalidations', () => {
  it('RESP3: writes by another client push one invalidate per key read; then the key is forgotten', async () => {
    const a = await Conn.open(3);
    const b = await Conn.open(2);
    await same(b, [['FLUSHALL']]);
    await sameReceived(a); // the null invalidation only goes to tracking clients: none yet
    await same(a, [['CLIENT', 'TRACKING', 'on'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'k'], ['MGET', '{t}a', '{t}b', '{t}c'], ['HGET', 'h', 'f']]);
    await same(b, [['SET', 'k', '1'], ['DEL', '{t}a', '{t}b'], ['MSET', '{t}b', '1', '{t}c', '2'], ['HSET', 'h', 'g', '1']]);
    expect(await sameReceived(a)).toEqual([inval('k'), inval('{t}b'), inval('{t}c'), inval('h'), '+PONG\r\n']);
    await same(b, [['SET', 'k', '2'], ['HSET', 'h', 'g', '2']]);
    expect(await sameReceived(a)).toEqual(['+PONG\r\n']);
    await same(a, [['GET', 'k']]);
    await same(b, [['INCR', 'nope'], ['APPEND', 'k', 'x']]);
    expect(await sameReceived(a)).toEqual([inval('k'), '+PONG\r\n']);
  });

  it('NOLOOP: own writes are silent and forget the key; FLUSHALL pushes a null invalidation', async () => {
    const a = await Conn.open(3);
    const b = await Conn.open(2);
    await same(b, [['DEL', 'n']]);
    await same(a, [['CLIENT', 'TRACKING', 'on', 'noloop'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'n'], ['SET', 'n', '1'], ['PING']]);
    await same(b, [['SET', 'n', '2']]);
    expect(await sameReceived(a)).toEqual(['+PONG\r\n']);
    await same(a, [['GET', 'n']]);
    await same(b, [['FLUSHALL']]);
    expect(await sameReceived(a)).toEqual(['>2\r\n$10\r\ninvalidate\r\n_\r\n', '+PONG\r\n']);
    await same(b, [['SET', 'n', '3']]);
    expect(await sameReceived(a)).toEqual(['+PONG\r\n']);
    await same(a, [['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKINGINFO']]);
  });

  it('RESP2: REDIRECT to a client subscribed to __redis__:invalidate; without REDIRECT nothing arrives', async () => {
    const target = await Conn.open(2);
    const reader = await Conn.open(2);
    const self = await Conn.open(2);
    const w = await Conn.open(2);
    const tid = await target.id();
    await same(target, [['SUBSCRIBE', '__redis__:invalidate']]);
    const r = await reader.cmd(['CLIENT', 'TRACKING', 'on', 'REDIRECT', tid.kf], ['CLIENT', 'TRACKING', 'on', 'REDIRECT', tid.redis]);
    expect(r.kf).toEqual(r.redis);
    await same(reader, [['GET', 'r']]);
    await same(self, [['CLIENT', 'TRACKING', 'on'], ['GET', 'r']]);
    await same(w, [['SET', 'r', '1'], ['FLUSHDB']]);
    expect(await same(target, [['PING']])).toHaveLength(3); // the message, the null one, then PING's reply
    await same(self, [['PING']]);
  });
});
