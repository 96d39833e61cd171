// The leader's side: the election no-op, replication and repair, commit, ReadIndex, snapshots in chunks,
// leadership transfer and single-server membership changes.
import { becomeFollower, type Ctx, hasQuorum, isVoter, members, reject, resetElectionTimer, send, writeLog } from './ctx.js';
import { findConflictByTerm, lastIndex, slice, snapIndex, termAt } from './log.js';
import type { ConfChange, Entry, Membership, Message, NodeId, Progress } from './types.js';

type Resp<T extends Message['type']> = Extract<Message, { type: T }>;

function newProgress(c: Ctx, id: NodeId): Progress {
  const last = lastIndex(c.s);
  return { match: id === c.s.cfg.id ? last : 0, next: last + 1, mode: 'probe', paused: false, active: true, snapIndex: 0, snapOffset: 0 };
}

/** Progress for exactly the members of the latest configuration (plus the leader itself). */
function syncProgress(c: Ctx): void {
  const s = c.s;
  const want = new Set([...members(s), s.cfg.id]);
  for (const id of Object.keys(s.progress)) if (!want.has(id)) delete s.progress[id];
  for (const id of want) if (!s.progress[id]) s.progress[id] = newProgress(c, id);
}

function appendLeader(c: Ctx, items: Omit<Entry, 'index' | 'term'>[]): number {
  const s = c.s;
  let i = lastIndex(s);
  writeLog(c, items.map((e) => ({ ...e, index: ++i, term: s.term })));
  const self = s.progress[s.cfg.id];
  if (self) { self.match = i; self.next = i + 1; }
  if (items.some((e) => e.kind === 'conf')) syncProgress(c);
  return i;
}

export function becomeLeader(c: Ctx): void {
  const s = c.s;
  s.role = 'leader';
  s.lead = s.cfg.id;
  s.transferee = null;
  s.heartbeatElapsed = 0;
  s.votes = {};
  resetElectionTimer(c);
  s.progress = {};
  syncProgress(c);
  // The no-op commits everything before it and tells the leader its commit index (§5.4.2, §6.4); until
  // it is applied no configuration change may start (the fix to single-server changes, Ongaro 2015).
  s.pendingConf = s.cfg.bugs?.noNoop ? lastIndex(s) : appendLeader(c, [{ kind: 'noop' }]);
  bcastAppend(c);
  maybeCommit(c);
}

/** The highest index a quorum of voters stores. */
function quorumMatch(c: Ctx): number {
  const s = c.s;
  const m = s.conf.voters.map((id) => s.progress[id]?.match ?? 0).sort((a, b) => b - a);
  return m[Math.floor(s.conf.voters.length / 2)] ?? 0;
}

export function maybeCommit(c: Ctx): boolean {
  const s = c.s;
  const q = quorumMatch(c);
  if (q <= s.commit) return false;
  // Only an entry of the current term commits by counting replicas; older ones commit under it (§5.4.2).
  if (!s.cfg.bugs?.commitOldTerm && termAt(s, q) !== s.term) return false;
  s.commit = q;
  afterCommit(c);
  return true;
}

const readyForReads = (c: Ctx): boolean => !!c.s.cfg.bugs?.noNoop || termAt(c.s, c.s.commit) === c.s.term;

function afterCommit(c: Ctx): void {
  const s = c.s;
  if (s.waiting.length > 0 && readyForReads(c)) {
    const ids = s.waiting;
    s.waiting = [];
    for (const id of ids) startRead(c, id);
  }
  // A leader removed from the voters hands over once that change is committed (§4.2.2).
  if (!isVoter(s, s.cfg.id) && s.pendingConf <= s.commit) becomeFollower(c, s.term, null);
}

export function sendAppend(c: Ctx, to: NodeId): void {
  const s = c.s;
  const pr = s.progress[to];
  if (!pr || pr.mode === 'snapshot' || (pr.mode === 'probe' && pr.paused)) return;
  const prevIndex = pr.next - 1;
  const prevTerm = termAt(s, prevIndex);
  if (prevTerm === undefined) {
    // The follower needs entries we compacted away: catch it up with the snapshot instead.
    pr.mode = 'snapshot';
    pr.snapIndex = snapIndex(s);
    pr.snapOffset = 0;
    sendChunk(c, to);
    return;
  }
  const last = Math.min(lastIndex(s), prevIndex + s.cfg.maxEntriesPerAppend);
  const entries = last > prevIndex ? slice(s, prevIndex + 1, last) : [];
  send(c, { type: 'append', to, prevIndex, prevTerm, entries, commit: s.commit });
  if (pr.mode === 'replicate') pr.next = last + 1;
  else pr.paused = true;
}

function sendChunk(c: Ctx, to: NodeId): void {
  const s = c.s;
  const pr = s.progress[to]!;
  if (pr.snapIndex !== snapIndex(s)) { pr.snapIndex = snapIndex(s); pr.snapOffset = 0; }
  const data = s.snapshot.data;
  const chunk = data.subarray(pr.snapOffset, pr.snapOffset + s.cfg.snapshotChunkBytes);
  send(c, { type: 'snapshot', to, meta: s.snapshot.meta, offset: pr.snapOffset, chunk, done: pr.snapOffset + chunk.length >= data.length });
}

export function bcastAppend(c: Ctx): void {
  for (const id of members(c.s)) if (id !== c.s.cfg.id) sendAppend(c, id);
}

function bcastHeartbeat(c: Ctx, ctx: number): void {
  const s = c.s;
  for (const id of members(s)) {
    if (id === s.cfg.id) continue;
    const pr = s.progress[id]!;
    // Never tell a follower a commit index beyond what it is known to store.
    send(c, { type: 'heartbeat', to: id, commit: Math.min(pr.match, s.commit), ctx });
  }
}

export function leaderTick(c: Ctx): void {
  const s = c.s;
  s.heartbeatElapsed++;
  s.electionElapsed++;
  if (s.electionElapsed >= s.cfg.electionTick) {
    s.electionElapsed = 0;
    // Check quorum: a leader that has not heard from a majority for an election timeout steps down,
    // so a partitioned leader stops accepting writes it can never commit.
    if (s.cfg.checkQuorum) {
      if (!hasQuorum(s, (id) => id === s.cfg.id || !!s.progress[id]?.active)) { becomeFollower(c, s.term, null); return; }
      for (const [id, pr] of Object.entries(s.progress)) pr.active = id === s.cfg.id;
    }
    s.transferee = null; // a transfer that did not finish within an election timeout is abandoned
  }
  if (s.heartbeatElapsed >= s.cfg.heartbeatTick) {
    s.heartbeatElapsed = 0;
    bcastHeartbeat(c, s.reads.length > 0 ? s.readCtx : 0);
    for (const [id, pr] of Object.entries(s.progress)) if (pr.mode === 'snapshot') sendChunk(c, id);
  }
}

export function onAppendResp(c: Ctx, m: Resp<'append-resp'>): void {
  const s = c.s;
  const pr = s.progress[m.from]!;
  if (m.reject) {
    // Ignore stale rejections (duplicated or reordered); else back off to the hinted match point.
    if (pr.mode === 'replicate') {
      if (m.index <= pr.match) return;
      pr.next = pr.match + 1;
    } else {
      if (pr.mode === 'snapshot' || m.index !== pr.next - 1) return;
      const probe = m.hintTerm > 0 ? findConflictByTerm(s, m.hintIndex, m.hintTerm) : m.hintIndex;
      pr.next = Math.max(Math.min(m.index, probe + 1), pr.match + 1);
    }
    pr.mode = 'probe';
    pr.paused = false;
    sendAppend(c, m.from);
    return;
  }
  if (m.index > pr.match) {
    pr.match = m.index;
    pr.next = Math.max(pr.next, m.index + 1);
    if (pr.mode !== 'replicate') { pr.mode = 'replicate'; pr.paused = false; }
    if (maybeCommit(c)) bcastAppend(c);
    else if (pr.next <= lastIndex(s)) sendAppend(c, m.from);
  } else if (pr.mode === 'probe') {
    pr.paused = false;
    if (pr.next <= lastIndex(s)) sendAppend(c, m.from);
  }
  if (s.role === 'leader' && m.from === s.transferee && pr.match === lastIndex(s)) send(c, { type: 'timeout-now', to: m.from });
}

export function onHeartbeatResp(c: Ctx, m: Resp<'heartbeat-resp'>): void {
  const s = c.s;
  const pr = s.progress[m.from]!;
  if (pr.mode === 'probe') pr.paused = false;
  if (pr.match < lastIndex(s)) sendAppend(c, m.from);
  if (m.ctx === 0 || s.reads.length === 0) return;
  // A response to round k confirms our leadership after every read registered before round k.
  s.reads = s.reads.map((r) => (r.ctx <= m.ctx && !r.acks.includes(m.from) ? { ...r, acks: [...r.acks, m.from] } : r));
  let k = -1;
  s.reads.forEach((r, i) => { if (hasQuorum(s, (id) => r.acks.includes(id))) k = i; });
  for (const r of s.reads.slice(0, k + 1)) c.replies.push({ type: 'reply', kind: 'read-ready', id: r.id, index: r.index });
  s.reads = s.reads.slice(k + 1);
}

export function onSnapshotResp(c: Ctx, m: Resp<'snapshot-resp'>): void {
  const pr = c.s.progress[m.from]!;
  if (m.done) {
    // The follower now stores (or had committed) everything up to m.index.
    pr.match = Math.max(pr.match, m.index);
    pr.next = pr.match + 1;
    pr.mode = 'probe';
    pr.paused = false;
    if (maybeCommit(c)) bcastAppend(c);
    else sendAppend(c, m.from);
    return;
  }
  if (pr.mode !== 'snapshot' || m.index !== pr.snapIndex) return;
  pr.snapOffset = m.offset;
  sendChunk(c, m.from);
}

/** ReadIndex (§6.4): remember the commit index, then confirm leadership with a heartbeat quorum. */
export function read(c: Ctx, id: string): void {
  const s = c.s;
  if (s.role !== 'leader') return reject(c, id, 'not-leader');
  if (!readyForReads(c)) { s.waiting.push(id); return; }
  startRead(c, id);
}

function startRead(c: Ctx, id: string): void {
  const s = c.s;
  const self = isVoter(s, s.cfg.id) ? [s.cfg.id] : [];
  if (s.cfg.bugs?.readWithoutHeartbeat || hasQuorum(s, (v) => self.includes(v))) {
    c.replies.push({ type: 'reply', kind: 'read-ready', id, index: s.commit });
    return;
  }
  s.readCtx++;
  s.reads.push({ id, index: s.commit, ctx: s.readCtx, acks: self });
  bcastHeartbeat(c, s.readCtx);
}

export function propose(c: Ctx, id: string, data: Uint8Array): void {
  const s = c.s;
  if (s.role !== 'leader') return reject(c, id, 'not-leader');
  if (s.transferee) return reject(c, id, 'transferring');
  const index = appendLeader(c, [{ kind: 'normal', data }]);
  c.replies.push({ type: 'reply', kind: 'accepted', id, index, term: s.term });
  bcastAppend(c);
  maybeCommit(c);
}

/** One server at a time; a learner becomes a voter only once it stores everything committed. */
export function proposeConf(c: Ctx, id: string, ch: ConfChange): void {
  const s = c.s;
  if (s.role !== 'leader') return reject(c, id, 'not-leader');
  if (s.transferee) return reject(c, id, 'transferring');
  if (s.pendingConf > s.applied) return reject(c, id, 'conf-pending');
  const { voters, learners } = s.conf;
  const known = voters.includes(ch.node) || learners.includes(ch.node);
  let next: Membership;
  if (ch.op === 'add-learner') {
    if (known) return reject(c, id, 'invalid-conf');
    next = { voters, learners: [...learners, ch.node] };
  } else if (ch.op === 'promote') {
    if (!learners.includes(ch.node)) return reject(c, id, 'invalid-conf');
    if ((s.progress[ch.node]?.match ?? 0) < s.commit) return reject(c, id, 'not-caught-up');
    next = { voters: [...voters, ch.node], learners: learners.filter((x) => x !== ch.node) };
  } else {
    if (!known || (voters.length === 1 && voters[0] === ch.node)) return reject(c, id, 'invalid-conf');
    next = { voters: voters.filter((x) => x !== ch.node), learners: learners.filter((x) => x !== ch.node) };
  }
  const index = appendLeader(c, [{ kind: 'conf', conf: next }]);
  s.pendingConf = index;
  c.replies.push({ type: 'reply', kind: 'accepted', id, index, term: s.term });
  bcastAppend(c);
  maybeCommit(c);
}

/** Leadership transfer (§3.10): bring the target up to date, then tell it to campaign at once. */
export function transfer(c: Ctx, to: NodeId): void {
  const s = c.s;
  if (s.role !== 'leader' || to === s.cfg.id || !isVoter(s, to) || s.transferee === to) return;
  s.transferee = to;
  s.electionElapsed = 0;
  const pr = s.progress[to]!;
  if (pr.match === lastIndex(s)) send(c, { type: 'timeout-now', to });
  else sendAppend(c, to);
}
