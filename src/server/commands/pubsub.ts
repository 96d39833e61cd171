// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, (S)PUBLISH and PUBSUB introspection, answered
// by the connection through the host's hub (see server/pubsub.ts for where the state lives).
import { arr, bulk, err, int, type Frame } from '../../protocol/frame.js';
import { publish, subscribe, unsubscribe } from '../pubsub.js';
import { helpReply } from '../../commands/help.js';
import type { CommandSpec } from '../../commands/types.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

const noHub = err('ERR pub/sub is not available on this connection');

function tooMany(argv: string[]): Frame {
  return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try PUBSUB HELP.`);
}

async function channels(c: SessionCtx, argv: string[], shard: boolean): Promise<Frame> {
  if (argv.length > 3) return tooMany(argv);
  if (!c.pubsub) return noHub;
  return arr((await c.pubsub.channels(argv[2] ?? null, shard)).map(bulk));
}

async function numsub(c: SessionCtx, argv: string[], shard: boolean): Promise<Frame> {
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

const spec = (name: string, conn: SessionHandler): CommandSpec => sdef(name, { route: 'conn', conn });

export const PUBSUB_COMMANDS: CommandSpec[] = [
  spec('subscribe', (c, a) => subscribe(c, 'channel', a.slice(1))),
  spec('unsubscribe', (c, a) => unsubscribe(c, 'channel', a.slice(1))),
  spec('psubscribe', (c, a) => subscribe(c, 'pattern', a.slice(1))),
  spec('punsubscribe', (c, a) => unsubscribe(c, 'pattern', a.slice(1))),
  spec('publish', (c, a) => publish(c, a[1]!, a[2]!, false)),
  spec('ssubscribe', (c, a) => subscribe(c, 'shard', a.slice(1))),
  spec('sunsubscribe', (c, a) => unsubscribe(c, 'shard', a.slice(1))),
  spec('spublish', (c, a) => publish(c, a[1]!, a[2]!, true)),
  sdef('pubsub', { route: 'conn', sub: [
      spec('pubsub|channels', (c, a) => channels(c, a, false)),
      spec('pubsub|numsub', (c, a) => numsub(c, a, false)),
      spec('pubsub|numpat', async (c) => (c.pubsub ? int(await c.pubsub.numpat()) : noHub)),
      spec('pubsub|shardchannels', (c, a) => channels(c, a, true)),
      spec('pubsub|shardnumsub', (c, a) => numsub(c, a, true)),
      spec('pubsub|help', () => helpReply('PUBSUB', HELP)),
    ] }),
];
