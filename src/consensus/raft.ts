// The Raft core: step(state, event) → { state, effects }, pure, in etcd-io/raft's shape.
//
// How a host drives it (a shard group's Durable Object, later):
// - Boot with bootstrap() or restart() from what it persisted, seeding the timeout randomness; restore
//   the state machine from the persisted snapshot.
// - Feed events: a tick every TICK_MS (from alarms), each message received, client proposals and reads,
//   and 'compact' after serializing the state machine at some applied index.
// - Each step returns a Ready batch. Run its effects IN ORDER: the persist comes first and must be
//   durable before any send or reply after it leaves (a vote or an append ack must survive a crash);
//   restore replaces the state machine with a snapshot; apply entries strictly in index order, exactly once;
//   'accepted' says where a proposal sits (answer the client when that index applies with that term);
//   'read-ready' means: serve the read once the state machine has applied up to index.
// - Nothing inside reads a clock, a timer, randomness or I/O; the same events give the same effects.
import { begin, becomeFollower, type Ctx, installSnapshot, isVoter, quorum, resetElectionTimer, send } from './ctx.js';
import { onAppend, onHeartbeat, onSnapshot } from './follower.js';
import { becomeLeader, leaderTick, onAppendResp, onHeartbeatResp, onSnapshotResp, propose, proposeConf, read, transfer } from './leader.js';
import { confAt, isUpToDate, lastIndex, lastTerm, slice, termAt } from './log.js';
import type { Effect, Membership, Message, NodeId, Persisted, RaftConfig, RaftEvent, RaftState } from './types.js';

export function restart(cfg: RaftConfig, p: Persisted, seed: number): RaftState {
  const c = begin({
    cfg, term: p.term, vote: p.vote, lead: null, role: 'follower', snapshot: p.snapshot, entries: p.entries,
    conf: confAt(p, p.entries.length > 0 ? p.entries[p.entries.length - 1]!.index : p.snapshot.meta.index),
    commit: p.snapshot.meta.index, applied: p.snapshot.meta.index, electionElapsed: 0, heartbeatElapsed: 0,
    timeout: cfg.electionTick, rng: seed >>> 0 || 1, votes: {}, progress: {}, reads: [], waiting: [], readCtx: 0,
    transferee: null, pendingConf: 0, incoming: null,
  });
  resetElectionTimer(c);
  return c.s;
}

/** What every member of a new group starts from: the initial configuration at index 0. */
export function initialPersisted(conf: Membership, data: Uint8Array = new Uint8Array()): Persisted {
  return { term: 0, vote: null, snapshot: { meta: { index: 0, term: 0, conf }, data }, entries: [] };
}

export function bootstrap(cfg: RaftConfig, conf: Membership, seed: number): RaftState {
  return restart(cfg, initialPersisted(conf), seed);
}

export function step(state: Readonly<RaftState>, ev: RaftEvent): { state: RaftState; effects: Effect[] } {
  const c = begin(state);
  const s = c.s;
  switch (ev.type) {
    case 'tick':
      if (s.role === 'leader') leaderTick(c);
      else if (++s.electionElapsed >= s.timeout && isVoter(s, s.cfg.id)) campaign(c, s.cfg.preVote ? 'pre' : 'real', false);
      break;
    case 'message': onMessage(c, ev.msg); break;
    case 'propose': propose(c, ev.id, ev.data); break;
    case 'propose-conf': proposeConf(c, ev.id, ev.change); break;
    case 'read': read(c, ev.id); break;
    case 'transfer': transfer(c, ev.to); break;
    case 'compact': compact(c, ev.index, ev.data); break;
  }
  if (s.commit > s.applied) {
    for (const e of slice(s, s.applied + 1, s.commit)) c.applies.push(e);
    s.applied = s.commit;
  }
  return { state: s, effects: finish(state, c) };
}

function finish(before: Readonly<RaftState>, c: Ctx): Effect[] {
  const s = c.s;
  const out: Effect[] = [];
  const persist: Effect[] = [];
  if (s.term !== before.term || s.vote !== before.vote || c.logFrom !== Infinity || c.snapChanged) {
    persist.push({
      type: 'persist', term: s.term, vote: s.vote,
      ...(c.snapChanged ? { snapshot: s.snapshot } : {}),
      ...(c.logFrom !== Infinity ? { entries: { from: c.logFrom, entries: slice(s, c.logFrom, lastIndex(s)) } } : {}),
    });
  }
  if (c.restore) persist.push({ type: 'restore', snapshot: c.restore });
  const sends: Effect[] = c.sends.map((msg) => ({ type: 'send', msg }));
  const replies = c.replies;
  // Loops, not spreads into push: a batch's effects are unbounded (test/unit/large-replies.test.ts).
  const add = (es: readonly Effect[]) => {
    for (const e of es) out.push(e);
  };
  if (s.cfg.bugs?.sendBeforePersist) {
    add(sends);
    add(replies);
    add(persist);
  } else {
    add(persist);
    add(sends);
  }
  if (c.applies.length > 0) out.push({ type: 'apply', entries: c.applies });
  if (!s.cfg.bugs?.sendBeforePersist) add(replies);
  return out;
}

function compact(c: Ctx, index: number, data: Uint8Array): void {
  const s = c.s;
  if (index <= s.snapshot.meta.index || index > s.applied) return;
  const snap = { meta: { index, term: termAt(s, index)!, conf: confAt(s, index) }, data };
  installSnapshot(c, snap);
  c.restore = null; // the host made it from its own state machine
}

/** Pre-vote (§9.6) asks "would you vote for me?" without raising any term, so a node that was cut off
 *  cannot disrupt a healthy group when it comes back; the real campaign follows a pre-vote majority. */
function campaign(c: Ctx, kind: 'pre' | 'real', force: boolean): void {
  const s = c.s;
  s.votes = {};
  s.lead = null;
  resetElectionTimer(c);
  if (kind === 'pre') s.role = 'pre-candidate';
  else { s.role = 'candidate'; s.term++; s.vote = s.cfg.id; }
  s.votes[s.cfg.id] = true;
  if (tally(c)) return;
  const term = kind === 'pre' ? s.term + 1 : s.term;
  for (const to of s.conf.voters) {
    if (to === s.cfg.id) continue;
    send(c, { type: kind === 'pre' ? 'prevote' : 'vote', to, term, lastIndex: lastIndex(s), lastTerm: lastTerm(s), force });
  }
}

/** Count votes: a majority wins (the pre-vote moves on to the real campaign); a majority against loses. */
function tally(c: Ctx): boolean {
  const s = c.s;
  let yes = 0, no = 0;
  for (const v of s.conf.voters) { if (s.votes[v] === true) yes++; else if (s.votes[v] === false) no++; }
  if (yes >= quorum(s)) {
    if (s.role === 'pre-candidate') campaign(c, 'real', false);
    else becomeLeader(c);
    return true;
  }
  if (s.conf.voters.length - no < quorum(s)) { becomeFollower(c, s.term, null); return true; }
  return false;
}

function onMessage(c: Ctx, m: Message): void {
  const s = c.s;
  if (m.to !== s.cfg.id) return;
  if (m.term > s.term) {
    if (m.type === 'prevote' || m.type === 'vote') {
      // Within a leader's lease (heard from it less than an election timeout ago) ignore campaigns,
      // unless a leadership transfer forces one: with check-quorum, that leader is still in charge.
      const inLease = s.cfg.checkQuorum && s.lead !== null && s.electionElapsed < s.cfg.electionTick;
      if (inLease && !m.force) return;
    }
    const keepTerm = m.type === 'prevote' || (m.type === 'prevote-resp' && !m.reject);
    if (!keepTerm) {
      const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
      becomeFollower(c, m.term, fromLeader ? m.from : null);
    }
  } else if (m.term < s.term) {
    // A stale leader learns our term from the reply and steps down; a stale pre-candidate is refused.
    if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
      send(c, { type: 'append-resp', to: m.from, reject: false, index: 0, hintIndex: 0, hintTerm: 0 });
    } else if (m.type === 'prevote') {
      send(c, { type: 'prevote-resp', to: m.from, reject: true });
    }
    return;
  }
  switch (m.type) {
    case 'prevote':
    case 'vote': return onVote(c, m);
    case 'prevote-resp':
    case 'vote-resp': {
      const pre = m.type === 'prevote-resp';
      if (pre ? s.role !== 'pre-candidate' : s.role !== 'candidate') return;
      if (pre && !m.reject && m.term !== s.term + 1) return; // from an older pre-campaign
      s.votes[m.from] = !m.reject;
      tally(c);
      return;
    }
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      if (s.role === 'leader') return; // same term, another leader: impossible while election safety holds
      if (s.role !== 'follower') becomeFollower(c, m.term, m.from);
      s.lead = m.from;
      s.electionElapsed = 0;
      if (m.type === 'append') onAppend(c, m);
      else if (m.type === 'heartbeat') onHeartbeat(c, m);
      else onSnapshot(c, m);
      return;
    case 'append-resp':
    case 'heartbeat-resp':
    case 'snapshot-resp': {
      const pr = s.role === 'leader' ? s.progress[m.from] : undefined;
      if (!pr) return;
      pr.active = true;
      if (m.type === 'append-resp') onAppendResp(c, m);
      else if (m.type === 'heartbeat-resp') onHeartbeatResp(c, m);
      else onSnapshotResp(c, m);
      return;
    }
    case 'timeout-now':
      if (s.role !== 'leader' && isVoter(s, s.cfg.id)) campaign(c, 'real', true);
      return;
  }
}

function onVote(c: Ctx, m: Extract<Message, { type: 'prevote' | 'vote' }>): void {
  const s = c.s;
  const pre = m.type === 'prevote';
  const canVote = s.vote === m.from || (s.vote === null && s.lead === null) || (pre && m.term > s.term);
  const upToDate = !!s.cfg.bugs?.voteWithoutLogCheck || isUpToDate(s, m.lastIndex, m.lastTerm);
  const type = pre ? 'prevote-resp' : 'vote-resp';
  if (canVote && upToDate) {
    // A pre-vote grant answers in the candidate's future term; a real one is persisted before it is sent.
    send(c, { type, to: m.from, term: m.term, reject: false });
    if (!pre) { s.vote = m.from; s.electionElapsed = 0; }
  } else {
    send(c, { type, to: m.from, reject: true });
  }
}

export const isLeader = (s: RaftState): boolean => s.role === 'leader';
export const leaderOf = (s: RaftState): NodeId | null => s.lead;
