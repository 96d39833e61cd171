// The command families the commands layer defines (each file: one entry + one handler per command);
// the connection-level families (AUTH/HELLO, CLIENT, COMMAND, MULTI, pub/sub, ACL) are server/commands/.
import type { CommandSpec } from './types.js';
import { STRING_COMMANDS } from './strings.js';
import { KEY_COMMANDS } from './keys.js';
import { KEY_EXPIRE_COMMANDS } from './keys-expire.js';
import { SERVER_COMMANDS } from './server.js';
import { CLUSTER_COMMANDS } from './cluster.js';
import { CONFIG_COMMANDS } from './config.js';
import { ZSET_COMMANDS } from './zsets.js';
import { HASH_COMMANDS } from './hashes.js';
import { SET_COMMANDS } from './sets.js';
import { LIST_COMMANDS } from './lists.js';
import { BITMAP_COMMANDS } from './bitmaps.js';
import { HLL_COMMANDS } from './hyperloglog.js';
import { STREAM_COMMANDS } from './streams.js';
import { DUMP_COMMANDS } from './dump.js';
import { GEO_COMMANDS } from './geo.js';
import { SORT_COMMANDS } from './sort.js';
import { PERSISTENCE_COMMANDS } from './persistence.js';
import { SCRIPTING_COMMANDS } from './scripting.js';
import { MEMORY_COMMANDS } from './memory.js';
import { OPS_COMMANDS } from './ops.js';
import { FUNCTION_COMMANDS } from './scripting-functions.js';

export const FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [
  STRING_COMMANDS,
  KEY_COMMANDS,
  KEY_EXPIRE_COMMANDS,
  SERVER_COMMANDS,
  CLUSTER_COMMANDS,
  CONFIG_COMMANDS,
  ZSET_COMMANDS,
  HASH_COMMANDS,
  SET_COMMANDS,
  LIST_COMMANDS,
  BITMAP_COMMANDS,
  HLL_COMMANDS,
  STREAM_COMMANDS,
  DUMP_COMMANDS,
  GEO_COMMANDS,
  SORT_COMMANDS,
  PERSISTENCE_COMMANDS,
  SCRIPTING_COMMANDS,
  MEMORY_COMMANDS,
  OPS_COMMANDS,
  FUNCTION_COMMANDS,
];
