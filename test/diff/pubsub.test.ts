// Pub/sub against real Redis: (P|S)(UN)SUBSCRIBE reply bytes, subscribed-mode rules, PUBLISH
// counts and the messages a second connection receives, PUBSUB introspection, RESP3 pushes, and
// the keyspace notifications each command family fires (seen by a PSUBSCRIBE '__key*__:*' client).
import { describe, expect, it } from 'vitest';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { useTwoSided, same, samePending as sameReceived } from '../helpers/two-sided.js';

/** Two-sided connections: real Redis (one-node cluster) and keyflare in-process. */
const Conn = useTwoSided();

describe('subscribe replies and subscribed mode', () => {
  for (const proto of [2, 3] as Proto[]) {
    it(`(P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE replies and the commands allowed (RESP${proto})`, async () => {
      const c = await Conn.open(proto);
      await same(c, [
        ['UNSUBSCRIBE'],
        ['PUNSUBSCRIBE'],
        ['SUNSUBSCRIBE'],
        ['SUBSCRIBE', 'a', 'b', 'a'],
        ['SUBSCRIBE'],
        ['PSUBSCRIBE', 'p*', 'q?'],
        ['SSUBSCRIBE', 's'],
        ['SSUBSCRIBE', '{t}x', '{t}y'],
        ['SSUBSCRIBE', 'x', 'y'],
        ['GET', 'x'],
        ['SET', 'x'],
        ['CONFIG', 'GET', 'maxmemory'],
        ['NOSUCH'],
        ['PING'],
        ['PING', 'hi'],
        ['PING', 'a', 'b'],
        ['UNSUBSCRIBE', 'a', 'nope'],
        ['UNSUBSCRIBE'],
        ['PUNSUBSCRIBE', 'q?'],
        ['PUNSUBSCRIBE'],
        ['SUNSUBSCRIBE', '{t}x', '{t}y'],
        ['GET', 'x'],
        ['SUNSUBSCRIBE', 's'],
        ['SUNSUBSCRIBE', 'x', 'y'],
        ['PING'],
        ['GET', 'x'],
      ]);
      c.close();
    });
  }

  it('RESET leaves subscribed mode; QUIT is allowed', async () => {
    const c = await Conn.open(2);
    await same(c, [['SUBSCRIBE', 'r1'], ['PSUBSCRIBE', 'r*'], ['GET', 'x'], ['RESET'], ['GET', 'x'], ['PUBSUB', 'NUMSUB', 'r1'], ['PUBSUB', 'NUMPAT'], ['SUBSCRIBE', 'r2'], ['QUIT']]);
    c.close();
  });
});

describe('publish fan-out', () => {
  it('a second connection receives messages, pattern messages and shard messages; counts match', async () => {
    const a = await Conn.open(2);
    const a3 = await Conn.open(3);
    const b = await Conn.open(2);
    await same(a, [['SUBSCRIBE', 'news', 'sport'], ['PSUBSCRIBE', 'n*', 'x?z'], ['SSUBSCRIBE', 'shardch']]);
    await same(a3, [['SUBSCRIBE', 'news'], ['PSUBSCRIBE', '*']]);
    await same(b, [
      ['PUBLISH', 'news', 'hello'],
      ['PUBLISH', 'sport', 'bin\x00\xff'],
      ['PUBLISH', 'xyz', ''],
      ['PUBLISH', 'nobody', 'x'],
      ['SPUBLISH', 'shardch', 'm1'],
      ['SPUBLISH', 'nobody', 'm2'],
      ['PUBSUB', 'NUMSUB', 'news', 'sport', 'nope'],
      ['PUBSUB', 'NUMSUB'],
      ['PUBSUB', 'NUMPAT'],
      ['PUBSUB', 'CHANNELS', 's*'],
      ['PUBSUB', 'CHANNELS', 'nomatch*'],
      ['PUBSUB', 'SHARDCHANNELS'],
      ['PUBSUB', 'SHARDCHANNELS', 'x*'],
      ['PUBSUB', 'SHARDNUMSUB', 'shardch', 'nope'],
    ]);
    const got = await sameReceived(a);
    // news (+n*), sport, xyz (x?z), nobody (n*), shardch.
    expect(got.length).toBe(6);
    expect(await sameReceived(a3)).toHaveLength(5);
    // A connection that left a channel gets nothing more from it.
    await same(a, [['UNSUBSCRIBE', 'news'], ['PUNSUBSCRIBE']]);
    await same(b, [['PUBLISH', 'news', 'again'], ['PUBLISH', 'sport', 'still']]);
    expect(await sameReceived(a)).toHaveLength(1);
    await sameReceived(a3);
    // RESP3: a subscriber may run any command and publish to itself (the push comes before the reply).
    await same(a3, [['SET', 'k', 'v'], ['GET', 'k'], ['PING'], ['PUBLISH', 'news', 'self'], ['UNSUBSCRIBE', 'news'], ['PUNSUBSCRIBE', '*']]);
    await same(a, [['RESET']]);
    await same(b, [['PUBSUB', 'NUMSUB', 'news', 'sport'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'SHARDNUMSUB', 'shardch']]);
    for (const c of [a, a3, b]) c.close();
  });

  it('bad input: arity, unknown subcommands, CROSSSLOT', async () => {
    const c = await Conn.open(2);
    await same(c, [
      ['PUBLISH'],
      ['PUBLISH', 'a'],
      ['SPUBLISH', 'a', 'b', 'c'],
      ['PUBSUB'],
      ['PUBSUB', 'FOO'],
      ['PUBSUB', 'CHANNELS', 'a', 'b'],
      ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
      ['PUBSUB', 'NUMPAT', 'x'],
      ['PUBSUB', 'HELP'],
      ['PSUBSCRIBE'],
      ['SSUBSCRIBE'],
      ['SSUBSCRIBE', 'a', 'b'],
      ['SUNSUBSCRIBE', 'a', 'b'],
    ]);
    c.close();
  });
});

describe('keyspace notifications', () => {
  it('every family fires Redis\'s events (KEA), in order', async () => {
    const sub = await Conn.open(2);
    const w = await Conn.open(2);
    await same(sub, [['PSUBSCRIBE', '__key*__:*'], ['SUBSCRIBE', 'zz-end']]);
    await same(w, [['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events']]);
    const K = (k: string) => `{n}${k}`;
    const script: string[][] = [
      ['SET', K('s'), 'v'], ['SET', K('s'), 'v', 'EX', '100'], ['PERSIST', K('s')], ['SET', K('s'), 'w', 'NX'], ['SETNX', K('s'), 'x'],
      ['APPEND', K('s'), 'x'], ['SETRANGE', K('s'), '1', 'zz'], ['GETSET', K('s'), 'g'], ['GETEX', K('s'), 'EX', '50'], ['GETEX', K('s'), 'PERSIST'],
      ['INCR', K('i')], ['INCRBY', K('i'), '2'], ['DECR', K('i')], ['DECRBY', K('i'), '3'], ['INCRBYFLOAT', K('f'), '1.5'],
      ['SETEX', K('e'), '100', 'v'], ['PSETEX', K('e2'), '100000', 'v'], ['GETDEL', K('e')], ['GETDEL', K('e')],
      ['MSET', K('a'), '1', K('b'), '2'], ['MSETNX', K('a'), '1', K('q'), '2'], ['RENAME', K('a'), K('c')], ['RENAMENX', K('c'), K('b')], ['COPY', K('c'), K('d')],
      ['DEL', K('c'), K('d'), K('zz')], ['UNLINK', K('e2')], ['EXPIRE', K('b'), '100'], ['PEXPIRE', K('b'), '100000'], ['EXPIRE', K('b'), '-1'], ['EXPIRE', K('nokey'), '5'],
      ['SETBIT', K('bit'), '7', '1'], ['BITOP', 'NOT', K('bit2'), K('bit')], ['BITFIELD', K('bit'), 'SET', 'u8', '0', '3'], ['PFADD', K('hll'), 'a'], ['PFADD', K('hll'), 'a'], ['PFMERGE', K('hll2'), K('hll')],
      ['LPUSH', K('l'), 'a', 'b', 'c'], ['RPUSH', K('l'), 'd'], ['LPUSHX', K('nol'), 'x'], ['LPOP', K('l')], ['RPOP', K('l'), '1'], ['LSET', K('l'), '0', 'x'],
      ['LINSERT', K('l'), 'BEFORE', 'x', 'y'], ['LREM', K('l'), '0', 'y'], ['RPUSH', K('l'), 'e', 'f'], ['LTRIM', K('l'), '0', '1'], ['LMOVE', K('l'), K('l2'), 'LEFT', 'RIGHT'],
      ['RPOPLPUSH', K('l2'), K('l')], ['LPOP', K('l'), '5'], ['RPUSH', K('l3'), 'a'], ['LMPOP', '2', K('nol'), K('l3'), 'RIGHT'], ['RPUSH', K('l3'), 'a', 'b'], ['BLPOP', K('l3'), '0'], ['BRPOP', K('l3'), '0'],
      ['HSET', K('h'), 'f', 'v', 'g', 'w'], ['HSETNX', K('h'), 'f', 'x'], ['HSETNX', K('h'), 'n', '1'], ['HINCRBY', K('h'), 'n', '1'], ['HINCRBYFLOAT', K('h'), 'x', '1.5'], ['HDEL', K('h'), 'nope'], ['HDEL', K('h'), 'f', 'g', 'n', 'x'],
      ['SADD', K('set'), 'a', 'b', 'c'], ['SADD', K('set'), 'a'], ['SREM', K('set'), 'a'], ['SMOVE', K('set'), K('set2'), 'b'], ['SMOVE', K('set'), K('set2'), 'c'], ['SINTERSTORE', K('set3'), K('set2')], ['SUNIONSTORE', K('set4'), K('set2'), K('set3')], ['SDIFFSTORE', K('set4'), K('set2'), K('set3')], ['SREM', K('set3'), 'b'], ['SPOP', K('set3')],
      ['ZADD', K('z'), '1', 'a', '2', 'b', '3', 'c'], ['ZADD', K('z'), 'INCR', '1', 'b'], ['ZINCRBY', K('z'), '1', 'a'], ['ZREM', K('z'), 'nope'], ['ZREM', K('z'), 'a'], ['ZPOPMIN', K('z')], ['ZPOPMAX', K('z')],
      ['ZADD', K('z'), '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZREMRANGEBYSCORE', K('z'), '1', '1'], ['ZREMRANGEBYRANK', K('z'), '0', '0'], ['ZUNIONSTORE', K('zu'), '1', K('z')], ['ZINTERSTORE', K('zi'), '2', K('z'), K('nope')], ['ZRANGESTORE', K('zr'), K('z'), '0', '-1'], ['ZREMRANGEBYLEX', K('z'), '-', '+'],
      ['XADD', K('x'), '1-1', 'f', 'v'], ['XADD', K('x'), '2-1', 'f', 'v'], ['XDEL', K('x'), '1-1'], ['XTRIM', K('x'), 'MAXLEN', '0'], ['XGROUP', 'CREATE', K('x'), 'g', '0'], ['XGROUP', 'CREATECONSUMER', K('x'), 'g', 'c'], ['XGROUP', 'DELCONSUMER', K('x'), 'g', 'c'], ['XGROUP', 'SETID', K('x'), 'g', '0'], ['XGROUP', 'DESTROY', K('x'), 'g'], ['XSETID', K('x'), '5-5'],
      ['SET', K('gone'), 'v', 'PX', '1'],
    ];
    await same(w, script);
    await new Promise((r) => setTimeout(r, 30));
    await same(w, [['GET', K('gone')], ['PUBLISH', 'zz-end', '.']]);
    // Read Redis's events up to the end marker; keyflare's are what its sink holds.
    const kf = sub.pushes.splice(0).map((f) => encodeStr(f, 2));
    const r: string[] = [];
    for (;;) {
      const [m] = await sub.rc.raw('', 1);
      r.push(m!);
      if (m!.includes('zz-end')) break;
    }
    const show = (xs: string[]) => xs.map((x) => x.split('\r\n').filter((_, i) => i % 2 === 0 && i > 0).slice(1).join(' '));
    expect(show(kf)).toEqual(show(r));
    await same(w, [['CONFIG', 'SET', 'notify-keyspace-events', ''], ['SET', K('s'), 'quiet'], ['PUBLISH', 'zz-end', '.']]);
    expect(await sameReceived(sub)).toHaveLength(1);
    await same(sub, [['RESET']]);
    sub.close();
    w.close();
  });

  it("stream events: consumers created by XREADGROUP and XCLAIM, none for a missing or existing one (Redis's suite)", async () => {
    const sub = await Conn.open(2);
    const w = await Conn.open(2);
    await same(sub, [['PSUBSCRIBE', '*']]);
    const K = '{x}mystream';
    await same(w, [
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Kt'],
      ['XGROUP', 'CREATE', K, 'mygroup', '$', 'MKSTREAM'], ['XGROUP', 'CREATECONSUMER', K, 'mygroup', 'Bob'],
      ['XADD', K, '1', 'field1', 'A'], ['XREADGROUP', 'GROUP', 'mygroup', 'Alice', 'STREAMS', K, '>'],
      ['XCLAIM', K, 'mygroup', 'Mike', '0', '1-0', 'FORCE', 'JUSTID'], ['XGROUP', 'DELCONSUMER', K, 'mygroup', 'Lee'],
      ['XAUTOCLAIM', K, 'mygroup', 'Bob', '0', '1-0', 'JUSTID'], ['XGROUP', 'DELCONSUMER', K, 'mygroup', 'Bob'],
      ['XREADGROUP', 'GROUP', 'mygroup', 'Zed', 'STREAMS', K, '0'], ['XAUTOCLAIM', K, 'mygroup', 'Yan', '0', '0', 'JUSTID'],
      ['XCLAIM', K, 'mygroup', 'Xi', '0', '9-0', 'JUSTID'],
      ['PUBLISH', 'zz-end', '.'],
    ]);
    const kf = sub.pushes.splice(0).map((f) => encodeStr(f, 2));
    const r: string[] = [];
    for (;;) {
      const [m] = await sub.rc.raw('', 1);
      r.push(m!);
      if (m!.includes('zz-end')) break;
    }
    expect(kf).toEqual(r);
    await same(w, [['CONFIG', 'SET', 'notify-keyspace-events', '']]);
    await same(sub, [['RESET']]);
    sub.close();
    w.close();
  });

  it('class filters: only the enabled classes and channel kinds are published', async () => {
    const sub = await Conn.open(3);
    const w = await Conn.open(2);
    await same(sub, [['PSUBSCRIBE', '__key*__:*']]);
    await same(w, [['CONFIG', 'SET', 'notify-keyspace-events', 'El'], ['SET', '{m}a', '1'], ['LPUSH', '{m}l', 'x'], ['DEL', '{m}l'], ['CONFIG', 'SET', 'notify-keyspace-events', 'Kgh'], ['HSET', '{m}h', 'f', 'v'], ['DEL', '{m}h', '{m}a'], ['PUBLISH', '__keyevent@0__:end', 'x']]);
    const got = await sameReceived(sub);
    // lpush (E), hset and two dels (K), the marker.
    expect(got.length).toBe(5);
    await same(w, [['CONFIG', 'SET', 'notify-keyspace-events', '']]);
    await same(sub, [['RESET']]);
    sub.close();
    w.close();
  });
});
