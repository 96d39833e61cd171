// The commands layer's own table: what shards run (every command with a shard-side handler is in
// a family here). The connection's full table is server/commands/table.ts.
import { FAMILIES } from './families.js';
import { buildTable } from './lookup.js';

export { buildTable, findIn, hasFlag, keyPositions, lookupIn, unknownCommand, type Lookup, type Table } from './lookup.js';

export const SHARD_TABLE = buildTable(FAMILIES);
