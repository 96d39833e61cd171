// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, (S)PUBLISH and PUBSUB introspection, answered
// by the connection through the host's hub (see server/pubsub.ts for where the state lives).
import { arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { publish, subscribe, unsubscribe } from '../server/pubsub.js';
import { words } from './args.js';
import { helpReply } from './help.js';
import type { CommandSpec, ConnCtx, ConnHandler } from './types.js';

const noHub = err('ERR pub/sub is not available on this connection');

function tooMany(argv: string[]): Frame {
  return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try PUBSUB HELP.`);
}

async function channels(c: ConnCtx, argv: string[], shard: boolean): Promise<Frame> {
  if (argv.length > 3) return tooMany(argv);
  if (!c.pubsub) return noHub;
  return arr((await c.pubsub.channels(argv[2] ?? null, shard)).map(bulk));
}

async function numsub(c: ConnCtx, argv: string[], shard: boolean): Promise<Frame> {
  if (!c.pubsub) return noHub;
  const names = argv.slice(2);
  const counts = await c.pubsub.numsub(names, shard);
  const out: Frame[] = [];
  names.forEach((n, i) => out.push(bulk(n), int(counts[i]!)));
  return arr(out);
}

const HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

type Extra = Partial<CommandSpec>;
const spec = (name: string, arity: number, flags: string, acl: string, conn: ConnHandler, extra: Extra = {}): CommandSpec => ({
  name, arity, flags: words(flags), acl: words(acl), keys: [0, 0, 0], route: 'conn', conn, group: 'pubsub', since: '2.0.0', ...extra,
});
const SUB = 'pubsub noscript loading stale';
const SHARD_KEYS: Extra = { keys: [1, -1, 1], since: '7.0.0' };

export const PUBSUB_COMMANDS: CommandSpec[] = [
  spec('subscribe', -2, SUB, 'pubsub slow', (c, a) => subscribe(c, 'channel', a.slice(1)), { summary: 'Listen for messages published to the given channels' }),
  spec('unsubscribe', -1, SUB, 'pubsub slow', (c, a) => unsubscribe(c, 'channel', a.slice(1)), { summary: 'Stop listening for messages posted to the given channels' }),
  spec('psubscribe', -2, SUB, 'pubsub slow', (c, a) => subscribe(c, 'pattern', a.slice(1)), { summary: 'Listen for messages published to channels matching the given patterns' }),
  spec('punsubscribe', -1, SUB, 'pubsub slow', (c, a) => unsubscribe(c, 'pattern', a.slice(1)), { summary: 'Stop listening for messages posted to channels matching the given patterns' }),
  spec('publish', 3, 'pubsub loading stale fast', 'pubsub fast', (c, a) => publish(c, a[1]!, a[2]!, false), { summary: 'Post a message to a channel' }),
  spec('ssubscribe', -2, SUB, 'pubsub slow', (c, a) => subscribe(c, 'shard', a.slice(1)), { ...SHARD_KEYS, summary: 'Listen for messages published to the given shard channels' }),
  spec('sunsubscribe', -1, SUB, 'pubsub slow', (c, a) => unsubscribe(c, 'shard', a.slice(1)), { ...SHARD_KEYS, summary: 'Stop listening for messages posted to the given shard channels' }),
  spec('spublish', 3, 'pubsub loading stale fast', 'pubsub fast', (c, a) => publish(c, a[1]!, a[2]!, true), { ...SHARD_KEYS, keys: [1, 1, 1], summary: 'Post a message to a shard channel' }),
  {
    name: 'pubsub', arity: -2, flags: [], acl: words('slow'), keys: [0, 0, 0], route: 'conn', group: 'pubsub', since: '2.8.0',
    summary: 'A container for Pub/Sub commands',
    sub: [
      spec('pubsub|channels', -2, 'pubsub loading stale', 'pubsub slow', (c, a) => channels(c, a, false), { since: '2.8.0', summary: 'List active channels' }),
      spec('pubsub|numsub', -2, 'pubsub loading stale', 'pubsub slow', (c, a) => numsub(c, a, false), { since: '2.8.0', summary: 'Get the count of subscribers for channels' }),
      spec('pubsub|numpat', 2, 'pubsub loading stale', 'pubsub slow', async (c) => (c.pubsub ? int(await c.pubsub.numpat()) : noHub), { since: '2.8.0', summary: 'Get the count of unique patterns pattern subscriptions' }),
      spec('pubsub|shardchannels', -2, 'pubsub loading stale', 'pubsub slow', (c, a) => channels(c, a, true), { since: '7.0.0', summary: 'List active shard channels' }),
      spec('pubsub|shardnumsub', -2, 'pubsub loading stale', 'pubsub slow', (c, a) => numsub(c, a, true), { since: '7.0.0', summary: 'Get the count of subscribers for shard channels' }),
      spec('pubsub|help', 2, 'loading stale', 'slow', () => helpReply('PUBSUB', HELP), { since: '6.2.0', summary: 'Show helpful text about the different subcommands' }),
    ],
  },
];
