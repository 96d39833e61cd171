// The snapshot codec the shard object uses for AOF bases: Redis's RDB format.
export { RDB_SNAPSHOT as SNAPSHOT_CODEC } from '../persistence/rdb-snapshot.js';
