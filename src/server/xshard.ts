// The coordinator of work over keys of several shards (standalone mode, issue 11): lock, run on a scratch shard, two-phase commit.
//
// The protocol is txn-wire.ts's (its header is the contract); this file is its coordinating
// side, pure over a peer port (`send(shard, argv) → reply strings`), with the txid generator and
// the clock injected. One unit — a multi-key command, a MULTI queue, a REST /multi-exec — runs so:
//   1. LOCK every shard holding one of its keys (or a watched key), all in parallel with
//      wait=false. Any BUSY: release what was locked, then lock again in ascending shard order,
//      waiting (a fresh txid: the first may be remembered as aborted). Ordered acquisition cannot
//      deadlock; the try phase keeps the common case at one round trip. LOCK returns every key's
//      state (DUMP payload + absolute expiry) and checks the WATCHed versions under the lock.
//   2. Run the commands on a scratch pure Shard loaded with those states: replies are Redis's
//      (the same handlers), and the keys named by the run's effects are the write set, taken as
//      final states (DUMP or null) with the keyspace notifications the run raised.
//   3. STAGE the write sets of the non-primaries (primary = lowest participant shard), then
//      COMMIT at the primary with its own writes and every notification: that logged unit is the
//      decision. Then COMMIT the others; participants that only read are released (ABORT).
//   Any failure before the primary's COMMIT aborts everywhere. Read-only work locks, reads and
//   releases: no client observes a half-applied transaction, fan-out reads (MGET) included.
// Locks are held from the lock point to the decision (two-phase locking), so histories are
// serializable (test/helpers/elle.ts checks it; `bug` plants the variant it must catch).
import { SLOTS, type SlotMap } from '../cluster/slot.js';
import { SHARD_TABLE, keyPositions, lookupIn } from '../commands/table.js';
import { readOnlyKeys } from '../commands/keyspec.js';
import type { CommandSpec } from '../commands/types.js';
import type { Clock } from '../engine/clock.js';
import { err, type Frame } from '../protocol/frame.js';
import type { Proto } from '../protocol/resp-encode.js';
import { Shard } from '../shard/shard.js';
import { readKeyState, writeCommands } from '../shard/txn-host.js';
import {
  decodeLockReply, encodeAbort, encodeCommit, encodeLock, encodeStage, encodeStatus,
  type KeyState, type LockReply, type WatchedVersion,
} from '../shard/txn-wire.js';

/** How long a transaction's locks outlive a coordinator that vanished. */
export const XSHARD_LEASE_MS = 10_000;

export interface XShardEnv {
  readonly slots: SlotMap;
  /** One wire request to a shard; its reply strings. Rejects when the shard cannot be reached. */
  send(shard: number, argv: string[]): Promise<string[]>;
  /** One plain batch on a shard (CONFIG GET of the notification flags). */
  plain(shard: number, batch: string[][]): Promise<Frame[]>;
  txid(): string;
  clock: Clock;
  leaseMs?: number;
  /** Test-only broken variant: keys the unit only reads are read without a lock, before the locks. */
  bug?: 'unlocked-reads';
}

/** One command of a unit, checked by the connection (spec and key positions found once). */
export interface XCommand {
  spec: CommandSpec;
  argv: string[];
  pos: readonly number[];
}

/** A watched key's version, with the shard that keeps it. */
export interface XWatch extends WatchedVersion {
  shard: number;
}

export type XResult =
  | { t: 'ok'; replies: Frame[] }
  /** A watched key changed: nothing ran. */
  | { t: 'watch-failed' }
  /** Nothing ran (or, past the decision, everything did: `reply` says which). */
  | { t: 'error'; reply: Frame; cause?: unknown };

interface Part {
  read: string[];
  watches: WatchedVersion[];
}

class Failed extends Error {
  constructor(
    readonly why: string,
    override readonly cause?: unknown,
  ) {
    super(why);
  }
}

const FULL: [number, number] = [0, SLOTS - 1];

/** Run a unit of commands over keys of several shards atomically (see the header). */
export async function runAcross(env: XShardEnv, cmds: readonly XCommand[], watches: readonly XWatch[], db: number, resp: Proto): Promise<XResult> {
  // The scratch holds the locked keys of one db: what reaches another db cannot be collected.
  for (const c of cmds) if (otherDb(c.argv)) return { t: 'error', reply: err(`ERR '${c.spec.name}' to another database cannot run across shards yet`) };
  const parts = new Map<number, Part>();
  const part = (s: number): Part => {
    let p = parts.get(s);
    if (!p) parts.set(s, (p = { read: [], watches: [] }));
    return p;
  };
  const seen = new Set<string>();
  for (const c of cmds) {
    for (const p of c.pos) {
      const k = c.argv[p]!;
      if (seen.has(k)) continue;
      seen.add(k);
      part(env.slots.shardOfKey(k)).read.push(k);
    }
  }
  for (const w of watches) part(w.shard).watches.push({ key: w.key, epoch: w.epoch, ver: w.ver });
  const shards = [...parts.keys()].sort((a, b) => a - b);
  const primary = shards[0]!;
  const leaseMs = env.leaseMs ?? XSHARD_LEASE_MS;
  const held = new Set<number>();
  let txid = env.txid();
  const abortHeld = async () => {
    const ids = [...held];
    held.clear();
    await Promise.allSettled(ids.map((s) => env.send(s, encodeAbort(txid))));
  };

  let early: KeyState[] = [];
  if (env.bug === 'unlocked-reads') early = await readUnlocked(env, cmds, parts);

  const lockReq = (s: number, wait: boolean) => {
    const p = parts.get(s)!;
    return encodeLock({ txid, primary, leaseMs, db, wait, read: p.read, write: [], watches: p.watches });
  };
  const states: KeyState[] = [];
  // The notification flags of the real shards (CONFIG SET fans out to all): the scratch raises
  // the same keyspace notifications they would.
  const flags = env.plain(primary, [['CONFIG', 'GET', 'notify-keyspace-events']]).then(
    (r) => {
      const f = r[0];
      // CONFIG GET answers a map (an array in RESP2 on the wire): [name, value].
      return (f?.t === 'map' || f?.t === 'arr') && f.v[1]?.t === 'bulk' ? f.v[1].v : '';
    },
    () => '',
  );
  try {
    // 1. Try-lock everywhere at once.
    const tried = await Promise.allSettled(shards.map((s) => env.send(s, lockReq(s, false))));
    let busy = false;
    let watchFailed = false;
    let failure: Failed | undefined;
    for (let i = 0; i < tried.length; i++) {
      const r = tried[i]!;
      const s = shards[i]!;
      if (r.status === 'rejected') {
        failure ??= new Failed(`shard ${s} did not answer LOCK`, r.reason);
        continue;
      }
      const rep = decodeLockReply(r.value);
      if (!rep) failure ??= new Failed(`shard ${s} answered LOCK with ${JSON.stringify(r.value).slice(0, 80)}`);
      else if (rep.t === 'locked') {
        held.add(s);
        for (const st of rep.states) states.push(st);
      } else if (rep.t === 'busy') busy = true;
      else watchFailed = true;
    }
    if (failure) throw failure;
    if (watchFailed) {
      await abortHeld();
      return { t: 'watch-failed' };
    }
    if (busy) {
      // 1b. Someone holds a key: release all, then lock in ascending shard order, waiting.
      await abortHeld();
      states.length = 0;
      txid = env.txid();
      for (const s of shards) {
        let rep: LockReply | null;
        try {
          rep = decodeLockReply(await env.send(s, lockReq(s, true)));
        } catch (e) {
          throw new Failed(`shard ${s} did not answer LOCK`, e);
        }
        if (!rep || rep.t === 'busy') throw new Failed(`shard ${s} answered a waiting LOCK with ${rep?.t ?? 'garbage'}`);
        if (rep.t === 'watch-failed') {
          await abortHeld();
          return { t: 'watch-failed' };
        }
        held.add(s);
        for (const st of rep.states) states.push(st);
      }
    }
    if (early.length) {
      // The broken variant: what the unlocked reads saw replaces what the locks read.
      const stale = new Map(early.map((st) => [st.key, st]));
      for (let i = 0; i < states.length; i++) states[i] = stale.get(states[i]!.key) ?? states[i]!;
    }

    // 2. The scratch run.
    const now = env.clock.now();
    const scratch = new Shard({ index: 0, count: 1, slots: FULL }, env.clock, 1);
    const load = writeCommands(states.filter((st) => st.value !== null), now);
    if (load.length) {
      const r = scratch.exec(load, 2, true, null, undefined, db);
      const bad = r.replies.find((f) => f.t === 'err');
      if (bad) throw new Failed(`a locked key's state did not load: ${(bad as { v: string }).v}`);
    }
    const nf = await flags;
    if (nf) scratch.exec([['CONFIG', 'SET', 'notify-keyspace-events', nf]], 2, true, null, undefined, db);
    scratch.takeNotes();
    const run = scratch.exec(cmds.map((c) => c.argv), resp, true, null, undefined, db);
    // The wire carries channel messages only: a script's SPUBLISH inside such a transaction (rare)
    // goes out as a plain PUBLISH until txn-wire learns the shard flag.
    const notes = scratch.takeNotes().map(([ch, msg]): [string, string] => [ch, msg]);
    const written = new Set<string>();
    for (const e of run.effects) for (const k of effectKeys(e)) written.add(k);
    const writes = new Map<number, KeyState[]>();
    for (const k of written) {
      if (!seen.has(k)) throw new Failed(`the run wrote a key it did not lock`);
      const s = env.slots.shardOfKey(k);
      let l = writes.get(s);
      if (!l) writes.set(s, (l = []));
      l.push(readKeyState(scratch, now, k, db));
    }
    const replies = run.replies;
    if (writes.size === 0) {
      // Read-only: release; what it read was one consistent snapshot.
      await abortHeld();
      return { t: 'ok', replies };
    }

    // 3. Stage, decide at the primary, commit the others.
    const stagers = shards.filter((s) => s !== primary && writes.has(s));
    const staged = await Promise.allSettled(stagers.map((s) => env.send(s, encodeStage({ txid, db, writes: writes.get(s)!, notes: [] }))));
    for (let i = 0; i < staged.length; i++) {
      const r = staged[i]!;
      if (r.status === 'rejected') throw new Failed(`shard ${stagers[i]} did not answer STAGE`, r.reason);
      if (r.value[0] !== 'ok') throw new Failed(`shard ${stagers[i]} answered STAGE with ${r.value[0]}`);
    }
    let decision: string;
    try {
      decision = (await env.send(primary, encodeCommit({ txid, db, writes: writes.get(primary) ?? [], notes })))[0] ?? '';
    } catch (e) {
      // The COMMIT may or may not have been applied: the primary knows.
      decision = await env.send(primary, encodeStatus(txid)).then((a) => a[0] ?? '', () => 'unknown');
      if (decision === 'unknown' || decision === 'pending') {
        // Staged shards learn the outcome from the primary (TX_STATUS); those that only read let go now.
        const readers = [...held].filter((s) => s !== primary && !writes.has(s));
        held.clear();
        await Promise.allSettled(readers.map((s) => env.send(s, encodeAbort(txid))));
        return { t: 'error', reply: err(`CLUSTERDOWN the transaction's outcome is unknown: shard ${primary} did not answer its COMMIT`), cause: e };
      }
      if (decision === 'committed') decision = 'ok';
    }
    if (decision !== 'ok') throw new Failed(`shard ${primary} answered COMMIT with ${decision}`);
    held.delete(primary);
    const rest = [...held];
    held.clear();
    // Staged shards that miss this COMMIT ask the primary (TX_STATUS) once their lease ends.
    await Promise.allSettled(rest.map((s) => env.send(s, writes.has(s) ? encodeCommit({ txid, db, writes: [], notes: [] }) : encodeAbort(txid))));
    return { t: 'ok', replies };
  } catch (e) {
    await abortHeld();
    if (e instanceof Failed) return { t: 'error', reply: err(`CLUSTERDOWN transaction across shards not applied: ${e.why}`), cause: e.cause ?? e };
    return { t: 'error', reply: err('CLUSTERDOWN transaction across shards not applied'), cause: e };
  }
}

/** MOVE, and COPY … DB: they write a key of another database. */
function otherDb(argv: readonly string[]): boolean {
  const name = argv[0]!.toLowerCase();
  return name === 'move' || (name === 'copy' && argv.some((a, i) => i > 2 && a.toLowerCase() === 'db'));
}

/** The keys an effect (a logged command) writes. */
function effectKeys(argv: readonly string[]): string[] {
  const found = lookupIn(SHARD_TABLE, argv);
  if (!found.spec) return [];
  return keyPositions(found.spec, argv).map((p) => argv[p]!);
}

/**
 * The broken variant's reads: keys every command of the unit only reads (RO key specs), read
 * with plain DUMP/PEXPIRETIME batches before any lock is taken. Two-phase locking is broken.
 */
async function readUnlocked(env: XShardEnv, cmds: readonly XCommand[], parts: Map<number, Part>): Promise<KeyState[]> {
  const ro = new Set<string>();
  const rw = new Set<string>();
  for (const c of cmds) {
    const r = readOnlyKeys(c.spec.keySpecs, c.argv);
    for (const p of c.pos) (r.has(c.argv[p]!) ? ro : rw).add(c.argv[p]!);
  }
  const out: KeyState[] = [];
  await Promise.all(
    [...parts].map(async ([s, p]) => {
      const keys = p.read.filter((k) => ro.has(k) && !rw.has(k));
      if (!keys.length) return;
      const r = await env.plain(s, keys.flatMap((k) => [['DUMP', k], ['PEXPIRETIME', k]]));
      keys.forEach((key, i) => {
        const d = r[2 * i]!;
        const t = r[2 * i + 1]!;
        out.push(d.t === 'bulk' ? { key, value: d.v, expireAt: t.t === 'int' ? Number(t.v) : -1 } : { key, value: null });
      });
    }),
  );
  return out;
}
