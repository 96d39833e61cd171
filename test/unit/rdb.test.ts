// The RDB codec's parts in isolation: CRC64 (Redis's check value), LZF, listpack and intset
// round trips, engine → DUMP payload → engine for every type and encoding, and corrupt payloads
// (re-sealed with a valid checksum) that must be refused as values, never crash the decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../src/persistence/crc64.js';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf.js';
import { intsetDecode, intsetEncode, lpDecode, lpEncode, lpEntry, lpEntrySize } from '../../src/persistence/rdb-listpack.js';
import { defaultLimits, dumpPayload, restorePayload } from '../../src/persistence/rdb.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { encodingOf, Keyspace, type Value } from '../../src/engine/keyspace.js';
import { Shard } from '../../src/shard/shard.js';
import { ManualClock } from '../../src/engine/clock.js';

const byteStr = (max = 200) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((a) => String.fromCharCode(...a));
const intStr = fc.oneof(
  fc.integer({ min: -200, max: 200 }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -40000, max: 40000 }),
  fc.integer({ min: -9_000_000, max: 9_000_000 }), fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
).map(String);
const element = fc.oneof(byteStr(80), intStr, fc.constantFrom('', '-0', '007', '1e3', ' 1', '9223372036854775808'), byteStr(5000));

describe('crc64 and lzf', () => {
  it("crc64 is Redis's (check value e9c6d914c4b8d9ca) and can run incrementally", () => {
    expect(crc64('123456789').toString(16)).toBe('e9c6d914c4b8d9ca');
    fc.assert(fc.property(byteStr(), byteStr(), (a, b) => {
      expect(new Crc64().update(a).update(toBytes(b)).value()).toBe(crc64(a + b));
    }));
  });

  it('lzf round-trips and refuses to grow data', () => {
    const rep = fc.tuple(byteStr(30), fc.integer({ min: 1, max: 300 }), byteStr(50)).map(([a, n, b]) => a.repeat(n) + b);
    fc.assert(fc.property(fc.oneof(rep, byteStr(2000)), (s) => {
      const c = lzfCompress(s, s.length - 4);
      if (c === null) return;
      expect(c.length).toBeLessThanOrEqual(s.length - 4);
      const d = lzfDecompress(toBytes(c), s.length);
      expect(d && String.fromCharCode(...d)).toBe(s);
      expect(lzfDecompress(toBytes(c), s.length + 1)).toBeNull();
    }));
  });
});

describe('listpack and intset', () => {
  it('listpack round-trips any elements; sizes are exact', () => {
    fc.assert(fc.property(fc.array(element, { maxLength: 40 }), (items) => {
      const lp = lpEncode(items);
      // Integers come back in canonical form, which is what they were (lpStringToInt64 is strict).
      expect(lpDecode(toBytes(lp))).toEqual(items);
      for (const it of items) expect(lpEntrySize(it)).toBe(lpEntry(it).length);
    }));
  });

  it('listpack integer widths match Redis (7-bit, 13-bit, 16, 24, 32, 64)', () => {
    const size = (s: string) => lpEntry(s).length;
    expect(['0', '127', '128', '-1', '4095', '-4096', '4096', '32767', '-32769', '8388607', '8388608', '2147483647', '2147483648'].map(size))
      .toEqual([2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 10]);
    expect(lpEntry('a'.repeat(63)).length).toBe(65);
    expect(lpEntry('a'.repeat(64)).length).toBe(66 + 1);
    expect(lpEntry('a'.repeat(4096)).length).toBe(4101 + 2);
  });

  it('intset round-trips at every width', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.oneof(fc.integer({ min: -40000, max: 40000 }).map(BigInt), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))), (vals) => {
      vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(intsetDecode(toBytes(intsetEncode(vals)))).toEqual(vals.map(String));
    }));
  });
});

/** A shard built by commands: the values to round-trip. */
function build(cmds: string[][]): Shard {
  const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, new ManualClock(), 7);
  for (const c of cmds) expect(s.exec([c]).replies[0]!.t).not.toBe('err');
  return s;
}

const r = <T = string>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('engine → payload → engine', () => {
  const shard = build([
    ['SET', 's', 'x'.repeat(100)], ['SET', 'n', '42'],
    ['RPUSH', 'l', ...r(3000, (i) => `v${i}`)], ['RPUSH', 'ls', 'a', '1'],
    ['HSET', 'h', 'a', '1'], ['HSET', 'H', ...r(1200, (i) => `f${i}`)],
    ['SADD', 'i', '1', '2', '3'], ['SADD', 'I', ...r(600, String)], ['SADD', 'p', 'a', 'b'], ['SADD', 'P', ...r(300, (i) => `m${i}`)],
    ['ZADD', 'z', '1', 'a', '2.5', 'b'], ['ZADD', 'Z', ...r(400, (i) => `${i % 7}.${i}`)],
    ...r(300, (i) => ['XADD', 'x', `${i + 1}-0`, 'a', String(i)]), ['XDEL', 'x', '5-0'], ['XGROUP', 'CREATE', 'x', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 'x', '>'],
  ]);
  const db: Keyspace = shard.db;
  const read = (d: Keyspace, k: string) => {
    const s2 = new Shard({ index: 0, count: 1, slots: [0, 16383] }, new ManualClock(), 7);
    s2.db.set(k, d.data.get(k)!);
    const cmds: Record<string, string[][]> = {
      string: [['GET', k]], list: [['LRANGE', k, '0', '-1']], hash: [['HGETALL', k]], set: [['SMEMBERS', k]],
      zset: [['ZRANGE', k, '0', '-1', 'WITHSCORES']], stream: [['XRANGE', k, '-', '+'], ['XINFO', 'STREAM', k, 'FULL']],
    };
    const v = d.data.get(k)!;
    return s2.exec(cmds[typeof v === 'string' ? 'string' : v.type]!).replies;
  };

  it('every type and encoding comes back equal, in the same encoding', () => {
    for (const k of db.data.keys()) {
      const v = db.data.get(k)!;
      const back = restorePayload(dumpPayload(v), defaultLimits());
      expect(back.ok, k).toBe(true);
      const into = new Keyspace();
      into.set(k, (back as { value: Value }).value);
      expect(encodingOf(into, k, into.data.get(k)!), k).toBe(encodingOf(db, k, v));
      expect(read(into, k), k).toEqual(read(db, k));
      // And the payload is stable.
      expect(dumpPayload(into.data.get(k)!)).toBe(dumpPayload(v));
    }
  });

  it('corrupt bodies with a valid checksum are refused as values, never thrown', () => {
    const payloads = [...db.data.values()].map((v) => dumpPayload(v, false));
    const seal = (body: string) => {
      const b = body + '\x0a\x00';
      return b + new Crc64().update(b).bytes();
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: payloads.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (pi, edits, cut) => {
      let body = payloads[pi]!.slice(0, -10);
      for (const [at, b] of edits) {
        const i = at % body.length;
        body = body.slice(0, i) + String.fromCharCode(b) + body.slice(i + 1);
      }
      if (cut % 3 === 0) body = body.slice(0, cut % body.length);
      const res = restorePayload(seal(body));
      expect(res.ok || res.error === 'format').toBe(true);
    }), { numRuns: 3000 });
  });

  it('loading respects the thresholds (a big listpack hash becomes a hash table)', () => {
    const p = dumpPayload(db.data.get('h')!);
    const lim = defaultLimits();
    lim.hash.entries = 0;
    const back = restorePayload(p, lim) as { ok: true; value: Value };
    const ks = new Keyspace();
    ks.set('h', back.value);
    expect(encodingOf(ks, 'h', back.value)).toBe('hashtable');
    expect(restorePayload(p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1))).toEqual({ ok: false, error: 'checksum' });
  });
});

describe('hash field TTLs', () => {
  it('survive DUMP / RESTORE (7.4 layout) and still expire afterwards', () => {
    const clock = new ManualClock();
    const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock, 3);
    const run = (...c: string[]) => s.exec([c]).replies[0]!;
    const at = String(clock.now() + 10_000);
    run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(run('HPEXPIREAT', 'h', at, 'FIELDS', '1', 'a')).toEqual({ t: 'arr', v: [{ t: 'int', v: 1 }] });
    const p = run('DUMP', 'h') as { t: 'bulk'; v: string };
    expect(p.v.charCodeAt(0)).toBe(24);
    expect(run('RESTORE', 'h2', '0', p.v)).toEqual({ t: 'simple', v: 'OK' });
    expect(run('HPEXPIRETIME', 'h2', 'FIELDS', '2', 'a', 'b')).toEqual({ t: 'arr', v: [{ t: 'int', v: Number(at) }, { t: 'int', v: -1 }] });
    clock.advance(20_000);
    s.db.now = clock.now();
    s.db.activeExpire();
    expect(run('HGETALL', 'h2')).toEqual(run('HGETALL', 'h'));
    expect(run('HLEN', 'h2')).toEqual({ t: 'int', v: 2 });
  });
});
