// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS(BYMEMBER) and their _RO forms: one port of Redis 7.0's
// georadiusGeneric — argument checks in its order, the 9-cell scan over score ranges of the sorted
// set, then the same sort (glibc's stable qsort, or Redis's pqsort for a partial COUNT).
import { E, EMPTY_ARR, arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { ZSet } from '../engine/types/zset.js';
import { calculateAreas, cellScoreRange, decodeScore, geohashGetDistanceExact, scoreAsLongLong, withinShape, type GeoShape } from '../engine/geohash.js';
import { boxArg, distText, distanceArg, humanReply, lonLatArg } from './geo-common.js';
import { scoreRanks, zcfg } from './zsets-core.js';
import { pqsort } from './geo-pqsort.js';
import type { Ctx } from './types.js';
import { readAs } from './typed.js';

export const RADIUS_COORDS = 1;
export const RADIUS_MEMBER = 2;
export const RADIUS_NOSTORE = 4;
export const GEOSEARCH = 8;
export const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  lon: number;
  lat: number;
  dist: number;
  score: number;
  member: string;
}

const NO_MEMBER = err('ERR could not decode requested zset member');

/** longLatFromMember: the member's decoded position, or null when it is not in the set. */
function memberPos(z: ZSet, member: string): [number, number] | null {
  const s = z.score(member);
  return s === undefined ? null : decodeScore(s);
}

/** geoGetPointsInRange over every non-zeroed cell (membersOfAllNeighbors), stopping at `limit` (ANY). */
function pointsInShape(z: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const ga: GeoPoint[] = [];
  const { cells } = calculateAreas(shape);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!cell) continue;
    // With huge radii adjacent neighbours can be the same cell: Redis skips a repeat of the last one.
    const prev = cells[last];
    if (last && prev && cell.bits === prev.bits && cell.step === prev.step) continue;
    if (ga.length && limit && ga.length >= limit) break;
    const [min, max] = cellScoreRange(cell);
    const [lo, hi] = scoreRanks(z, { min, max, minex: false, maxex: true });
    if (hi >= lo) {
      const e = z.range(lo, hi);
      for (let j = 0; j < e.m.length; j++) {
        const score = e.s[j]!;
        const [lon, lat] = decodeScore(score);
        const dist = withinShape(shape, lon, lat);
        if (dist !== null) ga.push({ lon, lat, dist, score, member: e.m[j]! });
        if (ga.length && limit && ga.length >= limit) break;
      }
    }
    last = i;
  }
  return ga;
}

const cmpAsc = (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const cmpDesc = (a: GeoPoint, b: GeoPoint): number => -cmpAsc(a, b);

/** georadiusGeneric. `src` is the source key's index in argv. */
export function georadiusGeneric(c: Ctx, argv: string[], src: number, flags: number): Frame {
  let storekey: string | null = null;
  let storedist = false;
  const z = readAs(c.db, argv[src]!, 'zset');
  if (z !== undefined && !(z instanceof ZSet)) return z;

  let baseArgs: number;
  let lon = 0, lat = 0, conversion = 0, radius = 0, width = 0, height = 0;
  let type: 'radius' | 'box' | null = null;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    type = 'radius';
    const ll = lonLatArg(argv[2]!, argv[3]!);
    if (!Array.isArray(ll)) return ll;
    [lon, lat] = ll;
    const d = distanceArg(argv[4]!, argv[5]!);
    if (!Array.isArray(d)) return d;
    [radius, conversion] = d;
  } else if (flags & RADIUS_MEMBER && !z) {
    // No source key: the arguments are still parsed to pick the reply (STORE or not).
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    type = 'radius';
    const p = memberPos(z!, argv[2]!);
    if (!p) return NO_MEMBER;
    [lon, lat] = p;
    const d = distanceArg(argv[3]!, argv[4]!);
    if (!Array.isArray(d)) return d;
    [radius, conversion] = d;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storekey = argv[1]!;
    }
  }

  let withdist = false, withhash = false, withcoords = false;
  let frommember = false, fromloc = false, byradius = false, bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const at = baseArgs + i;
    const arg = argv[at]!.toLowerCase();
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseI64(argv[at + 1]!);
      if (n === null) return E.notInt;
      if (n <= 0n) return err('ERR COUNT must be > 0');
      count = n > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = argv[at + 1]!;
      storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & GEOSEARCH && !fromloc) {
      if (z) {
        const p = memberPos(z, argv[at + 1]!);
        if (!p) return NO_MEMBER;
        [lon, lat] = p;
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & GEOSEARCH && !frommember) {
      const ll = lonLatArg(argv[at + 1]!, argv[at + 2]!);
      if (!Array.isArray(ll)) return ll;
      [lon, lat] = ll;
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & GEOSEARCH && !bybox) {
      const d = distanceArg(argv[at + 1]!, argv[at + 2]!);
      if (!Array.isArray(d)) return d;
      [radius, conversion] = d;
      type = 'radius';
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & GEOSEARCH && !byradius) {
      const b = boxArg(argv[at + 1]!, argv[at + 2]!, argv[at + 3]!);
      if (!Array.isArray(b)) return b;
      [width, height, conversion] = b;
      type = 'box';
      bybox = true;
      i += 3;
    } else return E.syntax;
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    return err(`ERR ${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & GEOSEARCH && !(frommember || fromloc)) {
    return err(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
  }
  if (flags & GEOSEARCH && !(byradius || bybox)) {
    return err(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
  }
  if (any && !count) return err('ERR the ANY argument requires COUNT argument');

  if (!z) {
    if (storekey !== null) {
      if (c.db.del(storekey)) c.dirty++;
      return int(0);
    }
    return EMPTY_ARR;
  }

  // COUNT needs the closest N: sort ascending unless asked otherwise (ANY takes the first found).
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const shape: GeoShape = type === 'box'
    ? { type: 'box', lon, lat, conversion, width, height }
    : { type: 'radius', lon, lat, conversion, radius };
  const ga = pointsInShape(z, shape, any ? count : 0);
  if (ga.length === 0 && storekey === null) return EMPTY_ARR;

  const resultLength = ga.length;
  const returned = count === 0 || resultLength < count ? resultLength : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? cmpAsc : cmpDesc;
    // glibc's qsort is a stable merge sort here, as is Array.prototype.sort; a partial COUNT uses
    // Redis's own pqsort, whose order among equal distances is its own.
    if (returned === resultLength) ga.sort(cmp);
    else pqsort(ga, cmp, 0, returned - 1);
  }

  if (storekey === null) {
    const opts = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    const out: Frame[] = [];
    for (let i = 0; i < returned; i++) {
      const gp = ga[i]!;
      const dist = gp.dist / conversion;
      if (!opts) {
        out.push(bulk(gp.member));
        continue;
      }
      const item: Frame[] = [bulk(gp.member)];
      if (withdist) item.push(bulk(distText(dist)));
      if (withhash) item.push(int(scoreAsLongLong(gp.score)));
      if (withcoords) item.push(arr([humanReply(gp.lon), humanReply(gp.lat)]));
      out.push(arr(item));
    }
    return arr(out);
  }

  if (returned) {
    // Built as Redis does (a skiplist of score, member), then packed if small enough.
    const items: Array<{ m: string; s: number }> = [];
    for (let i = 0; i < returned; i++) {
      const gp = ga[i]!;
      items.push({ m: gp.member, s: storedist ? geohashGetDistanceExact(lon, lat, gp.lon, gp.lat) / conversion : gp.score });
    }
    items.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
    c.db.set(storekey, ZSet.fromSorted({ m: items.map((x) => x.m), s: items.map((x) => x.s) }, zcfg(c)));
    c.dirty += returned;
  } else if (c.db.del(storekey)) {
    c.dirty++;
  }
  return int(returned);
}
