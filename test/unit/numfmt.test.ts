// Number formatting and parsing against real Redis: fmtG17 vs ZSCORE (%.17g in Redis 7.0), keyflare's
// INCRBYFLOAT vs Redis's (long double), and the strict parsers' edge cases vs what Redis accepts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtG17, parseFloatStrict, parseI64, parseInt53 } from '../../src/protocol/numfmt.js';
import { LocalBackend } from '../../src/server/local.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';

let redis: RedisProc;
let c: RawClient;
beforeAll(async () => {
  redis = await startRedis();
  c = await RawClient.connect(redis.port);
}, 30_000);
afterAll(async () => {
  c?.close();
  await redis?.stop();
});

/** A decimal literal that strtod reads back as exactly x. */
const lit = (x: number) => (x === Infinity ? 'inf' : x === -Infinity ? '-inf' : Object.is(x, -0) ? '-0' : String(x));
const text = (reply: string) => {
  const f = parseReply(reply)!.frame;
  return f.t === 'bulk' || f.t === 'err' ? f.v : JSON.stringify(f);
};

/** Redis's %.17g of each value: ZADD then ZSCORE, pipelined. */
async function redisG17(xs: number[]): Promise<string[]> {
  const cmds: string[][] = [['DEL', 'z']];
  xs.forEach((x, i) => cmds.push(['ZADD', 'z', lit(x), `m${i}`], ['ZSCORE', 'z', `m${i}`]));
  const out = await c.call(cmds);
  return xs.map((_, i) => text(out[2 + 2 * i]!));
}

/** Doubles exactly halfway between two 17-digit decimals: odd m × 2^-k with 18 significant digits. */
const ties = fc.integer({ min: 2, max: 25 }).chain((k) => {
  const five = 5n ** BigInt(k);
  const lo = (10n ** 17n + five - 1n) / five;
  let hi = (10n ** 18n - 1n) / five;
  if (hi > 2n ** 53n - 1n) hi = 2n ** 53n - 1n;
  return fc.bigInt({ min: lo, max: hi }).map((m) => {
    const odd = m % 2n === 0n ? m + 1n : m;
    return Number(odd) / 2 ** k;
  }).filter((x) => String(BigInt(Math.round(x * 2 ** k)) * five).length === 18);
});

describe('fmtG17 is printf("%.17g") as ZSCORE prints it', () => {
  it('known values', async () => {
    const xs = [1, -1, 0.1, 1 / 3, 1e16, 1e17, 123456789012345680000, 1e-4, 1.5e-5, 1e21, 5e-324, 1e-310, Number.MAX_VALUE, -Number.MIN_VALUE, Infinity, -Infinity, 1 + 2 ** -17, 2 ** -25, 0.5, 100, 99999999999999999];
    expect(xs.map(fmtG17)).toEqual(await redisG17(xs));
  });

  it('random doubles', async () => {
    const xs = fc.sample(fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)), 3000);
    expect(xs.map(fmtG17)).toEqual(await redisG17(xs));
  });

  it('random doubles of moderate magnitude (fixed notation)', async () => {
    const xs = fc.sample(fc.oneof(fc.double({ min: -1e17, max: 1e17, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })).filter((x) => x !== 0), 3000);
    expect(xs.map(fmtG17)).toEqual(await redisG17(xs));
  });

  it('exact ties round half to even, like glibc', async () => {
    const xs = fc.sample(fc.oneof(ties, ties.map((x) => -x)), 1000);
    expect(xs.map(fmtG17)).toEqual(await redisG17(xs));
  });

  it('signed zero and nan follow C', () => {
    expect(fmtG17(0)).toBe('0');
    expect(fmtG17(-0)).toBe('-0');
    expect(fmtG17(NaN)).toBe('nan');
  });
});

/** Redis's INCRBYFLOAT from 0 by each literal. */
/** SET k a; INCRBYFLOAT k b on Redis, for each pair: the reply text. */
async function redisIncr(pairs: Array<[string, string]>): Promise<string[]> {
  const cmds: string[][] = [];
  pairs.forEach(([a, b], i) => cmds.push(['SET', `f${i}`, a], ['INCRBYFLOAT', `f${i}`, b]));
  const out = await c.call(cmds);
  return pairs.map((_, i) => text(out[2 * i + 1]!));
}
/** The same through keyflare's own INCRBYFLOAT (the long-double code in engine/str-longdouble.ts). */
async function ourIncr(pairs: Array<[string, string]>): Promise<string[]> {
  const s = new LocalBackend(1).session();
  const cmds: string[][] = [];
  pairs.forEach(([a, b], i) => cmds.push(['SET', `f${i}`, a], ['INCRBYFLOAT', `f${i}`, b]));
  const out = await s.run(cmds);
  return pairs.map((_, i) => (out[2 * i + 1] as { v: string }).v);
}

describe('INCRBYFLOAT computes in long double as Redis does', () => {
  it('known pairs', async () => {
    const pairs: Array<[string, string]> = [
      ['0', '1000.1'], ['0.1', '0.2'], ['10.5', '0.1'], ['0', '123456.789'], ['0', '1e400'], ['0', '1e308'], ['0', '1e-400'],
      ['0', '1e4932'], ['1e4932', '1e4932'], ['0', '1e-4950'], ['0', '1e-5000'], ['0', 'inf'], ['5', '-inf'], ['x', '1'], ['1', 'x'],
      ['0', '0x10'], ['0x1p-3', '0X.8'], ['1', '-1'], ['-0.1', '0.1'], ['-1e-30', '0'], ['5.0e3', '2.0e2'], ['3', ' 1'], ['', '1'],
      ['0', '12345678901234567890'], ['9223372036854775807', '1'], ['0', '1.00000762939453125'], ['0', '0.000003814697265625'],
      ['0', '-0.000000000000000005'], ['0', '0.000000000000000015'], ['0', '0.000000000000000025'], ['0', '1e5000'], ['0', '0e999999'],
      ['010', '1'], ['0', '+.5'], ['0', '5.'], ['0', '.'], ['0', '1e'], ['0', 'nan'], ['0', '0x'], ['0', '0x1p20000'], ['0', '0x1p-16445'], ['0', '0x1p-16446'],
    ];
    expect(await ourIncr(pairs)).toEqual(await redisIncr(pairs));
  });

  it('random operands', async () => {
    const literal = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(lit),
      fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 99999 })).map(([i, f]) => `${i}.${f}`),
      fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -5000, max: 5000 })).map(([m, e]) => `${m}e${e}`),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    );
    const pairs = fc.sample(fc.tuple(literal, literal), 3000);
    expect(await ourIncr(pairs)).toEqual(await redisIncr(pairs));
  });
});

/** What Redis says of a literal as an integer (SETRANGE offset path: INCRBY) and as a float (ZADD). */
async function redisAccepts(lits: string[]): Promise<Array<{ int: boolean; float: boolean }>> {
  const cmds: string[][] = [];
  lits.forEach((l) => cmds.push(['SET', 'n', '0'], ['INCRBY', 'n', l], ['ZADD', 'zf', l, 'm']));
  const out = await c.call(cmds);
  return lits.map((_, i) => ({ int: !out[3 * i + 1]!.startsWith('-'), float: !out[3 * i + 2]!.startsWith('-') }));
}

describe('parseI64 and parseFloatStrict accept what Redis accepts', () => {
  const lits = [
    '0', '-0', '+1', '01', '00', ' 1', '1 ', '1\t', '', '-', '+', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
    '-9223372036854775809', '99999999999999999999', '12345678901234567890', '1.0', '1e3', '1E3', '.5', '5.', '.', 'inf', '-inf', '+inf',
    'Infinity', '-INFINITY', 'infinit', 'nan', '-nan', 'NaN', '1e400', '-1e400', '1e-400', '0e400', '0.0e-999', '1e308', '4.9e-324', '2e-324',
    '0x10', '0X1p-2', '0x.8', '-0x1P3', '0x', '0x1p', '0xg', '1e', '1e+', '--1', '1_0', '١', '0.000000000000000000000000001',
  ];
  it('the same verdicts as INCRBY and ZADD', async () => {
    const r = await redisAccepts(lits);
    const ours = lits.map((l) => ({ int: parseI64(l) !== null, float: parseFloatStrict(l) !== null }));
    expect(Object.fromEntries(lits.map((l, i) => [l, ours[i]]))).toEqual(Object.fromEntries(lits.map((l, i) => [l, r[i]])));
  });

  it('values', () => {
    expect(parseI64('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseI64('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseInt53('9007199254740991')).toBe(9007199254740991);
    expect(parseInt53('9007199254740992')).toBeNull();
    expect(parseInt53('-42')).toBe(-42);
    expect(parseFloatStrict('0x10')).toBe(16);
    expect(parseFloatStrict('0X1p-2')).toBe(0.25);
    expect(parseFloatStrict('-0x1P3')).toBe(-8);
    expect(parseFloatStrict('0x.8')).toBe(0.5);
    expect(parseFloatStrict('4.9e-324')).toBe(5e-324);
    expect(parseFloatStrict('-inf')).toBe(-Infinity);
    expect(Object.is(parseFloatStrict('-0'), -0)).toBe(true);
  });

  it('random integers round-trip and agree with BigInt', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(parseI64(v.toString())).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        expect(parseFloatStrict(lit(x))).toBe(x);
      }),
    );
  });
});
