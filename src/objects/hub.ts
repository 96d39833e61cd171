// The pub/sub hub Durable Object: one per service. Subscribing connections hold a hibernatable
// WebSocket to it (their subscriptions in its attachment); PUBLISH is an RPC that fans out to them.
import { DurableObject } from 'cloudflare:workers';
import { Registry, type Kind, type PubMsg } from '../server/pubsub.js';

/** The one hub of the service (see server/pubsub.ts for why one). */
export const HUB_NAME = 'hub';

/** A link's subscriptions, kept in its WebSocket attachment (survives hibernation). */
interface Attachment {
  id: string;
  subs: Record<Kind, string[]>;
}

export class HubObject extends DurableObject {
  /** Rebuilt from the WebSockets' attachments after the object wakes from hibernation. */
  private reg: Registry<WebSocket> | null = null;

  private registry(): Registry<WebSocket> {
    if (this.reg) return this.reg;
    const reg = new Registry<WebSocket>();
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (!a) continue;
      for (const kind of ['channel', 'pattern', 'shard'] as Kind[]) for (const n of a.subs[kind]) reg.add(kind, n, ws);
    }
    this.reg = reg;
    return reg;
  }

  /** A link opens: `GET /link?id=<id>` with a WebSocket upgrade. */
  override async fetch(req: Request): Promise<Response> {
    const id = new URL(req.url).searchParams.get('id');
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !id) return new Response('expected a WebSocket link', { status: 426 });
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [id]);
    const a: Attachment = { id, subs: { channel: [], pattern: [], shard: [] } };
    server.serializeAttachment(a);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Add or drop a link's subscriptions; returns once the registry holds them. */
  update(id: string, kind: Kind, names: string[], add: boolean): boolean {
    const ws = this.ctx.getWebSockets(id)[0];
    if (!ws) return false;
    const reg = this.registry();
    const a = ws.deserializeAttachment() as Attachment;
    const cur = new Set(a.subs[kind]);
    for (const n of names) {
      if (add) {
        cur.add(n);
        reg.add(kind, n, ws);
      } else {
        cur.delete(n);
        reg.remove(kind, n, ws);
      }
    }
    a.subs[kind] = [...cur];
    ws.serializeAttachment(a);
    return true;
  }

  publish(channel: string, message: string, shard: boolean): number {
    return this.registry().publish(channel, message, shard, send);
  }

  publishMany(notes: Array<[string, string]>): void {
    const reg = this.registry();
    for (const [ch, msg] of notes) reg.publish(ch, msg, false, send);
  }

  channels(pattern: string | null, shard: boolean): string[] {
    return this.registry().channels(pattern, shard);
  }
  numsub(names: string[], shard: boolean): number[] {
    return this.registry().numsub(names, shard);
  }
  numpat(): number {
    return this.registry().numpat();
  }

  override webSocketClose(ws: WebSocket): void {
    this.drop(ws);
    try {
      ws.close(1000, 'closed');
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket): void {
    this.drop(ws);
  }

  private drop(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as Attachment | null;
    if (!a || !this.reg) return;
    for (const kind of ['channel', 'pattern', 'shard'] as Kind[]) for (const n of a.subs[kind]) this.reg.remove(kind, n, ws);
  }
}

/** Messages travel as JSON arrays of byte strings (every char code < 256 survives JSON). */
function send(ws: WebSocket, m: PubMsg): void {
  try {
    ws.send(JSON.stringify(m));
  } catch {
    // The link is closing; its close handler drops its subscriptions.
  }
}
