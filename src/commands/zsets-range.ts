// Sorted set range commands: ZCOUNT, ZLEXCOUNT, the ZRANGE family (rank, BYSCORE, BYLEX, REV,
// LIMIT, WITHSCORES), ZRANGESTORE and ZREMRANGEBYRANK/BYSCORE/BYLEX, all on ascending ranks.
import { E, EMPTY_ARR, err, int, type Frame } from '../protocol/frame.js';
import { ZSet } from '../engine/types/zset.js';
import type { ZEntries } from '../engine/encodings/zset-pack.js';
import { isFrame } from './args.js';
import {
  NOT_FLOAT_RANGE, NOT_LEX_RANGE, clampRanks, dropIfEmpty, entriesReply, isZ, lexCount, lexDeleteRanks, lexWalk, longArg,
  parseLexRange, parseScoreRange, readZ, scoreRanks, writeZ, zcfg, type LexRange, type ScoreRange,
} from './zsets-core.js';
import type { Ctx } from './types.js';

function zcount(c: Ctx, argv: string[]): Frame {
  const r = parseScoreRange(argv[2]!, argv[3]!);
  if (!r) return NOT_FLOAT_RANGE;
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? int(0);
  const [lo, hi] = scoreRanks(z, r);
  return int(Math.max(0, hi - lo + 1));
}

function zlexcount(c: Ctx, argv: string[]): Frame {
  const r = parseLexRange(argv[2]!, argv[3]!);
  if (!r) return NOT_LEX_RANGE;
  const z = readZ(c, argv[1]!);
  if (!isZ(z)) return z ?? int(0);
  return int(lexCount(z, r));
}

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Dir = 'auto' | 'fwd' | 'rev';

/**
 * zrangeGenericCommand: `at` is the index of the source key; store = ZRANGESTORE (argv[1] is
 * the destination). The legacy commands fix the type and direction, which then refuse the
 * corresponding options as syntax errors, exactly as Redis's parser does.
 */
function zrangeGeneric(c: Ctx, argv: string[], at: number, store: boolean, type: RangeType, dir: Dir): Frame {
  const key = argv[at]!;
  let minArg = argv[at + 1]!;
  let maxArg = argv[at + 2]!;
  let withscores = false;
  let offset = 0;
  let limit = -1;
  let limitGiven = false;
  for (let j = at + 3; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (!store && o === 'withscores') withscores = true;
    else if (o === 'limit' && left >= 2) {
      const a = longArg(argv[j + 1]!);
      if (isFrame(a)) return a;
      const b = longArg(argv[j + 2]!);
      if (isFrame(b)) return b;
      offset = a;
      limit = b;
      limitGiven = true;
      j += 2;
    } else if (dir === 'auto' && o === 'rev') dir = 'rev';
    else if (type === 'auto' && o === 'bylex') type = 'lex';
    else if (type === 'auto' && o === 'byscore') type = 'score';
    else return E.syntax;
  }
  if (dir === 'auto') dir = 'fwd';
  if (type === 'auto') type = 'rank';
  // Redis tests `limit != -1`: LIMIT 0 -1 is accepted with a rank range.
  if (limitGiven && limit !== -1 && type === 'rank') return err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withscores && type === 'lex') return err('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  const rev = dir === 'rev';
  if (rev && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === 'rank') {
    const a = longArg(minArg);
    if (isFrame(a)) return a;
    const b = longArg(maxArg);
    if (isFrame(b)) return b;
    start = a;
    end = b;
  } else if (type === 'score') {
    sr = parseScoreRange(minArg, maxArg);
    if (!sr) return NOT_FLOAT_RANGE;
  } else {
    lr = parseLexRange(minArg, maxArg);
    if (!lr) return NOT_LEX_RANGE;
  }
  const z = store ? readZ(c, key) : readZ(c, key);
  if (isFrame(z)) return z;
  let e: ZEntries = { m: [], s: [] };
  if (z !== undefined) {
    if (type === 'rank') {
      const len = z.card();
      const r = clampRanks(start, end, len);
      if (r) e = rev ? z.rangeRev(len - 1 - r[1], len - 1 - r[0]) : z.range(r[0], r[1]);
    } else {
      if (sr) {
        const [lo, hi] = scoreRanks(z, sr);
        e = windowOf(z, lo, hi, offset, limit, rev);
      } else {
        const [lo, hi] = lexWalk(z, lr!, rev, offset, limit);
        e = rev ? z.rangeRev(lo, hi) : z.range(lo, hi);
      }
    }
  }
  if (store) return storeResult(c, argv[1]!, e, type === 'rank');
  if (z === undefined) return EMPTY_ARR;
  return entriesReply(c, e, withscores);
}

/** The LIMIT window of ranks lo..hi: a negative offset selects nothing, a negative limit all. */
function windowOf(z: ZSet, lo: number, hi: number, offset: number, limit: number, rev: boolean): ZEntries {
  if (hi < lo || offset < 0 || limit === 0) return { m: [], s: [] };
  const n = hi - lo + 1 - offset;
  if (n <= 0) return { m: [], s: [] };
  const take = limit < 0 ? n : Math.min(n, limit);
  if (!rev) return z.range(lo + offset, lo + offset + take - 1);
  return z.rangeRev(hi - offset - take + 1, hi - offset);
}

/**
 * zrangeResultFinalizeStore: store the result (encoded by its size) or delete the destination.
 * `e` is in emission order; `byRank` says Redis knew the length up front.
 */
function storeResult(c: Ctx, dst: string, e: ZEntries, byRank: boolean): Frame {
  if (e.m.length === 0) {
    if (c.db.del(dst)) c.dirty++;
    return int(0);
  }
  const cfg = zcfg(c);
  // Redis zsetAdds each entry to a destination that starts packed (unless a rank range is longer
  // than the entries limit) and converts at the first entry that outgrows it. Entries added
  // while packed lose a -0 score (the listpack stores integral scores as integers); the
  // conversion and later skiplist inserts keep what they get.
  if (!byRank || e.m.length <= cfg.entries) {
    let s = e.s;
    for (let i = 0; i < e.m.length; i++) {
      if (i + 1 > cfg.entries || e.m[i]!.length > cfg.value) break;
      if (Object.is(s[i], -0)) {
        if (s === e.s) s = e.s.slice();
        s[i] = 0;
      }
    }
    e = { m: e.m, s };
  }
  c.db.set(dst, ZSet.fromSorted(sortedCopy(e), cfg));
  c.dirty++;
  return int(e.m.length);
}

/** Entries in ascending order (a REV range comes reversed). */
function sortedCopy(e: ZEntries): ZEntries {
  const n = e.m.length;
  if (n < 2) return e;
  const a = e.s[0]!, b = e.s[n - 1]!;
  if (a < b || (a === b && e.m[0]! < e.m[n - 1]!)) return e;
  return { m: [...e.m].reverse(), s: [...e.s].reverse() };
}

/** ZREMRANGEBYRANK/BYSCORE/BYLEX: the range is parsed before the key is looked up. */
function zremrange(c: Ctx, argv: string[], type: 'rank' | 'score' | 'lex'): Frame {
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === 'rank') {
    const a = longArg(argv[2]!);
    if (isFrame(a)) return a;
    const b = longArg(argv[3]!);
    if (isFrame(b)) return b;
    start = a;
    end = b;
  } else if (type === 'score') {
    sr = parseScoreRange(argv[2]!, argv[3]!);
    if (!sr) return NOT_FLOAT_RANGE;
  } else {
    lr = parseLexRange(argv[2]!, argv[3]!);
    if (!lr) return NOT_LEX_RANGE;
  }
  const key = argv[1]!;
  const z = writeZ(c, key);
  if (!isZ(z)) return z ?? int(0);
  let lo: number, hi: number;
  if (type === 'rank') {
    const r = clampRanks(start, end, z.card());
    if (!r) return int(0);
    [lo, hi] = r;
  } else [lo, hi] = sr ? scoreRanks(z, sr) : lexDeleteRanks(z, lr!);
  if (hi < lo) return int(0);
  const n = z.removeRange(lo, hi).m.length;
  dropIfEmpty(c, key, z);
  c.dirty += n;
  return int(n);
}

export const RANGE_HANDLERS = {
  zcount, zlexcount,
  zrange: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'auto', 'auto'),
  zrangestore: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 2, true, 'auto', 'auto'),
  zrevrange: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'rank', 'rev'),
  zrangebyscore: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'score', 'fwd'),
  zrevrangebyscore: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'score', 'rev'),
  zrangebylex: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'lex', 'fwd'),
  zrevrangebylex: (c: Ctx, a: string[]) => zrangeGeneric(c, a, 1, false, 'lex', 'rev'),
  zremrangebyrank: (c: Ctx, a: string[]) => zremrange(c, a, 'rank'),
  zremrangebyscore: (c: Ctx, a: string[]) => zremrange(c, a, 'score'),
  zremrangebylex: (c: Ctx, a: string[]) => zremrange(c, a, 'lex'),
};
