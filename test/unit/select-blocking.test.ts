// Blocked clients and databases (hand-derived from Redis's semantics: a client blocks on a key of
// its db): a push to the same name in another db does not serve it; MOVE into its db and SWAPDB
// bringing a non-empty list into its db do.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Frame } from '../../src/protocol/frame.js';

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('blocking commands per database', () => {
  it('BLPOP in db 3 is served by a push in db 3 only', async () => {
    const b = new LocalBackend({ shards: 2 });
    const [c, w] = [b.session(), b.session()];
    await c.run([['SELECT', '3']]);
    let got: Frame[] | null = null;
    const p = c.run([['BLPOP', 'q', '0']]).then((r) => (got = r));
    await tick();
    await w.run([['RPUSH', 'q', 'db0']]);
    await tick();
    expect(got).toBeNull();
    await w.run([['SELECT', '3'], ['RPUSH', 'q', 'db3']]);
    await p;
    expect(got).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'q' }, { t: 'bulk', v: 'db3' }] }]);
    expect(await w.run([['SELECT', '0'], ['LRANGE', 'q', '0', '-1']])).toEqual([{ t: 'simple', v: 'OK' }, { t: 'arr', v: [{ t: 'bulk', v: 'db0' }] }]);
  });

  it('MOVE into the waiting db and SWAPDB bringing the key in serve it', async () => {
    const b = new LocalBackend({ shards: 2 });
    const [c, w] = [b.session(), b.session()];
    await c.run([['SELECT', '5']]);
    const moved = c.run([['BLPOP', 'm', '0']]);
    await tick();
    await w.run([['RPUSH', 'm', 'from-0'], ['MOVE', 'm', '5']]);
    expect(await moved).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'm' }, { t: 'bulk', v: 'from-0' }] }]);
    const swapped = c.run([['BLPOP', 's', '0']]);
    await tick();
    await w.run([['SELECT', '7'], ['RPUSH', 's', 'from-7'], ['SWAPDB', '5', '7']]);
    expect(await swapped).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 's' }, { t: 'bulk', v: 'from-7' }] }]);
  });
});
