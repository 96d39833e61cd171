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

const invalKeys = (...ks: string[]) => `>2\r\n$10\r\ninvalidate\r\n*${ks.length}\r\n${ks.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

describe('CLIENT TRACKING modes: BCAST, OPTIN, OPTOUT, broken REDIRECT', () => {
  it('BCAST: one message per prefix with every key a write changed; NOLOOP; prefixes add up and must not overlap', async () => {
    const a = await Conn.open(3);
    const b = await Conn.open(2);
    await same(a, [['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x:', 'PREFIX', 'x:y'], ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foo', 'PREFIX', 'fo'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'], ['CLIENT', 'TRACKING', 'on', 'PREFIX', 'p:'], ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a'], ['CLIENT', 'TRACKING', 'on'], ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c:'], ['CLIENT', 'TRACKINGINFO']]);
    await same(b, [['MSET', 'a:1{t}', '1', 'a:2{t}', '2', 'b:1{t}', '3', 'z{t}', '4']]);
    expect(await sameReceived(a)).toEqual([invalKeys('a:1{t}', 'a:2{t}'), invalKeys('b:1{t}'), '+PONG\r\n']);
    await same(b, [['INCR', 'c:9'], ['SET', 'd:1', 'x']]);
    expect(await sameReceived(a)).toEqual([invalKeys('c:9'), '+PONG\r\n']);
    // NOLOOP: the client's own writes are not reported, another's are.
    await same(a, [['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP'], ['CLIENT', 'TRACKINGINFO'], ['SET', 'own', '1']]);
    await same(b, [['SET', 'other', '1']]);
    expect(await sameReceived(a)).toEqual([invalKeys('other'), '+PONG\r\n']);
    await same(a, [['CLIENT', 'TRACKING', 'off']]);
  });

  it('OPTIN tracks after CLIENT CACHING yes only, OPTOUT all but after CLIENT CACHING no; one command each', async () => {
    const a = await Conn.open(3);
    const b = await Conn.open(2);
    await same(a, [['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'], ['CLIENT', 'TRACKING', 'on', 'OPTIN'], ['CLIENT', 'CACHING', 'no'], ['CLIENT', 'CACHING', 'maybe'],
      ['CLIENT', 'TRACKING', 'on', 'OPTOUT'], ['GET', 'i1'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'i2'], ['GET', 'i3']]);
    await same(b, [['SET', 'i1', '1'], ['SET', 'i2', '1'], ['SET', 'i3', '1']]);
    expect(await sameReceived(a)).toEqual([inval('i2'), '+PONG\r\n']);
    await same(a, [['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKING', 'on', 'OPTOUT'], ['GET', 'o1'], ['CLIENT', 'CACHING', 'no'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'o2'], ['GET', 'o3']]);
    await same(b, [['SET', 'o1', '1'], ['SET', 'o2', '1'], ['SET', 'o3', '1']]);
    expect(await sameReceived(a)).toEqual([inval('o1'), inval('o3'), '+PONG\r\n']);
    await same(a, [['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'GETREDIR'], ['CLIENT', 'TRACKING', 'on'], ['CLIENT', 'GETREDIR'], ['CLIENT', 'TRACKING', 'off']]);
  });

  it('REDIRECT to a client that left: RESP3 readers get tracking-redir-broken, TRACKINGINFO says broken_redirect', async () => {
    const target = await Conn.open(3);
    const reader = await Conn.open(3);
    const w = await Conn.open(2);
    const tid = await target.id();
    await reader.cmd(['CLIENT', 'TRACKING', 'on', 'REDIRECT', tid.kf], ['CLIENT', 'TRACKING', 'on', 'REDIRECT', tid.redis]);
    await same(reader, [['GET', 'rb']]);
    await same(w, [['SET', 'rb', '1']]);
    expect(await same(target, [['PING']])).toEqual([inval('rb'), '+PONG\r\n']);
    await same(reader, [['GET', 'rb']]);
    target.close();
    await target.kf.close();
    await new Promise((r) => setTimeout(r, 100)); // Redis frees the client as the socket closes
    await same(w, [['SET', 'rb', '2']]);
    const got = await reader.cmd(['CLIENT', 'TRACKINGINFO']);
    const norm = (fs: string[]) => fs.map((f) => f.replace(`:${tid.kf}\r\n`, ':ID\r\n').replace(`:${tid.redis}\r\n`, ':ID\r\n'));
    expect(norm(got.kf)).toEqual(norm(got.redis));
    expect(norm(got.kf)[0]).toBe('>2\r\n$21\r\ntracking-redir-broken\r\n:ID\r\n');
    await same(reader, [['CLIENT', 'TRACKING', 'off']]);
  });

  it('the internal channels invalidations travel on are neither listed nor matched by patterns', async () => {
    const a = await Conn.open(3);
    const p = await Conn.open(2);
    const w = await Conn.open(2);
    await same(p, [['PSUBSCRIBE', '__keyflare*']]);
    await same(a, [['CLIENT', 'TRACKING', 'on'], ['GET', 'ic'], ['PUBSUB', 'CHANNELS', '__keyflare*']]);
    await same(w, [['SET', 'ic', '1']]);
    expect(await sameReceived(a)).toEqual([inval('ic'), '+PONG\r\n']);
    await same(p, [['PUNSUBSCRIBE']]);
    await same(a, [['CLIENT', 'TRACKING', 'off']]);
  });
});
