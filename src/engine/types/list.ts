// The list type: a quicklist — a deque of packed nodes (encodings/list-pack.ts), each holding up
// to `list-max-listpack-size` entries (or bytes), so both ends push and pop in O(1).
import { registerType, type RObj } from '../keyspace.js';
import { encodeEntry, flat, flatSlice, pack, readAt, readBefore, skip, skipBack, unpack } from '../encodings/list-pack.js';
import { lpStr } from '../encodings/stream-node.js';

/** Redis's optimization_level: node byte limits for fill -1..-5. */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** Positive fills still cap a node at this many bytes (Redis's SIZE_SAFETY_LIMIT). */
const SAFETY_LIMIT = 8192;
const FILL_MAX = 1 << 15;

/** Redis's quicklistSetFill clamp. */
export function clampFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill;
}

/** lpNew's bytes: the listpack header and its end byte. */
const LP_EMPTY = 7;
/** Redis's SIZE_ESTIMATE_OVERHEAD: what an insert is assumed to add beyond the raw element. */
const ESTIMATE_OVERHEAD = 8;

/**
 * Redis 7.0's _quicklistNodeAllowInsert: `lpBytes` is the node's listpack size (what Redis keeps
 * in node->sz), `rawLen` the element's length; the estimate is theirs, not the exact growth.
 */
function allows(fill: number, count: number, lpBytes: number, rawLen: number): boolean {
  const sz = lpBytes + rawLen + ESTIMATE_OVERHEAD;
  if (fill < 0) return sz <= SIZE_LIMITS[-fill - 1]!;
  return sz <= SAFETY_LIMIT && count < fill;
}

// lpBytes of a node, memoized for the node last measured: a run of pushes at one end of a list
// measures its end node once and then adds each entry's size (a pure function of the string).
let memoNode: string | null = null;
let memoBytes = 0;
function nodeLpBytes(s: string, count: number): number {
  if (s === memoNode) return memoBytes;
  let b = LP_EMPTY;
  for (const v of unpack(s, count)) b += lpStr(v);
  memoNode = s;
  memoBytes = b;
  return b;
}
function rememberLpBytes(s: string, bytes: number): void {
  memoNode = s;
  memoBytes = bytes;
}

/**
 * Nodes live in one array as (packed string, entry count) pairs between `hd` and `tl`, with room
 * kept at the front for head pushes; one array per list keeps small lists small.
 */
export class List implements RObj {
  /** Last measured size in bytes (engine/memory.ts): a field, far cheaper than a side table. */
  mem = 0;
  /** The node pairs; a one-node list keeps just its node string here (a smaller object). */
  q: Array<string | number> | string;
  hd = 0;
  tl = 0;
  len = 0;
  /** The fill captured when the list was created, as Redis's quicklist keeps its own. */
  readonly fill: number;

  constructor(fill: number) {
    this.fill = clampFill(fill);
    this.q = [];
  }

  get type(): 'list' {
    return 'list';
  }

  get nodeCount(): number {
    return typeof this.q === 'string' ? 1 : (this.tl - this.hd) >> 1;
  }

  private node(j: number): string {
    return typeof this.q === 'string' ? this.q : (this.q[this.hd + 2 * j] as string);
  }
  private count(j: number): number {
    return typeof this.q === 'string' ? this.len : (this.q[this.hd + 2 * j + 1] as number);
  }
  private get arr(): Array<string | number> {
    return this.q as Array<string | number>;
  }
  /** Mutators work on the pair array; a lone node is unpacked into one first… */
  private expand(): void {
    if (typeof this.q === 'string') {
      this.q = [this.q, this.len];
      this.hd = 0;
      this.tl = 2;
    }
  }
  /** …and packed back afterwards. */
  private collapse(): void {
    if (typeof this.q !== 'string' && this.tl - this.hd === 2) {
      this.q = this.q[this.hd] as string;
      this.hd = this.tl = 0;
    }
  }
  private setNode(j: number, s: string, n: number): void {
    this.arr[this.hd + 2 * j] = s;
    this.arr[this.hd + 2 * j + 1] = n;
  }

  /** Pack items into fresh nodes as tail pushes fill them (each node as full as the fill allows). */
  private chunk(items: readonly string[]): Array<string | number> {
    const out: Array<string | number> = [];
    let from = 0;
    let bytes = LP_EMPTY;
    for (let i = 0; i < items.length; i++) {
      const v = items[i]!;
      if (i > from && !allows(this.fill, i - from, bytes, v.length)) {
        out.push(pack(items, from, i), i - from);
        from = i;
        bytes = LP_EMPTY;
      }
      bytes += lpStr(v);
    }
    if (items.length > from) out.push(pack(items, from, items.length), items.length - from);
    // An exact-size copy: a grown array keeps spare slots, which a small list would pay for.
    return out.slice();
  }

  /**
   * Pack items (in list order) into fresh nodes as head pushes fill them: quicklistPushHead puts
   * the last item first and prepends the others, opening a new node whenever the head is full, so
   * the node next to the old head is the full one and the new head holds the remainder.
   */
  private chunkFromHead(items: readonly string[]): Array<string | number> {
    const bounds: number[] = [];
    let to = items.length;
    let bytes = LP_EMPTY;
    for (let i = items.length - 1; i >= 0; i--) {
      const v = items[i]!;
      if (i < to - 1 && !allows(this.fill, to - 1 - i, bytes, v.length)) {
        bounds.push(i + 1, to);
        to = i + 1;
        bytes = LP_EMPTY;
      }
      bytes += lpStr(v);
    }
    bounds.push(0, to);
    const out: Array<string | number> = [];
    for (let k = bounds.length - 2; k >= 0; k -= 2) out.push(pack(items, bounds[k]!, bounds[k + 1]!), bounds[k + 1]! - bounds[k]!);
    return out;
  }

  /** Replace node j by nodes holding `items` (none when empty). */
  private replace(j: number, items: readonly string[]): void {
    const repl = items.length === 0 ? [] : this.chunk(items);
    if (repl.length === 2) {
      this.arr[this.hd + 2 * j] = repl[0]!;
      this.arr[this.hd + 2 * j + 1] = repl[1]!;
      return;
    }
    // repl is one node's items re-chunked (a few nodes), but it is inserted pair by pair rather
    // than spread into splice, so no length of it can overflow the call stack.
    const at = this.hd + 2 * j;
    if (repl.length === 0) this.arr.splice(at, 2);
    else {
      this.arr[at] = repl[0]!;
      this.arr[at + 1] = repl[1]!;
      for (let k = 2; k < repl.length; k += 2) this.arr.splice(at + k, 0, repl[k]!, repl[k + 1]!);
    }
    this.tl += repl.length - 2;
    if (this.tl === this.hd) this.clear();
  }

  private clear(): void {
    this.q = [];
    this.hd = this.tl = 0;
  }

  private _pushTail(items: readonly string[]): void {
    let i = 0;
    if (this.tl > this.hd) {
      const j = this.nodeCount - 1;
      let s = this.node(j);
      let n = this.count(j);
      let bytes = nodeLpBytes(s, n);
      let add = '';
      for (; i < items.length; i++) {
        const v = items[i]!;
        if (!allows(this.fill, n, bytes, v.length)) break;
        add += encodeEntry(v);
        bytes += lpStr(v);
        n++;
      }
      if (add.length) {
        s = flat(s + add);
        this.setNode(j, s, n);
        rememberLpBytes(s, bytes);
      }
    }
    this.len += items.length;
    if (i === items.length) return;
    const rest = this.chunk(i === 0 ? items : items.slice(i));
    if (this.tl === this.hd) {
      this.q = rest;
      this.hd = 0;
      this.tl = rest.length;
      return;
    }
    const a = this.arr;
    if (this.tl < a.length) a.length = this.tl;
    for (const x of rest) a.push(x);
    this.tl += rest.length;
  }

  /** LPUSH semantics: each item becomes the new head in turn, so the last ends up first. */
  private _pushHead(items: readonly string[]): void {
    const rev = items.slice().reverse();
    let i = rev.length; // rev[i..] go into the existing head node (in front of it)
    if (this.tl > this.hd) {
      let s = this.node(0);
      let n = this.count(0);
      let bytes = nodeLpBytes(s, n);
      let add = '';
      while (i > 0) {
        const v = rev[i - 1]!;
        if (!allows(this.fill, n, bytes, v.length)) break;
        add = encodeEntry(v) + add;
        bytes += lpStr(v);
        n++;
        i--;
      }
      if (add.length) {
        s = flat(add + s);
        this.setNode(0, s, n);
        rememberLpBytes(s, bytes);
      }
    }
    this.len += items.length;
    if (i === 0) return;
    const fresh = this.chunkFromHead(i === rev.length ? rev : rev.slice(0, i));
    if (this.tl === this.hd) {
      this.q = fresh;
      this.hd = 0;
      this.tl = fresh.length;
      return;
    }
    if (this.hd < fresh.length) {
      // Re-centre: leave as much room in front as the list holds nodes.
      const gap = fresh.length + (this.tl - this.hd) + 4;
      const q = new Array<string | number>(gap);
      for (let k = this.hd; k < this.tl; k++) q.push(this.arr[k]!);
      this.tl = gap + (this.tl - this.hd);
      this.hd = gap;
      this.q = q;
    }
    this.hd -= fresh.length;
    for (let k = 0; k < fresh.length; k++) this.arr[this.hd + k] = fresh[k]!;
  }

  /** Remove up to n entries from the head (returned in order). */
  private _popHead(n: number, collect = true): string[] {
    const out: string[] = [];
    n = Math.min(n, this.len);
    this.len -= n;
    while (n > 0) {
      const s = this.node(0);
      const c = this.count(0);
      if (n >= c) {
        if (collect) for (const v of unpack(s, c)) out.push(v);
        this.arr[this.hd] = this.arr[this.hd + 1] = undefined as unknown as number;
        this.hd += 2;
        n -= c;
        continue;
      }
      let off = 0;
      for (let k = 0; k < n; k++) {
        const r = readAt(s, off);
        if (collect) out.push(r[0]);
        off = r[1];
      }
      this.setNode(0, flatSlice(s, off, s.length), c - n);
      n = 0;
    }
    this.compact();
    return out;
  }

  /** Remove up to n entries from the tail (returned tail first, as RPOP pops them). */
  private _popTail(n: number, collect = true): string[] {
    const out: string[] = [];
    n = Math.min(n, this.len);
    this.len -= n;
    while (n > 0) {
      const j = this.nodeCount - 1;
      const s = this.node(j);
      const c = this.count(j);
      if (n >= c) {
        if (collect) {
          const all = unpack(s, c);
          for (let k = all.length - 1; k >= 0; k--) out.push(all[k]!);
        }
        this.tl -= 2;
        this.arr.length = this.tl;
        n -= c;
        continue;
      }
      let end = s.length;
      for (let k = 0; k < n; k++) {
        const r = readBefore(s, end);
        if (collect) out.push(r[0]);
        end = r[1];
      }
      this.setNode(j, flatSlice(s, 0, end), c - n);
      n = 0;
    }
    this.compact();
    return out;
  }

  /** Keep the array from growing with holes at the front (queue-like use). */
  private compact(): void {
    if (this.tl === this.hd) return this.clear();
    if (this.hd > 64 && this.hd > this.tl - this.hd) {
      this.q = this.arr.slice(this.hd, this.tl);
      this.tl -= this.hd;
      this.hd = 0;
    }
  }

  /** The node holding index i and the index of its first entry (walks from the nearer end). */
  private locate(i: number): [number, number] {
    const nodes = this.nodeCount;
    if (i < this.len >> 1) {
      let base = 0;
      for (let j = 0; j < nodes; j++) {
        const c = this.count(j);
        if (i < base + c) return [j, base];
        base += c;
      }
    } else {
      let base = this.len;
      for (let j = nodes - 1; j >= 0; j--) {
        base -= this.count(j);
        if (i >= base) return [j, base];
      }
    }
    throw new Error('list index out of bounds');
  }

  /** The entry at index i (0 ≤ i < len). */
  get(i: number): string {
    const [j, base] = this.locate(i);
    const s = this.node(j);
    const c = this.count(j);
    const k = i - base;
    if (k < c >> 1) return readAt(s, skip(s, k))[0];
    return readBefore(s, skipBack(s, c - k - 1))[0];
  }

  /** Entries start..stop inclusive (0 ≤ start ≤ stop < len). */
  range(start: number, stop: number): string[] {
    const want = stop - start + 1;
    const out = new Array<string>(want);
    let [j, base] = this.locate(start);
    let off = skip(this.node(j), start - base);
    let got = 0;
    while (got < want) {
      const s = this.node(j);
      while (got < want && off < s.length) {
        const r = readAt(s, off);
        out[got++] = r[0];
        off = r[1];
      }
      j++;
      off = 0;
    }
    return out;
  }

  /** Entries start..stop inclusive, from the tail backwards (stop ≥ start). */
  rangeRev(start: number, stop: number): string[] {
    const out = this.range(start, stop);
    return out.reverse();
  }

  /** Overwrite index i. */
  private _set(i: number, v: string): void {
    const [j, base] = this.locate(i);
    const items = unpack(this.node(j), this.count(j));
    items[i - base] = v;
    this.replace(j, items);
  }

  /** Insert v so that it ends up at index i (0 ≤ i ≤ len). */
  private _insert(i: number, v: string): void {
    if (i === 0) return this.pushHead([v]);
    if (i === this.len) return this.pushTail([v]);
    const [j, base] = this.locate(i);
    const items = unpack(this.node(j), this.count(j));
    items.splice(i - base, 0, v);
    this.len++;
    this.replace(j, items);
  }

  /** Visit entries from the head (or the tail) with their index; stop when `fn` returns true. */
  scan(fromHead: boolean, fn: (v: string, i: number) => boolean | void): void {
    const nodes = this.nodeCount;
    if (fromHead) {
      let i = 0;
      for (let j = 0; j < nodes; j++) {
        const s = this.node(j);
        for (let off = 0; off < s.length; ) {
          const r = readAt(s, off);
          if (fn(r[0], i++)) return;
          off = r[1];
        }
      }
    } else {
      let i = this.len - 1;
      for (let j = nodes - 1; j >= 0; j--) {
        const s = this.node(j);
        for (let end = s.length; end > 0; ) {
          const r = readBefore(s, end);
          if (fn(r[0], i--)) return;
          end = r[1];
        }
      }
    }
  }

  /** LREM: remove up to `limit` (0 = all) entries equal to v, from the head or the tail. */
  private _remove(v: string, limit: number, fromHead: boolean): number {
    let removed = 0;
    const nodes = this.nodeCount;
    const changed: Array<[number, string[]]> = [];
    for (let step = 0; step < nodes && (limit === 0 || removed < limit); step++) {
      const j = fromHead ? step : nodes - 1 - step;
      const s = this.node(j);
      const enc = encodeEntry(v);
      if (s.indexOf(enc) < 0) continue; // cheap reject; a false hit is re-checked below
      const items = unpack(s, this.count(j));
      const keep: string[] = [];
      let hit = 0;
      if (fromHead) {
        for (const x of items) {
          if (x === v && (limit === 0 || removed + hit < limit)) hit++;
          else keep.push(x);
        }
      } else {
        for (let k = items.length - 1; k >= 0; k--) {
          const x = items[k]!;
          if (x === v && (limit === 0 || removed + hit < limit)) hit++;
          else keep.push(x);
        }
        keep.reverse();
      }
      if (hit) {
        removed += hit;
        changed.push([j, keep]);
      }
    }
    // Replace from the highest node down so earlier indexes stay valid.
    changed.sort((a, b) => b[0] - a[0]);
    for (const [j, keep] of changed) this.replace(j, keep);
    this.len -= removed;
    return removed;
  }

  pushTail(items: readonly string[]): void {
    this.expand();
    this._pushTail(items);
    this.collapse();
  }
  /** LPUSH semantics: each item becomes the new head in turn, so the last ends up first. */
  pushHead(items: readonly string[]): void {
    this.expand();
    this._pushHead(items);
    this.collapse();
  }
  /** Remove up to n entries from the head (returned in order). */
  popHead(n: number, collect = true): string[] {
    this.expand();
    const r = this._popHead(n, collect);
    this.collapse();
    return r;
  }
  /** Remove up to n entries from the tail (returned tail first, as RPOP pops them). */
  popTail(n: number, collect = true): string[] {
    this.expand();
    const r = this._popTail(n, collect);
    this.collapse();
    return r;
  }
  /** Overwrite index i (0 ≤ i < len). */
  set(i: number, v: string): void {
    this.expand();
    this._set(i, v);
    this.collapse();
  }
  /** Insert v so that it ends up at index i (0 ≤ i ≤ len). */
  insert(i: number, v: string): void {
    this.expand();
    this._insert(i, v);
    this.collapse();
  }
  /** LREM: remove up to `limit` (0 = all) entries equal to v, from the head or the tail. */
  remove(v: string, limit: number, fromHead: boolean): number {
    this.expand();
    const r = this._remove(v, limit, fromHead);
    this.collapse();
    return r;
  }

  /** LTRIM: drop `left` entries from the head and `right` from the tail. */
  trim(left: number, right: number): void {
    if (left) this.popHead(left, false);
    if (right) this.popTail(right, false);
  }

  /** The entries of each node, head node first (RDB's quicklist nodes, as Redis writes them). */
  nodeItems(): string[][] {
    const out: string[][] = [];
    for (let j = 0; j < this.nodeCount; j++) out.push(unpack(this.node(j), this.count(j)));
    return out;
  }

  /** Append a whole node, whatever the fill (quicklistAppendListpack, as RDB loading does). */
  appendNode(items: readonly string[]): void {
    if (items.length === 0) return;
    this.expand();
    if (this.tl === this.hd) this.q = [];
    const a = this.arr;
    if (this.tl < a.length) a.length = this.tl;
    a.push(pack(items), items.length);
    this.tl += 2;
    this.len += items.length;
    this.collapse();
  }

  toArray(): string[] {
    const out: string[] = [];
    for (let j = 0; j < this.nodeCount; j++) for (const v of unpack(this.node(j), this.count(j))) out.push(v);
    return out;
  }

  clone(): List {
    const l = new List(this.fill);
    if (typeof this.q === 'string') l.q = this.q;
    else {
      l.q = this.q.slice(this.hd, this.tl);
      l.tl = l.q.length;
    }
    l.len = this.len;
    return l;
  }

  /** Structural self-check for tests: counts, sizes and fill limits agree with the contents. */
  check(): void {
    let total = 0;
    for (let j = 0; j < this.nodeCount; j++) {
      const s = this.node(j);
      const c = this.count(j);
      if (c <= 0 || unpack(s).length !== c) throw new Error(`node ${j} count ${c} is wrong`);
      if (c > 1 && this.fill >= 0 && c > Math.max(this.fill, 1)) throw new Error(`node ${j} exceeds fill`);
      total += c;
    }
    if (total !== this.len) throw new Error(`len ${this.len} != ${total}`);
  }
}

registerType('list', {
  clone: (v) => (v as List).clone(),
  // Redis 7.0 creates every list as a quicklist (the listpack list encoding arrived in 7.2).
  encoding: () => 'quicklist',
});
