// Sorted set algebra: ZUNION/ZINTER/ZDIFF, their STORE forms (WEIGHTS, AGGREGATE, WITHSCORES)
// and ZINTERCARD, as zunionInterDiffGenericCommand does them. Plain sets count as score 1.
import { E, err, int, type Frame } from '../protocol/frame.js';
import { collectionMembers, type Value } from '../engine/keyspace.js';
import { ZSet } from '../engine/types/zset.js';
import type { ZEntries } from '../engine/encodings/zset-pack.js';
import { floatArg, isFrame } from './args.js';
import { parseI64 } from '../protocol/numfmt.js';
import { entriesReply, longArg, zcfg } from './zsets-core.js';
import type { Ctx } from './types.js';

type Op = 'union' | 'inter' | 'diff' | 'intercard';
type Aggr = 'sum' | 'min' | 'max';

/** One input: a member → score lookup and its entries in iteration order. */
interface Src {
  card: number;
  weight: number;
  entries: () => ZEntries;
  score: (m: string) => number | undefined;
}

const EMPTY_SRC = (): Src => ({ card: 0, weight: 1, entries: () => ({ m: [], s: [] }), score: () => undefined });

function srcOf(v: Value): Src | null {
  if (v instanceof ZSet) return { card: v.card(), weight: 1, entries: () => v.all(), score: (m) => v.score(m) };
  if (typeof v !== 'string' && v.type === 'set') {
    const members = collectionMembers(v);
    if (members === undefined) return null;
    const set = new Set(members);
    return { card: members.length, weight: 1, entries: () => ({ m: members, s: members.map(() => 1) }), score: (m) => (set.has(m) ? 1 : undefined) };
  }
  return null;
}

function aggregate(a: number, b: number, how: Aggr): number {
  if (how === 'sum') {
    const r = a + b;
    return Number.isNaN(r) ? 0 : r; // inf + -inf, or a NaN product
  }
  return how === 'min' ? (b < a ? b : a) : b > a ? b : a;
}

/** weight × score, with Redis's NaN → 0 (0 × inf). */
function weighted(w: number, s: number): number {
  const r = w * s;
  return Number.isNaN(r) ? 0 : r;
}

/**
 * zunionInterDiffGenericCommand. `numIdx` is the numkeys position; `dst` the store key (or null).
 */
function setop(c: Ctx, argv: string[], dst: string | null, numIdx: number, op: Op, name: string): Frame {
  const setnum = longArg(argv[numIdx]!);
  if (isFrame(setnum)) return setnum;
  if (setnum < 1) return err(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - (numIdx + 1)) return E.syntax;
  const srcs: Src[] = [];
  let j = numIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = dst !== null ? c.db.get(argv[j]!) : c.db.read(argv[j]!);
    if (v === undefined) srcs.push(EMPTY_SRC());
    else {
      const s = srcOf(v);
      if (!s) return E.wrongType;
      srcs.push(s);
    }
  }
  let how: Aggr = 'sum';
  let withscores = false;
  let limit = 0;
  {
    while (j < argv.length) {
      const o = argv[j]!.toLowerCase();
      const remaining = argv.length - j;
      if (op !== 'diff' && op !== 'intercard' && remaining >= setnum + 1 && o === 'weights') {
        j++;
        for (let i = 0; i < setnum; i++, j++) {
          const w = floatArg(argv[j]!);
          if (isFrame(w)) return err('ERR weight value is not a float');
          srcs[i]!.weight = w;
        }
      } else if (op !== 'diff' && op !== 'intercard' && remaining >= 2 && o === 'aggregate') {
        const a = argv[j + 1]!.toLowerCase();
        if (a !== 'sum' && a !== 'min' && a !== 'max') return E.syntax;
        how = a;
        j += 2;
      } else if (op === 'intercard' && remaining >= 2 && o === 'limit') {
        const v = parseI64(argv[j + 1]!);
        if (v === null || v < 0n) return err("ERR LIMIT can't be negative");
        limit = Number(v);
        j += 2;
      } else if (op !== 'intercard' && dst === null && o === 'withscores') {
        withscores = true;
        j++;
      } else return E.syntax;
    }
  }
  // Smallest inputs first (fewer lookups for INTER; it also fixes the SUM order as Redis's).
  const order = op === 'diff' ? srcs : [...srcs].sort((a, b) => a.card - b.card);
  const acc = new Map<string, number>();
  if (op === 'inter' || op === 'intercard') {
    let count = 0;
    if (order[0]!.card > 0) {
      const first = order[0]!.entries();
      outer: for (let k = 0; k < first.m.length; k++) {
        const m = first.m[k]!;
        let score = weighted(order[0]!.weight, first.s[k]!);
        for (let i = 1; i < order.length; i++) {
          const s = order[i]!.score(m);
          if (s === undefined) continue outer;
          // Only the first input's product is NaN-checked: a later 0 × inf stays NaN, so SUM
          // resets the running score to 0 and MIN/MAX keep it (zunionInterAggregate).
          score = aggregate(score, order[i]!.weight * s, how);
        }
        if (op === 'intercard') {
          count++;
          if (limit && count >= limit) break;
        } else acc.set(m, score);
      }
    }
    if (op === 'intercard') return int(count);
  } else if (op === 'union') {
    for (const s of order) {
      if (s.card === 0) continue;
      const e = s.entries();
      for (let k = 0; k < e.m.length; k++) {
        const m = e.m[k]!;
        const score = weighted(s.weight, e.s[k]!);
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, how));
      }
    }
  } else {
    const e = order[0]!.entries();
    for (let k = 0; k < e.m.length; k++) {
      const m = e.m[k]!;
      let found = false;
      for (let i = 1; i < order.length && !found; i++) found = order[i]!.score(m) !== undefined;
      if (!found) acc.set(m, e.s[k]!);
    }
  }
  const result = sortEntries(acc);
  if (dst === null) return entriesReply(c, result, withscores);
  if (result.m.length === 0) {
    if (c.db.del(dst)) c.dirty++;
    return int(0);
  }
  c.db.set(dst, ZSet.fromSorted(result, zcfg(c)));
  c.dirty++;
  return int(result.m.length);
}

function sortEntries(acc: Map<string, number>): ZEntries {
  const items = [...acc];
  items.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { m: items.map((x) => x[0]), s: items.map((x) => x[1]) };
}

export const SETOP_HANDLERS = {
  zunion: (c: Ctx, a: string[]) => setop(c, a, null, 1, 'union', 'zunion'),
  zinter: (c: Ctx, a: string[]) => setop(c, a, null, 1, 'inter', 'zinter'),
  zdiff: (c: Ctx, a: string[]) => setop(c, a, null, 1, 'diff', 'zdiff'),
  zunionstore: (c: Ctx, a: string[]) => setop(c, a, a[1]!, 2, 'union', 'zunionstore'),
  zinterstore: (c: Ctx, a: string[]) => setop(c, a, a[1]!, 2, 'inter', 'zinterstore'),
  zdiffstore: (c: Ctx, a: string[]) => setop(c, a, a[1]!, 2, 'diff', 'zdiffstore'),
  zintercard: (c: Ctx, a: string[]) => setop(c, a, null, 1, 'intercard', 'zintercard'),
};

