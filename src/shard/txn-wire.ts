// The wire contract of cross-shard transactions: the internal commands a coordinator (the
// connection, server/) sends to participant shards, and their replies. Pure encode/decode only;
// the participant's behaviour lives in shard/txn.ts, the coordinator's in server/xshard.ts.
//
// Protocol (issue 11; ARCHITECTURE.md "Transactions across shards"): locked snapshot, then
// two-phase commit whose decision is kept by one participant, the primary.
//   1. LOCK every participant (parallel try-lock first; on BUSY release and lock again in
//      ascending shard order, waiting: ordered acquisition cannot deadlock). A locked key
//      makes every other command touching it wait, never fail. LOCK also checks WATCHed
//      versions under the lock and returns the values of the keys the transaction reads.
//   2. The coordinator runs the commands on a scratch shard holding those values; the final
//      state of each written key is the transaction's write set.
//   3. STAGE each non-primary participant's writes (logged as prepared, still locked).
//   4. COMMIT at the primary with its own writes: one logged unit that is the decision.
//   5. COMMIT the others. A participant whose lease ends while staged asks the primary
//      (STATUS); a primary asked about an undecided transaction past its lease decides abort.
// Internal command names start with NUL: not in any command table, so no client can send one.

import type { Frame } from '../protocol/frame.js';

export const TX_LOCK = '\0tx-lock';
export const TX_STAGE = '\0tx-stage';
export const TX_COMMIT = '\0tx-commit';
export const TX_ABORT = '\0tx-abort';
export const TX_STATUS = '\0tx-status';
/** Wait (blocking) until one of the keys is signalled ready, or the timeout: cross-shard blocking pops. */
export const TX_WAIT = '\0tx-wait';

/** A watched key's version as WATCH read it (engine/watch.ts). */
export interface WatchedVersion {
  key: string;
  epoch: number;
  ver: number;
}

export interface LockRequest {
  txid: string;
  /** The shard keeping the decision. */
  primary: number;
  /** The locks end by themselves after this long (the coordinator vanished). */
  leaseMs: number;
  /** Database index (SELECT). */
  db: number;
  /** true: wait for conflicting locks (ordered phase); false: answer BUSY at once (try phase). */
  wait: boolean;
  /** Keys whose values the coordinator needs (DUMP payload + absolute expiry). */
  read: string[];
  /** Keys only written (locked, value not sent). */
  write: string[];
  watches: WatchedVersion[];
}

/** One key's state: absent, or a DUMP payload with its absolute expiry in ms (-1: none). */
export type KeyState = { key: string; value: null } | { key: string; value: string; expireAt: number };

export type LockReply =
  | { t: 'locked'; states: KeyState[] }
  /** A watched key changed: nothing stays locked. */
  | { t: 'watch-failed' }
  /** Try phase only: a key is locked by another transaction; nothing stays locked. */
  | { t: 'busy' };

export interface StageRequest {
  txid: string;
  db: number;
  /** Final states of this participant's written keys (value null: deleted). */
  writes: KeyState[];
  /** Keyspace notifications to publish at commit: [channel, message] pairs. */
  notes: Array<[string, string]>;
}

/** COMMIT: at the primary it carries the primary's own writes (it is the decision); elsewhere writes are empty. */
export type CommitRequest = StageRequest;

export type Decision = 'committed' | 'aborted' | 'pending';

const LOCKED = 'locked';

// ---- encoding: every message is one argv; every reply one Frame-compatible array of strings ----

export function encodeLock(r: LockRequest): string[] {
  const a = [TX_LOCK, r.txid, String(r.primary), String(r.leaseMs), String(r.db), r.wait ? '1' : '0', String(r.read.length), String(r.write.length), String(r.watches.length)];
  for (const k of r.read) a.push(k);
  for (const k of r.write) a.push(k);
  for (const w of r.watches) a.push(w.key, String(w.epoch), String(w.ver));
  return a;
}

export function decodeLock(a: readonly string[]): LockRequest | null {
  if (a[0] !== TX_LOCK || a.length < 9) return null;
  const nums = [a[2], a[3], a[4], a[6], a[7], a[8]].map((x) => Number(x));
  if (!nums.every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  const [primary, leaseMs, db, nr, nw, nwatch] = nums as [number, number, number, number, number, number];
  if (a.length !== 9 + nr + nw + 3 * nwatch) return null;
  let i = 9;
  const read = a.slice(i, (i += nr));
  const write = a.slice(i, (i += nw));
  const watches: WatchedVersion[] = [];
  for (let j = 0; j < nwatch; j++, i += 3) watches.push({ key: a[i]!, epoch: Number(a[i + 1]), ver: Number(a[i + 2]) });
  return { txid: a[1]!, primary, leaseMs, db, wait: a[5] === '1', read, write, watches };
}

/** LOCK's reply as strings: ['locked', key, '0'] per absent key, [key, '1', payload, expireAt] per present one. */
export function encodeLockReply(r: LockReply): string[] {
  if (r.t !== LOCKED) return [r.t];
  const a = [LOCKED];
  for (const s of r.states) {
    if (s.value === null) a.push(s.key, '0');
    else a.push(s.key, '1', s.value, String(s.expireAt));
  }
  return a;
}

export function decodeLockReply(a: readonly string[]): LockReply | null {
  if (a[0] === 'watch-failed' || a[0] === 'busy') return a.length === 1 ? { t: a[0] } : null;
  if (a[0] !== LOCKED) return null;
  const states: KeyState[] = [];
  for (let i = 1; i < a.length; ) {
    const key = a[i]!;
    if (a[i + 1] === '0') {
      states.push({ key, value: null });
      i += 2;
    } else if (a[i + 1] === '1' && i + 3 < a.length) {
      states.push({ key, value: a[i + 2]!, expireAt: Number(a[i + 3]) });
      i += 4;
    } else return null;
  }
  return { t: LOCKED, states };
}

function encodeWrites(name: string, r: StageRequest): string[] {
  const a = [name, r.txid, String(r.db), String(r.writes.length), String(r.notes.length)];
  for (const s of r.writes) {
    if (s.value === null) a.push(s.key, '0');
    else a.push(s.key, '1', s.value, String(s.expireAt));
  }
  for (const [ch, msg] of r.notes) a.push(ch, msg);
  return a;
}

function decodeWrites(name: string, a: readonly string[]): StageRequest | null {
  if (a[0] !== name || a.length < 5) return null;
  const db = Number(a[2]);
  const nw = Number(a[3]);
  const nn = Number(a[4]);
  if (![db, nw, nn].every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  const writes: KeyState[] = [];
  let i = 5;
  for (let j = 0; j < nw; j++) {
    const key = a[i];
    if (key === undefined) return null;
    if (a[i + 1] === '0') {
      writes.push({ key, value: null });
      i += 2;
    } else if (a[i + 1] === '1' && i + 3 < a.length) {
      writes.push({ key, value: a[i + 2]!, expireAt: Number(a[i + 3]) });
      i += 4;
    } else return null;
  }
  if (a.length !== i + 2 * nn) return null;
  const notes: Array<[string, string]> = [];
  for (let j = 0; j < nn; j++, i += 2) notes.push([a[i]!, a[i + 1]!]);
  return { txid: a[1]!, db, writes, notes };
}

export const encodeStage = (r: StageRequest) => encodeWrites(TX_STAGE, r);
export const decodeStage = (a: readonly string[]) => decodeWrites(TX_STAGE, a);
export const encodeCommit = (r: CommitRequest) => encodeWrites(TX_COMMIT, r);
export const decodeCommit = (a: readonly string[]) => decodeWrites(TX_COMMIT, a);

/** STAGE / COMMIT / ABORT reply: 'ok', or 'aborted' (the participant no longer holds the transaction: its lease ended, or it restarted before staging). */
export type AckReply = 'ok' | 'aborted';

export const encodeAbort = (txid: string): string[] => [TX_ABORT, txid];
export const encodeStatus = (txid: string): string[] => [TX_STATUS, txid];
/** TX_WAIT timeoutMs db key… → '1' when a key was signalled ready, '0' at the timeout. */
export const encodeWait = (timeoutMs: number, db: number, keys: readonly string[]): string[] => [TX_WAIT, String(timeoutMs), String(db), ...keys];

// ---- transport: a request is a batch of one argv; its reply the batch's one Frame ----

/** A reply as the one Frame a participant answers (an array of bulk strings). */
export function replyFrame(a: readonly string[]): Frame {
  return { t: 'arr', v: a.map((s) => ({ t: 'bulk', v: s }) as Frame) };
}

/** The reply strings from a participant's Frame; null when it is not one (an error reply). */
export function replyStrings(f: Frame | undefined): string[] | null {
  if (!f || f.t !== 'arr') return null;
  const out: string[] = [];
  for (const x of f.v) {
    if (x.t !== 'bulk') return null;
    out.push(x.v);
  }
  return out;
}

/** Whether an argv is a transaction request (the shard host answers it, not the command table). */
export const isTxRequest = (argv: readonly string[]): boolean => argv.length > 0 && argv[0]!.startsWith('\0tx-');
