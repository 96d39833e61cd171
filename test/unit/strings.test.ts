// Unit tests of the string family's logged effects: deterministic (relative times made absolute,
// INCRBYFLOAT as SET … KEEPTTL, GETEX as PEXPIREAT/PERSIST/DEL) and replayable into a fresh shard.
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../src/server/commands/table.js';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import { addLD, fmtLDHuman, parseLD } from '../../src/engine/str-longdouble.js';
import { LocalBackend } from '../../src/server/local.js';

const T0 = 1_700_000_000_000;

/** Run commands one by one on a fresh 4-shard backend; returns it and every logged effect in order. */
async function run(cmds: string[][], clock = new ManualClock(T0), step = 0) {
  const backend = new LocalBackend(4, clock);
  const s = backend.session();
  const replies = [];
  for (const cmd of cmds) {
    replies.push((await s.run([cmd]))[0]!);
    clock.advance(step);
  }
  return { backend, replies, effects: backend.logs.flat() };
}

/** The effects logged for one key (its shard's log, filtered by the key argument), in order. */
function logOf(backend: LocalBackend, key: string): string[][] {
  return backend.logs[backend.slots.shardOfKey(key)]!.filter((e) => e[1] === key);
}

describe('string effects are deterministic', () => {
  it('relative and absolute expiries are logged as SET … PXAT <abs ms>', async () => {
    const { backend } = await run([
      ['SET', 'a', '1', 'EX', '100'],
      ['SET', 'b', '1', 'PX', '5000', 'NX'],
      ['SET', 'c', '1', 'EXAT', '1800000000'],
      ['SET', 'd', '1', 'PXAT', '1800000000123'],
      ['SETEX', 'e', '10', 'v'],
      ['PSETEX', 'f', '1500', 'v'],
      ['set', 'g', '1', 'get'],
      ['SET', 'g', '2', 'KEEPTTL', 'GET', 'get'],
    ]);
    expect(logOf(backend, 'a')).toContainEqual(['SET', 'a', '1', 'PXAT', String(T0 + 100_000)]);
    expect(logOf(backend, 'b')).toContainEqual(['SET', 'b', '1', 'PXAT', String(T0 + 5000)]);
    expect(logOf(backend, 'c')).toContainEqual(['SET', 'c', '1', 'PXAT', '1800000000000']);
    expect(logOf(backend, 'd')).toContainEqual(['SET', 'd', '1', 'PXAT', '1800000000123']);
    expect(logOf(backend, 'e')).toContainEqual(['SET', 'e', 'v', 'PXAT', String(T0 + 10_000)]);
    expect(logOf(backend, 'f')).toContainEqual(['SET', 'f', 'v', 'PXAT', String(T0 + 1500)]);
    // GET is a read: the SET is propagated without it.
    expect(logOf(backend, 'g')).toEqual([['set', 'g', '1'], ['SET', 'g', '2', 'KEEPTTL']]);
  });

  it('INCRBYFLOAT is logged as SET key <result> KEEPTTL; GETSET as SET; GETDEL as DEL', async () => {
    const { backend } = await run([
      ['SET', 'f', '10.5'],
      ['INCRBYFLOAT', 'f', '0.1'],
      ['INCRBYFLOAT', 'f', '1e3'],
      ['GETSET', 'gs', 'x'],
      ['GETDEL', 'gs'],
      ['GETDEL', 'gs'],
    ]);
    expect(logOf(backend, 'f')).toEqual([['SET', 'f', '10.5'], ['SET', 'f', '10.6', 'KEEPTTL'], ['SET', 'f', '1010.59999999999999998', 'KEEPTTL']]); // as Redis 7.0 answers
    expect(logOf(backend, 'gs')).toEqual([['SET', 'gs', 'x'], ['DEL', 'gs']]);
  });

  it('GETEX is logged as PEXPIREAT <abs ms>, PERSIST or DEL', async () => {
    const { backend } = await run([
      ['SET', 'k', 'v'],
      ['GETEX', 'k'],
      ['GETEX', 'k', 'EX', '100'],
      ['GETEX', 'k', 'PX', '100'],
      ['GETEX', 'k', 'EXAT', '1800000000'],
      ['GETEX', 'k', 'PXAT', '1800000000001'],
      ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'k', 'EXAT', '1'],
    ]);
    expect(logOf(backend, 'k')).toEqual([
      ['SET', 'k', 'v'],
      ['PEXPIREAT', 'k', String(T0 + 100_000)],
      ['PEXPIREAT', 'k', String(T0 + 100)],
      ['PEXPIREAT', 'k', '1800000000000'],
      ['PEXPIREAT', 'k', '1800000000001'],
      ['PERSIST', 'k'],
      ['DEL', 'k'],
    ]);
  });

  it('reads and writes that change nothing log nothing', async () => {
    const { effects } = await run([
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['SET', 'k', 'w', 'NX'],
      ['SET', 'n', 'w', 'XX'],
      ['SETNX', 'k', 'x'],
      ['MSETNX', '{t}a', '1', '{t}a', '2'],
      ['MSETNX', '{t}a', '1'],
      ['SETRANGE', 'k', '3', ''],
      ['STRLEN', 'k'],
      ['GETRANGE', 'k', '0', '-1'],
      ['MGET', 'k', 'n'],
      ['LCS', 'k', 'k'],
      ['INCR', 'k'],
      ['INCRBYFLOAT', 'k', 'x'],
      ['SET', 'k', 'v', 'EX', '0'],
    ]);
    expect(effects).toEqual([['SET', 'k', 'v'], ['MSETNX', '{t}a', '1', '{t}a', '2']]);
  });

  it('the same script at the same start time logs the same effects', async () => {
    const script = [
      ['SET', 'a', '1', 'EX', '100'],
      ['INCRBYFLOAT', 'a', '0.1'],
      ['SETEX', 'b', '5', 'x'],
      ['GETEX', 'b', 'PX', '700'],
      ['APPEND', 'b', 'yz'],
      ['SETRANGE', 'c', '3', 'q'],
      ['INCRBY', 'c2', '9223372036854775807'],
    ];
    const one = await run(script, new ManualClock(T0), 250);
    const two = await run(script, new ManualClock(T0), 250);
    expect(one.effects).toEqual(two.effects);
    expect(one.replies).toEqual(two.replies);
  });
});

describe('replaying logged string effects', () => {
  it('reproduces values, deadlines and raw encodings in a fresh shard', async () => {
    const script = [
      ['SET', 'a', '1', 'EX', '100'],
      ['INCR', 'a'],
      ['INCRBYFLOAT', 'a', '0.1'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['INCRBYFLOAT', 'z', '0.1'],
      ['SETEX', 'b', '5', 'x'],
      ['PSETEX', 'c', '60000', 'y'],
      ['SET', 'd', 'v', 'EXAT', '1800000000', 'GET'],
      ['SET', 'd', 'w', 'KEEPTTL', 'GET'],
      ['APPEND', 'e', 'abc'],
      ['APPEND', 'e', '\x00\xff'],
      ['SETRANGE', 'f', '4', 'xyz'],
      ['SETRANGE', 'f', '0', 'ab'],
      ['MSET', '{m}1', 'one', '{m}2', 'two'],
      ['MSETNX', '{m}3', 'three', '{m}4', 'four'],
      ['GETSET', 'g', 'first'],
      ['GETSET', 'g', 'second'],
      ['SET', 'h', 'gone'],
      ['GETDEL', 'h'],
      ['INCRBY', 'i', '-9223372036854775808'],
      ['DECRBY', 'j', '42'],
      ['SET', 'past', 'v', 'PXAT', '1000'],
      ['GET', 'past'],
      ['SETNX', 'k', 'kept'],
      ...(TABLE.has('pexpireat') && TABLE.has('persist')
        ? [['SET', 'x', 'v'], ['GETEX', 'x', 'EX', '50'], ['SET', 'y', 'v', 'EX', '10'], ['GETEX', 'y', 'PERSIST'], ['SET', 'w', 'v'], ['GETEX', 'w', 'EXAT', '1']]
        : []),
    ];
    const clock = new ManualClock(T0);
    const { backend } = await run(script, clock, 1000);
    // Replay much later: deadlines must come out of the log, not from the replaying clock.
    const later = new ManualClock(T0 + 3_600_000);
    backend.shards.forEach((orig, i) => {
      const fresh = new Shard(orig.info, later, i + 1);
      fresh.replay(backend.logs[i]!);
      expect(new Map(fresh.db.data)).toEqual(new Map(orig.db.data));
      expect(new Map(fresh.db.expires)).toEqual(new Map(orig.db.expires));
      expect(new Set(fresh.db.rawStrings)).toEqual(new Set(orig.db.rawStrings));
    });
    const all = new Map(backend.shards.flatMap((s) => [...s.db.data]));
    expect(all.get('z')).toBe('0.3');
    expect(all.get('a')).toBe('2.1');
    expect(all.get('f')).toBe('ab\x00\x00xyz');
    expect(all.has('past')).toBe(false);
    expect(all.has('h')).toBe(false);
  });
});

describe('long double arithmetic', () => {
  const inc = (a: string, b: string) => {
    const x = parseLD(a), y = parseLD(b);
    const r = x && y ? addLD(x, y) : null;
    return r && !r.inf ? fmtLDHuman(r) : null;
  };
  it('adds and prints as x87 long double (values checked against Redis 7.0 on x86-64)', () => {
    expect(inc('10.5', '0.1')).toBe('10.6');
    expect(inc('0.2', '0.1')).toBe('0.3');
    expect(inc('0', '5.0e3')).toBe('5000');
    expect(inc('0', '-0')).toBe('0');
    expect(inc('0', '1e20')).toBe('100000000000000000000');
    expect(inc('0', '0x1p3')).toBe('8');
    expect(inc('8', '1e-4940')).toBe('8');
    expect(inc('0', '1e400')!.slice(0, 40)).toBe('1000000000000000000028188068394758651458');
    expect(inc('0', '1e-5000')).toBeNull();
    expect(inc('0', '1.2e4932')).toBeNull();
    expect(inc('1e4932', '1.1e4932')).toBeNull();
    expect(inc('0', 'nan')).toBeNull();
    expect(inc('0', ' 1')).toBeNull();
  });
});
