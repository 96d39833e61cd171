import { describe, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();

describe('differential smoke', () => {
  it('GET/SET basics, errors and CROSSSLOT match real Redis', async () => {
    await d.check([
      ['SET', 'a', 'hello'],
      ['GET', 'a'],
      ['GET', 'missing'],
      ['SET', 'a'],
      ['NOSUCHCMD', 'x', 'y'],
      ['SET', 'a', 'b', 'NX'],
      ['SET', 'a', 'c', 'XX', 'GET'],
      ['SET', 'a', 'c', 'EX', '0'],
      ['SET', 'a', 'c', 'EX', 'x'],
      ['SET', 'a', 'c', 'NX', 'XX'],
      ['DEL', '{t}a', '{t}b'],
      ['EXISTS', 'a'],
      ['PING'],
      ['PING', 'hi'],
      ['ECHO', 'x'],
      ['SELECT', '0'],
      ['SELECT', '1'],
      ['CLUSTER', 'KEYSLOT', 'foo{bar}'],
      ['CLUSTER', 'NOPE'],
    ]);
  });
});
