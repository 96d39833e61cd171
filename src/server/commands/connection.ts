// Connection commands answered by the session itself: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET.
import { E, OK, arityErr, bulk, err, int, map, simple, arr, type Frame } from '../../protocol/frame.js';
import type { CommandSpec } from '../../commands/types.js';
import { databasesOf } from '../../commands/types.js';
import { parseI64 } from '../../protocol/numfmt.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

function ping(_c: SessionCtx, argv: string[]): Frame {
  if (argv.length > 2) return arityErr('ping');
  return argv.length === 2 ? bulk(argv[1]!) : simple('PONG');
}

function echo(_c: SessionCtx, argv: string[]): Frame {
  return bulk(argv[1]!);
}

function tryAuth(c: SessionCtx, user: string | null, pass: string): Frame | null {
  const who = c.auth(user, pass);
  if (!who) return E.wrongPass;
  c.session.authenticated = true;
  c.session.user = who.user;
  c.session.readonly = who.readonly;
  return null;
}

function auth(c: SessionCtx, argv: string[]): Frame {
  if (argv.length > 3) return E.syntax;
  const e = argv.length === 2 ? tryAuth(c, null, argv[1]!) : tryAuth(c, argv[1]!, argv[2]!);
  return e ?? OK;
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(c: SessionCtx, argv: string[]): Frame {
  let ver = 0;
  if (argv.length >= 2) {
    const v = argv[1]!;
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      return err('ERR Protocol version is not an integer or out of range');
    }
    ver = Number(v);
    if (ver < 2 || ver > 3) return err('NOPROTO unsupported protocol version');
  }
  let authPair: [string, string] | null = null;
  let setName: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toUpperCase();
    const left = argv.length - i - 1;
    if (opt === 'AUTH' && left >= 2) {
      authPair = [argv[i + 1]!, argv[i + 2]!];
      i += 2;
    } else if (opt === 'SETNAME' && left >= 1) {
      setName = argv[i + 1]!;
      i += 1;
    } else return err(`ERR Syntax error in HELLO option '${argv[i]!}'`);
  }
  if (authPair) {
    const e = tryAuth(c, authPair[0], authPair[1]);
    if (e) return e;
  }
  if (!c.session.authenticated) {
    return err('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  }
  if (setName !== null) {
    const bad = validateClientName(setName);
    if (bad) return bad;
    c.session.name = setName;
  }
  if (ver) c.session.proto = ver as 2 | 3;
  return map([
    bulk('server'), bulk('redis'),
    bulk('version'), bulk(c.server.version),
    bulk('proto'), int(c.session.proto),
    bulk('id'), int(c.session.id),
    bulk('mode'), bulk(c.server.mode),
    bulk('role'), bulk('master'),
    bulk('modules'), arr([]),
  ]);
}

/** Redis's clientSetName rule: printable ASCII without spaces. */
export function validateClientName(name: string): Frame | null {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return err('ERR Client names cannot contain spaces, newlines or special characters.');
  }
  return null;
}

/**
 * SELECT n (Redis 7.0's selectCommand): an int (getIntFromObjectOrReply's own errors); Redis
 * Cluster has one database; then the range. The session's db goes with every batch it sends
 * (ExecOpts.db).
 */
function select(c: SessionCtx, argv: string[]): Frame {
  const n = parseI64(argv[1]!);
  if (n === null) return E.notInt;
  if (n > 2147483647n || n < -2147483648n) return err('ERR value is out of range, value must between -2147483648 and 2147483647');
  if (c.server.mode === 'cluster' && n !== 0n) return err('ERR SELECT is not allowed in cluster mode');
  // REST has no connection to keep a db in: it serves db 0, as Upstash does.
  if (c.session.rest) return err('ERR SELECT is not supported over REST: it serves database 0 (as Upstash does)');
  if (n < 0n || n >= BigInt(databasesOf(c.server))) return err('ERR DB index is out of range');
  c.session.db = Number(n);
  return OK;
}

function quit(c: SessionCtx): Frame {
  c.session.closing = true;
  return OK;
}

async function reset(c: SessionCtx): Promise<Frame> {
  // RESET returns the connection to its initial state (the session resets each part it owns); a
  // token-authenticated connection stays authenticated as `default` (as Redis with no
  // requirepass), an AUTH-only one must re-AUTH.
  await c.resetConnection();
  return simple('RESET');
}

const spec = (name: string, conn: SessionHandler): CommandSpec => sdef(name, { route: 'conn', conn });

export const CONN_COMMANDS: CommandSpec[] = [
  spec('ping', ping),
  spec('echo', echo),
  spec('auth', auth),
  spec('hello', hello),
  spec('select', select),
  spec('quit', quit),
  spec('reset', reset),
];
