// Recovery, pure: a shard rebuilt from storage through the port — the base image, then the log's
// units from the first segment the manifest names, replayed through the shard's own dispatch
// (Shard.replay). Also what the stored log tells about itself (offsets, replid), and the one-time
// conversion of the pre-offset log format.
//
// What cannot load never takes a shard down; it is skipped and reported (recover.ts's policy,
// carried over to the offset-addressed log):
// - a base value that cannot be built: that key (recover.ts loadBase);
// - a record whose replay throws: that record;
// - bytes that do not parse as records: up to the next row that starts a unit;
// - an incomplete last unit (a record cut short, a MULTI without its EXEC — never acknowledged,
//   since a reply waits for all of its unit's rows): dropped as Redis's aof-load-truncated yes
//   drops a torn tail, and deleted from storage so the stream goes on from the last whole unit.
//   aof-load-truncated no is not honoured: refusing to load would take the shard down for good.
//   A frame is replayed only when its EXEC is there, so no partial atomic batch is ever visible.
import type { Clock } from '../engine/clock.js';
import { toBytes } from '../protocol/bytes.js';
import { encodeCommand } from '../protocol/resp-encode.js';
import { emptyManifest, type Manifest } from './aof.js';
import { MAX_ROW, SELECT0, ShardLog, UnitReader, ZERO_ID, newReplId, packRows, type ReplIds, type Unit } from './log.js';
import type { StoragePort } from './port.js';
import { emptyReport, loadBase, type LoadReport, type RecoverTarget } from './recover.js';
import type { SnapshotCodec } from './snapshot.js';
import type { PersistState } from './state.js';

/** The shard being rebuilt (shard/shard.ts's Shard is one), made empty by the host. */
export interface RecoveryShard extends RecoverTarget {
  readonly config: { int(name: string): number; get(name: string): string };
  readonly persist: PersistState;
}

export interface RecoverEnv {
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
  codec: SnapshotCodec;
  /** Where warnings go (the platform's console). */
  warn?: (msg: string) => void;
  maxRow?: number;
}

export interface Recovered {
  log: ShardLog;
  manifest: Manifest;
  /** Start of the last stored row (the writer's lastRowStart). */
  lastRowStart: number;
  report: LoadReport;
}

const KEEP_ERRORS = 10;
const META_REPL = 'repl';
export const META_MANIFEST = 'manifest';

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function note(rep: LoadReport, warn: ((m: string) => void) | undefined, m: string): void {
  rep.lastError = m;
  if (rep.errors.length < KEEP_ERRORS) rep.errors.push(m);
  void warn; // reported once, at the end of recover()
}

/** The replication ids stored at the shard's first start (made now when there are none). */
export function loadReplIds(port: StoragePort, randomBytes: (n: number) => Uint8Array): ReplIds {
  const raw = port.readMeta(META_REPL);
  if (raw) return JSON.parse(raw) as ReplIds;
  const ids: ReplIds = { replid: newReplId(randomBytes), replid2: ZERO_ID, secondOffset: -1 };
  port.writeMeta(META_REPL, JSON.stringify(ids));
  return ids;
}

export function saveReplIds(port: StoragePort, ids: ReplIds): void {
  port.writeMeta(META_REPL, JSON.stringify(ids));
}

function concat(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : parts.join('');
}

/**
 * Re-apply one unit, a frame as a whole. SELECT records (the stream's opener, and a change of db
 * as in Redis's AOF) switch the database the records after them run in (Shard.replay).
 */
function replayUnit(shard: RecoveryShard, name: string, u: Unit, rep: LoadReport, warn?: (m: string) => void): void {
  const records = u.records;
  if (!records.length) return;
  shard.replay(records, (argv, e) => {
    rep.skippedRecords++;
    note(rep, warn, `${name}: skipped a record (${(argv[0] ?? '').slice(0, 32)}) at offset ${u.off} whose replay failed: ${msg(e)}`);
  });
}


/**
 * The pre-offset format (byte chunks of one RESP stream per segment, a record may span rows) is
 * rewritten once as offset-addressed rows — the history starts at 0 with SELECT 0 — and dropped.
 * On a DO this runs inside one synchronous event, so it commits as a whole.
 */
function convertLegacy(port: StoragePort, m: Manifest, rep: LoadReport, maxRow: number, warn?: (m: string) => void): boolean {
  if (!port.legacyRows) return false;
  const first = m.segments[0]!.seg;
  let any = false;
  let off = 0;
  const bySeg = new Map<number, string[]>();
  let reader: UnitReader | null = null;
  let seg = NaN;
  let units: string[] = [];
  const units0: Unit[] = [];
  const endSeg = () => {
    if (!reader) return;
    if (reader.corrupt || reader.tailStart < reader.fed) {
      const lost = reader.fed - reader.tailStart;
      rep.truncatedBytes += lost;
      note(rep, warn, `legacy log segment ${seg}: dropped ${lost} bytes that do not form whole records${reader.corrupt ? ` (${reader.corrupt})` : ''}`);
    }
    bySeg.set(seg, units);
  };
  for (const row of port.legacyRows()) {
    any = true;
    if (row.seg < first) continue;
    if (row.seg !== seg) {
      endSeg();
      seg = row.seg;
      reader = new UnitReader(0);
      units = [];
    }
    reader!.push(row.data, units0);
    for (const u of units0) for (const r of u.records) units.push(encodeCommand(r));
    units0.length = 0;
  }
  endSeg();
  if (!any) {
    port.dropLegacy?.();
    return false;
  }
  for (const s of m.segments) {
    const us = bySeg.get(s.seg) ?? [];
    if (off === 0 && us.length) us[0] = SELECT0 + us[0]!;
    s.off = off;
    const rows = packRows(us, off, s.seg, maxRow);
    port.appendRows(rows);
    for (const u of us) off += u.length;
  }
  port.dropLegacy!();
  port.writeMeta(META_MANIFEST, JSON.stringify(m));
  return true;
}

/** Rebuild `shard` (empty) from storage; `name` labels its messages. Throws only on a storage error. */
export function recover(shard: RecoveryShard, name: string, port: StoragePort, env: RecoverEnv): Recovered {
  const started = env.clock.now();
  const warn = env.warn;
  const maxRow = env.maxRow ?? MAX_ROW;
  const rep = emptyReport();
  const rawManifest = port.readMeta(META_MANIFEST);
  const manifest: Manifest = rawManifest ? (JSON.parse(rawManifest) as Manifest) : emptyManifest();
  const ids = loadReplIds(port, env.randomBytes);
  convertLegacy(port, manifest, rep, maxRow, warn);
  // Manifests from before offsets whose log was empty: the stream starts here.
  for (const s of manifest.segments) s.off ??= 0;

  const base = manifest.base;
  if (base) {
    const parts: string[] = [];
    for (const row of port.readBase(base.gen)) parts.push(row);
    const all = concat(parts);
    loadBase(shard, toBytes(all), env.codec, rep);
    shard.persist.aofBaseSize = all.length;
    shard.persist.lastSaveTime = Math.floor(base.at / 1000);
  } else shard.persist.lastSaveTime = Math.floor(started / 1000);
  // A rewrite that never finished left rows of a base no manifest names.
  port.deleteBaseExcept(base?.gen ?? -1);

  const start = manifest.segments[0]!.off!;
  let reader = new UnitReader(start);
  let lastRowStart = -1;
  // After bytes that end no unit (corruption, or a unit cut short), rows are skipped — the bytes
  // [skipFrom, skipEnd) — until one starts a unit.
  let skipFrom = -1;
  let skipEnd = -1;
  /** The skip began at bytes that do not parse (kept in storage), not at a unit cut short. */
  let corrupt = false;
  const units: Unit[] = [];
  for (const row of port.readRows(start, Infinity)) {
    lastRowStart = row.off;
    const incomplete = reader.tailStart < reader.fed;
    if (skipFrom >= 0 || row.off !== reader.fed || (row.head && incomplete)) {
      if (skipFrom < 0 && incomplete) {
        skipFrom = reader.tailStart;
        skipEnd = reader.fed;
        corrupt = false;
      }
      if (!row.head) {
        if (skipFrom < 0) {
          skipFrom = row.off;
          corrupt = false;
        }
        skipEnd = row.off + row.data.length;
        continue;
      }
      if (skipFrom >= 0) {
        rep.truncatedBytes += skipEnd - skipFrom;
        rep.skippedRecords++;
        note(rep, warn, `${name}: skipped ${skipEnd - skipFrom} log bytes at offset ${skipFrom} that do not form a whole unit`);
        skipFrom = -1;
      }
      reader = new UnitReader(row.off); // also after a clean gap: appendonly was off meanwhile
    }
    reader.push(row.data, units);
    for (const u of units) replayUnit(shard, name, u, rep, warn);
    units.length = 0;
    if (reader.corrupt) {
      note(rep, warn, `${name}: unreadable log bytes: ${reader.corrupt}`);
      skipFrom = reader.tailStart;
      skipEnd = reader.fed;
      corrupt = true;
    }
  }
  let end = skipFrom >= 0 ? skipEnd : reader.fed;
  const tail = skipFrom >= 0 ? skipFrom : reader.tailStart;
  if (tail < end && skipFrom >= 0 && corrupt) {
    // Unreadable bytes at the end stay (as all skipped data does, until a rewrite retires them);
    // what is written next starts a new row, where the next load picks the stream up again.
    rep.truncatedBytes += end - tail;
    rep.skippedRecords++;
  } else if (tail < end) {
    const torn = end - tail;
    rep.truncatedBytes += torn;
    note(rep, warn, `${name}: dropping a truncated AOF tail of ${torn} bytes`);
    // A torn tail that starts a row (the only kind the writer leaves: a unit's rows are written
    // in order) is cut off, as Redis truncates the file; anything else stays, skipped each load.
    if (port.headAtOrBelow(tail) === tail) {
      port.deleteFrom(tail);
      end = tail;
      lastRowStart = -1;
    }
  }

  const b = port.bounds();
  const log = new ShardLog(port, ids);
  const offset = Math.max(end, b?.end ?? 0, base?.off ?? 0, manifest.segments[manifest.segments.length - 1]!.off!);
  log.offset = log.durable = offset;
  log.stored = b ? b.first : offset;
  if (lastRowStart < 0) lastRowStart = b ? b.last : offset;
  // Segment sizes follow from their offsets.
  const segs = manifest.segments;
  for (let i = 0; i < segs.length; i++) segs[i]!.bytes = (i + 1 < segs.length ? segs[i + 1]!.off! : offset) - segs[i]!.off!;

  const p = shard.persist;
  p.aofCurrentSize = (base?.bytes ?? 0) + (offset - start);
  p.loadTimeMs = env.clock.now() - started;
  p.loadedKeys = rep.keys;
  p.loadTruncatedBytes = rep.truncatedBytes;
  p.loadSkippedKeys = rep.skippedKeys;
  p.loadSkippedRecords = rep.skippedRecords;
  p.loadLastError = rep.lastError;
  p.changesSinceSave = 0;
  rep.logBytes = offset - start;
  if (rep.lastError) {
    for (const e of rep.errors) warn?.(`${name}: load: ${e}`);
    warn?.(`${name}: loaded ${rep.keys} keys; skipped ${rep.skippedKeys} keys and ${rep.skippedRecords} log records, dropped ${rep.truncatedBytes} log bytes${rep.baseIncomplete ? '; the base image stopped early' : ''}; last error: ${rep.lastError}`);
  }
  return { log, manifest, lastRowStart, report: rep };
}
