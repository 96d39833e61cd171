// The Raft core's vocabulary: entries, snapshots, messages, events in, effects out, and its state.
export type NodeId = string;

/** A group's configuration. Voters count for elections and commit; learners only receive the log. */
export interface Membership { readonly voters: readonly NodeId[]; readonly learners: readonly NodeId[] }

/** 'noop' is the entry a new leader appends; 'conf' carries the whole next Membership. */
export type EntryKind = 'noop' | 'normal' | 'conf';
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  readonly data?: Uint8Array;
  readonly conf?: Membership;
}

/** A snapshot: opaque state-machine bytes (the host's RDB-format base) covering the log up to index. */
export interface SnapshotMeta { readonly index: number; readonly term: number; readonly conf: Membership }
export interface Snapshot { readonly meta: SnapshotMeta; readonly data: Uint8Array }

/** What a host keeps in stable storage, and hands back on restart. */
export interface Persisted {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly snapshot: Snapshot;
  readonly entries: readonly Entry[];
}

interface Envelope { readonly from: NodeId; readonly to: NodeId; readonly term: number }
export type Message = Envelope & (
  | { readonly type: 'prevote' | 'vote'; readonly lastIndex: number; readonly lastTerm: number; readonly force: boolean }
  | { readonly type: 'prevote-resp' | 'vote-resp'; readonly reject: boolean }
  | { readonly type: 'append'; readonly prevIndex: number; readonly prevTerm: number; readonly entries: readonly Entry[]; readonly commit: number }
  // On reject, index is the rejected prevIndex and hint{Index,Term} the follower's guess of the match point.
  | { readonly type: 'append-resp'; readonly reject: boolean; readonly index: number; readonly hintIndex: number; readonly hintTerm: number }
  // ctx > 0 ties a heartbeat round to pending ReadIndex requests.
  | { readonly type: 'heartbeat'; readonly commit: number; readonly ctx: number }
  | { readonly type: 'heartbeat-resp'; readonly ctx: number }
  | { readonly type: 'snapshot'; readonly meta: SnapshotMeta; readonly offset: number; readonly chunk: Uint8Array; readonly done: boolean }
  // offset: the next byte the follower wants; done: it now holds the snapshot (or already had it committed).
  | { readonly type: 'snapshot-resp'; readonly index: number; readonly offset: number; readonly done: boolean }
  | { readonly type: 'timeout-now' });
export type MessageType = Message['type'];

export type ConfChange = { readonly op: 'add-learner' | 'promote' | 'remove'; readonly node: NodeId };

export type RaftEvent =
  | { readonly type: 'tick' }
  | { readonly type: 'message'; readonly msg: Message }
  | { readonly type: 'propose'; readonly id: string; readonly data: Uint8Array }
  | { readonly type: 'propose-conf'; readonly id: string; readonly change: ConfChange }
  | { readonly type: 'read'; readonly id: string }
  | { readonly type: 'transfer'; readonly to: NodeId }
  // The host serialized its state machine at `index` (≤ applied): the log up to there may go.
  | { readonly type: 'compact'; readonly index: number; readonly data: Uint8Array };

export type RejectReason = 'not-leader' | 'transferring' | 'conf-pending' | 'not-caught-up' | 'invalid-conf';

export type Effect =
  // Write to stable storage: term and vote; then the snapshot (keep the log after it only if the entry at its
  // index has its term, else drop the log); then entries (drop every stored entry ≥ from, append these).
  | { readonly type: 'persist'; readonly term: number; readonly vote: NodeId | null; readonly snapshot?: Snapshot;
      readonly entries?: { readonly from: number; readonly entries: readonly Entry[] } }
  | { readonly type: 'restore'; readonly snapshot: Snapshot }
  | { readonly type: 'send'; readonly msg: Message }
  | { readonly type: 'apply'; readonly entries: readonly Entry[] }
  | { readonly type: 'reply'; readonly kind: 'accepted'; readonly id: string; readonly index: number; readonly term: number }
  | { readonly type: 'reply'; readonly kind: 'read-ready'; readonly id: string; readonly index: number }
  | { readonly type: 'reply'; readonly kind: 'rejected'; readonly id: string; readonly reason: RejectReason; readonly leader: NodeId | null };

/**
 * Deliberate bugs for proving the simulation catches them. Test-only: never set in production.
 * - noNoop: no no-op on election; with nothing of its own term to wait for, the leader serves reads at once.
 * - readWithoutHeartbeat: ReadIndex answers at the commit index without a heartbeat quorum.
 * - commitOldTerm: commit whatever a quorum stores, even an entry of an older term (Raft paper, figure 8).
 * - sendBeforePersist: a batch's sends and replies come before its persist (acks and votes before fsync).
 * - voteWithoutLogCheck: grant votes without the candidate-is-up-to-date check.
 */
export interface InjectedBugs {
  readonly noNoop?: boolean;
  readonly readWithoutHeartbeat?: boolean;
  readonly commitOldTerm?: boolean;
  readonly sendBeforePersist?: boolean;
  readonly voteWithoutLogCheck?: boolean;
}

export interface RaftConfig {
  readonly id: NodeId;
  /** Minimum election timeout in ticks; each timeout is drawn from [electionTick, 2·electionTick). */
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxEntriesPerAppend: number;
  readonly snapshotChunkBytes: number;
  readonly bugs?: InjectedBugs;
}

/** The defaults: ticks of 100 ms, election timeout 1000–2000 ms, heartbeat 500 ms. */
export const TICK_MS = 100;
export function defaultConfig(id: NodeId, over: Partial<Omit<RaftConfig, 'id'>> = {}): RaftConfig {
  return { id, electionTick: 10, heartbeatTick: 5, preVote: true, checkQuorum: true, maxEntriesPerAppend: 64, snapshotChunkBytes: 64 * 1024, ...over };
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** The leader's view of one peer (etcd's Progress). */
export interface Progress {
  match: number;
  next: number;
  mode: 'probe' | 'replicate' | 'snapshot';
  /** probe mode: one append in flight; unpaused by a response or the next heartbeat. */
  paused: boolean;
  /** heard from since the last check-quorum round. */
  active: boolean;
  snapIndex: number;
  snapOffset: number;
}

export interface PendingRead { readonly id: string; readonly index: number; readonly ctx: number; readonly acks: readonly NodeId[] }
export interface IncomingSnapshot { readonly meta: SnapshotMeta; readonly parts: readonly Uint8Array[]; readonly size: number }

/** A node's whole state. step() never mutates the one it is given. */
export interface RaftState {
  readonly cfg: RaftConfig;
  term: number;
  vote: NodeId | null;
  lead: NodeId | null;
  role: Role;
  snapshot: Snapshot;
  /** entries after snapshot.meta.index, contiguous. Entry objects and arrays are never mutated in place. */
  entries: readonly Entry[];
  /** the latest configuration in the log (single-server changes take effect when appended). */
  conf: Membership;
  commit: number;
  applied: number;
  electionElapsed: number;
  heartbeatElapsed: number;
  /** this round's randomized election timeout, in ticks. */
  timeout: number;
  /** xorshift32 state, seeded by the host: the only source of the timeouts' randomness. */
  rng: number;
  votes: Record<NodeId, boolean>;
  progress: Record<NodeId, Progress>;
  reads: PendingRead[];
  /** reads that arrived before the leader committed an entry of its term. */
  waiting: string[];
  readCtx: number;
  transferee: NodeId | null;
  /** index of the last conf entry (or the election no-op): no new change until it is applied. */
  pendingConf: number;
  incoming: IncomingSnapshot | null;
}
