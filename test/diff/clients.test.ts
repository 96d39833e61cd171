// CLIENT management commands' argument errors and replies, compared with real Redis Cluster.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();

describe('CLIENT management', () => {
  it('KILL argument errors and filters that match nobody', async () => {
    await d.check([
      ['CLIENT', 'KILL'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'ID'],
      ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID', '-4'],
      ['CLIENT', 'KILL', 'ID', '99999'],
      ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1'],
      ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'],
      ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'TYPE', 'replica'],
      ['CLIENT', 'KILL', 'TYPE', 'slave'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'FOO', 'bar'],
      ['CLIENT', 'KILL', 'USER', 'nobody'],
      ['CLIENT', 'KILL', 'ID', '5', 'SKIPME'],
      ['CLIENT', 'KILL', 'ADDR', '1:1', 'SKIPME', 'yes'],
    ]);
  });

  it('PAUSE / UNPAUSE / NO-EVICT / REPLY / UNBLOCK / TRACKING errors and replies', async () => {
    await d.check([
      ['CLIENT', 'PAUSE'],
      ['CLIENT', 'PAUSE', 'abc'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '10', 'foo'],
      ['CLIENT', 'PAUSE', '10', 'write', 'extra'],
      ['CLIENT', 'PAUSE', '0', 'WRITE'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'UNPAUSE', 'x'],
      ['CLIENT', 'NO-EVICT'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'OFF'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'UNBLOCK'],
      ['CLIENT', 'UNBLOCK', 'abc'],
      ['CLIENT', 'UNBLOCK', '0'],
      ['CLIENT', 'UNBLOCK', '99999'],
      ['CLIENT', 'UNBLOCK', '99999', 'foo'],
      ['CLIENT', 'UNBLOCK', '99999', 'ERROR'],
      ['CLIENT', 'UNBLOCK', '5', 'timeout', 'x'],
      ['CLIENT', 'GETREDIR'],
      ['CLIENT', 'TRACKING'],
      ['CLIENT', 'TRACKING', 'maybe'],
      ['CLIENT', 'TRACKING', 'on', 'redirect', 'abc'],
      ['CLIENT', 'TRACKING', 'on', 'redirect', '99999'],
      ['CLIENT', 'TRACKING', 'on', 'optin', 'optout'],
      ['CLIENT', 'TRACKING', 'on', 'prefix', 'a'],
      ['CLIENT', 'TRACKING', 'on', 'foo'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'CACHING', 'yes'],
      ['CLIENT', 'TRACKING', 'on'],
      ['CLIENT', 'GETREDIR'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'off'],
      ['CLIENT', 'GETREDIR'],
      ['MONITOR', 'x'],
    ]);
  });

  it('CLIENT LIST filters and field names match', async () => {
    await d.check([
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'ID'],
      ['CLIENT', 'LIST', 'ID', 'abc'],
      ['CLIENT', 'LIST', 'ID', '0'],
      ['CLIENT', 'LIST', 'typo', 'normal'],
      ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'LIST', 'ID', '99999'],
    ]);
    for (const proto of [2, 3] as const) {
      const { redis, kf } = await d.pair(['CLIENT', 'INFO'], proto);
      // Field names in order (7.0's; keyflare adds 7.2's lib-name/lib-ver at the end).
      const names = (s: string) => [...s.matchAll(/ ?([a-z-]+)=/g)].map((m) => m[1]);
      expect(names(kf).slice(0, names(redis).length)).toEqual(names(redis));
      const { redis: r2, kf: k2 } = await d.pair(['CLIENT', 'TRACKING', 'on'], proto);
      expect(k2).toBe(r2);
      const { redis: r3, kf: k3 } = await d.pair(['CLIENT', 'INFO'], proto);
      const flag = (s: string) => / flags=(\S+) /.exec(s)?.[1];
      expect(flag(k3)).toBe(flag(r3));
      await d.pair(['CLIENT', 'TRACKING', 'off'], proto);
    }
  });
});
