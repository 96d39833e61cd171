import { BASIC_HANDLERS } from './zsets-basic.js';
import { RANGE_HANDLERS } from './zsets-range.js';
import { SETOP_HANDLERS } from './zsets-setops.js';
import { numkeysPositions } from './zsets-core.js';
import type { CommandSpec, Handler } from './types.js';
import '../engine/types/zset.js';
import { def, type Impl } from './spec-data.js';

const HANDLERS = { ...BASIC_HANDLERS, ...RANGE_HANDLERS, ...SETOP_HANDLERS };

const zspec = (name: string, run: Handler, extra: Impl = {}): CommandSpec => def(name, { run, ...extra });

// Redis's getkeys procs for the numkeys commands (genericGetKeys: sources, then the store key).
const GETKEYS: Record<string, (argv: readonly string[]) => number[]> = {
  zmpop: (a) => numkeysPositions(a, 0, 1, 2),
  bzmpop: (a) => numkeysPositions(a, 0, 2, 3),
  zunion: (a) => numkeysPositions(a, 0, 1, 2),
  zinter: (a) => numkeysPositions(a, 0, 1, 2),
  zdiff: (a) => numkeysPositions(a, 0, 1, 2),
  zintercard: (a) => numkeysPositions(a, 0, 1, 2),
  zunionstore: (a) => numkeysPositions(a, 1, 2, 3),
  zinterstore: (a) => numkeysPositions(a, 1, 2, 3),
  zdiffstore: (a) => numkeysPositions(a, 1, 2, 3),
};

const SPECS: CommandSpec[] = [
  zspec('zadd', HANDLERS.zadd),
  zspec('zincrby', HANDLERS.zincrby),
  zspec('zrem', HANDLERS.zrem),
  zspec('zcard', HANDLERS.zcard),
  zspec('zscore', HANDLERS.zscore),
  zspec('zmscore', HANDLERS.zmscore),
  // Deliberate: ZRANK/ZREVRANK take Redis 7.2's WITHSCORE option, so their arity is 7.2's -3 (7.0: 3).
  zspec('zrank', HANDLERS.zrank, { override: { arity: -3 } }),
  zspec('zrevrank', HANDLERS.zrevrank, { override: { arity: -3 } }),
  zspec('zcount', HANDLERS.zcount),
  zspec('zlexcount', HANDLERS.zlexcount),
  zspec('zrange', HANDLERS.zrange),
  zspec('zrangestore', HANDLERS.zrangestore),
  zspec('zrevrange', HANDLERS.zrevrange),
  zspec('zrangebyscore', HANDLERS.zrangebyscore),
  zspec('zrevrangebyscore', HANDLERS.zrevrangebyscore),
  zspec('zrangebylex', HANDLERS.zrangebylex),
  zspec('zrevrangebylex', HANDLERS.zrevrangebylex),
  zspec('zremrangebyrank', HANDLERS.zremrangebyrank),
  zspec('zremrangebyscore', HANDLERS.zremrangebyscore),
  zspec('zremrangebylex', HANDLERS.zremrangebylex),
  zspec('zpopmin', HANDLERS.zpopmin),
  zspec('zpopmax', HANDLERS.zpopmax),
  zspec('zmpop', HANDLERS.zmpop),
  zspec('bzpopmin', HANDLERS.bzpopmin),
  zspec('bzpopmax', HANDLERS.bzpopmax),
  zspec('bzmpop', HANDLERS.bzmpop),
  zspec('zunion', HANDLERS.zunion),
  zspec('zinter', HANDLERS.zinter),
  zspec('zdiff', HANDLERS.zdiff),
  zspec('zunionstore', HANDLERS.zunionstore),
  zspec('zinterstore', HANDLERS.zinterstore),
  zspec('zdiffstore', HANDLERS.zdiffstore),
  zspec('zintercard', HANDLERS.zintercard),
  zspec('zrandmember', HANDLERS.zrandmember),
  zspec('zscan', HANDLERS.zscan),
];

// ZRANK/ZREVRANK are -3, not 7.0's 3: they take Redis 7.2's optional WITHSCORE.
for (const s of SPECS) {
  const g = GETKEYS[s.name];
  if (g) s.getKeys = g;
}

export const ZSET_COMMANDS: CommandSpec[] = SPECS;
