// Random differential test generators, part 1: strings, keys and expiry, lists, hashes (with
// field TTLs), sets. Each returns one or a few commands built from the G pools.
import type { Family, G } from './random-gen.js';

const rank = (g: G) => (g.chance(0.85) ? String(g.range(-4, 6)) : g.num());
const byteRange = (g: G) => (g.chance(0.85) ? [String(g.range(-6, 8)), String(g.range(-6, 12))] : [g.num(), g.num()]);

function setOpts(g: G): string[] {
  const o: string[] = [];
  if (g.chance(0.3)) o.push(g.pick(['NX', 'XX']));
  if (g.chance(0.2)) o.push('GET');
  const x = g.f();
  if (x < 0.15) o.push('EX', g.relSeconds());
  else if (x < 0.25) o.push('PX', g.relMillis());
  else if (x < 0.32) o.push('EXAT', g.absSeconds());
  else if (x < 0.38) o.push('PXAT', g.absMillis());
  else if (x < 0.45) o.push('KEEPTTL');
  if (g.chance(0.05)) o.push(g.pick(['EX', 'NX', 'PX', 'KEEPTTL', 'GET', 'XX']));
  return o;
}

const strings: Family = {
  name: 'strings',
  weight: 12,
  gen(g) {
    const k = g.key(g.chance(0.6) ? 's' : 'n');
    switch (g.int(26)) {
      case 0: case 1: return [['SET', k, g.value(), ...setOpts(g)]];
      case 2: return [['GET', k]];
      case 3: return [['SETNX', k, g.value()]];
      case 4: return [['SETEX', k, g.relSeconds(), g.value()]];
      case 5: return [['PSETEX', k, g.relMillis(), g.value()]];
      case 6: {
        const x = g.f();
        const o = x < 0.2 ? ['EX', g.relSeconds()] : x < 0.3 ? ['PX', g.relMillis()] : x < 0.4 ? ['EXAT', g.absSeconds()] : x < 0.5 ? ['PXAT', g.absMillis()] : x < 0.65 ? ['PERSIST'] : [];
        return [['GETEX', k, ...o, ...g.opt(0.05, 'PERSIST')]];
      }
      case 7: return [['GETDEL', k]];
      case 8: return [['GETSET', k, g.value()]];
      case 9: return [['MGET', ...g.keys('s', 1, 4)]];
      case 10: case 11: {
        const a: string[] = [];
        for (let i = g.range(1, 3); i > 0; i--) a.push(g.key(g.chance(0.5) ? 's' : 'n'), g.value());
        if (g.chance(0.05)) a.push(g.foreignKey('s'), 'v');
        return [[g.chance(0.7) ? 'MSET' : 'MSETNX', ...a]];
      }
      case 12: return [[g.pick(['INCR', 'DECR']), k]];
      case 13: case 14: return [[g.pick(['INCRBY', 'DECRBY']), k, g.num()]];
      case 15: case 16: return [['INCRBYFLOAT', k, g.float()]];
      case 17: return [['APPEND', k, g.value()]];
      case 18: return [['STRLEN', k]];
      case 19: return [[g.pick(['GETRANGE', 'SUBSTR']), k, ...byteRange(g)]];
      case 20: return [['SETRANGE', k, g.chance(0.9) ? String(g.range(0, 80)) : g.pick(['-1', '536870912', '536870911x', '100000']), g.chance(0.1) ? '' : g.value()]];
      case 21: {
        const o: string[] = [];
        if (g.chance(0.3)) o.push('LEN');
        if (g.chance(0.4)) o.push('IDX');
        if (g.chance(0.3)) o.push('MINMATCHLEN', g.count());
        if (g.chance(0.3)) o.push('WITHMATCHLEN');
        return [['LCS', k, g.key('s'), ...o]];
      }
      case 22: return [['SET', k, g.pick(['10', '-5', '9223372036854775807', '-9223372036854775808', '1.5', '3.0e3', '0', ' 7', '1e400'])]];
      case 23: return [['INCRBYFLOAT', k, g.pick(['1e308', '-1e308', '1.7976931348623157e308', '0.1', '5e-324', '1e-320'])]];
      case 24: return [['OBJECT', 'ENCODING', k]];
      default: return [['SET', k, g.long()]];
    }
  },
};

const EXPIRE_CONDS = ['NX', 'XX', 'GT', 'LT'];

const keys: Family = {
  name: 'keys',
  weight: 10,
  gen(g) {
    const anyKind = () => g.pick(['s', 'n', 'l', 'h', 'S', 'I', 'z', 'x', 'p', 'g', 'b'] as const);
    const k = g.key(anyKind());
    const cond = () => (g.chance(0.3) ? [g.pick(EXPIRE_CONDS)] : []).concat(g.chance(0.05) ? [g.pick(EXPIRE_CONDS)] : []);
    switch (g.int(24)) {
      case 0: return [[g.pick(['DEL', 'UNLINK']), ...g.keys(anyKind(), 1, 3)]];
      case 1: return [['EXISTS', ...g.keys(anyKind(), 1, 3)]];
      case 2: return [['TOUCH', ...g.keys(anyKind(), 1, 2)]];
      case 3: return [['TYPE', k]];
      case 4: return [[g.pick(['RENAME', 'RENAMENX']), k, g.chance(0.05) ? g.foreignKey('s') : g.key(anyKind())]];
      case 5: return [['COPY', k, g.key(anyKind()), ...g.opt(0.4, 'REPLACE'), ...g.opt(0.05, 'DB', g.pick(['0', '1', 'x']))]];
      case 6: return [['KEYS', g.pick(['*', `*${g.tag}*`, '{*', '*s?', '*[hz]*', 'nomatch', '*\\{*', '[', '*0'])]];
      case 7: {
        const o: string[] = [];
        if (g.chance(0.4)) o.push('MATCH', g.pick(['*', '*s*', '*1', '[']));
        if (g.chance(0.5)) o.push('COUNT', g.pick(['1000', '1', '0', '-1', 'x', '10']));
        if (g.chance(0.3)) o.push('TYPE', g.pick(['string', 'list', 'hash', 'set', 'zset', 'stream', 'nosuch']));
        // Only cursor 0 or invalid ones: a mid-iteration cursor visits (and lazily expires) other
        // keys in Redis's dict than in our shards, a side effect DBSIZE would then show.
        return [['SCAN', g.pick(['0', '0', '0', 'x', '18446744073709551616', '-x', '']), ...o]];
      }
      case 8: return [['RANDOMKEY']];
      case 9: case 10: return [[g.pick(['EXPIRE', 'PEXPIRE']), k, g.chance(0.5) ? g.relSeconds() : g.relMillis(), ...cond()]];
      case 11: return [[g.pick(['EXPIREAT', 'PEXPIREAT']), k, g.chance(0.5) ? g.absSeconds() : g.absMillis(), ...cond()]];
      case 12: case 13: return [[g.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), k]];
      case 14: return [['PERSIST', k]];
      case 15: return [['DBSIZE']];
      case 16: return [['OBJECT', g.pick(['ENCODING', 'ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ']), k]];
      case 17: return [['OBJECT', g.pick(['HELP', 'NOSUCH', 'encoding'])]];
      case 18: return [['DUMP', k]];
      case 19: {
        const o: string[] = [];
        if (g.chance(0.3)) o.push('REPLACE');
        if (g.chance(0.15)) o.push('ABSTTL');
        if (g.chance(0.1)) o.push('IDLETIME', g.pick(['10', '-1', 'x']));
        if (g.chance(0.1)) o.push('FREQ', g.pick(['10', '300', 'x']));
        const ttl = g.pick(['0', '0', '1000000', '-1', 'x', '1']);
        return [['RESTORE', k, o.includes('ABSTTL') ? g.pick(['0', '1', '4102444800000']) : ttl, g.chance(0.85) ? DUMP_REF_ : g.pick(['', 'garbage', '\u0000\u00c0\u0001\n\u0000'])]];
      }
      case 20: return [['DUMP', k], ['RESTORE', g.key(anyKind()), '0', DUMP_REF_, ...g.opt(0.5, 'REPLACE')]];
      case 21: return [['FLUSHDB', ...g.opt(0.3, g.pick(['ASYNC', 'SYNC', 'x']))]];
      case 22: return [['EXPIRE', k, g.pick(['1000', '100000']), ...cond()], ['TTL', k]];
      default: return [['SET', k, 'v', 'EX', '1000'], [g.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), k]];
    }
  },
};
// A literal here (not an import from random-gen.ts) so this module has no runtime cycle.
const DUMP_REF_ = '\u0001last-dump\u0001';

const END = () => ['LEFT', 'RIGHT'];
const lists: Family = {
  name: 'lists',
  weight: 10,
  gen(g) {
    const k = g.key('l');
    switch (g.int(24)) {
      case 0: case 1: case 2: return [[g.pick(['LPUSH', 'RPUSH']), k, ...g.members(1, 5)]];
      case 3: return [[g.pick(['LPUSHX', 'RPUSHX']), k, ...g.members(1, 3)]];
      case 4: case 5: return [[g.pick(['LPOP', 'RPOP']), k, ...g.opt(0.5, g.count())]];
      case 6: return [['LLEN', k]];
      case 7: case 8: return [['LRANGE', k, rank(g), rank(g)]];
      case 9: return [['LINDEX', k, rank(g)]];
      case 10: return [['LSET', k, rank(g), g.member()]];
      case 11: return [['LINSERT', k, g.pick(['BEFORE', 'AFTER', 'MIDDLE']), g.member(), g.member()]];
      case 12: return [['LREM', k, rank(g), g.member()]];
      case 13: return [['LTRIM', k, rank(g), rank(g)]];
      case 14: {
        const o: string[] = [];
        if (g.chance(0.4)) o.push('RANK', g.pick(['1', '-1', '2', '0', '-9223372036854775808', 'x']));
        if (g.chance(0.4)) o.push('COUNT', g.pick(['0', '1', '2', '-1']));
        if (g.chance(0.3)) o.push('MAXLEN', g.pick(['0', '1', '3', '-1']));
        return [['LPOS', k, g.member(), ...o]];
      }
      case 15: return [['LMOVE', k, g.key('l'), g.pick(END()), g.pick([...END(), 'UP'])]];
      case 16: return [['RPOPLPUSH', k, g.key('l')]];
      case 17: {
        const ks = g.keys('l', 1, 3);
        return [['LMPOP', g.chance(0.9) ? String(ks.length) : g.pick(['0', '-1', '5', 'x']), ...ks, g.pick([...END(), 'UP']), ...g.opt(0.5, 'COUNT', g.count())]];
      }
      case 18: return [[g.pick(['BLPOP', 'BRPOP']), ...g.keys('l', 1, 2), g.timeout()]];
      case 19: return [['BLMOVE', k, g.key('l'), g.pick(END()), g.pick(END()), g.timeout()]];
      case 20: return [['BRPOPLPUSH', k, g.key('l'), g.timeout()]];
      case 21: {
        const ks = g.keys('l', 1, 2);
        return [['BLMPOP', g.timeout(), String(ks.length), ...ks, g.pick(END()), ...g.opt(0.4, 'COUNT', g.count())]];
      }
      case 22: {
        // Long lists: past a listpack node, and long elements (quicklist plain nodes).
        const els: string[] = [];
        for (let i = g.range(20, 300); i > 0; i--) els.push(g.chance(0.9) ? String(g.int(50)) : g.member());
        return [['RPUSH', k, ...els]];
      }
      default: return [['LPUSH', k, g.long()]];
    }
  },
};

const hashes: Family = {
  name: 'hashes',
  weight: 10,
  gen(g) {
    const k = g.key('h');
    const fv = (lo: number, hi: number) => {
      const a: string[] = [];
      for (let i = g.range(lo, hi); i > 0; i--) a.push(g.member(), g.value());
      return a;
    };
    switch (g.int(22)) {
      case 0: case 1: case 2: return [[g.pick(['HSET', 'HSET', 'HMSET']), k, ...fv(1, 4)]];
      case 3: return [['HSETNX', k, g.member(), g.value()]];
      case 4: case 5: return [['HGET', k, g.member()]];
      case 6: return [['HMGET', k, ...g.members(1, 4)]];
      case 7: return [['HDEL', k, ...g.members(1, 3)]];
      case 8: return [[g.pick(['HLEN', 'HKEYS', 'HVALS', 'HGETALL']), k]];
      case 9: return [[g.pick(['HSTRLEN', 'HEXISTS']), k, g.member()]];
      case 10: return [['HINCRBY', k, g.member(), g.num()]];
      case 11: return [['HINCRBYFLOAT', k, g.member(), g.float()]];
      case 12: {
        const c = g.chance(0.8) ? [g.pick(['1', '3', '-3', '0', '10', '-10', '100', 'x', '-9223372036854775808', '9223372036854775807'])] : [];
        return [['HRANDFIELD', k, ...c, ...(c.length && g.chance(0.5) ? ['WITHVALUES'] : [])]];
      }
      case 13: {
        const o: string[] = [];
        if (g.chance(0.3)) o.push('MATCH', g.pick(['*', 'a*', 'm*']));
        if (g.chance(0.4)) o.push('COUNT', g.pick(['1000', '1', '0', 'x']));
        return [['HSCAN', k, g.pick(['0', '0', '3', 'x']), ...o]];
      }
      case 14: {
        const a: string[] = [];
        for (let i = g.range(100, 160); i > 0; i--) a.push(`f${g.int(200)}`, g.chance(0.95) ? String(i) : g.long());
        return [['HSET', k, ...a]];
      }
      case 15: return [['HSET', k, g.member(), g.long()]];
      case 16: case 17: case 18: case 19: return g.opts.control || g.inMulti ? [['HGETALL', k]] : fieldTtl(g, k);
      default: return [['HGETALL', k]];
    }
  },
};

/** Distinct fields for the field-TTL commands (the runner's emulation assumes no repeats). */
function distinctFields(g: G): string[] {
  const s = new Set<string>();
  for (let i = g.range(1, 3); i > 0; i--) s.add(g.member());
  return [...s];
}

/**
 * Hash field TTLs (Redis 7.4/8.0 forms; 7.0.15 has none): only the forms the runner can emulate
 * on 7.0 (random-hfe.ts) — far-future TTLs, immediate deletion, reads.
 */
function fieldTtl(g: G, k: string): string[][] {
  g.hfe = true;
  const f = distinctFields(g);
  const F = ['FIELDS', String(f.length), ...f];
  switch (g.int(9)) {
    case 0: case 1: {
      const cmd = g.pick(['HEXPIRE', 'HPEXPIRE', 'HEXPIREAT', 'HPEXPIREAT']);
      const far = cmd === 'HEXPIRE' ? g.pick(['1000', '100000']) : cmd === 'HPEXPIRE' ? '100000000' : cmd === 'HEXPIREAT' ? '4102444800' : '4102444800000';
      return [[cmd, k, far, ...(g.chance(0.3) ? [g.pick(['NX', 'XX', 'GT', 'LT'])] : []), ...F]];
    }
    case 2: return [[g.pick(['HEXPIRE', 'HPEXPIRE']), k, '0', ...F]];
    case 3: return [[g.pick(['HEXPIREAT', 'HPEXPIREAT']), k, '1', ...F]];
    case 4: return [[g.pick(['HTTL', 'HPTTL', 'HEXPIRETIME', 'HPEXPIRETIME']), k, ...F]];
    case 5: return [['HPERSIST', k, ...F]];
    case 6: return [['HGETDEL', k, ...F]];
    case 7: {
      const o = g.pick([[], ['PERSIST'], ['EX', '1000'], ['PX', '100000000'], ['EXAT', '4102444800'], ['PXAT', '4102444800000']]);
      return [['HGETEX', k, ...o, ...F]];
    }
    default: {
      const fv: string[] = [];
      for (const x of f) fv.push(x, g.value());
      const cond = g.chance(0.4) ? [g.pick(['FNX', 'FXX'])] : [];
      const ttl = g.pick([[], ['EX', '1000'], ['PX', '100000000'], ['EXAT', '4102444800'], ['KEEPTTL']]);
      return [['HSETEX', k, ...cond, ...ttl, 'FIELDS', String(f.length), ...fv]];
    }
  }
}

const sets: Family = {
  name: 'sets',
  weight: 10,
  gen(g) {
    const kind = g.chance(0.5) ? 'S' : 'I';
    const k = g.key(kind);
    const m = () => (kind === 'I' && g.chance(0.85) ? g.intMember() : g.member());
    const ms = (lo: number, hi: number) => {
      const a: string[] = [];
      for (let i = g.range(lo, hi); i > 0; i--) a.push(m());
      return a;
    };
    const setKeys = (lo: number, hi: number) => {
      const a: string[] = [];
      for (let i = g.range(lo, hi); i > 0; i--) a.push(g.key(g.chance(0.5) ? 'S' : 'I'));
      return a;
    };
    switch (g.int(22)) {
      case 0: case 1: case 2: return [['SADD', k, ...ms(1, 5)]];
      case 3: return [['SREM', k, ...ms(1, 3)]];
      case 4: return [['SCARD', k]];
      case 5: return [['SISMEMBER', k, m()]];
      case 6: return [['SMISMEMBER', k, ...ms(1, 4)]];
      case 7: return [['SMEMBERS', k]];
      case 8: return [['SMOVE', k, g.key(kind), m()]];
      case 9: return [[g.inMulti ? 'SRANDMEMBER' : 'SPOP', k, ...(g.chance(0.6) ? [g.pick(['1', '2', '5', '0', '1000', '-1', 'x'])] : [])]];
      case 10: return [['SRANDMEMBER', k, ...(g.chance(0.7) ? [g.pick(['1', '3', '-3', '0', '10', '-10', '1000', 'x', '-9223372036854775808'])] : [])]];
      case 11: {
        const o: string[] = [];
        if (g.chance(0.3)) o.push('MATCH', g.pick(['*', '1*', 'm*']));
        if (g.chance(0.4)) o.push('COUNT', g.pick(['1000', '1', '0', 'x']));
        return [['SSCAN', k, g.pick(['0', '0', '5', 'x']), ...o]];
      }
      case 12: case 13: return [[g.pick(['SINTER', 'SUNION', 'SDIFF']), ...setKeys(1, 3)]];
      case 14: return [[g.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), g.key(kind), ...setKeys(1, 3)]];
      case 15: {
        const ks = setKeys(1, 3);
        return [['SINTERCARD', g.chance(0.9) ? String(ks.length) : g.pick(['0', '5', 'x', '-1']), ...ks, ...g.opt(0.4, 'LIMIT', g.pick(['0', '1', '2', '-1', 'x']))]];
      }
      case 16: {
        // Past set-max-intset-entries (512) and the listpack limit (128).
        const a: string[] = [];
        const n = g.range(100, 600);
        for (let i = 0; i < n; i++) a.push(kind === 'I' ? String(g.int(2000)) : `m${g.int(800)}`);
        return [['SADD', k, ...a]];
      }
      case 17: return [['SADD', k, g.long()]];
      case 18: return [['OBJECT', 'ENCODING', k]];
      default: return [['SMEMBERS', k]];
    }
  },
};

export const DATA_FAMILIES: readonly Family[] = [strings, keys, lists, hashes, sets];
