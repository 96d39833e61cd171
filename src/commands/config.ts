// CONFIG GET/SET/RESETSTAT/REWRITE/HELP. SET and RESETSTAT run on every shard and are logged
// (c.propagate), so a shard that restarts replays its settings; GET reads shard 0.
import { E, OK, bulk, err, map, type Frame } from '../protocol/frame.js';
import { helpReply } from './help.js';
import type { CommandSpec, Ctx } from './types.js';
import { def, type Impl } from './spec-data.js';

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
const sub = (name: string, extra: Impl): CommandSpec => def(`config|${name}`, { route: 'all', combine: 'ok', ...extra });

export const CONFIG_COMMANDS: CommandSpec[] = [
  def('config', { route: 'conn', sub: [
      // A keyless 'keys' command goes to shard 0; every shard holds the same settings.
      sub('get', { route: 'keys', run: configGet }),
      sub('set', { run: configSet }),
      sub('resetstat', { run: configResetstat }),
      sub('rewrite', { route: 'conn', conn: () => err('ERR The server is running without a config file') }),
      sub('help', { route: 'conn', conn: () => helpReply('CONFIG', HELP) }),
    ] }),
];
