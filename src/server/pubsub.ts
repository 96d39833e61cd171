// Pub/sub: the subscription registry a hub holds, the in-process hub, and the session-side state
// of a subscribed connection (its channels, its subscribed-mode rules, delivery of its pushes).
//
// Design. A connection's subscriptions live in two places:
// - in the session (ConnPubSub, server/pubsub-conn.ts): the truth for the counts in (UN)SUBSCRIBE replies and
//   for RESP2 subscribed mode, and a filter on delivery (a message for a channel the connection
//   has just left is dropped, so no message arrives after its UNSUBSCRIBE reply);
// - in ONE hub for the whole service (src/objects/hub.ts, a Durable Object named "hub"), which
//   every Worker isolate and every shard publishes to. Each subscribing connection (a RESP
//   WebSocket or an SSE stream, in whichever isolate) holds one WebSocket to the hub; the hub
//   accepts it as a hibernatable WebSocket and keeps that link's subscriptions in its SQLite
//   storage (not in the attachment: that is capped at 16 KiB), so an idle hub costs nothing and
//   rebuilds its registry from storage when it wakes. SUBSCRIBE is an RPC that returns once the
//   hub has registered them all, or none (so a PUBLISH issued after the SUBSCRIBE reply reaches
//   it); messages come down the link's WebSocket. Closing a link drops its subscriptions at once.
// - PUBLISH is one RPC to the hub (Worker → hub; the hub fans out to the links and returns the
//   receiver count, as Redis does). So a publish costs one hop to the hub plus one WebSocket
//   message per receiving connection; a keyspace notification costs the shard one RPC per
//   command batch that fired events (nothing when notify-keyspace-events is empty).
// One hub serialises all publishes (~1k RPC/s per DO before overload). Scaling out would shard
//   hubs by channel hash (SSUBSCRIBE by slot naturally), with pattern subscribers registered on
//   every hub; not done yet.
// SUBSCRIBE inside MULTI: left to the transactions work (Redis 7.0 queues it and EXEC runs it).
import { keySlot } from '../cluster/slot.js';
import { stringMatch } from '../engine/glob.js';
import type { CommandSpec } from '../commands/types.js';
import { def } from '../commands/spec-data.js';
import { arr, bulk, err, int, NIL, E, type Frame } from '../protocol/frame.js';
import type { SessionCtx } from './commands/ctx.js';
import type { Note } from '../engine/notify.js';

export type { HubLink, Kind, PubMsg, PubSubBackend } from './hub-port.js';
import type { HubLink, Kind, PubMsg, PubSubBackend } from './hub-port.js';
import type { ConnPubSub } from './pubsub-conn.js';

/** Channels keyflare uses itself (engine/tracking.ts): never listed, never matched by patterns. */
const INTERNAL = '__keyflare_';

/** The subscription registry of a hub: subscribers S per channel, pattern and shard channel. */
export class Registry<S> {
  readonly maps: Record<Kind, Map<string, Set<S>>> = { channel: new Map(), pattern: new Map(), shard: new Map() };

  add(kind: Kind, name: string, s: S): void {
    const m = this.maps[kind];
    let set = m.get(name);
    if (!set) m.set(name, (set = new Set()));
    set.add(s);
  }

  remove(kind: Kind, name: string, s: S): void {
    const m = this.maps[kind];
    const set = m.get(name);
    if (set && set.delete(s) && set.size === 0) m.delete(name);
  }

  /** Channel subscribers first, then pattern subscribers (pubsubPublishMessage's order). */
  publish(channel: string, message: string, shard: boolean, send: (s: S, m: PubMsg) => void): number {
    let n = 0;
    const subs = this.maps[shard ? 'shard' : 'channel'].get(channel);
    if (subs) {
      const m = [shard ? 'smessage' : 'message', channel, message];
      for (const s of subs) {
        send(s, m);
        n++;
      }
    }
    // keyflare's internal channels (CLIENT TRACKING's) reach their own listeners only.
    if (shard || channel.startsWith(INTERNAL)) return n;
    for (const [pat, ps] of this.maps.pattern) {
      if (!stringMatch(pat, channel)) continue;
      const m = ['pmessage', pat, channel, message];
      for (const s of ps) {
        send(s, m);
        n++;
      }
    }
    return n;
  }

  channels(pattern: string | null, shard: boolean): string[] {
    const out: string[] = [];
    for (const ch of this.maps[shard ? 'shard' : 'channel'].keys()) if (!ch.startsWith(INTERNAL) && (pattern === null || stringMatch(pattern, ch))) out.push(ch);
    return out;
  }

  numsub(names: string[], shard: boolean): number[] {
    const m = this.maps[shard ? 'shard' : 'channel'];
    return names.map((n) => m.get(n)?.size ?? 0);
  }

  /** Unique patterns (Redis 7.0 counts dict entries, not subscriptions). */
  numpat(): number {
    return this.maps.pattern.size;
  }
}

/** The in-process hub (LocalBackend): delivery is synchronous, inside publish. */
export class LocalHub implements PubSubBackend {
  readonly reg = new Registry<LocalLink>();

  link(deliver: (m: PubMsg) => void): HubLink {
    return new LocalLink(this.reg, deliver);
  }
  async publish(channel: string, message: string, shard: boolean): Promise<number> {
    return this.reg.publish(channel, message, shard, (l, m) => l.deliver(m));
  }
  async publishMany(notes: Note[]): Promise<void> {
    for (const [ch, msg, shard] of notes) this.reg.publish(ch, msg, shard === true, (l, m) => l.deliver(m));
  }
  async channels(pattern: string | null, shard: boolean): Promise<string[]> {
    return this.reg.channels(pattern, shard);
  }
  async numsub(names: string[], shard: boolean): Promise<number[]> {
    return this.reg.numsub(names, shard);
  }
  async numpat(): Promise<number> {
    return this.reg.numpat();
  }
}

class LocalLink implements HubLink {
  private readonly mine: Record<Kind, Set<string>> = { channel: new Set(), pattern: new Set(), shard: new Set() };
  constructor(
    private readonly reg: Registry<LocalLink>,
    readonly deliver: (m: PubMsg) => void,
  ) {}
  async update(kind: Kind, names: string[], add: boolean): Promise<void> {
    for (const n of names) {
      if (add) {
        this.mine[kind].add(n);
        this.reg.add(kind, n, this);
      } else {
        this.mine[kind].delete(n);
        this.reg.remove(kind, n, this);
      }
    }
  }
  close(): void {
    for (const kind of ['channel', 'pattern', 'shard'] as Kind[]) for (const n of this.mine[kind]) this.reg.remove(kind, n, this);
  }
}

// ---- session side (the connection's state is ConnPubSub, server/pubsub-conn.ts) ----

/** A host that can push messages registers where they go (a WebSocket, an SSE stream, a test). */
export function setPushSink(c: SessionCtx, sink: ((f: Frame) => void) | null): void {
  c.subscriptions.sink = sink;
}

// A command whose reply is several frames ((UN)SUBSCRIBE with several channels): hosts expand it.
const SEVERAL = new WeakSet<Frame>();
export function several(frames: Frame[]): Frame {
  const f = arr(frames);
  SEVERAL.add(f);
  return f;
}
export function isSeveral(f: Frame): boolean {
  return SEVERAL.has(f);
}
/** Replies in wire order: a several-frames reply becomes its frames. */
export function expandReplies(replies: readonly Frame[]): Frame[] {
  const out: Frame[] = [];
  for (const r of replies) {
    if (SEVERAL.has(r)) for (const f of (r as { v: Frame[] }).v) out.push(f); // no spread: one per channel, unbounded
    else out.push(r);
  }
  return out;
}

const ALLOWED = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit', 'reset']);

/** PING in RESP2 subscribed mode answers ["pong", <arg or "">]. */
const SUBSCRIBED_PING: CommandSpec = def('ping', {
  route: 'conn',
  conn: (_c, argv) => (argv.length > 2 ? err("ERR wrong number of arguments for 'ping' command") : arr([bulk('pong'), bulk(argv[1] ?? '')])),
});

/**
 * Session.check's pub/sub step (after lookup and auth): RESET leaves subscribed mode; in RESP2
 * subscribed mode only the pub/sub commands, PING, QUIT and RESET run (Redis's processCommand).
 */
export function subscribedCheck(c: SessionCtx, spec: CommandSpec): { spec: CommandSpec } | { err: Frame } | null {
  const st = c.subscriptions;
  if (!st.active || c.session.proto !== 2) return null;
  if (!ALLOWED.has(spec.name)) {
    return { err: err(`ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`) };
  }
  return spec.name === 'ping' ? { spec: SUBSCRIBED_PING } : null;
}

// ---- the commands' logic (the specs are in commands/pubsub.ts) ----

const NAMES: Record<Kind, [string, string]> = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
};

const push = (proto: number, v: Frame[]): Frame => (proto === 3 ? { t: 'push', v } : arr(v));

function countOf(st: ConnPubSub, kind: Kind): number {
  return kind === 'shard' ? st.subs.shard.size : st.subs.channel.size + st.subs.pattern.size;
}

function crossSlot(c: SessionCtx, kind: Kind, names: string[]): Frame | null {
  // A standalone Redis has no slots to check (the cluster check of SSUBSCRIBE/SUNSUBSCRIBE).
  if (kind !== 'shard' || names.length < 2 || c.server.mode !== 'cluster') return null;
  const s = keySlot(names[0]!);
  for (const n of names) if (keySlot(n) !== s) return E.crossSlot;
  return null;
}

/**
 * The longest channel or pattern name a connection may subscribe to. Redis has no limit of its
 * own; the hub keeps each name in a row of Durable Object storage, whose values are capped at
 * 2 MB in production, so names are held well under that.
 */
export const MAX_NAME_BYTES = 1024 * 1024;

export async function subscribe(c: SessionCtx, kind: Kind, names: string[]): Promise<Frame> {
  const bad = crossSlot(c, kind, names);
  if (bad) return bad;
  for (const n of names) {
    if (n.length > MAX_NAME_BYTES) return err(`ERR ${kind === 'pattern' ? 'pattern' : 'channel'} name is longer than ${MAX_NAME_BYTES} bytes, the pub/sub hub's limit`);
  }
  const ps = c.pubsub;
  const st = c.subscriptions;
  if (!ps || !st.sink) {
    return err(`ERR ${NAMES[kind][0].toUpperCase()} needs a connection that can receive pushes: use RESP over WebSocket, or /subscribe/<channel> (SSE) over REST`);
  }
  const fresh: string[] = [];
  const out: Frame[] = [];
  for (const n of names) {
    if (!st.subs[kind].has(n)) {
      st.subs[kind].add(n);
      fresh.push(n);
    }
    out.push(push(c.session.proto, [bulk(NAMES[kind][0]), bulk(n), int(countOf(st, kind))]));
  }
  if (fresh.length) {
    if (!st.link) st.link = ps.link((m) => st.deliver(m));
    try {
      await st.link.update(kind, fresh, true);
    } catch (e) {
      // All or nothing: the hub applied none of them (its update is one transaction), so neither
      // does the session.
      for (const n of fresh) st.subs[kind].delete(n);
      throw e;
    }
  }
  return several(out);
}

export async function unsubscribe(c: SessionCtx, kind: Kind, names: string[]): Promise<Frame> {
  const bad = crossSlot(c, kind, names);
  if (bad) return bad;
  const st = c.subscriptions;
  const list = names.length ? names : [...st.subs[kind]];
  const name = bulk(NAMES[kind][1]);
  if (list.length === 0) return push(c.session.proto, [name, NIL, int(countOf(st, kind))]);
  const gone: string[] = [];
  const out: Frame[] = [];
  for (const n of list) {
    if (st.subs[kind].delete(n)) gone.push(n);
    out.push(push(c.session.proto, [name, bulk(n), int(countOf(st, kind))]));
  }
  if (gone.length && st.link) {
    try {
      await st.link.update(kind, gone, false);
    } catch (e) {
      for (const n of gone) st.subs[kind].add(n);
      throw e;
    }
  }
  if (!st.active && st.link) {
    st.link.close();
    st.link = null;
  }
  return several(out);
}

export async function publish(c: SessionCtx, channel: string, message: string, shard: boolean): Promise<Frame> {
  if (!c.pubsub) return err('ERR pub/sub is not available on this connection');
  return int(await c.pubsub.publish(channel, message, shard));
}
