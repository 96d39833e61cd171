// The participant side of cross-shard transactions (issue 11; txn-wire.ts is the protocol): a
// lock table (db, key) → transaction with a lease, the FIFO of work waiting for locked keys,
// staged (prepared) writes, the primary's decision table, lease expiry and recovery from the
// log's transaction records. Pure: the clock, timers, the keyspace, the log and the peer call
// to the primary come in through ParticipantPort (the shard host implements it).
import type { Timers } from '../engine/blocking.js';
import { decodeStage, encodeStage, type AckReply, type Decision, type KeyState, type LockReply, type LockRequest, type StageRequest, type WatchedVersion } from './txn-wire.js';

// Log records (NUL-prefixed: no client can send them; replayed into the participant).
/** TXLOG_PREPARED primary lockedAt leaseEnd nkeys key… txid db nw nn writes… notes… (a STAGE's fields). */
export const TXLOG_PREPARED = '\0txlog-prepared';
/** TXLOG_COMMIT txid role(p|s) at — first record of the framed unit holding the writes. */
export const TXLOG_COMMIT = '\0txlog-commit';
/** TXLOG_ABORT txid — a staged transaction dropped. */
export const TXLOG_ABORT = '\0txlog-abort';
/** TXLOG_DECISION txid c|a at — the primary's decision table (aborts it decided; checkpoints). */
export const TXLOG_DECISION = '\0txlog-decision';
export const TXLOG_PREFIX = '\0txlog-';

export interface ParticipantPort {
  /** This shard's index (it is the primary of a transaction naming it). */
  readonly index: number;
  now(): number;
  timers: Timers;
  /** A key's state now: absent, or its DUMP payload and absolute expiry. */
  readKey(db: number, key: string): KeyState;
  /** Whether a watched key still has the version WATCH read. */
  watchOk(db: number, w: WatchedVersion): boolean;
  /** Append records as one unit; resolves once durable. */
  log(records: string[][]): Promise<void>;
  /** Apply a commit as one framed unit (`record`, then the writes) and publish `notes`; resolves once durable. */
  apply(db: number, record: string[], writes: KeyState[], notes: Array<[string, string]>): Promise<void>;
  /** TX_STATUS at the primary; rejects while it is unreachable. */
  status(primary: number, txid: string): Promise<Decision>;
  /** Locks were released: blocked commands held back by them may be served now. */
  released?(): void;
  /** Ask to be woken (tick) at `at` even if this process is evicted meanwhile (the DO alarm). */
  wake?(at: number): void;
  warn?(msg: string): void;
}

export interface ParticipantOptions {
  /** How long the primary remembers a decision (it must outlive any staged participant's wait). */
  decisionKeepMs?: number;
  /** STATUS retry backoff while the primary is unreachable or undecided. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Test-only broken variants, to show the simulation catches them. */
  bug?: 'release-at-stage' | 'commit-without-decision' | 'status-aborts-pending';
}

interface Tx {
  txid: string;
  primary: number;
  db: number;
  /** Every key it holds (read, written and watched). */
  keys: string[];
  leaseMs: number;
  /** When the locks were taken. */
  since: number;
  /** Locks end (unstaged) or the primary is asked (staged) at this time. */
  deadline: number;
  staged: StageRequest | null;
  asking: boolean;
  tries: number;
  done: boolean;
}

/**
 * What a piece of work touches: a key of a db, every key of a db (key null: FLUSHDB, SWAPDB),
 * or every key of every db (db -1: FLUSHALL).
 */
export interface Claim {
  db: number;
  key: string | null;
}

/** Work waiting for keys: a deferred batch or a waiting LOCK, run in arrival order. */
interface Waiter {
  claims: readonly Claim[];
  run: () => void;
}

const lk = (db: number, key: string) => `${db}\0${key}`;

export class Participant {
  private readonly locks = new Map<string, Tx>();
  private readonly perDb = new Map<number, number>();
  private readonly txs = new Map<string, Tx>();
  private readonly queue: Waiter[] = [];
  /** txid → decision and when (the primary's table; other shards remember what they applied). */
  private readonly decisions = new Map<string, { d: 'committed' | 'aborted'; at: number; durable: Promise<void> | null; own: boolean }>();
  private timer: unknown = null;
  private timerAt = Infinity;
  /** The host went away: answers still coming (a STATUS asked) change nothing. */
  private closed = false;
  private readonly keepMs: number;
  private readonly retryMin: number;
  private readonly retryMax: number;

  constructor(
    private readonly port: ParticipantPort,
    private readonly opts: ParticipantOptions = {},
  ) {
    this.keepMs = opts.decisionKeepMs ?? 10 * 60_000;
    this.retryMin = opts.retryMinMs ?? 50;
    this.retryMax = opts.retryMaxMs ?? 5_000;
  }

  /** No lock is held and nothing waits: batches run without looking at their keys. */
  get idle(): boolean {
    return this.txs.size === 0 && this.queue.length === 0;
  }

  /** Keys locked now (tests, INFO). */
  get lockedKeys(): number {
    return this.locks.size;
  }

  /** Transactions held now: since when, their deadlines, keys, and staged writes (tests). */
  held(): Array<{ txid: string; primary: number; since: number; deadline: number; staged: boolean; keys: string[]; writes: KeyState[] }> {
    return [...this.txs.values()].map((t) => ({ txid: t.txid, primary: t.primary, since: t.since, deadline: t.deadline, staged: t.staged !== null, keys: t.keys, writes: t.staged?.writes ?? [] }));
  }

  /** The primary's decision for `txid`, if it keeps one. */
  decision(txid: string): 'committed' | 'aborted' | undefined {
    return this.decisions.get(txid)?.d;
  }

  /**
   * A batch touching `claims` may run now (true), or waits behind the locks and the work queued
   * before it: `run` is called, synchronously, once its turn comes.
   */
  admit(claims: readonly Claim[], run: () => void): boolean {
    if (this.free(claims) && !this.queuedOverlap(claims, this.queue.length)) return true;
    this.queue.push({ claims, run });
    return false;
  }

  /** Whether no lock covers any of `claims` (blocked commands served by the shard check it). */
  isFree(claims: readonly Claim[]): boolean {
    return this.free(claims);
  }

  // ---- the wire requests ----

  lock(r: LockRequest): LockReply | Promise<LockReply> {
    const have = this.txs.get(r.txid);
    if (have) return { t: 'locked', states: r.read.map((k) => this.port.readKey(r.db, k)) };
    const keys = unique([...r.read, ...r.write, ...r.watches.map((w) => w.key)]);
    const claims = keys.map((key) => ({ db: r.db, key }));
    if (this.free(claims) && (!r.wait || !this.queuedOverlap(claims, this.queue.length))) return this.acquire(r, keys);
    if (!r.wait) return { t: 'busy' };
    return new Promise((resolve) => this.queue.push({ claims, run: () => resolve(this.acquire(r, keys)) }));
  }

  stage(r: StageRequest): Promise<AckReply> {
    const tx = this.txs.get(r.txid);
    if (!tx) return Promise.resolve('aborted');
    if (tx.staged) return Promise.resolve('ok');
    tx.staged = r;
    tx.deadline = this.port.now() + tx.leaseMs;
    const rec = prepared(tx, r);
    const durable = this.port.log([rec]);
    if (this.opts.bug === 'release-at-stage') this.dropLocks(tx);
    this.arm();
    return durable.then(() => 'ok' as const);
  }

  commit(r: StageRequest): Promise<AckReply> {
    const tx = this.txs.get(r.txid);
    if (!tx || tx.done) {
      const d = this.decisions.get(r.txid);
      return Promise.resolve(d?.d === 'committed' ? 'ok' : 'aborted');
    }
    return this.applyCommit(tx, r).then(() => 'ok' as const);
  }

  abort(txid: string): Promise<AckReply> {
    const tx = this.txs.get(txid);
    if (!tx || tx.done) return Promise.resolve('ok');
    // The coordinator's own abort needs no durable decision: an unknown txid is aborted anyway,
    // and this coordinator sends no COMMIT after it.
    if (tx.primary === this.port.index) this.decide(txid, 'aborted', null);
    const staged = tx.staged !== null;
    this.unlock(tx, true);
    return staged ? this.port.log([[TXLOG_ABORT, txid]]).then(() => 'ok' as const) : Promise.resolve('ok');
  }

  /** TX_STATUS at the primary: an unknown txid, or one whose lease ended undecided, is aborted (durably). */
  status(txid: string): Promise<Decision> {
    // A transaction held now is undecided, whatever an earlier attempt under its txid left (the
    // coordinator's try phase aborts and locks again under the same txid).
    const tx = this.txs.get(txid);
    if (tx && !tx.done && tx.deadline > this.port.now()) return Promise.resolve(this.opts.bug === 'status-aborts-pending' ? 'aborted' : 'pending');
    if (tx) this.unlock(tx, true);
    const d = tx ? undefined : this.decisions.get(txid);
    if (d) return (d.durable ?? Promise.resolve()).then(() => d.d);
    return this.decideDurably(txid, 'aborted').then(() => 'aborted' as const);
  }

  // ---- leases ----

  /** Deadlines due now: unstaged locks end (abort); staged ones ask the primary. */
  tick(): void {
    if (this.closed) return;
    const now = this.port.now();
    for (const tx of [...this.txs.values()]) {
      if (tx.done || tx.deadline > now) continue;
      if (!tx.staged || tx.primary === this.port.index) {
        const primary = tx.primary === this.port.index;
        const staged = tx.staged !== null;
        this.unlock(tx, true);
        if (primary) this.bg(this.decideDurably(tx.txid, 'aborted'));
        else if (staged) this.bg(this.port.log([[TXLOG_ABORT, tx.txid]]));
      } else if (this.opts.bug === 'commit-without-decision') this.bg(this.applyCommit(tx, null));
      else this.ask(tx); // also when an earlier ask got no answer in time

    }
    this.arm();
  }

  /** The earliest deadline (Infinity: none); while anything is held there is one. */
  get nextDeadline(): number {
    let t = Infinity;
    for (const tx of this.txs.values()) if (tx.deadline < t) t = tx.deadline;
    return t;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.port.timers.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  // ---- recovery ----

  /** A transaction record read back from the log (Shard.replay hands them here). */
  replay(argv: readonly string[]): void {
    const name = argv[0];
    if (name === TXLOG_PREPARED) {
      const nk = Number(argv[4]);
      const keys = argv.slice(5, 5 + nk);
      const r = decodeStage(['\0tx-stage', ...argv.slice(5 + nk)]);
      if (!r) return this.port.warn?.(`unreadable prepared record`);
      const old = this.txs.get(r.txid);
      if (old) this.unlock(old, false);
      const tx: Tx = { txid: r.txid, primary: Number(argv[1]), db: r.db, keys, leaseMs: 0, since: Number(argv[2]), deadline: Number(argv[3]), staged: r, asking: false, tries: 0, done: false };
      this.hold(tx);
    } else if (name === TXLOG_COMMIT) {
      const tx = this.txs.get(argv[1]!);
      if (tx) this.unlock(tx, false);
      if (argv[2] === 'p') this.decide(argv[1]!, 'committed', null, Number(argv[3]));
    } else if (name === TXLOG_ABORT) {
      const tx = this.txs.get(argv[1]!);
      if (tx) this.unlock(tx, false);
    } else if (name === TXLOG_DECISION) {
      this.decide(argv[1]!, argv[2] === 'c' ? 'committed' : 'aborted', null, Number(argv[3]));
    }
  }

  /** After replay: staged transactions found in the log are resolved once their lease ends. */
  recovered(): void {
    this.prune();
    this.arm();
  }

  /**
   * What the log must hold again when history before now is retired (an AOF rewrite): the
   * staged transactions and the decision table, as records replay accepts.
   */
  checkpoint(): string[][] {
    this.prune();
    const out: string[][] = [];
    for (const tx of this.txs.values()) {
      if (tx.staged) out.push(prepared(tx, tx.staged));
    }
    for (const [txid, d] of this.decisions) if (d.own) out.push([TXLOG_DECISION, txid, d.d === 'committed' ? 'c' : 'a', String(d.at)]);
    return out;
  }

  // ---- inside ----

  private acquire(r: LockRequest, keys: string[]): LockReply {
    for (const w of r.watches) if (!this.port.watchOk(r.db, w)) return { t: 'watch-failed' };
    const states = r.read.map((k) => this.port.readKey(r.db, k));
    const now = this.port.now();
    // Locked again after an abort (the try phase): nobody staged was told aborted (STATUS comes
    // only from staged participants, and staging follows every lock), so the old answer goes.
    this.decisions.delete(r.txid);
    const tx: Tx = { txid: r.txid, primary: r.primary, db: r.db, keys, leaseMs: r.leaseMs, since: now, deadline: now + r.leaseMs, staged: null, asking: false, tries: 0, done: false };
    this.hold(tx);
    this.arm();
    return { t: 'locked', states };
  }

  private applyCommit(tx: Tx, r: StageRequest | null): Promise<void> {
    const primary = tx.primary === this.port.index;
    const writes = merge(tx.staged?.writes ?? [], r?.writes ?? []);
    const notes = [...(tx.staged?.notes ?? []), ...(r?.notes ?? [])];
    const at = this.port.now();
    const done = this.port.apply(tx.db, [TXLOG_COMMIT, tx.txid, primary ? 'p' : 's', String(at)], writes, notes);
    if (primary) this.decide(tx.txid, 'committed', done, at);
    else this.decide(tx.txid, 'committed', null, at, false); // to answer a late COMMIT ok; not kept across restarts
    this.unlock(tx, true);
    return done;
  }

  private ask(tx: Tx): void {
    tx.asking = true;
    // Should the answer never come (the process evicted meanwhile), ask again by then.
    tx.deadline = this.port.now() + this.retryMax;
    const retry = () => {
      tx.asking = false;
      if (tx.done || this.closed) return;
      tx.deadline = this.port.now() + Math.min(this.retryMax, this.retryMin * 2 ** Math.min(tx.tries++, 16));
      this.arm();
    };
    this.port.status(tx.primary, tx.txid).then(
      (d) => {
        if (tx.done || this.closed) return;
        if (d === 'committed') {
          tx.asking = false;
          this.bg(this.applyCommit(tx, null));
        } else if (d === 'aborted') {
          tx.asking = false;
          this.unlock(tx, true);
          this.bg(this.port.log([[TXLOG_ABORT, tx.txid]]));
        } else retry();
      },
      () => retry(),
    );
  }

  private decide(txid: string, d: 'committed' | 'aborted', durable: Promise<void> | null, at = this.port.now(), own = true): void {
    this.decisions.delete(txid); // re-inserted last: the map stays in time order for pruning
    this.decisions.set(txid, { d, at, durable, own });
    this.prune();
  }

  private decideDurably(txid: string, d: 'committed' | 'aborted'): Promise<void> {
    const at = this.port.now();
    const p = this.port.log([[TXLOG_DECISION, txid, d === 'committed' ? 'c' : 'a', String(at)]]);
    this.decide(txid, d, p, at);
    return p;
  }

  /** A durable write nobody waits for: a failure is the host's (it stops acknowledging). */
  private bg(p: Promise<unknown>): void {
    p.catch((e: unknown) => this.port.warn?.(`transaction record not stored: ${String(e)}`));
  }

  private prune(): void {
    const old = this.port.now() - this.keepMs;
    for (const [txid, d] of this.decisions) {
      if (d.at >= old) break;
      this.decisions.delete(txid);
    }
  }

  private hold(tx: Tx): void {
    this.txs.set(tx.txid, tx);
    for (const k of tx.keys) this.locks.set(lk(tx.db, k), tx);
    this.perDb.set(tx.db, (this.perDb.get(tx.db) ?? 0) + tx.keys.length);
  }

  /** Release `tx`'s locks; `wake`: run the work that waited for them. */
  private unlock(tx: Tx, wake: boolean): void {
    if (tx.done) return;
    tx.done = true;
    this.txs.delete(tx.txid);
    this.dropLocks(tx);
    if (wake) {
      this.port.released?.();
      this.drain();
    }
  }

  private dropLocks(tx: Tx): void {
    if (!tx.keys.length) return;
    for (const k of tx.keys) {
      const id = lk(tx.db, k);
      if (this.locks.get(id) === tx) this.locks.delete(id);
    }
    const n = (this.perDb.get(tx.db) ?? 0) - tx.keys.length;
    if (n > 0) this.perDb.set(tx.db, n);
    else this.perDb.delete(tx.db);
    tx.keys = [];
    if (this.opts.bug === 'release-at-stage') this.drain();
  }

  /** Run waiting work in arrival order: each whose keys are free and not wanted by one still waiting before it. */
  private drain(): void {
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i]!;
      if (this.free(w.claims) && !this.queuedOverlap(w.claims, i)) {
        this.queue.splice(i, 1);
        w.run();
      } else i++;
    }
  }

  private free(claims: readonly Claim[]): boolean {
    if (this.locks.size === 0) return true;
    for (const c of claims) {
      if (c.db === -1 || (c.key === null ? this.perDb.get(c.db) : this.locks.has(lk(c.db, c.key)))) return false;
    }
    return true;
  }

  /** Whether work queued before position `end` touches any of these. */
  private queuedOverlap(claims: readonly Claim[], end: number): boolean {
    for (let i = 0; i < end; i++) {
      for (const a of this.queue[i]!.claims) for (const b of claims) if (overlaps(a, b)) return true;
    }
    return false;
  }

  /** One timer for the earliest deadline (and the platform's wake-up, should the process go). */
  private arm(): void {
    const at = this.nextDeadline;
    if (at >= this.timerAt) return;
    if (this.timer !== null) this.port.timers.clear(this.timer);
    this.timerAt = at;
    if (at === Infinity) {
      this.timer = null;
      return;
    }
    this.port.wake?.(at);
    this.timer = this.port.timers.set(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.tick();
    }, Math.max(0, at - this.port.now()));
  }
}

function overlaps(a: Claim, b: Claim): boolean {
  if (a.db === -1 || b.db === -1) return true;
  return a.db === b.db && (a.key === null || b.key === null || a.key === b.key);
}

function prepared(tx: Tx, r: StageRequest): string[] {
  return [TXLOG_PREPARED, String(tx.primary), String(tx.since), String(tx.deadline), String(tx.keys.length), ...tx.keys, ...encodeStage(r).slice(1)];
}

function unique(a: string[]): string[] {
  return a.length < 2 ? a : [...new Set(a)];
}

/** Staged writes, then the commit's own (a later state of a key wins). */
function merge(a: readonly KeyState[], b: readonly KeyState[]): KeyState[] {
  if (!b.length) return a.slice();
  if (!a.length) return b.slice();
  const m = new Map<string, KeyState>();
  for (const s of a) m.set(s.key, s);
  for (const s of b) m.set(s.key, s);
  return [...m.values()];
}
