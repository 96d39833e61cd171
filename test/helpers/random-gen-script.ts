// Random differential test generators, part 3: Lua scripting (EVAL/EVALSHA/EVAL_RO, SCRIPT) and
// functions (FUNCTION LOAD/DELETE/LIST, FCALL/FCALL_RO), from a small library of scripts that
// exercise reply conversion, errors raised and caught, and redis.call on the sequence's keys.
import type { Family, G } from './random-gen.js';

/** Script bodies; KEYS/ARGV come from the sequence. None loops, none reads randomness or time. */
const SCRIPTS = [
  "return redis.call('SET', KEYS[1], ARGV[1])",
  "return redis.call('GET', KEYS[1])",
  "return redis.call('INCR', KEYS[1])",
  "return redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])",
  "return redis.pcall('LPUSH', KEYS[1], ARGV[1])",
  "return redis.call('LPUSH', KEYS[1], ARGV[1])",
  "return {1, 2, 3.7, -4.2, 'x', false, true, nil, 5}",
  "return {ok='FINE'}",
  "return {err='My Error'}",
  "return redis.status_reply('PONG2')",
  "return redis.error_reply('ERR custom failure')",
  "return redis.error_reply('no prefix here')",
  'return tonumber(ARGV[1])',
  'return #KEYS + #ARGV',
  'return ARGV',
  'return KEYS',
  "return redis.call('NOSUCHCMD')",
  "return redis.call('GET')",
  "return redis.pcall('GET')",
  "local r = redis.pcall('INCR', KEYS[1]); if type(r) == 'table' and r.err then return 'caught: ' .. r.err end; return r",
  "return redis.call('HSET', KEYS[1], ARGV[1], ARGV[1])",
  "local t = redis.call('HGETALL', KEYS[1]); return #t",
  "return redis.call('ZADD', KEYS[1], ARGV[1], 'm')",
  "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')",
  "return redis.call('EXISTS', KEYS[1], KEYS[2] or KEYS[1])",
  'return redis.sha1hex(ARGV[1] or "")',
  "return redis.call('TYPE', KEYS[1])",
  "return redis.call('TYPE', KEYS[1]).ok",
  'return 3.99',
  'return -0.5',
  'return true',
  'return false',
  'return nil',
  "return 'a' .. 1 .. 'b'",
  "error('plain lua error')",
  "error({err='ERR table error'})",
  'return +',
  'return undefined_global.x',
  "local x = 1 x = x + 'a'",
  "return string.format('%d-%s', 7, 'q')",
  "return cjson.encode({1, 2, 'three'})",
  "return cjson.decode('[1,2,3]')[2]",
  "return bit.band(12, 10)",
  "return struct.pack('>I2', 258)",
  "return cmsgpack.pack({1, 2})",
  "redis.call('SET', KEYS[1], 'a'); return redis.call('APPEND', KEYS[1], 'b')",
  "return redis.call('EXPIRE', KEYS[1], 1000)",
  "return redis.call('PING')",
  "return redis.call('ECHO', ARGV[1])",
  "return redis.call('SPUBLISH', KEYS[1], 'm')",
];

const FUNCTIONS = [
  "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('GET', keys[1]) end)",
  "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return #keys end, flags={'no-writes'}}",
  "#!lua name=lib2\nredis.register_function('f2', function(keys, args) return redis.call('INCR', keys[1]) end)",
  "#!lua name=lib3\nredis.register_function('f3', function(keys, args) return {args[1], 2} end)\nredis.register_function('f4', function() return redis.error_reply('ERR f4') end)",
  '#!lua name=bad\nreturn +',
  "#!lua name=lib1\nredis.register_function('f1')",
  "#!lua\nredis.register_function('nolib', function() return 1 end)",
  "#!js name=lib9\n1",
  "#!lua name=lib5\nlocal x = redis.call('GET', 'k')",
];

// SHA_REF of random-gen.ts, spelt out here so this module has no runtime import cycle.
const SHA = '\u0002sha\u0002';

function evalArgs(g: G): string[] {
  const nk = g.pick([0, 1, 1, 1, 2]);
  const keys: string[] = [];
  for (let i = 0; i < nk; i++) keys.push(g.key(g.pick(['s', 'n', 'l', 'h', 'z'] as const)));
  const args = g.chance(0.7) ? [g.chance(0.5) ? g.value() : g.pick(['1', '1.5', 'x', '10', '-3'])] : [];
  const numkeys = g.chance(0.92) ? String(nk) : g.pick(['-1', 'x', '5', '']);
  return [numkeys, ...keys, ...args];
}

const scripting: Family = {
  name: 'scripting',
  weight: 5,
  gen(g) {
    const body = () => g.pick(SCRIPTS);
    switch (g.int(12)) {
      case 0: case 1: case 2: case 3: return [[g.pick(['EVAL', 'EVAL', 'EVAL_RO']), body(), ...evalArgs(g)]];
      case 4: {
        const b = body();
        return [['SCRIPT', 'LOAD', b], [g.pick(['EVALSHA', 'EVALSHA_RO']), SHA + b, ...evalArgs(g)]];
      }
      case 5: return [[g.pick(['EVALSHA', 'EVALSHA_RO']), g.pick(['ffffffffffffffffffffffffffffffffffffffff', 'x', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF']), ...evalArgs(g)]];
      case 6: return [['SCRIPT', 'EXISTS', SHA + body(), g.pick(['ffffffffffffffffffffffffffffffffffffffff', 'nosuch'])]];
      case 7: return [['SCRIPT', g.pick(['FLUSH', 'FLUSH', 'HELP', 'NOSUCH']), ...g.opt(0.3, g.pick(['ASYNC', 'SYNC', 'x']))]];
      case 8: return [['FUNCTION', 'LOAD', ...g.opt(0.4, 'REPLACE'), g.pick(FUNCTIONS)]];
      case 9: {
        const fn = g.pick(['f1', 'f2', 'f3', 'f4', 'nosuch']);
        return [[g.pick(['FCALL', 'FCALL', 'FCALL_RO']), fn, ...evalArgs(g)]];
      }
      case 10: return [['FUNCTION', g.pick(['DELETE', 'DELETE', 'FLUSH', 'LIST', 'STATS']), ...g.opt(0.6, g.pick(['lib1', 'lib2', 'nosuch', 'WITHCODE', 'LIBRARYNAME']))]];
      default: return [['FUNCTION', 'LIST', ...g.opt(0.5, 'WITHCODE'), ...g.opt(0.3, 'LIBRARYNAME', g.pick(['lib*', 'lib1', '*']))]];
    }
  },
};

export const SCRIPT_FAMILIES: readonly Family[] = [scripting];
