// CLIENT subcommands about this connection: ID, SETNAME, GETNAME, SETINFO, INFO, LIST, HELP.
// A connection sees only itself: connections live in different isolates, with no shared registry.
import { E, OK, bulk, bulkOrNil, err, int, verb, type Frame } from '../protocol/frame.js';
import { words } from './args.js';
import { validateClientName } from './connection.js';
import { helpReply } from './help.js';
import type { CommandSpec, ConnCtx, ConnHandler } from './types.js';

/** One line of CLIENT LIST / CLIENT INFO, in Redis's field order (7.2's, with lib-name/lib-ver). */
export function clientLine(c: ConnCtx): string {
  const s = c.session;
  const age = Math.max(0, Math.floor((c.now() - s.createdAt) / 1000));
  return `id=${s.id} addr=${s.addr} laddr=${s.laddr} fd=8 name=${s.name} age=${age} idle=0 flags=N db=${s.db} ` +
    'sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 ' +
    `events=r cmd=${s.lastCmd || 'NULL'} user=${s.user} redir=-1 resp=${s.proto} lib-name=${s.libName} lib-ver=${s.libVer}\n`;
}

const text = (c: ConnCtx, s: string): Frame => (c.session.proto === 3 ? verb(s) : bulk(s));

function list(c: ConnCtx, argv: string[]): Frame {
  let include = true;
  if (argv.length > 2) {
    const opt = argv[2]!.toLowerCase();
    if (opt === 'type' && argv.length === 4) {
      const t = argv[3]!.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) return err(`ERR Unknown client type '${argv[3]!}'`);
      include = t === 'normal';
    } else if (opt === 'id' && argv.length >= 4) {
      include = false;
      for (let i = 3; i < argv.length; i++) {
        const v = argv[i]!;
        if (!/^(0|-?[1-9]\d*)$/.test(v) || Number(v) <= 0) return err('ERR Invalid client ID');
        if (Number(v) === c.session.id) include = true;
      }
    } else return E.syntax;
  }
  return text(c, include ? clientLine(c) : '');
}

function setinfo(c: ConnCtx, argv: string[]): Frame {
  const attr = argv[2]!.toLowerCase();
  if (attr !== 'lib-name' && attr !== 'lib-ver') return err(`ERR Unrecognized option '${argv[2]!}'`);
  const v = argv[3]!;
  for (let i = 0; i < v.length; i++) {
    const ch = v.charCodeAt(i);
    if (ch < 33 || ch > 126) return err(`ERR ${argv[2]!} cannot contain spaces, newlines or special characters.`);
  }
  if (attr === 'lib-name') c.session.libName = v;
  else c.session.libVer = v;
  return OK;
}

function setname(c: ConnCtx, argv: string[]): Frame {
  const bad = validateClientName(argv[2]!);
  if (bad) return bad;
  c.session.name = argv[2]!;
  return OK;
}

const HELP = [
  'CACHING (YES|NO)', '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR', '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME', '    Return the name of the current connection.',
  'ID', '    Return the ID of the current connection.',
  'INFO', '    Return information about the current client connection.',
  'KILL <ip:port>', '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]', '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)', '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)', '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)', '      Kill connections by type.',
  '    * USER <username>', '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)', '      Skip killing current connection (default: yes).',
  'LIST [options ...]', '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)', '      Return clients of specified type.',
  'UNPAUSE', '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]', '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)', '    Control the replies sent to the current connection.',
  'SETNAME <name>', '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]', '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]', '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO', '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)', '    Protect current client connection from eviction.',
];

const CONN = 'noscript loading stale';
const sub = (name: string, arity: number, flags: string, acl: string, conn: ConnHandler, summary: string, since: string, tips?: string[]): CommandSpec => ({
  name: `client|${name}`, arity, flags: words(flags), acl: words(acl), keys: [0, 0, 0], route: 'conn', conn, group: 'connection', summary, since, ...(tips ? { tips } : {}),
});

export const CLIENT_COMMANDS: CommandSpec[] = [
  {
    name: 'client', arity: -2, flags: [], acl: words('slow'), keys: [0, 0, 0], route: 'conn', group: 'connection',
    summary: 'A container for client connection commands', since: '2.4.0',
    sub: [
      sub('id', 2, CONN, 'slow connection', (c) => int(c.session.id), 'Returns the client ID for the current connection', '5.0.0'),
      sub('setname', 3, CONN, 'slow connection', setname, 'Set the current connection name', '2.6.9'),
      sub('getname', 2, CONN, 'slow connection', (c) => bulkOrNil(c.session.name || null), 'Get the current connection name', '2.6.9'),
      sub('setinfo', 4, CONN, 'slow connection', setinfo, 'Set client or connection specific info', '7.2.0', ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      sub('info', 2, CONN, 'slow connection', (c) => text(c, clientLine(c)), 'Returns information about the current client connection.', '6.2.0', ['nondeterministic_output']),
      sub('list', -2, 'admin ' + CONN, 'admin slow dangerous connection', list, 'Get the list of client connections', '2.4.0', ['nondeterministic_output']),
      sub('help', 2, 'loading stale', 'slow connection', () => helpReply('CLIENT', HELP), 'Show helpful text about the different subcommands', '5.0.0'),
    ],
  },
];
