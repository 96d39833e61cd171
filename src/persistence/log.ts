// The shard's log, addressed as Redis addresses its replication stream: an offset counts the
// bytes of the RESP-encoded records since the shard's history began, under a replication id.
// Execution units (one record, or an atomic batch framed MULTI … EXEC as Redis propagates it)
// are packed into rows that each know their start offset; a consumer reads from an offset and
// is told when it is older than the backlog (repl-backlog-size) still retained. Pure.
import { encodeCommand } from '../protocol/resp-encode.js';
import type { LogRow, StoragePort } from './port.js';

/** Rows stay well under the platform's 2 MB per value. */
export const MAX_ROW = 1024 * 1024;
/** Redis's replid2 when there is none. */
export const ZERO_ID = '0'.repeat(40);
/** Redis's default repl-backlog-size. */
export const DEFAULT_BACKLOG = 1024 * 1024;
/** Stored history below the backlog floor is deleted in steps of this much, not per write. */
export const TRIM_STEP = 64 * 1024;

/** Redis's replication stream opens with the database selector before the first write. */
export const SELECT0 = encodeCommand(['SELECT', '0']);
export const MULTI_RECORD = encodeCommand(['MULTI']);
export const EXEC_RECORD = encodeCommand(['EXEC']);

/** A replication id: 40 hex characters from injected randomness (Redis's getRandomHexChars). */
export function newReplId(randomBytes: (n: number) => Uint8Array): string {
  const b = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) s += (b[i]! & 0xff).toString(16).padStart(2, '0');
  return s;
}

/**
 * One execution unit's bytes. Several effects of an atomic batch are wrapped in MULTI … EXEC,
 * as Redis 7.0 wraps an execution unit that propagates more than one command
 * (propagatePendingCommands); a single effect is atomic by itself and is not wrapped.
 */
export function encodeUnit(effects: readonly string[][], atomic: boolean): string {
  if (effects.length === 1) return encodeCommand(effects[0]!);
  let s = atomic ? MULTI_RECORD : '';
  for (const e of effects) s += encodeCommand(e);
  return atomic ? s + EXEC_RECORD : s;
}

/** What parseRecord found at a position. */
export type Parsed = { argv: string[]; end: number } | { need: number } | { corrupt: string };

/** The length after `*` or `$` at `i` (digits then CRLF): [n, next] | need | corrupt. */
function readLen(s: string, i: number): [number, number] | number | string {
  let n = 0;
  let j = i;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 13) break;
    if (c < 48 || c > 57 || j - i > 15) return 'bad length';
    n = n * 10 + (c - 48);
  }
  if (j + 1 >= s.length) return j + 2;
  if (j === i || s.charCodeAt(j + 1) !== 10) return 'bad length';
  return [n, j + 2];
}

/**
 * Parse the record (a RESP multibulk, as encodeCommand writes it) starting at `pos`: its argv
 * and end, how many bytes from the string's start it needs at least, or why it is corrupt.
 */
export function parseRecord(s: string, pos: number): Parsed {
  if (pos >= s.length) return { need: pos + 1 };
  if (s.charCodeAt(pos) !== 42) return { corrupt: `expected '*' at byte ${pos}` };
  const h = readLen(s, pos + 1);
  if (typeof h === 'string') return { corrupt: h };
  if (typeof h === 'number') return { need: h };
  const [argc, start] = h;
  const argv = new Array<string>(argc);
  let i = start;
  for (let a = 0; a < argc; a++) {
    if (i >= s.length) return { need: i + 1 };
    if (s.charCodeAt(i) !== 36) return { corrupt: `expected '$' at byte ${i}` };
    const l = readLen(s, i + 1);
    if (typeof l === 'string') return { corrupt: l };
    if (typeof l === 'number') return { need: l };
    const [len, body] = l;
    if (body + len + 2 > s.length) return { need: body + len + 2 };
    if (s.charCodeAt(body + len) !== 13 || s.charCodeAt(body + len + 1) !== 10) return { corrupt: `bad bulk end at byte ${body + len}` };
    argv[a] = s.slice(body, body + len);
    i = body + len + 2;
  }
  return { argv, end: i };
}

/** One execution unit as read back: its offsets and records (a frame's, without MULTI/EXEC). */
export interface Unit {
  off: number;
  end: number;
  records: string[][];
  /** Framed MULTI … EXEC in the stream. */
  atomic: boolean;
}

const isWord = (argv: string[], w: string) => argv.length === 1 && argv[0]!.toUpperCase() === w;
/** The MULTI / EXEC effects the shard wraps a script's writes in. */
const isWrap = (argv: readonly string[]) => argv.length === 1 && (argv[0] === 'MULTI' || argv[0] === 'EXEC');

/**
 * Reads the stream from a unit boundary as rows arrive, yielding complete units. A record split
 * over rows is joined once its bytes are all there; a frame is yielded only with its EXEC.
 */
export class UnitReader {
  /** Offset just past the bytes fed so far: the next row must start here. */
  fed: number;
  /** Offset of the first byte not yet consumed by a complete record. */
  private pos: number;
  private pending: string[] = [];
  private pendingLen = 0;
  private need = 0;
  private frame: { off: number; records: string[][] } | null = null;
  /** Set when the bytes are not a valid stream; nothing more is read. */
  corrupt: string | null = null;

  constructor(start: number) {
    this.fed = start;
    this.pos = start;
  }

  /** Where the unit that is not complete yet begins (== fed when every unit fed is complete). */
  get tailStart(): number {
    return this.frame ? this.frame.off : this.pos;
  }

  push(data: string, out: Unit[]): void {
    if (this.corrupt) return;
    this.fed += data.length;
    let s: string;
    if (this.pendingLen === 0) s = data;
    else {
      this.pending.push(data);
      this.pendingLen += data.length;
      if (this.pendingLen < this.need) return;
      s = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
      this.pending = [];
      this.pendingLen = 0;
    }
    const base = this.pos;
    let i = 0;
    while (i < s.length) {
      const r = parseRecord(s, i);
      if ('corrupt' in r) {
        this.corrupt = `${r.corrupt} (stream offset ${base + i})`;
        return;
      }
      if ('need' in r) {
        const rest = i === 0 ? s : s.slice(i);
        this.pending = [rest];
        this.pendingLen = rest.length;
        this.need = r.need - i;
        break;
      }
      const off = base + i;
      const end = base + r.end;
      const f = this.frame;
      if (f) {
        if (isWord(r.argv, 'EXEC')) {
          out.push({ off: f.off, end, records: f.records, atomic: true });
          this.frame = null;
        } else f.records.push(r.argv);
      } else if (isWord(r.argv, 'MULTI')) this.frame = { off, records: [] };
      else out.push({ off, end, records: [r.argv], atomic: false });
      i = r.end;
    }
    this.pos = base + i;
  }
}

/**
 * Cut buffered units into rows of at most `maxRow` bytes. Units are never split unless one alone
 * is bigger than a row: then it gets rows of its own, the first a head row, the rest continuations.
 */
export function packRows(units: readonly string[], start: number, seg: number, maxRow = MAX_ROW): LogRow[] {
  const rows: LogRow[] = [];
  let cur: string[] = [];
  let curLen = 0;
  let curOff = start;
  let off = start;
  const close = () => {
    if (!curLen) return;
    rows.push({ off: curOff, seg, head: true, data: cur.length === 1 ? cur[0]! : cur.join('') });
    cur = [];
    curLen = 0;
  };
  for (const u of units) {
    if (curLen + u.length > maxRow) {
      close();
      if (u.length > maxRow) {
        for (let i = 0; i < u.length; i += maxRow) rows.push({ off: off + i, seg, head: i === 0, data: u.slice(i, i + maxRow) });
        off += u.length;
        curOff = off;
        continue;
      }
      curOff = off;
    }
    cur.push(u);
    curLen += u.length;
    off += u.length;
  }
  close();
  return rows;
}

export interface ReplIds {
  replid: string;
  replid2: string;
  /** Redis's second_replid_offset: the first offset replid2 is not valid for; -1 when none. */
  secondOffset: number;
}

export type ReadResult =
  | { ok: true; units: Unit[]; next: number }
  | { ok: false; reason: 'below-floor' | 'ahead' | 'unaligned' | 'replid' | 'corrupt'; floor: number; offset: number };

/** What INFO replication prints about the log, in Redis's names. */
export interface ReplFacts {
  replid: string;
  replid2: string;
  offset: number;
  secondOffset: number;
  backlogActive: boolean;
  backlogSize: number;
  firstByte: number;
  histlen: number;
}

export class ShardLog {
  replid: string;
  replid2: string;
  secondOffset: number;
  /** master_repl_offset: bytes of the stream so far, including units not stored yet. */
  offset = 0;
  /** Stored and durable up to here (a unit boundary): what readers may read. */
  durable = 0;
  /** Offset below which nothing is stored any more. */
  stored = 0;
  /** repl-backlog-size: how much history readers are promised. */
  backlogSize = DEFAULT_BACKLOG;
  /** appendonly: while off nothing is stored, and the backlog is empty. */
  storing = true;

  constructor(
    private readonly port: StoragePort,
    ids: ReplIds,
  ) {
    this.replid = ids.replid;
    this.replid2 = ids.replid2;
    this.secondOffset = ids.secondOffset;
  }

  ids(): ReplIds {
    return { replid: this.replid, replid2: this.replid2, secondOffset: this.secondOffset };
  }

  /**
   * Encode one execution unit, advance the offset and hand the bytes to `sink` with their start
   * offset. The first unit of a history is preceded by SELECT 0, as Redis's stream is (so offsets
   * match Redis's); it is a unit of its own. Returns the bytes appended.
   */
  append(effects: readonly string[][], atomic: boolean, sink?: (unit: string, off: number) => void): number {
    if (!effects.length) return 0;
    const start = this.offset;
    if (this.offset === 0) {
      sink?.(SELECT0, 0);
      this.offset = SELECT0.length;
    }
    const emit = (unit: string) => {
      sink?.(unit, this.offset);
      this.offset += unit.length;
    };
    if (atomic) {
      // A transaction is one frame; a script inside it wrapped its own effects, which Redis
      // never nests (propagatePendingCommands): those inner MULTI / EXEC go.
      let inner: readonly string[][] = effects;
      if (effects.some(isWrap)) inner = effects.filter((e) => !isWrap(e));
      if (inner.length > 1) emit(encodeUnit(inner, true));
      else if (inner.length === 1) emit(encodeCommand(inner[0]!));
      return this.offset - start;
    }
    for (let i = 0; i < effects.length; i++) {
      const e = effects[i]!;
      if (isWrap(e) && e[0] === 'MULTI') {
        // A script's effects, wrapped by the shard (Shard's script runner): one unit.
        let j = i + 1;
        while (j < effects.length && !(isWrap(effects[j]!) && effects[j]![0] === 'EXEC')) j++;
        if (j < effects.length) {
          let unit = '';
          for (let k = i; k <= j; k++) unit += encodeCommand(effects[k]!);
          emit(unit);
          i = j;
          continue;
        }
      }
      // Otherwise each record is a unit of its own (a reader may stop between them).
      emit(encodeCommand(e));
    }
    return this.offset - start;
  }

  /** A replica's log: the primary's stream bytes (whole units) stored as they came, at the same offsets. */
  appendRaw(data: string, sink?: (unit: string, off: number) => void): void {
    if (!data.length) return;
    if (this.storing) sink?.(data, this.offset);
    this.offset += data.length;
  }

  /** The oldest offset readers are served from: the backlog floor. */
  get floor(): number {
    if (!this.storing) return this.offset;
    return Math.max(this.stored, this.offset - this.backlogSize);
  }

  /** Where stored history may be deleted to: below the backlog, recovery's start and the last row. */
  trimPoint(recoveryStart: number, lastRowStart: number): number | null {
    const cut = Math.min(this.floor, recoveryStart, lastRowStart);
    return cut - this.stored >= Math.min(TRIM_STEP, this.backlogSize) ? cut : null;
  }

  /** Delete stored history below `cut` (from trimPoint). */
  trim(cut: number): void {
    this.port.deleteBelow(cut);
    if (cut > this.stored) this.stored = cut;
  }

  /**
   * Whether a consumer of (replid, offset) may continue from the log (Redis's PSYNC rule,
   * masterTryPartialResynchronization): same history, and the offset still retained.
   */
  canContinue(replid: string, offset: number): boolean {
    if (replid !== this.replid && (replid !== this.replid2 || offset + 1 > this.secondOffset)) return false;
    return offset >= this.floor && offset <= this.durable;
  }

  /**
   * Units from `offset` (a unit boundary a consumer reached) on, about `maxBytes` of them but never
   * part of one; `next` is where to continue. Refused when the offset is below the floor, past the
   * stored end, inside a unit, at unreadable stored bytes, or (with `replid`) of another history.
   */
  readFrom(offset: number, maxBytes = MAX_ROW, replid?: string): ReadResult {
    const no = (reason: 'below-floor' | 'ahead' | 'unaligned' | 'replid' | 'corrupt') => ({ ok: false as const, reason, floor: this.floor, offset: this.durable });
    if (replid !== undefined && replid !== this.replid && (replid !== this.replid2 || offset + 1 > this.secondOffset)) return no('replid');
    if (offset > this.durable) return no('ahead');
    if (offset < this.floor) return no('below-floor');
    if (offset === this.durable) return { ok: true, units: [], next: offset };
    const head = this.port.headAtOrBelow(offset);
    if (head === null || head < this.stored) return no('below-floor');
    const reader = new UnitReader(head);
    const units: Unit[] = [];
    const got: Unit[] = [];
    let bytes = 0;
    for (const row of this.port.readRows(head, this.durable)) {
      if (row.off !== reader.fed) {
        // A gap (appendonly was off meanwhile): history before it cannot be continued past it.
        if (reader.fed <= offset || !units.length) return no('below-floor');
        break;
      }
      reader.push(row.data, got);
      for (const u of got) {
        if (u.end <= offset) continue;
        if (u.off < offset) return no('unaligned');
        units.push(u);
        bytes += u.end - u.off;
      }
      got.length = 0;
      if (reader.corrupt) {
        // Stored bytes that do not parse (recovery skipped them too): served up to them.
        if (!units.length) return no('corrupt');
        break;
      }
      if (bytes >= maxBytes) break;
    }
    if (!units.length || units[0]!.off !== offset) return no('unaligned');
    return { ok: true, units, next: units[units.length - 1]!.end };
  }

  /**
   * A promotion (Redis's shiftReplicationId): the old id stays valid as replid2 for consumers up
   * to the current offset, and a new history id starts here.
   */
  shiftReplid(newId: string): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = newId;
  }

  facts(): ReplFacts {
    const active = this.storing;
    const floor = this.floor;
    return {
      replid: this.replid, replid2: this.replid2, offset: this.offset, secondOffset: this.secondOffset,
      backlogActive: active, backlogSize: this.backlogSize,
      firstByte: active ? floor + 1 : 0, histlen: active ? this.offset - floor : 0,
    };
  }
}
