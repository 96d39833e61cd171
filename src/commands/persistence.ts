// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE: commands ask the shard's persistence to act; the Durable
// Object writes the snapshot (a new AOF base in Redis's RDB format) after the batch.
import { OK, err, int, simple, type Frame } from '../protocol/frame.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';
import { def, type Impl } from './spec-data.js';

function bgrewriteaof(c: Ctx): Frame {
  const p = c.persist;
  if (p.rewriteInProgress) return err('ERR Background append only file rewriting already in progress');
  p.requested = 'rewrite';
  return simple('Background append only file rewriting started');
}

function bgsave(c: Ctx, argv: string[]): Frame {
  const p = c.persist;
  const schedule = argv.length === 2 && argv[1]!.toLowerCase() === 'schedule';
  if (argv.length > 2 || (argv.length === 2 && !schedule)) return err('ERR syntax error');
  if (p.rewriteInProgress) {
    if (!schedule) {
      return err("ERR An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    p.rewriteScheduled = true;
    return simple('Background saving scheduled');
  }
  p.requested = 'rewrite';
  return simple('Background saving started');
}

function save(c: Ctx): Frame {
  if (c.persist.rewriteInProgress) return err('ERR Background save already in progress');
  c.persist.requested = 'save';
  return OK;
}

/** Shard side: when this shard last completed a snapshot (its start when it never did). */
function lastsaveShard(c: Ctx): Frame {
  return int(c.persist.lastSaveTime);
}

/** The service has saved when every shard has: the oldest shard's time. */
async function lastsave(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(argv);
  let min = Infinity;
  for (const r of replies) {
    if (r.t === 'err') return r;
    min = Math.min(min, Number((r as { v: number }).v));
  }
  return int(min === Infinity ? 0 : min);
}

const spec = (name: string, extra: Impl): CommandSpec => def(name, { route: 'all', combine: 'ok', ...extra });

export const PERSISTENCE_COMMANDS: CommandSpec[] = [
  spec('save', { run: save }),
  spec('bgsave', { run: bgsave }),
  spec('bgrewriteaof', { run: bgrewriteaof }),
  spec('lastsave', { route: 'conn', run: lastsaveShard, conn: lastsave }),
];
