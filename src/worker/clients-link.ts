// The Worker's side of the client registry: a connection's link (a WebSocket to the registry DO
// that carries its orders down and its reports up) and the RPCs CLIENT LIST/KILL/PAUSE use.
import { CLIENTS_NAME, type ClientsObject, type Down, type SlowQuery, type Up } from '../objects/clients.js';
import type { ClientConn, ClientInfo, ClientRegistry, KillFilter, PauseState } from '../server/clients.js';
import type { NewSlowEntry, SlowConfig, SlowEntry } from '../server/slowlog.js';

/** How long SLOWLOG waits for the registry's answer. */
const SLOW_ANSWER_MS = 5000;

export interface LinkHandlers {
  info(): ClientInfo;
  kill(): void;
  unblock(error: boolean): Promise<boolean>;
  lines(lines: string[]): void;
}

export class RegistryLink implements ClientRegistry {
  private readonly stub: DurableObjectStub<ClientsObject>;
  private ws: WebSocket | null = null;
  private closed = false;
  private readonly queue: string[] = [];
  private readonly slowReqs = new Map<number, (v: SlowEntry[] | number | null) => void>();
  private slowSeq = 0;
  readonly ready: Promise<void>;

  constructor(ns: DurableObjectNamespace<ClientsObject>, id: number, private readonly st: ClientConn, h: LinkHandlers) {
    this.stub = ns.get(ns.idFromName(CLIENTS_NAME));
    this.ready = this.stub.fetch(`http://clients/link?id=${id}`, { headers: { Upgrade: 'websocket' } }).then((res) => {
      const ws = res.webSocket;
      if (!ws) throw new Error(`the client registry refused the link (${res.status})`);
      ws.accept();
      ws.addEventListener('message', (ev) => {
        if (typeof ev.data !== 'string') return;
        const m = JSON.parse(ev.data) as Down;
        switch (m.op) {
          case 'state':
            st.setPause(m.pause);
            st.monitors = m.monitors;
            st.slow = m.slow;
            break;
          case 'slowcfg':
            st.slow = m.cfg;
            break;
          case 'slowr': {
            const done = this.slowReqs.get(m.req);
            this.slowReqs.delete(m.req);
            done?.(m.v);
            break;
          }
          case 'pause':
            st.setPause(m.pause);
            break;
          case 'monitors':
            st.monitors = m.on;
            break;
          case 'report':
            this.up({ op: 'info', req: m.req, info: h.info() });
            break;
          case 'kill':
            h.kill();
            break;
          case 'unblock':
            void h.unblock(m.error).then(
              (ok) => this.up({ op: 'unblocked', req: m.req, ok }),
              () => this.up({ op: 'unblocked', req: m.req, ok: false }),
            );
            break;
          case 'lines':
            h.lines(m.lines);
            break;
        }
      });
      this.ws = ws;
      if (this.closed) return this.close();
      for (const q of this.queue.splice(0)) ws.send(q);
    });
    this.ready.catch((e) => console.error('client registry link failed', e));
  }

  private up(m: Up): void {
    const s = JSON.stringify(m);
    if (!this.ws) this.queue.push(s);
    else {
      try {
        this.ws.send(s);
      } catch {
        // closing
      }
    }
  }

  async list(): Promise<ClientInfo[]> {
    return (await this.stub.list()) as ClientInfo[];
  }
  async kill(f: KillFilter, self: number): Promise<number> {
    return (await this.stub.kill(f, self)) as number;
  }
  async pause(p: PauseState): Promise<void> {
    await this.stub.pause(p);
  }
  async unblock(id: number, error: boolean): Promise<boolean> {
    return (await this.stub.unblock(id, error)) as boolean;
  }
  async count(): Promise<number> {
    return (await this.stub.count()) as number;
  }
  // The same stub as the link's own fetch: a connection's first INFO counts that connection.
  async received(): Promise<number> {
    return (await this.stub.received()) as number;
  }
  async resetStats(): Promise<void> {
    await this.stub.resetStats();
  }
  setMonitor(_id: number, on: boolean): void {
    this.up({ op: 'monitor', on });
  }
  feed(lines: string[]): void {
    this.up({ op: 'feed', lines });
  }
  slowlogAdd(entries: NewSlowEntry[]): void {
    this.up({ op: 'slow', entries });
  }
  // Over the link, after this connection's own entries: a connection always sees what it logged.
  private slowQuery(q: SlowQuery): Promise<SlowEntry[] | number | null> {
    const req = ++this.slowSeq;
    return new Promise((resolve, reject) => {
      // A link that never answers (the registry is unreachable) must not hang the command.
      const t = setTimeout(() => {
        this.slowReqs.delete(req);
        reject(new Error('the client registry did not answer SLOWLOG'));
      }, SLOW_ANSWER_MS);
      this.slowReqs.set(req, (v) => {
        clearTimeout(t);
        resolve(v);
      });
      this.up({ op: 'slowq', req, ...q });
    });
  }
  async slowlogGet(count: number): Promise<SlowEntry[]> {
    return (await this.slowQuery({ q: 'get', count })) as SlowEntry[];
  }
  async slowlogLen(): Promise<number> {
    return (await this.slowQuery({ q: 'len' })) as number;
  }
  async slowlogReset(): Promise<void> {
    await this.slowQuery({ q: 'reset' });
  }
  async setSlowConfig(c: SlowConfig): Promise<void> {
    this.st.slow = c;
    await this.stub.setSlowConfig(c);
  }

  close(): void {
    this.closed = true;
    try {
      this.ws?.close(1000, 'closed');
    } catch {
      // already closed
    }
  }
}
