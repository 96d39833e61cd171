// The AOF base as a real dump.rdb (Redis 7's aof-use-rdb-preamble): written key by key in
// slices (a push writer, so a rewrite can save a key's value before it changes), read back with
// readRdb. The bytes are exactly what writeRdb produces for the same keys.
import type { Value } from '../engine/keyspace.js';
import { Crc64 } from './crc64.js';
import { OP_AUX, OP_EOF, OP_EXPIRETIME_MS, OP_RESIZEDB, OP_SELECTDB, RDB_VERSION, Writer, u64le } from './rdb-io.js';
import { readRdb } from './rdb.js';
import { loadLimits, saveObject } from './rdb-value.js';
import type { SnapshotCodec, SnapshotWriter } from './snapshot.js';

/** One key as RDB bytes: EXPIRETIME_MS when it has a deadline, then type, key and value. */
export function rdbEntry(key: string, value: Value, expireAt: number): string {
  const w = new Writer(true);
  if (expireAt >= 0) w.byte(OP_EXPIRETIME_MS).raw(u64le(BigInt(expireAt)));
  saveObject(w, value, key);
  return w.drain();
}

/** A dump.rdb's header (magic, AUX fields, SELECTDB 0, RESIZEDB hints). */
export function rdbHeader(nowMs: number, keys: number, expires: number, aofBase = false): string {
  const w = new Writer(true);
  w.raw('REDIS' + String(RDB_VERSION).padStart(4, '0'));
  const aux = (k: string, v: string) => w.byte(OP_AUX).str(k).str(v);
  aux('redis-ver', '7.0.15');
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor(nowMs / 1000)));
  aux('used-mem', '0');
  aux('aof-base', aofBase ? '1' : '0');
  w.byte(OP_SELECTDB).len(0);
  w.byte(OP_RESIZEDB).len(keys).len(expires);
  return w.drain();
}

/** SELECTDB n, and RESIZEDB when hints are given (a dump.rdb has one per non-empty db). */
export function rdbSelect(db: number, hints?: { keys: number; expires: number }): string {
  const w = new Writer(true);
  w.byte(OP_SELECTDB).len(db);
  if (hints) w.byte(OP_RESIZEDB).len(hints.keys).len(hints.expires);
  return w.drain();
}

export const RDB_EOF = String.fromCharCode(OP_EOF);

class RdbSnapshotWriter implements SnapshotWriter {
  private readonly crc = new Crc64();

  constructor(private readonly nowMs: number) {}

  begin(keys: number, expires: number): string {
    const s = rdbHeader(this.nowMs, keys, expires, true);
    this.crc.update(s);
    return s;
  }

  select(db: number, hints?: { keys: number; expires: number }): string {
    const s = rdbSelect(db, hints);
    this.crc.update(s);
    return s;
  }

  entry(key: string, value: Value, expireAt: number): string {
    const s = rdbEntry(key, value, expireAt);
    this.crc.update(s);
    return s;
  }

  end(): string {
    this.crc.update(RDB_EOF);
    return RDB_EOF + this.crc.bytes();
  }
}

export const RDB_SNAPSHOT: SnapshotCodec = {
  writer: (nowMs) => new RdbSnapshotWriter(nowMs),
  load(bytes, put, shard, onCorrupt) {
    const limits = shard ? loadLimits(shard.config, shard.rng) : undefined;
    for (const e of readRdb(bytes, { ...(limits ? { limits } : {}), ...(onCorrupt ? { onCorrupt } : {}) })) {
      put(e.key, e.value, e.expireAt ?? -1, e.db);
    }
  },
};
