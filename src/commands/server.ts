// Server commands: DBSIZE, FLUSHALL/FLUSHDB, INFO, TIME, LASTSAVE, FUNCTION (FLUSH while none exist).
import { E, OK, bulk, err, int, verb, arr, type Frame } from '../protocol/frame.js';
import { mergeCounters, renderInfo, selectSections, shardCounters } from './info.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';
import { helpReply } from './help.js';
import { findIn } from './lookup.js';
import { def, type Impl } from './spec-data.js';

function dbsize(c: Ctx): Frame {
  return int(c.db.size);
}

/** FLUSHALL / FLUSHDB [ASYNC|SYNC]: Redis's getFlushCommandFlags. */
function flush(c: Ctx, argv: string[]): Frame {
  if (argv.length > 2) return E.syntax;
  if (argv.length === 2) {
    const m = argv[1]!.toLowerCase();
    if (m !== 'sync' && m !== 'async') return E.syntax;
  }
  c.dirty += c.db.flush() + 1; // Redis propagates FLUSHALL even on an empty keyspace
  return OK;
}

function time(c: ConnCtx): Frame {
  const ms = c.now();
  return arr([bulk(String(Math.floor(ms / 1000))), bulk(String((ms % 1000) * 1000))]);
}


/** The connection asks every shard for its counters and renders Redis's text. */
async function info(c: ConnCtx, argv: string[]): Promise<Frame> {
  const replies = await c.all(['INFO']);
  // A shard that cannot answer (CLUSTERDOWN): no partial counters presented as the service's.
  for (const r of replies) if (r.t === 'err') return r;
  // INFO itself and route-'all' commands ran once per shard for each client call.
  const fanout = (name: string) => name === 'info' || findIn(c.table, name)?.route === 'all';
  const sections = selectSections(argv.slice(1));
  // connected_clients / tracking_clients (the client registry), pubsub_channels … (the hub).
  const facts = await c.serviceFacts(sections);
  const received = sections.has('stats') ? await c.connectionsReceived?.() : undefined;
  const text = renderInfo(sections, mergeCounters(replies, fanout), {
    server: c.server, session: c.session, now: c.now(), shards: c.slots.shards, ...facts,
    ...(received !== undefined ? { connectionsReceived: received } : {}),
  });
  return c.session.proto === 3 ? verb(text) : bulk(text);
}


function functionFlush(_c: ConnCtx, argv: string[]): Frame {
  if (argv.length > 3) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try FUNCTION HELP.`);
  if (argv.length === 3) {
    const m = argv[2]!.toLowerCase();
    if (m !== 'sync' && m !== 'async') return err('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  return OK; // no libraries can exist: FUNCTION LOAD is not served
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>', '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>', '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]', '    Return general information on all the libraries:', '    * Library name',
  '    * The engine used to run the Library', '    * Library description', '    * Functions list', '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS', '    Return information about the current function running:', '    * Function name', '    * Command used to run the function',
  '    * Duration in MS that the function is running', '    If no function is running, return nil', '    In addition, returns a list of available engines.',
  'KILL', '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]', '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.', '    * SYNC: Synchronously flush the libraries.',
  'DUMP', '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):', '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

const spec = (name: string, extra: Impl): CommandSpec => def(name, { route: 'all', combine: 'ok', ...extra });


export const SERVER_COMMANDS: CommandSpec[] = [
  spec('dbsize', { run: dbsize, combine: 'sum' }),
  spec('flushall', { run: flush }),
  spec('flushdb', { run: flush }),
  spec('time', { route: 'conn', conn: time }),
  // `run` answers the internal per-shard request the connection fans out; clients reach `conn`.
  spec('info', { route: 'conn', conn: info, run: (c) => shardCounters(c) }),
  spec('function', { route: 'conn', sub: [
      spec('function|flush', { route: 'conn', conn: functionFlush }),
      spec('function|help', { route: 'conn', conn: () => helpReply('FUNCTION', FUNCTION_HELP) }),
    ] }),
];
