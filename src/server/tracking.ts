// CLIENT TRACKING, connection side: the internal hub link on which a connection hears the
// invalidations meant for it, and their conversion to Redis's pushes (design: engine/tracking.ts).
//
// A connection listens on `__keyflare_tracking__:<its id>` while it tracks or is subscribed to
// `__redis__:invalidate` (it may be another client's REDIRECT target), and on
// `__keyflare_tracking__:flush` while it tracks. The link is its own, apart from the connection's
// SUBSCRIBE link, so it never shows in subscription counts or RESP2 subscribed mode. A RESP3
// REDIRECT target that neither tracks nor subscribes to `__redis__:invalidate` hears nothing
// (Redis would push to it): nothing tells it that it is a target. Redis 7.0 holds a client's
// invalidations of its own writes (tracking without NOLOOP) until after the command's reply; here
// they are pushed as the shard batch ends, so they arrive before that reply.
import { TRACKING_FLUSH, TRACKING_PREFIX, type TrackOpts } from '../engine/tracking.js';
import { NIL, arr, bulk, type Frame } from '../protocol/frame.js';
import type { HubLink, PubMsg } from './pubsub.js';
import type { SessionCtx } from './commands/ctx.js';

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Commands after which a connection's tracking link may change (Session calls afterTrackingCommand). */
export const TRACKING_AFTER: ReadonlySet<string> = new Set(['client|tracking', 'subscribe', 'unsubscribe', 'flushall', 'flushdb']);

class TrackLink {
  link: HubLink | null = null;
  readonly channels = new Set<string>();
}

const links = new WeakMap<object, TrackLink>();

/** What the shards need of a tracking connection (ExecOpts.track). */
export function trackOpts(c: SessionCtx): TrackOpts {
  const st = c.client;
  const id = c.session.id;
  return { client: id, to: st.redir > 0 ? st.redir : id, noloop: st.noloop };
}

export async function afterTrackingCommand(c: SessionCtx, name: string, reply: Frame): Promise<void> {
  if (reply.t === 'err') return;
  if (name === 'flushall' || name === 'flushdb') {
    // Every tracking connection hears it once (Redis's trackingInvalidateKeysOnFlush), itself included.
    await c.pubsub?.publish(TRACKING_FLUSH, '', false);
    return;
  }
  await syncTracking(c);
}

/** Listen on exactly the channels the connection's state calls for. */
export async function syncTracking(c: SessionCtx): Promise<void> {
  const ps = c.pubsub;
  if (!ps) return;
  const st = c.client;
  const want = new Set<string>();
  // Only a connection that can receive pushes listens (a REST request never opens a link).
  if (!c.subscriptions.sink) {
    closeTracking(c);
    return;
  }
  if (st.tracking) want.add(TRACKING_PREFIX + c.session.id).add(TRACKING_FLUSH);
  if (c.subscriptions.subs.channel.has(INVALIDATE_CHANNEL)) want.add(TRACKING_PREFIX + c.session.id);
  let tl = links.get(c);
  if (!tl) {
    if (want.size === 0) return;
    links.set(c, (tl = new TrackLink()));
  }
  const add = [...want].filter((ch) => !tl.channels.has(ch));
  const drop = [...tl.channels].filter((ch) => !want.has(ch));
  for (const ch of drop) tl.channels.delete(ch);
  for (const ch of add) tl.channels.add(ch);
  if (want.size === 0) {
    tl.link?.close();
    tl.link = null;
    return;
  }
  if (!tl.link) tl.link = ps.link((m) => deliver(c, m));
  if (drop.length) await tl.link.update('channel', drop, false);
  if (add.length) await tl.link.update('channel', add, true);
}

export function closeTracking(c: object): void {
  const tl = links.get(c);
  if (!tl) return;
  tl.link?.close();
  tl.link = null;
  tl.channels.clear();
}

function deliver(c: SessionCtx, m: PubMsg): void {
  const ch = m[1]!;
  const payload = m[2] ?? '';
  if (ch === TRACKING_FLUSH) {
    const st = c.client;
    if (!st.tracking) return;
    const id = c.session.id;
    const to = st.redir > 0 ? st.redir : id;
    if (to === id) push(c, null);
    else void c.pubsub?.publish(TRACKING_PREFIX + to, 'n', false).catch(() => undefined);
    return;
  }
  push(c, payload[0] === 'n' ? null : payload.slice(1));
}

/** RESP3: `>2 invalidate [key]|_`; RESP2 only to a `__redis__:invalidate` subscriber, as a message. */
function push(c: SessionCtx, key: string | null): void {
  const sink = c.subscriptions.sink;
  if (!sink) return;
  const keys = key === null ? NIL : arr([bulk(key)]);
  if (c.session.proto === 3) sink({ t: 'push', v: [bulk('invalidate'), keys] });
  else if (c.subscriptions.subs.channel.has(INVALIDATE_CHANNEL)) sink({ t: 'push', v: [bulk('message'), bulk(INVALIDATE_CHANNEL), keys] });
}
