// Replication commands at the connection: WAIT (every shard waits for its own offset to be
// acknowledged; the answer is the fewest replicas any shard got), ROLE (from the shards' INFO
// counters: replica k of every shard's group is one replica of the service), READONLY /
// READWRITE (cluster mode), and REPLICAOF / SLAVEOF / FAILOVER (groups are set by the deployment).
import { groupView, mergeCounters, replSummary } from '../../commands/info.js';
import type { CommandSpec } from '../../commands/types.js';
import { arr, bulk, err, int, OK, type Frame } from '../../protocol/frame.js';
import { REPL_WAIT } from '../../shard/host.js';
import { sdef, type SessionCtx } from './ctx.js';

const INT_RE = /^-?(0|[1-9][0-9]*)$/;
const LLONG_MAX = 9223372036854775807n;

/** Redis's getTimeoutFromObjectOrReply (milliseconds): an integer, not negative. */
function timeoutMs(s: string): number | Frame {
  if (!INT_RE.test(s) || BigInt(s) > LLONG_MAX || BigInt(s) < -LLONG_MAX - 1n) return err('ERR timeout is not an integer or out of range');
  const n = Number(s);
  if (n < 0) return err('ERR timeout is negative');
  return n;
}

async function wait(c: SessionCtx, argv: string[]): Promise<Frame> {
  const ms = timeoutMs(argv[2]!);
  if (typeof ms !== 'number') return ms;
  const s = argv[1]!;
  if (!INT_RE.test(s) || BigInt(s) > LLONG_MAX || BigInt(s) < -LLONG_MAX - 1n) return err('ERR value is not an integer or out of range');
  // Inside MULTI (EXEC runs it) WAIT may not block (Redis's CLIENT_DENY_BLOCKING): the count now.
  const blocking = !c.tx.active;
  const replies = await c.all([REPL_WAIT, s, String(blocking ? ms : 1)]);
  let least = Infinity;
  for (const r of replies) {
    if (r.t === 'err') return r;
    if (r.t === 'int') least = Math.min(least, Number(r.v));
  }
  return int(least === Infinity ? 0 : least);
}

async function role(c: SessionCtx): Promise<Frame> {
  const replies = await c.all(['INFO']);
  for (const r of replies) if (r.t === 'err') return r;
  const t = mergeCounters(replies);
  const offset = replSummary(t.repl.filter(Boolean)).offset;
  const v = groupView(t.groups.filter(Boolean), offset);
  if (v.role === 'master') return arr([bulk('master'), int(offset), arr(v.replicas.map((r) => arr([bulk(r.ip), bulk(String(r.port)), bulk(String(r.offset))])))]);
  const state = v.g.link === 'connected' ? 'connected' : v.g.link === 'sync' ? 'sync' : 'connect';
  return arr([bulk('slave'), bulk(v.g.host), int(v.g.port), bulk(state), int(offset)]);
}

/** READONLY / READWRITE: Redis answers ERR outside cluster mode. */
function clusterOnly(name: string, on: boolean) {
  return (c: SessionCtx): Frame => {
    if (c.server.mode !== 'cluster') return err('ERR This instance has cluster support disabled');
    void on;
    void name;
    return OK;
  };
}

/** The group of each shard is the deployment's (KEYFLARE_REPLICAS); a client cannot rewire it. */
function replicaof(c: SessionCtx, argv: string[]): Frame {
  void c;
  if (argv[1]!.toLowerCase() === 'no' && argv[2]!.toLowerCase() === 'one') return err('ERR REPLICAOF NO ONE is not supported yet: a shard\'s primary Durable Object is fixed by the deployment (replicas are KEYFLARE_REPLICAS per shard)');
  return err('ERR REPLICAOF host port is not supported: keyflare\'s replicas are Durable Objects of the same deployment (KEYFLARE_REPLICAS), not other servers');
}

function failover(): Frame {
  return err('ERR FAILOVER is not supported yet: a shard\'s primary Durable Object is fixed by the deployment');
}

export const REPLICATION_COMMANDS: CommandSpec[] = [
  sdef('wait', { route: 'conn', conn: wait }),
  sdef('role', { route: 'conn', conn: role }),
  sdef('readonly', { route: 'conn', conn: clusterOnly('readonly', true) }),
  sdef('readwrite', { route: 'conn', conn: clusterOnly('readwrite', false) }),
  sdef('replicaof', { route: 'conn', conn: replicaof }),
  sdef('slaveof', { route: 'conn', conn: replicaof }),
  sdef('failover', { route: 'conn', conn: failover }),
];
