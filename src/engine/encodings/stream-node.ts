// Stream IDs and stream nodes: a node packs up to stream-node-max-entries entries into one
// byte string (a listpack analogue: IDs delta-encoded against the node's master ID, fields
// shared with the master entry when equal), and mirrors the byte size Redis's listpack would
// have, so that nodes split where Redis splits them (approximate trimming depends on it).
import { isStrictLong } from '../../protocol/numfmt.js';

/** A stream ID as one 128-bit bigint: ms << 64 | seq (ordering and ±1 carry come for free). */
export type SID = bigint;
export const U64 = (1n << 64n) - 1n;
export const MAX_ID: SID = (1n << 128n) - 1n;
export const sid = (ms: bigint, seq: bigint): SID => (ms << 64n) | seq;
export const msOf = (id: SID): bigint => id >> 64n;
export const seqOf = (id: SID): bigint => id & U64;
export const fmtId = (id: SID): string => `${id >> 64n}-${id & U64}`;

// Flags of an entry (Redis's STREAM_ITEM_FLAG_*).
export const F_DELETED = 1;
export const F_SAMEFIELDS = 2;
/** Ours, in the packed flags byte only: the deltas are stored as decimal strings (past 2^52). */
const F_WIDE = 0x40;
const NARROW = 1n << 52n;

export interface Entry {
  id: SID;
  flags: number;
  /** field, value, field, value… */
  fv: string[];
  /** Offset of the flags byte inside the node's data (for in-place deletion). */
  off: number;
}

export class StreamNode {
  /** The master ID (the first entry ever appended to the node). */
  readonly master: SID;
  readonly fields: readonly string[];
  /** Packed entries; `pend` holds appended chunks not yet joined (appends stay O(1)). */
  private data = '';
  private pend: string[] | null = null;
  live = 0;
  deleted = 0;
  /** Listpack bytes Redis would use, without the two counters (computed on demand). */
  private lpRest: number;
  lastId: SID;

  constructor(master: SID, fields: readonly string[]) {
    this.master = master;
    this.fields = fields;
    this.lastId = master;
    // header (6) + end byte (1) + master field count + fields + the master terminator 0.
    let b = 7 + lpInt(BigInt(fields.length)) + lpInt(0n);
    for (const f of fields) b += lpStr(f);
    this.lpRest = b;
  }

  /** lpBytes() of the equivalent Redis listpack. */
  get lpBytes(): number {
    return this.lpRest + lpInt(BigInt(this.live)) + lpInt(BigInt(this.deleted));
  }

  get count(): number {
    return this.live + this.deleted;
  }

  /** Append an entry (the caller checked that `id` is above lastId). `fv` is field, value… */
  append(id: SID, fv: readonly string[], off = 0, n = fv.length): void {
    const nf = n >> 1;
    let same = nf === this.fields.length;
    for (let i = 0; same && i < nf; i++) same = fv[off + 2 * i] === this.fields[i];
    // Redis subtracts the uint64 parts and stores the int64 casts, so any delta fits one node:
    // a node never splits on its IDs, and decoding adds back modulo 2^64.
    const msd = BigInt.asIntN(64, msOf(id) - msOf(this.master));
    const seqd = BigInt.asIntN(64, seqOf(id) - seqOf(this.master));
    const flags = same ? F_SAMEFIELDS : 0;
    const parts: string[] = [];
    if (msd < NARROW && msd > -NARROW && seqd < NARROW && seqd > -NARROW) {
      parts.push(String.fromCharCode(flags), varint(zigzag(Number(msd))), varint(zigzag(Number(seqd))));
    } else {
      const a = String(msd), b = String(seqd);
      parts.push(String.fromCharCode(flags | F_WIDE), varint(a.length), a, varint(b.length), b);
    }
    let lp = lpInt(BigInt(flags)) + lpInt(msd) + lpInt(seqd);
    if (!same) {
      parts.push(varint(nf));
      lp += lpInt(BigInt(nf));
      for (let i = 0; i < nf; i++) {
        const f = fv[off + 2 * i]!;
        parts.push(varint(f.length), f);
        lp += lpStr(f);
      }
    }
    for (let i = 0; i < nf; i++) {
      const v = fv[off + 2 * i + 1]!;
      parts.push(varint(v.length), v);
      lp += lpStr(v);
    }
    lp += lpInt(BigInt(same ? nf + 3 : 2 * nf + 4));
    this.lpRest += lp;
    (this.pend ??= []).push(parts.join(''));
    if (this.pend.length >= 32) this.flat();
    this.live++;
    this.lastId = id;
  }

  private flat(): string {
    if (this.pend) {
      this.pend.unshift(this.data);
      this.data = this.pend.join('');
      this.pend = null;
    }
    return this.data;
  }

  /** Every entry, tombstones included, in ID order. */
  entries(): Entry[] {
    const d = this.flat();
    const out: Entry[] = [];
    const mms = msOf(this.master);
    const mseq = seqOf(this.master);
    const pos = { p: 0 };
    while (pos.p < d.length) {
      const off = pos.p;
      const packed = d.charCodeAt(pos.p++);
      const flags = packed & ~F_WIDE;
      let msd: bigint, seqd: bigint;
      if (packed & F_WIDE) {
        let len = readVarint(d, pos);
        msd = BigInt(d.slice(pos.p, (pos.p += len)));
        len = readVarint(d, pos);
        seqd = BigInt(d.slice(pos.p, (pos.p += len)));
      } else {
        msd = BigInt(unzigzag(readVarint(d, pos)));
        seqd = BigInt(unzigzag(readVarint(d, pos)));
      }
      const id = sid(BigInt.asUintN(64, mms + msd), BigInt.asUintN(64, mseq + seqd));
      let fields: readonly string[] = this.fields;
      if (!(flags & F_SAMEFIELDS)) {
        const nf = readVarint(d, pos);
        const fs: string[] = [];
        for (let i = 0; i < nf; i++) {
          const len = readVarint(d, pos);
          fs.push(d.slice(pos.p, pos.p + len));
          pos.p += len;
        }
        fields = fs;
      }
      const fv: string[] = [];
      for (const f of fields) {
        const len = readVarint(d, pos);
        fv.push(f, d.slice(pos.p, pos.p + len));
        pos.p += len;
      }
      out.push({ id, flags, fv, off });
    }
    return out;
  }

  /**
   * The entry with this ID, tombstone or not, decoding only its own fields and values: XCLAIM and
   * XACK-style lookups (a replayed XREADGROUP is one XCLAIM per entry) would otherwise decode the
   * whole node per ID. An ID has exactly one delta encoding, so deltas are compared, not IDs.
   */
  find(id: SID): Entry | undefined {
    if (id < this.master || id > this.lastId) return undefined;
    const d = this.flat();
    const tms = BigInt.asIntN(64, msOf(id) - msOf(this.master));
    const tseq = BigInt.asIntN(64, seqOf(id) - seqOf(this.master));
    const narrow = tms < NARROW && tms > -NARROW && tseq < NARROW && tseq > -NARROW;
    const nms = Number(tms);
    const nseq = Number(tseq);
    const pos = { p: 0 };
    const skip = () => {
      const len = readVarint(d, pos);
      pos.p += len;
    };
    while (pos.p < d.length) {
      const off = pos.p;
      const packed = d.charCodeAt(pos.p++);
      const flags = packed & ~F_WIDE;
      let hit: boolean;
      if (packed & F_WIDE) {
        let len = readVarint(d, pos);
        const msd = BigInt(d.slice(pos.p, (pos.p += len)));
        len = readVarint(d, pos);
        const seqd = BigInt(d.slice(pos.p, (pos.p += len)));
        hit = !narrow && msd === tms && seqd === tseq;
      } else {
        const msd = unzigzag(readVarint(d, pos));
        const seqd = unzigzag(readVarint(d, pos));
        hit = narrow && msd === nms && seqd === nseq;
      }
      let fields: readonly string[] = this.fields;
      if (!(flags & F_SAMEFIELDS)) {
        const nf = readVarint(d, pos);
        if (!hit) {
          for (let i = 0; i < 2 * nf; i++) skip();
          continue;
        }
        const fs: string[] = [];
        for (let i = 0; i < nf; i++) {
          const len = readVarint(d, pos);
          fs.push(d.slice(pos.p, pos.p + len));
          pos.p += len;
        }
        fields = fs;
      } else if (!hit) {
        for (let i = 0; i < fields.length; i++) skip();
        continue;
      }
      const fv: string[] = [];
      for (const f of fields) {
        const len = readVarint(d, pos);
        fv.push(f, d.slice(pos.p, pos.p + len));
        pos.p += len;
      }
      return { id, flags, fv, off };
    }
    return undefined;
  }

  /** Mark the entry at `off` (from entries()) deleted; counters are the caller's. */
  markDeleted(off: number): void {
    const d = this.flat();
    const f = d.charCodeAt(off) | F_DELETED;
    this.data = [d.slice(0, off), String.fromCharCode(f), d.slice(off + 1)].join('');
  }

  /** A deep copy (COPY). */
  clone(): StreamNode {
    const n = new StreamNode(this.master, this.fields);
    n.data = this.flat();
    n.live = this.live;
    n.deleted = this.deleted;
    n.lpRest = this.lpRest;
    n.lastId = this.lastId;
    return n;
  }

  /** Bytes of packed data (memory accounting). */
  get dataBytes(): number {
    return this.flat().length;
  }
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}
function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** LEB128 over JS numbers up to 2^53 (arithmetic, not bit operators, past 31 bits). */
export function varint(n: number): string {
  if (n < 128) return String.fromCharCode(n);
  let s = '';
  while (n >= 128) {
    s += String.fromCharCode((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  return s + String.fromCharCode(n);
}

export function readVarint(d: string, pos: { p: number }): number {
  let b = d.charCodeAt(pos.p++);
  if (b < 128) return b;
  let n = b & 127;
  let mul = 128;
  for (;;) {
    b = d.charCodeAt(pos.p++);
    n += (b & 127) * mul;
    if (b < 128) return n;
    mul *= 128;
  }
}

/** Size of an integer element in a listpack (encoding + backlen). */
export function lpInt(v: bigint): number {
  if (v >= 0n && v <= 127n) return 2;
  if (v >= -4096n && v <= 4095n) return 3;
  if (v >= -32768n && v <= 32767n) return 4;
  if (v >= -8388608n && v <= 8388607n) return 5;
  if (v >= -2147483648n && v <= 2147483647n) return 6;
  return 10;
}

/** Size of a string element in a listpack (strings that look like integers are stored as such). */
export function lpStr(s: string): number {
  if (s.length <= 20 && isStrictLong(s)) return lpInt(BigInt(s));
  const L = s.length;
  const enc = L <= 63 ? 1 + L : L <= 4095 ? 2 + L : 5 + L;
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}
