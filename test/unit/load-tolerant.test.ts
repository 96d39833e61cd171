// Issue 19 item 1: a hash with more field TTLs than a call has arguments encodes and loads (RDB
// base, DUMP/RESTORE), and recovery never lets one value or record keep a shard down: what cannot
// load is skipped and reported, the rest of the base and the log segments load.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import type { HashObj } from '../../src/engine/types/hash.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { dumpPayload, restorePayload } from '../../src/persistence/rdb.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { Reader, T_LIST, T_SET, T_ZSET, Writer } from '../../src/persistence/rdb-io.js';
import { defaultLimits, loadObject, saveObject, skipObject } from '../../src/persistence/rdb-value.js';
import { RDB_EOF, RDB_SNAPSHOT, rdbEntry, rdbHeader } from '../../src/persistence/rdb-snapshot.js';
import { emptyReport, loadBase, replayLog } from '../../src/persistence/recover.js';
import { digest, digestDiff } from '../helpers/state-digest.js';

const INFO = { index: 0, count: 1, slots: [0, 16383] as [number, number] };
const FIELDS = 130_000; // past the ~120k arguments a spread call overflows at

function fresh(clock = new ManualClock()): Shard {
  return new Shard(INFO, clock, 1);
}

/** HSET `key` FIELDS fields in batches of 1000, then HEXPIRE each of them. */
function bigTtlHash(shard: Shard, key: string, n = FIELDS): void {
  for (let i = 0; i < n; i += 1000) {
    const hset = ['HSET', key];
    const hexp = ['HEXPIRE', key, '100000', 'FIELDS', '1000'];
    for (let j = i; j < i + 1000; j++) {
      hset.push(`f${j}`, `v${j}`);
      hexp.push(`f${j}`);
    }
    shard.exec([hset, hexp]);
  }
}

/** A base image (what a rewrite writes) of the given RDB entries, with a correct checksum. */
function baseOf(entries: string[], crcOk = true): Uint8Array {
  const body = rdbHeader(1_700_000_000_000, entries.length, 0, true) + entries.join('') + RDB_EOF;
  const crc = crcOk ? new Crc64().update(body).bytes() : '\x01\x02\x03\x04\x05\x06\x07\x08';
  return toBytes(body + crc);
}

/** A set whose framing is intact but whose members repeat: its loader refuses it. */
function duplicateSet(key: string): string {
  return new Writer(false).byte(T_SET).str(key).len(2).str('x').str('x').drain();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a hash with 130k field TTLs', () => {
  it('DUMP → RESTORE keeps every field and deadline (payload and command)', () => {
    const shard = fresh();
    bigTtlHash(shard, 'h');
    const h = shard.db.data.get('h') as HashObj;
    expect(h.x!.t.size).toBe(FIELDS);
    const r = restorePayload(dumpPayload(h));
    expect(r.ok).toBe(true);
    const got = (r as unknown as { value: HashObj }).value;
    expect(got.x!.t.size).toBe(FIELDS);
    expect(got.x!.min).toBe(h.x!.min);
    expect([...got.x!.t].sort()).toEqual([...h.x!.t].sort());
    // The commands: DUMP's reply restored under another key.
    const [dump] = shard.exec([['DUMP', 'h']]).replies;
    expect(dump!.t).toBe('bulk');
    const restored = shard.exec([['RESTORE', 'h2', '0', (dump as { v: string }).v], ['HLEN', 'h2'], ['HTTL', 'h2', 'FIELDS', '1', `f${FIELDS - 1}`]]).replies;
    expect(restored).toEqual([{ t: 'simple', v: 'OK' }, { t: 'int', v: FIELDS }, { t: 'arr', v: [{ t: 'int', v: 100000 }] }]);
  });

  it('loads from a base image, beside the other keys of the shard', () => {
    const shard = fresh();
    bigTtlHash(shard, 'h');
    shard.exec([['SET', 'canary', 'alive']]);
    const w = RDB_SNAPSHOT.writer(0);
    const parts = [w.begin(2, 0)];
    for (const k of shard.db.data.keys()) parts.push(w.entry(k, shard.db.data.get(k)!, shard.db.getExpire(k)));
    parts.push(w.end());
    const back = fresh();
    const rep = emptyReport();
    loadBase(back, toBytes(parts.join('')), RDB_SNAPSHOT, rep);
    expect(rep).toMatchObject({ keys: 2, skippedKeys: 0, lastError: '' });
    expect(digestDiff(digest(shard), digest(back))).toEqual([]);
    expect(back.exec([['GET', 'canary'], ['HLEN', 'h']]).replies).toEqual([{ t: 'bulk', v: 'alive' }, { t: 'int', v: FIELDS }]);
  });
});

describe('tolerant recovery', () => {
  it('stepping over a value by its framing ends exactly where loading it ends, for every type', () => {
    const shard = fresh();
    const many = (n: number, f: (i: number) => string[]) => Array.from({ length: n }, (_, i) => f(i)).flat();
    shard.exec([
      ['SET', 's', 'x'], ['SET', 'i', '12345'], ['SET', 'long', 'abc'.repeat(100)],
      ['RPUSH', 'l', ...many(3000, (i) => [`item-${i}`])],
      ['HSET', 'hl', 'f', 'v'], ['HSET', 'ht', ...many(600, (i) => [`f${i}`, `v${i}`])],
      ['HSET', 'hx', 'a', '1', 'b', '2'], ['HEXPIRE', 'hx', '100', 'FIELDS', '1', 'a'],
      ['SADD', 'si', '1', '2', '3'], ['SADD', 'ss', 'a', 'b'], ['SADD', 'sh', ...many(600, (i) => [`m${i}`])],
      ['ZADD', 'zl', '1.5', 'a', '2', 'b'], ['ZADD', 'zs', ...many(200, (i) => [String(i / 3), `m${i}`])],
      ['XADD', 'x', '1-1', 'f', 'v'], ['XADD', 'x', '2-1', 'f', 'w', 'g', 'z'], ['XGROUP', 'CREATE', 'x', 'g1', '0'],
      ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'x', '>'], ['XDEL', 'x', '2-1'],
    ]);
    const bodies: Array<[string, string]> = [...shard.db.data].map(([k, v]) => {
      const w = new Writer(true);
      saveObject(w, v, null);
      return [k, w.drain()];
    });
    // Older forms Redis still loads: a plain list and a zset with string-encoded scores.
    bodies.push(['oldlist', new Writer(false).byte(T_LIST).len(2).str('a').str('b').drain()]);
    bodies.push(['oldzset', new Writer(false).byte(T_ZSET).len(2).str('a').byte(3).raw('1.5').str('b').byte(254).drain()]);
    expect(bodies.length).toBe(15);
    for (const [k, body] of bodies) {
      const bytes = toBytes(body + 'TRAILER');
      const a = new Reader(bytes, 1);
      loadObject(a, bytes[0]!, defaultLimits());
      const b = new Reader(bytes, 1);
      skipObject(b, bytes[0]!);
      expect([k, b.pos]).toEqual([k, a.pos]);
      expect(a.pos).toBe(body.length);
    }
  });

  it('a base with one value that cannot load loads every other key, and says which it left out', () => {
    const ok = fresh();
    ok.exec([['SET', 'a', '1'], ['RPUSH', 'l', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1', 'm'], ['SET', 'e', 'v', 'PXAT', '1800000000000']]);
    const entries = [...ok.db.data.keys()].map((k) => rdbEntry(k, ok.db.data.get(k)!, ok.db.getExpire(k)));
    entries.splice(2, 0, duplicateSet('bad'));
    for (const crcOk of [true, false]) {
      const back = fresh();
      const rep = emptyReport();
      loadBase(back, baseOf(entries, crcOk), RDB_SNAPSHOT, rep);
      expect(rep.keys).toBe(5);
      expect(rep.skippedKeys).toBe(1);
      expect(rep.baseIncomplete).toBe(false);
      expect(rep.errors.some((e) => e.includes("'bad'") && e.includes('Duplicate set members'))).toBe(true);
      if (!crcOk) expect(rep.errors).toContain('Wrong RDB checksum');
      expect(digestDiff(digest(ok), digest(back))).toEqual([]);
    }
  });

  it('a value whose loader throws anything (not only a format error) is skipped', () => {
    const ok = fresh();
    const hset = ['HSET', 'h'];
    for (let i = 0; i < 600; i++) hset.push(`f${i}`, 'v'); // a hash table: its fields go into a Map
    ok.exec([['SET', 'a', '1'], hset, ['SET', 'b', '2']]);
    const entries = [...ok.db.data.keys()].map((k) => rdbEntry(k, ok.db.data.get(k)!, ok.db.getExpire(k)));
    // A loader bug of the kind issue 19 found (a RangeError thrown while building the value).
    const real = Map.prototype.set;
    vi.spyOn(Map.prototype, 'set').mockImplementation(function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
      if (k === 'f599') throw new RangeError('Maximum call stack size exceeded');
      return real.call(this, k, v);
    });
    const back = fresh();
    const rep = emptyReport();
    loadBase(back, baseOf(entries), RDB_SNAPSHOT, rep);
    vi.restoreAllMocks();
    expect(rep.skippedKeys).toBe(1);
    expect(rep.lastError).toContain("Corrupt value of key 'h': Maximum call stack size exceeded");
    expect([...back.db.data.keys()].sort()).toEqual(['a', 'b']);
  });

  it('corrupt framing stops the base where it is; the keys before it and the log segments load', () => {
    const ok = fresh();
    ok.exec([['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3']]);
    const entries = [...ok.db.data.keys()].map((k) => rdbEntry(k, ok.db.data.get(k)!, -1));
    // A string whose length runs past the end of the file: nothing after it can be found.
    entries.splice(2, 0, '\x00\x03bad\x80\x7f\xff\xff\xff');
    const back = fresh();
    const rep = emptyReport();
    loadBase(back, baseOf(entries), RDB_SNAPSHOT, rep);
    expect(rep.baseIncomplete).toBe(true);
    expect(rep.keys).toBe(2);
    replayLog(back, [{ seg: 2, data: toBytes(encodeCommand(['SET', 'd', '4'])) }], rep);
    expect(back.exec([['MGET', 'a', 'b', 'c', 'd']]).replies).toEqual([
      { t: 'arr', v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }, { t: 'nil' }, { t: 'bulk', v: '4' }] },
    ]);
  });

  it('a log record whose replay throws is skipped; the records after it replay', () => {
    const shard = fresh();
    const proto = Shard.prototype as unknown as { run: (argv: string[], resp: number) => unknown };
    const real = proto.run;
    vi.spyOn(proto, 'run').mockImplementation(function (this: Shard, argv: string[], resp: number) {
      if (argv[1] === 'boom') throw new RangeError('Maximum call stack size exceeded');
      return real.call(this, argv, resp);
    });
    const log = [['SET', 'a', '1'], ['SET', 'boom', 'x'], ['INCR', 'a']].map(encodeCommand).join('');
    const rep = emptyReport();
    replayLog(shard, [{ seg: 1, data: toBytes(log) }], rep);
    vi.restoreAllMocks();
    expect(rep.skippedRecords).toBe(1);
    expect(rep.lastError).toContain('Maximum call stack size exceeded');
    expect(shard.exec([['GET', 'a'], ['EXISTS', 'boom']]).replies).toEqual([{ t: 'bulk', v: '2' }, { t: 'int', v: 0 }]);
  });

  it('unreadable log bytes drop the rest of their segment only, and a torn last segment asks for a fresh one', () => {
    const shard = fresh();
    const rec = (...argv: string[]) => encodeCommand(argv);
    const seg1 = rec('SET', 'a', '1') + '*2\r\n?garbage\r\n' + rec('SET', 'lost', 'x');
    const seg2 = rec('SET', 'b', '2') + rec('SET', 'c', '3').slice(0, 9); // a torn last record
    const rep = emptyReport();
    // Records may span rows: seg2 arrives in two rows.
    replayLog(shard, [{ seg: 1, data: toBytes(seg1) }, { seg: 2, data: toBytes(seg2.slice(0, 5)) }, { seg: 2, data: toBytes(seg2.slice(5)) }], rep);
    expect(rep.skippedRecords).toBe(1);
    expect(rep.truncatedBytes).toBeGreaterThanOrEqual(9);
    expect(rep.tailBroken).toBe(true);
    expect(shard.exec([['MGET', 'a', 'lost', 'b', 'c']]).replies).toEqual([
      { t: 'arr', v: [{ t: 'bulk', v: '1' }, { t: 'nil' }, { t: 'bulk', v: '2' }, { t: 'nil' }] },
    ]);
    const clean = emptyReport();
    replayLog(fresh(), [{ seg: 1, data: toBytes(seg1) }, { seg: 2, data: toBytes(rec('SET', 'b', '2')) }], clean);
    expect(clean.tailBroken).toBe(false);
  });
});
