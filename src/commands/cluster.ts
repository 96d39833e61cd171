// CLUSTER subcommands, answered from the slot map: each shard appears as a master node with a
// stable id, all at the service's one endpoint. Key counts per slot come from the owning shard.
import { SLOTS, keySlot } from '../cluster/slot.js';
import { E, arr, bulk, bulks, err, int, map, verb, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { helpReply } from './help.js';
import type { CommandSpec, ConnCtx, ConnHandler, Ctx } from './types.js';
import { def, type Impl } from './spec-data.js';

/** A stable 40-hex node id for shard `i` (five rounds of a 32-bit integer hash). */
export function nodeId(i: number): string {
  let out = '';
  for (let r = 0; r < 5; r++) {
    let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(r + 1, 0x85ebca6b);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

const text = (c: ConnCtx, s: string): Frame => (c.session.proto === 3 ? verb(s) : bulk(s));

function keyslot(_c: ConnCtx, argv: string[]): Frame {
  return int(keySlot(argv[2]!));
}

function slots(c: ConnCtx): Frame {
  const { host, tcpPort } = c.server;
  return arr(c.slots.ranges.map(([lo, hi], i) => arr([int(lo), int(hi), arr([bulk(host), int(tcpPort), bulk(nodeId(i)), map([])])])));
}

function shards(c: ConnCtx): Frame {
  const { host, tcpPort } = c.server;
  return arr(c.slots.ranges.map(([lo, hi], i) => map([
    bulk('slots'), arr([int(lo), int(hi)]),
    bulk('nodes'), arr([map([
      bulk('id'), bulk(nodeId(i)), bulk('port'), int(tcpPort), bulk('ip'), bulk(host), bulk('endpoint'), bulk(host),
      bulk('role'), bulk('master'), bulk('replication-offset'), int(0), bulk('health'), bulk('online'),
    ])]),
  ])));
}

function nodes(c: ConnCtx): Frame {
  const { host, tcpPort } = c.server;
  const now = c.now();
  let out = '';
  c.slots.ranges.forEach(([lo, hi], i) => {
    const range = lo === hi ? `${lo}` : `${lo}-${hi}`;
    out += `${nodeId(i)} ${host}:${tcpPort}@${tcpPort + 10000} ${i === 0 ? 'myself,master' : 'master'} - 0 ${i === 0 ? 0 : now} ${i + 1} connected ${range}\n`;
  });
  return text(c, out);
}

function info(c: ConnCtx): Frame {
  const n = c.slots.shards;
  const lines = [
    'cluster_state:ok', `cluster_slots_assigned:${SLOTS}`, `cluster_slots_ok:${SLOTS}`, 'cluster_slots_pfail:0', 'cluster_slots_fail:0',
    `cluster_known_nodes:${n}`, `cluster_size:${n}`, `cluster_current_epoch:${n}`, 'cluster_my_epoch:1',
    'cluster_stats_messages_sent:0', 'cluster_stats_messages_received:0', 'total_cluster_links_buffer_limit_exceeded:0',
  ];
  return text(c, lines.map((l) => l + '\r\n').join(''));
}

/** A slot argument: Redis's integer error first, then the range check. */
function slotArg(s: string): number | Frame {
  const v = parseI64(s);
  return v === null ? E.notInt : v < 0n || v >= BigInt(SLOTS) ? -1 : Number(v);
}

/** Connection side: validate, then ask the shard owning the slot (its `run` answers). */
async function countkeysinslot(c: ConnCtx, argv: string[]): Promise<Frame> {
  const slot = slotArg(argv[2]!);
  if (typeof slot !== 'number') return slot;
  if (slot < 0) return err('ERR Invalid slot');
  return c.exec(c.slots.shardOfSlot(slot), argv);
}

async function getkeysinslot(c: ConnCtx, argv: string[]): Promise<Frame> {
  const slot = slotArg(argv[2]!);
  if (typeof slot !== 'number') return slot;
  const max = parseI64(argv[3]!);
  if (max === null) return E.notInt;
  if (slot < 0 || max < 0n) return err('ERR Invalid slot or number of keys');
  return c.exec(c.slots.shardOfSlot(slot), argv);
}

function shardCount(c: Ctx, argv: string[]): Frame {
  const slot = Number(argv[2]);
  let n = 0;
  // As Redis's slot index: keys past their deadline but not yet removed still count.
  for (const k of c.db.data.keys()) if (keySlot(k) === slot) n++;
  return int(n);
}

function shardKeys(c: Ctx, argv: string[]): Frame {
  const slot = Number(argv[2]);
  const max = Number(argv[3]);
  const out: string[] = [];
  for (const k of c.db.data.keys()) {
    if (out.length >= max) break;
    if (keySlot(k) === slot) out.push(k);
  }
  return bulks(out);
}

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]', '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH', '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>', '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>', '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]', '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]', '    Promote current replica node to being a master.',
  'FORGET <node-id>', '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>', '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS', '    Delete current node own slots information.',
  'INFO', '    Return information about the cluster.',
  'KEYSLOT <key>', '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]', '    Connect nodes into a working cluster.',
  'MYID', '    Return the node id.',
  'NODES', '    Return cluster configuration seen by node. Output format:', '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>', '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]', '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>', '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)', '    Set slot state.',
  'REPLICAS <node-id>', '    Return <node-id> replicas.',
  'SAVECONFIG', '    Force saving cluster configuration on disk.',
  'SLOTS', '    Return information about slots range mappings. Each range is made of:', '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS', '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS', '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
];
/** A standalone Redis refuses every CLUSTER subcommand once its arity is checked (clusterCommand). */
const DISABLED = err('ERR This instance has cluster support disabled');
const sub = (name: string, conn: ConnHandler, extra: Impl = {}): CommandSpec =>
  def(`cluster|${name}`, { route: 'conn', conn: (c, argv) => (c.server.mode === 'cluster' ? conn(c, argv) : DISABLED), ...extra });

export const CLUSTER_COMMANDS: CommandSpec[] = [
  def('cluster', { route: 'conn', sub: [
      sub('keyslot', keyslot),
      sub('slots', slots),
      sub('shards', shards),
      sub('nodes', nodes),
      sub('info', info),
      sub('myid', (c) => bulk(nodeId(0))),
      sub('countkeysinslot', countkeysinslot, { run: shardCount }),
      sub('getkeysinslot', getkeysinslot, { run: shardKeys }),
      sub('help', () => helpReply('CLUSTER', HELP)),
    ] }),
];
