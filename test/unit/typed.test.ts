// The one typed key lookup (commands/typed.ts): value, missing, or Redis's WRONGTYPE; reads count
// hits and misses (lookupKeyRead), writes do not (lookupKeyWrite).
import { describe, expect, it } from 'vitest';
import { Keyspace } from '../../src/engine/keyspace.js';
import { List } from '../../src/engine/types/list.js';
import { readAs, writeAs } from '../../src/commands/typed.js';

// Redis 7.0.15's reply to LPUSH on a string key (redis-cli: SET s x; LPUSH s a).
const WRONGTYPE = { t: 'err', v: 'WRONGTYPE Operation against a key holding the wrong kind of value' };

describe('readAs / writeAs', () => {
  it('answers the value of the asked type, undefined for a missing key, WRONGTYPE otherwise', () => {
    const ks = new Keyspace();
    const l = new List(-2);
    l.pushTail(['a']);
    ks.set('l', l);
    ks.set('s', 'x');
    expect(readAs(ks, 'l', 'list')).toBe(l);
    expect(readAs(ks, 's', 'string')).toBe('x');
    expect(readAs(ks, 'nope', 'list')).toBeUndefined();
    expect(readAs(ks, 's', 'list')).toEqual(WRONGTYPE);
    expect(writeAs(ks, 'l', 'string')).toEqual(WRONGTYPE);
    expect(writeAs(ks, 'l', 'zset')).toEqual(WRONGTYPE);
    expect(writeAs(ks, 'l', 'list')).toBe(l);
  });

  it('a read counts a hit or a miss; a write lookup counts neither', () => {
    const ks = new Keyspace();
    ks.set('s', 'x');
    writeAs(ks, 's', 'string');
    writeAs(ks, 'nope', 'string');
    expect([ks.hits, ks.misses]).toEqual([0, 0]);
    readAs(ks, 's', 'string');
    readAs(ks, 'nope', 'string');
    expect([ks.hits, ks.misses]).toEqual([1, 1]);
  });
});
