// Random differential test generators, part 2: sorted sets, streams (with groups), geo, bitmaps
// and BITFIELD, HyperLogLog, SORT, and the server/introspection commands with deterministic replies.
import type { Family, G } from './random-gen.js';

const SCORE_MIN = ['-inf', '+inf', '0', '1', '(1', '(-1', '2.5', '(2.5', '-3', '(5', 'inf', 'x', '(', 'nan', '(+inf', '-inf'];
const LEX = ['-', '+', '[a', '(a', '[c', '(c', '[m1', '(foo', '[', 'a', '(', '[\u00ff', '-', '+'];
const rank = (g: G) => (g.chance(0.85) ? String(g.range(-4, 6)) : g.num());

function zsetKeys(g: G, n: number): string[] {
  const a: string[] = [];
  for (let i = 0; i < n; i++) a.push(g.key(g.chance(0.8) ? 'z' : g.pick(['S', 'I'] as const)));
  return a;
}

/** numkeys + keys + WEIGHTS/AGGREGATE (+ WITHSCORES for the reply forms). */
function setOpArgs(g: G, withScores: boolean): string[] {
  const n = g.range(1, 3);
  const a = [g.chance(0.92) ? String(n) : g.pick(['0', '-1', '5', 'x', '9223372036854775807']), ...zsetKeys(g, n)];
  if (g.chance(0.3)) {
    a.push('WEIGHTS');
    for (let i = g.chance(0.9) ? n : n + 1; i > 0; i--) a.push(g.chance(0.85) ? g.pick(['1', '2', '-1', '0', '0.5', 'inf', '-inf']) : g.pick(['x', 'nan', '']));
  }
  if (g.chance(0.3)) a.push('AGGREGATE', g.pick(['SUM', 'MIN', 'MAX', 'sum', 'AVG']));
  if (withScores && g.chance(0.5)) a.push('WITHSCORES');
  return a;
}

function zrangeArgs(g: G): string[] {
  const x = g.f();
  const a: string[] = [];
  if (x < 0.5) a.push(rank(g), rank(g));
  else if (x < 0.8) a.push(g.pick(SCORE_MIN), g.pick(SCORE_MIN), 'BYSCORE');
  else a.push(g.pick(LEX), g.pick(LEX), 'BYLEX');
  if (g.chance(0.3)) a.push('REV');
  if (g.chance(0.25)) a.push('LIMIT', g.pick(['0', '1', '-1']), g.pick(['1', '2', '-1', '0', '10']));
  return a;
}

const zsets: Family = {
  name: 'zsets',
  weight: 12,
  gen(g) {
    const k = g.key('z');
    const sm = (lo: number, hi: number) => {
      const a: string[] = [];
      for (let i = g.range(lo, hi); i > 0; i--) a.push(g.score(), g.member());
      return a;
    };
    switch (g.int(30)) {
      case 0: case 1: case 2: {
        const o: string[] = [];
        if (g.chance(0.2)) o.push(g.pick(['NX', 'XX']));
        if (g.chance(0.2)) o.push(g.pick(['GT', 'LT']));
        if (g.chance(0.2)) o.push('CH');
        const incr = g.chance(0.15);
        if (incr) o.push('INCR');
        return [['ZADD', k, ...o, ...(incr && g.chance(0.9) ? sm(1, 1) : sm(1, 4))]];
      }
      case 3: return [['ZINCRBY', k, g.float(), g.member()]];
      case 4: return [['ZREM', k, ...g.members(1, 3)]];
      case 5: return [[g.pick(['ZCARD', 'ZRANGE']), k, ...(g.chance(0.5) ? [] : ['0', '-1'])]];
      case 6: return [['ZSCORE', k, g.member()]];
      case 7: return [['ZMSCORE', k, ...g.members(1, 3)]];
      case 8: return [[g.pick(['ZRANK', 'ZREVRANK']), k, g.member()]];
      case 9: return [['ZCOUNT', k, g.pick(SCORE_MIN), g.pick(SCORE_MIN)]];
      case 10: return [['ZLEXCOUNT', k, g.pick(LEX), g.pick(LEX)]];
      case 11: case 12: return [['ZRANGE', k, ...zrangeArgs(g), ...g.opt(0.4, 'WITHSCORES')]];
      case 13: return [['ZRANGESTORE', g.key('z'), k, ...zrangeArgs(g)]];
      case 14: return [['ZREVRANGE', k, rank(g), rank(g), ...g.opt(0.4, 'WITHSCORES')]];
      case 15: return [[g.pick(['ZRANGEBYSCORE', 'ZREVRANGEBYSCORE']), k, g.pick(SCORE_MIN), g.pick(SCORE_MIN), ...g.opt(0.4, 'WITHSCORES'), ...g.opt(0.3, 'LIMIT', g.pick(['0', '1', '-1']), g.pick(['1', '3', '-1']))]];
      case 16: return [[g.pick(['ZRANGEBYLEX', 'ZREVRANGEBYLEX']), k, g.pick(LEX), g.pick(LEX), ...g.opt(0.3, 'LIMIT', g.pick(['0', '1']), g.pick(['1', '3', '-1']))]];
      case 17: {
        const w = g.int(3);
        if (w === 0) return [['ZREMRANGEBYRANK', k, rank(g), rank(g)]];
        if (w === 1) return [['ZREMRANGEBYSCORE', k, g.pick(SCORE_MIN), g.pick(SCORE_MIN)]];
        return [['ZREMRANGEBYLEX', k, g.pick(LEX), g.pick(LEX)]];
      }
      case 18: return [[g.pick(['ZPOPMIN', 'ZPOPMAX']), k, ...g.opt(0.5, g.count())]];
      case 19: {
        const n = g.range(1, 2);
        return [['ZMPOP', g.chance(0.9) ? String(n) : g.pick(['0', 'x']), ...zsetKeys(g, n), g.pick(['MIN', 'MAX', 'MID']), ...g.opt(0.4, 'COUNT', g.count())]];
      }
      case 20: return [[g.pick(['BZPOPMIN', 'BZPOPMAX']), ...zsetKeys(g, g.range(1, 2)), g.timeout()]];
      case 21: {
        const n = g.range(1, 2);
        return [['BZMPOP', g.timeout(), String(n), ...zsetKeys(g, n), g.pick(['MIN', 'MAX']), ...g.opt(0.4, 'COUNT', g.count())]];
      }
      case 22: case 23: return [[g.pick(['ZUNION', 'ZINTER', 'ZDIFF']), ...setOpArgs(g, true)]];
      case 24: return [[g.pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), g.key('z'), ...setOpArgs(g, false)]];
      case 25: {
        const n = g.range(1, 3);
        return [['ZINTERCARD', String(n), ...zsetKeys(g, n), ...g.opt(0.4, 'LIMIT', g.pick(['0', '1', '-1', 'x']))]];
      }
      case 26: {
        const c = g.chance(0.8) ? [g.pick(['1', '3', '-3', '0', '10', '-10', 'x'])] : [];
        return [['ZRANDMEMBER', k, ...c, ...(c.length && g.chance(0.5) ? ['WITHSCORES'] : [])]];
      }
      case 27: return [['ZSCAN', k, g.pick(['0', '0', '2', 'x']), ...g.opt(0.3, 'MATCH', g.pick(['*', 'a*'])), ...g.opt(0.3, 'COUNT', g.pick(['1000', '1', '0']))]];
      case 28: {
        const a: string[] = [];
        for (let i = g.range(100, 160); i > 0; i--) a.push(String(g.range(-50, 50)), `m${g.int(300)}`);
        return [['ZADD', k, ...a]];
      }
      default: return [['ZADD', k, g.score(), g.long()]];
    }
  },
};

const GROUPS = ['g1', 'g2'];
const CONSUMERS = ['c1', 'c2', 'c3'];
const streamId = (g: G) => {
  const x = g.f();
  if (x < 0.55) return `${g.range(0, 30)}-${g.range(0, 3)}`;
  if (x < 0.7) return String(g.range(0, 30));
  if (x < 0.8) return g.pick(['0-0', '0', '-', '+', '(5-0', '(0-0', '18446744073709551615-18446744073709551615', '1-18446744073709551615']);
  return g.pick(['x', '-1', '5-x', '$', '>', '', '18446744073709551616-0']);
};
const newId = (g: G) => (g.chance(0.75) ? `${g.range(0, 40)}-${g.chance(0.6) ? String(g.range(0, 3)) : '*'}` : g.pick(['0-0', '0-1', '5', '18446744073709551615-18446744073709551615', '1-18446744073709551615', '18446744073709551615-*', 'x', '-1', '5-x']));
const fields = (g: G) => {
  const a: string[] = [];
  for (let i = g.range(1, 3); i > 0; i--) a.push(g.pick(['f', 'g', 'f', 'name', 'v']), g.value());
  return g.chance(0.03) ? a.slice(0, -1) : a;
};
function trimArgs(g: G): string[] {
  const a = [g.pick(['MAXLEN', 'MINID', 'MAXLEN', 'LEN'])];
  if (g.chance(0.5)) a.push(g.pick(['=', '~', '~']));
  a.push(a[0] === 'MINID' ? streamId(g) : g.pick(['0', '1', '2', '5', '-1', 'x', '100']));
  if (g.chance(0.2)) a.push('LIMIT', g.pick(['0', '1', '10', '-1', 'x']));
  return a;
}

const streams: Family = {
  name: 'streams',
  weight: 12,
  gen(g) {
    const k = g.key('x');
    const grp = () => g.pick(GROUPS);
    const con = () => g.pick(CONSUMERS);
    switch (g.int(30)) {
      case 0: case 1: case 2: case 3: return [['XADD', k, ...g.opt(0.1, 'NOMKSTREAM'), ...(g.chance(0.15) ? trimArgs(g) : []), newId(g), ...fields(g)]];
      case 4: return [['XADD', `{${g.tag}}xt`, ...g.opt(0.2, 'MAXLEN', g.pick(['2', '5'])), '*', ...fields(g)]];
      case 5: return [[g.pick(['XLEN', 'XLEN']), g.chance(0.9) ? k : `{${g.tag}}xt`]];
      case 6: case 7: return [['XRANGE', k, streamId(g), streamId(g), ...g.opt(0.4, 'COUNT', g.pick(['0', '1', '2', '-1', 'x']))]];
      case 8: return [['XREVRANGE', k, streamId(g), streamId(g), ...g.opt(0.4, 'COUNT', g.pick(['0', '1', '2', '-1']))]];
      case 9: return [['XDEL', k, streamId(g), ...g.opt(0.4, streamId(g))]];
      case 10: return [['XTRIM', k, ...trimArgs(g)]];
      case 11: return [['XSETID', k, streamId(g), ...g.opt(0.3, 'ENTRIESADDED', g.pick(['0', '5', '100', '-1', 'x'])), ...g.opt(0.3, 'MAXDELETEDID', streamId(g))]];
      case 12: case 13: {
        const ks = g.chance(0.8) ? [k] : [k, g.key('x')];
        const ids = ks.map(() => g.pick(['0', '0-0', '5-0', '$', '+', streamId(g)]));
        return [['XREAD', ...g.opt(0.4, 'COUNT', g.pick(['1', '2', '0', '-1'])), ...g.opt(0.1, 'BLOCK', g.pick(['5', '10', 'x', '-1'])), 'STREAMS', ...ks, ...ids]];
      }
      case 14: case 15: return [['XGROUP', 'CREATE', k, grp(), g.pick(['$', '0', '0-0', '5-0', streamId(g)]), ...g.opt(0.5, 'MKSTREAM'), ...g.opt(0.2, 'ENTRIESREAD', g.pick(['0', '3', '-1', 'x']))]];
      case 16: return [['XGROUP', 'SETID', k, grp(), g.pick(['$', '0', streamId(g)]), ...g.opt(0.2, 'ENTRIESREAD', g.pick(['0', '3', '-1', 'x']))]];
      case 17: return [['XGROUP', g.pick(['DESTROY', 'CREATECONSUMER', 'DELCONSUMER']), k, grp(), ...(g.chance(0.7) ? [con()] : [])]];
      case 18: case 19: case 20: {
        const ks = g.chance(0.85) ? [k] : [k, g.key('x')];
        const ids = ks.map(() => g.pick(['>', '>', '>', '0', '0-0', '5-0', 'x']));
        return [['XREADGROUP', 'GROUP', grp(), con(), ...g.opt(0.4, 'COUNT', g.pick(['1', '2', '0'])), ...g.opt(0.1, 'BLOCK', g.pick(['5', '10'])), ...g.opt(0.2, 'NOACK'), 'STREAMS', ...ks, ...ids]];
      }
      case 21: return [['XACK', k, grp(), streamId(g), ...g.opt(0.4, streamId(g))]];
      case 22: case 23: {
        const ext = g.chance(0.6) ? [...g.opt(0.3, 'IDLE', g.pick(['0', '3600000', 'x'])), g.pick(['-', '0', '(1-0']), g.pick(['+', '30', '(30-0']), g.pick(['10', '1', '0', '-1', 'x']), ...g.opt(0.3, con())] : [];
        return [['XPENDING', k, grp(), ...ext]];
      }
      case 24: {
        const o: string[] = [];
        if (g.chance(0.15)) o.push('IDLE', g.pick(['0', '5000000', 'x']));
        if (g.chance(0.1)) o.push('TIME', g.pick(['1', '0']));
        if (g.chance(0.15)) o.push('RETRYCOUNT', g.pick(['0', '5', 'x']));
        if (g.chance(0.2)) o.push('FORCE');
        if (g.chance(0.3)) o.push('JUSTID');
        if (g.chance(0.1)) o.push('LASTID', streamId(g));
        return [['XCLAIM', k, grp(), con(), g.pick(['0', '0', '3600000', '-1', 'x']), streamId(g), ...g.opt(0.4, streamId(g)), ...o]];
      }
      case 25: return [['XAUTOCLAIM', k, grp(), con(), g.pick(['0', '0', '3600000', 'x']), g.pick(['0', '0-0', '5-0', streamId(g)]), ...g.opt(0.5, 'COUNT', g.pick(['1', '2', '100', '0', 'x'])), ...g.opt(0.3, 'JUSTID')]];
      case 26: case 27: return [['XINFO', 'STREAM', k, ...g.opt(0.4, 'FULL', ...g.opt(0.5, 'COUNT', g.pick(['0', '1', '2', 'x'])))]];
      case 28: return [['XINFO', 'GROUPS', k]];
      default: return [['XINFO', 'CONSUMERS', k, grp()]];
    }
  },
};

const LONS = ['13.361389', '15.087269', '-122.27652', '0', '180', '-180', '2.349014', '180.1', 'x'];
const LATS = ['38.115556', '37.502669', '37.805186', '0', '85.05112878', '-85.05112878', '48.864716', '85.06', 'x'];
const GEO_MEMBERS = ['Palermo', 'Catania', 'a', 'b', 'c', 'Paris'];
const UNITS = ['m', 'km', 'ft', 'mi', 'KM', 'x'];
const lonlat = (g: G) => (g.chance(0.7) ? [(g.f() * 40 - 10).toFixed(6), (g.f() * 30 + 30).toFixed(6)] : [g.pick(LONS), g.pick(LATS)]);
function geoOpts(g: G): string[] {
  const o: string[] = [];
  if (g.chance(0.3)) o.push('WITHCOORD');
  if (g.chance(0.3)) o.push('WITHDIST');
  if (g.chance(0.2)) o.push('WITHHASH');
  if (g.chance(0.3)) o.push('COUNT', g.pick(['1', '2', '0', 'x']), ...g.opt(0.3, 'ANY'));
  if (g.chance(0.4)) o.push(g.pick(['ASC', 'DESC']));
  return o;
}
const radius = (g: G) => g.pick(['100', '500', '1000', '0', '-1', 'x', '20000']);

const geo: Family = {
  name: 'geo',
  weight: 5,
  gen(g) {
    const k = g.key('g');
    const m = () => g.pick(GEO_MEMBERS);
    switch (g.int(10)) {
      case 0: case 1: {
        const a: string[] = [];
        for (let i = g.range(1, 3); i > 0; i--) a.push(...lonlat(g), m());
        return [['GEOADD', k, ...g.opt(0.1, g.pick(['NX', 'XX'])), ...g.opt(0.1, 'CH'), ...a]];
      }
      case 2: return [['GEOPOS', k, m(), ...g.opt(0.5, m())]];
      case 3: return [['GEODIST', k, m(), m(), ...g.opt(0.6, g.pick(UNITS))]];
      case 4: return [['GEOHASH', k, m(), ...g.opt(0.5, m())]];
      case 5: case 6: {
        const from = g.chance(0.5) ? ['FROMMEMBER', m()] : ['FROMLONLAT', ...lonlat(g)];
        const by = g.chance(0.6) ? ['BYRADIUS', radius(g), g.pick(UNITS)] : ['BYBOX', radius(g), radius(g), g.pick(UNITS)];
        if (g.chance(0.7)) return [['GEOSEARCH', k, ...from, ...by, ...geoOpts(g)]];
        const o = geoOpts(g).filter((x) => !x.startsWith('WITH'));
        return [['GEOSEARCHSTORE', g.key('g'), k, ...from, ...by, ...o, ...g.opt(0.3, 'STOREDIST')]];
      }
      case 7: return [[g.pick(['GEORADIUS', 'GEORADIUS_RO']), k, ...lonlat(g), radius(g), g.pick(UNITS), ...geoOpts(g)]];
      case 8: return [[g.pick(['GEORADIUSBYMEMBER', 'GEORADIUSBYMEMBER_RO']), k, m(), radius(g), g.pick(UNITS), ...geoOpts(g)]];
      default: return [['GEORADIUS', k, ...lonlat(g), radius(g), 'km', ...g.opt(0.5, 'COUNT', '2'), g.pick(['STORE', 'STOREDIST']), g.key('g')]];
    }
  },
};

const BF_TYPES = ['u1', 'u4', 'u8', 'i8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u63', 'i5', 'u64', 'i65', 'x8', 'i0'];
const bfOffset = (g: G) => (g.chance(0.8) ? String(g.range(0, 100)) : g.pick(['#0', '#1', '#3', '-1', 'x', '#-1', '4294967296']));
const bitOffset = (g: G) => (g.chance(0.85) ? String(g.range(0, 200)) : g.pick(['4000', '-1', 'x', '4294967296', '1.5']));

const bitmaps: Family = {
  name: 'bitmaps',
  weight: 7,
  gen(g) {
    const k = g.key(g.chance(0.7) ? 'b' : 's');
    const range = () => (g.chance(0.85) ? [String(g.range(-5, 10)), String(g.range(-5, 30))] : [g.num(), g.num()]);
    switch (g.int(12)) {
      case 0: case 1: return [['SETBIT', k, bitOffset(g), g.pick(['1', '1', '0', '2', 'x'])]];
      case 2: return [['GETBIT', k, g.chance(0.9) ? bitOffset(g) : '4294967295']];
      case 3: return [['BITCOUNT', k, ...(g.chance(0.7) ? [...range(), ...g.opt(0.4, g.pick(['BYTE', 'BIT', 'WORD']))] : [])]];
      case 4: {
        const r = g.chance(0.7) ? range() : [];
        return [['BITPOS', k, g.pick(['0', '1', '2']), ...r.slice(0, g.range(0, r.length)), ...(r.length === 2 && g.chance(0.4) ? [g.pick(['BYTE', 'BIT'])] : [])]];
      }
      case 5: {
        const op = g.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'NAND']);
        return [['BITOP', op, g.key('b'), ...g.keys('b', 1, op === 'NOT' && g.chance(0.8) ? 1 : 3)]];
      }
      case 6: case 7: case 8: {
        const ops: string[] = [];
        for (let i = g.range(1, 4); i > 0; i--) {
          const x = g.f();
          if (x < 0.3) ops.push('GET', g.pick(BF_TYPES), bfOffset(g));
          else if (x < 0.6) ops.push('SET', g.pick(BF_TYPES), bfOffset(g), g.num());
          else if (x < 0.85) ops.push('INCRBY', g.pick(BF_TYPES), bfOffset(g), g.num());
          else ops.push('OVERFLOW', g.pick(['WRAP', 'SAT', 'FAIL', 'x']));
        }
        return [['BITFIELD', k, ...ops]];
      }
      case 9: return [['BITFIELD_RO', k, 'GET', g.pick(BF_TYPES), bfOffset(g), ...g.opt(0.2, 'SET', 'u8', '0', '1')]];
      case 10: return [['SET', k, g.bin(g.range(1, 12))]];
      default: return [['GET', k]];
    }
  },
};

const hll: Family = {
  name: 'hll',
  weight: 5,
  gen(g) {
    const k = g.key('p');
    switch (g.int(9)) {
      case 0: case 1: case 2: return [['PFADD', k, ...g.members(0, 5)]];
      case 3: case 4: return [['PFCOUNT', ...g.keys('p', 1, 3)]];
      case 5: return [['PFMERGE', g.key('p'), ...g.keys('p', 0, 3)]];
      case 6: return [['PFDEBUG', g.pick(['GETREG', 'ENCODING', 'TODENSE', 'DECODE', 'NOSUCH']), k]];
      case 7: {
        const a: string[] = [];
        for (let i = g.range(50, 400); i > 0; i--) a.push(`e${g.int(100000)}`);
        return [['PFADD', k, ...a]];
      }
      default: return [[g.pick(['APPEND', 'SETRANGE']), k, ...(g.chance(0.5) ? ['x'] : [String(g.range(0, 20)), g.bin(2)])]];
    }
  },
};

const sort: Family = {
  name: 'sort',
  weight: 4,
  gen(g) {
    const k = g.key(g.pick(['l', 'S', 'I', 'z'] as const));
    const o: string[] = [];
    if (g.chance(0.25)) o.push('BY', g.pick(['nosort', `{${g.tag}}w_*`, 'x', 'w_*->f']));
    if (g.chance(0.3)) o.push('LIMIT', g.pick(['0', '1', '-1', 'x']), g.pick(['1', '2', '-1', '10']));
    if (g.chance(0.15)) o.push('GET', g.pick(['#', `{${g.tag}}w_*`, '#']));
    if (g.chance(0.3)) o.push(g.pick(['ASC', 'DESC']));
    if (g.chance(0.5)) o.push('ALPHA');
    const ro = g.chance(0.3);
    if (!ro && g.chance(0.25)) o.push('STORE', g.key('l'));
    return [[ro ? 'SORT_RO' : 'SORT', k, ...o]];
  },
};

const CONFIG_PARAMS = ['hash-max-listpack-entries', 'zset-max-listpack-value', 'set-max-intset-entries', 'list-max-listpack-size', 'stream-node-max-entries', 'hll-sparse-max-bytes', 'list-compress-depth'];
const COMMANDS_FOR_INFO = ['get', 'set', 'zadd', 'xadd', 'sort', 'georadius', 'bitfield', 'nosuch', 'xreadgroup', 'lmpop', 'zunionstore', 'ping', 'hset', 'blmove', 'restore'];

const server: Family = {
  name: 'server',
  weight: 5,
  gen(g) {
    switch (g.int(26)) {
      case 0: return [['PING', ...g.opt(0.5, g.value())]];
      case 1: return [['ECHO', g.value()]];
      case 2: return [['DBSIZE']];
      case 3: return [[g.pick(['TIME', 'LASTSAVE'])]];
      case 4: return [['INFO', ...g.opt(0.5, g.pick(['keyspace', 'server', 'stats', 'memory', 'nosuch']))]];
      case 5: return [['CONFIG', 'GET', g.pick(CONFIG_PARAMS)]];
      case 6: return [['CONFIG', 'SET', g.pick(CONFIG_PARAMS), g.pick(['0', '1', '4', '-1', 'x', '128', '-6', '99999999999'])]];
      case 7: return [['COMMAND', 'INFO', g.pick(COMMANDS_FOR_INFO)]];
      case 8: {
        const c = g.pick([['GET', g.key('s')], ['MSET', g.key('s'), '1', g.key('s'), '2'], ['ZUNIONSTORE', g.key('z'), '2', g.key('z'), g.key('z')], ['XREAD', 'STREAMS', g.key('x'), '0'], ['SORT', g.key('l'), 'STORE', g.key('l')], ['PING'], ['NOSUCH', 'x'], ['GET'], ['LMPOP', '2', g.key('l'), g.key('l'), 'LEFT'], ['GEORADIUS', g.key('g'), '0', '0', '1', 'km', 'STORE', g.key('g')]]);
        return [['COMMAND', g.pick(['GETKEYS', 'GETKEYS', 'GETKEYSANDFLAGS']), ...c]];
      }
      case 9: return [['CLUSTER', 'KEYSLOT', g.key('s')]];
      case 10: return [['CLUSTER', 'COUNTKEYSINSLOT', g.pick(['0', '16383', '16384', '-1', 'x'])]];
      case 11: return [['CLUSTER', 'GETKEYSINSLOT', g.pick(['0', '16384', 'x']), g.pick(['10', '0', '-1'])]];
      case 12: return [['CLIENT', g.pick(['ID', 'GETNAME', 'INFO', 'LIST', 'GETREDIR', 'TRACKINGINFO'])]];
      case 13: return [['CLIENT', 'SETNAME', g.pick(['conn1', '', 'a b', 'x\u00ff'])]];
      case 14: return [['CLIENT', 'NO-EVICT', g.pick(['ON', 'OFF', 'x'])]];
      case 15: return [['SELECT', g.pick(['0', '1', 'x'])]];
      case 16: return [['HELLO', ...(g.chance(0.9) ? [g.pick(['2', '3', '3', '4', 'x'])] : [])]];
      case 17: return [[g.pick(['PUBLISH', 'SPUBLISH']), `{${g.tag}}ch`, g.value()]];
      case 18: return [['PUBSUB', g.pick(['NUMSUB', 'CHANNELS', 'NUMPAT', 'SHARDCHANNELS', 'SHARDNUMSUB'])]];
      case 19: return [[g.pick(['OBJECT', 'CONFIG', 'CLIENT', 'CLUSTER', 'XINFO', 'XGROUP', 'PUBSUB', 'COMMAND', 'FUNCTION', 'ACL']), 'HELP']];
      case 20: return [[g.pick(['NOSUCHCMD', 'GETT', 'XINFO', 'CONFIG']), ...g.opt(0.5, 'nosub')]];
      case 21: return [['ACL', g.pick(['WHOAMI', 'CAT'])]];
      case 22: return [['CLUSTER', g.pick(['INFO', 'MYID'])]];
      case 23: return [g.chance(0.5) ? ['SAVE'] : ['MEMORY', 'USAGE', g.key(g.pick(['s', 'h', 'z', 'l'] as const)), ...g.opt(0.3, 'SAMPLES', g.pick(['0', '5', 'x']))]];
      case 24: return [['FLUSHALL', ...g.opt(0.3, g.pick(['ASYNC', 'SYNC']))]];
      default: return [['ECHO', g.long()]];
    }
  },
};

export const MORE_FAMILIES: readonly Family[] = [zsets, streams, geo, bitmaps, hll, sort, server];
