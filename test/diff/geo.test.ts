// Differential tests of the geo family against real Redis 7.0: GEOADD scores, GEOPOS/GEODIST/GEOHASH
// text, every GEOSEARCH/GEORADIUS option and error, result order (sorted and unsorted), STORE
// variants and their encodings, COMMAND GETKEYS — RESP2 and RESP3, small and big sorted sets.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

const CITIES: Array<[number, number, string]> = [
  [13.361389, 38.115556, 'Palermo'], [15.087269, 37.502669, 'Catania'], [12.496366, 41.902782, 'Rome'],
  [9.189982, 45.4642035, 'Milan'], [2.352222, 48.856613, 'Paris'], [-0.127758, 51.507351, 'London'],
  [13.404954, 52.520008, 'Berlin'], [-3.70379, 40.416775, 'Madrid'], [-74.005974, 40.712776, 'NewYork'],
  [139.691711, 35.689487, 'Tokyo'], [151.209290, -33.868820, 'Sydney'], [-58.381559, -34.603684, 'BuenosAires'],
  [18.423300, -33.918861, 'CapeTown'], [-149.900278, 61.218056, 'Anchorage'], [-68.703333, 82.5, 'Alert'],
  [179.9, 0.5, 'DatelineE'], [-179.9, 0.5, 'DatelineW'], [0, 0, 'NullIsland'], [-0.0001, -0.0001, 'NearNull'],
  [166.668, -77.846, 'McMurdo'], [37.617635, 55.755814, 'Moscow'], [103.819836, 1.352083, 'Singapore'],
];

/** A deterministic point cloud (LCG): `n` points in [lon0±dlon] × [lat0±dlat]. */
function cloud(n: number, seed: number, lon0: number, lat0: number, dlon: number, dlat: number, prefix: string): Array<[number, number, string]> {
  let x = seed >>> 0;
  const r = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < n; i++) {
    const lon = Math.max(-180, Math.min(180, lon0 + (r() * 2 - 1) * dlon));
    const lat = Math.max(-85, Math.min(85, lat0 + (r() * 2 - 1) * dlat));
    out.push([Number(lon.toFixed(6)), Number(lat.toFixed(6)), `${prefix}${i}`]);
  }
  return out;
}

function geoadd(key: string, pts: Array<[number, number, string]>): Cmd[] {
  const out: Cmd[] = [];
  for (let i = 0; i < pts.length; i += 50) {
    const c: Cmd = ['GEOADD', key];
    for (const [lon, lat, m] of pts.slice(i, i + 50)) c.push(String(lon), String(lat), m);
    out.push(c);
  }
  return out;
}

/** The same script with the set small (listpack) and forced big (skiplist). */
async function bothEncodings(script: Cmd[]): Promise<void> {
  await d.check([['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ...script]);
  await d.check([['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ...script, ['CONFIG', 'SET', 'zset-max-listpack-entries', '128']]);
}

describe('GEOADD', () => {
  it('scores equal to Redis, options, replies and errors', async () => {
    const names = CITIES.map((c) => c[2]);
    await bothEncodings([
      ...geoadd('g', CITIES),
      ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
      ['GEOADD', 'g', 'CH', '13.5', '38.1', 'Palermo', '1', '1', 'new1'],
      ['GEOADD', 'g', 'NX', '1', '2', 'Palermo', '3', '4', 'nx1'],
      ['GEOADD', 'g', 'XX', '1', '2', 'Palermo', '3', '4', 'xx1'],
      ['GEOADD', 'g', 'XX', 'CH', '5', '6', 'Palermo'],
      ['GEOADD', 'g', 'ch', 'nx', '7', '8', 'lower'],
      ['GEOADD', 'g', 'NX', 'XX', '1', '2', 'a'],
      ['GEOADD', 'g', 'GT', '1', '2', 'a'],
      ['GEOADD', 'g', '1', '2', 'a', '3'],
      ['GEOADD', 'g', '1', '2'],
      ['GEOADD', 'g', 'CH', 'CH', 'CH'],
      ['GEOADD', 'g', '181', '0', 'a'],
      ['GEOADD', 'g', '0', '85.05112879', 'a'],
      ['GEOADD', 'g', '0', '-91', 'a'],
      ['GEOADD', 'g', 'inf', '0', 'a'],
      ['GEOADD', 'g', '0', '-inf', 'a'],
      ['GEOADD', 'g', '1e300', '0', 'a'],
      ['GEOADD', 'g', '-0', '100', 'a'],
      ['GEOADD', 'g', '0.0000005', '-100.0000005', 'a'],
      ['GEOADD', 'g', 'x', '0', 'a'],
      ['GEOADD', 'g', '0', 'nan', 'a'],
      ['GEOADD', 'g', '1', '1', 'ok', '200', '0', 'bad'],
      ['ZSCORE', 'g', 'ok'],
      ['GEOADD', 'g', '180', '85.05112878', 'corner', '-180', '-85.05112878', 'corner2', '180', '-85.05112878', 'c3', '-180', '85.05112878', 'c4'],
      ['GEOADD', 'g', '0', '0', 'zero', '-0.0000001', '0.0000001', 'tiny', '0x10', '1e1', 'hexexp'],
      ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', 'g'],
      ['GEOPOS', 'g', ...names, 'corner', 'corner2', 'c3', 'c4', 'zero', 'tiny', 'hexexp', 'missing'],
      ['GEOHASH', 'g', ...names, 'corner', 'corner2', 'c3', 'c4', 'zero', 'tiny', 'missing'],
      ['SET', 'str', 'x'],
      ['GEOADD', 'str', '1', '1', 'a'],
      ['GEOADD', 'fresh', 'XX', '1', '1', 'a'],
      ['EXISTS', 'fresh'],
    ]);
  });

  it('members longer than zset-max-listpack-value convert the set like ZADD', async () => {
    await d.check([
      ['GEOADD', 'g', '1', '1', 'short'],
      ['OBJECT', 'ENCODING', 'g'],
      ['GEOADD', 'g', '1', '1', 'x'.repeat(65)],
      ['OBJECT', 'ENCODING', 'g'],
      ['GEOADD', 'h', '1', '1', 'y'.repeat(65)],
      ['OBJECT', 'ENCODING', 'h'],
    ]);
  });
});

describe('GEOPOS / GEODIST / GEOHASH', () => {
  it('replies, units, missing keys and members, errors', async () => {
    await bothEncodings([
      ...geoadd('g', CITIES),
      ['GEOPOS', 'g', 'Palermo', 'nope', 'Sydney'],
      ['GEOPOS', 'nokey', 'a', 'b'],
      ['GEOPOS', 'g'],
      ['GEOHASH', 'nokey', 'a'],
      ['GEOHASH', 'g'],
      ['GEODIST', 'g', 'Palermo', 'Catania'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'km'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'KM'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'mi'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'ft'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'm'],
      ['GEODIST', 'g', 'Palermo', 'Palermo'],
      ['GEODIST', 'g', 'Tokyo', 'Alert'],
      ['GEODIST', 'g', 'DatelineE', 'DatelineW'],
      ['GEODIST', 'g', 'NullIsland', 'NearNull', 'ft'],
      ['GEODIST', 'g', 'Sydney', 'BuenosAires', 'km'],
      ['GEODIST', 'g', 'McMurdo', 'Alert', 'mi'],
      ['GEODIST', 'g', 'Palermo', 'nope'],
      ['GEODIST', 'g', 'nope', 'Palermo'],
      ['GEODIST', 'nokey', 'a', 'b'],
      ['GEODIST', 'nokey', 'a', 'b', 'parsec'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'parsec'],
      ['GEODIST', 'g', 'Palermo', 'Catania', 'km', 'extra'],
      ['GEODIST', 'g', 'Palermo'],
      ['SET', 'str', 'x'],
      ['GEOPOS', 'str', 'a'],
      ['GEOHASH', 'str', 'a'],
      ['GEODIST', 'str', 'a', 'b'],
      ['GEODIST', 'str', 'a', 'b', 'parsec'],
    ]);
  });

  it('scores that are not geohashes decode as Redis decodes them', async () => {
    await d.check([
      ['ZADD', 'z', '-1', 'neg', '1e300', 'big', 'inf', 'pinf', '-inf', 'ninf', '0.5', 'half', '4503599627370496', 'p52', '9007199254740993', 'p53',
        '18014398509481984', 'p54', '9223372036854775808', 'p63', '18446744073709551616', 'p64', '-9223372036854775808', 'n63', '-1e30', 'nbig', '3.7', 'frac'],
      ['GEOPOS', 'z', 'neg', 'big', 'pinf', 'ninf', 'half', 'p52', 'p53', 'p54', 'p63', 'p64', 'n63', 'nbig', 'frac'],
      ['GEOHASH', 'z', 'neg', 'big', 'pinf', 'ninf', 'half', 'p52', 'p53', 'p54', 'p63', 'p64', 'n63', 'nbig', 'frac'],
      ['GEODIST', 'z', 'neg', 'big'],
      ['GEODIST', 'z', 'p53', 'frac', 'km'],
      ['GEOSEARCH', 'z', 'FROMLONLAT', '0', '0', 'BYRADIUS', '30000', 'km', 'WITHHASH', 'WITHCOORD', 'WITHDIST', 'ASC'],
      ['GEOSEARCH', 'z', 'FROMMEMBER', 'neg', 'BYBOX', '100', '100', 'km', 'WITHHASH', 'WITHCOORD'],
    ]);
  });
});

const EUROPE = cloud(300, 7, 10, 45, 15, 10, 'p');
const WORLD = cloud(200, 99, 0, 0, 180, 85, 'w');
const POLAR = cloud(60, 5, 0, 78, 180, 7, 'n');
const DUPS: Array<[number, number, string]> = Array.from({ length: 30 }, (_, i) => [12.5 + (i % 3) * 0.01, 41.9, `d${i}`]);

describe('GEOSEARCH / GEORADIUS results', () => {
  const shapes: string[][] = [
    ['BYRADIUS', '200', 'km'], ['BYRADIUS', '1000', 'km'], ['BYRADIUS', '5000', 'km'], ['BYRADIUS', '20000', 'km'],
    ['BYRADIUS', '0', 'm'], ['BYRADIUS', '50', 'mi'], ['BYRADIUS', '300000', 'ft'], ['BYRADIUS', '3', 'km'],
    ['BYBOX', '400', '400', 'km'], ['BYBOX', '2000', '500', 'km'], ['BYBOX', '100', '3000', 'mi'], ['BYBOX', '40000', '40000', 'km'],
    ['BYBOX', '0', '0', 'm'], ['BYBOX', '1', '1000', 'km'],
  ];
  const centers: string[][] = [
    ['FROMLONLAT', '12.5', '41.9'], ['FROMLONLAT', '0', '0'], ['FROMLONLAT', '179.99', '-10'], ['FROMLONLAT', '-179.99', '60'],
    ['FROMLONLAT', '10', '84.9'], ['FROMLONLAT', '10', '-84'], ['FROMMEMBER', 'Paris'], ['FROMMEMBER', 'p17'], ['FROMMEMBER', 'Anchorage'],
  ];

  it('unsorted, ASC, DESC, WITH* over many shapes and centres (small and big sets)', async () => {
    const script: Cmd[] = [...geoadd('g', [...CITIES, ...EUROPE, ...WORLD, ...POLAR])];
    for (const c of centers) {
      for (const s of shapes) {
        script.push(['GEOSEARCH', 'g', ...c, ...s]);
        script.push(['GEOSEARCH', 'g', ...c, ...s, 'DESC', 'WITHDIST']);
        script.push(['GEOSEARCH', 'g', ...c, ...s, 'ASC', 'WITHCOORD', 'WITHHASH', 'WITHDIST']);
      }
    }
    // Big set (> 128 entries): skiplist in both.
    await d.check(script);
  }, 120_000);

  it('small sets (listpack) give the same order as Redis', async () => {
    const script: Cmd[] = [...geoadd('g', [...CITIES, ...EUROPE.slice(0, 60)])];
    for (const c of centers.slice(0, 7)) {
      for (const s of shapes) script.push(['GEOSEARCH', 'g', ...c, ...s, 'WITHDIST']);
    }
    script.push(['OBJECT', 'ENCODING', 'g']);
    await d.check(script);
  }, 60_000);

  it('COUNT (partial sort), COUNT ANY, ties among equal distances', async () => {
    const script: Cmd[] = [...geoadd('g', [...CITIES, ...EUROPE, ...DUPS])];
    for (const n of ['1', '2', '5', '7', '10', '41', '50', '100', '1000']) {
      script.push(['GEOSEARCH', 'g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '3000', 'km', 'COUNT', n]);
      script.push(['GEOSEARCH', 'g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '3000', 'km', 'COUNT', n, 'DESC', 'WITHDIST']);
      script.push(['GEOSEARCH', 'g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '3000', 'km', 'COUNT', n, 'ANY']);
      script.push(['GEOSEARCH', 'g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '3000', 'km', 'COUNT', n, 'ANY', 'ASC', 'WITHDIST']);
      script.push(['GEOSEARCH', 'g', 'FROMMEMBER', 'd0', 'BYBOX', '50', '50', 'km', 'COUNT', n, 'WITHDIST']);
      script.push(['GEOSEARCH', 'g', 'FROMMEMBER', 'd4', 'BYRADIUS', '2', 'km', 'COUNT', n, 'DESC']);
      script.push(['GEORADIUS', 'g', '12.5', '41.9', '1500', 'km', 'COUNT', n]);
      script.push(['GEORADIUSBYMEMBER_RO', 'g', 'd1', '1500', 'km', 'COUNT', n, 'ANY', 'DESC']);
    }
    await d.check(script);
    await d.check([['CONFIG', 'SET', 'zset-max-listpack-entries', '1000'], ...script, ['OBJECT', 'ENCODING', 'g'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128']], [2]);
  }, 120_000);

  it('GEORADIUS / GEORADIUSBYMEMBER and _RO forms', async () => {
    await bothEncodings([
      ...geoadd('g', [...CITIES, ...EUROPE.slice(0, 40)]),
      ['GEORADIUS', 'g', '15', '37', '200', 'km'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC'],
      ['GEORADIUS', 'g', '15', '37', '2000', 'km', 'DESC', 'COUNT', '3'],
      ['GEORADIUS_RO', 'g', '15', '37', '2000', 'mi', 'withdist', 'asc'],
      ['GEORADIUSBYMEMBER', 'g', 'Palermo', '500', 'km', 'WITHDIST'],
      ['GEORADIUSBYMEMBER_RO', 'g', 'Rome', '1000', 'km', 'WITHCOORD', 'COUNT', '4', 'ANY'],
      ['georadiusbymember', 'g', 'Rome', '1000', 'KM', 'withhash', 'desc'],
    ]);
  });

  it('a member of a non-geo set still searches as its decoded score', async () => {
    await d.check([
      ['ZADD', 'z', '0', 'a', '1', 'b', '1000', 'c', '3471579339700058', 'near'],
      ['GEOSEARCH', 'z', 'FROMMEMBER', 'a', 'BYRADIUS', '100', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH'],
      ['GEORADIUS', 'z', '-180', '-85', '500', 'km'],
      ['GEOSEARCH', 'z', 'FROMLONLAT', '10', '40', 'BYRADIUS', '1000', 'km'],
    ]);
  });
});

describe('GEOSEARCHSTORE / STORE / STOREDIST', () => {
  it('stored sets, scores, encodings, empty results delete the destination', async () => {
    await d.check([
      ...geoadd('{t}g', [...CITIES, ...EUROPE]),
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '300', 'km'],
      ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', '{t}d'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '12.5', '41.9', 'BYRADIUS', '300', 'km', 'STOREDIST'],
      ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '12.5', '41.9', 'BYBOX', '2000', '2000', 'km', 'STOREDIST', 'COUNT', '5', 'DESC'],
      ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '10', '45', 'BYBOX', '5000', '5000', 'km'],
      ['ZCARD', '{t}d'],
      ['OBJECT', 'ENCODING', '{t}d'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '-100', '-60', 'BYRADIUS', '1', 'm'],
      ['EXISTS', '{t}d'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMLONLAT', '-100', '-60', 'BYRADIUS', '1', 'm'],
      ['SET', '{t}d', 'string'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMMEMBER', 'Rome', 'BYRADIUS', '10', 'km', 'STOREDIST'],
      ['TYPE', '{t}d'],
      ['ZRANGE', '{t}d', '0', '-1', 'WITHSCORES'],
      ['SET', '{t}e', 'x', 'EX', '100'],
      ['GEOSEARCHSTORE', '{t}e', '{t}g', 'FROMMEMBER', 'Rome', 'BYRADIUS', '10', 'km'],
      ['TTL', '{t}e'],
      ['GEOSEARCHSTORE', '{t}d', '{t}nokey', 'FROMMEMBER', 'Rome', 'BYRADIUS', '10', 'km'],
      ['EXISTS', '{t}d'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMMEMBER', 'Rome', 'BYRADIUS', '10', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', '{t}d', '{t}g', 'FROMMEMBER', 'nope', 'BYRADIUS', '10', 'km'],
      ['GEORADIUS', '{t}g', '12.5', '41.9', '500', 'km', 'STORE', '{t}r'],
      ['ZRANGE', '{t}r', '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', '{t}g', '12.5', '41.9', '500', 'km', 'STOREDIST', '{t}r', 'COUNT', '3'],
      ['ZRANGE', '{t}r', '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', '{t}g', '12.5', '41.9', '500', 'km', 'STORE', '{t}r', 'STOREDIST', '{t}s'],
      ['EXISTS', '{t}r', '{t}s'],
      ['GEORADIUSBYMEMBER', '{t}g', 'Rome', '500', 'mi', 'STOREDIST', '{t}r', 'DESC', 'COUNT', '4'],
      ['ZRANGE', '{t}r', '0', '-1', 'WITHSCORES'],
      ['GEORADIUSBYMEMBER', '{t}nokey', 'Rome', 'x', 'y', 'STORE', '{t}r'],
      ['EXISTS', '{t}r'],
      ['GEORADIUSBYMEMBER', '{t}nokey', 'Rome', 'x', 'y'],
      ['GEORADIUS', '{t}nokey', '1', '2', '10', 'km', 'STORE', '{t}r'],
      ['GEORADIUS', '{t}g', '12.5', '41.9', '500', 'km', 'STORE', '{t}r', 'WITHDIST'],
      ['GEORADIUS_RO', '{t}g', '12.5', '41.9', '500', 'km', 'STORE', '{t}r'],
      ['GEORADIUSBYMEMBER_RO', '{t}g', 'Rome', '500', 'km', 'STOREDIST', '{t}r'],
      ['GEORADIUS', '{t}g', '12.5', '41.9', '500', 'km', 'STORE'],
    ]);
  });
});

describe('search errors', () => {
  it('argument errors in Redis\'s order', async () => {
    await d.check([
      ...geoadd('g', CITIES),
      ['SET', 'str', 'x'],
      ['GEOSEARCH', 'str', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'str', 'a', 'b', 'c', 'd', 'e'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo'],
      ['GEOSEARCH', 'g', 'BYRADIUS', '10', 'km', 'ASC', 'DESC'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'WITHDIST', 'WITHHASH'],
      ['GEOSEARCH', 'G', 'FROMLONLAT', '1', '2', 'WITHDIST', 'WITHHASH'],
      ['geoSearch', 'g', 'BYBOX', '1', '1', 'km', 'WITHHASH'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '10', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'g', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '10', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'nope', 'BYRADIUS', '10', 'km'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', '10', 'km'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', 'x', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '200', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', 'x', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '-1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', 'x', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'parsec'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', 'x', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '1', 'x', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '-1', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '1', '-1', 'parsec'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '1', '1', 'parsec'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'COUNT', '0'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'COUNT', '-3'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'COUNT', 'x'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'COUNT'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'STOREDIST'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km', 'BOGUS'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYBOX', '1', '1'],
      ['GEORADIUS', 'g', '1', '2', '3'],
      ['GEORADIUS', 'g', '200', '2', '3', 'km'],
      ['GEORADIUS', 'g', '1', '2', '-3', 'km'],
      ['GEORADIUS', 'g', '1', '2', '3', 'km', 'FROMMEMBER', 'Palermo'],
      ['GEORADIUS', 'g', '1', '2', '3', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEORADIUS', 'g', '1', '2', '3', 'km', 'ANY'],
      ['GEORADIUS', 'g', '1', '2', '3', 'km', 'COUNT', '0'],
      ['GEORADIUS', 'nokey', '1', '2', '3', 'km', 'BOGUS'],
      ['GEORADIUS', 'str', '1', '2', '3', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'nope', '3', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'Palermo', '3', 'parsec'],
      ['GEORADIUSBYMEMBER', 'nokey', 'Palermo', '3', 'parsec', 'WITHDIST'],
      ['GEORADIUSBYMEMBER', 'nokey', 'Palermo', '3', 'km', 'COUNT', '0'],
      ['GEORADIUSBYMEMBER_RO', 'g', 'Palermo', '3', 'km', 'STORE', 'x'],
    ]);
  });
});

describe('key positions', () => {
  it('COMMAND GETKEYS and COMMAND INFO match Redis', async () => {
    await d.check([
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE', 'a', 'STOREDIST', 'b'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', '1', 'm', 'storedist', 'b', 'store', 'a'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE', 'a', 'STORE', 'b'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', '1', 'm', 'x', 'STORE'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', 'STORE', 'm', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'k', 'm', '1', 'm', 'STORE', 'x'],
      ['COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'k', 'm', '1', 'STORE', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS_RO', 'k', '0', '0', '1', 'm', 'STORE', 'x'],
      ['COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'd', 's', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'm'],
      ['COMMAND', 'GETKEYS', 'GEOADD', 'k', '1', '2', 'm'],
      ['COMMAND', 'INFO', 'geoadd', 'geopos', 'geodist', 'geohash', 'geosearch', 'geosearchstore', 'georadius', 'georadius_ro', 'georadiusbymember', 'georadiusbymember_ro'],
    ]);
  });

  it('cross-slot STORE destinations are refused as in Redis Cluster', async () => {
    await d.check([
      ['GEOADD', '{a}g', '1', '1', 'm'],
      ['GEORADIUS', '{a}g', '1', '1', '10', 'km', 'STORE', '{b}d'],
      ['GEOSEARCHSTORE', '{b}d', '{a}g', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
    ]);
  });
});

describe('propagation', () => {
  it('GEOADD is logged as the ZADD Redis runs; replaying the log rebuilds the same set', async () => {
    const { Shard } = await import('../../src/shard/shard.js');
    const { ManualClock } = await import('../../src/engine/clock.js');
    const info = { index: 0, count: 1, slots: [0, 16383] as const };
    const a = new Shard(info, new ManualClock(), 1);
    const effects: string[][] = [];
    const run = (argv: string[]) => {
      const r = a.exec([argv]);
      effects.push(...r.effects);
      return r.replies[0]!;
    };
    run(['GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania']);
    expect(effects).toEqual([['zadd', 'g', 'CH', '3479099956230698', 'Palermo', '3479447370796909', 'Catania']]);
    run(['GEOADD', 'g', 'NX', '1', '1', 'Palermo']); // changes nothing: nothing logged
    run(['GEOADD', 'g', '181', '1', 'x']);
    expect(effects.length).toBe(1);
    run(['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST']);
    run(['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'r']);
    expect(effects.length).toBe(3);
    const b = new Shard(info, new ManualClock(), 2);
    b.exec(effects);
    for (const k of ['g', 'd', 'r']) {
      expect(b.exec([['ZRANGE', k, '0', '-1', 'WITHSCORES']]).replies).toEqual(a.exec([['ZRANGE', k, '0', '-1', 'WITHSCORES']]).replies);
    }
  });
});
