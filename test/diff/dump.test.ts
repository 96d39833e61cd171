// DUMP / RESTORE against real Redis 7.0: payloads DUMPed by Redis RESTORE here and ours RESTORE in
// Redis, for small and big encodings of every type (binary data, TTLs); then the values are read
// back on both sides and compared. Corrupt payloads give Redis's errors and leave no key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Session } from '../../src/server/session.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { fmtG17 } from '../../src/protocol/numfmt.js';

const d = useDiff();
let rc: RawClient;
let kf: Session;
beforeAll(async () => {
  rc = await RawClient.connect(d.redis.port);
  kf = d.backend.session();
});
afterAll(() => rc?.close());

type Side = 'redis' | 'kf';
const js = (f: Frame): unknown => {
  switch (f.t) {
    case 'arr': case 'set': case 'map': case 'push': return f.v.map(js);
    case 'nil': case 'nilarr': return null;
    case 'int': return Number(f.v);
    case 'err': return { err: f.v };
    case 'dbl': return fmtG17(f.v); // RESP2 sends doubles as %.17g bulk strings
    case 'bool': return f.v;
    default: return (f as { v: string }).v;
  }
};

async function run(side: Side, ...cmds: string[][]): Promise<Frame[]> {
  if (side === 'kf') return kf.run(cmds);
  const raw = await rc.call(cmds);
  return raw.map((r) => parseReply(r, 0)!.frame);
}
const one = async (side: Side, cmd: string[]) => (await run(side, cmd))[0]!;
const val = async (side: Side, cmd: string[]) => js(await one(side, cmd));

/** A deterministic byte generator (no Math.random: failures must reproduce). */
function bytes(n: number, seed: number): string {
  let s = seed >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += String.fromCharCode(s >>> 24);
  }
  return out;
}

const range = <T = string>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const sortPairs = (a: unknown) => {
  const v = a as string[];
  const p: string[][] = [];
  for (let i = 0; i < v.length; i += 2) p.push([v[i]!, v[i + 1]!]);
  return p.sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
};

/** Commands that build one key of every type and encoding (run on the DUMPing side). */
const FIXTURES: Record<string, string[][]> = {
  'str:small': [['SET', 'str:small', 'hello']],
  'str:int': [['SET', 'str:int', '12345']],
  'str:neg': [['SET', 'str:neg', '-2147483648']],
  'str:i64': [['SET', 'str:i64', '9223372036854775807']],
  'str:lead0': [['SET', 'str:lead0', '007']],
  'str:empty': [['SET', 'str:empty', '']],
  'str:long': [['SET', 'str:long', 'abcdefgh'.repeat(500)]],
  'str:bin': [['SET', 'str:bin', bytes(3000, 1)]],
  'str:crlf': [['SET', 'str:crlf', '\r\n\0\xff\x80 x']],
  'str:big': [['SET', 'str:big', range(20000, (i) => String(i % 97)).join(',')]],
  'hll': [['PFADD', 'hll', ...range(50, (i) => `e${i}`)]],
  // HyperLogLogs are strings: byte-identical values move both ways and count alike (issue 6).
  'hll:dense': [['PFADD', 'hll:dense', ...range(5000, (i) => `d${i}`)], ['PFCOUNT', 'hll:dense']],
  'list:small': [['RPUSH', 'list:small', 'a', '1', '-100', '70000', '-5000000000', '9223372036854775807', '', bytes(40, 2), '0127', '4095', '-4096']],
  'list:big': [['RPUSH', 'list:big', ...range(3000, (i) => (i % 3 === 0 ? String(i * 7919) : `item-${i}-${'x'.repeat(i % 50)}`))]],
  'list:huge-el': [['RPUSH', 'list:huge-el', 'a', 'y'.repeat(20000), 'b', bytes(9000, 3)]],
  'hash:small': [['HSET', 'hash:small', 'f1', 'v1', 'n', '42', 'neg', '-7', 'bin', bytes(30, 4), '', 'empty-field']],
  'hash:big': [['HSET', 'hash:big', ...range(1200, (i) => (i % 2 ? `v${i}` : `field:${i}`))]],
  'hash:long-value': [['HSET', 'hash:long-value', 'a', '1', 'b', 'z'.repeat(100)]],
  'set:intset': [['SADD', 'set:intset', '1', '-5', '70000', '5000000000', '-9223372036854775808', '32767']],
  'set:intset16': [['SADD', 'set:intset16', '1', '2', '3', '-32768']],
  'set:int-big': [['SADD', 'set:int-big', ...range(700, (i) => String(i * 3))]],
  'set:strings': [['SADD', 'set:strings', 'a', 'b', 'c', bytes(20, 5), '1']],
  'set:big': [['SADD', 'set:big', ...range(400, (i) => `m${i}`)]],
  'zset:small': [['ZADD', 'zset:small', '1', 'a', '1.5', 'b', '-inf', 'c', 'inf', 'd', '0', 'e', '3.141592653589793', 'f', '1e300', 'g', '-2.5e-10', 'h', '123456789012', 'i', '4611686018427387904', 'j', '0.1', bytes(10, 6)]],
  'zset:big': [['ZADD', 'zset:big', ...range(300, (i) => (i % 2 ? `mem${i}` : String((i * 37) % 101 + i / 7)))]],
  'zset:long-member': [['ZADD', 'zset:long-member', '1', 'a', '2', 'q'.repeat(100)]],
  'stream:small': [
    ['XADD', 'stream:small', '1-1', 'f', 'v', 'n', '1'],
    ['XADD', 'stream:small', '1-2', 'f', 'w', 'n', '2'],
    ['XADD', 'stream:small', '2-0', 'other', bytes(30, 7)],
    ['XADD', 'stream:small', '3-5', 'f', 'x', 'n', '-3'],
  ],
  'stream:big': [
    ...range(700, (i) => ['XADD', 'stream:big', `${1000 + Math.floor(i / 3)}-${i % 3}`, 'temp', String(i * 13), 'name', i % 5 ? `sensor${i}` : 'x'.repeat(i % 200)]),
    ['XDEL', 'stream:big', '1001-1', '1100-0', '1100-1', '1233-0'],
    ['XGROUP', 'CREATE', 'stream:big', 'g1', '0'],
    ['XGROUP', 'CREATE', 'stream:big', 'g2', '$'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'stream:big', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'stream:big', '>'],
    ['XACK', 'stream:big', 'g1', '1000-1'],
    ['XGROUP', 'CREATECONSUMER', 'stream:big', 'g2', 'idle'],
  ],
  'stream:trimmed': [
    ...range(300, (i) => ['XADD', 'stream:trimmed', '*', 'k', String(i)]),
    ['XTRIM', 'stream:trimmed', 'MAXLEN', '120'],
    ['XADD', 'stream:trimmed', 'MAXLEN', '~', '50', '*', 'k', 'last'],
  ],
  'stream:empty': [['XGROUP', 'CREATE', 'stream:empty', 'grp', '$', 'MKSTREAM']],
  'stream:deleted-all': [['XADD', 'stream:deleted-all', '5-1', 'a', 'b'], ['XDEL', 'stream:deleted-all', '5-1']],
};

/** A normalized view of a key's value, through commands (hash tables and sets sorted). */
async function view(side: Side, key: string): Promise<unknown> {
  const type = await val(side, ['TYPE', key]);
  const out: Record<string, unknown> = { type };
  switch (type) {
    case 'string': out.v = await val(side, ['GET', key]); break;
    case 'list': out.v = await val(side, ['LRANGE', key, '0', '-1']); break;
    case 'hash': out.v = sortPairs(await val(side, ['HGETALL', key])); break;
    case 'set': out.v = (await val(side, ['SMEMBERS', key]) as string[]).sort(); break;
    case 'zset': out.v = await val(side, ['ZRANGE', key, '0', '-1', 'WITHSCORES']); break;
    case 'stream': {
      out.v = await val(side, ['XRANGE', key, '-', '+']);
      const info = await val(side, ['XINFO', 'STREAM', key]) as unknown[];
      const m: Record<string, unknown> = {};
      for (let i = 0; i < info.length; i += 2) if (!String(info[i]).startsWith('radix-tree')) m[String(info[i])] = info[i + 1];
      out.info = m;
      out.groups = await val(side, ['XINFO', 'GROUPS', key]);
      const groups = out.groups as unknown[][];
      const pend: unknown[] = [];
      for (const g of groups) pend.push(await val(side, ['XPENDING', key, String(g[1])]));
      out.pending = pend;
      break;
    }
  }
  if (type !== 'set' || (await val('redis', ['OBJECT', 'ENCODING', key])) === 'intset') {
    // Sets: Redis 7.0 has no listpack set (keyflare follows 7.2 there), so only intsets compare.
    out.enc = await val(side, ['OBJECT', 'ENCODING', key]);
  }
  return out;
}

async function flush(): Promise<void> {
  await run('redis', ['FLUSHALL']);
  await kf.run([['FLUSHALL']]);
}

async function transfer(from: Side, to: Side, key: string, ttl = '0'): Promise<Frame> {
  const p = await one(from, ['DUMP', key]);
  expect(p.t).toBe('bulk');
  return one(to, ['RESTORE', key, ttl, (p as { v: string }).v]);
}

describe('DUMP → RESTORE across real Redis and keyflare', () => {
  for (const [from, to] of [['redis', 'kf'], ['kf', 'redis']] as Array<[Side, Side]>) {
    it(`every type and encoding: DUMP in ${from}, RESTORE in ${to}, same value`, async () => {
      await flush();
      const fails: string[] = [];
      for (const [key, cmds] of Object.entries(FIXTURES)) {
        await run(from, ...cmds);
        const r = await transfer(from, to, key);
        if (r.t !== 'simple') {
          fails.push(`${key}: RESTORE in ${to} answered ${JSON.stringify(r)}`);
          continue;
        }
        // The key now exists on both sides: compare the views.
        const a = JSON.stringify(await view(from, key));
        const b = JSON.stringify(await view(to, key));
        if (a !== b) fails.push(`${key}:\n  ${from}: ${a.slice(0, 400)}\n  ${to}:   ${b.slice(0, 400)}`);
      }
      expect(fails.join('\n')).toBe('');
    }, 60_000);
  }

  it('payloads of small values are byte-identical to Redis', async () => {
    await flush();
    const keys = ['str:small', 'str:int', 'str:neg', 'str:i64', 'str:lead0', 'str:empty', 'str:crlf', 'hash:small', 'set:intset16'];
    for (const k of keys) {
      await run('redis', ...FIXTURES[k]!);
      await run('kf', ...FIXTURES[k]!);
      expect(js(await one('kf', ['DUMP', k])), k).toEqual(js(await one('redis', ['DUMP', k])));
    }
  });

  it('DUMP of a missing key is nil; RESTORE with TTL, ABSTTL, REPLACE, BUSYKEY', async () => {
    await flush();
    await run('redis', ['SET', 'src', 'payload-value'], ['RPUSH', 'lsrc', 'a', 'b']);
    const p = (await val('redis', ['DUMP', 'src'])) as string;
    const lp = (await val('redis', ['DUMP', 'lsrc'])) as string;
    const now = Date.now();
    await d.check([
      ['DUMP', 'nokey'],
      ['RESTORE', 'k', '0', p],
      ['GET', 'k'],
      ['TTL', 'k'],
      ['RESTORE', 'k', '0', p],
      ['RESTORE', 'k', '0', lp, 'REPLACE'],
      ['LRANGE', 'k', '0', '-1'],
      ['RESTORE', 't', '100000', p],
      ['TTL', 't'],
      ['RESTORE', 'a', String(now + 500_000), p, 'ABSTTL'],
      ['TTL', 'a'],
      ['RESTORE', 'gone', String(now - 1000), p, 'ABSTTL'],
      ['EXISTS', 'gone'],
      ['RESTORE', 'k', String(now - 1000), p, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 'k'],
      ['RESTORE', 'i', '0', p, 'IDLETIME', '1000'],
      ['OBJECT', 'IDLETIME', 'i'],
      ['RESTORE', 'f', '0', p, 'FREQ', '100', 'REPLACE', 'ABSTTL'],
      ['GET', 'f'],
    ]);
  });

  it('RESTORE converts encodings at the configured thresholds, as Redis does on load', async () => {
    await flush();
    await run('redis', ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'], ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['SADD', 's', '1', '2', '3'],
      ['HSET', 'H', ...range(600, (i) => `k${i}`)], ['ZADD', 'Z', ...range(300, (i) => String(i))]);
    const p = async (k: string) => (await val('redis', ['DUMP', k])) as string;
    const [h, z, st, H, Z] = [await p('h'), await p('z'), await p('s'), await p('H'), await p('Z')];
    const cfg = (n: string) => [['CONFIG', 'SET', 'hash-max-listpack-entries', n], ['CONFIG', 'SET', 'zset-max-listpack-entries', n], ['CONFIG', 'SET', 'set-max-intset-entries', n]];
    try {
      await d.check([
        ...cfg('2'),
        ['RESTORE', 'h', '0', h], ['OBJECT', 'ENCODING', 'h'],
        ['RESTORE', 'z', '0', z], ['OBJECT', 'ENCODING', 'z'],
        ['RESTORE', 's', '0', st], ['OBJECT', 'ENCODING', 's'],
        ...cfg('100000'),
        ['RESTORE', 'H', '0', H], ['OBJECT', 'ENCODING', 'H'],
        ['RESTORE', 'Z', '0', Z], ['OBJECT', 'ENCODING', 'Z'],
        ['ZRANGE', 'Z', '0', '5', 'WITHSCORES'],
      ]);
    } finally {
      await d.check([['CONFIG', 'SET', 'hash-max-listpack-entries', '512'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'set-max-intset-entries', '512']], [2]);
    }
  });

  it('option and TTL errors match Redis', async () => {
    await flush();
    await run('redis', ['SET', 'src', 'v']);
    const p = (await val('redis', ['DUMP', 'src'])) as string;
    await d.check([
      ['SET', 'exists', 'x'],
      ['RESTORE', 'exists', '0', p],
      ['RESTORE', 'exists', '0', 'garbage'],
      ['RESTORE', 'k', '-1', p],
      ['RESTORE', 'k', 'abc', p],
      ['RESTORE', 'k', '0', p, 'IDLETIME', '-1'],
      ['RESTORE', 'k', '0', p, 'IDLETIME', 'x'],
      ['RESTORE', 'k', '0', p, 'FREQ', '256'],
      ['RESTORE', 'k', '0', p, 'FREQ', '-1'],
      ['RESTORE', 'k', '0', p, 'IDLETIME', '1', 'FREQ', '1'],
      ['RESTORE', 'k', '0', p, 'FREQ', '1', 'IDLETIME', '1'],
      ['RESTORE', 'k', '0', p, 'IDLETIME'],
      ['RESTORE', 'k', '0', p, 'BOGUS'],
      ['RESTORE', 'k', '0'],
      ['DUMP'],
      ['EXISTS', 'k'],
    ]);
  });
});

/** Re-seal a payload body with a valid version footer and CRC64 (to reach the decoder). */
function seal(body: string, version = 10): string {
  const b = body + String.fromCharCode(version & 0xff, version >> 8);
  return b + new Crc64().update(b).bytes();
}

describe('corrupt payloads', () => {
  it('flipped bytes, truncation, wrong versions: the checksum error, no key', async () => {
    await flush();
    await run('redis', ['RPUSH', 'src', ...range(50, (i) => `v${i}`)]);
    const p = (await val('redis', ['DUMP', 'src'])) as string;
    const flip = (i: number) => p.slice(0, i) + String.fromCharCode(p.charCodeAt(i) ^ 0x10) + p.slice(i + 1);
    const body = p.slice(0, -10);
    await d.check([
      ['RESTORE', 'k', '0', flip(0)],
      ['RESTORE', 'k', '0', flip(Math.floor(p.length / 2))],
      ['RESTORE', 'k', '0', flip(p.length - 1)],
      ['RESTORE', 'k', '0', flip(p.length - 10)],
      ['RESTORE', 'k', '0', p.slice(0, -1)],
      ['RESTORE', 'k', '0', p.slice(0, 20)],
      ['RESTORE', 'k', '0', p.slice(0, 9)],
      ['RESTORE', 'k', '0', ''],
      ['RESTORE', 'k', '0', seal(body, 11)],
      ['RESTORE', 'k', '0', seal(body, 9)],
      ['EXISTS', 'k'],
    ]);
  });

  it('corrupt bodies with a valid checksum: Bad data format, no key, the old key kept on REPLACE', async () => {
    await flush();
    await run('redis', ['HSET', 'h', 'a', '1', 'b', '2']);
    const hp = ((await val('redis', ['DUMP', 'h'])) as string).slice(0, -10);
    // The hash listpack's total-bytes header, made wrong.
    const badLp = hp.slice(0, 2) + String.fromCharCode(hp.charCodeAt(2) + 1) + hp.slice(3);
    const bad = [
      seal('\x08\x00'), // type 8 does not exist
      seal('\x63\x00'),
      seal('\x00\x40'), // a truncated length
      seal('\x00\x64abc'), // a string longer than the whole payload
      seal('\x00\xc3\x05\x0aabcde'), // LZF data that does not decompress
      seal(badLp),
      seal('\x02\x00'), // an empty set
      seal('\x12\x01\x02\x03abc'), // a quicklist node that is no listpack
    ];
    await d.check([
      ['SET', 'old', 'keep'],
      ...bad.map((p, i) => ['RESTORE', `k${i}`, '0', p]),
      ['RESTORE', 'old', '0', seal(badLp), 'REPLACE'],
      ['GET', 'old'],
      ['EXISTS', ...bad.map((_, i) => `{t}k${i}`)],
      ...bad.map((_, i) => ['EXISTS', `k${i}`]),
    ]);
  });
});

describe('propagation', () => {
  it('RESTORE with a relative TTL is logged with an absolute one and ABSTTL', async () => {
    await flush();
    const p = (await val('redis', ['DUMP', 'nope'])) as null;
    expect(p).toBeNull();
    await run('redis', ['SET', 'src', 'v']);
    const pay = (await val('redis', ['DUMP', 'src'])) as string;
    const logs = d.backend.logs;
    const before = logs.map((l) => l.length);
    const t0 = Date.now();
    await kf.run([['RESTORE', 'p1', '60000', pay], ['RESTORE', 'p2', '0', pay], ['SET', 'p3', 'x'], ['RESTORE', 'p3', '1', pay, 'REPLACE', 'ABSTTL']]);
    const added = logs.flatMap((l, i) => l.slice(before[i]));
    const p1 = added.find((e) => e[1] === 'p1')!;
    expect(p1[0]).toBe('RESTORE');
    expect(p1.at(-1)).toBe('ABSTTL');
    expect(Number(p1[2])).toBeGreaterThanOrEqual(t0 + 60000);
    expect(Number(p1[2])).toBeLessThan(t0 + 70000);
    expect(added.find((e) => e[1] === 'p2')).toEqual(['RESTORE', 'p2', '0', pay]);
    expect(added.filter((e) => e[1] === 'p3').at(-1)).toEqual(['DEL', 'p3']);
  });
});
