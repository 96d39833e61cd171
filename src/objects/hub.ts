// The pub/sub hub Durable Object: one per service. Subscribing connections hold a hibernatable
// WebSocket to it; their subscriptions live in its SQLite storage; PUBLISH is an RPC that fans out.
//
// Where subscriptions live. A WebSocket attachment is capped at 16 KiB, so it holds only the
// link's id. The subscriptions are rows of `subs` (one per link, kind and name; no size limit but
// SQLite's per-value one) and, while the object is awake, the in-memory Registry that PUBLISH
// reads. After hibernation or eviction the registry is rebuilt from the rows of the links whose
// sockets are still open; rows of links that are gone are deleted then.
// An update is all-or-nothing: the rows change in one storage transaction first, and only when it
// has committed does the registry change (Registry operations cannot fail).
// A link that closes (the Worker's `drop` RPC, then its socket's close or error event) loses its
// rows and its registry entries at once, so PUBLISH and PUBSUB NUMSUB stop counting it.
import { DurableObject } from 'cloudflare:workers';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { MAX_NAME_BYTES, Registry, type Kind, type PubMsg } from '../server/pubsub.js';
import type { Note } from '../engine/notify.js';

/** The one hub of the service (see server/pubsub.ts for why one). */
export const HUB_NAME = 'hub';

/** What a link's WebSocket carries across hibernation: its id, and whether it was dropped. */
interface Attachment {
  id: string;
  dropped?: boolean;
}

const KINDS: Kind[] = ['channel', 'pattern', 'shard'];
const CODE: Record<Kind, number> = { channel: 0, pattern: 1, shard: 2 };

/** Names are byte strings; stored as BLOBs so every byte (NUL included) survives. */
const blob = (name: string): ArrayBuffer => toBytes(name).buffer as ArrayBuffer;
const unblob = (b: unknown): string => fromBytes(new Uint8Array(b as ArrayBuffer));

export class HubObject extends DurableObject {
  private readonly sql: SqlStorage;
  /** Subscriber = link id. Null until first needed after the object (re)starts. */
  private reg: Registry<string> | null = null;
  /** The open links' sockets by id (filled together with `reg`). */
  private readonly sockets = new Map<string, WebSocket>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS subs (link TEXT NOT NULL, kind INTEGER NOT NULL, name BLOB NOT NULL, PRIMARY KEY (link, kind, name)) WITHOUT ROWID');
  }

  private registry(): Registry<string> {
    if (this.reg) return this.reg;
    const reg = new Registry<string>();
    this.sockets.clear();
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      if (a?.id && !a.dropped) this.sockets.set(a.id, ws);
    }
    const gone = new Set<string>();
    for (const row of this.sql.exec('SELECT link, kind, name FROM subs')) {
      const id = row.link as string;
      if (this.sockets.has(id)) reg.add(KINDS[row.kind as number]!, unblob(row.name), id);
      else gone.add(id);
    }
    // Links whose sockets closed while no handler ran (a restart drops every socket).
    for (const id of gone) this.sql.exec('DELETE FROM subs WHERE link = ?', id);
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
    server.serializeAttachment({ id } satisfies Attachment);
    if (this.reg) this.sockets.set(id, server);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * Add or drop a link's subscriptions, all or none; returns once storage and the registry hold
   * them, or false when the link is unknown or already dropped.
   */
  update(id: string, kind: Kind, names: string[], add: boolean): boolean {
    const reg = this.registry();
    if (!this.sockets.has(id)) return false;
    const code = CODE[kind];
    // Sessions refuse longer names with an error reply; reaching here with one is a bug.
    for (const n of names) if (n.length > MAX_NAME_BYTES) throw new Error(`hub: a name of ${n.length} bytes`);
    this.ctx.storage.transactionSync(() => {
      for (const n of names) {
        if (add) this.sql.exec('INSERT OR IGNORE INTO subs (link, kind, name) VALUES (?, ?, ?)', id, code, blob(n));
        else this.sql.exec('DELETE FROM subs WHERE link = ? AND kind = ? AND name = ?', id, code, blob(n));
      }
    });
    for (const n of names) {
      if (add) reg.add(kind, n, id);
      else reg.remove(kind, n, id);
    }
    return true;
  }

  /** The Worker ends a link: its subscriptions go now, before its socket's close arrives. */
  drop(id: string): void {
    const ws = this.ctx.getWebSockets(id)[0];
    // Marked so that a rebuild after hibernation, or a late update, does not bring it back.
    if (ws) ws.serializeAttachment({ id, dropped: true } satisfies Attachment);
    this.forget(id);
  }

  publish(channel: string, message: string, shard: boolean): number {
    const n = this.registry().publish(channel, message, shard, (id, m) => this.send(id, m));
    this.sent();
    return n;
  }

  publishMany(notes: Note[]): void {
    const reg = this.registry();
    for (const [ch, msg, shard] of notes) reg.publish(ch, msg, shard === true, (id, m) => this.send(id, m));
    this.sent();
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
    this.closed(ws);
    try {
      ws.close(1000, 'closed');
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket): void {
    this.closed(ws);
  }

  private closed(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as Attachment | null;
    if (a?.id) this.forget(a.id);
  }

  /** Remove a link's rows, and its entries if the registry is in memory. */
  private forget(id: string): void {
    if (this.reg) {
      for (const row of this.sql.exec('SELECT kind, name FROM subs WHERE link = ?', id)) this.reg.remove(KINDS[row.kind as number]!, unblob(row.name), id);
    }
    this.sql.exec('DELETE FROM subs WHERE link = ?', id);
    this.sockets.delete(id);
  }

  /** The message being fanned out and its JSON text. */
  private lastMsg: PubMsg | null = null;
  private lastText = '';

  /** A fan-out is over: do not hold a large payload until the next publish. */
  private sent(): void {
    this.lastMsg = null;
    this.lastText = '';
  }

  /** Messages travel as JSON arrays of byte strings (every char code < 256 survives JSON). */
  private send(id: string, m: PubMsg): void {
    // One message goes to many links in a row: encode it once.
    if (m !== this.lastMsg) {
      this.lastMsg = m;
      this.lastText = JSON.stringify(m);
    }
    try {
      this.sockets.get(id)?.send(this.lastText);
    } catch {
      // The link is closing; its close handler drops its subscriptions.
    }
  }
}
