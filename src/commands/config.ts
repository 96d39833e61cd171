// CONFIG GET/SET/RESETSTAT/REWRITE/HELP. SET and RESETSTAT run on every shard and are logged
// (c.propagate), so a shard that restarts replays its settings; GET reads shard 0.
import { E, OK, bulk, err, map, type Frame } from '../protocol/frame.js';
import { words } from './args.js';
import { helpReply } from './help.js';
import type { CommandSpec, Ctx } from './types.js';

function configGet(c: Ctx, argv: string[]): Frame {
  const out: Frame[] = [];
  for (const [k, v] of c.config.match(argv.slice(2))) out.push(bulk(k), bulk(v));
  return map(out);
}

function configSet(c: Ctx, argv: string[]): Frame {
  if (argv.length % 2 !== 0) return E.syntax;
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  const e = c.config.setMany(pairs);
  if (e) return err(e);
  c.propagate(argv);
  return OK;
}

function configResetstat(c: Ctx, argv: string[]): Frame {
  c.stats.reset();
  c.db.hits = 0;
  c.db.misses = 0;
  c.propagate(argv);
  return OK;
}

const HELP = [
  'GET <pattern>', '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>', '    Set the configuration <directive> to <value>.',
  'RESETSTAT', '    Reset statistics reported by the INFO command.',
  'REWRITE', '    Rewrite the configuration file.',
];

const ADMIN = 'admin noscript loading stale';
const sub = (name: string, arity: number, flags: string, acl: string, extra: Partial<CommandSpec>): CommandSpec => ({
  name: `config|${name}`, arity, flags: words(flags), acl: words(acl), keys: [0, 0, 0], route: 'all', combine: 'ok', group: 'server', since: '2.0.0', ...extra,
});

export const CONFIG_COMMANDS: CommandSpec[] = [
  {
    name: 'config', arity: -2, flags: [], acl: words('slow'), keys: [0, 0, 0], route: 'conn', group: 'server',
    summary: 'A container for server configuration commands', since: '2.0.0',
    sub: [
      // A keyless 'keys' command goes to shard 0; every shard holds the same settings.
      sub('get', -3, ADMIN, 'admin slow dangerous', { route: 'keys', run: configGet, summary: 'Get the values of configuration parameters' }),
      sub('set', -4, ADMIN, 'admin slow dangerous', {
        run: configSet, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], summary: 'Set configuration parameters to the given values',
      }),
      sub('resetstat', 2, ADMIN, 'admin slow dangerous', { run: configResetstat, summary: 'Reset the stats returned by INFO' }),
      sub('rewrite', 2, ADMIN, 'admin slow dangerous', {
        route: 'conn', conn: () => err('ERR The server is running without a config file'), summary: 'Rewrite the configuration file with the in memory configuration', since: '2.8.0',
      }),
      sub('help', 2, 'loading stale', 'slow', { route: 'conn', conn: () => helpReply('CONFIG', HELP), summary: 'Show helpful text about the different subcommands', since: '5.0.0' }),
    ],
  },
];
