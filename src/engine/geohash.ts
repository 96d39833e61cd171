// Redis 7.0's geohash math (geohash.c, geohash_helper.c, geo.c's score decoding) ported operation
// for operation, so scores, cells, neighbours, distances and search areas match Redis bit for bit.

import { crAsin, crCos, crSin } from './geo-libm.js';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
/** C folds (M_PI / 180.0) into one constant: the same double as here. */
const D_R = Math.PI / 180.0;

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

export interface GeoRange {
  min: number;
  max: number;
}

/** A cell: `bits` holds 2*step interleaved bits (latitude on even bits, longitude on odd ones). */
export interface HashBits {
  bits: bigint;
  step: number;
}

export interface GeoArea {
  lon: GeoRange;
  lat: GeoRange;
}

export const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

/** The low 16 bits of v spread onto the even bits of a 32-bit value. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** The even bits of a 32-bit value packed into 16 bits. */
function squash32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(x, y): x's 32 bits on the even bits, y's on the odd bits. */
export function interleave64(x: number, y: number): bigint {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** C's (uint32_t) of a double already known to lie in [0, 2^32). */
const toU32 = (x: number): number => Math.trunc(x) >>> 0;

/** geohashEncode: null where Redis returns 0 (bad step, coordinates outside the limits or ranges). */
export function geohashEncode(lonR: GeoRange, latR: GeoRange, lon: number, lat: number, step: number): HashBits | null {
  if (step > 32 || step === 0 || (!latR.max && !latR.min) || (!lonR.max && !lonR.min)) return null;
  if (lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878) return null;
  if (lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max) return null;
  let latOff = (lat - latR.min) / (latR.max - latR.min);
  let lonOff = (lon - lonR.min) / (lonR.max - lonR.min);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  return { bits: interleave64(toU32(latOff), toU32(lonOff)), step };
}

export function geohashEncodeWGS84(lon: number, lat: number, step: number): HashBits | null {
  return geohashEncode(WGS84_LONG, WGS84_LAT, lon, lat, step);
}

/** geohashAlign52Bits: the cell's bits shifted to the top of the 52-bit score. */
export function align52(h: HashBits): bigint {
  return U64(h.bits << BigInt(52 - h.step * 2));
}

/** The sorted set score GEOADD stores for a point (geohashEncodeWGS84 at step 26, aligned). */
export function scoreBitsOf(lon: number, lat: number): bigint | null {
  const h = geohashEncodeWGS84(lon, lat, GEO_STEP_MAX);
  return h ? align52(h) : null;
}

/** geohashDecode of deinterleaved cell coordinates (latI, lonI are uint32). */
function decodeCell(lonR: GeoRange, latR: GeoRange, latI: number, lonI: number, step: number): GeoArea {
  const latScale = latR.max - latR.min;
  const lonScale = lonR.max - lonR.min;
  const div = 2 ** step;
  // (ilato + 1) is uint32 arithmetic in C: it wraps at 2^32.
  return {
    lat: { min: latR.min + ((latI * 1.0) / div) * latScale, max: latR.min + ((((latI + 1) >>> 0) * 1.0) / div) * latScale },
    lon: { min: lonR.min + ((lonI * 1.0) / div) * lonScale, max: lonR.min + ((((lonI + 1) >>> 0) * 1.0) / div) * lonScale },
  };
}

/** deinterleave64 of a 64-bit value given as two uint32 halves: [lat (even bits), lon (odd bits)]. */
function deinterleave(hi: number, lo: number): [number, number] {
  const lat = (squash32(lo) | (squash32(hi) << 16)) >>> 0;
  const lon = (squash32(lo >>> 1) | (squash32(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

function splitBig(bits: bigint): [number, number] {
  const b = U64(bits);
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/** geohashDecode (HASHISZERO — bits and step both 0 — decodes nothing: null). */
export function geohashDecode(lonR: GeoRange, latR: GeoRange, h: HashBits): GeoArea | null {
  if ((h.bits === 0n && h.step === 0) || (!latR.max && !latR.min) || (!lonR.max && !lonR.min)) return null;
  const [hi, lo] = splitBig(h.bits);
  const [latI, lonI] = deinterleave(hi, lo);
  return decodeCell(lonR, latR, latI, lonI, h.step);
}

/** geohashDecodeAreaToLongLat: the cell's centre, clamped to the WGS84 limits. */
export function areaCenter(a: GeoArea): [number, number] {
  let x = (a.lon.min + a.lon.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.lat.min + a.lat.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

const P32 = 4294967296;
const P63 = 9223372036854775808;

/**
 * geo.c's `(uint64_t)score` as x86-64 computes it (cvttsd2si, with the 2^63 adjustment), as two
 * uint32 halves. Scores set by GEOADD are integers below 2^54; anything else (negative, huge,
 * infinite scores written by ZADD) takes the exact emulation path.
 */
export function scoreToBits(score: number): [number, number] {
  if (score >= 0 && score < P63) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / P32);
    return [hi, t - hi * P32];
  }
  let v: bigint;
  if (score >= P63) {
    const d = score - P63;
    v = d < P63 ? BigInt(Math.trunc(d)) | (1n << 63n) : 0n; // indefinite 2^63, then bit 63 flipped
  } else if (score >= -P63) {
    v = U64(BigInt(Math.trunc(score)));
  } else {
    v = 1n << 63n; // cvttsd2si's "integer indefinite"
  }
  return splitBig(v);
}

/** geo.c decodeGeohash: a score back to [lon, lat] (the centre of its step-26 cell). Never fails. */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = scoreToBits(score);
  const [latI, lonI] = deinterleave(hi, lo);
  return areaCenter(decodeCell(WGS84_LONG, WGS84_LAT, latI, lonI, GEO_STEP_MAX));
}

/** C's (long long)score, as WITHHASH replies it (cvttsd2si: out of range gives INT64_MIN). */
export function scoreAsLongLong(score: number): bigint {
  if (score >= -P63 && score < P63) return BigInt(Math.trunc(score));
  return -(1n << 63n);
}

// ---- neighbours ---------------------------------------------------------------------------------

/**
 * geohash_move_x / geohash_move_y: step one cell along the axis whose bits are `axis` (odd bits
 * are longitude, even bits latitude), leaving the other axis's bits as they are.
 */
function move(h: HashBits, d: number, axis: bigint, other: bigint): HashBits {
  if (d === 0) return h;
  let v = h.bits & axis;
  const keep = h.bits & other;
  const zz = other >> BigInt(64 - h.step * 2);
  if (d > 0) v = U64(v + (zz + 1n));
  else {
    v = v | zz;
    v = U64(v - (zz + 1n));
  }
  v &= axis >> BigInt(64 - h.step * 2);
  return { bits: v | keep, step: h.step };
}

const moveX = (h: HashBits, d: number): HashBits => move(h, d, ODD64, EVEN64);
const moveY = (h: HashBits, d: number): HashBits => move(h, d, EVEN64, ODD64);

export interface Neighbors {
  north: HashBits;
  south: HashBits;
  east: HashBits;
  west: HashBits;
  north_east: HashBits;
  north_west: HashBits;
  south_east: HashBits;
  south_west: HashBits;
}

export function geohashNeighbors(h: HashBits): Neighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    north_west: moveY(moveX(h, -1), 1),
    south_west: moveY(moveX(h, -1), -1),
    north_east: moveY(moveX(h, 1), 1),
    south_east: moveY(moveX(h, 1), -1),
  };
}

// ---- distances ----------------------------------------------------------------------------------

/** Haversine great-circle distance in meters (geohashGetDistance, Redis 7.0's form). */
export function geohashGetDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/**
 * The same distance with correctly rounded sin/cos/asin (~25 µs): what glibc gives in ~99 % of
 * cases where V8's Math functions differ in the last bit in ~15 %. Used where every bit shows
 * (STOREDIST scores); the fast form decides filters, order and the 4-decimal replies, where a
 * last-bit difference practically never shows.
 */
export function geohashGetDistanceExact(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = crSin((lat2r - lat1r) / 2);
  const v = crSin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * crAsin(Math.sqrt(u * u + crCos(lat1r) * crCos(lat2r) * v * v));
}

/** The distance when within `radius` meters, else null. */
export function distanceIfInRadius(x1: number, y1: number, x2: number, y2: number, radius: number): number | null {
  const d = geohashGetDistance(x1, y1, x2, y2);
  return d > radius ? null : d;
}

/** Redis 7.0's box test: (x2,y2) within width×height meters centred on (x1,y1); the distance, else null. */
export function distanceIfInRectangle(widthM: number, heightM: number, x1: number, y1: number, x2: number, y2: number): number | null {
  const lonDistance = geohashGetDistance(x2, y2, x1, y2);
  const latDistance = geohashGetDistance(x2, y2, x2, y1);
  if (lonDistance > widthM / 2 || latDistance > heightM / 2) return null;
  return geohashGetDistance(x1, y1, x2, y2);
}

// ---- search areas -------------------------------------------------------------------------------

/** A search shape; radius / width / height are in `conversion` units (meters per unit). */
export type GeoShape =
  | { type: 'radius'; lon: number; lat: number; conversion: number; radius: number }
  | { type: 'box'; lon: number; lat: number; conversion: number; width: number; height: number };

/** geohashEstimateStepsByRadius: the cell precision whose 9 cells should cover the range. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat] of the shape. */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.type === 'radius' ? s.radius : s.height / 2);
  const width = s.conversion * (s.type === 'radius' ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
  const south = s.lat < 0;
  return [
    south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop,
    s.lat - latDelta,
    south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop,
    s.lat + latDelta,
  ];
}

/** The centre cell and its 8 neighbours in Redis's search order; null marks a GZERO'd (skipped) cell. */
export interface SearchAreas {
  cells: Array<HashBits | null>;
  area: GeoArea;
  step: number;
}

const dec = (h: HashBits): GeoArea => geohashDecode(WGS84_LONG, WGS84_LAT, h)!;

/** geohashCalculateAreasByShapeWGS84 (Redis 7.0): step estimate, the decrease-step check, exclusions. */
export function calculateAreas(s: GeoShape): SearchAreas {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let radiusMeters = s.type === 'radius' ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, s.lat);
  // The centre's coordinates passed the WGS84 checks, so encoding cannot fail.
  let hash = geohashEncode(WGS84_LONG, WGS84_LAT, s.lon, s.lat, steps)!;
  let nb = geohashNeighbors(hash);
  let area = dec(hash);
  let decrease = false;
  if (dec(nb.north).lat.max < maxLat) decrease = true;
  if (dec(nb.south).lat.min > minLat) decrease = true;
  if (dec(nb.east).lon.max < maxLon) decrease = true;
  if (dec(nb.west).lon.min > minLon) decrease = true;
  if (steps > 1 && decrease) {
    steps--;
    hash = geohashEncode(WGS84_LONG, WGS84_LAT, s.lon, s.lat, steps)!;
    nb = geohashNeighbors(hash);
    area = dec(hash);
  }
  const n: Record<keyof Neighbors, HashBits | null> = { ...nb };
  if (steps >= 2) {
    if (area.lat.min < minLat) n.south = n.south_west = n.south_east = null;
    if (area.lat.max > maxLat) n.north = n.north_east = n.north_west = null;
    if (area.lon.min < minLon) n.west = n.south_west = n.north_west = null;
    if (area.lon.max > maxLon) n.east = n.south_east = n.north_east = null;
  }
  return {
    cells: [hash, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east, n.south_west],
    area,
    step: steps,
  };
}

/** scoresOfGeoHashBox: the score range [min, max) of a cell, as the doubles Redis compares with. */
export function cellScoreRange(h: HashBits): [number, number] {
  const min = align52(h);
  const max = align52({ bits: U64(h.bits + 1n), step: h.step });
  return [Number(min), Number(max)];
}

/** geoWithinShape: the point's distance from the shape's centre when inside it, else null. */
export function withinShape(s: GeoShape, lon: number, lat: number): number | null {
  if (s.type === 'radius') return distanceIfInRadius(s.lon, s.lat, lon, lat, s.radius * s.conversion);
  return distanceIfInRectangle(s.width * s.conversion, s.height * s.conversion, s.lon, s.lat, lon, lat);
}

// ---- GEOHASH's standard geohash ----------------------------------------------------------------

const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string: the decoded point re-encoded with the standard -90..90 range. */
export function standardGeohash(score: number): string {
  const [lon, lat] = decodeScore(score);
  const h = geohashEncode({ min: -180, max: 180 }, { min: -90, max: 90 }, lon, lat, 26);
  // Redis ignores a failed encode here and prints the zeroed bits it left behind.
  const bits = h ? h.bits : 0n;
  let out = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += ALPHABET[idx];
  }
  return out;
}
