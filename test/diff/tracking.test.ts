// CLIENT TRACKING against real Redis: the invalidation pushes a tracking connection receives
// (RESP3 pushes; RESP2 messages on a REDIRECT target subscribed to __redis__:invalidate), NOLOOP,
// FLUSHALL's null invalidation, and keys forgotten once invalidated. Two connections per side.
import { describe, expect, it } from 'vitest';
import { useTwoSided, same, sameReceived } from '../helpers/two-sided.js';

/** Two-sided connections: real Redis (one-node cluster) and keyflare in-process. */
const Conn = useTwoSided();

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
