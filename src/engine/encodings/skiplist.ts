// Redis's zskiplist (ordered by score, then member bytes) with spans for O(log n) ranks, laid out
// as structure-of-arrays: a node is an index into typed arrays, not a JS object, so a million
// members cost a few typed-array slots each instead of ~100 bytes of object headers and arrays.

export interface LevelRng {
  /** Uniform in [0, 1). */
  next(): number;
}

export const SKIPLIST_MAXLEVEL = 32;
const P = 0.25;
const HEAD = 0;

/**
 * Node 0 is the header. Level 0 links live in `fwd0` (its span is always 1, so it is not stored)
 * and `back`; levels 1.. of a node live in `pool` as (forward, span) pairs from `up[node]`.
 * Id 0 doubles as "none" for links: the header is never a forward or backward target.
 */
export class SkipList {
  length = 0;
  level = 1;
  tail = 0;
  private cap: number;
  private scores: Float64Array;
  private members: string[];
  private back: Int32Array;
  private fwd0: Int32Array;
  private up: Int32Array;
  private lvl: Uint8Array;
  private pool: Int32Array;
  private poolTop = 0;
  /** Free pool blocks per upper-level count (a block's first slot links to the next free one). */
  private freeBlocks = new Int32Array(SKIPLIST_MAXLEVEL).fill(-1);
  /** Free node ids, chained through fwd0. */
  private freeNode = 0;
  private nextId = 1;
  private readonly update = new Int32Array(SKIPLIST_MAXLEVEL);
  private readonly rank = new Float64Array(SKIPLIST_MAXLEVEL);

  constructor(private readonly rng: LevelRng, capacity = 16) {
    this.cap = Math.max(4, capacity);
    this.scores = new Float64Array(this.cap);
    this.members = new Array<string>(this.cap);
    this.back = new Int32Array(this.cap);
    this.fwd0 = new Int32Array(this.cap);
    this.up = new Int32Array(this.cap);
    this.lvl = new Uint8Array(this.cap);
    this.pool = new Int32Array(Math.max(64, this.cap));
    this.lvl[HEAD] = SKIPLIST_MAXLEVEL;
    this.up[HEAD] = this.allocBlock(SKIPLIST_MAXLEVEL - 1);
  }

  // ---- node accessors -----------------------------------------------------------------------
  member(id: number): string {
    return this.members[id]!;
  }
  score(id: number): number {
    return this.scores[id]!;
  }
  /** The next node (0 when none). */
  next(id: number): number {
    return this.fwd0[id]!;
  }
  /** The previous node (0 when none). */
  prev(id: number): number {
    return this.back[id]!;
  }
  first(): number {
    return this.fwd0[HEAD]!;
  }

  private fwd(id: number, i: number): number {
    return i === 0 ? this.fwd0[id]! : this.pool[this.up[id]! + 2 * (i - 1)]!;
  }
  private setFwd(id: number, i: number, to: number): void {
    if (i === 0) this.fwd0[id] = to;
    else this.pool[this.up[id]! + 2 * (i - 1)] = to;
  }
  private span(id: number, i: number): number {
    return i === 0 ? 1 : this.pool[this.up[id]! + 2 * (i - 1) + 1]!;
  }
  private setSpan(id: number, i: number, v: number): void {
    if (i !== 0) this.pool[this.up[id]! + 2 * (i - 1) + 1] = v;
  }

  // ---- allocation ---------------------------------------------------------------------------
  private allocBlock(n: number): number {
    if (n === 0) return 0;
    const f = this.freeBlocks[n - 1]!;
    if (f >= 0) {
      this.freeBlocks[n - 1] = this.pool[f]!;
      this.pool.fill(0, f, f + 2 * n);
      return f;
    }
    const at = this.poolTop;
    if (at + 2 * n > this.pool.length) {
      const np = new Int32Array(Math.max(this.pool.length * 2, at + 2 * n));
      np.set(this.pool);
      this.pool = np;
    }
    this.poolTop += 2 * n;
    return at;
  }

  private freeBlock(at: number, n: number): void {
    if (n === 0) return;
    this.pool[at] = this.freeBlocks[n - 1]!;
    this.freeBlocks[n - 1] = at;
  }

  private allocNode(level: number, score: number, ele: string): number {
    let id = this.freeNode;
    if (id !== 0) this.freeNode = this.fwd0[id]!;
    else {
      id = this.nextId++;
      if (id >= this.cap) this.grow();
    }
    this.scores[id] = score;
    this.members[id] = ele;
    this.lvl[id] = level;
    this.fwd0[id] = 0;
    this.back[id] = 0;
    this.up[id] = this.allocBlock(level - 1);
    return id;
  }

  private freeNodeId(id: number): void {
    this.freeBlock(this.up[id]!, this.lvl[id]! - 1);
    this.members[id] = '';
    this.fwd0[id] = this.freeNode;
    this.freeNode = id;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const f64 = new Float64Array(cap);
    f64.set(this.scores);
    this.scores = f64;
    const g = (a: Int32Array): Int32Array => {
      const n = new Int32Array(cap);
      n.set(a);
      return n;
    };
    this.back = g(this.back);
    this.fwd0 = g(this.fwd0);
    this.up = g(this.up);
    const l = new Uint8Array(cap);
    l.set(this.lvl);
    this.lvl = l;
    this.members.length = cap;
    this.cap = cap;
  }

  private randomLevel(): number {
    let level = 1;
    while (level < SKIPLIST_MAXLEVEL && this.rng.next() < P) level++;
    return level;
  }

  /** Whether node id sorts before (score, ele). */
  private before(id: number, score: number, ele: string): boolean {
    const s = this.scores[id]!;
    return s < score || (s === score && this.members[id]! < ele);
  }

  // ---- operations ---------------------------------------------------------------------------
  /** zslInsert: the caller guarantees ele is not present. Returns the node id. */
  insert(score: number, ele: string): number {
    const update = this.update;
    const rank = this.rank;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      for (let f = this.fwd(x, i); f !== 0 && this.before(f, score, ele); f = this.fwd(x, i)) {
        rank[i] = rank[i]! + this.span(x, i);
        x = f;
      }
      update[i] = x;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = HEAD;
        this.setSpan(HEAD, i, this.length);
      }
      this.level = level;
    }
    x = this.allocNode(level, score, ele);
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      this.setFwd(x, i, this.fwd(u, i));
      this.setFwd(u, i, x);
      this.setSpan(x, i, this.span(u, i) - (rank[0]! - rank[i]!));
      this.setSpan(u, i, rank[0]! - rank[i]! + 1);
    }
    for (let i = level; i < this.level; i++) this.setSpan(update[i]!, i, this.span(update[i]!, i) + 1);
    this.back[x] = update[0] === HEAD ? 0 : update[0]!;
    const nx = this.fwd0[x]!;
    if (nx !== 0) this.back[nx] = x;
    else this.tail = x;
    this.length++;
    return x;
  }

  /** zslDelete: remove (score, ele); false when absent. */
  delete(score: number, ele: string): boolean {
    const update = this.update;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.fwd(x, i); f !== 0 && this.before(f, score, ele); f = this.fwd(x, i)) x = f;
      update[i] = x;
    }
    x = this.fwd0[x]!;
    if (x === 0 || this.scores[x] !== score || this.members[x] !== ele) return false;
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (this.fwd(u, i) === x) {
        this.setSpan(u, i, this.span(u, i) + this.span(x, i) - 1);
        this.setFwd(u, i, this.fwd(x, i));
      } else this.setSpan(u, i, this.span(u, i) - 1);
    }
    const nx = this.fwd0[x]!;
    if (nx !== 0) this.back[nx] = this.back[x]!;
    else this.tail = this.back[x]!;
    while (this.level > 1 && this.fwd(HEAD, this.level - 1) === 0) this.level--;
    this.length--;
    this.freeNodeId(x);
    return true;
  }

  /** 1-based rank of (score, ele), 0 when absent (zslGetRank). */
  rankOf(score: number, ele: string): number {
    let x = HEAD;
    let r = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.fwd(x, i); f !== 0 && (this.before(f, score, ele) || (this.scores[f] === score && this.members[f] === ele)); f = this.fwd(x, i)) {
        r += this.span(x, i);
        x = f;
      }
      if (x !== HEAD && this.members[x] === ele) return r;
    }
    return 0;
  }

  /** The node at 1-based rank (zslGetElementByRank), 0 when out of range. */
  nodeAt(rank: number): number {
    if (rank < 1 || rank > this.length) return 0;
    let x = HEAD;
    let t = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.fwd(x, i); f !== 0 && t + this.span(x, i) <= rank; f = this.fwd(x, i)) {
        t += this.span(x, i);
        x = f;
      }
      if (t === rank) return x;
    }
    return 0;
  }

  /** How many leading nodes satisfy `pred` (which must hold for a prefix of the order). */
  countWhile(pred: (id: number) => boolean): number {
    let x = HEAD;
    let r = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.fwd(x, i); f !== 0 && pred(f); f = this.fwd(x, i)) {
        r += this.span(x, i);
        x = f;
      }
    }
    return r;
  }

  /** A structural copy (same levels), for COPY. */
  clone(): SkipList {
    const c = new SkipList(this.rng, 4);
    c.length = this.length;
    c.level = this.level;
    c.tail = this.tail;
    c.cap = this.cap;
    c.scores = this.scores.slice();
    c.members = this.members.slice();
    c.back = this.back.slice();
    c.fwd0 = this.fwd0.slice();
    c.up = this.up.slice();
    c.lvl = this.lvl.slice();
    c.pool = this.pool.slice();
    c.poolTop = this.poolTop;
    c.freeBlocks = this.freeBlocks.slice();
    c.freeNode = this.freeNode;
    c.nextId = this.nextId;
    return c;
  }

  /** Checks the invariants (tests): order, back links, spans at every level. */
  validate(): void {
    const ids: number[] = [];
    for (let x = this.first(), prev = 0; x !== 0; prev = x, x = this.fwd0[x]!) {
      if (this.back[x] !== prev) throw new Error('bad back link');
      if (prev !== 0 && !this.before(prev, this.scores[x]!, this.members[x]!)) throw new Error('bad order');
      ids.push(x);
    }
    if (ids.length !== this.length) throw new Error('bad length');
    if (this.tail !== (ids[ids.length - 1] ?? 0)) throw new Error('bad tail');
    const pos = new Map<number, number>(ids.map((id, i) => [id, i + 1]));
    for (let i = 1; i < this.level; i++) {
      let x = HEAD;
      let r = 0;
      for (let f = this.fwd(x, i); f !== 0; f = this.fwd(x, i)) {
        r += this.span(x, i);
        if (pos.get(f) !== r) throw new Error(`bad span at level ${i}`);
        x = f;
      }
    }
  }
}
