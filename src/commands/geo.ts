// The geo family on sorted sets: GEOADD (a ZADD of 52-bit geohash scores, propagated as that ZADD),
// GEOPOS, GEODIST, GEOHASH, and the specs of the search commands (handlers in geo-search.ts).
import { E, NIL, NILARR, arr, bulk, type Frame } from '../protocol/frame.js';
import { ZSet } from '../engine/types/zset.js';
import { decodeScore, geohashGetDistance, scoreBitsOf, standardGeohash } from '../engine/geohash.js';
import { words } from './args.js';
import { distText, humanReply, lonLatArg, unitArg } from './geo-common.js';
import { GEOSEARCH, GEOSEARCHSTORE, RADIUS_COORDS, RADIUS_MEMBER, RADIUS_NOSTORE, georadiusGeneric } from './geo-search.js';
import { BASIC_HANDLERS } from './zsets-basic.js';
import type { CommandSpec, Ctx, KeySpec } from './types.js';

/** GEOADD key [NX|XX] [CH] lon lat member …: checked here, then run as Redis runs it — a ZADD. */
function geoadd(c: Ctx, argv: string[]): Frame {
  let xx = false, nx = false;
  let longidx = 2;
  while (longidx < argv.length) {
    const o = argv[longidx]!.toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
    longidx++;
  }
  if ((argv.length - longidx) % 3 || (xx && nx)) return E.syntax;
  const zargv = ['zadd', ...argv.slice(1, longidx)];
  for (let i = longidx; i < argv.length; i += 3) {
    const ll = lonLatArg(argv[i]!, argv[i + 1]!);
    if (!Array.isArray(ll)) return ll;
    zargv.push(scoreBitsOf(ll[0], ll[1])!.toString(), argv[i + 2]!);
  }
  const before = c.dirty;
  const reply = BASIC_HANDLERS.zadd!(c, zargv);
  // Redis replaces the command vector with the ZADD, so that is what replicas and the AOF see.
  if (c.dirty !== before) c.rewrite(zargv);
  return reply;
}

function readGeo(c: Ctx, key: string): ZSet | undefined | Frame {
  const v = c.db.read(key);
  if (v === undefined) return undefined;
  return v instanceof ZSet ? v : E.wrongType;
}

function geopos(c: Ctx, argv: string[]): Frame {
  const z = readGeo(c, argv[1]!);
  if (z !== undefined && !(z instanceof ZSet)) return z;
  const out: Frame[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]!);
    if (s === undefined) out.push(NILARR);
    else {
      const [lon, lat] = decodeScore(s);
      out.push(arr([humanReply(lon), humanReply(lat)]));
    }
  }
  return arr(out);
}

function geohash(c: Ctx, argv: string[]): Frame {
  const z = readGeo(c, argv[1]!);
  if (z !== undefined && !(z instanceof ZSet)) return z;
  const out: Frame[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]!);
    out.push(s === undefined ? NIL : bulk(standardGeohash(s)));
  }
  return arr(out);
}

function geodist(c: Ctx, argv: string[]): Frame {
  let toMeter = 1;
  if (argv.length === 5) {
    const u = unitArg(argv[4]!);
    if (typeof u !== 'number') return u;
    toMeter = u;
  } else if (argv.length > 5) return E.syntax;
  const z = readGeo(c, argv[1]!);
  if (z === undefined) return NIL;
  if (!(z instanceof ZSet)) return z;
  const s1 = z.score(argv[2]!);
  const s2 = s1 === undefined ? undefined : z.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) return NIL;
  const [x1, y1] = decodeScore(s1);
  const [x2, y2] = decodeScore(s2);
  return bulk(distText(geohashGetDistance(x1, y1, x2, y2) / toMeter));
}

// ---- specs ----------------------------------------------------------------------------------------

const RANGE0 = { lastkey: 0, keystep: 1, limit: 0 } as const;
const ks = (flags: string, bs: KeySpec['bs']): KeySpec => ({ flags: words(flags), bs, fk: RANGE0 });
const RO1 = [ks('RO access', { index: 1 })];

/**
 * COMMAND GETKEYS for GEORADIUS(BYMEMBER) as Redis 7.0 computes it from the key specs: the source,
 * then the key after the first STORE, then the key after the first STOREDIST, each keyword searched
 * from `start` up to (not including) the last argument.
 */
function storeKeys(start: number): (argv: readonly string[]) => number[] {
  return (argv) => {
    const out = [1];
    for (const kw of ['store', 'storedist']) {
      for (let i = start; i < argv.length - 1; i++) {
        if (argv[i]!.toLowerCase() === kw) {
          out.push(i + 1);
          break;
        }
      }
    }
    return out;
  };
}

const gspec = (name: string, arity: number, flags: string, acl: string, keys: [number, number, number], run: CommandSpec['run'], extra: Partial<CommandSpec>): CommandSpec => ({
  name, arity, flags: words(flags), acl: words(acl), keys, route: 'keys', run, group: 'geo', ...extra,
});

const search = (src: number, flags: number): CommandSpec['run'] => (c, argv) => georadiusGeneric(c, argv, src, flags);

export const GEO_COMMANDS: CommandSpec[] = [
  gspec('geoadd', -5, 'write denyoom', 'write geo slow', [1, 1, 1], geoadd, { keySpecs: [ks('RW update', { index: 1 })], summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set', since: '3.2.0' }),
  gspec('geopos', -2, 'readonly', 'read geo slow', [1, 1, 1], geopos, { keySpecs: RO1, summary: 'Returns longitude and latitude of members of a geospatial index', since: '3.2.0' }),
  gspec('geodist', -4, 'readonly', 'read geo slow', [1, 1, 1], geodist, { keySpecs: RO1, summary: 'Returns the distance between two members of a geospatial index', since: '3.2.0' }),
  gspec('geohash', -2, 'readonly', 'read geo slow', [1, 1, 1], geohash, { keySpecs: RO1, summary: 'Returns members of a geospatial index as standard geohash strings', since: '3.2.0' }),
  gspec('geosearch', -7, 'readonly', 'read geo slow', [1, 1, 1], search(1, GEOSEARCH), { keySpecs: RO1, summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.', since: '6.2.0' }),
  gspec('geosearchstore', -8, 'write denyoom', 'write geo slow', [1, 2, 1], search(2, GEOSEARCH | GEOSEARCHSTORE), { keySpecs: [ks('OW update', { index: 1 }), ks('RO access', { index: 2 })], summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.', since: '6.2.0' }),
  gspec('georadius', -6, 'write denyoom movablekeys', 'write geo slow', [1, 1, 1], search(1, RADIUS_COORDS), {
    keySpecs: [ks('RO access', { index: 1 }), ks('OW update', { keyword: 'STORE', startfrom: 6 }), ks('OW update', { keyword: 'STOREDIST', startfrom: 6 })],
    getKeys: storeKeys(6), summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point', since: '3.2.0',
  }),
  gspec('georadius_ro', -6, 'readonly', 'read geo slow', [1, 1, 1], search(1, RADIUS_COORDS | RADIUS_NOSTORE), { keySpecs: RO1, summary: 'A read-only variant for GEORADIUS', since: '3.2.10' }),
  gspec('georadiusbymember', -5, 'write denyoom movablekeys', 'write geo slow', [1, 1, 1], search(1, RADIUS_MEMBER), {
    keySpecs: [ks('RO access', { index: 1 }), ks('OW update', { keyword: 'STORE', startfrom: 5 }), ks('OW update', { keyword: 'STOREDIST', startfrom: 5 })],
    getKeys: storeKeys(5), summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member', since: '3.2.0',
  }),
  gspec('georadiusbymember_ro', -5, 'readonly', 'read geo slow', [1, 1, 1], search(1, RADIUS_MEMBER | RADIUS_NOSTORE), { keySpecs: RO1, summary: 'A read-only variant for GEORADIUSBYMEMBER', since: '3.2.10' }),
];
