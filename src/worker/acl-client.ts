// The Worker's view of the ACL object: a per-isolate snapshot of the users, refreshed by version.
//
// Consistency: a change made through this isolate applies to its connections at once (the reply
// carries the new snapshot). Other isolates see it within TTL_MS plus one round trip to the ACL
// object, and at once for AUTH / HELLO (a pipeline holding one refreshes first): a new AUTH always
// checks the current users; an existing connection keeps its old rights that long at most.
// A REST request authenticates its token against the cache (worker/auth.ts): a user disabled or
// deleted in another isolate is refused there as soon (not at once: one round trip per request to
// the single ACL object would make it every request's bottleneck).
// The refresh is off the request path: a stale cache answers while one refresh per isolate runs
// beside it (stale-while-revalidate); only an isolate with no snapshot yet, or AUTH, waits.
import { AclUser, builtinLines, parseUserLine, type AclHost, type LogEntry } from '../server/acl.js';
import { ACL_NAME, type AclObject, type AclSnapshot } from '../objects/acl-store.js';

export const TTL_MS = 1000;

interface Cache {
  version: number;
  users: Map<string, AclUser>;
  lines: string[];
  fetched: number;
}

/** Per isolate, by seed (one service's tokens). */
const caches = new Map<string, Cache>();
const seeds = new Map<string, string[]>();
/** The refresh in flight per seed: one at a time per isolate, whichever request started it. */
const refreshing = new Map<string, number>();
/** A refresh older than this is taken as lost (its request was cancelled mid-call): start anew. */
const LOST_MS = 10 * TTL_MS;

type NewEntry = Omit<LogEntry, 'count' | 'created' | 'updated'>;

export class AclClient implements AclHost {
  private readonly seed: string[];
  private readonly key: string;
  private pending: NewEntry[] = [];

  /**
   * `background` keeps a refresh started by a request alive after its response (the Worker's
   * ctx.waitUntil); without it the refresh runs as a plain promise.
   */
  constructor(
    private readonly ns: DurableObjectNamespace<AclObject>,
    token: string | undefined,
    readonlyToken: string | undefined,
    private readonly background?: (p: Promise<unknown>) => void,
  ) {
    this.key = `${token ?? ''}\n${readonlyToken ?? ''}`;
    let s = seeds.get(this.key);
    if (!s) seeds.set(this.key, (s = builtinLines(token, readonlyToken)));
    this.seed = s;
  }

  private get stub(): DurableObjectStub<AclObject> {
    return this.ns.get(this.ns.idFromName(ACL_NAME));
  }

  private apply(snap: AclSnapshot | null): void {
    const cur = caches.get(this.key);
    if (!snap) {
      if (cur) cur.fetched = Date.now();
      return;
    }
    if (cur && cur.version > snap.version) return;
    const users = new Map<string, AclUser>();
    for (const l of snap.lines) {
      const u = parseUserLine(l);
      if (typeof u !== 'string') users.set(u.name, u);
    }
    caches.set(this.key, { version: snap.version, users, lines: snap.lines, fetched: Date.now() });
  }

  /**
   * Bring the users up to date: at once (waiting) when forced or when this isolate has none yet;
   * a stale snapshot is refreshed in the background and answers meanwhile.
   */
  async sync(force: boolean): Promise<void> {
    const cur = caches.get(this.key);
    if (!force && cur && Date.now() - cur.fetched < TTL_MS) return;
    // A waiting caller fetches for itself: a promise of another request's I/O is not awaited.
    if (force || !cur) return this.fetch();
    const since = refreshing.get(this.key);
    if (since !== undefined && Date.now() - since < LOST_MS) return;
    const at = Date.now();
    refreshing.set(this.key, at);
    const p = this.fetch()
      .catch((e) => console.error('ACL refresh failed; the cached users stay', e))
      .finally(() => {
        if (refreshing.get(this.key) === at) refreshing.delete(this.key);
      });
    try {
      this.background?.(p);
    } catch {
      // no execution context (a test harness): the promise runs on its own
    }
  }

  private async fetch(): Promise<void> {
    const cur = caches.get(this.key);
    this.apply((await this.stub.snapshot(this.seed, cur?.version ?? -1)) as AclSnapshot | null);
  }

  user(name: string): AclUser | undefined {
    return caches.get(this.key)?.users.get(name);
  }

  lines(): string[] {
    return caches.get(this.key)?.lines ?? [];
  }

  async setUser(name: string, rules: string[]): Promise<string | null> {
    const r = (await this.stub.setUser(this.seed, name, rules)) as { err: string | null; snap: AclSnapshot };
    this.apply(r.snap);
    return r.err;
  }

  async delUsers(names: string[]): Promise<number> {
    const r = (await this.stub.delUsers(this.seed, names)) as { n: number; snap: AclSnapshot };
    this.apply(r.snap);
    return r.n;
  }

  log(e: NewEntry): void {
    this.pending.push(e);
  }

  async settle(): Promise<void> {
    if (!this.pending.length) return;
    const p = this.pending;
    this.pending = [];
    await this.stub.log(this.seed, p);
  }

  async logEntries(): Promise<LogEntry[]> {
    await this.settle();
    return (await this.stub.logEntries(this.seed)) as LogEntry[];
  }

  async logReset(): Promise<void> {
    this.pending = [];
    await this.stub.logReset(this.seed);
  }

  random(n: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(n));
  }
}
