// A seeded simulation of cross-shard transactions: M participant shards (real ShardHosts over
// crashable storage: what a crash keeps is what a completed sync stored) driven by a tiny
// coordinator that follows txn-wire.ts (try-lock in parallel, on BUSY abort and lock in
// ascending shard order waiting; stage the others; commit the primary; commit the others).
// Faults: participants crash and restart at random points (replies in flight are lost);
// coordinators vanish at random points; time jumps (leases end). After every step the
// invariants are checked (see check()).
import { Rng } from '../../src/engine/clock.js';
import { dumpPayload, restorePayload, defaultLimits } from '../../src/persistence/rdb.js';
import type { ParticipantOptions } from '../../src/shard/txn.js';
import { encodeAbort, encodeCommit, encodeLock, encodeStage, decodeLockReply, replyStrings, type KeyState } from '../../src/shard/txn-wire.js';
import { CrashPort } from './fake-storage.js';
import { SimTime, cluster, type Cluster } from './txn-env.js';

export const LEASE = 1000;
export const RETRY_MAX = 400;
/** Time steps are at most this long. */
const STEP_MS = 300;
/** A request is delayed up to this long. */
const MAX_DELAY = 800;
/** A primary is unreachable for its peers (STATUS fails) this long at a time. */
const DOWN_MS = 500;
/** A lock is released within this long of being taken (the leases, up to 1.5 LEASE each; retries, an outage, one step). */
export const LOCK_BOUND = 3 * LEASE + RETRY_MAX + DOWN_MS + STEP_MS;

interface Account {
  bal: number;
  txs: string[];
}

export interface SimResult {
  steps: number;
  txs: number;
  committed: number;
  aborted: number;
  unknown: number;
  crashes: number;
  vanished: number;
  rewrites: number;
  outages: number;
  /** The first invariant broken, with the step and seed. */
  violation: string | null;
}

class Crashed extends Error {}

export class TxnSim {
  readonly time = new SimTime();
  readonly rng: Rng;
  readonly c: Cluster;
  readonly accounts: Array<{ shard: number; key: string }> = [];
  readonly total: number;
  /** Replies in flight per shard: a crash rejects them (the caller never hears back). */
  private readonly inflight: Array<Set<(e: Error) => void>> = [];
  /** Transactions whose primary answered COMMIT ok (acknowledged), and their keys. */
  readonly acked = new Map<string, string[]>();
  readonly keysOf = new Map<string, string[]>();
  private seq = 0;
  private running = new Set<Promise<void>>();
  readonly res: SimResult = { steps: 0, txs: 0, committed: 0, aborted: 0, unknown: 0, crashes: 0, vanished: 0, rewrites: 0, outages: 0, violation: null };

  constructor(
    readonly seed: number,
    readonly m: number,
    readonly perShard: number,
    opts: ParticipantOptions = {},
  ) {
    this.rng = new Rng(seed);
    this.c = cluster(m, this.time, { retryMinMs: 50, retryMaxMs: RETRY_MAX, decisionKeepMs: 86_400_000, ...opts }, () => new CrashPort('commit', Infinity));
    for (let s = 0; s < m; s++) {
      this.inflight.push(new Set());
      for (let i = 0; i < perShard; i++) this.accounts.push({ shard: s, key: `acct:${s}:${i}` });
    }
    this.total = 100 * this.accounts.length;
  }

  async init(): Promise<void> {
    for (const a of this.accounts) await this.c.hosts[a.shard]!.exec([['SET', a.key, JSON.stringify({ bal: 100, txs: [] })]], 2);
    await turns(3);
  }

  /** One request to shard `s`; rejects if the shard crashes before answering. */
  send(s: number, argv: string[]): Promise<string[]> {
    // The network: most requests arrive at once, some late (a slow coordinator).
    const late = this.rng.next() < 0.3 ? this.rng.int(MAX_DELAY) : 0;
    return new Promise((resolve, reject) => {
      const set = this.inflight[s]!;
      const fail = (e: Error) => reject(e);
      set.add(fail);
      const arrived = late ? new Promise<void>((r) => this.time.timers.set(r, late)) : Promise.resolve();
      arrived
        .then(() => {
          if (!set.has(fail)) throw new Crashed('crashed meanwhile');
          return this.c.hosts[s]!.exec([argv], 2);
        })
        .then((f) => {
          if (!set.has(fail)) return;
          set.delete(fail);
          const a = replyStrings(f[0]);
          if (a) resolve(a);
          else reject(new Error(`bad reply ${JSON.stringify(f)}`));
        }, (e: unknown) => {
          set.delete(fail);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
    });
  }

  /** Crash shard `s`: what its storage had not synced is lost; it restarts from the log. */
  crash(s: number): void {
    const port = this.c.ports[s] as CrashPort;
    port.stopped = true;
    this.c.hosts[s]!.close();
    for (const f of this.inflight[s]!) f(new Crashed(`shard ${s} crashed`));
    this.inflight[s]!.clear();
    this.c.ports[s] = port.restart();
    this.c.open(s);
    this.res.crashes++;
  }

  /** An AOF rewrite: the history before it is retired (staged transactions must be carried over). */
  rewrite(s: number): void {
    this.res.rewrites++;
    void Promise.resolve(this.c.hosts[s]!.exec([['BGREWRITEAOF']], 2)).catch(() => undefined);
  }

  /** Shard `s` cannot be reached by its peers for a while (a staged participant's STATUS fails). */
  outage(s: number): void {
    if (this.c.down.has(s)) return;
    this.res.outages++;
    this.c.down.add(s);
    this.time.timers.set(() => this.c.down.delete(s), DOWN_MS);
  }

  /** A transfer between random accounts, run by a coordinator that may vanish at any step. */
  startTransfer(): void {
    const n = this.rng.next() < 0.2 ? 3 : 2;
    const picked = new Set<number>();
    while (picked.size < n) picked.add(this.rng.int(this.accounts.length));
    const accts = [...picked].map((i) => this.accounts[i]!);
    const amount = 1 + this.rng.int(20);
    const vanishAt = this.rng.next() < 0.15 ? this.rng.int(8) : Infinity;
    const txid = `tx${++this.seq}`;
    this.res.txs++;
    this.keysOf.set(txid, accts.map((a) => a.key));
    const p = this.coordinate(txid, accts, amount, vanishAt).then((outcome) => {
      this.res[outcome]++;
    });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async coordinate(txid: string, accts: Array<{ shard: number; key: string }>, amount: number, vanishAt: number): Promise<'committed' | 'aborted' | 'unknown'> {
    let step = 0;
    const gone = () => {
      if (step++ < vanishAt) return false;
      this.res.vanished++;
      return true;
    };
    const shards = [...new Set(accts.map((a) => a.shard))].sort((a, b) => a - b);
    const primary = shards[0]!;
    const keysOn = (s: number) => accts.filter((a) => a.shard === s).map((a) => a.key);
    const states = new Map<string, Account>();
    const locked = new Set<number>();
    const abortAll = async () => {
      await Promise.allSettled([...locked].map((s) => this.send(s, encodeAbort(txid))));
      return 'aborted' as const;
    };
    // Each participant's lease its own (the protocol allows it): a staged participant may then ask
    // a primary whose lock still runs (pending).
    const leases = new Map(shards.map((s) => [s, Math.round(LEASE * (0.5 + this.rng.next()))]));
    const lock = async (s: number, wait: boolean) => {
      const a = decodeLockReply(await this.send(s, encodeLock({ txid, primary, leaseMs: leases.get(s)!, db: 0, wait, read: keysOn(s), write: [], watches: [] })));
      if (!a) throw new Error('bad lock reply');
      if (a.t !== 'locked') return false;
      locked.add(s);
      for (const st of a.states) states.set(st.key, decode(st));
      return true;
    };
    try {
      // Try phase (parallel), then the ordered, waiting phase.
      const tries = await Promise.all(shards.map((s) => lock(s, false)));
      if (gone()) return 'unknown';
      if (!tries.every(Boolean)) {
        await abortAll();
        locked.clear();
        if (gone()) return 'unknown';
        for (const s of shards) {
          await lock(s, true);
          if (gone()) return 'unknown';
        }
      }
    } catch {
      if (gone()) return 'unknown';
      return abortAll();
    }
    // The "scratch run": the first account pays the others.
    const [from, ...to] = accts;
    const writes = new Map<string, Account>();
    const fromAcct = states.get(from!.key)!;
    writes.set(from!.key, { bal: fromAcct.bal - amount * to.length, txs: [...fromAcct.txs, txid] });
    for (const t of to) {
      const a = states.get(t.key)!;
      writes.set(t.key, { bal: a.bal + amount, txs: [...a.txs, txid] });
    }
    const writesOn = (s: number): KeyState[] => keysOn(s).map((k) => ({ key: k, value: dumpPayload(JSON.stringify(writes.get(k))), expireAt: -1 }));
    try {
      for (const s of shards.slice(1)) {
        const r = await this.send(s, encodeStage({ txid, db: 0, writes: writesOn(s), notes: [] }));
        if (gone()) return 'unknown';
        if (r[0] !== 'ok') return abortAll();
      }
    } catch {
      if (gone()) return 'unknown';
      return abortAll();
    }
    let decided: string;
    try {
      decided = (await this.send(primary, encodeCommit({ txid, db: 0, writes: writesOn(primary), notes: [] })))[0]!;
    } catch {
      return 'unknown'; // the decision may or may not be stored: never abort now
    }
    if (decided !== 'ok') return abortAll();
    this.acked.set(txid, accts.map((a) => a.key));
    for (const s of shards.slice(1)) {
      if (gone()) return 'committed';
      await this.send(s, encodeCommit({ txid, db: 0, writes: [], notes: [] })).catch(() => undefined);
    }
    return 'committed';
  }

  /**
   * The invariants, on the logical state (applied values, and for a transaction its primary
   * decided committed, the staged values not applied yet):
   * - totals conserved;
   * - all-or-nothing: a transaction in an account's history is decided committed at its primary,
   *   and a committed one is in the history of every account it touched;
   * - an acknowledged transaction is committed (never lost, across crashes);
   * - no key locked longer than LOCK_BOUND.
   */
  check(): string | null {
    const decision = (txid: string, primary: number) => this.c.hosts[primary]!.txn.decision(txid);
    const logical = new Map<string, Account>();
    for (const a of this.accounts) {
      const v = this.c.hosts[a.shard]!.shard.db.data.get(a.key);
      if (typeof v !== 'string') return `account ${a.key} is not a string`;
      logical.set(a.key, JSON.parse(v) as Account);
    }
    for (let s = 0; s < this.m; s++) {
      const now = this.time.clock.now();
      for (const h of this.c.hosts[s]!.txn.held()) {
        if (now - h.since > LOCK_BOUND) return `shard ${s} holds ${h.txid} since ${now - h.since} ms (bound ${LOCK_BOUND})`;
        if (h.staged && decision(h.txid, h.primary) === 'committed') for (const w of h.writes) logical.set(w.key, decode(w)!);
      }
    }
    let sum = 0;
    const inHistory = new Map<string, Set<string>>();
    for (const [key, a] of logical) {
      sum += a.bal;
      for (const t of a.txs) {
        let set = inHistory.get(t);
        if (!set) inHistory.set(t, (set = new Set()));
        set.add(key);
      }
    }
    if (sum !== this.total) return `total ${sum}, expected ${this.total}`;
    for (const [t, keys] of inHistory) {
      const primary = this.primaryOf(t);
      if (decision(t, primary) !== 'committed') return `${t} applied at ${[...keys].join(' ')} but its primary decided ${decision(t, primary) ?? 'nothing'}`;
    }
    for (const [t, keys] of this.keysOf) {
      const committed = decision(t, this.primaryOf(t)) === 'committed';
      const seen = inHistory.get(t);
      if (committed && keys.some((k) => !seen?.has(k))) return `${t} committed but missing at ${keys.filter((k) => !seen?.has(k)).join(' ')}`;
    }
    for (const t of this.acked.keys()) if (decision(t, this.primaryOf(t)) !== 'committed') return `acknowledged ${t} lost`;
    return null;
  }

  private primaryOf(txid: string): number {
    return Math.min(...this.keysOf.get(txid)!.map((k) => Number(k.split(':')[1])));
  }

  /** The seeded run: `steps` random steps, invariants after each, then quiescence and a last check. */
  async run(steps: number): Promise<SimResult> {
    await this.init();
    const fail = (why: string) => {
      this.res.violation = `seed ${this.seed} step ${this.res.steps}: ${why}`;
      return this.res;
    };
    for (let i = 0; i < steps; i++) {
      this.res.steps++;
      const r = this.rng.next();
      if (r < 0.45) this.startTransfer();
      else if (r < 0.85) this.time.advance(1 + this.rng.int(STEP_MS));
      else if (r < 0.93) this.crash(this.rng.int(this.m));
      else if (r < 0.95) this.rewrite(this.rng.int(this.m));
      else if (r < 0.97) this.outage(this.rng.int(this.m));
      // else: only let messages flow
      await turns(1 + this.rng.int(4));
      const v = this.check();
      if (v) return fail(v);
    }
    // Quiescence: coordinators finish or are gone; leases end; everything is resolved.
    for (let i = 0; i < 40; i++) {
      this.time.advance(STEP_MS);
      await turns(4);
      const v = this.check();
      if (v) return fail(v);
    }
    for (let s = 0; s < this.m; s++) if (this.c.hosts[s]!.txn.held().length) return fail(`shard ${s} still holds locks after quiescence`);
    for (const t of this.acked.keys()) {
      const keys = this.keysOf.get(t)!;
      for (const k of keys) {
        const s = Number(k.split(':')[1]);
        const a = JSON.parse(this.c.hosts[s]!.shard.db.data.get(k) as string) as Account;
        if (!a.txs.includes(t)) return fail(`acknowledged ${t} not applied at ${k}`);
      }
    }
    for (const h of this.c.hosts) h!.close();
    return this.res;
  }
}

function decode(s: KeyState): Account {
  if (s.value === null) throw new Error(`account ${s.key} missing`);
  const r = restorePayload(s.value, defaultLimits());
  if (!r.ok || typeof r.value !== 'string') throw new Error(`account ${s.key}: bad payload`);
  return JSON.parse(r.value) as Account;
}

/** Let the event loop run: replies, syncs (setImmediate) and their continuations. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}
