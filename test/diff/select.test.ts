// SELECT and the 16 databases against a standalone redis-server: SELECT, MOVE, SWAPDB, COPY … DB,
// FLUSHDB / FLUSHALL, DBSIZE, KEYS / SCAN / RANDOMKEY per db, with keys spread over the 4 shards.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

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
