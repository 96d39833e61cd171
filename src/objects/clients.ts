// The client registry Durable Object: one per service. Every RESP connection holds a hibernatable
// WebSocket link to it (design: src/server/clients.ts); CLIENT LIST/KILL/PAUSE/UNBLOCK are RPCs.
import { DurableObject } from 'cloudflare:workers';
import { matchKill, type ClientInfo, type KillFilter, type PauseState } from '../server/clients.js';
import { SLOW_DEFAULTS, SlowLog, type NewSlowEntry, type SlowConfig, type SlowEntry } from '../server/slowlog.js';

export const CLIENTS_NAME = 'clients';
/** How long LIST/KILL wait for connections to report (a stuck isolate must not hang them). */
const REPORT_MS = 1000;

interface Attachment {
  id: number;
  monitor: boolean;
}

/** Messages down a link. */
export type Down =
  | { op: 'state'; pause: PauseState; monitors: boolean; slow: SlowConfig }
  | { op: 'slowcfg'; cfg: SlowConfig }
  | { op: 'slowr'; req: number; v: SlowEntry[] | number | null }
  | { op: 'pause'; pause: PauseState }
  | { op: 'monitors'; on: boolean }
  | { op: 'report'; req: number }
  | { op: 'kill' }
  | { op: 'unblock'; req: number; error: boolean }
  | { op: 'lines'; lines: string[] };
/** SLOWLOG's queries, over the link so a connection always sees its own entries. */
export type SlowQuery = { q: 'get'; count: number } | { q: 'len' } | { q: 'reset' };
/** Messages up a link. */
export type Up =
  | { op: 'info'; req: number; info: ClientInfo }
  | { op: 'unblocked'; req: number; ok: boolean }
  | { op: 'monitor'; on: boolean }
  | { op: 'feed'; lines: string[] }
  | { op: 'slow'; entries: NewSlowEntry[] }
  | ({ op: 'slowq'; req: number } & SlowQuery);

/** Storage keys of slowlog entries sort by id. */
const SLOW_PREFIX = 'slow:';
/** How long the slowlog's changes gather before one save (see saveSlow). */
const SLOW_SAVE_MS = 100;
const slowKey = (id: number) => SLOW_PREFIX + String(id).padStart(16, '0');

interface Pending {
  left: number;
  got: unknown[];
  done(v: unknown[]): void;
}

export class ClientsObject extends DurableObject {
  private pending = new Map<number, Pending>();
  private reqs = 0;
  private pauseState: PauseState | null = null;
  /** Links accepted since the registry began or CONFIG RESETSTAT (stored: the object hibernates). */
  private receivedCount: number | null = null;
  /** SLOWLOG: settings and entries, both stored (the object hibernates between uses). */
  private slow: { cfg: SlowConfig; log: SlowLog } | null = null;

  private async slowNow(): Promise<{ cfg: SlowConfig; log: SlowLog }> {
    if (this.slow) return this.slow;
    const cfg = (await this.ctx.storage.get<SlowConfig>('slowcfg')) ?? SLOW_DEFAULTS;
    const stored = await this.ctx.storage.list<SlowEntry>({ prefix: SLOW_PREFIX });
    const entries = [...stored.values()].reverse();
    const nextId = ((await this.ctx.storage.get<number>('slownext')) ?? 0);
    if (this.slow) return this.slow;
    const log = new SlowLog(cfg.maxLen);
    log.restore({ entries, nextId });
    // What storage holds (ids [low, next)): entries past maxLen are dropped by the first save.
    this.slowStored = entries.length ? { low: entries[entries.length - 1]!.id, next: entries[0]!.id + 1 } : { low: nextId, next: nextId };
    return (this.slow = { cfg, log });
  }

  /** The slowlog ids storage holds, [low, next). */
  private slowStored = { low: 0, next: 0 };
  /** A save that has not started yet: later changes join it (see saveSlow). */
  private slowQueued: Promise<void> | null = null;
  private slowChain: Promise<void> = Promise.resolve();

  /**
   * Store the log's changes since the last save: the new entries, and what fell off its end.
   * Saves run one at a time and every change made before one starts joins it, so under a stream
   * of slow commands (every connection sends its entries) storage sees one write per round trip,
   * at most one per SLOW_SAVE_MS; the work is the difference of two id ranges, not a pass over the log.
   */
  private saveSlow(): Promise<void> {
    if (this.slowQueued) return this.slowQueued;
    // A short wait first gathers a burst's changes into one write (a pending timer keeps the
    // object awake, so the entries are stored before it may hibernate).
    const p = this.slowChain.then(() => new Promise<void>((r) => setTimeout(r, SLOW_SAVE_MS))).then(() => {
      this.slowQueued = null;
      return this.writeSlow();
    });
    this.slowQueued = p;
    this.slowChain = p.catch(() => {});
    return p;
  }

  private async writeSlow(): Promise<void> {
    const log = this.slow!.log;
    const { low, next } = log.range();
    const had = this.slowStored;
    const gone: string[] = [];
    // Stored ids no longer held: below the new low, or all of them after a RESET (low = next).
    // (Ids only grow: what storage lacks is above what it had; what the log dropped is below low.)
    for (let id = had.low; id < Math.min(had.next, low); id++) gone.push(slowKey(id));
    const added: Array<[string, SlowEntry]> = [];
    for (let id = Math.max(had.next, low); id < next; id++) added.push([slowKey(id), log.byId(id)!]);
    this.slowStored = { low, next };
    for (let i = 0; i < gone.length; i += 128) await this.ctx.storage.delete(gone.slice(i, i + 128));
    for (let i = 0; i < added.length; i += 128) await this.ctx.storage.put(Object.fromEntries(added.slice(i, i + 128)));
    await this.ctx.storage.put('slownext', next);
  }

  private async slowChange(f: (log: SlowLog) => void): Promise<void> {
    const { log } = await this.slowNow();
    f(log);
    await this.saveSlow();
  }

  /** CONFIG SET slowlog-*: stored and told to every connection. */
  async setSlowConfig(cfg: SlowConfig): Promise<void> {
    const s = await this.slowNow();
    s.cfg = cfg;
    await this.ctx.storage.put('slowcfg', cfg);
    await this.slowChange((log) => log.setMaxLen(cfg.maxLen));
    for (const ws of this.ctx.getWebSockets()) send(ws, { op: 'slowcfg', cfg });
  }

  private async pauseNow(): Promise<PauseState> {
    return (this.pauseState ??= ((await this.ctx.storage.get<PauseState>('pause')) ?? { until: 0, mode: 'all' }));
  }

  /** A connection's link: `GET /link?id=<client id>` with a WebSocket upgrade. */
  override async fetch(req: Request): Promise<Response> {
    const id = Number(new URL(req.url).searchParams.get('id'));
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !id) return new Response('expected a WebSocket link', { status: 426 });
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [String(id)]);
    server.serializeAttachment({ id, monitor: false } satisfies Attachment);
    // Storage operations close the input gate: concurrent links cannot lose a count.
    this.receivedCount = (await this.receivedNow()) + 1;
    void this.ctx.storage.put('received', this.receivedCount);
    send(server, { op: 'state', pause: await this.pauseNow(), monitors: this.monitorCount() > 0, slow: (await this.slowNow()).cfg });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  private async receivedNow(): Promise<number> {
    return (this.receivedCount ??= (await this.ctx.storage.get<number>('received')) ?? 0);
  }

  /** INFO stats' total_connections_received: every RESP connection has one link. */
  received(): Promise<number> {
    return this.receivedNow();
  }

  /** CONFIG RESETSTAT. */
  async resetStats(): Promise<void> {
    this.receivedCount = 0;
    await this.ctx.storage.put('received', 0);
  }

  /** INFO clients' connected_clients: live links. */
  count(): number {
    return this.ctx.getWebSockets().length;
  }

  /** Every connection's current record (those that answer within REPORT_MS). */
  async list(): Promise<ClientInfo[]> {
    return (await this.ask(this.ctx.getWebSockets(), (req) => ({ op: 'report', req }))) as ClientInfo[];
  }

  async kill(f: KillFilter, self: number): Promise<number> {
    const hits = matchKill(await this.list(), f, self);
    for (const h of hits) for (const ws of this.ctx.getWebSockets(String(h.id))) send(ws, { op: 'kill' });
    return hits.length;
  }

  async pause(p: PauseState): Promise<void> {
    this.pauseState = p;
    await this.ctx.storage.put('pause', p);
    for (const ws of this.ctx.getWebSockets()) send(ws, { op: 'pause', pause: p });
  }

  async unblock(id: number, error: boolean): Promise<boolean> {
    const r = await this.ask(this.ctx.getWebSockets(String(id)), (req) => ({ op: 'unblock', req, error }));
    return r.some((x) => x === true);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== 'string') return;
    const m = JSON.parse(data) as Up;
    switch (m.op) {
      case 'info':
      case 'unblocked':
        this.answer(m.req, m.op === 'info' ? m.info : m.ok);
        break;
      case 'monitor': {
        const a = ws.deserializeAttachment() as Attachment;
        a.monitor = m.on;
        ws.serializeAttachment(a);
        this.announceMonitors();
        break;
      }
      case 'feed':
        for (const w of this.ctx.getWebSockets()) if ((w.deserializeAttachment() as Attachment | null)?.monitor) send(w, { op: 'lines', lines: m.lines });
        break;
      case 'slow': {
        // Not waited for: the entries are in the log at once; their save joins the pending one.
        (await this.slowNow()).log.add(m.entries);
        void this.saveSlow().catch((e) => console.error('slowlog: store failed', e));
        break;
      }
      case 'slowq': {
        const { log } = await this.slowNow();
        let v: SlowEntry[] | number | null = null;
        if (m.q === 'get') v = log.get(m.count);
        else if (m.q === 'len') v = log.len();
        else await this.slowChange((l) => l.reset());
        send(ws, { op: 'slowr', req: m.req, v });
        break;
      }
    }
  }

  override webSocketClose(ws: WebSocket): void {
    this.gone(ws);
    try {
      ws.close(1000, 'closed');
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket): void {
    this.gone(ws);
  }

  private gone(ws: WebSocket): void {
    const a = ws.deserializeAttachment() as Attachment | null;
    if (a?.monitor) {
      a.monitor = false;
      ws.serializeAttachment(a);
      this.announceMonitors();
    }
  }

  private monitorCount(): number {
    let n = 0;
    for (const w of this.ctx.getWebSockets()) if ((w.deserializeAttachment() as Attachment | null)?.monitor) n++;
    return n;
  }

  /** Connections send MONITOR lines only while some monitor exists. */
  private announceMonitors(): void {
    const on = this.monitorCount() > 0;
    for (const w of this.ctx.getWebSockets()) send(w, { op: 'monitors', on });
  }

  /** Send a request down each link and gather the answers (bounded by REPORT_MS). */
  private ask(links: WebSocket[], msg: (req: number) => Down): Promise<unknown[]> {
    if (!links.length) return Promise.resolve([]);
    const req = ++this.reqs;
    return new Promise((resolve) => {
      const t = setTimeout(() => finish(), REPORT_MS);
      const finish = () => {
        clearTimeout(t);
        const p = this.pending.get(req);
        this.pending.delete(req);
        resolve(p?.got ?? []);
      };
      this.pending.set(req, { left: links.length, got: [], done: finish });
      for (const ws of links) if (!send(ws, msg(req))) this.answer(req, undefined);
    });
  }

  private answer(req: number, v: unknown): void {
    const p = this.pending.get(req);
    if (!p) return;
    if (v !== undefined) p.got.push(v);
    if (--p.left <= 0) p.done([]);
  }
}

function send(ws: WebSocket, m: Down): boolean {
  try {
    ws.send(JSON.stringify(m));
    return true;
  } catch {
    return false;
  }
}
