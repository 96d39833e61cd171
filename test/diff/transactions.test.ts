// MULTI/EXEC/DISCARD/WATCH/UNWATCH against real Redis (a one-node cluster), in RESP2 and RESP3,
// with a second connection on each side for the WATCH races.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proto } from '../../src/protocol/resp-encode.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';
import type { Session } from '../../src/server/session.js';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';

const d = useDiff();

/** The other connection, on both sides, per protocol. */
const other: Record<number, { rc: RawClient; kf: Session }> = {};
beforeAll(async () => {
  for (const p of [2, 3] as Proto[]) {
    const rc = await RawClient.connect(d.redis.port);
    const kf = d.backend.session();
    if (p === 3) {
      await rc.call([['HELLO', '3']]);
      await kf.run([['HELLO', '3']]);
    }
    other[p] = { rc, kf };
  }
});
afterAll(() => {
  for (const o of Object.values(other)) o.rc.close();
});

type Step = Cmd | { b: Cmd } | { sleep: number };

/** Run steps on connection A (d.pair) or B ({b: cmd}); every reply must match byte for byte. */
async function dual(steps: Step[], protos: Proto[] = [2, 3]): Promise<void> {
  for (const proto of protos) {
    await d.pair(['FLUSHALL'], proto);
    const diffs: string[] = [];
    for (const st of steps) {
      if ('sleep' in st) {
        await new Promise((r) => setTimeout(r, st.sleep));
        continue;
      }
      let redis: string;
      let kf: string;
      let cmd: Cmd;
      if ('b' in st) {
        cmd = st.b;
        const argv = cmd.map(String);
        [redis] = (await other[proto]!.rc.call([argv])) as [string];
        const [f] = await other[proto]!.kf.run([argv]);
        kf = encodeStr(f!, proto);
      } else {
        cmd = st as Cmd;
        ({ redis, kf } = await d.pair(cmd, proto));
      }
      if (redis !== kf) diffs.push(`RESP${proto} ${'b' in st ? 'B ' : ''}${JSON.stringify(cmd.map(String))}\n  redis: ${JSON.stringify(redis)}\n  kf:    ${JSON.stringify(kf)}`);
    }
    expect(diffs.join('\n')).toBe('');
  }
}

describe('MULTI / EXEC / DISCARD', () => {
  it('queues and executes, replies in order', () =>
    d.check([
      ['MULTI'], ['SET', '{t}a', '1'], ['INCR', '{t}a'], ['GET', '{t}a'], ['LPUSH', '{t}l', 'x', 'y'], ['LRANGE', '{t}l', 0, -1],
      ['HSET', '{t}h', 'f', 'v'], ['HGETALL', '{t}h'], ['ZADD', '{t}z', '1.5', 'm'], ['ZSCORE', '{t}z', 'm'], ['EXEC'],
      ['GET', '{t}a'],
      ['MULTI'], ['EXEC'],
    ]));

  it('DISCARD drops the queue; wrong-state errors', () =>
    d.check([
      ['EXEC'], ['DISCARD'],
      ['MULTI'], ['SET', 'k', 'v'], ['DISCARD'], ['GET', 'k'],
      ['MULTI'], ['MULTI'], ['SET', 'k', '2'], ['EXEC'], ['GET', 'k'],
      ['MULTI'], ['WATCH', 'k'], ['SET', 'k', '3'], ['EXEC'], ['GET', 'k'],
      ['EXEC'], ['DISCARD'],
    ]));

  it('EXECABORT after unknown commands, arity errors and per-command CROSSSLOT', () =>
    d.check([
      ['MULTI'], ['SET', 'k', 'v'], ['NOSUCHCMD', 'x'], ['EXEC'], ['GET', 'k'],
      ['MULTI'], ['SET', 'k', 'v'], ['GET'], ['SET', 'k'], ['EXEC'], ['GET', 'k'],
      ['MULTI'], ['MSET', 'a', '1', 'b', '2'], ['SET', 'a', '1'], ['EXEC'], ['GET', 'a'],
      ['MULTI'], ['CONFIG', 'NOSUCH'], ['EXEC'],
      ['MULTI'], ['WATCH', 'a', 'b'], ['EXEC'],
    ]));

  it('EXEC refuses a queue spanning slots with CROSSSLOT and discards it', () =>
    d.check([
      ['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC'], ['GET', 'a'], ['EXEC'],
      ['MULTI'], ['SET', '{x}a', '1'], ['GET', '{x}b'], ['DEL', '{x}a', '{x}b'], ['EXEC'],
    ]));

  it('a queue spanning slots before a queue-time error answers CROSSSLOT; commands after the error are not queued', () =>
    d.check([
      ['MULTI'], ['SET', '{a}x', '1'], ['SET', '{b}y', '1'], ['NOSUCH'], ['EXEC'], ['GET', '{a}x'],
      ['MULTI'], ['SET', '{a}x', '1'], ['SET', '{b}y', '1'], ['SET'], ['EXEC'],
      ['MULTI'], ['SET', '{a}x', '1'], ['SET', '{b}x', '1'], ['MSET', '{a}x', '1', '{b}y', '2'], ['EXEC'],
      ['MULTI'], ['SET', '{a}x', '1'], ['NOSUCH'], ['SET', '{b}y', '1'], ['EXEC'], ['GET', '{b}y'],
      ['MULTI'], ['SET', '{a}x', '1'], ['MSET', '{a}x', '1', '{b}y', '2'], ['SET', '{b}x', '1'], ['EXEC'],
    ]));

  it('runtime errors stay in place, nothing is rolled back', () =>
    d.check([
      ['SET', '{t}s', 'str'],
      ['MULTI'], ['INCR', '{t}a'], ['LPUSH', '{t}s', 'x'], ['INCR', '{t}s'], ['SET', '{t}b', 'after'], ['HGET', '{t}s', 'f'], ['EXEC'],
      ['GET', '{t}a'], ['GET', '{t}b'],
    ]));

  it('blocking commands answer at once; connection and all-shard commands run in order', () =>
    d.check([
      ['MULTI'], ['BLPOP', '{t}l', '0'], ['BRPOPLPUSH', '{t}l', '{t}m', '0'], ['XREAD', 'BLOCK', '0', 'STREAMS', '{t}x', '$'], ['EXEC'],
      ['SET', 'one', '1'],
      ['MULTI'], ['PING'], ['ECHO', 'hi'], ['SET', 'two', '2'], ['DBSIZE'], ['EXISTS', 'one'], ['PING', 'x'], ['EXEC'],
      ['MULTI'], ['SET', '{t}a', '1'], ['FLUSHALL'], ['GET', '{t}a'], ['DBSIZE'], ['EXEC'],
    ]));

  it('RESET leaves MULTI', () =>
    d.check([['MULTI'], ['SET', 'k', 'v'], ['RESET'], ['EXEC'], ['GET', 'k']], [2]));
});

describe('WATCH', () => {
  it('a write by another connection aborts EXEC with nil', () =>
    dual([
      ['SET', '{t}k', 'v0'],
      ['WATCH', '{t}k'], { b: ['SET', '{t}k', 'other'] }, ['MULTI'], ['SET', '{t}k', 'mine'], ['EXEC'], ['GET', '{t}k'],
      // EXEC unwatched: the next transaction runs.
      { b: ['SET', '{t}k', 'again'] }, ['MULTI'], ['SET', '{t}k', 'mine'], ['EXEC'], ['GET', '{t}k'],
    ]));

  it('a touched watch stops the queuing: a queue spanning slots then answers nil (or EXECABORT), not CROSSSLOT', () =>
    dual([
      ['WATCH', '{a}s'], ['SET', '{a}s', 'x'], ['MULTI'], ['SET', '{a}k', 'v'], ['SET', '{b}k', 'v'], ['EXEC'],
      ['WATCH', '{a}s'], ['MULTI'], ['SET', '{a}k', 'v'], ['SET', '{b}k', 'v'], ['EXEC'],
      ['WATCH', '{a}s'], { b: ['SET', '{a}s', 'y'] }, ['MULTI'], ['SET', '{a}k', 'v'], ['NOSUCH'], ['SET', '{b}k', 'v'], ['EXEC'],
      ['WATCH', '{a}s'], ['MULTI'], ['SET', '{a}k', 'v'], { b: ['SET', '{a}s', 'z'] }, ['SET', '{b}k', 'v'], ['EXEC'], ['GET', '{a}k'],
      // The holds were released: the next watch sees only its own changes.
      ['WATCH', '{a}s'], ['MULTI'], ['SET', '{a}s', '1'], ['EXEC'], ['GET', '{a}s'],
    ]));

  it('reads, unchanged keys, other keys and no-op writes do not abort', () =>
    dual([
      ['SET', '{t}k', 'v'], ['SADD', '{t}s', 'm'],
      ['WATCH', '{t}k', '{t}s', '{t}missing'],
      { b: ['GET', '{t}k'] }, { b: ['TOUCH', '{t}k'] }, { b: ['TTL', '{t}k'] }, { b: ['SET', '{t}other', '1'] },
      { b: ['SADD', '{t}s', 'm'] }, { b: ['SREM', '{t}s', 'nope'] }, { b: ['DEL', '{t}missing'] }, { b: ['PERSIST', '{t}k'] },
      { b: ['SUNIONSTORE', '{t}dst', '{t}s'] }, { b: ['EXPIRE', '{t}missing', '100'] },
      ['MULTI'], ['GET', '{t}k'], ['EXEC'],
    ]));

  it('every kind of modification aborts', async () => {
    const mods: Cmd[] = [
      ['SET', '{t}k', 'v'], // same value: still a modification
      ['APPEND', '{t}k', 'x'], ['EXPIRE', '{t}k', '100'], ['DEL', '{t}k'], ['RENAME', '{t}o', '{t}k'],
      ['LPUSH', '{t}l', 'z'], ['SADD', '{t}s', 'n'], ['HSET', '{t}h', 'f', 'w'], ['ZINCRBY', '{t}z', '1', 'm'],
      ['SUNIONSTORE', '{t}k', '{t}s'], ['LMOVE', '{t}l', '{t}k2', 'LEFT', 'RIGHT'], ['FLUSHALL'], ['FLUSHDB'],
    ];
    for (const m of mods) {
      await dual(
        [
          ['SET', '{t}k', 'v'], ['SET', '{t}o', 'o'], ['RPUSH', '{t}l', 'a'], ['SADD', '{t}s', 'm'], ['HSET', '{t}h', 'f', 'v'], ['ZADD', '{t}z', '1', 'm'],
          ['WATCH', '{t}k', '{t}l', '{t}s', '{t}h', '{t}z'], { b: m }, ['MULTI'], ['PING'], ['EXEC'], ['UNWATCH'],
        ],
        [2],
      );
    }
  });

  it('FLUSHALL of a watched key that did not exist', () =>
    dual([['WATCH', '{t}none'], { b: ['FLUSHALL'] }, ['MULTI'], ['PING'], ['EXEC']]));

  it("the connection's own writes count; UNWATCH, DISCARD and EXEC forget the keys", () =>
    dual([
      ['SET', 'k', '1'],
      ['WATCH', 'k'], ['SET', 'k', '2'], ['MULTI'], ['GET', 'k'], ['EXEC'],
      ['WATCH', 'k'], ['UNWATCH'], { b: ['SET', 'k', '3'] }, ['MULTI'], ['GET', 'k'], ['EXEC'],
      ['WATCH', 'k'], ['MULTI'], ['DISCARD'], { b: ['SET', 'k', '4'] }, ['MULTI'], ['GET', 'k'], ['EXEC'],
      ['WATCH', 'k'], ['MULTI'], ['EXEC'], { b: ['SET', 'k', '5'] }, ['MULTI'], ['GET', 'k'], ['EXEC'],
      ['WATCH', 'k'], ['WATCH', 'k'], { b: ['SET', 'k', '6'] }, ['WATCH', 'k'], ['MULTI'], ['GET', 'k'], ['EXEC'],
    ]));

  it('keys watched on several shards (separate WATCHes), any of them changing aborts', () =>
    // a, b, c and foo hash to four different keyflare shards.
    dual([
      ['WATCH', 'a'], ['WATCH', 'b'], ['WATCH', 'foo'], { b: ['SET', 'foo', '1'] }, ['MULTI'], ['SET', 'a', '1'], ['EXEC'], ['GET', 'a'],
      ['WATCH', 'a'], ['WATCH', 'b'], ['WATCH', 'foo'], { b: ['SET', 'c', '1'] }, ['MULTI'], ['SET', 'a', '1'], ['EXEC'], ['GET', 'a'],
      ['WATCH', 'b'], { b: ['SET', 'b', '1'] }, ['MULTI'], ['PING'], ['EXEC'],
    ]));

  it('a watched key that expires before EXEC aborts it; one already expired at WATCH does not', () =>
    dual([
      ['SET', 'e', 'v', 'PX', '150'], ['WATCH', 'e'], { sleep: 250 }, ['MULTI'], ['GET', 'e'], ['EXEC'],
      ['SET', 'e', 'v', 'PX', '150'], { sleep: 250 }, ['WATCH', 'e'], ['MULTI'], ['GET', 'e'], ['EXEC'],
    ], [2]));
});
