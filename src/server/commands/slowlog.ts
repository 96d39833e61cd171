// SLOWLOG GET | LEN | RESET | HELP: the service-wide slow log kept by the client registry
// (server/slowlog.ts says what a duration is here and where entries come from).
import { arr, bulk, err, int, OK, type Frame } from '../../protocol/frame.js';
import { helpReply } from '../../commands/help.js';
import type { CommandSpec } from '../../commands/types.js';
import type { SlowEntry } from '../slowlog.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

const HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const NO_REGISTRY = err('ERR SLOWLOG is not available on this connection');
const COUNT_RANGE = err('ERR count should be greater than or equal to -1');

function entryFrame(e: SlowEntry): Frame {
  return arr([int(e.id), int(e.ts), int(e.us), arr(e.args.map((a) => bulk(a))), bulk(e.peer), bulk(e.name)]);
}

async function get(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (argv.length > 3) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try SLOWLOG HELP.`);
  let count = 10;
  if (argv.length === 3) {
    const s = argv[2]!;
    // Redis parses a long (getRangeLongFromObjectOrReply): anything else is the same range error.
    if (!/^-?(0|[1-9][0-9]*)$/.test(s)) return COUNT_RANGE;
    const n = BigInt(s);
    if (n < -1n || n > 9223372036854775807n) return COUNT_RANGE;
    count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
  }
  const reg = c.client.registry;
  if (!reg) return NO_REGISTRY;
  return arr((await reg.slowlogGet(count)).map(entryFrame));
}

async function len(c: SessionCtx): Promise<Frame> {
  const reg = c.client.registry;
  return reg ? int(await reg.slowlogLen()) : NO_REGISTRY;
}

async function reset(c: SessionCtx): Promise<Frame> {
  const reg = c.client.registry;
  if (!reg) return NO_REGISTRY;
  await reg.slowlogReset();
  return OK;
}

const sub = (name: string, conn: SessionHandler): CommandSpec => sdef(`slowlog|${name}`, { route: 'conn', conn });

export const SLOWLOG_COMMANDS: CommandSpec[] = [
  sdef('slowlog', { route: 'conn', sub: [
      sub('get', get),
      sub('len', len),
      sub('reset', reset),
      sub('help', () => helpReply('SLOWLOG', HELP)),
    ] }),
];
