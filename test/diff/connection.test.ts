// Connection commands (PING, ECHO, HELLO, SELECT, QUIT, RESET) compared with real Redis Cluster.
import { describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();

describe('connection commands', () => {
  it('PING, ECHO, SELECT and their errors match', async () => {
    await d.check([
      ['PING'],
      ['PING', 'hello world'],
      ['PING', 'a', 'b'],
      ['ECHO'],
      ['ECHO', '\x00\xff'],
      ['SELECT', '0'],
      ['SELECT', '1'],
      ['SELECT', 'x'],
      ['SELECT'],
      ['HELLO', '4'],
      ['HELLO', 'x'],
      ['HELLO', '2', 'SETNAME'],
      ['HELLO', '2', 'FOO'],
      ['HELLO', '2', 'SETNAME', 'bad name'],
    ]);
  });

  it('HELLO answers the same map (but the client id and mode) in RESP2 and RESP3', async () => {
    for (const proto of [2, 3] as const) {
      const { redis, kf } = await d.pair(['HELLO', String(proto)], proto);
      const norm = (s: string) => s.replace(/:\d+\r\n(\$4\r\nmode)/, ':ID\r\n$1').replace(/\$7\r\ncluster|\$10\r\nstandalone/, 'MODE');
      expect(norm(kf)).toBe(norm(redis));
    }
  });

  it('RESET answers +RESET and returns to RESP2; QUIT answers +OK', async () => {
    await d.check([['RESET']], [2]);
    const { redis, kf } = await d.pair(['QUIT'], 2);
    expect(kf).toBe(redis);
  });
});
