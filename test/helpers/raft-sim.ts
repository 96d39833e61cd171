// A seeded, deterministic simulation of a Raft group on the pure core: a lossy, duplicating, reordering,
// partitionable network, crash-restarts that keep only persisted state (also mid-batch), clock skew, KV
// clients, membership changes and transfers; invariants checked after every step, linearizability at the end.
import { bootstrap, restart, step } from '../../src/consensus/raft.js';
import { lastIndex, lastTerm, snapIndex, termAt } from '../../src/consensus/log.js';
import { defaultConfig, TICK_MS, type Effect, type Entry, type InjectedBugs, type Message, type NodeId, type Persisted, type RaftEvent, type RaftState, type Snapshot } from '../../src/consensus/types.js';
import { nonLinearizableKeys, type Op } from './raft-linear.js';

export interface SimOptions {
  seed: number;
  voters?: number;
  /** extra nodes outside the initial configuration, for membership changes. */
  spares?: number;
  durationMs?: number;
  /** fault-free time at the end (network healed, everyone restarted) before the final checks. */
  settleMs?: number;
  faults?: boolean;
  bugs?: InjectedBugs;
  clients?: number;
  /** snapshot chunk size, small so InstallSnapshot takes several chunks. */
  chunkBytes?: number;
}

export interface SimResult {
  violation: string | null;
  steps: number;
  ops: number;
  ackedWrites: number;
  reads: number;
  elections: number;
  snapshotsInstalled: number;
  confChanges: number;
  leaderAtEnd: boolean;
  /** each node at the end: role, term, commit/last, configuration. */
  final: string[];
}

/** mulberry32: the simulation's only randomness, from the seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Heap<T> {
  private a: { t: number; n: number; v: T }[] = [];
  private n = 0;
  get size(): number { return this.a.length; }
  push(t: number, v: T): void {
    const a = this.a; a.push({ t, n: this.n++, v });
    let i = a.length - 1;
    while (i > 0) { const p = (i - 1) >> 1; if (less(a[p]!, a[i]!)) break; [a[p], a[i]] = [a[i]!, a[p]!]; i = p; }
  }
  pop(): { t: number; v: T } | undefined {
    const a = this.a; if (a.length === 0) return undefined;
    const top = a[0]!; const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last; let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1; let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break; [a[m], a[i]] = [a[i]!, a[m]!]; i = m;
      }
    }
    return top;
  }
}
const less = (x: { t: number; n: number }, y: { t: number; n: number }): boolean => x.t < y.t || (x.t === y.t && x.n < y.n);

const enc = new TextEncoder();
const dec = new TextDecoder();
const decoded = new WeakMap<Uint8Array, [string, string, string]>();
function decodeOp(d: Uint8Array): [string, string, string] {
  let v = decoded.get(d);
  if (!v) { v = dec.decode(d).split('\u0000') as [string, string, string]; decoded.set(d, v); }
  return v;
}
/** An entry's identity for the checks: two entries are the same iff their keys are. */
function entryKey(e: Entry): string {
  if (e.kind === 'normal') return `${e.term}/w/${decodeOp(e.data!)[0]}`;
  if (e.kind === 'conf') return `${e.term}/c/${e.conf!.voters.join(',')}|${e.conf!.learners.join(',')}`;
  return `${e.term}/noop`;
}

interface Store { term: number; vote: NodeId | null; snapshot: Snapshot; entries: Entry[] }
interface Client { id: string; target: NodeId; op: number; seq: number; timeout: number; writes: number }
interface Host {
  id: NodeId;
  alive: boolean;
  incarnation: number;
  state: RaftState | null;
  store: Store;
  kv: Map<string, string>;
  applied: number;
  rate: number;
  baseRate: number;
  writes: Map<string, Client>;
  reads: Map<string, { client: Client; key: string }>;
  readyReads: { id: string; index: number }[];
  /** armed crash, in the next batch that persists (1) or sends (2), after a random number of its effects (-1: none). */
  crashAfter: number;
  /** with crashAfter 2: matching batches to survive first. */
  crashSkip: number;
  /** leader churn: cut this node off after this many more batches that send (-1: no). */
  isolateIn: number;
  compactEvery: number;
  seenCommit: number;
}

export function runSim(o: SimOptions): SimResult {
  const rand = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nVoters = o.voters ?? 3, nSpares = o.spares ?? 0;
  const duration = o.durationMs ?? 6000, settle = o.settleMs ?? 4000;
  const faults = o.faults ?? true;
  const ids = Array.from({ length: nVoters + nSpares }, (_, i) => `n${i + 1}`);
  const conf = { voters: ids.slice(0, nVoters), learners: [] as string[] };
  const maxBatch = pick([1, 1, 2, 4, 8]);
  const cfgOf = (id: NodeId) => defaultConfig(id, { bugs: o.bugs, snapshotChunkBytes: o.chunkBytes ?? 24, maxEntriesPerAppend: maxBatch });
  const q = new Heap<() => void>();
  let now = 0, stamp = 0, steps = 0;
  let violation: string | null = null;
  const fail = (msg: string): void => { violation ??= `t=${now} ${msg}`; };

  // Network conditions, changed by the fault schedule.
  let drop = 0, dup = 0, longDelay = 0;
  let blocked = new Set<string>();
  const link = (a: NodeId, b: NodeId) => `${a}>${b}`;

  // Global knowledge for the invariants.
  const leaders = new Map<number, NodeId>();
  const committed: string[] = []; // committed[i]: key of the entry committed at i
  let committedTop = 0;
  const logIndex = new Map<string, string>(); // "index:term" -> key|prevTerm
  const appliedAt: string[] = [];
  const ops: (Op & { id: string })[] = [];
  const acked = new Set<string>();
  const opAt = new Map<string, number>();
  let elections = 0, snapshotsInstalled = 0, confChanges = 0;

  // Some schedules run clocks far apart (a slow leader keeps believing in itself long after the others moved on).
  const wildClocks = faults && rand() < 0.4;
  /** how many of the next leaders die soon after taking office (leader churn: divergent logs, figure 8). */
  let armNextLeader = 0;
  /** how many of the next leaders are cut off (with at most one follower) a few batches into office. */
  let churn = 0;
  const hosts = new Map<NodeId, Host>();
  for (const id of ids) {
    const baseRate = !faults ? 1 : wildClocks ? 0.3 + rand() * 1.4 : 0.7 + rand() * 0.6;
    const snap: Snapshot = { meta: { index: 0, term: 0, conf }, data: enc.encode('[]') };
    hosts.set(id, {
      id, alive: true, incarnation: 0, state: null, store: { term: 0, vote: null, snapshot: snap, entries: [] },
      kv: new Map(), applied: 0, rate: baseRate, baseRate, writes: new Map(), reads: new Map(), readyReads: [],
      crashAfter: -1, crashSkip: 0, isolateIn: -1, compactEvery: 3 + Math.floor(rand() * 15), seenCommit: 0,
    });
  }
  const boot = (h: Host): void => {
    h.state = h.incarnation === 0 ? bootstrap(cfgOf(h.id), conf, Math.floor(rand() * 2 ** 32)) : restart(cfgOf(h.id), h.store as Persisted, Math.floor(rand() * 2 ** 32));
    h.kv = new Map(JSON.parse(dec.decode(h.store.snapshot.data)) as [string, string][]);
    h.applied = snapIndex(h.store);
    h.seenCommit = h.applied;
    const inc = h.incarnation;
    const tick = (): void => { if (h.alive && h.incarnation === inc) { run(h, { type: 'tick' }); q.push(now + TICK_MS / h.rate, tick); } };
    q.push(now + rand() * TICK_MS, tick);
  };
  /** the settle period: no nemesis action lands any more, even one scheduled earlier. */
  let calm = false;
  const crash = (h: Host): void => {
    if (!h.alive || calm) return;
    h.alive = false; h.state = null; h.incarnation++; h.crashAfter = -1;
    // Its clients see the connection reset: their ops stay indeterminate, and they move on at once.
    const cut = new Set([...h.writes.values(), ...[...h.reads.values()].map((r) => r.client)]);
    h.kv = new Map(); h.writes.clear(); h.reads.clear(); h.readyReads = [];
    for (const c of cut) if (c.op >= 0) { c.op = -1; c.target = pick(ids); q.push(now + 10 + rand() * 50, () => clientNext(c)); }
  };

  /** Cut h (and maybe one other node) off from the rest for a while. */
  const isolate = (h: Host): void => {
    if (calm) return;
    const side = new Set([h.id]);
    if (rand() < 0.5) side.add(pick(ids));
    blocked = new Set();
    for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) blocked.add(link(a, b));
    const mine = blocked;
    q.push(now + 300 + rand() * 1200, () => { if (blocked === mine) blocked = new Set(); });
  };
  const restartLater = (h: Host, ms: number): void => { q.push(now + ms, () => { if (!h.alive) { h.alive = true; boot(h); } }); };
  const sendMsg = (m: Message): void => {
    if (blocked.has(link(m.from, m.to)) || rand() < drop) return;
    const copies = rand() < dup ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      const delay = 1 + rand() * 20 + (rand() < longDelay ? rand() * 700 : 0);
      q.push(now + delay, () => {
        const h = hosts.get(m.to)!;
        if (h.alive && !blocked.has(link(m.from, m.to))) run(h, { type: 'message', msg: m });
      });
    }
  };

  function persist(h: Host, e: Extract<Effect, { type: 'persist' }>): void {
    const st = h.store;
    st.term = e.term; st.vote = e.vote;
    if (e.snapshot) {
      const i = e.snapshot.meta.index;
      st.entries = termAt(st, i) === e.snapshot.meta.term ? st.entries.filter((x) => x.index > i) : [];
      st.snapshot = e.snapshot;
    }
    if (e.entries) st.entries = st.entries.filter((x) => x.index < e.entries!.from).concat(e.entries.entries);
  }

  function complete(c: Client, opId: string, value?: string | null): void {
    const i = opAt.get(opId);
    if (i === undefined || c.op !== i || ops[i]!.complete !== Infinity) return;
    const op = ops[i]!;
    ops[i] = { ...op, complete: ++stamp, ...(value !== undefined ? { value } : {}) };
    if (op.kind === 'w') acked.add(opId);
    c.op = -1;
    q.push(now + 5 + rand() * 60, () => clientNext(c));
  }
  function failOp(c: Client, opId: string, leader: NodeId | null): void {
    const i = opAt.get(opId);
    if (i === undefined || c.op !== i) return;
    ops[i] = { ...ops[i]!, complete: -1 }; // definitely did not happen: dropped from the history
    c.op = -1;
    c.target = leader ?? pick(ids);
    q.push(now + 10 + rand() * 50, () => clientNext(c));
  }
  function serveReads(h: Host): void {
    h.readyReads = h.readyReads.filter((r) => {
      if (r.index > h.applied) return true;
      const rd = h.reads.get(r.id);
      if (rd) { h.reads.delete(r.id); complete(rd.client, r.id, h.kv.get(rd.key) ?? null); }
      return false;
    });
  }

  function effect(h: Host, e: Effect): void {
    switch (e.type) {
      case 'persist': persist(h, e); break;
      case 'restore':
        h.kv = new Map(JSON.parse(dec.decode(e.snapshot.data)) as [string, string][]);
        h.applied = e.snapshot.meta.index; snapshotsInstalled++;
        break;
      case 'send': sendMsg(e.msg); break;
      case 'apply':
        for (const en of e.entries) {
          if (en.index !== h.applied + 1) fail(`${h.id} applied ${en.index} after ${h.applied}`);
          h.applied = en.index;
          const k = entryKey(en);
          if (appliedAt[en.index] === undefined) appliedAt[en.index] = k;
          else if (appliedAt[en.index] !== k) fail(`state machine safety: ${h.id} applied ${k} at ${en.index}, another node ${appliedAt[en.index]}`);
          if (en.kind === 'normal') {
            const [opId, key, value] = decodeOp(en.data!);
            h.kv.set(key, value);
            const c = h.writes.get(opId);
            if (c) { h.writes.delete(opId); complete(c, opId); }
          }
        }
        serveReads(h);
        break;
      case 'reply':
        if (e.kind === 'read-ready') { h.readyReads.push({ id: e.id, index: e.index }); serveReads(h); }
        else if (e.kind === 'rejected') {
          const c = h.writes.get(e.id) ?? h.reads.get(e.id)?.client;
          h.writes.delete(e.id); h.reads.delete(e.id);
          if (c) failOp(c, e.id, e.leader);
        }
        break;
    }
  }

  function run(h: Host, ev: RaftEvent): void {
    if (violation || !h.alive || !h.state) return;
    steps++;
    const before = h.state;
    let r: { state: RaftState; effects: Effect[] };
    try { r = step(before, ev); } catch (err) { fail(`${h.id} threw: ${(err as Error).message}`); return; }
    h.state = r.state;
    check(h, before, r.state);
    // An armed crash strikes in the first batch that writes to storage, after a random number of effects.
    let armed = h.crashAfter >= 0 && r.effects.some((e) => e.type === (h.crashAfter === 2 ? 'send' : 'persist'));
    if (armed && h.crashSkip > 0) { h.crashSkip--; armed = false; }
    const n = armed ? Math.floor(rand() * r.effects.length) : r.effects.length;
    for (let i = 0; i < n && h.alive; i++) effect(h, r.effects[i]!);
    if (armed) { crash(h); q.push(now + 100 + rand() * 2000, () => { if (!h.alive) { h.alive = true; boot(h); } }); return; }
    if (h.isolateIn >= 0 && r.effects.some((e) => e.type === 'send') && h.isolateIn-- === 0) isolate(h);
    if (h.alive && h.applied - snapIndex(h.state) >= h.compactEvery && h.applied === h.state.applied) {
      const data = enc.encode(JSON.stringify([...h.kv]));
      run(h, { type: 'compact', index: h.applied, data });
    }
  }

  function keyAt(s: RaftState, i: number): string | undefined {
    const si = snapIndex(s);
    return i > si && i <= lastIndex(s) ? entryKey(s.entries[i - si - 1]!) : undefined;
  }

  /**
   * Commit durability, judged on what is on disk: a committed entry must be in every log that could still win
   * an election (one at least as up to date as a majority of the voters' stored logs), crashed nodes included.
   * This is the look-ahead form of leader completeness: it fails the moment a commit is unsafe, before a
   * schedule happens to elect the node that would overwrite it.
   */
  function electableWithout(i: number, key: string, voters: readonly NodeId[]): NodeId | undefined {
    const has = (st: Store): boolean => {
      const si = snapIndex(st);
      return i <= si || (i <= lastIndex(st) && entryKey(st.entries[i - si - 1]!) === key);
    };
    for (const x of voters) {
      const sx = hosts.get(x)!.store;
      if (has(sx)) continue;
      const lt = lastTerm(sx), li = lastIndex(sx);
      let votes = 0;
      for (const v of voters) {
        const sv = hosts.get(v)!.store;
        if (lt > lastTerm(sv) || (lt === lastTerm(sv) && li >= lastIndex(sv))) votes++;
      }
      if (votes >= Math.floor(voters.length / 2) + 1) return x;
    }
    return undefined;
  }

  function check(h: Host, before: RaftState, s: RaftState): void {
    if (s.commit > lastIndex(s) || s.applied > s.commit) fail(`${h.id} commit ${s.commit} applied ${s.applied} last ${lastIndex(s)}`);
    // Log matching: one (index, term) names one entry, always preceded by the same (index-1, term).
    if (s.entries !== before.entries) {
      let prevTerm = s.snapshot.meta.term;
      for (const e of s.entries) {
        const k = `${e.index}:${e.term}`, v = `${entryKey(e)}|${prevTerm}`;
        const seen = logIndex.get(k);
        if (seen === undefined) logIndex.set(k, v);
        else if (seen !== v) { fail(`log matching: ${h.id} has ${v} at ${k}, seen ${seen}`); return; }
        prevTerm = e.term;
      }
    }
    // Commits never change: what a node once counts as committed at i stays there for everyone.
    for (let i = Math.max(h.seenCommit, snapIndex(s)) + 1; i <= s.commit; i++) {
      const k = keyAt(s, i)!;
      if (committed[i] === undefined) {
        committed[i] = k; committedTop = Math.max(committedTop, i);
        const x = electableWithout(i, k, s.conf.voters);
        if (x) { fail(`committed entry not durable: ${h.id} commits ${k} at ${i}, but ${x} could still be elected without it`); return; }
      } else if (committed[i] !== k) { fail(`committed entry lost: ${h.id} commits ${k} at ${i}, was ${committed[i]}`); return; }
    }
    h.seenCommit = Math.max(h.seenCommit, s.commit);
    if (s.role !== 'leader') return;
    // Election safety.
    const l = leaders.get(s.term);
    if (l === undefined) leaders.set(s.term, h.id);
    else if (l !== h.id) { fail(`election safety: ${l} and ${h.id} both lead term ${s.term}`); return; }
    if (before.role !== 'leader' || before.term !== s.term) {
      elections++;
      if (churn > 0) { churn--; h.isolateIn = Math.floor(rand() * 5); }
      if (armNextLeader > 0) {
        armNextLeader--;
        const inc = h.incarnation;
        const mode = rand();
        if (mode < 0.6) { h.crashAfter = mode < 0.2 ? 1 : 2; h.crashSkip = Math.floor(rand() * 6); }
        else q.push(now + rand() * 300, () => { if (h.incarnation === inc) { crash(h); restartLater(h, 50 + rand() * 600); } });
      }
      // Leader completeness: a new leader holds every entry committed before it.
      for (let i = snapIndex(s) + 1; i <= committedTop; i++) {
        if (committed[i] !== undefined && keyAt(s, i) !== committed[i]) { fail(`leader completeness: ${h.id} (term ${s.term}) lacks ${committed[i]} at ${i}`); return; }
      }
    } else {
      // Leader append-only: within its term a leader never drops or overwrites its own entries.
      const li = lastIndex(before);
      if (li > snapIndex(s) && keyAt(s, li) !== keyAt(before, li)) fail(`leader append-only: ${h.id} changed ${li}`);
    }
  }

  // Clients: one outstanding op each; a timeout leaves a write indeterminate and a read unanswered.
  const clients: Client[] = Array.from({ length: o.clients ?? 3 }, (_, i) => ({ id: `c${i}`, target: pick(ids), op: -1, seq: 0, timeout: 400 + rand() * 2600, writes: pick([0.1, 0.5, 0.9]) }));
  let opsOn = true;
  function clientNext(c: Client): void {
    if (!opsOn || violation || c.op >= 0) return;
    if (rand() < 0.1) c.target = pick(ids); // now and then a client tries someone else (a stale hint, a DNS flip)
    const h = hosts.get(c.target)!;
    const key = pick(['x', 'y']);
    const id = `${c.id}.${++c.seq}`;
    const write = rand() < c.writes;
    ops.push({ id, key, kind: write ? 'w' : 'r', value: write ? id : null, invoke: ++stamp, complete: Infinity });
    const opIndex = ops.length - 1;
    opAt.set(id, opIndex);
    c.op = opIndex;
    q.push(now + c.timeout, () => {
      if (c.op !== opIndex) return;
      c.op = -1; c.target = pick(ids);
      clientNext(c);
    });
    if (!h.alive) { failOp(c, id, null); return; } // connection refused: it never happened
    if (write) { h.writes.set(id, c); run(h, { type: 'propose', id, data: enc.encode(`${id}\u0000${key}\u0000${id}`) }); }
    else { h.reads.set(id, { client: c, key }); run(h, { type: 'read', id }); }
  }
  for (const c of clients) q.push(200 + rand() * 500, () => clientNext(c));

  const leaderNow = (): Host | undefined => [...hosts.values()].find((h) => h.alive && h.state?.role === 'leader');
  function fault(): void {
    const r = rand();
    const hs = [...hosts.values()];
    const lead = leaderNow();
    if (r < 0.18) {
      // Partition: a random split, or the leader alone; sometimes one way only.
      blocked = new Set();
      const alone = !!lead && rand() < 0.5;
      const side = new Set(alone ? [lead.id] : ids.filter(() => rand() < 0.4));
      // A leader cut off whose clock also crawls (a GC pause, a throttled VM) believes in itself the longest.
      if (alone && rand() < 0.5) lead.rate = lead.baseRate / 4;
      const oneWay = rand() < 0.3;
      for (const a of ids) for (const b of ids) {
        if (side.has(a) && !side.has(b)) { blocked.add(link(a, b)); if (!oneWay) blocked.add(link(b, a)); }
      }
      // Partitions last long enough for the majority side to elect (or not), then heal.
      const mine = blocked;
      q.push(now + 500 + rand() * 4000, () => { if (blocked === mine) { blocked = new Set(); for (const h of hs) h.rate = h.baseRate; } });
    } else if (r < 0.24) { blocked = new Set(); for (const h of hs) h.rate = h.baseRate; }
    else if (r < 0.4) {
      // Crash a node (often the leader), at once or in the middle of its next write; restart it later.
      const h = lead && rand() < 0.5 ? lead : pick(hs.filter((x) => x.alive));
      if (h) {
        if (rand() < 0.5) h.crashAfter = 1;
        else { crash(h); restartLater(h, 100 + rand() * 2000); }
      }
    } else if (r < 0.46) {
      // A follower dies mid-write, then the leader goes away before the group has repaired it.
      const f = pick(hs.filter((x) => x.alive && x !== lead));
      if (f) f.crashAfter = 1;
      q.push(now + 20 + rand() * 300, () => {
        const l = leaderNow();
        if (!l) return;
        if (rand() < 0.5) { crash(l); restartLater(l, 100 + rand() * 2000); } else isolate(l);
      });
    } else if (r < 0.52) {
      // Leader churn: cut off this leader and each of the next few a few batches into office
      // (logs diverge across terms: the ground figure 8 of the Raft paper grows on).
      churn = 2 + Math.floor(rand() * 4);
      if (lead) isolate(lead);
    } else if (r < 0.55) {
      // Power loss: every node dies in its next write.
      for (const h of hs) if (h.alive) h.crashAfter = 1;
    } else if (r < 0.58) {
      // The next leaders die soon after taking office.
      armNextLeader = 1 + Math.floor(rand() * 3);
      if (lead) { crash(lead); restartLater(lead, 50 + rand() * 1000); }
    } else if (r < 0.62) { drop = rand() * 0.3; dup = rand() * 0.2; longDelay = rand() * 0.2; }
    else if (r < 0.7) { drop = 0; dup = 0; longDelay = 0; }
    else if (r < 0.78) { if (lead) run(lead, { type: 'transfer', to: pick(lead.state!.conf.voters) }); }
    else if (r < 0.9 && nSpares > 0 && lead) {
      // Membership: add a learner, promote it once caught up, or remove someone (never below 3 voters).
      const s = lead.state!;
      const outside = ids.filter((x) => !s.conf.voters.includes(x) && !s.conf.learners.includes(x));
      const choice = rand();
      let change: { op: 'add-learner' | 'promote' | 'remove'; node: NodeId } | undefined;
      if (choice < 0.35 && outside.length > 0) change = { op: 'add-learner', node: pick(outside) };
      else if (choice < 0.7 && s.conf.learners.length > 0) change = { op: 'promote', node: pick(s.conf.learners) };
      else if (s.conf.voters.length > 3) change = { op: 'remove', node: pick(s.conf.voters) };
      if (change) { confChanges++; run(lead, { type: 'propose-conf', id: `conf${confChanges}`, change }); }
    }
  }
  if (faults) {
    const next = (): void => { if (now < duration) { fault(); q.push(now + 100 + rand() * 900, next); } };
    q.push(300 + rand() * 500, next);
  }
  for (const h of hosts.values()) boot(h);
  // Settle: heal everything, restart the dead; then stop the clients and let replies drain.
  q.push(duration, () => {
    calm = true; armNextLeader = 0; churn = 0;
    blocked = new Set(); drop = 0; dup = 0; longDelay = 0;
    for (const h of hosts.values()) { h.crashAfter = -1; h.isolateIn = -1; h.rate = h.baseRate; if (!h.alive) { h.alive = true; boot(h); } }
  });
  q.push(duration + settle - 3000, () => { opsOn = false; });

  for (let e = q.pop(); e && !violation && e.t <= duration + settle; e = q.pop()) { now = e.t; e.v(); }

  if (!violation) {
    const hist = ops.filter((x) => x.complete !== -1);
    const bad = nonLinearizableKeys(hist);
    if (bad.length > 0) fail(`not linearizable on key(s) ${bad.join(',')}`);
    const committedOps = new Set(committed.filter((k) => k && k.includes('/w/')).map((k) => k.split('/w/')[1]));
    for (const id of acked) if (!committedOps.has(id)) { fail(`acknowledged write ${id} lost`); break; }
  }
  return {
    violation, steps, ops: ops.filter((x) => x.complete !== -1).length, ackedWrites: acked.size,
    reads: ops.filter((x) => x.kind === 'r' && x.complete !== Infinity && x.complete !== -1).length,
    elections, snapshotsInstalled, confChanges, leaderAtEnd: !!leaderNow(),
    final: [...hosts.values()].map((h) => (h.state ? `${h.id} ${h.state.role} t${h.state.term} c${h.state.commit}/${lastIndex(h.state)} lead=${h.state.lead} v=${h.state.conf.voters.join(',')} l=${h.state.conf.learners.join(',')}` : `${h.id} down`)),
  };
}
