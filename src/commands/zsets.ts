// The sorted set family's command table: one spec per command (arity, flags, keys and key specs
// as Redis 7.0's COMMAND INFO gives them); the handlers live in zsets-basic/-range/-setops.ts.
import { words } from './args.js';
import { BASIC_HANDLERS } from './zsets-basic.js';
import { RANGE_HANDLERS } from './zsets-range.js';
import { SETOP_HANDLERS } from './zsets-setops.js';
import { numkeysPositions } from './zsets-core.js';
import type { CommandSpec } from './types.js';
import '../engine/types/zset.js';

const HANDLERS = { ...BASIC_HANDLERS, ...RANGE_HANDLERS, ...SETOP_HANDLERS };

const zspec = (name: string, arity: number, flags: string, acl: string, keys: [number, number, number], run: CommandSpec['run'], extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name, arity, flags: words(flags), acl: words(acl), keys, route: 'keys', run, group: 'sorted-set', ...extra,
});

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
  zspec('zadd', -4, 'write denyoom fast', 'write sortedset fast', [1, 1, 1], HANDLERS.zadd, { keySpecs: [{ flags: words('RW update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Add one or more members to a sorted set, or update its score if it already exists', since: '1.2.0' }),
  zspec('zincrby', 4, 'write denyoom fast', 'write sortedset fast', [1, 1, 1], HANDLERS.zincrby, { keySpecs: [{ flags: words('RW access update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Increment the score of a member in a sorted set', since: '1.2.0' }),
  zspec('zrem', -3, 'write fast', 'write sortedset fast', [1, 1, 1], HANDLERS.zrem, { keySpecs: [{ flags: words('RW delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove one or more members from a sorted set', since: '1.2.0' }),
  zspec('zcard', 2, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zcard, { keySpecs: [{ flags: words('RO'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Get the number of members in a sorted set', since: '1.2.0' }),
  zspec('zscore', 3, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zscore, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Get the score associated with the given member in a sorted set', since: '1.2.0' }),
  zspec('zmscore', -3, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zmscore, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Get the score associated with the given members in a sorted set', since: '6.2.0' }),
  zspec('zrank', -3, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zrank, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Determine the index of a member in a sorted set', since: '2.0.0' }),
  zspec('zrevrank', -3, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zrevrank, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', since: '2.0.0' }),
  zspec('zcount', 4, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zcount, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Count the members in a sorted set with scores within the given values', since: '2.0.0' }),
  zspec('zlexcount', 4, 'readonly fast', 'read sortedset fast', [1, 1, 1], HANDLERS.zlexcount, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Count the number of members in a sorted set between a given lexicographical range', since: '2.8.9' }),
  zspec('zrange', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrange, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set', since: '1.2.0' }),
  zspec('zrangestore', -5, 'write denyoom', 'write sortedset slow', [1, 2, 1], HANDLERS.zrangestore, { keySpecs: [{ flags: words('OW update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }, { flags: words('RO access'), bs: { index: 2 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Store a range of members from sorted set into another key', since: '6.2.0' }),
  zspec('zrevrange', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrevrange, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', since: '1.2.0' }),
  zspec('zrangebyscore', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrangebyscore, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set, by score', since: '1.0.5' }),
  zspec('zrevrangebyscore', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrevrangebyscore, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', since: '2.2.0' }),
  zspec('zrangebylex', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrangebylex, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set, by lexicographical range', since: '2.8.9' }),
  zspec('zrevrangebylex', -4, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrevrangebylex, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', since: '2.8.9' }),
  zspec('zremrangebyrank', 4, 'write', 'write sortedset slow', [1, 1, 1], HANDLERS.zremrangebyrank, { keySpecs: [{ flags: words('RW delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove all members in a sorted set within the given indexes', since: '2.0.0' }),
  zspec('zremrangebyscore', 4, 'write', 'write sortedset slow', [1, 1, 1], HANDLERS.zremrangebyscore, { keySpecs: [{ flags: words('RW delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove all members in a sorted set within the given scores', since: '1.2.0' }),
  zspec('zremrangebylex', 4, 'write', 'write sortedset slow', [1, 1, 1], HANDLERS.zremrangebylex, { keySpecs: [{ flags: words('RW delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove all members in a sorted set between the given lexicographical range', since: '2.8.9' }),
  zspec('zpopmin', -2, 'write fast', 'write sortedset fast', [1, 1, 1], HANDLERS.zpopmin, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove and return members with the lowest scores in a sorted set', since: '5.0.0' }),
  zspec('zpopmax', -2, 'write fast', 'write sortedset fast', [1, 1, 1], HANDLERS.zpopmax, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], summary: 'Remove and return members with the highest scores in a sorted set', since: '5.0.0' }),
  zspec('zmpop', -4, 'write movablekeys', 'write sortedset slow', [0, 0, 0], HANDLERS.zmpop, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 1 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Remove and return members with scores in a sorted set', since: '7.0.0' }),
  zspec('bzpopmin', -3, 'write noscript blocking fast', 'write sortedset fast blocking', [1, -2, 1], HANDLERS.bzpopmin, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 1 }, fk: { lastkey: -2, keystep: 1, limit: 0 } }], summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', since: '5.0.0' }),
  zspec('bzpopmax', -3, 'write noscript blocking fast', 'write sortedset fast blocking', [1, -2, 1], HANDLERS.bzpopmax, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 1 }, fk: { lastkey: -2, keystep: 1, limit: 0 } }], summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', since: '5.0.0' }),
  zspec('bzmpop', -5, 'write blocking movablekeys', 'write sortedset slow blocking', [0, 0, 0], HANDLERS.bzmpop, { keySpecs: [{ flags: words('RW access delete'), bs: { index: 2 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Remove and return members with scores in a sorted set or block until one is available', since: '7.0.0' }),
  zspec('zunion', -3, 'readonly movablekeys', 'read sortedset slow', [0, 0, 0], HANDLERS.zunion, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Add multiple sorted sets', since: '6.2.0' }),
  zspec('zinter', -3, 'readonly movablekeys', 'read sortedset slow', [0, 0, 0], HANDLERS.zinter, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Intersect multiple sorted sets', since: '6.2.0' }),
  zspec('zdiff', -3, 'readonly movablekeys', 'read sortedset slow', [0, 0, 0], HANDLERS.zdiff, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Subtract multiple sorted sets', since: '6.2.0' }),
  zspec('zunionstore', -4, 'write denyoom movablekeys', 'write sortedset slow', [1, 1, 1], HANDLERS.zunionstore, { keySpecs: [{ flags: words('OW update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }, { flags: words('RO access'), bs: { index: 2 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0' }),
  zspec('zinterstore', -4, 'write denyoom movablekeys', 'write sortedset slow', [1, 1, 1], HANDLERS.zinterstore, { keySpecs: [{ flags: words('OW update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }, { flags: words('RO access'), bs: { index: 2 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0' }),
  zspec('zdiffstore', -4, 'write denyoom movablekeys', 'write sortedset slow', [1, 1, 1], HANDLERS.zdiffstore, { keySpecs: [{ flags: words('OW update'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }, { flags: words('RO access'), bs: { index: 2 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', since: '6.2.0' }),
  zspec('zintercard', -3, 'readonly movablekeys', 'read sortedset slow', [0, 0, 0], HANDLERS.zintercard, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Intersect multiple sorted sets and return the cardinality of the result', since: '7.0.0' }),
  zspec('zrandmember', -2, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zrandmember, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], tips: ['nondeterministic_output'], summary: 'Get one or multiple random elements from a sorted set', since: '6.2.0' }),
  zspec('zscan', -3, 'readonly', 'read sortedset slow', [1, 1, 1], HANDLERS.zscan, { keySpecs: [{ flags: words('RO access'), bs: { index: 1 }, fk: { lastkey: 0, keystep: 1, limit: 0 } }], tips: ['nondeterministic_output'], summary: 'Incrementally iterate sorted sets elements and associated scores', since: '2.8.0' }),
];

// ZRANK/ZREVRANK are -3, not 7.0's 3: they take Redis 7.2's optional WITHSCORE.
for (const s of SPECS) {
  const g = GETKEYS[s.name];
  if (g) s.getKeys = g;
}

export const ZSET_COMMANDS: CommandSpec[] = SPECS;
