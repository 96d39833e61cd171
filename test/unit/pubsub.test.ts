// The session side of pub/sub (server/pubsub.ts): a (UN)SUBSCRIBE the hub could not apply leaves
// the connection's subscriptions as they were, so counts, subscribed mode and delivery stay true.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { expandReplies, setPushSink, type HubLink } from '../../src/server/pubsub.js';
import type { Frame } from '../../src/protocol/frame.js';

/** A backend whose links fail their next update while `failing` is set. */
function flakyBackend() {
  const b = new LocalBackend(4);
  const ctl = { failing: false };
  const link = b.pubsub.link.bind(b.pubsub);
  b.pubsub.link = (deliver) => {
    const l = link(deliver);
    return {
      update: (kind, names, add) => (ctl.failing ? Promise.reject(new Error('hub unavailable')) : l.update(kind, names, add)),
      close: () => l.close(),
    } satisfies HubLink;
  };
  return { b, ctl };
}

type Sess = ReturnType<LocalBackend['session']>;
/** Replies in wire order (a SUBSCRIBE of n channels is n confirmations). */
const run = async (s: Sess, cmds: string[][]) => expandReplies(await s.run(cmds));
const conf = (kind: string, ch: string, n: number): Frame => ({ t: 'arr', v: [{ t: 'bulk', v: kind }, { t: 'bulk', v: ch }, { t: 'int', v: n }] });

describe('pub/sub updates are all or nothing on the session side', () => {
  it('a SUBSCRIBE the hub refused subscribes none of its channels', async () => {
    const { b, ctl } = flakyBackend();
    const sub = b.session();
    const got: Frame[] = [];
    setPushSink(sub, (f) => got.push(f));
    expect(await run(sub, [['SUBSCRIBE', 'a']])).toEqual([conf('subscribe', 'a', 1)]);
    ctl.failing = true;
    await expect(sub.run([['SUBSCRIBE', 'b', 'c']])).rejects.toThrow('hub unavailable');
    ctl.failing = false;
    // The count says the refused channels were never added.
    expect(await run(sub, [['SUBSCRIBE', 'd']])).toEqual([conf('subscribe', 'd', 2)]);
    expect(await b.session().run([['PUBSUB', 'NUMSUB', 'b', 'c', 'd']])).toEqual([
      { t: 'arr', v: [{ t: 'bulk', v: 'b' }, { t: 'int', v: 0 }, { t: 'bulk', v: 'c' }, { t: 'int', v: 0 }, { t: 'bulk', v: 'd' }, { t: 'int', v: 1 }] },
    ]);
  });

  it('an UNSUBSCRIBE the hub refused keeps the channels (still counted, still delivered)', async () => {
    const { b, ctl } = flakyBackend();
    const sub = b.session();
    const got: Frame[] = [];
    setPushSink(sub, (f) => got.push(f));
    await sub.run([['SUBSCRIBE', 'a', 'b']]);
    ctl.failing = true;
    await expect(sub.run([['UNSUBSCRIBE', 'a']])).rejects.toThrow('hub unavailable');
    ctl.failing = false;
    expect(await b.session().run([['PUBLISH', 'a', 'm']])).toEqual([{ t: 'int', v: 1 }]);
    expect(got).toEqual([{ t: 'push', v: [{ t: 'bulk', v: 'message' }, { t: 'bulk', v: 'a' }, { t: 'bulk', v: 'm' }] }]);
    expect(await run(sub, [['UNSUBSCRIBE', 'a']])).toEqual([conf('unsubscribe', 'a', 1)]);
  });
});
