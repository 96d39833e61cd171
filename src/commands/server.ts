// Server commands: DBSIZE, FLUSHALL/FLUSHDB, INFO, TIME, LASTSAVE (FUNCTION is in scripting-functions.ts).
import { E, OK, bulk, int, verb, arr, type Frame } from '../protocol/frame.js';
import { mergeCounters, renderInfo, selectSections, shardCounters } from './info.js';
import type { CommandSpec, ConnCtx, Ctx } from './types.js';
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
  // FLUSHALL empties every database, FLUSHDB the selected one; Redis propagates either even
  // when there was nothing to remove.
  c.dirty += (argv[0]!.toLowerCase() === 'flushall' ? c.flushAll() : c.db.flush()) + 1;
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
    server: c.server, session: c.session, now: c.now(), shards: c.slots.shards, ranges: c.slots.ranges, ...facts,
    ...(received !== undefined ? { connectionsReceived: received } : {}),
  });
  return c.session.proto === 3 ? verb(text) : bulk(text);
}


const spec = (name: string, extra: Impl): CommandSpec => def(name, { route: 'all', combine: 'ok', ...extra });


export const SERVER_COMMANDS: CommandSpec[] = [
  spec('dbsize', { run: dbsize, combine: 'sum' }),
  spec('flushall', { run: flush }),
  spec('flushdb', { run: flush }),
  spec('time', { route: 'conn', conn: time }),
  // `run` answers the internal per-shard request the connection fans out; clients reach `conn`.
  spec('info', { route: 'conn', conn: info, run: (c) => shardCounters(c) }),
];
