// Property tests of the geohash port: bit interleaving against a bit-by-bit model, encode/decode
// round trips within one cell, neighbours that tile the grid, the partial quicksort, and the
// printf-exact / correctly rounded helpers on cases checked against glibc and mpmath.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GEO_STEP_MAX, WGS84_LAT, WGS84_LONG, align52, calculateAreas, decodeScore, geohashDecode, geohashEncode, geohashNeighbors,
  interleave64, scoreBitsOf, scoreToBits, standardGeohash, type HashBits,
} from '../../src/engine/geohash.js';
import { crAsin, crCos, crSin } from '../../src/engine/geo-libm.js';
import { pqsort } from '../../src/commands/geo-pqsort.js';
import { fixed, humanLD } from '../../src/commands/geo-common.js';

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -85.05112878, max: 85.05112878, noNaN: true });

function naiveInterleave(x: number, y: number): bigint {
  let r = 0n;
  for (let i = 0; i < 32; i++) {
    if ((x >>> i) & 1) r |= 1n << BigInt(2 * i);
    if ((y >>> i) & 1) r |= 1n << BigInt(2 * i + 1);
  }
  return r;
}

describe('geohash bits', () => {
  it('interleave64 matches a bit-by-bit model', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (x, y) => {
      expect(interleave64(x, y)).toBe(naiveInterleave(x, y));
    }));
  });

  it('scores decode to the centre of their cell and re-encode to the same score', () => {
    fc.assert(fc.property(lon, lat, (x, y) => {
      const bits = scoreBitsOf(x, y)!;
      const score = Number(bits);
      const [dx, dy] = decodeScore(score);
      // One cell at most, give or take the last bit of a double (a bound met exactly, seen at lon 180).
      expect(Math.abs(dx - x)).toBeLessThanOrEqual(360 / 2 ** 26 + 1e-15);
      expect(Math.abs(dy - y)).toBeLessThanOrEqual(170.10225756 / 2 ** 26 + 1e-15);
      // Points on (or rounding onto) the upper edges spill a bit over the 52, as in Redis.
      if (bits < 2n ** 52n) expect(scoreBitsOf(dx, dy)).toBe(bits);
      else expect(180 - x < 1e-12 || 85.05112878 - y < 1e-12).toBe(true);
      const [hi, lo] = scoreToBits(score);
      expect(BigInt(hi) * 2n ** 32n + BigInt(lo)).toBe(BigInt(score));
    }));
  });

  it('the geohash string is the standard one (base32 of -90..90 / -180..180 bits)', () => {
    // Well-known geohashes of public places (the 11th character is Redis's padding '0').
    expect(standardGeohash(Number(scoreBitsOf(13.361389, 38.115556)))).toBe('sqc8b49rny0');
    expect(standardGeohash(Number(scoreBitsOf(-0.1278, 51.5074))).slice(0, 6)).toBe('gcpvj0');
    expect(standardGeohash(Number(scoreBitsOf(0, 0)))).toBe('s0000000000');
  });

  it('non-geo scores convert as x86-64 does (uint64_t)score', () => {
    expect(scoreToBits(-1)).toEqual([0xffffffff, 0xffffffff]);
    expect(scoreToBits(Infinity)).toEqual([0, 0]);
    expect(scoreToBits(-Infinity)).toEqual([0x80000000, 0]);
    expect(scoreToBits(2 ** 63)).toEqual([0x80000000, 0]);
    expect(scoreToBits(3.7)).toEqual([0, 3]);
  });
});

describe('neighbours', () => {
  const cell = fc.tuple(lon, lat, fc.integer({ min: 1, max: GEO_STEP_MAX })).map(([x, y, step]) => geohashEncode(WGS84_LONG, WGS84_LAT, x, y, step)!)
    .filter((h) => h.bits < 2n ** BigInt(2 * h.step));
  const same = (a: HashBits, b: HashBits) => a.bits === b.bits && a.step === b.step;

  it('moves are inverse to each other and wrap around', () => {
    fc.assert(fc.property(cell, (h) => {
      const n = geohashNeighbors(h);
      expect(same(geohashNeighbors(n.east).west, h)).toBe(true);
      expect(same(geohashNeighbors(n.north).south, h)).toBe(true);
      expect(same(geohashNeighbors(n.north_east).south_west, h)).toBe(true);
      expect(same(geohashNeighbors(n.south_east).north_west, h)).toBe(true);
      for (const x of Object.values(n)) expect(x.bits < 2n ** BigInt(2 * h.step)).toBe(true);
    }));
  });

  it('neighbour cells touch the centre cell', () => {
    fc.assert(fc.property(cell, (h) => {
      const a = geohashDecode(WGS84_LONG, WGS84_LAT, h)!;
      const n = geohashNeighbors(h);
      const e = geohashDecode(WGS84_LONG, WGS84_LAT, n.east)!;
      const north = geohashDecode(WGS84_LONG, WGS84_LAT, n.north)!;
      if (a.lon.max < 180) expect(e.lon.min).toBeCloseTo(a.lon.max, 9);
      else expect(e.lon.min).toBe(-180);
      if (a.lat.max < 85.05112878 - 1e-9) expect(north.lat.min).toBeCloseTo(a.lat.max, 9);
      expect(e.lat).toEqual(a.lat);
    }));
  });

  it('the 9 search cells cover the radius around the centre', () => {
    fc.assert(fc.property(fc.double({ min: -179, max: 179, noNaN: true }), fc.double({ min: -60, max: 60, noNaN: true }), fc.double({ min: 1, max: 500_000, noNaN: true }), (x, y, r) => {
      const { cells } = calculateAreas({ type: 'radius', lon: x, lat: y, conversion: 1, radius: r });
      // The centre point's own score lies in the centre cell's score range.
      const s = Number(scoreBitsOf(x, y));
      const c = cells[0]!;
      expect(s >= Number(align52(c)) && s < Number(align52({ bits: c.bits + 1n, step: c.step }))).toBe(true);
    }));
  });
});

describe('pqsort', () => {
  it('puts ranks l..r in sorted order, like a full sort', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), fc.nat(), fc.nat(), (a, i, j) => {
      if (a.length === 0) return;
      const l = Math.min(i, j) % a.length;
      const r = Math.min(l + (Math.max(i, j) % a.length), a.length - 1);
      const b = [...a];
      pqsort(b, (x, y) => x - y, l, r);
      const full = [...a].sort((x, y) => x - y);
      expect(b.slice(l, r + 1)).toEqual(full.slice(l, r + 1));
      expect([...b].sort((x, y) => x - y)).toEqual(full);
    }));
  });
});

describe('number formatting and libm', () => {
  it('%.Nf rounds exact ties to even like glibc, everything else exactly', () => {
    expect(fixed(0.03125, 4)).toBe('0.0312');
    expect(fixed(0.09375, 4)).toBe('0.0938');
    expect(fixed(181, 6)).toBe('181.000000');
    expect(fixed(-0, 6)).toBe('-0.000000');
    expect(fixed(85.05112879, 6)).toBe('85.051129');
    expect(fixed(2.5, 0)).toBe('2');
    expect(humanLD(13.361389338970184)).toBe('13.36138933897018433');
    expect(humanLD(180)).toBe('180');
    expect(humanLD(-0)).toBe('0');
  });

  it('sin/cos/asin are correctly rounded where V8 and glibc are not (values checked with mpmath)', () => {
    expect(crSin(-2.635939883693713)).toBe(-0.48437862475687504);
    expect(crSin(-0.6903612951989903)).toBe(-0.6368157881534225);
    expect(crAsin(0.24364620936103165)).toBe(0.24612359135378906);
    expect(crCos(1.3430539648979902)).toBe(0.22577875805698513);
    fc.assert(fc.property(fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), (x) => {
      expect(Math.abs(crSin(x) - Math.sin(x))).toBeLessThanOrEqual(Math.abs(Math.sin(x)) * 2.3e-16 + 1e-300);
      if (Math.abs(x) <= Math.PI / 2) expect(Math.abs(crCos(x) - Math.cos(x))).toBeLessThanOrEqual(Math.cos(x) * 2.3e-16);
    }));
  });
});
