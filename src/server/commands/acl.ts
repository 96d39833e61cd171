// ACL and its subcommands: users and their rules (server/acl.ts holds the logic; the host keeps them).
import { fmtG17 } from '../../protocol/numfmt.js';
import { NIL, OK, arityErr, arr, bulk, bulks, dblText, err, int, map, set, type Frame } from '../../protocol/frame.js';
import {
  CATEGORIES, byteOrder, checkCommand, describeChannels, describeCommands, describeKeys, dryrunText, userFlags,
} from '../acl.js';
import { helpReply } from '../../commands/help.js';
import { findIn, keyPositions } from '../../commands/table.js';
import { describedCommands } from '../../commands/spec-data.js';
import type { CommandSpec } from '../../commands/types.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

const NO_ACL = err('ERR ACL users are not available on this server');
const NO_FILE = err(
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
);

async function setuser(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (!c.acl) return NO_ACL;
  const e = await c.acl.setUser(argv[2]!, argv.slice(3));
  return e ? err(e) : OK;
}

async function getuser(c: SessionCtx, argv: string[]): Promise<Frame> {
  const u = c.acl?.user(argv[2]!);
  if (!u) return c.acl ? NIL : NO_ACL;
  return map([
    bulk('flags'), set(userFlags(u).map(bulk)),
    bulk('passwords'), bulks(u.passwords),
    bulk('commands'), bulk(describeCommands(u)),
    bulk('keys'), bulk(describeKeys(u)),
    bulk('channels'), bulk(describeChannels(u)),
    bulk('selectors'), arr([]),
  ]);
}

async function deluser(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (!c.acl) return NO_ACL;
  const names = argv.slice(2);
  if (names.includes('default')) return err("ERR The 'default' user cannot be removed");
  return int(await c.acl.delUsers(names));
}

function list(c: SessionCtx): Frame {
  return c.acl ? bulks(c.acl.lines()) : NO_ACL;
}

function users(c: SessionCtx): Frame {
  return c.acl ? bulks(c.acl.lines().map((l) => l.split(' ')[1]!).sort(byteOrder)) : NO_ACL;
}

function whoami(c: SessionCtx): Frame {
  return bulk(c.session.user);
}

function cat(_c: SessionCtx, argv: string[]): Frame {
  if (argv.length === 2) return bulks([...CATEGORIES]);
  const name = argv[2]!.toLowerCase();
  if (!(CATEGORIES as readonly string[]).includes(name)) return err(`ERR Unknown category '${argv[2]!.slice(0, 128)}'`);
  const out: string[] = [];
  // Redis lists every command of the category it knows, as the ACL rules range over them all.
  for (const spec of describedCommands()) if (spec.acl.includes(name)) out.push(spec.name);
  return bulks(out);
}


function dryrun(c: SessionCtx, argv: string[]): Frame {
  if (!c.acl) return NO_ACL;
  const u = c.acl.user(argv[2]!);
  if (!u) return err(`ERR User '${argv[2]!}' not found`);
  const cmd = argv.slice(3);
  let spec = findIn(c.table, cmd[0]!);
  if (spec && spec.sub) spec = cmd.length > 1 ? findIn(c.table, `${spec.name}|${cmd[1]!}`) : spec;
  if (!spec || (spec.sub && cmd.length < 2)) return err(`ERR Command '${cmd[0]!}' not found`);
  if ((spec.arity > 0 && cmd.length !== spec.arity) || cmd.length < -spec.arity) return arityErr(spec.name);
  const d = checkCommand(u, spec, cmd, keyPositions(spec, cmd));
  return d ? bulk(dryrunText(d)) : OK;
}

async function log(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (!c.acl) return NO_ACL;
  if (argv.length > 3) return arityErr('acl|log');
  let count = 10;
  if (argv.length === 3) {
    if (argv[2]!.toLowerCase() === 'reset') {
      await c.acl.logReset();
      return OK;
    }
    if (!/^-?\d+$/.test(argv[2]!) || !Number.isSafeInteger(Number(argv[2]))) return err('ERR value is not an integer or out of range');
    count = Math.max(0, Number(argv[2]));
  }
  const now = c.now();
  const entries = (await c.acl.logEntries()).slice(0, count);
  return arr(
    entries.map((e) => {
      const age = (now - e.created) / 1000;
      return map([
        bulk('count'), int(e.count),
        bulk('reason'), bulk(e.reason),
        bulk('context'), bulk(e.context),
        bulk('object'), bulk(e.object),
        bulk('username'), bulk(e.username),
        bulk('age-seconds'), dblText(age, fmtG17(age)),
        bulk('client-info'), bulk(e.clientInfo),
      ]);
    }),
  );
}

function genpass(c: SessionCtx, argv: string[]): Frame {
  if (!c.acl) return NO_ACL;
  let bits = 256;
  if (argv.length > 2) {
    const v = argv[2]!;
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return err('ERR value is not an integer or out of range');
    bits = Number(v);
    if (bits <= 0 || bits > 4096) return err('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
  }
  const chars = Math.ceil(bits / 4);
  const bytes = c.acl.random(Math.ceil(chars / 2));
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return bulk(hex.slice(0, chars));
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];
const sub = (name: string, conn: SessionHandler): CommandSpec => sdef(`acl|${name}`, { route: 'conn', conn });

export const ACL_COMMANDS: CommandSpec[] = [
  sdef('acl', { route: 'conn', sub: [
      sub('cat', cat),
      sub('deluser', deluser),
      sub('dryrun', dryrun),
      sub('genpass', genpass),
      sub('getuser', getuser),
      sub('help', () => helpReply('ACL', HELP)),
      sub('list', list),
      sub('load', () => NO_FILE),
      sub('log', log),
      sub('save', () => NO_FILE),
      sub('setuser', setuser),
      sub('users', users),
      sub('whoami', whoami),
    ] }),
];
