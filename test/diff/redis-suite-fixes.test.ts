// What Redis's own test suite found (issue 17), pinned against real Redis: MEMORY, the CONFIG
// parameters it sets and CONFIG SET's multi-pair errors, MULTI refusing no-multi commands,
// CLIENT REPLY OFF not silencing pub/sub pushes, and blocking semantics (a retyped key leaves a
// BLPOP blocked, sub-millisecond timeouts, a blocked XREADGROUP whose stream is gone).
import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { expandReplies } from '../../src/server/pubsub.js';
import { unmuted } from '../../src/server/clients.js';
import { useDiff } from '../helpers/diff.js';
import { useTwoSided, same, type Conn } from '../helpers/two-sided.js';

const d = useDiff();

describe('MEMORY', () => {
  it('USAGE: nil for a missing key, Redis\'s errors for SAMPLES, a positive size for every type', async () => {
    await d.check([
      ['MEMORY', 'USAGE', 'nokey'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '0'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'nokey', 'BAD', '1'],
      ['MEMORY', 'USAGE'],
      ['MEMORY', 'STATS', 'x'],
      ['MEMORY', 'DOCTOR', 'x'],
      ['MEMORY', 'PURGE'],
      ['MEMORY', 'HELP'],
      ['MEMORY', 'NOSUCH'],
      ['MEMORY'],
      // Nearly empty, Redis declines to diagnose; so does keyflare.
      ['MEMORY', 'DOCTOR'],
    ]);
    for (const [type, cmd] of [['string', ['SET', 'k', 'v']], ['hash', ['HSET', 'k', 'f', 'v']], ['list', ['RPUSH', 'k', 'a']], ['set', ['SADD', 'k', 'a']], ['zset', ['ZADD', 'k', '1', 'a']], ['stream', ['XADD', 'k', '1-1', 'f', 'v']]] as const) {
      await d.pair(['DEL', 'k']);
      await d.pair([...cmd]);
      const { redis, kf } = await d.pair(['MEMORY', 'USAGE', 'k', 'SAMPLES', '0']);
      expect(redis, type).toMatch(/^:[1-9]\d*\r\n$/);
      expect(kf, type).toMatch(/^:[1-9]\d*\r\n$/);
    }
  });

  it('MALLOC-STATS: what Redis built without jemalloc answers (V8 has no allocator report)', async () => {
    const { kf } = await d.pair(['MEMORY', 'MALLOC-STATS']);
    expect(kf).toBe('$45\r\nStats not supported for the current allocator\r\n');
  });

  it('STATS: the fields Redis reports, in its order, in RESP2 and RESP3', async () => {
    const names = (s: string) => [...s.matchAll(/\$\d+\r\n([a-z][a-z0-9.-]*)\r\n/g)].map((m) => m[1]).filter((n) => !/^\d/.test(n!));
    for (const proto of [2, 3] as Proto[]) {
      await d.pair(['FLUSHALL'], proto);
      const empty = await d.pair(['MEMORY', 'STATS'], proto);
      expect(names(empty.kf)).toEqual(names(empty.redis));
      await d.pair(['SET', 'a', '1'], proto);
      await d.pair(['SET', 'b', '2', 'EX', '100'], proto);
      const full = await d.pair(['MEMORY', 'STATS'], proto);
      expect(names(full.kf)).toEqual(names(full.redis));
      expect(full.kf).toContain('keys.count\r\n:2\r\n');
      expect(full.redis).toContain('keys.count\r\n:2\r\n');
    }
  });
});

describe('CONFIG parameters the suite sets, and CONFIG SET with several pairs', () => {
  it('names are checked before values (unknown, immutable, duplicate), then the first bad value; nothing is applied', async () => {
    await d.check([
      ['CONFIG', 'SET', 'maxmemory', 'abc', 'daemonize', 'yes'],
      ['CONFIG', 'SET', 'maxmemory', 'abc', 'nosuch', 'yes'],
      ['CONFIG', 'SET', 'maxmemory', 'abc', 'maxmemory', '1'],
      ['CONFIG', 'SET', 'daemonize', 'yes', 'daemonize', 'no'],
      ['CONFIG', 'SET', 'enable-debug-command', 'yes'],
      ['CONFIG', 'SET', 'maxmemory', '10000001', 'maxmemory-clients', '200%', 'client-query-buffer-limit', 'invalid'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', 'invalid', 'maxmemory-clients', '200%'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '10%'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '-1%'],
      ['CONFIG', 'SET', 'maxmemory-clients', '%'],
      ['CONFIG', 'SET', 'maxmemory-clients', '5mb'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '0'],
      ['CONFIG', 'SET', 'lua-time-limit', '10'],
      ['CONFIG', 'GET', 'lua-time-limit'],
      ['CONFIG', 'GET', 'busy-reply-threshold'],
      ['CONFIG', 'SET', 'busy-reply-threshold', '5000'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
      ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
      ['CONFIG', 'SET', 'repl-backlog-size', '0'],
      ['CONFIG', 'SET', 'maxmemory', '10000001', 'repl-backlog-size', '10000002'],
      ['CONFIG', 'GET', 'repl-backlog-size'],
      ['CONFIG', 'SET', 'maxmemory', '0', 'repl-backlog-size', '1mb'],
      ['CONFIG', 'GET', 'slowlog-log-slower-than'],
      ['CONFIG', 'GET', 'slowlog-max-len'],
      ['CONFIG', 'GET', 'latency-monitor-threshold'],
      ['CONFIG', 'GET', 'enable-debug-command'],
      ['CONFIG', 'GET', 'daemonize'],
    ]);
  });
});

describe('COMMAND GETKEYSANDFLAGS', () => {
  it('each key with the access flags Redis reports (specs, or the command\'s own rules)', async () => {
    await d.check([
      ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k1', 'v1', 'GET'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'k1', 'v1', 'k2', 'v2'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'LMOVE', 'k1', 'k2', 'left', 'right'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'sort', 'k1', 'store', 'k2'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'zunionstore', 'd', '2', 'a', 'b'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'SET', 'u8', '0', '1'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'memory', 'usage', 'k'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'get'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'nosuch', 'k'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'ping'],
      ['COMMAND', 'GETKEYSANDFLAGS'],
    ]);
  });
});

describe('LOLWUT', () => {
  it('answers the version line; VERSION must be an integer', async () => {
    await d.check([['LOLWUT'], ['LOLWUT', 'foo'], ['LOLWUT', 'VERSION', 'x'], ['LOLWUT', 'VERSION'], ['LOLWUT', 'VERSION', '7']]);
  });
});

describe('MULTI', () => {
  it('refuses SAVE and SHUTDOWN while queuing, and EXEC then aborts', async () => {
    await d.check([['MULTI'], ['SET', 'x', '1'], ['SAVE'], ['EXEC'], ['MULTI'], ['SHUTDOWN'], ['EXEC'], ['GET', 'x']]);
  });
});

const Two = useTwoSided();

/** A command on both sides with CLIENT REPLY honoured: the frames each side writes. */
async function quiet(c: Conn, argv: string[], expect: number): Promise<{ redis: string[]; kf: string[] }> {
  const muted: boolean[] = [];
  const replies = expandReplies(unmuted(await c.kf.run([argv], muted), muted));
  const kf = [...c.pushes.splice(0), ...replies].map((f) => encodeStr(f, c.proto));
  const redis = expect ? await c.rc.raw(encodeCommand(argv), expect) : (c.rc.raw(encodeCommand(argv), 0), []);
  return { redis, kf };
}

describe('CLIENT REPLY OFF and pub/sub', () => {
  for (const proto of [2, 3] as Proto[]) {
    it(`subscription confirmations and messages are still delivered (RESP${proto})`, async () => {
      const c = await Two.open(proto);
      const p = await Two.open(2);
      const steps: Array<[string[], number]> = [
        [['CLIENT', 'REPLY', 'OFF'], 0],
        [['SUBSCRIBE', 'ch1'], 1],
        [['PSUBSCRIBE', 'ch*'], 1],
      ];
      for (const [argv, n] of steps) {
        const r = await quiet(c, argv, n);
        expect(r.kf, argv.join(' ')).toEqual(r.redis);
      }
      await same(p, [['PUBLISH', 'ch1', 'hello']]);
      const got = { redis: await c.rc.raw('', 2), kf: c.pushes.splice(0).map((f) => encodeStr(f, c.proto)) };
      expect(got.kf).toEqual(got.redis);
      for (const [argv, n] of [[['UNSUBSCRIBE', 'ch1'], 1], [['PUNSUBSCRIBE', 'ch*'], 1]] as Array<[string[], number]>) {
        const r = await quiet(c, argv, n);
        expect(r.kf, argv.join(' ')).toEqual(r.redis);
      }
      c.close();
      p.close();
    });
  }
});

/** Both sides report `n` blocked clients (INFO clients), polled through `w`. */
async function blockedCount(w: Conn, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { redis, kf } = await w.cmd(['INFO', 'clients']);
    const want = `blocked_clients:${n}\r\n`;
    if (redis[0]!.includes(want) && kf[0]!.includes(want)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${n} blocked clients on both sides`);
}

/** Start a blocking command on both sides; the promise gives each side's reply bytes. */
function blockOn(c: Conn, argv: string[]): Promise<{ redis: string; kf: string }> {
  const kf = c.kf.run([argv]).then((r) => encodeStr(r[0]!, c.proto));
  const redis = c.rc.raw(encodeCommand(argv), 1).then((r) => r[0]!);
  return Promise.all([redis, kf]).then(([r, k]) => ({ redis: r, kf: k }));
}

describe('blocking commands', () => {
  for (const pop of [['BLPOP', '{bl}', '0'], ['BLMPOP', '0', '1', '{bl}', 'LEFT'], ['BRPOPLPUSH', '{bl}', '{bl}2', '0'], ['BLMOVE', '{bl}', '{bl}2', 'LEFT', 'RIGHT', '0']]) {
    it(`LPUSH + DEL + SET in one transaction leaves ${pop[0]} blocked until a list appears`, async () => {
      const b = await Two.open(2);
      const w = await Two.open(2);
      await same(w, [['DEL', '{bl}', '{bl}2']]);
      const got = blockOn(b, pop);
      await blockedCount(w, 1);
      await same(w, [['MULTI'], ['LPUSH', '{bl}', 'a'], ['DEL', '{bl}'], ['SET', '{bl}', 'str'], ['EXEC']]);
      await same(w, [['DEL', '{bl}'], ['RPUSH', '{bl}', 'served']]);
      const r = await got;
      expect(r.kf).toBe(r.redis);
      expect(r.kf).toContain('served');
      await same(w, [['DEL', '{bl}', '{bl}2']]);
      b.close();
      w.close();
    });
  }

  it('BZPOPMIN stays blocked when its key becomes a string, and is served by a ZADD', async () => {
    const b = await Two.open(2);
    const w = await Two.open(2);
    await same(w, [['DEL', 'bz']]);
    const got = blockOn(b, ['BZPOPMIN', 'bz', '0']);
    await blockedCount(w, 1);
    await same(w, [['MULTI'], ['ZADD', 'bz', '1', 'a'], ['DEL', 'bz'], ['SET', 'bz', 'str'], ['EXEC'], ['DEL', 'bz'], ['ZADD', 'bz', '2', 'b']]);
    const r = await got;
    expect(r.kf).toBe(r.redis);
    b.close();
    w.close();
  });

  for (const argv of [['BLPOP', 'tl', '0.001'], ['BRPOP', 'tl', '0.0001'], ['BLMPOP', '0.001', '1', 'tl', 'RIGHT'], ['BLPOP', 'tl', '0.0000000000000000000001']]) {
    it(`${argv.join(' ')} times out (a fraction of a millisecond rounds up, not to "forever")`, async () => {
      const b = await Two.open(2);
      const r = await blockOn(b, argv);
      expect(r.kf).toBe(r.redis);
      expect(r.kf).toBe('*-1\r\n');
      b.close();
    });
  }

  for (const [name, kill] of [['deleted', [['DEL', 'gs']]], ['turned into a string', [['SET', 'gs', 'v']]], ['retyped in a transaction', [['MULTI'], ['DEL', 'gs'], ['SADD', 'gs', 'e'], ['EXEC']]], ['flushed', [['FLUSHALL']]]] as const) {
    it(`a blocked XREADGROUP whose stream is ${name} is answered "no longer exists"`, async () => {
      const b = await Two.open(2);
      const w = await Two.open(2);
      await same(w, [['DEL', 'gs'], ['XADD', 'gs', '666', 'f', 'v'], ['XGROUP', 'CREATE', 'gs', 'g', '$']]);
      const got = blockOn(b, ['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'gs', '>']);
      await blockedCount(w, 1);
      await same(w, kill.map((a) => [...a]));
      const r = await got;
      expect(r.kf).toBe(r.redis);
      expect(r.kf).toBe('-UNBLOCKED the stream key no longer exists\r\n');
      b.close();
      w.close();
    });
  }

  it('a blocked XREAD stays blocked when its stream is deleted, and sees the next XADD', async () => {
    const b = await Two.open(2);
    const w = await Two.open(2);
    await same(w, [['DEL', 'xs']]);
    const got = blockOn(b, ['XREAD', 'BLOCK', '0', 'STREAMS', 'xs', '$']);
    await blockedCount(w, 1);
    await same(w, [['MULTI'], ['XADD', 'xs', '1-1', 'old', 'x'], ['DEL', 'xs'], ['LPUSH', 'xs', 'a'], ['EXEC'], ['DEL', 'xs'], ['XADD', 'xs', '2-1', 'new', 'y']]);
    const r = await got;
    expect(r.kf).toBe(r.redis);
    expect(r.kf).toContain('new');
    b.close();
    w.close();
  });
});
