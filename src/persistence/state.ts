// Persistence facts and requests shared by the shard engine (INFO, SAVE, BGREWRITEAOF…) and the
// Durable Object that performs them: commands ask, the object acts after the batch.
import type { Fsync } from './aof.js';
import type { ReplFacts } from './log.js';

export type PersistRequest = 'rewrite' | 'save' | null;

/** This shard's place in its replication group (shard/repl-host.ts), as INFO and ROLE print it. */
export type GroupFacts =
  | { role: 'master'; replicas: Array<{ id: string; ip: string; port: number; state: string; ack: number; lag: number }> }
  | { role: 'slave'; host: string; port: number; link: 'connect' | 'sync' | 'connected'; lastIo: number; readOnly: boolean; offset: number };

export class PersistState {
  /** Set by BGREWRITEAOF / BGSAVE (background) or SAVE (synchronous), consumed by the host. */
  requested: PersistRequest = null;
  fsync: Fsync = 'always';
  rewriteInProgress = false;
  rewriteScheduled = false;
  lastRewriteOk = true;
  lastRewriteTimeSec = -1;
  rewriteStartedAt = 0;
  rewrites = 0;
  saves = 0;
  /** Unix seconds of the last completed snapshot (LASTSAVE). */
  lastSaveTime = 0;
  changesSinceSave = 0;
  aofBaseSize = 0;
  aofCurrentSize = 0;
  /** Bytes acknowledged but not yet stored (appendfsync everysec/no): what a crash can lose. */
  aofBufferLength = 0;
  loadTimeMs = 0;
  loadedKeys = 0;
  /** Log bytes dropped at load: torn tails and what followed an unreadable record. */
  loadTruncatedBytes = 0;
  /** Base keys and log records left out at load because they could not load (recover.ts). */
  loadSkippedKeys = 0;
  loadSkippedRecords = 0;
  /** The last load problem, word for word ('' when the load was clean). */
  loadLastError = '';
  /** A rewrite's progress: keys written to the new base out of the total. */
  keysProcessed = 0;
  keysTotal = 0;
  /** The log's replication facts (INFO replication), set by the host; null: no log. */
  repl: (() => ReplFacts) | null = null;
  /** Its replication group (INFO replication, ROLE); null: a primary without replicas. */
  group: (() => GroupFacts) | null = null;
}
