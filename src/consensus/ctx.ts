// One step's working context: the state being built, the effects gathered, and helpers every role shares.
import { confAt, lastIndex, snapIndex } from './log.js';
import type { Effect, Entry, Message, NodeId, RaftState, RejectReason, Snapshot } from './types.js';

type Body<M> = M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never;

export interface Ctx {
  s: RaftState;
  sends: Message[];
  replies: Effect[];
  applies: Entry[];
  restore: Snapshot | null;
  /** lowest log index written this step (Infinity: none). */
  logFrom: number;
  snapChanged: boolean;
}

export function begin(state: Readonly<RaftState>): Ctx {
  const progress: RaftState['progress'] = {};
  for (const [k, v] of Object.entries(state.progress)) progress[k] = { ...v };
  const s: RaftState = { ...state, votes: { ...state.votes }, progress, reads: state.reads.slice(), waiting: state.waiting.slice() };
  return { s, sends: [], replies: [], applies: [], restore: null, logFrom: Infinity, snapChanged: false };
}

export function send(c: Ctx, body: Body<Message>): void {
  c.sends.push({ term: c.s.term, ...body, from: c.s.cfg.id } as Message);
}

export function reject(c: Ctx, id: string, reason: RejectReason): void {
  c.replies.push({ type: 'reply', kind: 'rejected', id, reason, leader: c.s.lead });
}

/** xorshift32 over the host-seeded state: the randomized election timeout, in [electionTick, 2·electionTick). */
export function resetElectionTimer(c: Ctx): void {
  let x = c.s.rng | 0 || 1;
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  c.s.rng = x >>> 0;
  c.s.electionElapsed = 0;
  c.s.timeout = c.s.cfg.electionTick + (c.s.rng % c.s.cfg.electionTick);
}

export const isVoter = (s: RaftState, id: NodeId): boolean => s.conf.voters.includes(id);
export const quorum = (s: RaftState): number => Math.floor(s.conf.voters.length / 2) + 1;
export const members = (s: RaftState): NodeId[] => [...s.conf.voters, ...s.conf.learners];

/** Voters (of the latest configuration) for which pred holds reach a majority. */
export function hasQuorum(s: RaftState, pred: (id: NodeId) => boolean): boolean {
  let n = 0;
  for (const v of s.conf.voters) if (pred(v)) n++;
  return n >= quorum(s);
}

/** Replace the log from entries[0].index on (dropping what was there) and track what to persist. */
export function writeLog(c: Ctx, entries: readonly Entry[]): void {
  if (entries.length === 0) return;
  const s = c.s;
  const from = entries[0]!.index;
  const keep = s.entries.slice(0, from - snapIndex(s) - 1);
  const truncated = keep.length < s.entries.length;
  s.entries = keep.concat(entries);
  c.logFrom = Math.min(c.logFrom, from);
  if (truncated || entries.some((e) => e.kind === 'conf')) s.conf = confAt(s, lastIndex(s));
}

/** Install a snapshot: keep the log after it only if it matches there (§7), jump commit and applied. */
export function installSnapshot(c: Ctx, snap: Snapshot): void {
  const s = c.s;
  const i = snap.meta.index;
  const matches = i <= lastIndex(s) && i >= snapIndex(s) && (i === snapIndex(s) ? s.snapshot.meta.term : s.entries[i - snapIndex(s) - 1]!.term) === snap.meta.term;
  s.entries = matches ? s.entries.filter((e) => e.index > i) : [];
  s.snapshot = snap;
  s.conf = confAt(s, lastIndex(s));
  s.commit = Math.max(s.commit, i);
  s.applied = Math.max(s.applied, i);
  c.snapChanged = true;
  c.restore = snap;
}

/** Drop leader/candidate bookkeeping; pending reads fail so their clients retry elsewhere. */
export function becomeFollower(c: Ctx, term: number, lead: NodeId | null): void {
  const s = c.s;
  if (term > s.term) { s.term = term; s.vote = null; }
  s.role = 'follower';
  s.lead = lead;
  s.heartbeatElapsed = 0;
  resetElectionTimer(c);
  for (const r of s.reads) reject(c, r.id, 'not-leader');
  for (const id of s.waiting) reject(c, id, 'not-leader');
  s.reads = [];
  s.waiting = [];
  s.progress = {};
  s.votes = {};
  s.transferee = null;
}
