// Redis's RDB format, version 10 (Redis 7.0), as a pure module: DUMP payloads (type byte + value +
// RDB version + CRC64) for DUMP/RESTORE, and whole dump.rdb files — a streaming writer (header,
// AUX fields, SELECTDB 0, RESIZEDB, keys with EXPIRETIME_MS, EOF + CRC64) and a reader that
// accepts what Redis 7.0 (and older) writes and refuses future versions.
import type { Value } from '../engine/keyspace.js';
import { fromBytes, toBytes } from '../protocol/bytes.js';
import { Crc64 } from './crc64.js';
import {
  OP_AUX, OP_EOF, OP_EXPIRETIME, OP_EXPIRETIME_MS, OP_FREQ, OP_FUNCTION, OP_FUNCTION2, OP_IDLE, OP_MODULE_AUX,
  OP_RESIZEDB, OP_SELECTDB, RDB_VERSION, RdbError, Reader, Writer, fail, u64le,
} from './rdb-io.js';
import { defaultLimits, loadObject, saveObject, skipObject, type LoadLimits } from './rdb-value.js';

export { RdbError, RDB_VERSION };
export { defaultLimits, loadLimits, type LoadLimits } from './rdb-value.js';

const chr = String.fromCharCode;

/** Object types Redis 7.0 knows (rdbIsObjectType), plus 7.2's set listpack and stream v3, 7.4's hash with TTLs. */
function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 21) || t === 24;
}

// ---- DUMP / RESTORE ----

/** DUMP's payload for a value. */
export function dumpPayload(v: Value, compress = true): string {
  const w = new Writer(compress);
  saveObject(w, v, null);
  w.raw(chr(RDB_VERSION & 0xff, RDB_VERSION >> 8));
  const body = w.drain();
  return body + new Crc64().update(body).bytes();
}

export type Restored =
  | { ok: true; value: Value }
  /** 'checksum': Redis's "DUMP payload version or checksum are wrong"; 'format': "Bad data format". */
  | { ok: false; error: 'checksum' | 'format'; detail?: string };

/** verifyDumpPayload: the footer's RDB version is not newer than ours and the CRC64 matches. */
export function verifyPayload(p: string): boolean {
  const n = p.length;
  if (n < 10) return false;
  const ver = p.charCodeAt(n - 10) | (p.charCodeAt(n - 9) << 8);
  if (ver > RDB_VERSION) return false;
  return new Crc64().update(p, 0, n - 8).bytes() === p.slice(n - 8);
}

/** RESTORE's decoding of a payload (verified first), building values at the given thresholds. */
export function restorePayload(p: string, lim: LoadLimits = defaultLimits()): Restored {
  if (!verifyPayload(p)) return { ok: false, error: 'checksum' };
  // Like Redis, the decoder reads from the whole payload: a value may run into the footer.
  const r = new Reader(toBytes(p));
  try {
    const type = r.byte();
    if (!isObjectType(type)) return { ok: false, error: 'format', detail: `unknown type ${type}` };
    return { ok: true, value: loadObject(r, type, lim) };
  } catch (e) {
    // Corrupt input can also surface as a RangeError (an absurd length); both mean bad data.
    if (e instanceof RdbError || e instanceof RangeError) return { ok: false, error: 'format', detail: e.message };
    throw e;
  }
}

// ---- whole files ----

export interface RdbEntry {
  key: string;
  value: Value;
  /** Absolute expiry in ms, or null. */
  expireAt: number | null;
}

export interface WriteOptions {
  /** Unix time in ms for the ctime AUX field (pure layers take time from their caller). */
  now?: number;
  usedMem?: number;
  /** RESIZEDB hints; taken from the array when `entries` is one, else 0 (a hint only). */
  dbSize?: number;
  expiresSize?: number;
  /** rdbcompression (default yes). */
  compress?: boolean;
  /** Bytes per yielded chunk (default 64 KiB). */
  chunkSize?: number;
}

/** A dump.rdb as Redis 7.0 writes it, in chunks; the CRC64 runs over everything before it. */
export function* writeRdb(entries: Iterable<RdbEntry>, opts: WriteOptions = {}): Generator<Uint8Array> {
  const chunk = opts.chunkSize ?? 65536;
  const crc = new Crc64();
  const w = new Writer(opts.compress ?? true);
  const flush = (): Uint8Array => {
    const s = w.drain();
    crc.update(s);
    return toBytes(s);
  };
  w.raw('REDIS' + String(RDB_VERSION).padStart(4, '0'));
  const aux = (k: string, v: string) => w.byte(OP_AUX).str(k).str(v);
  aux('redis-ver', '7.0.15');
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor((opts.now ?? 0) / 1000)));
  aux('used-mem', String(opts.usedMem ?? 0));
  aux('aof-base', '0');
  let dbSize = opts.dbSize ?? 0;
  let expSize = opts.expiresSize ?? 0;
  if (Array.isArray(entries) && opts.dbSize === undefined) {
    dbSize = entries.length;
    expSize = (entries as RdbEntry[]).filter((e) => e.expireAt !== null).length;
  }
  w.byte(OP_SELECTDB).len(0);
  w.byte(OP_RESIZEDB).len(dbSize).len(expSize);
  for (const e of entries) {
    if (e.expireAt !== null) w.byte(OP_EXPIRETIME_MS).raw(u64le(BigInt(e.expireAt)));
    saveObject(w, e.value, e.key);
    if (w.size >= chunk) yield flush();
  }
  w.byte(OP_EOF);
  const tail = w.drain();
  crc.update(tail);
  yield toBytes(tail + crc.bytes());
}

/** All of writeRdb's chunks as one array. */
export function writeRdbBytes(entries: Iterable<RdbEntry>, opts: WriteOptions = {}): Uint8Array {
  const parts = [...writeRdb(entries, opts)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface ReadOptions {
  limits?: LoadLimits;
  /** Called for each AUX field (redis-ver, ctime…). */
  onAux?: (key: string, value: string) => void;
  /** Called for each SELECTDB: keys of other databases than 0 are yielded with their db. */
  onSelectDb?: (db: number) => void;
  /**
   * Tolerant reading (a shard's AOF base): a value that cannot be built — whatever it throws — is
   * stepped over by its framing and reported here with its key, and a checksum mismatch is
   * reported with key null, instead of failing the file. Only corrupt framing still stops the
   * read (it throws; the keys yielded before it stand). Without it (RESTORE, imports), any
   * corrupt byte fails the whole file.
   */
  onCorrupt?: (key: string | null, message: string) => void;
}

export interface RdbFileEntry extends RdbEntry {
  db: number;
}

/**
 * Header and checksum checks done before any key is read, so a truncated or corrupt file fails
 * as a whole (no partial import). Returns the RDB version. Throws RdbError with a clear message.
 */
export function checkRdb(bytes: Uint8Array, onBadChecksum?: (message: string) => void): number {
  if (bytes.length < 9 || fromBytes(bytes, 0, 5) !== 'REDIS') fail('Wrong signature trying to load DB from file');
  const vs = fromBytes(bytes, 5, 9);
  if (!/^\d{4}$/.test(vs)) fail('Wrong signature trying to load DB from file');
  const ver = Number(vs);
  if (ver < 1 || ver > RDB_VERSION) fail(`Can't handle RDB format version ${ver}`);
  if (ver >= 5) {
    if (bytes.length < 18) fail('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    const want = fromBytes(bytes, bytes.length - 8);
    // A zero checksum means the writer disabled it (rdbchecksum no).
    if (want !== '\0\0\0\0\0\0\0\0' && new Crc64().update(bytes, 0, bytes.length - 8).bytes() !== want) {
      if (onBadChecksum) onBadChecksum('Wrong RDB checksum');
      else fail('Wrong RDB checksum. Aborting now.');
    }
  }
  return ver;
}

/** The keys of a dump.rdb, in file order. Throws RdbError on anything it cannot load. */
export function* readRdb(bytes: Uint8Array, opts: ReadOptions = {}): Generator<RdbFileEntry> {
  const onCorrupt = opts.onCorrupt;
  const ver = checkRdb(bytes, onCorrupt && ((m) => onCorrupt(null, m)));
  const lim = opts.limits ?? defaultLimits();
  const r = new Reader(bytes, 9);
  let db = 0;
  let expireAt: number | null = null;
  for (;;) {
    const op = r.byte();
    switch (op) {
      case OP_EXPIRETIME:
        expireAt = Number(r.u64le() & 0xffffffffn) * 1000;
        continue;
      case OP_EXPIRETIME_MS:
        expireAt = r.ms();
        continue;
      case OP_FREQ:
        r.byte();
        continue;
      case OP_IDLE:
        r.len();
        continue;
      case OP_EOF:
        if (ver >= 5 && r.pos !== bytes.length - 8) fail('Unexpected data after the RDB EOF marker');
        return;
      case OP_SELECTDB:
        db = r.len();
        opts.onSelectDb?.(db);
        continue;
      case OP_RESIZEDB:
        r.len();
        r.len();
        continue;
      case OP_AUX: {
        const k = r.str();
        const v = r.str();
        opts.onAux?.(k, v);
        continue;
      }
      case OP_FUNCTION2:
        r.str(); // a function library's code: functions are not part of the keyspace
        continue;
      case OP_FUNCTION:
        return fail('Pre-GA function format (RDB_OPCODE_FUNCTION) is not supported');
      case OP_MODULE_AUX:
        return fail('The RDB file contains module AUX data, but no module can load it');
      default: {
        if (!isObjectType(op)) fail(`Unknown RDB type or opcode ${op}`);
        const key = r.str();
        const at = r.pos;
        let value: Value;
        try {
          value = loadObject(r, op, lim);
        } catch (e) {
          if (onCorrupt) {
            // Resume after the value: its framing is read again without building anything.
            r.pos = at;
            try {
              skipObject(r, op);
            } catch (e2) {
              fail(`Corrupt value of key '${key}' (${errText(e)}), and its framing cannot be stepped over: ${errText(e2)}`);
            }
            onCorrupt(key, `Corrupt value of key '${key}': ${errText(e)}`);
            expireAt = null;
            continue;
          }
          if (e instanceof RangeError) fail(`Corrupt value of key '${key}': ${e.message}`);
          if (e instanceof RdbError) fail(`Corrupt value of key '${key}': ${e.message}`);
          throw e;
        }
        yield { key, value, expireAt, db };
        expireAt = null;
      }
    }
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
