// Differential tests of the list commands against real Redis 7.0: every command, option and
// error path, small and multi-node lists, RESP2 and RESP3, and the effects they log.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();
const big = (n: number, p = 'e') => Array.from({ length: n }, (_, i) => `${p}${i}`);
const long = (n: number, ch = 'x') => ch.repeat(n);

describe('lists: push, pop, length', () => {
  it('LPUSH/RPUSH/LPUSHX/RPUSHX and errors', async () => {
    await d.check([
      ['LPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l', 'd', 'e'], ['LRANGE', 'l', 0, -1], ['LLEN', 'l'],
      ['LPUSHX', 'l', 'x', 'y'], ['RPUSHX', 'l', 'z'], ['LPUSHX', 'nol', 'x'], ['RPUSHX', 'nol', 'x'], ['EXISTS', 'nol'],
      ['LRANGE', 'l', 0, -1], ['LPUSH', 'l'], ['RPUSH'], ['LPUSHX', 'l'],
      ['SET', 's', 'v'], ['LPUSH', 's', 'a'], ['RPUSH', 's', 'a'], ['LPUSHX', 's', 'a'], ['RPUSHX', 's', 'a'], ['LLEN', 's'],
      ['LLEN', 'nol'], ['TYPE', 'l'], ['OBJECT', 'ENCODING', 'l'], ['LPUSH', 'bin', '\x00\xff\r\n', ''], ['LRANGE', 'bin', 0, -1],
    ]);
  });

  it('LPOP/RPOP with and without count, nil shapes, errors, key deletion', async () => {
    await d.check([
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
      ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', 2], ['RPOP', 'l', 0], ['LPOP', 'l', 0], ['RPOP', 'l', 5], ['EXISTS', 'l'],
      ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', 1], ['RPOP', 'l', 0], ['LPOP', 'l', -1], ['LPOP', 'l', 'x'], ['LPOP', 'l', 1, 2],
      ['RPOP', 'l', '9223372036854775807'], ['RPOP', 'l', '9223372036854775808'],
      ['SET', 's', 'v'], ['LPOP', 's'], ['RPOP', 's', 0], ['LPOP', 's', -1],
      ['RPUSH', 'm', ...big(300)], ['LPOP', 'm', 150], ['RPOP', 'm', 100], ['LLEN', 'm'], ['RPOP', 'm', 1000], ['EXISTS', 'm'],
    ]);
  });
});

describe('lists: reads and in-place edits', () => {
  it('LRANGE and LINDEX over small and large lists', async () => {
    await d.check([
      ['RPUSH', 'l', 'a', 'b', 'c', 'd'],
      ['LRANGE', 'l', 0, 0], ['LRANGE', 'l', -2, -1], ['LRANGE', 'l', -100, 100], ['LRANGE', 'l', 2, 1], ['LRANGE', 'l', 4, 10],
      ['LRANGE', 'l', 'a', 1], ['LRANGE', 'l', 0, 'b'], ['LRANGE', 'nol', 0, -1], ['LRANGE', 'nol', 'x', 1],
      ['LINDEX', 'l', 0], ['LINDEX', 'l', -1], ['LINDEX', 'l', 4], ['LINDEX', 'l', -5], ['LINDEX', 'l', 'x'], ['LINDEX', 'nol', 'x'], ['LINDEX', 'nol', 0],
      ['RPUSH', 'big', ...big(1000)], ['LPUSH', 'big', ...big(500, 'h')],
      ['LRANGE', 'big', 495, 510], ['LRANGE', 'big', -10, -1], ['LINDEX', 'big', 700], ['LINDEX', 'big', -700], ['LLEN', 'big'],
      ['LRANGE', 'big', 0, -1],
      ['SET', 's', 'v'], ['LRANGE', 's', 0, -1], ['LINDEX', 's', 0], ['LINDEX', 's', 'x'], ['LRANGE', 's', 'x', 0],
    ]);
  });

  it('LSET, LINSERT', async () => {
    await d.check([
      ['LSET', 'nol', 0, 'x'], ['RPUSH', 'l', 'a', 'b', 'c'], ['LSET', 'l', 1, 'B'], ['LSET', 'l', -1, 'C'], ['LSET', 'l', 3, 'x'],
      ['LSET', 'l', -4, 'x'], ['LSET', 'l', 'x', 'y'], ['LRANGE', 'l', 0, -1],
      ['LINSERT', 'l', 'BEFORE', 'a', '0'], ['LINSERT', 'l', 'after', 'C', 'D'], ['LINSERT', 'l', 'AFTER', 'B', 'b2'],
      ['LINSERT', 'l', 'BEFORE', 'zz', 'x'], ['LINSERT', 'l', 'MIDDLE', 'a', 'x'], ['LINSERT', 'nol', 'BEFORE', 'a', 'x'],
      ['LINSERT', 'nol', 'NOPE', 'a', 'x'], ['LRANGE', 'l', 0, -1],
      ['RPUSH', 'big', ...big(600)], ['LINSERT', 'big', 'AFTER', 'e300', long(5000)], ['LSET', 'big', 100, long(9000, 'y')],
      ['LINDEX', 'big', 301], ['LINDEX', 'big', 100], ['LRANGE', 'big', 95, 105], ['LLEN', 'big'],
      ['SET', 's', 'v'], ['LSET', 's', 0, 'x'], ['LINSERT', 's', 'BEFORE', 'a', 'x'], ['LINSERT', 's', 'x', 'a', 'x'],
    ]);
  });

  it('LREM and LTRIM', async () => {
    await d.check([
      ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
      ['LREM', 'l', 1, 'a'], ['LRANGE', 'l', 0, -1], ['LREM', 'l', -1, 'a'], ['LRANGE', 'l', 0, -1], ['LREM', 'l', 0, 'b'], ['LRANGE', 'l', 0, -1],
      ['LREM', 'l', 0, 'zz'], ['LREM', 'l', 'x', 'a'], ['LREM', 'nol', 1, 'a'], ['LREM', 'l', 0, 'a'], ['LREM', 'l', 0, 'c'], ['EXISTS', 'l'],
      ['RPUSH', 'big', ...big(400).map((x, i) => (i % 3 === 0 ? 'k' : x))], ['LREM', 'big', 50, 'k'], ['LREM', 'big', -20, 'k'], ['LLEN', 'big'],
      ['LRANGE', 'big', 0, -1], ['LREM', 'big', 0, 'k'], ['LLEN', 'big'],
      ['LTRIM', 'big', 10, -10], ['LLEN', 'big'], ['LRANGE', 'big', 0, 3], ['LTRIM', 'big', -5, 1000], ['LRANGE', 'big', 0, -1],
      ['LTRIM', 'big', 3, 2], ['EXISTS', 'big'], ['LTRIM', 'nol', 0, 1], ['LTRIM', 'nol', 'x', 1],
      ['RPUSH', 't', 'a', 'b'], ['LTRIM', 't', 0, 'x'], ['LTRIM', 't', 5, 10], ['EXISTS', 't'],
      ['SET', 's', 'v'], ['LREM', 's', 0, 'a'], ['LTRIM', 's', 0, 1], ['LREM', 's', 'x', 'a'],
    ]);
  });

  it('LPOS with RANK, COUNT, MAXLEN and its errors', async () => {
    await d.check([
      ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a'],
      ['LPOS', 'l', 'a'], ['LPOS', 'l', 'c'], ['LPOS', 'l', 'z'], ['LPOS', 'l', 'a', 'RANK', 2], ['LPOS', 'l', 'a', 'RANK', -1],
      ['LPOS', 'l', 'a', 'RANK', -2], ['LPOS', 'l', 'a', 'RANK', 4], ['LPOS', 'l', 'a', 'COUNT', 0], ['LPOS', 'l', 'a', 'COUNT', 2],
      ['LPOS', 'l', 'a', 'COUNT', 2, 'RANK', -1], ['LPOS', 'l', 'a', 'COUNT', 0, 'RANK', 2], ['LPOS', 'l', 'z', 'COUNT', 2],
      ['LPOS', 'l', 'a', 'MAXLEN', 3, 'COUNT', 0], ['LPOS', 'l', 'c', 'MAXLEN', 2], ['LPOS', 'l', 'a', 'MAXLEN', 1, 'RANK', -1],
      ['LPOS', 'l', 'a', 'RANK', 0], ['LPOS', 'l', 'a', 'COUNT', -1], ['LPOS', 'l', 'a', 'MAXLEN', -1], ['LPOS', 'l', 'a', 'RANK', 'x'],
      ['LPOS', 'l', 'a', 'COUNT', 'x'], ['LPOS', 'l', 'a', 'RANK'], ['LPOS', 'l', 'a', 'FOO', 1],
      ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808'], ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', 2],
      ['LPOS', 'l', 'a', 'RANK', '9223372036854775807'], ['LPOS', 'l', 'a', 'RANK', '-9223372036854775807'],
      ['LPOS', 'nol', 'a'], ['LPOS', 'nol', 'a', 'COUNT', 1], ['LPOS', 'nol', 'a', 'RANK', 0],
      ['SET', 's', 'v'], ['LPOS', 's', 'a'], ['LPOS', 's', 'a', 'RANK', 0],
      ['RPUSH', 'big', ...big(1000).map((x, i) => (i % 97 === 0 ? 'k' : x))], ['LPOS', 'big', 'k', 'COUNT', 0], ['LPOS', 'big', 'k', 'RANK', -3, 'COUNT', 3],
      ['LPOS', 'big', 'k', 'MAXLEN', 500, 'COUNT', 0], ['LPOS', 'big', 'e999'],
    ]);
  });
});

describe('lists: moves and multi-key pops', () => {
  it('LMOVE and RPOPLPUSH, rotation, wrong types', async () => {
    await d.check([
      ['RPUSH', '{t}a', '1', '2', '3'], ['LMOVE', '{t}a', '{t}b', 'LEFT', 'RIGHT'], ['LMOVE', '{t}a', '{t}b', 'right', 'left'],
      ['LRANGE', '{t}a', 0, -1], ['LRANGE', '{t}b', 0, -1], ['RPOPLPUSH', '{t}b', '{t}b'], ['LRANGE', '{t}b', 0, -1],
      ['LMOVE', '{t}a', '{t}a', 'LEFT', 'RIGHT'], ['LRANGE', '{t}a', 0, -1], ['RPOPLPUSH', '{t}a', '{t}c'], ['EXISTS', '{t}a'],
      ['LMOVE', '{t}none', '{t}b', 'LEFT', 'LEFT'], ['LMOVE', '{t}b', '{t}c', 'UP', 'LEFT'], ['LMOVE', '{t}none', '{t}c', 'LEFT', 'DOWN'],
      ['SET', '{t}s', 'v'], ['LMOVE', '{t}b', '{t}s', 'LEFT', 'LEFT'], ['LMOVE', '{t}s', '{t}b', 'LEFT', 'LEFT'], ['RPOPLPUSH', '{t}none', '{t}s'],
      ['RPOPLPUSH', '{t}b', '{t}s'], ['LRANGE', '{t}b', 0, -1], ['LMOVE', 'x', 'y', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'x', 'y'],
    ]);
  });

  it('LMPOP: parsing, first non-empty key, count, errors', async () => {
    await d.check([
      ['RPUSH', '{t}b', 'a', 'b', 'c'], ['RPUSH', '{t}c', 'x'],
      ['LMPOP', 2, '{t}a', '{t}b', 'LEFT'], ['LMPOP', 2, '{t}a', '{t}b', 'RIGHT', 'COUNT', 10], ['LMPOP', 3, '{t}a', '{t}b', '{t}c', 'left', 'count', 1],
      ['LMPOP', 1, '{t}a', 'LEFT'], ['LMPOP', 0, '{t}a', 'LEFT'], ['LMPOP', -1, '{t}a', 'LEFT'], ['LMPOP', 'x', '{t}a', 'LEFT'],
      ['LMPOP', 2, '{t}a', 'LEFT'], ['LMPOP', 1, '{t}a', 'MID'], ['LMPOP', 1, '{t}a', 'LEFT', 'COUNT', 0], ['LMPOP', 1, '{t}a', 'LEFT', 'COUNT', 'x'],
      ['LMPOP', 1, '{t}a', 'LEFT', 'COUNT', 1, 'COUNT', 1], ['LMPOP', 1, '{t}a', 'LEFT', 'COUNT'], ['LMPOP', 1, '{t}a', 'LEFT', 'FOO'],
      ['LMPOP', '99999999999999999999', '{t}a', 'LEFT'], ['LMPOP', '9223372036854775807', '{t}a', 'LEFT'], ['LMPOP', 1, '{t}a'],
      ['SET', '{t}s', 'v'], ['RPUSH', '{t}d', '1'], ['LMPOP', 2, '{t}s', '{t}d', 'LEFT'], ['LMPOP', 2, '{t}d', '{t}s', 'LEFT'], ['LMPOP', 2, '{t}d', '{t}s', 'LEFT'],
      ['LMPOP', 2, 'x', 'y', 'LEFT'],
    ]);
  });

  it('non-blocking BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP and timeout parsing', async () => {
    await d.check([
      ['RPUSH', '{t}b', ...big(30)],
      ['BLPOP', '{t}a', '{t}b', 0], ['BRPOP', '{t}a', '{t}b', '0.5'], ['BLMOVE', '{t}b', '{t}c', 'LEFT', 'RIGHT', 1], ['BRPOPLPUSH', '{t}b', '{t}c', 0],
      ['BLMPOP', 0, 2, '{t}a', '{t}b', 'RIGHT', 'COUNT', 2], ['BLMPOP', 1, 1, '{t}b', 'LEFT'], ['LRANGE', '{t}c', 0, -1],
      ['BLPOP', '{t}b', -1], ['BLPOP', '{t}b', 'x'], ['BLPOP', '{t}b', 'inf'], ['BLPOP', '{t}b', '1e300'], ['BLPOP', '{t}b', 'nan'], ['BLPOP', '{t}b', ' 1'],
      ['BLPOP', '{t}b', '0x10'], ['BLPOP', '{t}b', '1e5000'], ['BLPOP', '{t}b', '1e-5000'], ['BLPOP', '{t}b', ''], ['BLPOP', '{t}b', '-0.0001'],
      ['BLPOP', '{t}b', '9223372036854775.807'], ['BLPOP', '{t}b', '1e16'], ['BRPOP', '{t}b', '+1'],
      ['BLMOVE', '{t}b', '{t}c', 'LEFT', 'NOPE', 0], ['BLMOVE', '{t}b', '{t}c', 'LEFT', 'LEFT', -1], ['BRPOPLPUSH', '{t}b', '{t}c', 'x'],
      ['BLMPOP', -1, 1, '{t}b', 'LEFT'], ['BLMPOP', 'x', 1, '{t}b', 'LEFT'], ['BLMPOP', 'x', 0, '{t}b', 'LEFT'], ['BLMPOP', 0, 1, '{t}b', 'NOPE'],
      ['BLMPOP', 0, 1, '{t}b', 'LEFT', 'COUNT', 0],
      ['SET', '{t}s', 'v'], ['BLPOP', '{t}s', '{t}b', 0], ['BLPOP', '{t}b', '{t}s', 0], ['BLMOVE', '{t}s', '{t}c', 'LEFT', 'LEFT', 0],
      ['BLMOVE', '{t}b', '{t}s', 'LEFT', 'LEFT', 0], ['BLMPOP', 0, 2, '{t}s', '{t}b', 'LEFT'], ['BRPOPLPUSH', '{t}b', '{t}s', 0],
      ['LRANGE', '{t}b', 0, -1],
    ]);
  });

  it('blocking forms on empty keys answer their timeout reply when the timeout passes', async () => {
    await d.check([
      ['BLPOP', '{t}x', '{t}y', '0.05'], ['BRPOP', '{t}x', '0.05'], ['BLMOVE', '{t}x', '{t}y', 'LEFT', 'LEFT', '0.05'],
      ['BRPOPLPUSH', '{t}x', '{t}y', '0.05'], ['BLMPOP', '0.05', 2, '{t}x', '{t}y', 'LEFT', 'COUNT', 3], ['EXISTS', '{t}x', '{t}y'],
    ]);
  });

  it('sub-millisecond timeouts round up to 1 ms (ceill of the long-double product), never forever', async () => {
    await d.check([
      ['BLPOP', '{t}l', '0.001'], ['BLPOP', '{t}l', '0.0001'], ['BRPOP', '{t}l', '1e-300'], ['BLMOVE', '{t}l', '{t}m', 'LEFT', 'LEFT', '0.0009'],
      ['BRPOPLPUSH', '{t}l', '{t}m', '0.0004'], ['BLMPOP', '0.0001', '1', '{t}l', 'LEFT'], ['BLPOP', '{t}l', '0x1p-20'], ['BLPOP', '{t}l', '0.0015'],
    ]);
  });

  it('a push from another connection serves a blocked BLPOP, logged as the LPOP it did', async () => {
    const waiter = d.backend.session();
    const pusher = d.backend.session();
    const served = waiter.run([['BLPOP', '{w}a', '{w}b', '5']]);
    await new Promise((r) => setTimeout(r, 20));
    await pusher.run([['RPUSH', '{w}b', 'x', 'y']]);
    expect(await served).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: '{w}b' }, { t: 'bulk', v: 'x' }] }]);
    const moved = waiter.run([['BLMOVE', '{w}c', '{w}d', 'RIGHT', 'LEFT', '5']]);
    await new Promise((r) => setTimeout(r, 20));
    await pusher.run([['LPUSH', '{w}c', 'm']]);
    expect(await moved).toEqual([{ t: 'bulk', v: 'm' }]);
    const effects = d.backend.logs.flat().filter((e) => e[1]?.startsWith('{w}'));
    expect(effects).toEqual([['RPUSH', '{w}b', 'x', 'y'], ['LPOP', '{w}b'], ['LPUSH', '{w}c', 'm'], ['LMOVE', '{w}c', '{w}d', 'RIGHT', 'LEFT']]);
  });

  it('CROSSSLOT and COMMAND GETKEYS for the multi-key forms', async () => {
    await d.check([
      ['LMOVE', 'a', 'b', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'a', 'b'], ['BLPOP', 'a', 'b', 0], ['LMPOP', 2, 'a', 'b', 'LEFT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', 2, 'a', 'b', 'LEFT'], ['COMMAND', 'GETKEYS', 'BLMPOP', 0, 2, 'a', 'b', 'LEFT', 'COUNT', 3],
      ['COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', 'c', 0], ['COMMAND', 'GETKEYS', 'LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
      ['COMMAND', 'GETKEYS', 'LMPOP', 5, 'a', 'LEFT'], ['COMMAND', 'INFO', 'LMPOP', 'BLMOVE', 'LPOS'],
    ], [2]);
  });
});

describe('lists: encodings and configuration', () => {
  it('OBJECT ENCODING is quicklist in 7.0 at every size, whatever list-max-listpack-size says', async () => {
    for (const fill of ['-2', '4', '-5', '0']) {
      await d.check([
        ['CONFIG', 'SET', 'list-max-listpack-size', fill], ['RPUSH', 'l', 'a'], ['OBJECT', 'ENCODING', 'l'],
        ['RPUSH', 'l', ...big(200)], ['OBJECT', 'ENCODING', 'l'], ['RPUSH', 'l', long(70000)], ['OBJECT', 'ENCODING', 'l'],
        ['LTRIM', 'l', 0, 0], ['OBJECT', 'ENCODING', 'l'], ['LRANGE', 'l', 0, -1], ['CONFIG', 'GET', 'list-max-listpack-size'],
        ['CONFIG', 'GET', 'list-compress-depth'], ['LPUSH', 'm', ...big(50)], ['LINSERT', 'm', 'BEFORE', 'e20', 'z'],
        ['LRANGE', 'm', 0, -1], ['LREM', 'm', 0, 'e5'], ['LSET', 'm', 3, long(10000)], ['LRANGE', 'm', 0, 5],
      ]);
    }
    await d.pair(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
  });

  it('COPY and RENAME carry lists; TYPE says list', async () => {
    await d.check([
      ['RPUSH', '{t}a', ...big(300)], ['COPY', '{t}a', '{t}b'], ['RPOP', '{t}a', 5], ['LLEN', '{t}b'], ['LRANGE', '{t}b', -3, -1],
      ['LPUSH', '{t}b', 'new'], ['LINDEX', '{t}a', 0], ['RENAME', '{t}b', '{t}c'], ['LRANGE', '{t}c', 0, 2], ['TYPE', '{t}c'], ['OBJECT', 'ENCODING', '{t}c'],
    ]);
  });
});

describe('lists: quicklist nodes as Redis fills them (seen in DUMP)', () => {
  it('head pushes open a node of their own when the head is full; byte limits use Redis\'s estimate', async () => {
    const many = (p: string, n: number, len = 1) => Array.from({ length: n }, (_, i) => `${p}${i}`.padEnd(len, 'x'));
    await d.check([
      ['CONFIG', 'SET', 'list-max-listpack-size', '2'],
      ['LPUSH', '{t}l', 'a'], ['LPUSH', '{t}l', 'b'], ['LPUSH', '{t}l', 'c'], ['DUMP', '{t}l'],
      ['RPUSH', '{t}r', 'a', 'b', 'c', 'd', 'e'], ['LPUSH', '{t}r', 'x'], ['DUMP', '{t}r'],
      ['LPUSH', '{t}m', '1', '2', '3', '4', '5'], ['DUMP', '{t}m'], ['LPUSH', '{t}m', '6'], ['RPUSH', '{t}m', '7', '8', '9'], ['DUMP', '{t}m'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-1'],
      ['RPUSH', '{t}b', ...many('e', 1500)], ['DUMP', '{t}b'], ['LPUSH', '{t}b', ...many('h', 700, 5)], ['DUMP', '{t}b'],
      ['RPUSH', '{t}i', ...Array.from({ length: 1200 }, (_, i) => String(i * 7919 - 400000))], ['DUMP', '{t}i'],
      ['LPUSH', '{t}s', ...many('s', 40, 100)], ['LPOP', '{t}s', '3'], ['RPOP', '{t}s', '2'], ['DUMP', '{t}s'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
    ]);
  });

  it('RESTORE keeps the nodes of the payload, whatever the fill', async () => {
    await d.pair(['FLUSHALL']);
    await d.pair(['CONFIG', 'SET', 'list-max-listpack-size', '2']);
    await d.pair(['LPUSH', '{t}l', 'a']);
    await d.pair(['LPUSH', '{t}l', 'b', 'c', 'd']);
    const dump = (await d.pair(['DUMP', '{t}l'])).redis;
    const payload = dump.slice(dump.indexOf('\r\n') + 2, -2);
    await d.pair(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
    await d.check([['RESTORE', '{t}x', '0', payload], ['DUMP', '{t}x'], ['RPUSH', '{t}x', 'e'], ['DUMP', '{t}x'], ['LRANGE', '{t}x', '0', '-1']], [2]);
  });
});

describe('lists: logged effects', () => {
  it('pops served by the blocking and multi-key forms are logged as Redis 7.0 propagates them', async () => {
    const s = d.backend.session();
    const argvs = [
      ['RPUSH', '{p}q', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], ['BLPOP', '{p}q', '0'], ['BRPOP', '{p}q', '0'], ['LMPOP', '1', '{p}q', 'left', 'count', '100'],
      ['RPUSH', '{p}q', 'a', 'b', 'c', 'd'], ['BLMOVE', '{p}q', '{p}q2', 'left', 'right', '0'], ['BRPOPLPUSH', '{p}q', '{p}q2', '0'],
      ['BLMPOP', '0', '1', '{p}q', 'right', 'count', '1'], ['LMOVE', '{p}q2', '{p}q', 'left', 'left'], ['LMPOP', '1', '{p}q', 'left'],
      ['LPOP', '{p}nothing'], ['LREM', '{p}q', '0', 'zz'], ['LTRIM', '{p}q', '0', '-1'],
    ];
    await s.run(argvs);
    const effects = d.backend.logs.flat().filter((e) => e[1]?.startsWith('{p}'));
    expect(effects).toEqual([
      ['RPUSH', '{p}q', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], ['LPOP', '{p}q'], ['RPOP', '{p}q'], ['LPOP', '{p}q', '5'],
      ['RPUSH', '{p}q', 'a', 'b', 'c', 'd'], ['LMOVE', '{p}q', '{p}q2', 'left', 'right'], ['RPOPLPUSH', '{p}q', '{p}q2'],
      ['RPOP', '{p}q', '1'], ['LMOVE', '{p}q2', '{p}q', 'left', 'left'], ['LPOP', '{p}q', '1'],
    ]);
  });
});
