// notify-keyspace-events parsing and the notifier's channel/class filtering (notify.c's rules).
import { describe, expect, it } from 'vitest';
import { N, Notifier, notifyFlags, notifyString } from '../../src/engine/notify.js';
import { parseNotify } from '../../src/engine/config.js';

describe('notify-keyspace-events classes', () => {
  it('parses every class letter and A, and refuses others', () => {
    expect(notifyFlags('')).toBe(0);
    expect(notifyFlags('KEA')).toBe(N.K | N.E | N.g | N.$ | N.l | N.s | N.h | N.z | N.x | N.e | N.t | N.d);
    for (const ch of 'KEg$lshzxetmdn') expect(notifyFlags(ch)).toBe(N[ch as keyof typeof N]);
    expect(notifyFlags('Kq')).toBe(-1);
    // A excludes m (key misses) and n (new keys), as in Redis.
    expect(notifyFlags('A') & N.m).toBe(0);
    expect(notifyFlags('A') & N.n).toBe(0);
  });

  it('prints flags back in the normalized form CONFIG GET shows (same as config.ts)', () => {
    for (const s of ['', 'KEA', 'AKE', 'Elg', 'g$lshzxetd', 'KEAmn', 'xE', 'nK', 'd', 'tKm', 'hzs$K']) {
      expect(notifyString(notifyFlags(s))).toBe(parseNotify(s));
    }
  });
});

describe('Notifier', () => {
  it('publishes to keyspace then keyevent channels, only for enabled classes', () => {
    const n = new Notifier();
    n.sync('');
    n.emit('$', 'set', 'k');
    expect(n.take()).toEqual([]);
    n.sync('KEA');
    n.emit('$', 'set', 'k');
    expect(n.take()).toEqual([['__keyspace@0__:k', 'set'], ['__keyevent@0__:set', 'k']]);
    n.sync('E$');
    n.emit('l', 'lpush', 'k');
    n.emit('$', 'append', 'k');
    expect(n.take()).toEqual([['__keyevent@0__:append', 'k']]);
    // A class without K or E publishes nothing.
    n.sync('A');
    n.emit('g', 'del', 'k');
    expect(n.take()).toEqual([]);
  });

  it('fires table events from what a command did: del when it emptied a key, new when it created one', () => {
    const n = new Notifier();
    n.sync('KEAn');
    n.fire({ name: 'lpop', argv: ['LPOP', 'l'], keys: [1], n: NaN, nil: false, ok: false, dirty: 1, before: [true], after: [false] });
    expect(n.take().map((x) => x.join(' '))).toEqual(['__keyspace@0__:l lpop', '__keyevent@0__:lpop l', '__keyspace@0__:l del', '__keyevent@0__:del l']);
    n.fire({ name: 'sadd', argv: ['SADD', 's', 'a'], keys: [1], n: 1, nil: false, ok: false, dirty: 1, before: [false], after: [true] });
    expect(n.take().map((x) => x[0])).toEqual(['__keyspace@0__:s', '__keyevent@0__:new', '__keyspace@0__:s', '__keyevent@0__:sadd']);
    // Nothing changed: no event.
    n.fire({ name: 'sadd', argv: ['SADD', 's', 'a'], keys: [1], n: 0, nil: false, ok: false, dirty: 0, before: [true], after: [true] });
    expect(n.take()).toEqual([]);
  });
});
