// Bitmaps and bitfields against real Redis: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

describe('SETBIT / GETBIT', () => {
  it('set, clear, grow, read back, encodings, errors', async () => {
    await d.check([
      ['SETBIT', 'b', '7', '1'],
      ['GET', 'b'],
      ['SETBIT', 'b', '7', '1'],
      ['SETBIT', 'b', '7', '0'],
      ['SETBIT', 'b', '100', '1'],
      ['GET', 'b'],
      ['STRLEN', 'b'],
      ['GETBIT', 'b', '100'],
      ['GETBIT', 'b', '99'],
      ['GETBIT', 'b', '100000'],
      ['GETBIT', 'nokey', '3'],
      ['OBJECT', 'ENCODING', 'b'],
      ['SET', 'i', '12'],
      ['GETBIT', 'i', '2'],
      ['GETBIT', 'i', '3'],
      ['SETBIT', 'i', '0', '0'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SET', 'e', 'ab'],
      ['SETBIT', 'e', '6', '1'],
      ['OBJECT', 'ENCODING', 'e'],
      ['GET', 'e'],
      ['SETBIT', 'b', '-1', '1'],
      ['SETBIT', 'b', 'x', '1'],
      ['SETBIT', 'b', '#1', '1'],
      ['SETBIT', 'b', '4294967296', '1'],
      ['SETBIT', 'b', '1', '2'],
      ['SETBIT', 'b', '1', '-1'],
      ['SETBIT', 'b', '1', 'x'],
      ['GETBIT', 'b', '-1'],
      ['GETBIT', 'b', '4294967296'],
      ['GETBIT', 'b', '4294967295'],
      ['LPUSH', 'l', 'x'],
      ['SETBIT', 'l', '1', '1'],
      ['SETBIT', 'l', 'bad', '1'],
      ['GETBIT', 'l', '1'],
      ['GETBIT', 'l', 'bad'],
      ['SETBIT', 'b', '1'],
      ['GETBIT', 'b'],
    ]);
  });

  it('keeps the TTL', async () => {
    await d.check([
      ['SET', 'k', 'a', 'EX', '100'],
      ['SETBIT', 'k', '20', '1'],
      ['TTL', 'k'],
    ]);
  });
});

describe('BITCOUNT', () => {
  it('whole string, byte and bit ranges, negatives, errors', async () => {
    const script: Cmd[] = [
      ['SET', 's', 'foobar\xff\x00\x81'],
      ['BITCOUNT', 's'],
      ['BITCOUNT', 'nokey'],
      ['BITCOUNT', 'nokey', '0'],
      ['BITCOUNT', 'nokey', 'a', 'b'],
      ['BITCOUNT', 's', '0'],
      ['BITCOUNT', 's', '0', 'x'],
      ['BITCOUNT', 's', 'x', '0'],
      ['BITCOUNT', 's', '0', '1', 'BOTH'],
      ['BITCOUNT', 's', '0', '1', 'byte', 'x'],
      ['SET', 'empty', ''],
      ['BITCOUNT', 'empty'],
      ['BITCOUNT', 'empty', '0', '-1'],
      ['BITCOUNT', 'empty', '0', '-1', 'BIT'],
      ['LPUSH', 'l', 'x'],
      ['BITCOUNT', 'l'],
      ['BITCOUNT', 'l', '0'],
      ['SET', 'n', '1234567'],
      ['BITCOUNT', 'n', '1', '3'],
      ['BITCOUNT', 's', '9223372036854775807', '-9223372036854775808'],
      ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807', 'BIT'],
      ['BITCOUNT', 's', '0', '99999999999999999999'],
    ];
    for (const [a, b] of [[0, 0], [1, 1], [0, -1], [-3, -1], [-1, -3], [2, 1], [-100, 100], [5, 100], [-2, -2]] as Array<[number, number]>) {
      script.push(['BITCOUNT', 's', a, b], ['BITCOUNT', 's', a, b, 'BYTE'], ['BITCOUNT', 's', a, b, 'bit']);
    }
    for (const [a, b] of [[3, 5], [7, 8], [1, 70], [9, 9], [-9, -2], [0, 71], [70, 100], [17, 22]] as Array<[number, number]>) script.push(['BITCOUNT', 's', a, b, 'BIT']);
    await d.check(script);
  });

  it('an empty negative range answers :0 before the unit is looked at', async () => {
    await d.check([
      ['SET', 'k', 'abcdef'], ['BITCOUNT', 'k', '-1', '-100', 'WORD'], ['BITCOUNT', 'k', '-1', '-100', 'x'],
      ['BITCOUNT', 'k', '-1', '-100', 'BIT'], ['BITCOUNT', 'k', '-100', '-1', 'WORD'], ['BITCOUNT', 'k', '0', '-100', 'WORD'],
      ['BITCOUNT', 'k', '5', '1', 'WORD'], ['BITCOUNT', 'k', 'x', '1', 'WORD'], ['BITCOUNT', 'k', '-1', 'x', 'WORD'],
      ['SET', 'e', ''], ['BITCOUNT', 'e', '-1', '-100', 'x'], ['BITCOUNT', 'e', '0', '0', 'x'],
      ['BITPOS', 'k', '1', '-1', '-100', 'WORD'], ['BITPOS', 'k', '1', '0', 'x', 'WORD'],
    ]);
  });

  it('matches Redis on random strings and ranges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 12 }), fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 }), fc.boolean(), async (bytes, a, b, bit) => {
        const v = String.fromCharCode(...bytes);
        for (const cmd of [['SET', 'r', v], ['BITCOUNT', 'r', a, b, bit ? 'BIT' : 'BYTE']] as Cmd[]) {
          const { redis, kf } = await d.pair(cmd);
          expect(kf).toBe(redis);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('BITPOS', () => {
  it('bits, ranges, BIT/BYTE, all-ones and all-zeros, errors', async () => {
    const script: Cmd[] = [
      ['BITPOS', 'nokey', '0'],
      ['BITPOS', 'nokey', '1'],
      ['BITPOS', 'nokey', '2'],
      ['BITPOS', 'nokey', '1', 'x'],
      ['SET', 'ones', '\xff\xff\xff'],
      ['SET', 'zeros', '\x00\x00\x00'],
      ['SET', 's', '\x00\x0f\xf0\x00\x81'],
      ['SET', 'empty', ''],
      ['BITPOS', 's', 'x'],
      ['BITPOS', 's', '-1'],
      ['BITPOS', 's', '1', 'x'],
      ['BITPOS', 's', '1', '0', 'x'],
      ['BITPOS', 's', '1', '0', '1', 'NOPE'],
      ['BITPOS', 's', '1', '0', '1', 'BIT', 'extra'],
      ['BITPOS', 'empty', '0'],
      ['BITPOS', 'empty', '1'],
      ['BITPOS', 'empty', '0', '0', '-1'],
      ['LPUSH', 'l', 'x'],
      ['BITPOS', 'l', '1'],
      ['BITPOS', 'l', '3'],
    ];
    for (const key of ['ones', 'zeros', 's']) {
      for (const bit of ['0', '1']) {
        script.push(['BITPOS', key, bit]);
        for (const start of [0, 1, -1, 2, 5, -100]) {
          script.push(['BITPOS', key, bit, start], ['BITPOS', key, bit, start, -1]);
          for (const end of [0, 1, 2, -1, -2, 100, 13, 23]) {
            script.push(['BITPOS', key, bit, start, end], ['BITPOS', key, bit, start, end, 'BYTE'], ['BITPOS', key, bit, start, end, 'BIT']);
          }
        }
      }
    }
    await d.check(script, [2]);
  });

  it('matches Redis on random strings and ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 10 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: -90, max: 90 }), fc.option(fc.integer({ min: -90, max: 90 })), fc.constantFrom('BIT', 'BYTE', ''),
        async (bytes, bit, a, b, unit) => {
          const cmd: Cmd = ['BITPOS', 'r', bit, a];
          if (b !== null) cmd.push(b);
          if (b !== null && unit) cmd.push(unit);
          for (const c of [['SET', 'r', String.fromCharCode(...bytes)], cmd] as Cmd[]) {
            const { redis, kf } = await d.pair(c);
            expect(kf, JSON.stringify({ bytes: [...bytes], c })).toBe(redis);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('BITOP', () => {
  it('AND, OR, XOR, NOT over uneven lengths, missing keys, errors', async () => {
    await d.check([
      ['SET', '{b}a', 'abc\xff'],
      ['SET', '{b}b', '\x0f\xf0'],
      ['SET', '{b}c', '12345678'],
      ['BITOP', 'AND', '{b}d', '{b}a', '{b}b'],
      ['GET', '{b}d'],
      ['BITOP', 'or', '{b}d', '{b}a', '{b}b', '{b}c'],
      ['GET', '{b}d'],
      ['OBJECT', 'ENCODING', '{b}d'],
      ['BITOP', 'Xor', '{b}d', '{b}a', '{b}none', '{b}c'],
      ['GET', '{b}d'],
      ['BITOP', 'AND', '{b}d', '{b}a', '{b}none'],
      ['GET', '{b}d'],
      ['BITOP', 'NOT', '{b}d', '{b}a'],
      ['GET', '{b}d'],
      ['BITOP', 'NOT', '{b}d', '{b}a', '{b}b'],
      ['BITOP', 'NAND', '{b}d', '{b}a'],
      ['SET', '{b}d', 'x', 'EX', '100'],
      ['BITOP', 'OR', '{b}d', '{b}a'],
      ['TTL', '{b}d'],
      ['BITOP', 'OR', '{b}d', '{b}none1', '{b}none2'],
      ['EXISTS', '{b}d'],
      ['BITOP', 'OR', '{b}d', '{b}none1'],
      ['SET', '{b}e', ''],
      ['BITOP', 'NOT', '{b}d', '{b}e'],
      ['EXISTS', '{b}d'],
      ['LPUSH', '{b}l', 'x'],
      ['BITOP', 'AND', '{b}d', '{b}a', '{b}l'],
      ['BITOP', 'AND', '{b}l', '{b}a'],
      ['TYPE', '{b}l'],
      ['BITOP', 'AND', '{b}d'],
      ['BITOP', 'AND', '{b}x', 'other'],
    ]);
  });
});

describe('BITFIELD / BITFIELD_RO', () => {
  it('GET/SET/INCRBY, signed and unsigned, # offsets, overflow modes', async () => {
    await d.check([
      ['BITFIELD', 'f'],
      ['EXISTS', 'f'],
      ['BITFIELD', 'f', 'GET', 'u8', '0'],
      ['EXISTS', 'f'],
      ['BITFIELD', 'f', 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'GET', 'i8', '0'],
      ['GET', 'f'],
      ['OBJECT', 'ENCODING', 'f'],
      ['BITFIELD', 'f', 'INCRBY', 'i5', '100', '1', 'GET', 'u4', '0'],
      ['BITFIELD', 'f', 'SET', 'u8', '#2', '255', 'GET', 'u8', '#2', 'GET', 'u16', '#1'],
      ['GET', 'f'],
      ['BITFIELD', 'f', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1'],
      ['BITFIELD', 'f', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '1'],
      ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '-10'],
      ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '5', 'INCRBY', 'u2', '100', '-5'],
      ['BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '200', '127', 'INCRBY', 'i8', '200', '1', 'INCRBY', 'i8', '200', '-1000'],
      ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '200', '127', 'INCRBY', 'i8', '200', '1000', 'INCRBY', 'i8', '200', '-1000', 'INCRBY', 'i8', '200', '-1000'],
      ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'i8', '200', '128', 'SET', 'i8', '200', '-129', 'SET', 'i8', '200', '-128', 'SET', 'u8', '200', '256', 'SET', 'u8', '200', '-1'],
      ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'i8', '200', '128', 'SET', 'i8', '200', '-129', 'SET', 'u8', '200', '256', 'SET', 'u8', '200', '-1', 'GET', 'u8', '200'],
      ['BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'SET', 'i8', '200', '128', 'SET', 'i8', '200', '-129', 'SET', 'u8', '200', '256', 'SET', 'u8', '200', '-1', 'GET', 'u8', '200'],
      ['BITFIELD', 'f', 'SET', 'i64', '300', '-9223372036854775808', 'GET', 'i64', '300', 'GET', 'u63', '300', 'GET', 'u63', '301'],
      ['BITFIELD', 'f', 'INCRBY', 'i64', '300', '-1', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '300', '-9223372036854775808', 'INCRBY', 'i64', '300', '9223372036854775807', 'INCRBY', 'i64', '300', '9223372036854775807'],
      ['BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'INCRBY', 'i64', '300', '9223372036854775807', 'INCRBY', 'i64', '300', '9223372036854775807'],
      ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '300', '9223372036854775807', 'INCRBY', 'i64', '300', '-9223372036854775808', 'INCRBY', 'i64', '300', '-9223372036854775808'],
      ['BITFIELD', 'f', 'SET', 'u63', '400', '9223372036854775807', 'INCRBY', 'u63', '400', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '400', '1', 'INCRBY', 'u63', '400', '-9223372036854775808', 'INCRBY', 'u63', '400', '9223372036854775807'],
      ['BITFIELD', 'f', 'SET', 'u1', '3', '1', 'SET', 'i1', '4', '-1', 'GET', 'i1', '4', 'SET', 'i1', '5', '1', 'GET', 'u3', '3'],
      ['BITFIELD', 'f', 'set', 'u7', '#3', '5', 'get', 'u7', '#3', 'incrby', 'u7', '#3', '200', 'overflow', 'sat', 'incrby', 'u7', '#3', '200'],
      ['GET', 'f'],
      ['BITFIELD', 'f', 'GET', 'i64', '100000', 'GET', 'u63', '1'],
      ['BITFIELD_RO', 'f', 'GET', 'i8', '0', 'GET', 'u4', '#3'],
      ['BITFIELD_RO', 'nokey', 'GET', 'i8', '0'],
      ['BITFIELD_RO', 'f'],
      ['SET', 'n', '255'],
      ['BITFIELD', 'n', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'],
      ['GET', 'n'],
    ]);
  });

  it('errors and their order', async () => {
    await d.check([
      ['BITFIELD', 'f', 'GET', 'u64', '0'],
      ['BITFIELD', 'f', 'GET', 'i65', '0'],
      ['BITFIELD', 'f', 'GET', 'i0', '0'],
      ['BITFIELD', 'f', 'GET', 'x8', '0'],
      ['BITFIELD', 'f', 'GET', 'i', '0'],
      ['BITFIELD', 'f', 'GET', 'i08', '0'],
      ['BITFIELD', 'f', 'GET', 'I8', '0'],
      ['BITFIELD', 'f', 'GET', 'i8\x00z', '0'],
      ['BITFIELD', 'f', 'GET', 'u8', '-1'],
      ['BITFIELD', 'f', 'GET', 'u8', '#-1'],
      ['BITFIELD', 'f', 'GET', 'u8', '#'],
      ['BITFIELD', 'f', 'GET', 'u8', '##1'],
      ['BITFIELD', 'f', 'GET', 'u8', '4294967295'],
      ['BITFIELD', 'f', 'GET', 'u8', '4294967296'],
      ['BITFIELD', 'f', 'GET', 'u8', '#536870911'],
      ['BITFIELD', 'f', 'GET', 'u8', '#536870912'],
      ['BITFIELD', 'f', 'GET', 'i64', '#1152921504606846976'],
      ['BITFIELD', 'f', 'GET', 'u8'],
      ['BITFIELD', 'f', 'SET', 'u8', '0'],
      ['BITFIELD', 'f', 'SET', 'u8', '0', 'x'],
      ['BITFIELD', 'f', 'INCRBY', 'u8', '0', '1.5'],
      ['BITFIELD', 'f', 'OVERFLOW'],
      ['BITFIELD', 'f', 'OVERFLOW', 'NOPE'],
      ['BITFIELD', 'f', 'NOPE', 'u8', '0'],
      ['BITFIELD', 'f', 'GET', 'u8', '0', 'SET', 'x8', '0', '1'],
      ['EXISTS', 'f'],
      ['BITFIELD_RO', 'f', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'f', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD_RO', 'f', 'OVERFLOW', 'SAT'],
      ['BITFIELD_RO', 'f', 'SET', 'x8', '0', '1'],
      ['EXISTS', 'f'],
      ['LPUSH', 'l', 'x'],
      ['BITFIELD', 'l', 'GET', 'u8', '0'],
      ['BITFIELD', 'l', 'SET', 'u8', '0', '1'],
      ['BITFIELD', 'l', 'SET', 'x8', '0', '1'],
      ['BITFIELD_RO', 'l', 'GET', 'u8', '0'],
      ['BITFIELD'],
      ['BITFIELD_RO'],
    ]);
  });

  it('matches Redis on random operation sequences', async () => {
    const typ = fc.oneof(fc.integer({ min: 1, max: 64 }).map((n) => `i${n}`), fc.integer({ min: 1, max: 63 }).map((n) => `u${n}`));
    const val = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })).map(String);
    const off = fc.oneof(fc.integer({ min: 0, max: 80 }).map(String), fc.integer({ min: 0, max: 6 }).map((n) => `#${n}`));
    const op = fc.oneof(
      fc.tuple(fc.constant('GET'), typ, off),
      fc.tuple(fc.constant('SET'), typ, off, val),
      fc.tuple(fc.constant('INCRBY'), typ, off, val),
      fc.tuple(fc.constant('OVERFLOW'), fc.constantFrom('WRAP', 'SAT', 'FAIL')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), async (calls) => {
        await d.pair(['DEL', 'p']);
        for (const ops of calls) {
          const cmd: Cmd = ['BITFIELD', 'p', ...ops.flat()];
          const r = await d.pair(cmd);
          expect(r.kf, JSON.stringify(cmd)).toBe(r.redis);
        }
        const g = await d.pair(['GET', 'p']);
        expect(g.kf).toBe(g.redis);
      }),
      { numRuns: 200 },
    );
  });
});

describe('COMMAND INFO', () => {
  it('describes the bitmap and HyperLogLog commands as Redis does', async () => {
    await d.check([
      ['COMMAND', 'INFO', 'setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro'],
      ['COMMAND', 'INFO', 'pfadd', 'pfcount', 'pfmerge', 'pfdebug', 'pfselftest'],
      ['COMMAND', 'GETKEYS', 'BITOP', 'AND', 'd', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'PFDEBUG', 'GETREG', 'k'],
      ['COMMAND', 'GETKEYS', 'PFCOUNT', 'a', 'b'],
    ]);
  });
});
