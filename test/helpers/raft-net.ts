// A hand-driven network for transcript-style tests of the Raft core: step a node, deliver what it sent,
// cut links, crash and restart (persisted state only). No randomness except the seeded timeouts.
import { restart, step } from '../../src/consensus/raft.js';
import { termAt } from '../../src/consensus/log.js';
import { defaultConfig, type Effect, type Entry, type Membership, type Message, type NodeId, type Persisted, type RaftConfig, type RaftEvent, type RaftState, type Snapshot } from '../../src/consensus/types.js';

export interface TestNode {
  id: NodeId;
  state: RaftState;
  store: { term: number; vote: NodeId | null; snapshot: Snapshot; entries: Entry[] };
  applied: Entry[];
  replies: Extract<Effect, { type: 'reply' }>[];
  restored: Snapshot[];
  /** every effect batch, in order, for assertions about ordering. */
  batches: Effect[][];
  up: boolean;
}

export class Net {
  readonly nodes = new Map<NodeId, TestNode>();
  queue: Message[] = [];
  readonly cut = new Set<string>();
  /** node → k: its next batch runs only its first k effects, then the node crashes (a crash mid-Ready). */
  readonly crashAfter = new Map<NodeId, number>();
  /** messages matching this are dropped on delivery. */
  dropIf: (m: Message) => boolean = () => false;

  constructor(readonly conf: Membership, ids: NodeId[] = conf.voters.slice(), readonly over: Partial<Omit<RaftConfig, 'id'>> = {}, init: Record<NodeId, Persisted> = {}) {
    for (const [i, id] of ids.entries()) {
      const p = init[id] ?? { term: 0, vote: null, snapshot: { meta: { index: 0, term: 0, conf }, data: new Uint8Array() }, entries: [] };
      const store = { term: p.term, vote: p.vote, snapshot: p.snapshot, entries: p.entries.slice() };
      this.nodes.set(id, { id, state: restart(defaultConfig(id, over), p, 1000 + i * 7919), store, applied: [], replies: [], restored: [], batches: [], up: true });
    }
  }

  node(id: NodeId): TestNode { return this.nodes.get(id)!; }
  get(id: NodeId): RaftState { return this.node(id).state; }

  step(id: NodeId, ev: RaftEvent): Effect[] {
    const n = this.node(id);
    if (!n.up) return [];
    const { state, effects } = step(n.state, ev);
    n.state = state;
    n.batches.push(effects);
    const k = this.crashAfter.get(id);
    this.crashAfter.delete(id);
    for (const e of k === undefined ? effects : effects.slice(0, k)) {
      if (e.type === 'persist') {
        const st = n.store;
        st.term = e.term; st.vote = e.vote;
        if (e.snapshot) {
          const i = e.snapshot.meta.index;
          st.entries = termAt(st, i) === e.snapshot.meta.term ? st.entries.filter((x) => x.index > i) : [];
          st.snapshot = e.snapshot;
        }
        if (e.entries) st.entries = st.entries.filter((x) => x.index < e.entries!.from).concat(e.entries.entries);
      } else if (e.type === 'send') this.queue.push(e.msg);
      else if (e.type === 'apply') n.applied.push(...e.entries);
      else if (e.type === 'reply') n.replies.push(e);
      else if (e.type === 'restore') n.restored.push(e.snapshot);
    }
    if (k !== undefined) this.crash(id);
    return effects;
  }

  tick(id: NodeId, times = 1): void { for (let i = 0; i < times; i++) this.step(id, { type: 'tick' }); }

  /** Deliver queued messages (and what they cause) until quiet; returns how many were delivered. */
  deliver(limit = 10_000): number {
    let n = 0;
    while (this.queue.length > 0 && n < limit) {
      const m = this.queue.shift()!;
      if (this.cut.has(`${m.from}>${m.to}`) || this.dropIf(m)) continue;
      n++;
      this.step(m.to, { type: 'message', msg: m });
    }
    return n;
  }

  isolate(id: NodeId): void {
    for (const o of this.nodes.keys()) if (o !== id) { this.cut.add(`${id}>${o}`); this.cut.add(`${o}>${id}`); }
  }
  heal(): void { this.cut.clear(); }

  /** What it already sent stays on the wire; what is addressed to it is lost. */
  crash(id: NodeId): void { this.node(id).up = false; this.queue = this.queue.filter((m) => m.to !== id); }
  restart(id: NodeId, seed = 4242): void {
    const n = this.node(id);
    n.state = restart(n.state.cfg, n.store, seed);
    n.applied = [];
    n.up = true;
  }

  /** Tick a node until it leads (elections need deliveries in between); throws if it never does. */
  elect(id: NodeId): void {
    for (let i = 0; i < 100 && this.get(id).role !== 'leader'; i++) { this.tick(id); this.deliver(); }
    if (this.get(id).role !== 'leader') throw new Error(`${id} did not become leader`);
    this.deliver();
  }

  leaders(): NodeId[] { return [...this.nodes.values()].filter((n) => n.up && n.state.role === 'leader').map((n) => n.id); }
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
export const three: Membership = { voters: ['a', 'b', 'c'], learners: [] };
export const five: Membership = { voters: ['a', 'b', 'c', 'd', 'e'], learners: [] };
