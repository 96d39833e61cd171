// EVAL / EVALSHA / EVAL_RO / SCRIPT against real Redis 7.0.15 (a one-node cluster), RESP2 and
// RESP3: conversion rules both ways, error texts, shebang flags, redis.* helpers, cjson, cmsgpack, bit.
import { describe, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { sha1Hex } from '../../src/scripting/sha1.js';

const d = useDiff();
const ev = (body: string, ...rest: (string | number)[]): Cmd => ['EVAL', body, ...rest];

describe('Lua → reply conversion', () => {
  it('scalars, tables, status and error tables', () =>
    d.check([
      ev('return 1', 0), ev('return 3.99', 0), ev('return -3.99', 0), ev("return 'x'", 0),
      ev('return true', 0), ev('return false', 0), ev('return nil', 0), ev('return', 0),
      ev("return {1, 2, 3.99, 'x', false, {ok='fine'}, {err='bad'}, {1, {2}}}", 0),
      ev("return {1, nil, 3}", 0), ev("return {ok='OK'}", 0), ev("return {err='MYERR something'}", 0),
      ev("return {ok='a\\r\\nb'}", 0), ev("return {err='a\\nb'}", 0), ev('return {}', 0),
      ev("return redis.status_reply('PONG')", 0), ev("return redis.error_reply('My Error')", 0),
      ev("return redis.error_reply('-X y')", 0), ev("local t = redis.error_reply('x y'); return t.err", 0),
      ev('return 2^53', 0), ev('return 1e300', 0), ev('return tostring(10/2) .. tostring(2^53) .. tostring(0.1)', 0),
    ]));

  it('RESP3 types under redis.setresp(3)', () =>
    d.check([
      ev("redis.setresp(3); return {map={a=1}}", 0), ev("redis.setresp(3); return {set={a=true}}", 0),
      ev("redis.setresp(3); return {double=3.5}", 0), ev("return {double=3.5}", 0),
      ev("redis.setresp(3); return true", 0), ev("redis.setresp(3); return false", 0),
      ev("return {map={x='y'}}", 0), ev("return {set={x=true}}", 0),
      ev("return {verbatim_string={format='txt', string='hi'}}", 0),
      ev("redis.setresp(4)", 0), ev('redis.setresp()', 0),
    ]));
});

describe('reply → Lua conversion', () => {
  it('RESP2 replies as Lua values', () =>
    d.check([
      ['SET', '{t}s', 'v'], ['RPUSH', '{t}l', 'a', 'b'], ['HSET', '{t}h', 'f', 'v'],
      ev("return redis.call('GET', KEYS[1])", 1, '{t}s'), ev("return type(redis.call('GET', KEYS[1]))", 1, '{t}nokey'),
      ev("return redis.call('GET', KEYS[1]) == false", 1, '{t}nokey'),
      ev("local r = redis.call('SET', KEYS[1], 'x'); return type(r) .. r.ok", 1, '{t}s'),
      ev("return redis.call('LRANGE', KEYS[1], 0, -1)", 1, '{t}l'), ev("return redis.call('HGETALL', KEYS[1])", 1, '{t}h'),
      ev("return redis.call('INCR', KEYS[1]) + 0.5", 1, '{t}n'),
      ev("return redis.call('BLPOP', KEYS[1], 0)", 1, '{t}empty'),
      ev("local r = redis.pcall('INCR', KEYS[1]); return r.err", 1, '{t}s'),
      ev("return redis.pcall('INCR', KEYS[1])", 1, '{t}s'),
      ev("return redis.call('INCRBYFLOAT', KEYS[1], '1.5')", 1, '{t}f'),
      ev("return redis.call('ZADD', KEYS[1], 1.5, 'm') .. redis.call('ZSCORE', KEYS[1], 'm')", 1, '{t}z'),
      ev("return redis.call('SET', KEYS[1], 3.0) and redis.call('GET', KEYS[1])", 1, '{t}num'),
      ev("return redis.call('SET', KEYS[1], 0.1) and redis.call('GET', KEYS[1])", 1, '{t}num'),
    ]));

  it('RESP3 replies as Lua values under setresp(3)', () =>
    d.check([
      ['HSET', '{t}h', 'f', 'v'], ['ZADD', '{t}z', '1.5', 'm'], ['SADD', '{t}s', 'x'],
      ev("redis.setresp(3); local r = redis.call('HGETALL', KEYS[1]); return r.map.f", 1, '{t}h'),
      ev("redis.setresp(3); return redis.call('HGETALL', KEYS[1])", 1, '{t}h'),
      ev("redis.setresp(3); local r = redis.call('ZSCORE', KEYS[1], 'm'); return tostring(r.double)", 1, '{t}z'),
      ev("redis.setresp(3); return redis.call('ZSCORE', KEYS[1], 'm')", 1, '{t}z'),
      ev("redis.setresp(3); local r = redis.call('SMEMBERS', KEYS[1]); return r.set.x", 1, '{t}s'),
      ev("redis.setresp(3); return redis.call('GET', KEYS[1]) == nil", 1, '{t}none'),
    ]));
});

describe('errors', () => {
  it('runtime, compile and command errors', () =>
    d.check([
      ['SET', '{t}s', 'v'],
      ev("error('boom')", 0), ev("error({err='MY bad'})", 0), ev('x = 5', 0), ev('return y', 0), ev('return os', 0),
      ev('return +', 0), ev('local x = = 1', 0), ev("return redis.call('nosuch')", 0), ev("return redis.pcall('nosuch')", 0),
      ev("return redis.call('get')", 0), ev("return redis.call('get', 'a', 'b')", 0), ev("return redis.call('subscribe', 'x')", 0),
      ev("return redis.call('multi')", 0), ev('return redis.call()', 0), ev('return redis.call({})', 0),
      ev("return redis.call('incr', KEYS[1])", 1, '{t}s'), ev("return redis.call('lpush', KEYS[1], 'a')", 1, '{t}s'),
      ev("local a = nil; return a.b", 0), ev("return 1 + {}", 0), ev("\n\nerror('line3')", 0),
      ev('setmetatable(_G, {})', 0), ev('local g = getmetatable(_G); g.__index = {}', 0), ev('setmetatable(string, nil)', 0),
      ev("return getmetatable(setmetatable({}, {__index = {a = 'ok'}})).__index.a", 0),
      ev("string.x = 1", 0), ev("_G.x = 1", 0), ev("redis.call = 1", 0), ev('return _G.nothere', 0),
      ev('return 1', -1), ev('return 1', 3, 'a'), ev('return 1', 'x'), ['EVAL', 'return 1'],
      ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 0], ['EVALSHA', 'abc', 0],
      ev("return redis.call('eval', 'return 1', '0')", 0), ev("return redis.call('client', 'list')", 0),
      ev("return redis.call('get', KEYS[1])", 1, '{a}x'),
    ]));

  it('keys outside the declared slot', () =>
    d.check([ev("return redis.call('get', '{t}other')", 1, '{t}k'), ev("#!lua\nreturn redis.call('get', '{t}other')", 1, '{t}k')]));
});

describe('globals and libraries', () => {
  it('the globals Redis gives scripts', () =>
    d.check([
      ev("local t = {} for k in pairs(_G) do t[#t+1] = k end table.sort(t) return t", 0),
      ...['loadstring', 'unpack', 'table.getn', 'math.pow', 'string.gfind', 'gcinfo', 'coroutine', 'bit', 'cjson', 'cmsgpack',
        'struct', 'require', 'loadfile', 'dofile', 'print', 'os', 'io', 'debug', 'setfenv', 'table.maxn', 'math.mod',
        'table.foreach', 'load', 'collectgarbage', 'newproxy', 'module'].map((g) => ev(`return type(${g})`, 0)),
      ev('return _VERSION', 0), ev("return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", 0),
      ev('return unpack({1, 2, 3})', 0), ev("return table.getn({1, 2, 3})", 0), ev("return loadstring('return 7')()", 0),
      ev('return table.maxn({1, 2, [10] = 3})', 0), ev('return math.pow(2, 10)', 0), ev('return math.mod(7, 3)', 0),
      ev("local t = {} for w in string.gfind('a b c', '%a') do t[#t+1] = w end return t", 0),
      ev("return redis.sha1hex('')", 0), ev("return redis.sha1hex('hello')", 0), ev('return redis.sha1hex()', 0),
      ev('return KEYS[1] .. ARGV[1] .. #KEYS .. #ARGV', 1, 'k', 'a'),
      ev("redis.log(redis.LOG_WARNING, 'hi'); return 1", 0), ev('redis.log(1)', 0), ev("redis.log('x', 'y')", 0),
      ev('return redis.replicate_commands()', 0), ev('redis.set_repl(redis.REPL_ALL); return 1', 0), ev('redis.set_repl(99)', 0),
      ev("return string.format('%d %s %5.2f', 3, 'x', 3.14159)", 0), ev("return tostring(12345678901234)", 0),
      ev("return string.rep('ab', 3) .. string.sub('hello', 2, 3) .. string.upper('x')", 0),
      ev("return loadstring('\\27Lua')", 0),
    ]));

  it('cjson', () =>
    d.check([
      ev("return cjson.encode({1, 2, 3})", 0), ev("return cjson.encode({a = 1})", 0), ev("return cjson.encode('a/b\"c\\n')", 0),
      ev("return cjson.encode({})", 0), ev('return cjson.encode(3.14159265358979)', 0), ev('return cjson.encode(1e100)', 0),
      ev("return cjson.encode({1, nil, 3})", 0), ev("return cjson.encode({[1] = 1, [20] = 2})", 0),
      ev("return cjson.encode({a = {b = {true, false, cjson.null}}})", 0), ev('return cjson.encode(0/0)', 0),
      ev("return cjson.decode('[1,2,3]')", 0), ev("return cjson.decode('{\"a\":[1,\"x\"]}').a", 0),
      ev("return cjson.decode('\"\\\\u00e9\\\\n\"')", 0), ev("return type(cjson.decode('null'))", 0),
      ev("return cjson.decode('{\"a\":1.5}').a * 2", 0), ev("return cjson.decode('[1,')", 0), ev("return cjson.decode('x')", 0),
      ev("return cjson.encode(cjson.decode('{\"k\":[1,2,{\"z\":null}]}'))", 0),
    ]));

  it('cmsgpack and bit', () =>
    d.check([
      ev("return cmsgpack.pack({1, 2, 3})", 0), ev("return cmsgpack.pack('abc', 300, -5, 1.5, true, {a = 1})", 0),
      ev("return cmsgpack.pack(0.1)", 0), ev("return cmsgpack.pack(2^40, -2^40)", 0), ev("return cmsgpack.pack(string.rep('x', 40))", 0),
      ev("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}))}", 0), ev("return cmsgpack.unpack(cmsgpack.pack({a = 'b'})).a", 0),
      ev('return bit.band(0xff, 0x0f)', 0), ev('return bit.bor(1, 2, 4)', 0), ev('return bit.bxor(5, 3)', 0), ev('return bit.bnot(0)', 0),
      ev('return bit.lshift(1, 31)', 0), ev('return bit.rshift(-1, 28)', 0), ev('return bit.arshift(-256, 4)', 0),
      ev('return bit.tohex(255)', 0), ev('return bit.tohex(-1, -4)', 0), ev('return bit.tobit(2^32 + 5)', 0),
      ev('return bit.rol(1, 33)', 0), ev('return bit.bswap(0x12345678)', 0),
    ]));
});

describe('EVALSHA, SCRIPT, flags', () => {
  it('SCRIPT LOAD / EXISTS / FLUSH and EVALSHA on every shard', () =>
    d.check([
      ['SCRIPT', 'LOAD', "return redis.call('incr', KEYS[1])"],
      ['EVALSHA', sha("return redis.call('incr', KEYS[1])"), 1, '{a}x'], ['EVALSHA', sha("return redis.call('incr', KEYS[1])"), 1, '{b}x'],
      ['EVALSHA', sha("return redis.call('incr', KEYS[1])").toUpperCase(), 1, '{c}x'],
      ['SCRIPT', 'EXISTS', sha("return redis.call('incr', KEYS[1])"), 'ffffffffffffffffffffffffffffffffffffffff'],
      ev('return 42', 0), ['SCRIPT', 'EXISTS', sha('return 42')], ['SCRIPT', 'LOAD', 'return +'],
      ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', sha('return 42')], ['EVALSHA', sha('return 42'), 0],
      ['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'FLUSH', 'x'], ['SCRIPT', 'KILL'], ['SCRIPT', 'NOPE'],
    ]));

  it('EVAL_RO, shebang flags', () =>
    d.check([
      ['SET', '{t}k', 'v'],
      ['EVAL_RO', "return redis.call('get', KEYS[1])", 1, '{t}k'], ['EVAL_RO', "return redis.call('set', KEYS[1], 'x')", 1, '{t}k'],
      ['EVAL_RO', "return redis.pcall('set', KEYS[1], 'x')", 1, '{t}k'],
      ev("#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'x')", 1, '{t}k'),
      ev("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", 1, '{t}k'),
      ev("#!lua\nreturn redis.call('set', KEYS[1], 'y')", 1, '{t}k'), ['GET', '{t}k'],
      ev('#!lua flags=bad\nreturn 1', 0), ev('#!lua x=1\nreturn 1', 0), ev('#!lu\nreturn 1', 0), ev('#!lua', 0),
      ev('#!lua flags=\nreturn 1', 0), ev('#!lua flags=allow-oom,allow-stale\nreturn 1', 0),
      ['EVAL_RO', '#!lua\nreturn 1', 0], ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', 0],
       ev("#!lua\nerror('x')", 0),
    ]));

  it('writes are atomic and visible afterwards', () =>
    d.check([
      ev("redis.call('set', KEYS[1], ARGV[1]); redis.call('rpush', KEYS[2], 'a', 'b'); return redis.call('llen', KEYS[2])", 2, '{t}a', '{t}b', 'v'),
      ['GET', '{t}a'], ['LRANGE', '{t}b', 0, -1],
      ev("redis.call('set', KEYS[1], 'partial'); error('stop')", 1, '{t}c'), ['GET', '{t}c'],
      ev("redis.call('set', KEYS[1], 'x', 'EX', 100); return redis.call('ttl', KEYS[1])", 1, '{t}d'),
    ]));
});

function sha(body: string): string {
  return sha1Hex(body);
}

describe('FUNCTION and FCALL', () => {
  const lib = "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return redis.call('incr', keys[1]) end)\n" +
    "redis.register_function{function_name='f2', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='desc'}";
  const one = "#!lua name=mylib\nredis.register_function{function_name='f2', callback=function(keys, args) return args[1] end, flags={'no-writes', 'allow-oom'}, description='desc'}";
  it('LOAD, FCALL, FCALL_RO, LIST, STATS, DELETE, FLUSH', () =>
    d.check([
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', lib], ['FCALL', 'f1', 1, '{a}k'], ['FCALL', 'f1', 1, '{b}k'], ['FCALL', 'f2', 0, 'x'],
      ['FCALL_RO', 'f1', 1, '{a}k'], ['FCALL_RO', 'f2', 0, 'y'], ['FCALL', 'nosuch', 0], ['FCALL', 'f1', 5, 'a'],
      ['FUNCTION', 'LOAD', lib], ['FUNCTION', 'LOAD', 'REPLACE', lib], ['FUNCTION', 'STATS'],
      // One function per library below: Redis lists a library's functions in its dict's order.
      ['FUNCTION', 'DELETE', 'mylib'], ['FUNCTION', 'LOAD', one], ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'my*'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x*'], ['FUNCTION', 'LIST', 'BAD'],
      ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'mylib'], ['FCALL', 'f1', 1, '{a}k'],
      ['FUNCTION', 'LOAD', lib], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'LIST'], ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'KILL'],
    ]));

  it('load errors and the functions environment', () =>
    d.check([
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', "redis.register_function('x', function() end)"], ['FUNCTION', 'LOAD', '#!lua name=bad-name\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=l2\nreturn 1'], ['FUNCTION', 'LOAD', "#!lua name=l3\nredis.call('ping')"],
      ['FUNCTION', 'LOAD', '#!lua name=l6 foo=bar\n'], ['FUNCTION', 'LOAD', '#!lua\n'], ['FUNCTION', 'LOAD', '#!lua name=l8\nx = 1'],
      ['FUNCTION', 'LOAD', "#!lua name=l5\nredis.register_function('e', function() error('x') end)"], ['FCALL', 'e', 0],
      ['FUNCTION', 'LOAD', "#!lua name=l7\nlocal x = 1\nredis.register_function('g', function() return y end)"], ['FCALL', 'g', 0],
      ['FUNCTION', 'LOAD', "#!lua name=l9\nredis.register_function('h', function(k, a) return #k .. #a .. type(KEYS) end)"], ['FCALL', 'h', 1, 'a', 'b'],
      ['FUNCTION', 'LOAD', "#!lua name=l10\nredis.register_function('e', function() return 1 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=l11\nredis.register_function('bad name', function() return 1 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=l12\nredis.register_function('w', function(k) return redis.call('set', k[1], 'v') end)"],
      ['FCALL_RO', 'w', 1, '{a}k'], ['FCALL', 'w', 1, '{a}k'], ['FUNCTION', 'LOAD', '#!lua name=l13\nreturn +'],
      ['FUNCTION', 'FLUSH'],
    ]));
});

describe('what Redis 7.0 lets scripts do that keyflare refused (issue 19)', () => {
  it('PING, ECHO, PUBLISH and SPUBLISH from scripts, with their arity and read-only refusals', () =>
    d.check([
      ev("return redis.call('ping')", 0), ev("return redis.call('PING', 'x')", 0), ev("return redis.call('ping', 'x', 'y')", 0),
      ev("return redis.pcall('ping', 'x', 'y')", 0), ev("return redis.call('echo', 'hi')", 0), ev("return redis.call('echo')", 0),
      ev("return redis.call('publish', 'ch', 'm')", 0), ev("return redis.call('spublish', KEYS[1], 'm')", 1, '{t}k'),
      ev("return redis.call('publish', 'ch')", 0), ['EVAL_RO', "return redis.call('publish', 'ch', 'm')", 0],
      ev("#!lua flags=no-writes\nreturn redis.call('spublish', 'ch', 'm')", 0),
      ev("#!lua\nreturn redis.call('spublish', '{a}ch', 'm')", 1, '{b}k'), ev("#!lua\nreturn redis.call('spublish', '{a}ch', 'm')", 0),
      ev("return redis.call('spublish', '{a}ch', 'm')", 1, '{b}k'),
    ]));

  it('EVALSHA reads numkeys before NOSCRIPT (a digest not 40 long is NOSCRIPT first); FCALL finds the function first', () =>
    d.check([
      ['FUNCTION', 'FLUSH'],
      ...['-1', 'x', '5', '', '1.5', '05', '-0', '99999999999999999999'].flatMap((nk) => [
        ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', nk, 'a'], ['EVALSHA_RO', 'ffffffffffffffffffffffffffffffffffffffff', nk, 'a'],
        ['EVALSHA', 'abc', nk, 'a'], ['EVALSHA_RO', 'x', nk], ['FCALL', 'nosuch', nk, 'a'], ['FCALL_RO', 'nosuch', nk, 'a'],
        ['EVAL', 'return 1', nk, 'a'],
      ]),
      ['FUNCTION', 'LOAD', "#!lua name=nk\nredis.register_function('f', function(k, a) return #k end)"],
      ...['-1', 'x', '5', '', '1.5', '05', '2', '1'].flatMap((nk) => [['FCALL', 'f', nk, 'a', 'b'], ['FCALL_RO', 'f', nk, 'a', 'b']]),
      ['FUNCTION', 'FLUSH'],
    ]));

  it("SCRIPT HELP as 7.0.15 prints it (SCRIPT DEBUG's lines included); SCRIPT DEBUG NO and its errors", () =>
    d.check([['SCRIPT', 'HELP'], ['SCRIPT', 'DEBUG', 'no'], ['SCRIPT', 'DEBUG', 'NO'], ['SCRIPT', 'DEBUG', 'x'], ['SCRIPT', 'DEBUG'], ['SCRIPT', 'DEBUG', 'no', 'x']]));

  it('FUNCTION LOAD: metadata, engine, name and registration errors in Redis order; only `redis` at load time', () =>
    d.check([
      ['FUNCTION', 'FLUSH'],
      ...[
        '#!lua name=a name=b\nx', '#!\nx', '#!lua name=nl', '#!lua name="l 5"\nx', '#!lua name="l5\nx', '#!js name=bad-name\nx',
        '#!js name=ok\nx', '#!lua x=1\nx', '#!lua name=\nx', "#!LUA NAME=up\nredis.register_function('up', function() end)",
        "#!lua name=e1\nerror('boom')", "#!lua name=e2\nlocal t = type({})", "#!lua name=e3\nredis.setresp(3)",
        "#!lua name=e4\nredis.register_function('f4')", "#!lua name=e5\nredis.register_function(5, function() return 5 end)",
        "#!lua name=e6\nredis.register_function{function_name=6, callback=function() end, description=6, flags={'NO-WRITES', 'no-writes', 'allow-stale'}}",
        "#!lua name=e7\nredis.register_function{[1]='z', callback=function() end}", "#!lua name=e8\nredis.register_function{FUNCTION_NAME='e8', Callback=function() end}",
        "#!lua name=e9\nredis.register_function{function_name='e9', callback=function() end, flags={1}}",
        "#!lua name=e10\nreturn 1 +\n\n", "#!lua name=e11\nredis.register_function('f', function() end)\nerror('late')",
        "#!lua name=e12\nredis.register_function('g', function() end)\nredis.register_function('g', function() end)",
        "#!lua name=e13\nredis.log(redis.LOG_NOTICE, redis.REDIS_VERSION)\nredis.register_function('e13', function() return type(error) .. type(string.rep) end)",
      ].map((code) => ['FUNCTION', 'LOAD', code]),
      ['FCALL', '5', 0], ['FCALL', 'e13', 0], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'e6'],
      ['EVAL', 'return +', 0], ['EVAL', 'return (', 0], ['EVAL', "return {loadstring('return (')}", 0], ['EVAL', '#!"lua\nreturn 1', 0],
      ['EVAL', '#!lua flags="no-writes"\nreturn 1', 0],
      ['FUNCTION', 'FLUSH'],
    ]));
});

describe("Lua 5.1's numbers (strtod), as the random test found", () => {
  it("tonumber and string arithmetic take inf, nan and hex floats; a non-finite reply is C's cast (INT64_MIN)", () =>
    d.check([
      ev('return tonumber(ARGV[1])', 0, '-inf'), ...['inf', 'nan(12)', 'infinity', 'infinit', '0x1p4', '0x1.8', '-0x10', ' 12 ', '1e', '1.5x', '', '  ', '0x', '.5', '5.', 'NaN', '1e400']
        .map((s) => ev(`return tostring(tonumber('${s}'))`, 0)),
      ev("return tostring('inf' + 1)", 0), ev("return math.floor('inf')", 0), ev('return 1/0', 0), ev('return -1/0', 0), ev('return 0/0', 0),
      ev('return {2^63, -2^63, 2^64}', 0), ev("return tostring(tonumber('z', 36))", 0),
    ]));
});

describe("FUNCTION LOAD's limits, as Redis's suite found", () => {
  it('a load that never ends fails with FUNCTION LOAD timeout (the shard is not held)', () =>
    d.check([['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', '#!lua name=lt\nlocal a = 1 while 1 do a = a + 1 end'], ['FUNCTION', 'LIST'], ['PING']], [2]));

  it("a kept load-time `redis` is a table of its own: readonly, and register_function refuses outside a load", () =>
    d.check([
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', "#!lua name=lib1\nlocal lib = redis\nlib.register_function('f1', function() lib.redis = redis return {ok='OK'} end)\n" +
        "lib.register_function('f2', function() lib.register_function('f3', function() return 1 end) end)\n" +
        "lib.register_function('f4', function() return type(lib.call) end)\nlib.register_function('f5', function() return type(redis.register_function) .. type(redis.call) end)"],
      ['FCALL', 'f1', 0], ['FCALL', 'f2', 0], ['FCALL', 'f4', 0], ['FCALL', 'f5', 0],
      ['FUNCTION', 'LOAD', '#!lua name=lib2\nredis.math.random()'], ['FUNCTION', 'LOAD', "#!lua name=lib2\nredis.redis.call('ping')"],
      ['FUNCTION', 'FLUSH'],
    ]));
});

describe('function names', () => {
  it('FCALL and collisions between libraries ignore case; library names keep case, LIBRARYNAME matches without it', () =>
    d.check([
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', "#!lua name=Lib\nredis.register_function('Fn', function() return 1 end)"],
      ['FCALL', 'fn', 0], ['FCALL', 'FN', 0], ['FCALL_RO', 'fN', 0],
      ['FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function('fN', function() return 2 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('x', function() return 3 end)"], ['FUNCTION', 'DELETE', 'LIB'],
      ['FUNCTION', 'DELETE', 'lib'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'lIB'], ['FUNCTION', 'FLUSH'],
    ]));
});
