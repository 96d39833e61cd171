// The sorted set value: a packed string while small ("listpack"), a skiplist + member index
// when big ("skiplist"), converted at zset-max-listpack-entries / -value exactly where Redis 7.0
// converts. Ranks are 0-based and ascending throughout; the commands map REV onto them.
import { registerType, type RObj } from '../keyspace.js';
import { SkipList, type LevelRng } from '../encodings/skiplist.js';
import { insertPos, packCount, packDecode, packEncode, packScore, type ZEntries } from '../encodings/zset-pack.js';

export interface ZCfg {
  /** zset-max-listpack-entries */
  entries: number;
  /** zset-max-listpack-value */
  value: number;
  rng: LevelRng;
}

export class ZSet implements RObj {
  /** Last measured size in bytes (engine/memory.ts): a field, far cheaper than a side table. */
  mem = 0;
  /** The packed entries while the set is small; null once converted. */
  p: string | null = '';
  sl: SkipList | null = null;
  /** member → skiplist node id (big encoding only). */
  dict: Map<string, number> | null = null;

  // On the prototype, not a field: every small set saves a slot (memory is per object here).
  get type(): 'zset' {
    return 'zset';
  }

  /** zsetTypeCreate as Redis 7.0's ZADD does it: the first member's length decides. */
  static create(cfg: ZCfg, firstLen: number): ZSet {
    const z = new ZSet();
    if (cfg.entries === 0 || firstLen > cfg.value) z.convert(cfg.rng);
    return z;
  }

  /** A set built from sorted entries, encoded as Redis's store commands leave it (small → listpack). */
  static fromSorted(e: ZEntries, cfg: ZCfg): ZSet {
    const z = new ZSet();
    let maxLen = 0;
    for (const m of e.m) if (m.length > maxLen) maxLen = m.length;
    if (e.m.length <= cfg.entries && maxLen <= cfg.value) {
      z.p = packEncode(e.m, e.s);
    } else {
      z.convert(cfg.rng);
      for (let i = 0; i < e.m.length; i++) z.dict!.set(e.m[i]!, z.sl!.insert(e.s[i]!, e.m[i]!));
    }
    return z;
  }

  get encoding(): 'listpack' | 'skiplist' {
    return this.p !== null ? 'listpack' : 'skiplist';
  }

  card(): number {
    return this.p !== null ? packCount(this.p) : this.sl!.length;
  }

  score(member: string): number | undefined {
    if (this.p !== null) return packScore(this.p, member);
    const id = this.dict!.get(member);
    return id === undefined ? undefined : this.sl!.score(id);
  }

  /** Switch to the skiplist encoding (never back: Redis only re-packs freshly stored results). */
  convert(rng: LevelRng): void {
    if (this.p === null) return;
    const e = packDecode(this.p);
    this.p = null;
    this.sl = new SkipList(rng, Math.max(16, e.m.length * 2));
    this.dict = new Map();
    for (let i = 0; i < e.m.length; i++) this.dict.set(e.m[i]!, this.sl.insert(e.s[i]!, e.m[i]!));
  }

  /** Insert or update a member's score (zsetAdd's storage part), converting when it outgrows listpack. */
  set(member: string, score: number, cfg: ZCfg): void {
    if (this.p !== null) {
      const e = packDecode(this.p);
      const at = e.m.indexOf(member);
      if (at >= 0) {
        e.m.splice(at, 1);
        e.s.splice(at, 1);
      } else if (e.m.length + 1 > cfg.entries || member.length > cfg.value) {
        this.convert(cfg.rng);
        this.set(member, score, cfg);
        return;
      }
      const pos = insertPos(e, score, member);
      e.m.splice(pos, 0, member);
      e.s.splice(pos, 0, score);
      this.p = packEncode(e.m, e.s);
      return;
    }
    const dict = this.dict!;
    const sl = this.sl!;
    const id = dict.get(member);
    if (id !== undefined) {
      const old = sl.score(id);
      if (old === score) return;
      sl.delete(old, member);
    }
    dict.set(member, sl.insert(score, member));
  }

  remove(member: string): boolean {
    if (this.p !== null) {
      const e = packDecode(this.p);
      const at = e.m.indexOf(member);
      if (at < 0) return false;
      e.m.splice(at, 1);
      e.s.splice(at, 1);
      this.p = packEncode(e.m, e.s);
      return true;
    }
    const id = this.dict!.get(member);
    if (id === undefined) return false;
    this.sl!.delete(this.sl!.score(id), member);
    this.dict!.delete(member);
    return true;
  }

  /** 0-based ascending rank, -1 when absent. */
  rank(member: string): number {
    if (this.p !== null) return packDecode(this.p).m.indexOf(member);
    const id = this.dict!.get(member);
    if (id === undefined) return -1;
    return this.sl!.rankOf(this.sl!.score(id), member) - 1;
  }

  /** Entries at ascending ranks start..end (inclusive, already clamped to the set). */
  range(start: number, end: number): ZEntries {
    if (end < start) return { m: [], s: [] };
    if (this.p !== null) {
      const e = packDecode(this.p);
      if (start === 0 && end === e.m.length - 1) return e;
      return { m: e.m.slice(start, end + 1), s: e.s.slice(start, end + 1) };
    }
    const sl = this.sl!;
    const m: string[] = [];
    const s: number[] = [];
    for (let x = sl.nodeAt(start + 1), i = start; x !== 0 && i <= end; x = sl.next(x), i++) {
      m.push(sl.member(x));
      s.push(sl.score(x));
    }
    return { m, s };
  }

  /** Entries at descending positions: ascending ranks end down to start. */
  rangeRev(start: number, end: number): ZEntries {
    if (end < start) return { m: [], s: [] };
    if (this.p !== null) {
      const e = this.range(start, end);
      e.m.reverse();
      e.s.reverse();
      return e;
    }
    const sl = this.sl!;
    const m: string[] = [];
    const s: number[] = [];
    for (let x = sl.nodeAt(end + 1), i = end; x !== 0 && i >= start; x = sl.prev(x), i--) {
      m.push(sl.member(x));
      s.push(sl.score(x));
    }
    return { m, s };
  }

  all(): ZEntries {
    return this.range(0, this.card() - 1);
  }

  /** How many leading entries satisfy `pred(member, score)` (a prefix property of the order). */
  countWhile(pred: (member: string, score: number) => boolean): number {
    if (this.p !== null) {
      const e = packDecode(this.p);
      let i = 0;
      while (i < e.m.length && pred(e.m[i]!, e.s[i]!)) i++;
      return i;
    }
    const sl = this.sl!;
    return sl.countWhile((id) => pred(sl.member(id), sl.score(id)));
  }

  /** Remove ascending ranks start..end (inclusive, clamped); returns what was removed. */
  removeRange(start: number, end: number): ZEntries {
    if (end < start) return { m: [], s: [] };
    if (this.p !== null) {
      const e = packDecode(this.p);
      const m = e.m.splice(start, end - start + 1);
      const s = e.s.splice(start, end - start + 1);
      this.p = packEncode(e.m, e.s);
      return { m, s };
    }
    const out = this.range(start, end);
    for (let i = 0; i < out.m.length; i++) {
      this.sl!.delete(out.s[i]!, out.m[i]!);
      this.dict!.delete(out.m[i]!);
    }
    return out;
  }

  /** The members in the set's internal iteration order (for ZSCAN of a big set). */
  dictKeys(): IterableIterator<string> {
    return this.dict!.keys();
  }

  clone(): ZSet {
    const z = new ZSet();
    z.p = this.p;
    if (this.p === null) {
      z.sl = this.sl!.clone();
      z.dict = new Map(this.dict!);
    }
    return z;
  }
}

registerType('zset', {
  clone: (v) => (v as ZSet).clone(),
  encoding: (v) => (v as ZSet).encoding,
});

