// The pub/sub hub as a connection sees it (a port): the in-process LocalHub and the hub Durable
// Object's client implement it; sessions link to it to subscribe and publish through it.
import type { Note } from '../engine/notify.js';

export type Kind = 'channel' | 'pattern' | 'shard';
/** A delivered message: ['message', ch, payload] | ['pmessage', pattern, ch, payload] | ['smessage', ch, payload]. */
export type PubMsg = string[];

/** One connection's link to the hub. */
export interface HubLink {
  /** Register (add) or drop subscriptions; resolves once the hub has applied them. */
  update(kind: Kind, names: string[], add: boolean): Promise<void>;
  close(): void;
}

/** What a host offers for pub/sub (LocalHub in-process; the hub DO client in the Worker). */
export interface PubSubBackend {
  /** A link for one connection; `lost` runs if the hub ends it (a restart closes every link). */
  link(deliver: (m: PubMsg) => void, lost?: () => void): HubLink;
  /** Receivers reached (Redis's PUBLISH reply). */
  publish(channel: string, message: string, shard: boolean): Promise<number>;
  /** Many messages at once (keyspace notifications of one shard batch). */
  publishMany(notes: Note[]): Promise<void>;
  channels(pattern: string | null, shard: boolean): Promise<string[]>;
  numsub(names: string[], shard: boolean): Promise<number[]>;
  numpat(): Promise<number>;
}
