// CLIENT TRACKING, connection side: the connection's tracking state (a Session part with reset()
// and close()), the internal hub link on which it hears invalidations, and their conversion to
// Redis's pushes (shard side: engine/tracking.ts).
//
// A connection listens on `__keyflare_tracking__:<its id>` while it tracks, speaks RESP3, or is
// subscribed to `__redis__:invalidate` (the last two: it may be another client's REDIRECT
// target); on `__keyflare_tracking__:flush` while it tracks; on `__keyflare_tracking__:bcast`
// while it tracks in BCAST mode. The link is its own, apart from the connection's SUBSCRIBE link,
// so it never shows in subscription counts or RESP2 subscribed mode. Shards tell the reader
// itself ('k' + key); the reader sends the message on to its REDIRECT target ('f' + JSON keys),
// so the target is the one set now (as Redis's sendTrackingMessage reads it) and a target nobody
// hears (it disconnected) is a broken redirect: RESP3 readers get `tracking-redir-broken`. (A
// RESP2 target that is not subscribed hears nothing either, and counts as broken here too; Redis
// drops those silently.) Redis 7.0 holds a client's invalidations of its own writes until after
// the command's reply; here they are pushed as the shard batch ends, so they may arrive before it.
import { TRACKING_BCAST, TRACKING_FLUSH, TRACKING_PREFIX, type TrackOpts } from '../engine/tracking.js';
import { NIL, arr, bulk, int, type Frame } from '../protocol/frame.js';
import type { HubLink, PubMsg } from './pubsub.js';
import type { SessionCtx } from './commands/ctx.js';

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Commands after which a connection's tracking link may change (Session calls afterTrackingCommand). */
export const TRACKING_AFTER: ReadonlySet<string> = new Set(['client|tracking', 'subscribe', 'unsubscribe', 'flushall', 'flushdb', 'hello']);

/** One connection's CLIENT TRACKING state (Redis's CLIENT_TRACKING_* flags and fields). */
export class Tracking {
  on = false;
  /** REDIRECT target (0: none). */
  redir = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING yes (OPTIN) / no (OPTOUT) given for the next command. */
  caching = false;
  /** The REDIRECT target was gone when a message was due. */
  broken = false;
  /** BCAST prefixes ('' for all keys). */
  readonly prefixes = new Set<string>();
  /** Shards told of this client's BCAST mode (once per enable). */
  announced = false;
  link: HubLink | null = null;
  readonly channels = new Set<string>();

  /** Whether the shards should remember what the next command reads. */
  get reads(): boolean {
    if (this.bcast) return false;
    if (this.optin) return this.caching;
    if (this.optout) return !this.caching;
    return true;
  }

  /** CLIENT TRACKING OFF / RESET (Redis's disableTracking). */
  reset(): void {
    this.on = this.bcast = this.optin = this.optout = this.noloop = this.caching = this.broken = this.announced = false;
    this.prefixes.clear();
  }

  /** The connection ended: its link is dropped. */
  close(): void {
    this.link?.close();
    this.link = null;
    this.channels.clear();
  }
}

const parts = new WeakMap<object, Tracking>();

/** The connection's tracking state (made on first use). */
export function trackingState(c: object): Tracking {
  let t = parts.get(c);
  if (!t) parts.set(c, (t = new Tracking()));
  return t;
}

/** What the shards need of a tracking connection (ExecOpts.track). */
export function trackOpts(c: SessionCtx): TrackOpts {
  const t = trackingState(c);
  const o: TrackOpts = { client: c.session.id, noloop: t.noloop, reads: t.reads };
  if (t.bcast) o.bcast = true;
  return o;
}

/** CLIENT CACHING applies to one command (Redis's resetClient), CLIENT ones and a MULTI's excepted. */
export function spendCaching(c: SessionCtx, name: string, inMulti: boolean): void {
  const t = parts.get(c);
  if (t?.caching && !inMulti && !name.startsWith('client')) t.caching = false;
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

/** Listen on exactly the channels the connection's state calls for (`reset`: RESET, protocol 2 again). */
export async function syncTracking(c: SessionCtx, reset = false): Promise<void> {
  const ps = c.pubsub;
  if (!ps) return;
  const t = trackingState(c);
  // Only a connection that can receive pushes listens (a REST request never opens a link).
  if (!c.subscriptions.sink) {
    t.close();
    return;
  }
  const own = TRACKING_PREFIX + c.session.id;
  const want = new Set<string>();
  if (t.on) want.add(own).add(TRACKING_FLUSH);
  if (t.on && t.bcast) want.add(TRACKING_BCAST);
  if ((c.session.proto === 3 && !reset) || c.subscriptions.subs.channel.has(INVALIDATE_CHANNEL)) want.add(own);
  const add = [...want].filter((ch) => !t.channels.has(ch));
  const drop = [...t.channels].filter((ch) => !want.has(ch));
  for (const ch of drop) t.channels.delete(ch);
  for (const ch of add) t.channels.add(ch);
  if (want.size === 0) {
    t.close();
    return;
  }
  if (!t.link) t.link = ps.link((m) => deliver(c, m));
  if (drop.length) await t.link.update('channel', drop, false);
  if (add.length) await t.link.update('channel', add, true);
}

/** The connection ended. */
export function closeTracking(c: object): void {
  parts.get(c)?.close();
}

function deliver(c: SessionCtx, m: PubMsg): void {
  const ch = m[1]!;
  const payload = m[2] ?? '';
  const t = trackingState(c);
  if (ch === TRACKING_FLUSH) {
    if (t.on) route(c, null);
    return;
  }
  if (ch === TRACKING_BCAST) {
    if (!t.on || !t.bcast) return;
    let pairs: Array<[string, number]>;
    try {
      pairs = JSON.parse(payload) as Array<[string, number]>;
    } catch {
      return;
    }
    const me = c.session.id;
    // One message per prefix, as Redis's trackingBroadcastInvalidationMessages sends them.
    for (const p of [...t.prefixes].sort()) {
      const keys = pairs.filter(([k, w]) => k.startsWith(p) && !(t.noloop && w === me)).map(([k]) => k);
      if (keys.length) route(c, keys);
    }
    return;
  }
  if (payload[0] === 'k') {
    // A key this client read was modified: told unless it tracks no more or went BCAST since.
    if (t.on && !t.bcast) route(c, [payload.slice(1)]);
  } else if (payload[0] === 'f') {
    let keys: string[] | null;
    try {
      keys = JSON.parse(payload.slice(1)) as string[] | null;
    } catch {
      return;
    }
    push(c, keys);
  }
}

/** To this connection, or on to its REDIRECT target. */
function route(c: SessionCtx, keys: string[] | null): void {
  const t = trackingState(c);
  const to = t.redir;
  if (to <= 0 || to === c.session.id) {
    push(c, keys);
    return;
  }
  const ps = c.pubsub;
  if (!ps) return;
  void ps.publish(TRACKING_PREFIX + to, 'f' + JSON.stringify(keys), false).then((n) => {
    if (n > 0 || !t.on || t.redir !== to) return;
    t.broken = true;
    const sink = c.subscriptions.sink;
    if (sink && c.session.proto === 3) sink({ t: 'push', v: [bulk('tracking-redir-broken'), int(to)] });
  }, () => undefined);
}

/** RESP3: `>2 invalidate [keys]|_`; RESP2 only to a subscribed connection, as a message. */
function push(c: SessionCtx, keys: string[] | null): void {
  const ps = c.subscriptions;
  const sink = ps.sink;
  if (!sink) return;
  const v = keys === null ? NIL : arr(keys.map((k) => bulk(k)));
  if (c.session.proto === 3) sink({ t: 'push', v: [bulk('invalidate'), v] });
  else if (ps.active) sink({ t: 'push', v: [bulk('message'), bulk(INVALIDATE_CHANNEL), v] });
}
