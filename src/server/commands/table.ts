// The connection's command table: the commands layer's families plus the connection-level ones
// (AUTH/HELLO, CLIENT, COMMAND, MULTI/EXEC, pub/sub, ACL). Sessions look commands up here.
import { FAMILIES } from '../../commands/families.js';
import { buildTable, findIn, lookupIn, type Lookup } from '../../commands/table.js';
import type { CommandSpec } from '../../commands/types.js';
import { ACL_COMMANDS } from './acl.js';
import { CLIENT_COMMANDS } from './client.js';
import { CONN_COMMANDS } from './connection.js';
import { INTROSPECTION_COMMANDS } from './introspection.js';
import { PUBSUB_COMMANDS } from './pubsub.js';
import { REPLICATION_COMMANDS } from './replication.js';
import { SLOWLOG_COMMANDS } from './slowlog.js';
import { TRANSACTION_COMMANDS } from './transactions.js';

export const TABLE = buildTable([...FAMILIES, CONN_COMMANDS, CLIENT_COMMANDS, INTROSPECTION_COMMANDS, TRANSACTION_COMMANDS, PUBSUB_COMMANDS, ACL_COMMANDS, SLOWLOG_COMMANDS, REPLICATION_COMMANDS]);

/** Find the spec for argv, with Redis's unknown-command, unknown-subcommand and arity errors. */
export function lookup(argv: readonly string[]): Lookup {
  return lookupIn(TABLE, argv);
}

/** A command by name, `container|sub` included. */
export function findSpec(name: string): CommandSpec | undefined {
  return findIn(TABLE, name);
}
