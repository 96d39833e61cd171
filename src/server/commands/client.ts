// CLIENT subcommands and MONITOR. A connection's own state is answered here; the service-wide
// view (LIST, KILL, PAUSE, UNBLOCK, MONITOR) goes through its registry (server/clients.ts).
import { E, OK, arr, bulk, bulkOrNil, err, int, map, set, verb, type Frame } from '../../protocol/frame.js';
import { validateClientName } from './connection.js';
import { helpReply } from '../../commands/help.js';
import { matchKill, respLength, type ClientInfo, type KillFilter } from '../clients.js';
import { trackingState } from '../tracking.js';
import type { CommandSpec } from '../../commands/types.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

/** Redis's flags field (getClientInfoString's order). */
function flags(c: SessionCtx): string {
  const st = c.client;
  let f = '';
  if (st.monitor) f += 'O';
  if (c.subscriptions.active) f += 'P';
  if (c.tx.active) f += 'x';
  if (st.blocked) f += 'b';
  const t = trackingState(c);
  if (t.on) f += 't';
  if (t.broken) f += 'R';
  if (t.bcast) f += 'B';
  if (c.session.readonly) f += 'r';
  if (st.noEvict) f += 'e';
  if (st.noTouch) f += 'T';
  return f || 'N';
}

/** One line of CLIENT LIST / CLIENT INFO, in Redis's field order (7.2's, with lib-name/lib-ver). */
export function clientLine(c: SessionCtx): string {
  const s = c.session;
  const st = c.client;
  const ps = c.subscriptions;
  const now = c.now();
  const age = Math.max(0, Math.floor((now - s.createdAt) / 1000));
  const idle = Math.max(0, Math.floor((now - st.lastInteraction) / 1000));
  const multi = c.tx.active ? c.tx.queued().length : -1;
  const t = trackingState(c);
  const redir = t.on ? t.redir : -1;
  return `id=${s.id} addr=${s.addr} laddr=${s.laddr} fd=8 name=${s.name} age=${age} idle=${idle} flags=${flags(c)} db=${s.db} ` +
    `sub=${ps.subs.channel.size} psub=${ps.subs.pattern.size} ssub=${ps.subs.shard.size} multi=${multi} qbuf=${st.running ? respLength(st.running) : 0} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 ` +
    `events=r cmd=${s.lastCmd || 'NULL'} user=${s.user} redir=${redir} resp=${s.proto} lib-name=${s.libName} lib-ver=${s.libVer}\n`;
}

/** What the registry reports for this connection. */
export function clientInfo(c: SessionCtx): ClientInfo {
  const st = c.client;
  return {
    id: c.session.id, addr: c.session.addr, laddr: c.session.laddr, user: c.session.user,
    type: c.subscriptions.active ? 'pubsub' : 'normal', blocked: st.blocked, held: st.held, tracking: trackingState(c).on, prefixes: [...trackingState(c).prefixes], line: clientLine(c),
  };
}

/** Every connection of the service (only this one where no registry is attached, e.g. REST). */
export async function allClients(c: SessionCtx): Promise<ClientInfo[]> {
  const reg = c.client.registry;
  const all = reg ? await reg.list() : [];
  // The caller's own record is always fresh (its cmd is this very command).
  const mine = clientInfo(c);
  const out = all.filter((i) => i.id !== mine.id);
  out.push(mine);
  return out.sort((a, b) => a.id - b.id);
}

const text = (c: SessionCtx, s: string): Frame => (c.session.proto === 3 ? verb(s) : bulk(s));
const CLIENT_TYPES = ['normal', 'master', 'replica', 'slave', 'pubsub'];
const typeName = (t: string) => (t === 'slave' ? 'replica' : t) as KillFilter['type'];

async function list(c: SessionCtx, argv: string[]): Promise<Frame> {
  let type: string | null = null;
  let ids: Set<number> | null = null;
  if (argv.length > 2) {
    const opt = argv[2]!.toLowerCase();
    if (opt === 'type' && argv.length === 4) {
      const t = argv[3]!.toLowerCase();
      if (!CLIENT_TYPES.includes(t)) return err(`ERR Unknown client type '${argv[3]!}'`);
      type = typeName(t)!;
    } else if (opt === 'id' && argv.length >= 4) {
      ids = new Set();
      for (let i = 3; i < argv.length; i++) {
        const v = argv[i]!;
        if (!/^(0|-?[1-9]\d*)$/.test(v) || !Number.isSafeInteger(Number(v))) return err('ERR Invalid client ID');
        ids.add(Number(v));
      }
    } else return E.syntax;
  }
  const all = await allClients(c);
  const lines = all.filter((i) => (type === null || i.type === type) && (ids === null || ids.has(i.id))).map((i) => i.line);
  return text(c, lines.join(''));
}

/** CLIENT KILL: the old form (addr, may kill the caller, OK / No such client) and the new form (count). */
async function kill(c: SessionCtx, argv: string[]): Promise<Frame> {
  const f: KillFilter = { skipme: true };
  const old = argv.length === 3;
  if (old) {
    f.addr = argv[2]!;
    f.skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]!.toLowerCase();
      const v = argv[i + 1];
      if (v === undefined) return E.syntax;
      if (opt === 'id') {
        if (!/^-?\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) return err('ERR client-id should be greater than 0');
        f.id = Number(v);
      } else if (opt === 'type') {
        const t = v.toLowerCase();
        if (!CLIENT_TYPES.includes(t)) return err(`ERR Unknown client type '${v}'`);
        f.type = typeName(t);
      } else if (opt === 'addr') f.addr = v;
      else if (opt === 'laddr') f.laddr = v;
      else if (opt === 'user') {
        // Users known here: default and those of live connections (the ACL registry is not reachable).
        if (v !== 'default' && v !== c.session.user && !(await allClients(c)).some((i) => i.user === v)) return err(`ERR No such user '${v}'`);
        f.user = v;
      } else if (opt === 'skipme') {
        const y = v.toLowerCase();
        if (y !== 'yes' && y !== 'no') return E.syntax;
        f.skipme = y === 'yes';
      } else return E.syntax;
    }
  }
  const st = c.client;
  let n = st.registry ? await st.registry.kill({ ...f, skipme: true }, c.session.id) : 0;
  // The caller itself closes after this reply (Redis's CLIENT_CLOSE_AFTER_REPLY).
  if (!f.skipme && matchKill([clientInfo(c)], f, -1).length) {
    n++;
    c.session.closing = true;
  }
  if (old) return n ? OK : err('ERR No such client');
  return int(n);
}

async function pause(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (argv.length > 4) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try CLIENT HELP.`);
  const v = argv[2]!;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return err('ERR timeout is not an integer or out of range');
  const ms = Number(v);
  if (ms < 0) return err('ERR timeout is negative');
  let mode: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    const m = argv[3]!.toLowerCase();
    if (m !== 'write' && m !== 'all') return err('ERR CLIENT PAUSE mode must be WRITE or ALL');
    mode = m;
  }
  const st = c.client;
  const now = c.now();
  let until = now + ms;
  // A pause in force is never shortened nor weakened (pauseClients keeps the stricter one).
  if (st.pause.until > now) {
    until = Math.max(until, st.pause.until);
    if (st.pause.mode === 'all') mode = 'all';
  }
  const p = { until, mode };
  if (st.registry) await st.registry.pause(p);
  else st.setPause(p);
  return OK;
}

async function unpause(c: SessionCtx): Promise<Frame> {
  const st = c.client;
  const p = { until: 0, mode: 'all' as const };
  if (st.registry) await st.registry.pause(p);
  else st.setPause(p);
  return OK;
}

function onOff(argv: string[], set: (on: boolean) => void): Frame {
  const v = argv[2]!.toLowerCase();
  if (v !== 'on' && v !== 'off') return E.syntax;
  set(v === 'on');
  return OK;
}

function reply(c: SessionCtx, argv: string[]): Frame {
  const st = c.client;
  const v = argv[2]!.toLowerCase();
  if (v === 'on') st.replyMode = 'on';
  else if (v === 'off') st.replyMode = 'off';
  else if (v === 'skip') {
    if (st.replyMode === 'on') st.skipArm = true;
  } else return E.syntax;
  return OK;
}

/** CLIENT TRACKING, in Redis's order: options parsed, then ON's checks (clientCommand, enableTracking). */
async function tracking(c: SessionCtx, argv: string[]): Promise<Frame> {
  let redir = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    const more = i + 1 < argv.length;
    if (o === 'redirect' && more) {
      const r = argv[++i]!;
      if (redir !== 0) return err('ERR A client can only redirect to a single other client');
      if (!/^-?\d+$/.test(r) || !Number.isSafeInteger(Number(r))) return E.notInt;
      redir = Number(r);
      // Only a connection the registry knows can receive the invalidations.
      if (redir !== c.session.id && !(await allClients(c)).some((x) => x.id === redir)) return err('ERR The client ID you want redirect to does not exist');
    } else if (o === 'bcast') bcast = true;
    else if (o === 'optin') optin = true;
    else if (o === 'optout') optout = true;
    else if (o === 'noloop') noloop = true;
    else if (o === 'prefix' && more) prefixes.push(argv[++i]!);
    else return E.syntax;
  }
  const t = trackingState(c);
  const v = argv[2]!.toLowerCase();
  if (v === 'off') {
    t.reset();
    return OK;
  }
  if (v !== 'on') return E.syntax;
  if (prefixes.length && !bcast) return err('ERR PREFIX option requires BCAST mode to be enabled');
  if (t.on && t.bcast !== bcast) return err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
  if (bcast && (optin || optout)) return err('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (optin && optout) return err("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && t.optout) || (optout && t.optin)) return err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
  if (bcast) {
    const bad = prefixCollision(t.prefixes, prefixes);
    if (bad) return err(bad);
  }
  // Each TRACKING ON sets the options anew; BCAST prefixes add up (Redis's enableTracking).
  t.on = true;
  t.broken = false;
  t.redir = redir;
  t.bcast = bcast;
  t.optin = optin;
  t.optout = optout;
  t.noloop = noloop;
  if (bcast) {
    if (prefixes.length === 0) t.prefixes.add('');
    for (const p of prefixes) t.prefixes.add(p);
    // Every shard must report its writes from now on (engine/tracking.ts): one keyless read each.
    if (!t.announced) {
      t.announced = true;
      await c.all(['DBSIZE']);
    }
  }
  return OK;
}

/** Redis's checkPrefixCollisionsOrReply: no prefix of a client may be a prefix of another. */
function prefixCollision(have: ReadonlySet<string>, add: readonly string[]): string | null {
  const overlap = (a: string, b: string) => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));
  const tail = 'Prefixes for a single client must not overlap.';
  for (let i = 0; i < add.length; i++) {
    for (const h of have) if (overlap(h, add[i]!)) return `ERR Prefix '${add[i]!}' overlaps with an existing prefix '${h}'. ${tail}`;
    for (let j = i + 1; j < add.length; j++) if (overlap(add[i]!, add[j]!)) return `ERR Prefix '${add[i]!}' overlaps with another provided prefix '${add[j]!}'. ${tail}`;
  }
  return null;
}

/** CLIENT CACHING YES|NO: the next command's reads are (OPTIN) / are not (OPTOUT) tracked. */
function caching(c: SessionCtx, argv: string[]): Frame {
  const t = trackingState(c);
  if (!t.on) return err('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  const o = argv[2]!.toLowerCase();
  if (o === 'yes') {
    if (!t.optin) return err('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (o === 'no') {
    if (!t.optout) return err('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else return E.syntax;
  t.caching = true;
  return OK;
}

function trackingInfo(c: SessionCtx): Frame {
  const t = trackingState(c);
  const flags = [t.on ? 'on' : 'off'];
  if (t.bcast) flags.push('bcast');
  if (t.optin) flags.push('optin');
  if (t.optin && t.caching) flags.push('caching-yes');
  if (t.optout) flags.push('optout');
  if (t.optout && t.caching) flags.push('caching-no');
  if (t.noloop) flags.push('noloop');
  if (t.broken) flags.push('broken_redirect');
  const v = [bulk('flags'), set(flags.map((f) => bulk(f))), bulk('redirect'), int(t.on ? t.redir : -1), bulk('prefixes'), arr([...t.prefixes].sort().map((p) => bulk(p)))];
  return c.session.proto === 3 ? map(v) : arr(v);
}

async function unblock(c: SessionCtx, argv: string[]): Promise<Frame> {
  if (argv.length > 4) return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try CLIENT HELP.`);
  const v = argv[2]!;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return E.notInt;
  let error = false;
  if (argv.length === 4) {
    const r = argv[3]!.toLowerCase();
    if (r !== 'timeout' && r !== 'error') return err('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    error = r === 'error';
  }
  const id = Number(v);
  const reg = c.client.registry;
  if (id === c.session.id || !reg) return int(0);
  return int((await reg.unblock(id, error)) ? 1 : 0);
}

async function monitor(c: SessionCtx): Promise<Frame> {
  const st = c.client;
  if (!st.registry || !st.host?.monitorLine) return err('ERR MONITOR needs a connection that can receive a stream: use RESP over WebSocket');
  if (st.monitor) return OK;
  st.monitor = true;
  st.registry.setMonitor(c.session.id, true);
  return OK;
}

function setinfo(c: SessionCtx, argv: string[]): Frame {
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

function setname(c: SessionCtx, argv: string[]): Frame {
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
const sub = (name: string, conn: SessionHandler): CommandSpec => sdef(`client|${name}`, { route: 'conn', conn });

export const CLIENT_COMMANDS: CommandSpec[] = [
  sdef('client', { route: 'conn', sub: [
      sub('id', (c) => int(c.session.id)),
      sub('setname', setname),
      sub('getname', (c) => bulkOrNil(c.session.name || null)),
      sub('setinfo', setinfo),
      sub('info', (c) => text(c, clientLine(c))),
      sub('list', list),
      sub('kill', kill),
      sub('pause', pause),
      sub('unpause', unpause),
      sub('no-evict', (c, a) => onOff(a, (on) => (c.client.noEvict = on))),
      sub('no-touch', (c, a) => onOff(a, (on) => (c.client.noTouch = on))),
      sub('reply', reply),
      sub('tracking', tracking),
      sub('trackinginfo', trackingInfo),
      sub('getredir', (c) => int(trackingState(c).on ? trackingState(c).redir : -1)),
      sub('caching', caching),
      sub('unblock', unblock),
      sub('help', () => helpReply('CLIENT', HELP)),
    ] }),
  sdef('monitor', { route: 'conn', conn: monitor }),
];
