// Recovery of a shard from its AOF base and increment segments, tolerant of what cannot load: a
// value or record that fails is left out and reported, so no stored byte can keep a shard down.
//
// Policy (by analogy with Redis; Redis itself refuses to start on most of these, which for us
// would brick the shard: no client command, not even DEL or FLUSHDB, can reach a shard that never
// loads, and there is no redis-check-aof to run):
// - Base (RDB) value that cannot be built (corrupt listpack, duplicate members, a loader bug —
//   anything it throws): the key is skipped and counted (`load_skipped_keys`); the base goes on
//   after it, stepping over the value by its framing. This is `sanitize-dump-payload yes` applied
//   per key: a payload that fails its checks is refused, the rest of the data set is not.
// - Base framing that is corrupt (a length running past the end, an unknown opcode): the base
//   stops there; the keys read before it stand and the segments are replayed on top.
// - Base checksum mismatch: reported (`load_last_error`), loading goes on — each value is still
//   checked as it is built.
// - Log (AOF) record whose replay throws: that record is skipped (`load_skipped_records`).
// - Log bytes that do not parse as a record: the rest of that segment is dropped and counted as
//   one skipped record plus its bytes (`load_truncated_bytes`), the next segment is read; a torn
//   last record is dropped as `aof-load-truncated yes` does, in every segment. When the last
//   segment ends so, the host must open a fresh segment (`tailBroken`) so that records written
//   from now on do not follow bytes no reader can get past.
// Skipped data stays in storage until the next rewrite replaces the base and retires the segments.
import type { Keyspace, Value } from '../engine/keyspace.js';
import { trackFieldTtls, type HashObj } from '../engine/types/hash.js';
import { RespDecoder } from '../protocol/resp-decode.js';
import type { SnapshotCodec } from './snapshot.js';

/** What recovery loads into and replays through (shard/shard.ts's Shard is one). */
export interface RecoverTarget {
  /** Database `n`'s keyspace (a base holds every db's keys after its SELECTDB). */
  keyspace(n: number): Keyspace;
  /** Whether `n` names a database (the `databases` setting). */
  validDb(n: number): boolean;
  readonly config: { int(name: string): number };
  readonly rng: { next(): number };
  replay(records: readonly string[][], onError?: (argv: readonly string[], e: unknown) => void): void;
}

/** Errors kept word for word in a report (the counters count them all). */
const KEEP_ERRORS = 10;

export interface LoadReport {
  /** Keys loaded from the base. */
  keys: number;
  skippedKeys: number;
  skippedRecords: number;
  /** Log bytes dropped: torn tails and whatever followed an unparsable record. */
  truncatedBytes: number;
  /** The base's framing was corrupt: keys after that point were not loaded. */
  baseIncomplete: boolean;
  /** The last segment ends in bytes no record can be read from. */
  tailBroken: boolean;
  /** The first errors, word for word. */
  errors: string[];
  lastError: string;
  /** Log bytes read. */
  logBytes: number;
}

export function emptyReport(): LoadReport {
  return { keys: 0, skippedKeys: 0, skippedRecords: 0, truncatedBytes: 0, baseIncomplete: false, tailBroken: false, errors: [], lastError: '', logBytes: 0 };
}

function note(rep: LoadReport, msg: string): void {
  rep.lastError = msg;
  if (rep.errors.length < KEEP_ERRORS) rep.errors.push(msg);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Load a base image into the (empty) shard, skipping values that cannot load. */
export function loadBase(shard: RecoverTarget, bytes: Uint8Array, codec: SnapshotCodec, rep: LoadReport): void {
  const db0 = shard.keyspace(0);
  const put = (key: string, value: Value, expireAt: number, n: number) => {
    if (!shard.validDb(n)) {
      rep.skippedKeys++;
      note(rep, `Key '${key}' of database ${n} skipped: the databases setting has fewer`);
      return;
    }
    const db = shard.keyspace(n);
    db.loading = true;
    try {
      db.set(key, value);
      if (expireAt >= 0) db.setExpire(key, expireAt);
      // Hash fields with their own TTLs must be known to active expiry.
      if (typeof value !== 'string' && value.type === 'hash') trackFieldTtls(db, key, value as HashObj);
      rep.keys++;
    } catch (e) {
      try {
        db.del(key);
      } catch {
        // the key never made it in: nothing to undo
      }
      rep.skippedKeys++;
      note(rep, `Value of key '${key}' could not be stored: ${message(e)}`);
    }
  };
  db0.loading = true;
  const loaded = new Set([db0]);
  try {
    codec.load(bytes, (key, value, at, n) => {
      if (shard.validDb(n)) loaded.add(shard.keyspace(n));
      put(key, value, at, n);
    }, shard, (key, msg) => {
      if (key !== null) rep.skippedKeys++;
      note(rep, msg);
    });
  } catch (e) {
    rep.baseIncomplete = true;
    note(rep, `Base image stopped after ${rep.keys} keys: ${message(e)}`);
  } finally {
    for (const k of loaded) k.loading = false;
  }
}

/**
 * Replay log rows in storage order. Each segment is read with a fresh decoder: a segment starts
 * at a record boundary (the host flushes its buffer before opening one), so a segment's damage
 * ends with it. Rows of one segment are contiguous and in order.
 */
export function replayLog(shard: RecoverTarget, rows: Iterable<{ seg: number; data: Uint8Array }>, rep: LoadReport): void {
  let seg = NaN;
  let dec: RespDecoder | null = null;
  let dead = false; // the current segment hit bytes no record parses from
  let deadBytes = 0;
  const endSegment = () => {
    if (!dec) return;
    if (dead) rep.truncatedBytes += deadBytes;
    else if (dec.buffered) {
      rep.truncatedBytes += dec.buffered;
      note(rep, `Segment ${seg}: dropped a truncated last record of ${dec.buffered} bytes`);
    }
    rep.tailBroken = dead || dec.buffered > 0;
  };
  const onError = (argv: readonly string[], e: unknown) => {
    rep.skippedRecords++;
    note(rep, `Segment ${seg}: skipped a record (${(argv[0] ?? '').slice(0, 32)}) whose replay failed: ${message(e)}`);
  };
  for (const row of rows) {
    rep.logBytes += row.data.length;
    if (row.seg !== seg) {
      endSegment();
      seg = row.seg;
      dec = new RespDecoder();
      dec.maxBulkLen = Number.MAX_SAFE_INTEGER;
      dead = false;
      deadBytes = 0;
    }
    if (dead) {
      deadBytes += row.data.length;
      continue;
    }
    dec!.push(row.data);
    const cmds: string[][] = [];
    for (let c = dec!.next(); c !== null; c = dec!.next()) {
      if (!Array.isArray(c)) {
        dead = true;
        deadBytes = dec!.buffered;
        rep.skippedRecords++;
        note(rep, `Segment ${seg}: unreadable record (${c.error}); the rest of the segment is dropped`);
        break;
      }
      cmds.push(c);
    }
    shard.replay(cmds, onError);
  }
  endSegment();
}
