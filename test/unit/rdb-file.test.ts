// Whole dump.rdb files against real Redis 7.0: a file from writeRdb passes redis-check-rdb and a
// real redis-server loads it with identical data; a file SAVEd by real Redis is read by readRdb
// with identical data; truncated, corrupt and future-version files are refused as a whole.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import { fmtG17 } from '../../src/protocol/numfmt.js';
import { checkRdb, dumpPayload, readRdb, writeRdbBytes, type RdbEntry } from '../../src/persistence/rdb.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis } from '../helpers/redis-server.js';

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
function bytes(n: number, seed: number): string {
  let s = seed >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += String.fromCharCode(s >>> 24);
  }
  return out;
}

const FUTURE = Date.now() + 3_600_000;
/** One key of every type and encoding, binary data, and TTLs. */
const SCRIPT: string[][] = [
  ['SET', 'str', 'hello'],
  ['SET', 'int', '-123456'],
  ['SET', 'bin', bytes(5000, 9)],
  ['SET', 'long', 'ab'.repeat(3000)],
  ['SET', 'ttl', 'x', 'PXAT', String(FUTURE)],
  ['PFADD', 'hll', 'a', 'b', 'c'],
  ['RPUSH', 'list', 'a', '1', '-70000', bytes(64, 1)],
  ['RPUSH', 'biglist', ...range(2500, (i) => `e${i}${'.'.repeat(i % 40)}`)],
  ['HSET', 'hash', 'a', '1', 'b', bytes(20, 2)],
  ['HSET', 'bighash', ...range(1100, (i) => `x${i}`)],
  ['PEXPIREAT', 'bighash', String(FUTURE + 5000)],
  ['SADD', 'intset', '1', '2', '-3', '4000000000'],
  ['SADD', 'set', 'a', 'b', bytes(9, 3)],
  ['SADD', 'bigset', ...range(600, (i) => `m${i}`)],
  ['ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c', '0.1', 'd'],
  ['ZADD', 'bigzset', ...range(400, (i) => (i % 2 ? `z${i}` : String(i / 3)))],
  ...range(250, (i) => `XADD stream ${i + 1}-${i % 4} f ${i} g v${i}`).map((s) => s.split(' ')),
  ['XDEL', 'stream', '10-1', '11-2'],
  ['XGROUP', 'CREATE', 'stream', 'grp', '0'],
  ['XREADGROUP', 'GROUP', 'grp', 'c1', 'COUNT', '4', 'STREAMS', 'stream', '>'],
  ['XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM'],
];

const js = (f: Frame): unknown => {
  switch (f.t) {
    case 'arr': case 'set': case 'map': case 'push': return f.v.map(js);
    case 'nil': case 'nilarr': return null;
    case 'int': return Number(f.v);
    case 'err': return { err: f.v };
    case 'dbl': return fmtG17(f.v);
    case 'bool': return f.v;
    default: return (f as { v: string }).v;
  }
};

type Ask = (cmd: string[]) => Promise<unknown>;
const viaRedis = (c: RawClient): Ask => async (cmd) => js(parseReply((await c.call([cmd]))[0]!, 0)!.frame);
const viaKf = (s: Session): Ask => async (cmd) => js((await s.run([cmd]))[0]!);

/** Every key's value, read through commands (unordered collections sorted), plus its TTL. */
async function snapshot(ask: Ask): Promise<Record<string, unknown>> {
  const keys = ((await ask(['KEYS', '*'])) as string[]).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const type = await ask(['TYPE', k]);
    let v: unknown;
    if (type === 'string') v = await ask(['GET', k]);
    else if (type === 'list') v = await ask(['LRANGE', k, '0', '-1']);
    else if (type === 'hash') v = ((await ask(['HGETALL', k])) as string[]).reduce<string[][]>((a, x, i) => (i % 2 ? a[a.length - 1]!.push(x) : a.push([x]), a), []).sort();
    else if (type === 'set') v = ((await ask(['SMEMBERS', k])) as string[]).sort();
    else if (type === 'zset') v = await ask(['ZRANGE', k, '0', '-1', 'WITHSCORES']);
    else if (type === 'stream') {
      v = [await ask(['XRANGE', k, '-', '+']), await ask(['XINFO', 'GROUPS', k]), await ask(['XPENDING', k, 'grp']),
        await ask(['XINFO', 'STREAM', k]).then((x) => (x as unknown[]).filter((_, i, a) => !String(a[i - (i % 2)]).startsWith('radix')))];
    }
    const pttl = (await ask(['PTTL', k])) as number;
    out[k] = { type, v, ttl: pttl < 0 ? pttl : Math.round(pttl / 10_000) };
  }
  return out;
}

/** The keyspace of a local backend as RDB entries. */
function entriesOf(b: LocalBackend): RdbEntry[] {
  const out: RdbEntry[] = [];
  for (const s of b.shards) for (const [key, value] of s.db.data) out.push({ key, value, expireAt: s.db.expires.get(key) ?? null });
  return out;
}

describe('dump.rdb files', () => {
  it('writeRdb: redis-check-rdb says OK and redis-server loads identical data', async () => {
    const kf = new LocalBackend(4);
    const s = kf.session();
    for (const cmd of SCRIPT) {
      const [r] = await s.run([cmd]);
      expect(r!.t, cmd.join(' ').slice(0, 60)).not.toBe('err');
    }
    const dir = mkdtempSync(join(tmpdir(), 'kf-rdb-'));
    const file = join(dir, 'dump.rdb');
    writeFileSync(file, writeRdbBytes(entriesOf(kf), { now: Date.now(), chunkSize: 4096 }));
    const check = execFileSync('redis-check-rdb', [file], { encoding: 'utf8' });
    expect(check).toContain('RDB looks OK!');
    expect(check).toContain(`${entriesOf(kf).length} keys read`);
    expect(check).toContain('2 expires');
    const redis = await startRedis({ extra: ['--dir', dir, '--dbfilename', 'dump.rdb'] });
    const c = await RawClient.connect(redis.port);
    try {
      const want = await snapshot(viaKf(s));
      expect(Object.keys(want).length).toBe(17);
      expect(await snapshot(viaRedis(c))).toEqual(want);
    } finally {
      c.close();
      await redis.stop();
    }
  }, 60_000);

  it('readRdb: a dump.rdb SAVEd by real Redis loads with identical data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kf-rdb-'));
    const redis = await startRedis({ extra: ['--dir', dir, '--dbfilename', 'dump.rdb'] });
    const c = await RawClient.connect(redis.port);
    try {
      for (const cmd of SCRIPT) await c.call([cmd]);
      expect(await c.call([['SAVE']])).toEqual(['+OK\r\n']);
      const file = new Uint8Array(readFileSync(join(dir, 'dump.rdb')));
      const aux: Record<string, string> = {};
      const entries = [...readRdb(file, { onAux: (k, v) => (aux[k] = v) })];
      expect(aux['redis-ver']).toBe('7.0.15');
      expect(entries.every((e) => e.db === 0)).toBe(true);
      const kf = new LocalBackend(4);
      const s = kf.session();
      for (const e of entries) {
        const [r] = await s.run([['RESTORE', e.key, String(e.expireAt ?? 0), dumpPayload(e.value), 'ABSTTL']]);
        expect(r).toEqual({ t: 'simple', v: 'OK' });
      }
      expect(await snapshot(viaKf(s))).toEqual(await snapshot(viaRedis(c)));
    } finally {
      c.close();
      await redis.stop();
    }
  }, 60_000);

  it('refuses future versions, truncated and corrupt files before reading any key', () => {
    const good = writeRdbBytes([{ key: 'k', value: 'v', expireAt: null }, { key: 'k2', value: 'x'.repeat(100), expireAt: 5 }]);
    expect([...readRdb(good)].map((e) => [e.key, e.expireAt])).toEqual([['k', null], ['k2', 5]]);
    const future = good.slice();
    future.set([0x30, 0x30, 0x31, 0x31], 5); // "0011"
    const body = future.subarray(0, future.length - 8);
    future.set(new Uint8Array([...new Crc64().update(body).bytes()].map((ch) => ch.charCodeAt(0))), future.length - 8);
    expect(() => [...readRdb(future)]).toThrow("Can't handle RDB format version 11");
    expect(() => checkRdb(good.subarray(0, good.length - 3))).toThrow('Wrong RDB checksum');
    const flipped = good.slice();
    flipped[20] = flipped[20]! ^ 1;
    expect(() => [...readRdb(flipped)]).toThrow('Wrong RDB checksum');
    expect(() => [...readRdb(new TextEncoder().encode('NOTREDIS0010'))]).toThrow('Wrong signature');
  });
});
