// The shard host's side of cross-shard transactions: answers the wire requests (txn-wire.ts)
// with the participant (txn.ts), finds the keys a batch touches (so it waits behind locks), and
// the participant's view of the shard (key states as DUMP payloads, WATCH versions). Pure.
import { SHARD_TABLE, keyPositions, lookupIn } from '../commands/table.js';
import { dumpPayload } from '../persistence/rdb.js';
import { err, type Frame } from '../protocol/frame.js';
import type { Shard } from './shard.js';
import type { Claim, Participant } from './txn.js';
import { TX_ABORT, TX_COMMIT, TX_LOCK, TX_STAGE, TX_STATUS, decodeCommit, decodeLock, decodeStage, encodeLockReply, replyFrame, type KeyState, type WatchedVersion } from './txn-wire.js';

/**
 * What a batch run in `db` touches (one table lookup per command), so it waits for the locks it
 * meets: its keys; MOVE's and COPY … DB's key in the other db; the whole db (FLUSHDB), both
 * (SWAPDB) or every db (FLUSHALL). (SELECT never reaches a shard: batches carry their db.)
 * Session-internal WATCH commands touch nothing: a version read before a commit is checked again
 * at EXEC, which the commit's writes fail.
 */
export function batchClaims(batch: readonly string[][], db: number): Claim[] {
  const out: Claim[] = [];
  for (const argv of batch) {
    if (argv.length === 0 || argv[0]!.charCodeAt(0) === 0) continue;
    const spec = lookupIn(SHARD_TABLE, argv).spec;
    if (!spec) continue;
    switch (spec.name) {
      case 'flushall':
        return [{ db: -1, key: null }];
      case 'flushdb':
        out.push({ db, key: null });
        continue;
      case 'swapdb':
        out.push({ db: dbArg(argv[1], db), key: null }, { db: dbArg(argv[2], db), key: null });
        continue;
      case 'move':
        if (argv[1] !== undefined) out.push({ db: dbArg(argv[2], db), key: argv[1] });
        break;
      case 'copy': {
        const i = argv.findIndex((a, j) => j > 2 && a.toLowerCase() === 'db');
        if (i > 0 && argv[2] !== undefined) out.push({ db: dbArg(argv[i + 1], db), key: argv[2] });
        break;
      }
    }
    for (const p of keyPositions(spec, argv)) out.push({ db, key: argv[p]! });
  }
  return out;
}

/** A db argument; one that does not parse stays in the current db (the command fails anyway). */
function dbArg(a: string | undefined, db: number): number {
  const n = Number(a);
  return Number.isSafeInteger(n) && n >= 0 ? n : db;
}

const bad = (argv: readonly string[]): Frame[] => [err(`ERR malformed transaction request ${JSON.stringify((argv[0] ?? '').slice(1))}`)];
const one = (a: string[]): Frame[] => [replyFrame(a)];

/** A wire request answered by the participant: one Frame (an array of strings), or an error. */
export function txRequest(p: Participant, argv: readonly string[]): Frame[] | Promise<Frame[]> {
  switch (argv[0]) {
    case TX_LOCK: {
      const r = decodeLock(argv);
      if (!r) return bad(argv);
      const reply = p.lock(r);
      return reply instanceof Promise ? reply.then((x) => one(encodeLockReply(x))) : one(encodeLockReply(reply));
    }
    case TX_STAGE: {
      const r = decodeStage(argv);
      return r ? p.stage(r).then((x) => one([x])) : bad(argv);
    }
    case TX_COMMIT: {
      const r = decodeCommit(argv);
      return r ? p.commit(r).then((x) => one([x])) : bad(argv);
    }
    case TX_ABORT:
      return argv.length === 2 ? p.abort(argv[1]!).then((x) => one([x])) : bad(argv);
    case TX_STATUS:
      return argv.length === 2 ? p.status(argv[1]!).then((x) => one([x])) : bad(argv);
    default:
      return bad(argv);
  }
}

/** A key's state for LOCK: absent (a logically expired key is), or its DUMP payload and absolute expiry. */
export function readKeyState(shard: Shard, now: number, key: string, db = 0): KeyState {
  const ks = shard.keyspace(db);
  ks.now = now;
  const v = ks.data.get(key);
  if (v === undefined || ks.isExpired(key)) return { key, value: null };
  return { key, value: dumpPayload(v), expireAt: ks.getExpire(key) };
}

export function watchUnchanged(shard: Shard, w: WatchedVersion, db = 0): boolean {
  return shard.keyspace(db).watches.unchanged(w.epoch, [[w.key, w.ver]]);
}

/** A commit's writes as commands: RESTORE … REPLACE ABSTTL (absolute expiry kept), or DEL. */
export function writeCommands(writes: readonly KeyState[], now: number): string[][] {
  const out: string[][] = [];
  for (const w of writes) {
    if (w.value === null || (w.expireAt !== -1 && w.expireAt <= now)) out.push(['DEL', w.key]);
    else out.push(['RESTORE', w.key, w.expireAt === -1 ? '0' : String(w.expireAt), w.value, 'REPLACE', 'ABSTTL']);
  }
  return out;
}
