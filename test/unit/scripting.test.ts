// Scripting on one shard: a runaway script is stopped (a shard serves no one while it runs), its
// effects are logged as the commands it ran inside MULTI/EXEC, and replay never runs Lua again;
// a script's PUBLISH / SPUBLISH reach subscribers.
import { describe, expect, it } from 'vitest';
import { Shard } from '../../src/shard/shard.js';
import { ManualClock } from '../../src/engine/clock.js';
import { LocalBackend } from '../../src/server/local.js';
import { setPushSink } from '../../src/server/pubsub.js';

const shard = () => new Shard({ index: 0, count: 1, slots: [0, 16383] }, new ManualClock());

describe('scripts on a shard', () => {
  it('stops a script past busy-reply-threshold, also one that catches the error with pcall', () => {
    const s = shard();
    s.exec([['CONFIG', 'SET', 'busy-reply-threshold', '10']]);
    const [a] = s.exec([['EVAL', 'while true do end', '0']]).replies;
    expect(a).toMatchObject({ t: 'err', v: expect.stringMatching(/^ERR Script killed: it ran past busy-reply-threshold/) });
    const [b] = s.exec([['EVAL', 'while true do pcall(function() while true do end end) end', '0']]).replies;
    expect(b).toMatchObject({ t: 'err', v: expect.stringMatching(/^ERR Script killed/) });
    // The VM is usable afterwards.
    expect(s.exec([['EVAL', 'return 7', '0']]).replies[0]).toEqual({ t: 'int', v: 7 });
  });

  it('lets a script that wrote run past the budget (Redis: UNKILLABLE) up to ten times it, then stops it with its writes standing', () => {
    const s = shard();
    // 10 ms: a budget of 20k instructions, checked every 100k.
    s.exec([['CONFIG', 'SET', 'busy-reply-threshold', '10']]);
    const loop = 'local i = 0 while i < 50000 do i = i + 1 end return i';
    const [ro] = s.exec([['EVAL', loop, '0']]).replies;
    expect(ro).toMatchObject({ t: 'err', v: expect.stringMatching(/^ERR Script killed: it ran past busy-reply-threshold/) });
    const [rw] = s.exec([['EVAL', `redis.call('SET', KEYS[1], 'v') ${loop}`, '1', 'k']]).replies;
    expect(rw).toEqual({ t: 'int', v: 50000 });
    const [inf] = s.exec([['EVAL', "redis.call('SET', KEYS[1], 'w') while true do end", '1', 'k']]).replies;
    expect(inf).toMatchObject({ t: 'err', v: expect.stringMatching(/^ERR Script killed: it wrote, then ran past 10 times busy-reply-threshold \(its writes so far stand\)/) });
    expect(s.exec([['GET', 'k']]).replies[0]).toEqual({ t: 'bulk', v: 'w' });
  });

  it('answers NOTBUSY to SCRIPT KILL and FUNCTION KILL (no script is running when they are served)', async () => {
    const b = new LocalBackend(4);
    expect(await b.session().run([['SCRIPT', 'KILL'], ['FUNCTION', 'KILL']])).toEqual([
      { t: 'err', v: 'NOTBUSY No scripts in execution right now.' }, { t: 'err', v: 'NOTBUSY No scripts in execution right now.' },
    ]);
  });

  it('logs the effects wrapped in MULTI/EXEC, one command without; replay rebuilds the state without Lua', () => {
    const s = shard();
    const r = s.exec([
      ['EVAL', "redis.call('SET', KEYS[1], 'v', 'EX', '100'); redis.call('INCR', KEYS[2]); return redis.call('GET', KEYS[1])", '2', '{k}a', '{k}b'],
      ['EVAL', "return redis.call('INCR', KEYS[1])", '1', '{k}b'],
      ['EVAL', "return redis.call('GET', KEYS[1])", '1', '{k}b'],
    ]);
    expect(r.replies).toEqual([{ t: 'bulk', v: 'v' }, { t: 'int', v: 2 }, { t: 'bulk', v: '2' }]);
    const at = String(1_700_000_000_000 + 100_000);
    expect(r.effects).toEqual([['MULTI'], ['SET', '{k}a', 'v', 'PXAT', at], ['INCR', '{k}b'], ['EXEC'], ['INCR', '{k}b']]);
    const t = shard();
    t.replay(r.effects);
    expect(t.exec([['GET', '{k}b'], ['PEXPIRETIME', '{k}a']]).replies).toEqual([{ t: 'bulk', v: '2' }, { t: 'int', v: Number(at) }]);
  });
});

describe('PUBLISH / SPUBLISH from a script', () => {
  it('reaches subscribers through the hub once the script has run (the reply is 0: the count cannot be awaited mid-script)', async () => {
    const b = new LocalBackend(4);
    const sub = b.session();
    const got: unknown[] = [];
    setPushSink(sub, (f) => got.push(f));
    await sub.run([['SUBSCRIBE', 'ch'], ['SSUBSCRIBE', '{k}sch']]);
    const [r] = await b.session().run([['EVAL', "redis.call('PUBLISH', 'ch', 'm1'); return redis.call('SPUBLISH', KEYS[1], 'm2')", '1', '{k}sch']]);
    expect(r).toEqual({ t: 'int', v: 0 });
    const bulk = (v: string) => ({ t: 'bulk', v });
    expect(got).toEqual([
      { t: 'push', v: [bulk('message'), bulk('ch'), bulk('m1')] },
      { t: 'push', v: [bulk('smessage'), bulk('{k}sch'), bulk('m2')] },
    ]);
  });
});
