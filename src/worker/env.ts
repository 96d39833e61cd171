// The Worker's bindings and the backend that reaches shard Durable Objects over RPC.
import { SlotMap } from '../cluster/slot.js';
import type { Mode, ServerFacts, ShardInfo } from '../commands/types.js';
import type { Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import type { Backend, ConnectionStats, ExecOpts } from '../server/session.js';
import type { ExecResult, ShardObject, SlicedReply, StagedBatch, TransferGone } from '../objects/shard.js';
import { BatchEncoder, SLICE_BYTES, SliceDecoder, batchBytes, type Slice } from '../protocol/slices.js';
import { bulkLimit, noteConfigChanges } from './bulk-limit.js';
import type { HubObject } from '../objects/hub.js';
import { HubClient } from './hub-client.js';
import { AclClient } from './acl-client.js';
import type { AclObject } from '../objects/acl-store.js';
import { CLIENTS_NAME, type ClientsObject } from '../objects/clients.js';

export interface Env {
  SHARD: DurableObjectNamespace<ShardObject>;
  /** The pub/sub hub (one object, named "hub"). */
  HUB?: DurableObjectNamespace<HubObject>;
  /** ACL users (one object, named "acl"); absent: tokens only, the read-only flag limits. */
  ACL?: DurableObjectNamespace<AclObject>;
  /** The client registry (one object, named "clients"); absent: no connection counts. */
  CLIENTS?: DurableObjectNamespace<ClientsObject>;
  /** Number of shard DOs the 16384 slots are split over. */
  SHARDS?: string;
  /** Full-access token (a secret in production; `.dev.vars` locally). */
  KEYFLARE_TOKEN?: string;
  /** Optional token that may only run read commands. */
  KEYFLARE_READONLY_TOKEN?: string;
  /** "standalone" (default: one Redis whatever the shards) or "cluster" (Redis Cluster semantics). */
  KEYFLARE_MODE?: string;
  /** Cross-shard transactions: how long locks outlive a vanished coordinator, in ms (default 10000). */
  KEYFLARE_TX_LEASE_MS?: string;
  /** "1" serves the benchmark floors under /bench/ (never set in production). */
  KEYFLARE_BENCH?: string;
  /** REST only: how long a blocking command may wait, in ms (default 25000; see worker/rest.ts). */
  KEYFLARE_REST_MAX_BLOCK_MS?: string;
}

/** Constant-time string comparison: no timing leak on token checks. */
export function safeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export type Access = { user: string; readonly: boolean } | null;

/**
 * Which built-in user a token names (`default` for KEYFLARE_TOKEN, `readonly` for the read-only
 * token), or null. Only the token: the user must also exist and be enabled, as Redis's AUTH
 * requires, which the callers check against the ACL (worker/auth.ts authenticate for HTTP,
 * Session.auth for AUTH / HELLO).
 */
export function checkToken(env: Env, user: string | null, pass: string): Access {
  if (env.KEYFLARE_TOKEN && safeEqual(pass, env.KEYFLARE_TOKEN) && (user === null || user === 'default')) {
    return { user: 'default', readonly: false };
  }
  // The read-only token is the `readonly` user's: its ACL rules (server/acl.ts READONLY_RULES) apply.
  if (env.KEYFLARE_READONLY_TOKEN && safeEqual(pass, env.KEYFLARE_READONLY_TOKEN) && (user === null || user === 'readonly')) {
    return { user: 'readonly', readonly: true };
  }
  return null;
}

// Client ids must not collide across Worker isolates (a shard unblocks waiters by client id):
// a random per-isolate prefix above a per-isolate counter, kept below 2^53.
let clientIds = 0;
let idPrefix = -1;
// Randomness and time are unavailable in a Worker's global scope: made on first use.
let started = 0;
let runId = '';
const facts = new Map<string, ServerFacts>();
function serverFacts(host: string, mode: Mode): ServerFacts {
  if (!runId) {
    started = Date.now();
    runId = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  let f = facts.get(mode + host);
  if (!f) {
    if (facts.size > 64) facts.clear(); // host names come from requests: bounded
    facts.set(mode + host, (f = { version: '7.0.15', mode, runId, startedAt: started, tcpPort: 6380, host }));
  }
  return f;
}

/** KEYFLARE_MODE: cluster only when asked for; anything else is the standalone default. */
export function modeOf(env: Env): Mode {
  return env.KEYFLARE_MODE?.trim().toLowerCase() === 'cluster' ? 'cluster' : 'standalone';
}

/**
 * What every request of an isolate shares for one shard count: the slot map, each shard's
 * ShardInfo and Durable Object id (idFromName hashes the name: done once). Stubs are not shared:
 * workerd ties a stub to the request that made it ("Cannot perform I/O on behalf of a different
 * request"), so each backend gets its own from these ids.
 */
interface Shards {
  slots: SlotMap;
  infos: ShardInfo[];
  ids: DurableObjectId[];
}
const isolateShards = new WeakMap<object, Map<number, Shards>>();

function shardsOf(ns: DurableObjectNamespace<ShardObject>, n: number, cluster: boolean): Shards {
  let byCount = isolateShards.get(ns);
  if (!byCount) isolateShards.set(ns, (byCount = new Map()));
  const key = cluster ? -n : n;
  let sh = byCount.get(key);
  if (!sh) {
    const slots = new SlotMap(n);
    const infos = slots.ranges.map((r, i): ShardInfo => (cluster ? { index: i, count: n, slots: r, cluster } : { index: i, count: n, slots: r }));
    byCount.set(key, (sh = { slots, infos, ids: infos.map((_, i) => ns.idFromName(`shard-${i}`)) }));
  }
  return sh;
}

export class WorkerBackend implements Backend {
  readonly slots: SlotMap;
  readonly server: ServerFacts;
  readonly pubsub: HubClient | undefined;
  readonly acl: AclClient | undefined;
  private readonly stubs: DurableObjectStub<ShardObject>[] = [];
  private readonly shards: Shards;

  /** `background`: keeps work a request started alive past its response (ctx.waitUntil). */
  constructor(private readonly env: Env, host: string, background?: (p: Promise<unknown>) => void) {
    const cluster = modeOf(env) === 'cluster';
    this.shards = shardsOf(env.SHARD, Number(env.SHARDS ?? '4') || 4, cluster);
    this.slots = this.shards.slots;
    this.server = serverFacts(host, modeOf(env));
    this.pubsub = env.HUB ? new HubClient(env.HUB) : undefined;
    this.acl = env.ACL ? new AclClient(env.ACL, env.KEYFLARE_TOKEN, env.KEYFLARE_READONLY_TOKEN, background) : undefined;
  }

  now(): number {
    return Date.now();
  }

  /** Cross-shard transaction ids: random, so no two isolates' coordinators share one. */
  txid(): string {
    return crypto.randomUUID();
  }

  get txLeaseMs(): number | undefined {
    const n = Number(this.env.KEYFLARE_TX_LEASE_MS);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }

  /** Connection counts of the client registry, for a session without a link of its own (REST). */
  get connections(): ConnectionStats | undefined {
    const ns = this.env.CLIENTS;
    if (!ns) return undefined;
    const stub = () => ns.get(ns.idFromName(CLIENTS_NAME));
    return { received: async () => (await stub().received()) as number, resetStats: async () => void (await stub().resetStats()) };
  }

  nextClientId(): number {
    if (idPrefix < 0) idPrefix = crypto.getRandomValues(new Uint32Array(1))[0]! & 0x1fffff;
    return idPrefix * 2 ** 32 + ++clientIds;
  }

  /** One page of a shard's export (see ShardObject.exportPage). */
  exportPage(shard: number, token: string | null, limit: number): Promise<{ token: string | null; data: Uint8Array; keys: number }> {
    return this.stub(shard).exportPage(this.info(shard), token, limit) as unknown as Promise<{ token: string | null; data: Uint8Array; keys: number }>;
  }

  /** The connection went away: answer (and forget) its blocked commands and transfers on every shard. */
  async unblockClient(client: number): Promise<void> {
    await Promise.all(this.slots.ranges.map((_, i) => this.stub(i).clientGone(client)));
  }

  /** proto-max-bulk-len (cached per isolate: see bulk-limit.ts). */
  bulkLimit(): number | Promise<number> {
    return bulkLimit(() => this.stub(0).bulkLimit(this.info(0)) as unknown as Promise<number>);
  }

  private info(shard: number): ShardInfo {
    return this.shards.infos[shard]!;
  }

  private stub(shard: number): DurableObjectStub<ShardObject> {
    let stub = this.stubs[shard];
    if (!stub) {
      stub = this.env.SHARD.get(this.shards.ids[shard]!);
      this.stubs[shard] = stub;
    }
    return stub;
  }

  auth(user: string | null, pass: string): Access {
    return checkToken(this.env, user, pass);
  }

  /**
   * One batch on one shard. RPC payloads are limited (32 MiB): a batch too large for one call is
   * staged in slices first and runs as one batch; replies too large for one come back in slices.
   */
  async exec(shard: number, batch: string[][], resp: Proto, opts: ExecOpts = {}): Promise<Frame[]> {
    const stub = this.stub(shard);
    const client = opts.client ?? 0;
    const arg = batchBytes(batch) > SLICE_BYTES ? await stage(stub, batch, client) : batch;
    let r: ExecResult;
    try {
      r = (await stub.exec(this.info(shard), arg, resp, opts)) as unknown as ExecResult;
    } finally {
      noteConfigChanges(batch);
    }
    if (Array.isArray(r)) return r;
    if ('gone' in r) throw new Error(r.gone); // nothing ran
    return pullRest(stub, r, client);
  }
}

/** Upload a batch in slices (ShardObject.stage); nothing runs until exec names it. */
async function stage(stub: DurableObjectStub<ShardObject>, batch: string[][], client: number): Promise<StagedBatch> {
  const id = crypto.randomUUID();
  const enc = new BatchEncoder(batch, SLICE_BYTES);
  let slices = 0;
  // One slice in flight at a time: only one is ever held in memory.
  for (let s = enc.next(); s !== null; s = enc.next()) {
    await stub.stage(id, s, client);
    slices++;
  }
  return { staged: id, slices };
}

/** The replies of a sliced answer: the first slice came with it, the rest are pulled. */
async function pullRest(stub: DurableObjectStub<ShardObject>, first: SlicedReply, client: number): Promise<Frame[]> {
  const dec = new SliceDecoder('frames');
  let r = first;
  dec.push(r.slice);
  while (r.more) {
    const next = (await stub.pull(r.sliced, client)) as unknown as SlicedReply | TransferGone;
    // The batch ran but its replies are lost (the shard restarted): as when a reply RPC breaks.
    if ('gone' in next) throw new Error(next.gone);
    r = next;
    dec.push(r.slice as Slice);
  }
  return dec.frames();
}
