// The geo family on sorted sets: GEOADD (a ZADD of 52-bit geohash scores, propagated as that ZADD),
// GEOPOS, GEODIST, GEOHASH, and the specs of the search commands (handlers in geo-search.ts).
import { E, NIL, NILARR, arr, bulk, type Frame } from '../protocol/frame.js';
import { ZSet } from '../engine/types/zset.js';
import { decodeScore, geohashGetDistance, scoreBitsOf, standardGeohash } from '../engine/geohash.js';
import { distText, humanReply, lonLatArg, unitArg } from './geo-common.js';
import { GEOSEARCH, GEOSEARCHSTORE, RADIUS_COORDS, RADIUS_MEMBER, RADIUS_NOSTORE, georadiusGeneric } from './geo-search.js';
import { BASIC_HANDLERS } from './zsets-basic.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def, type Impl } from './spec-data.js';
import { readAs } from './typed.js';

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

const readGeo = (c: Ctx, key: string) => readAs(c.db, key, 'zset');

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

const gspec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });

const search = (src: number, flags: number): Handler => (c, argv) => georadiusGeneric(c, argv, src, flags);

export const GEO_COMMANDS: CommandSpec[] = [
  gspec('geoadd', geoadd),
  gspec('geopos', geopos),
  gspec('geodist', geodist),
  gspec('geohash', geohash),
  gspec('geosearch', search(1, GEOSEARCH)),
  gspec('geosearchstore', search(2, GEOSEARCH | GEOSEARCHSTORE)),
  gspec('georadius', search(1, RADIUS_COORDS), { getKeys: storeKeys(6) }),
  gspec('georadius_ro', search(1, RADIUS_COORDS | RADIUS_NOSTORE)),
  gspec('georadiusbymember', search(1, RADIUS_MEMBER), { getKeys: storeKeys(5) }),
  gspec('georadiusbymember_ro', search(1, RADIUS_MEMBER | RADIUS_NOSTORE)),
];
