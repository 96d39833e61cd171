// HTTP authentication and authorization: a token names a user, who must exist and be enabled
// (Redis's AUTH rule), and every route is checked as the Redis command(s) it stands for.
import { keyPositions } from '../commands/table.js';
import { fromUtf8 } from '../protocol/bytes.js';
import { AclUser, builtinLines, checkChannels, checkCommand, checkEveryKey, nopermText, parseUserLine, type Denial } from '../server/acl.js';
import { findSpec } from '../server/commands/table.js';
import { AclClient } from './acl-client.js';
import { checkToken, type Access, type Env } from './env.js';

/**
 * A command a route stands for. `keys`: 'argv' (the default) checks the keys in argv as the
 * command's key specs name them; 'every' requires access to every key (GET /export is DUMP of
 * each); 'none' checks the command only (POST /import checks RESTORE per key once it has parsed
 * the file).
 */
export interface Need {
  argv: string[];
  keys?: 'argv' | 'every' | 'none';
}

/** Who sent an authenticated request: the token's access and its user's current ACL. */
export interface Caller {
  access: NonNullable<Access>;
  user: AclUser;
}

function aclOf(env: Env): AclClient | null {
  return env.ACL ? new AclClient(env.ACL, env.KEYFLARE_TOKEN, env.KEYFLARE_READONLY_TOKEN) : null;
}

/** Without an ACL binding the tokens' built-in users apply: the rules the ACL object starts from. */
const builtins = new Map<string, Map<string, AclUser>>();

function builtinUser(env: Env, name: string): AclUser | undefined {
  const key = `${env.KEYFLARE_TOKEN ?? ''}\n${env.KEYFLARE_READONLY_TOKEN ?? ''}`;
  let users = builtins.get(key);
  if (!users) {
    users = new Map();
    for (const l of builtinLines(env.KEYFLARE_TOKEN, env.KEYFLARE_READONLY_TOKEN)) {
      const u = parseUserLine(l);
      if (typeof u !== 'string') users.set(u.name, u);
    }
    builtins.set(key, users);
  }
  return users.get(name);
}

/**
 * The caller of a request bearing `token`, or null. As AUTH in Redis, a token whose user was
 * disabled (`ACL SETUSER readonly off`) or deleted does not authenticate. Users come from the
 * isolate's ACL cache (worker/acl-client.ts): a change made in another isolate applies here
 * within TTL_MS, as it does to an open connection (a per-request round trip to the one ACL
 * object would make it every request's bottleneck).
 */
export async function authenticate(env: Env, token: string): Promise<Caller | null> {
  const access = checkToken(env, null, token);
  if (!access) return null;
  const user = await currentUser(env, access.user);
  return user?.enabled ? { access, user } : null;
}

/** A user as the isolate's ACL cache has it now (refreshed when older than TTL_MS). */
export async function currentUser(env: Env, name: string): Promise<AclUser | undefined> {
  const acl = aclOf(env);
  if (!acl) return builtinUser(env, name);
  await acl.sync(false);
  return acl.user(name);
}

/** Whether a subscriber to these needs must be disconnected: its user is gone, or its channels. */
export function subscriberRevoked(user: AclUser | undefined, needs: readonly Need[]): boolean {
  if (!user) return true;
  for (const n of needs) {
    const spec = findSpec(n.argv[0]!);
    if (spec && checkChannels(user, spec, n.argv)) return true;
  }
  return false;
}

/** The first of `needs` the user may not run, as Redis's ACL check words it, with its command. */
export function denial(user: AclUser, needs: readonly Need[]): { d: Denial; cmd: string } | null {
  for (const n of needs) {
    const spec = findSpec(n.argv[0]!);
    if (!spec) throw new Error(`a route stands for an unknown command: ${n.argv[0]}`);
    const mode = n.keys ?? 'argv';
    const d = mode === 'every' ? checkEveryKey(user, spec) : checkCommand(user, spec, n.argv, mode === 'none' ? [] : keyPositions(spec, n.argv));
    if (d) return { d, cmd: spec.name };
  }
  return null;
}

/** Record a route's denial in ACL LOG (as a refused command is) and return its NOPERM text. */
export async function refusal(env: Env, caller: Caller, found: { d: Denial; cmd: string }): Promise<string> {
  const acl = aclOf(env);
  if (acl) {
    const u = caller.access.user;
    acl.log({
      ...found.d,
      context: 'toplevel',
      username: u,
      clientInfo: `id=0 addr=http laddr=http fd=-1 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${found.cmd} user=${u} redir=-1 resp=2`,
    });
    await acl.settle();
  }
  return nopermText(found.d);
}

/**
 * A percent-encoded path segment as a byte string: `%XX` is byte XX, anything else its UTF-8
 * bytes. Equal to fromUtf8(decodeURIComponent(s)) wherever that succeeds, and total: a name the
 * route handler may decode more leniently is still checked as the bytes it stands for.
 */
export function pathBytes(s: string): string {
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(/%([0-9a-fA-F]{2})/g)) {
    out.push(fromUtf8(s.slice(last, m.index)), String.fromCharCode(parseInt(m[1]!, 16)));
    last = m.index + 3;
  }
  out.push(fromUtf8(s.slice(last)));
  return out.join('');
}
