// Shared pieces of the geo commands: Redis's argument helpers (coordinates, units, distances,
// boxes) with their exact errors, and printf-exact number formatting (%f, %.4f, %.17Lf).
import { dblText, err, type Frame } from '../protocol/frame.js';
import { parseFloatStrict } from '../protocol/numfmt.js';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from '../engine/geohash.js';

/**
 * C's printf("%.<d>f", x), exact: JS toFixed is exact too except that it breaks ties away from
 * zero where glibc breaks them to even. A tie at d decimals means |x|·2^(d+1) is an odd integer.
 */
export function fixed(x: number, d: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return 'nan';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e21) {
    s = BigInt(a).toString() + (d > 0 ? '.' + '0'.repeat(d) : '');
  } else {
    const scaled = a * 2 ** (d + 1);
    if (Number.isInteger(scaled) && scaled < 2 ** 53 && scaled % 2 === 1) {
      // a·10^d = m·5^d / 2 exactly, halfway between n and n + 1: take the even one.
      let n = (BigInt(scaled) * 5n ** BigInt(d) - 1n) / 2n;
      if (n % 2n === 1n) n += 1n;
      const t = n.toString().padStart(d + 1, '0');
      s = d > 0 ? t.slice(0, t.length - d) + '.' + t.slice(t.length - d) : t;
    } else s = a.toFixed(d);
  }
  return neg ? '-' + s : s;
}

/** ld2string(LD_STR_HUMAN) of a double: "%.17Lf" with trailing zeros (and a bare '.') cut; "-0" → "0". */
export function humanLD(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  let s = fixed(x, 17);
  if (s.includes('.')) {
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s[l - 1] === '.') l--;
    s = s.slice(0, l);
  }
  return s === '-0' ? '0' : s;
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a double with the same text in RESP3. */
export const humanReply = (x: number): Frame => dblText(x, humanLD(x));

/** addReplyDoubleDistance (Redis 7.0): "%.4f" as a bulk string in both protocols. */
export const distText = (d: number): string => fixed(d, 4);

/** getDoubleFromObjectOrReply with an optional custom message. */
export function doubleArg(s: string, msg?: string): number | Frame {
  const v = parseFloatStrict(s);
  if (v === null) return err(msg ? `ERR ${msg}` : 'ERR value is not a valid float');
  return v;
}

/** extractLongLatOrReply: two floats, then the WGS84 limits check with Redis's %f message. */
export function lonLatArg(lonS: string, latS: string): [number, number] | Frame {
  const lon = doubleArg(lonS);
  if (typeof lon !== 'number') return lon;
  const lat = doubleArg(latS);
  if (typeof lat !== 'number') return lat;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    return err(`ERR invalid longitude,latitude pair ${fixed(lon, 6)},${fixed(lat, 6)}`);
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit (case-insensitive), or Redis's error. */
export function unitArg(u: string): number | Frame {
  switch (u.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      return err('ERR unsupported unit provided. please use M, KM, FT, MI');
  }
}

/** extractDistanceOrReply: [radius (in the unit), meters per unit]. */
export function distanceArg(radiusS: string, unitS: string): [number, number] | Frame {
  const r = doubleArg(radiusS, 'need numeric radius');
  if (typeof r !== 'number') return r;
  if (r < 0) return err('ERR radius cannot be negative');
  const conv = unitArg(unitS);
  if (typeof conv !== 'number') return conv;
  return [r, conv];
}

/** extractBoxOrReply: [width, height (in the unit), meters per unit]. */
export function boxArg(wS: string, hS: string, unitS: string): [number, number, number] | Frame {
  const w = doubleArg(wS, 'need numeric width');
  if (typeof w !== 'number') return w;
  const h = doubleArg(hS, 'need numeric height');
  if (typeof h !== 'number') return h;
  if (h < 0 || w < 0) return err('ERR height or width cannot be negative');
  const conv = unitArg(unitS);
  if (typeof conv !== 'number') return conv;
  return [w, h, conv];
}
