// The Worker's side of pub/sub: PUBLISH and PUBSUB as RPCs to the hub Durable Object, and a
// subscribing connection's link (a WebSocket to the hub that carries its messages down).
import { HUB_NAME, type HubObject } from '../objects/hub.js';
import type { HubLink, Kind, PubMsg, PubSubBackend } from '../server/pubsub.js';
import type { Note } from '../engine/notify.js';

export class HubClient implements PubSubBackend {
  private s: DurableObjectStub<HubObject> | null = null;
  constructor(private readonly ns: DurableObjectNamespace<HubObject>) {}

  private stub(): DurableObjectStub<HubObject> {
    return (this.s ??= this.ns.get(this.ns.idFromName(HUB_NAME)));
  }

  link(deliver: (m: PubMsg) => void, lost?: () => void): HubLink {
    return new WsLink(this.stub(), deliver, lost);
  }
  async publish(channel: string, message: string, shard: boolean): Promise<number> {
    return (await this.stub().publish(channel, message, shard)) as number;
  }
  async publishMany(notes: Note[]): Promise<void> {
    await this.stub().publishMany(notes);
  }
  async channels(pattern: string | null, shard: boolean): Promise<string[]> {
    return (await this.stub().channels(pattern, shard)) as string[];
  }
  async numsub(names: string[], shard: boolean): Promise<number[]> {
    return (await this.stub().numsub(names, shard)) as number[];
  }
  async numpat(): Promise<number> {
    return (await this.stub().numpat()) as number;
  }
}

class WsLink implements HubLink {
  private readonly id = crypto.randomUUID();
  private readonly ready: Promise<WebSocket>;
  private closed = false;

  constructor(
    private readonly stub: DurableObjectStub<HubObject>,
    deliver: (m: PubMsg) => void,
    lost?: () => void,
  ) {
    this.ready = stub.fetch(`http://hub/link?id=${this.id}`, { headers: { Upgrade: 'websocket' } }).then((res) => {
      const ws = res.webSocket;
      if (!ws) throw new Error(`hub refused the link (${res.status})`);
      ws.accept();
      ws.addEventListener('message', (ev) => {
        if (typeof ev.data === 'string') deliver(JSON.parse(ev.data) as PubMsg);
      });
      // Closed by the hub's side (a restart, a deploy), not by close(): its subscriptions are gone.
      const gone = () => {
        if (this.closed) return;
        this.closed = true;
        lost?.();
      };
      ws.addEventListener('close', gone);
      ws.addEventListener('error', gone);
      return ws;
    });
  }

  async update(kind: Kind, names: string[], add: boolean): Promise<void> {
    await this.ready;
    if (!(await this.stub.update(this.id, kind, names, add))) throw new Error('the hub lost this link');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ready.then(
      (ws) => {
        // The hub forgets the link's subscriptions now (an RPC is delivered after any update this
        // link sent before it); the socket's close reaches the hub later, and does the same.
        this.stub.drop(this.id).catch(() => {});
        try {
          ws.close(1000, 'unsubscribed');
        } catch {
          // already closed
        }
      },
      () => {},
    );
  }
}
