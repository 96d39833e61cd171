// The pub/sub part of one connection: its subscriptions (the truth for (UN)SUBSCRIBE's counts and
// RESP2 subscribed mode), its hub link, and the filter that drops messages of channels it left.
import { bulk, type Frame } from '../protocol/frame.js';
import type { HubLink, Kind, PubMsg } from './hub-port.js';
import type { SessionPart } from './part.js';

/** A subscribing connection's state: a part its Session owns. */
export class ConnPubSub implements SessionPart {
  readonly subs: Record<Kind, Set<string>> = { channel: new Set(), pattern: new Set(), shard: new Set() };
  /** Where pushes go (set by a host that can push: a WebSocket, an SSE stream, a test). */
  sink: ((f: Frame) => void) | null = null;
  link: HubLink | null = null;

  get active(): boolean {
    return this.subs.channel.size + this.subs.pattern.size + this.subs.shard.size > 0;
  }

  /** Messages for subscriptions the connection has since dropped are not delivered. */
  deliver(m: PubMsg): void {
    const kind: Kind = m[0] === 'pmessage' ? 'pattern' : m[0] === 'smessage' ? 'shard' : 'channel';
    if (!this.subs[kind].has(m[1]!) || !this.sink) return;
    this.sink({ t: 'push', v: m.map(bulk) });
  }

  /** RESET: drop every subscription and the hub link. */
  reset(): void {
    for (const s of Object.values(this.subs)) s.clear();
    this.link?.close();
    this.link = null;
  }

  /** Disconnect: the hub forgets the connection's subscriptions at once. */
  close(): void {
    this.reset();
  }
}
