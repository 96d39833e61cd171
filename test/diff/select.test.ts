// SELECT and the 16 databases against a standalone redis-server: SELECT, MOVE, SWAPDB, COPY … DB,
// FLUSHDB / FLUSHALL, DBSIZE, KEYS / SCAN / RANDOMKEY per db, with keys spread over the 4 shards.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { same, useTwoSided } from '../helpers/two-sided.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';

const d = useDiff(undefined, 'standalone');

// Keys that hash to different shards of the local backend's 4 (slots 0-4095, 4096-…).
const K = ['a', 'b', 'c', 'd', 'foo', 'bar', 'key:1', 'key:2'];

describe('SELECT and databases match a standalone Redis', () => {
  it('SELECT: range, parse errors, and keys live in their own db', async () => {
    await d.check([
      ['SELECT'],
      ['SELECT', '0', '1'],
      ['SELECT', 'x'],
      ['SELECT', '1.5'],
      ['SELECT', ' 1'],
      ['SELECT', '-1'],
      ['SELECT', '16'],
      ['SELECT', '2147483648'],
      ['SELECT', '-2147483649'],
      ['SELECT', '99999999999999999999'],
      ['SELECT', '15'],
      ...K.map((k) => ['SET', k, `db15-${k}`]),
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ...K.map((k) => ['GET', k]),
      ...K.slice(0, 3).map((k) => ['SET', k, `db0-${k}`]),
      ['DBSIZE'],
      ['SELECT', '15'],
      ...K.map((k) => ['GET', k]),
      ['KEYS', 'key:1'],
      ['EXISTS', 'a', 'b', 'c'],
      ['SELECT', '3'],
      ['KEYS', '*'],
      ['SCAN', '0'],
      ['RANDOMKEY'],
      ['DBSIZE'],
      ['SELECT', '0'],
    ]);
  });

  it('databases setting, RESET back to db 0, HELLO keeps the db', async () => {
    await d.check([
      ['CONFIG', 'GET', 'databases'],
      ['CONFIG', 'SET', 'databases', '4'],
      ['SELECT', '3'],
      ['SET', 'r', 'three'],
      ['RESET'],
      ['GET', 'r'],
      ['SELECT', '3'],
      ['GET', 'r'],
      ['SELECT', '0'],
    ], [2]);
    // HELLO (its reply names the client id, so not compared) leaves the db alone; CLIENT INFO shows it.
    const s = d.backend.session();
    await s.run([['SELECT', '3'], ['SET', 'r', 'three']]);
    const [, get, info] = await s.run([['HELLO', '3', 'SETNAME', 'x'], ['GET', 'r'], ['CLIENT', 'INFO']]);
    expect(get).toEqual({ t: 'bulk', v: 'three' });
    expect((info as { v: string }).v).toContain(' db=3 ');
  });

  it('KEYS / SCAN / RANDOMKEY see the selected db only', async () => {
    for (const proto of [2, 3] as const) {
      await d.pair(['FLUSHALL'], proto);
      for (const db of ['0', '7']) {
        await d.pair(['SELECT', db], proto);
        for (const k of K) await d.pair(['SET', `${k}:${db}`, '1'], proto);
      }
      for (const db of ['0', '7', '8']) {
        await d.pair(['SELECT', db], proto);
        const { redis, kf } = await d.pair(['KEYS', '*'], proto);
        const lines = (s: string) => s.split('\r\n').filter((l) => l && !/^[*$~]/.test(l)).sort();
        expect(lines(kf)).toEqual(lines(redis));
        const rk = await d.pair(['RANDOMKEY'], proto);
        if (db === '8') expect(rk.kf).toBe(rk.redis);
        else expect(rk.kf.endsWith(`:${db}\r\n`)).toBe(true);
      }
      await d.pair(['SELECT', '0'], proto);
    }
  });

  it('MOVE: errors, TTL kept, no overwrite, the key leaves the source db', async () => {
    await d.check([
      ['MOVE'],
      ['MOVE', 'k'],
      ['MOVE', 'k', 'x'],
      ['MOVE', 'k', '2147483648'],
      ['MOVE', 'k', '-1'],
      ['MOVE', 'k', '16'],
      ['MOVE', 'k', '0'],
      ['MOVE', 'k', '1'],
      ['SET', 'k', 'v', 'EX', '1000'],
      ['RPUSH', 'list', 'a', 'b'],
      ['MOVE', 'k', '1'],
      ['MOVE', 'list', '1'],
      ['EXISTS', 'k', 'list'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['TTL', 'k'],
      ['LRANGE', 'list', '0', '-1'],
      ['SET', 'k2', 'one'],
      ['SELECT', '0'],
      ['SET', 'k2', 'zero'],
      ['MOVE', 'k2', '1'],
      ['GET', 'k2'],
      ['SELECT', '1'],
      ['GET', 'k2'],
      ['MOVE', 'k', '0'],
      ['SELECT', '0'],
      ['GET', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
    ]);
  });

  it('SWAPDB: errors, both dbs trade contents on every shard', async () => {
    await d.check([
      ['SWAPDB'],
      ['SWAPDB', '0'],
      ['SWAPDB', 'x', '1'],
      ['SWAPDB', '0', 'y'],
      ['SWAPDB', '-1', '1'],
      ['SWAPDB', '0', '16'],
      ['SWAPDB', '2147483648', '0'],
      ...K.map((k) => ['SET', k, `zero-${k}`]),
      ['SELECT', '1'],
      ...K.slice(2).map((k) => ['SET', k, `one-${k}`]),
      ['SWAPDB', '0', '1'],
      ['DBSIZE'],
      ...K.map((k) => ['GET', k]),
      ['SELECT', '0'],
      ['DBSIZE'],
      ...K.map((k) => ['GET', k]),
      ['SWAPDB', '0', '0'],
      ['SWAPDB', '0', '5'],
      ['DBSIZE'],
      ['SELECT', '5'],
      ['DBSIZE'],
      ['SELECT', '0'],
    ]);
  });

  it('COPY … DB: errors, REPLACE, same key into another db', async () => {
    await d.check([
      ['SET', 'src', 'v'],
      ['HSET', 'h', 'f', '1'],
      ['COPY', 'src', 'src'],
      ['COPY', 'src', 'src', 'DB', '0'],
      ['COPY', 'src', 'src', 'DB', '1'],
      ['COPY', 'src', 'src', 'DB', '1'],
      ['COPY', 'src', 'src', 'DB', '1', 'REPLACE'],
      ['SET', '{s}src', 'v'],
      ['COPY', '{s}src', '{s}x', 'DB', '16'],
      ['COPY', '{s}src', '{s}x', 'DB', '-1'],
      ['COPY', '{s}src', '{s}x', 'DB', 'z'],
      ['COPY', '{s}src', '{s}x', 'DB'],
      ['COPY', '{s}src', '{s}x', 'DB', '4'],
      ['SELECT', '4'],
      ['GET', '{s}x'],
      ['SELECT', '0'],
      ['COPY', '{h}h', '{h}h2', 'DB', '9'],
      ['COPY', 'h', 'h', 'DB', '9'],
      ['SELECT', '1'],
      ['GET', 'src'],
      ['COPY', 'src', 'src', 'DB', '0'],
      ['COPY', 'src', 'src', 'DB', '0', 'REPLACE'],
      ['SELECT', '9'],
      ['HGETALL', 'h'],
      ['SELECT', '0'],
    ]);
  });

  it('FLUSHDB empties the selected db, FLUSHALL every db', async () => {
    await d.check([
      ...K.map((k) => ['SET', k, '0']),
      ['SELECT', '2'],
      ...K.map((k) => ['SET', k, '2']),
      ['SELECT', '3'],
      ...K.map((k) => ['SET', k, '3']),
      ['FLUSHDB'],
      ['DBSIZE'],
      ['SELECT', '2'],
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['FLUSHALL'],
      ['SELECT', '2'],
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
    ]);
  });
});

describe('SELECT inside transactions, INFO keyspace, scripts', () => {
  it('MULTI/EXEC with SELECT queued: later commands run in the new db, which the connection keeps', async () => {
    await d.check([
      ['SET', 'a', 'zero'],
      ['MULTI'],
      ['GET', 'a'],
      ['SELECT', '2'],
      ['SET', 'a', 'two'],
      ['GET', 'a'],
      ['SELECT', '99'],
      ['EXEC'],
      ['GET', 'a'],
      ['SELECT', '0'],
      ['GET', 'a'],
      ['WATCH', 'a'],
      ['MULTI'],
      ['SELECT', '2'],
      ['INCR', '{a}n'], // on a's shard: SELECT in a transaction across shards is not served yet
      ['EXEC'],
      ['GET', '{a}n'],
      ['SELECT', '0'],
      ['GET', '{a}n'],
      // Redis's "WATCH is able to remember the DB a key belongs to": a write to the same name in
      // another db is not a change of the watched key.
      ['SELECT', '5'],
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['SELECT', '1'],
      ['SET', 'x', '10'],
      ['SELECT', '5'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['SELECT', '0'],
    ]);
  });

  it('INFO keyspace lists every non-empty db, summed over the shards', async () => {
    for (const proto of [2, 3] as const) {
      await d.pair(['FLUSHALL'], proto);
      const script = [
        ...K.map((k) => ['SET', k, 'v']),
        ['SELECT', '9'],
        ...K.slice(0, 5).map((k) => ['SET', k, 'v', 'EX', '1000']),
        ['SELECT', '4'],
        ['SET', 'x', 'y'],
        ['SELECT', '0'],
      ];
      for (const c of script) await d.pair(c, proto);
      const { redis, kf } = await d.pair(['INFO', 'keyspace'], proto);
      // avg_ttl is Redis's running estimate from its expiry cycle (0 until it has sampled): not compared.
      const norm = (s: string) => s.replace(/avg_ttl=\d+/g, 'avg_ttl=N').replace(/^[$=]\d+\r\n(txt:)?/, '');
      expect(norm(kf)).toBe(norm(redis));
      expect(kf).toContain('db0:keys=8,expires=0,avg_ttl=0\r\ndb4:keys=1,expires=0,avg_ttl=0\r\ndb9:keys=5,expires=5,avg_ttl=');
      // MEMORY STATS names the same dbs (its sizes are estimates: only the names are compared).
      const names = (r: string) => [...r.matchAll(/db\.\d+/g)].map((m) => m[0]);
      const mem = await d.pair(['MEMORY', 'STATS'], proto);
      expect(names(mem.kf)).toEqual(names(mem.redis));
      expect(names(mem.kf)).toEqual(['db.0', 'db.4', 'db.9']);
    }
  });

  it("redis.call('select', n) in a script changes the db for the rest of that script only", async () => {
    await d.check([
      ['SET', 'k', 'zero'],
      ['SELECT', '1'],
      ['SET', 'k', 'one'],
      ['SELECT', '0'],
      ['EVAL', "redis.call('select', 1); local v = redis.call('get', KEYS[1]); redis.call('set', KEYS[1], 'by-script'); return v", '1', 'k'],
      ['GET', 'k'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['SELECT', '0'],
      ['EVAL', "return redis.pcall('select', 16)", '0'],
      ['EVAL', "return redis.pcall('select', 'x')", '0'],
    ]);
  });
});

const T = useTwoSided('standalone');

describe('keyspace notifications name the db', () => {
  it('__keyspace@<db>__ and __keyevent@<db>__ for writes, MOVE and COPY … DB', async () => {
    const sub = await T.open(2);
    const w = await T.open(2);
    await same(sub, [['PSUBSCRIBE', '__key*', 'zz-end']]);
    await same(w, [
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      ['SET', 'a', '1'],
      ['SELECT', '5'],
      ['SET', 'a', '5'],
      ['RPUSH', 'l', 'x'],
      ['MOVE', 'l', '6'],
      ['COPY', 'a', 'a', 'DB', '7'],
      ['DEL', 'a'],
      ['SET', 'gone', 'v', 'PX', '1'],
    ]);
    await new Promise((r) => setTimeout(r, 30));
    await same(w, [['GET', 'gone'], ['PUBLISH', 'zz-end', '.'], ['CONFIG', 'SET', 'notify-keyspace-events', '']]);
    const kf = sub.pushes.splice(0).map((f) => encodeStr(f, 2));
    const r: string[] = [];
    for (;;) {
      const [m] = await sub.rc.raw('', 1);
      r.push(m!);
      if (m!.includes('zz-end')) break;
    }
    expect(kf.filter((m) => !m.includes('zz-end'))).toEqual(r.filter((m) => !m.includes('zz-end')));
    expect(kf.join('')).toContain('__keyspace@6__:l');
    sub.close();
    w.close();
  });
});

const cluster = useDiff(undefined, 'cluster');

describe('cluster mode (KEYFLARE_MODE=cluster) keeps one database, as a one-node Redis Cluster', () => {
  it('SELECT n, MOVE, SWAPDB, COPY … DB and a script\'s SELECT are refused with Redis Cluster\'s errors', async () => {
    await cluster.check([
      ['SET', '{k}a', 'v'],
      ['MOVE', '{k}a', '1'],
      ['MOVE', '{k}a', 'x'],
      ['SWAPDB', '0', '1'],
      ['SWAPDB', 'x', '1'],
      ['COPY', '{k}a', '{k}b', 'DB', '1'],
      ['COPY', '{k}a', '{k}b', 'DB', '0'],
      ['COPY', '{k}a', '{k}b', 'DB', '16'],
      ['SELECT', '1'],
      ['SELECT', 'x'],
      ['SELECT', '0'],
      ['SELECT', '16'],
      ['EVAL', "return redis.pcall('select', 1)", '0'],
      ['EVAL', "return redis.pcall('select', 0)", '0'],
    ]);
  });
});
