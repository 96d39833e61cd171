// ACL users, pure: Redis 7.0's rule syntax (ACL SETUSER), the ACL LIST / GETUSER descriptions, the
// permission check (command, keys by read/write, channels), the ACL LOG, and an in-memory directory.
// Hosts keep the directory (in-process: LocalBackend; Workers: the AclObject DO + a per-isolate cache).
import { describedCommands, findDescribed, type Described } from '../commands/spec-data.js';
import type { CommandSpec } from '../commands/types.js';
import { stringMatch } from '../engine/glob.js';
import { digestEqual, sha256Hex } from './sha256.js';

/** Redis 7.0's ACL categories, in its order (ACL CAT). */
export const CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

const R = 1;
const W = 2;
const RW = R | W;

export interface KeyPattern {
  pat: string;
  /** R, W or both (%R~, %W~, ~). */
  perm: number;
}

/** One user (Redis's root selector; selectors in parentheses are not supported). */
export class AclUser {
  enabled = false;
  nopass = false;
  sanitize: '' | 'sanitize-payload' | 'skip-sanitize-payload' = '';
  /** SHA-256 hex digests. */
  passwords: string[] = [];
  /** Redis's reserved "future commands" bit: set by +@all, cleared by -@all. */
  future = false;
  /** Allowed commands by full name (`get`, `config|get`). */
  allowed = new Set<string>();
  /** Deprecated first-arg grants (`+select|0`) of otherwise blocked commands. */
  firstArgs = new Map<string, string[]>();
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];

  constructor(readonly name: string) {}

  clone(name = this.name): AclUser {
    const u = new AclUser(name);
    u.enabled = this.enabled;
    u.nopass = this.nopass;
    u.sanitize = this.sanitize;
    u.passwords = [...this.passwords];
    u.future = this.future;
    u.allowed = new Set(this.allowed);
    u.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    u.allKeys = this.allKeys;
    u.keys = this.keys.map((k) => ({ ...k }));
    u.allChannels = this.allChannels;
    u.channels = [...this.channels];
    return u;
  }
}

/**
 * ACL rules range over every command Redis describes (as Redis's own rules range over its whole
 * command table), not only the ones keyflare serves: `+eval` is a valid rule, `+@all` covers it.
 */
const allCommands = describedCommands;

/** `get`, `config|get` (case-insensitive); undefined when unknown. */
export function findCommand(name: string): Described | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf('|');
  if (bar < 0) return findDescribed(lower);
  return findDescribed(lower.slice(0, bar))?.sub?.find((s) => s.name === lower);
}

/** Allow or deny a command and, for a container, all its subcommands (ACLChangeSelectorPerm). */
function changePerm(u: AclUser, spec: Described, allow: boolean): void {
  const names = [spec.name, ...(spec.sub ?? []).map((s) => s.name)];
  for (const n of names) {
    if (allow) u.allowed.add(n);
    else u.allowed.delete(n);
    u.firstArgs.delete(n);
  }
}

function changeCategory(u: AclUser, cat: string, allow: boolean): void {
  for (const spec of allCommands()) if (spec.acl.includes(cat)) changePerm(u, spec, allow);
}

const MODIFIER_ERRORS = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
} as const;
type ModErr = keyof typeof MODIFIER_ERRORS;

const hasSpace = (s: string) => /[\s\0]/.test(s);
const isDigest = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Apply one rule to a user in place (Redis's ACLSetUser + ACLSetSelector); an errno on failure. */
export function applyRule(u: AclUser, rule: string): ModErr | null {
  const op = rule.toLowerCase();
  switch (op) {
    case 'on': u.enabled = true; return null;
    case 'off': u.enabled = false; return null;
    case 'skip-sanitize-payload': u.sanitize = 'skip-sanitize-payload'; return null;
    case 'sanitize-payload': u.sanitize = 'sanitize-payload'; return null;
    case 'nopass': u.nopass = true; u.passwords = []; return null;
    case 'resetpass': u.nopass = false; u.passwords = []; return null;
    case 'clearselectors': return null;
    case 'reset':
      for (const r of ['resetpass', 'resetkeys', 'resetchannels', 'off', 'sanitize-payload', '-@all']) applyRule(u, r);
      return null;
    case 'allkeys': case '~*': u.allKeys = true; u.keys = []; return null;
    case 'resetkeys': u.allKeys = false; u.keys = []; return null;
    case 'allchannels': case '&*': u.allChannels = true; u.channels = []; return null;
    case 'resetchannels': u.allChannels = false; u.channels = []; return null;
    case 'allcommands': case '+@all':
      u.future = true;
      u.firstArgs.clear();
      for (const s of allCommands()) u.allowed.add(s.name);
      return null;
    case 'nocommands': case '-@all':
      u.future = false;
      u.firstArgs.clear();
      u.allowed.clear();
      return null;
  }
  const c0 = rule[0];
  if (c0 === '>' || c0 === '#') {
    const digest = c0 === '>' ? sha256Hex(rule.slice(1)) : rule.slice(1);
    if (c0 === '#' && !isDigest(digest)) return 'EBADMSG';
    if (!u.passwords.includes(digest)) u.passwords.push(digest);
    u.nopass = false;
    return null;
  }
  if (c0 === '<' || c0 === '!') {
    const digest = c0 === '<' ? sha256Hex(rule.slice(1)) : rule.slice(1);
    if (c0 === '!' && !isDigest(digest)) return 'EBADMSG';
    const i = u.passwords.indexOf(digest);
    if (i < 0) return 'ENODEV';
    u.passwords.splice(i, 1);
    return null;
  }
  if (c0 === '~' || c0 === '%') {
    if (u.allKeys) return 'EEXIST';
    let perm = 0;
    let off = 1;
    if (c0 === '%') {
      for (; off < rule.length; off++) {
        const ch = rule[off]!.toUpperCase();
        if (ch === 'R' && !(perm & R)) perm |= R;
        else if (ch === 'W' && !(perm & W)) perm |= W;
        else if (ch === '~') {
          off++;
          break;
        } else return 'EINVAL';
      }
      if (perm === 0) return 'EINVAL';
    } else perm = RW;
    const pat = rule.slice(off);
    if (hasSpace(pat)) return 'EINVAL';
    if (!u.keys.some((k) => k.pat === pat && k.perm === perm)) u.keys.push({ pat, perm });
    u.allKeys = false;
    return null;
  }
  if (c0 === '&') {
    if (u.allChannels) return 'EISDIR';
    const ch = rule.slice(1);
    if (hasSpace(ch)) return 'EINVAL';
    if (!u.channels.includes(ch)) u.channels.push(ch);
    u.allChannels = false;
    return null;
  }
  if ((c0 === '+' || c0 === '-') && rule[1] === '@') {
    const cat = op.slice(2);
    if (!(CATEGORIES as readonly string[]).includes(cat)) return 'ENOENT';
    changeCategory(u, cat, c0 === '+');
    return null;
  }
  if (c0 === '+' || c0 === '-') {
    const name = op.slice(1);
    const direct = findCommand(name);
    if (direct) {
      changePerm(u, direct, c0 === '+');
      return null;
    }
    if (c0 === '-') return 'ENOENT';
    // +cmd|arg: the deprecated first-arg grant of a command without subcommands.
    const bar = name.lastIndexOf('|');
    if (bar < 0) return 'ENOENT';
    const cmd = findCommand(name.slice(0, bar));
    if (!cmd) return 'ENOENT';
    if (cmd.name.includes('|')) return 'ECHILD';
    if (cmd.sub) return 'ENOENT';
    const list = u.firstArgs.get(cmd.name) ?? [];
    const arg = name.slice(bar + 1);
    if (!list.includes(arg)) list.push(arg);
    u.firstArgs.set(cmd.name, list);
    return null;
  }
  return 'EINVAL';
}

/** A new user, as ACL SETUSER creates it (acl-pubsub-default resetchannels). */
export function newUser(name: string): AclUser {
  const u = new AclUser(name);
  applyRule(u, '-@all');
  return u;
}

/** Apply rules to a copy: the new user, or Redis's exact error (and no change). */
export function setUser(cur: AclUser | undefined, name: string, rules: readonly string[]): AclUser | string {
  if (hasSpace(name)) return "ERR Usernames can't contain spaces or null characters";
  const u = cur ? cur.clone() : newUser(name);
  for (const r of rules) {
    const e = applyRule(u, r);
    if (e) return `ERR Error in ACL SETUSER modifier '${r}': ${MODIFIER_ERRORS[e]}`;
  }
  return u;
}

/** Parse a stored `user <name> <rules…>` line (ACL LIST form). */
export function parseUserLine(line: string): AclUser | string {
  const parts = line.split(' ').filter((p) => p.length > 0);
  if (parts[0] !== 'user' || !parts[1]) return 'ERR bad user line';
  return setUser(undefined, parts[1], parts.slice(2));
}

// --- Descriptions ---

/**
 * The command rules of a user (Redis 7.0's ACLDescribeSelectorCommandRules): +@all or -@all, then
 * the categories that best fit the allowed set, then single commands for what remains.
 */
export function describeCommands(u: AclUser): string {
  const additive = !u.future;
  const out = [additive ? '-@all' : '+@all'];
  const fake = new AclUser('');
  applyRule(fake, out[0]!);
  // temp starts as the user's set; each applied category is inverted on it so it stops counting.
  const temp = new Set(u.allowed);
  const applied = new Set<string>();
  const all = [...allCommands()];
  for (;;) {
    let best: string | null = null;
    let mindiff = Number.MAX_SAFE_INTEGER;
    let maxsame = 0;
    for (const cat of CATEGORIES) {
      if (applied.has(cat)) continue;
      let on = 0;
      let offc = 0;
      for (const s of all) if (s.acl.includes(cat)) temp.has(s.name) ? on++ : offc++;
      const diff = additive ? offc : on;
      const same = additive ? on : offc;
      if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
        best = cat;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best === null) break;
    changeCategory(fake, best, additive);
    for (const s of all) if (s.acl.includes(best)) additive ? temp.delete(s.name) : temp.add(s.name);
    out.push(`${additive ? '+' : '-'}@${best}`);
    applied.add(best);
  }
  for (const spec of allCommands()) {
    if (spec.name.includes('|')) continue;
    for (const s of [spec, ...(spec.sub ?? [])]) {
      const userbit = u.allowed.has(s.name);
      if (userbit !== fake.allowed.has(s.name)) {
        out.push(`${userbit ? '+' : '-'}${s.name}`);
        changePerm(fake, s, userbit);
      }
      const fa = u.firstArgs.get(s.name);
      if (!userbit && fa) for (const a of fa) out.push(`+${s.name}|${a}`);
    }
  }
  return out.join(' ');
}

function patternString(k: KeyPattern): string {
  return `${k.perm === RW ? '~' : k.perm === R ? '%R~' : '%W~'}${k.pat}`;
}

export function describeKeys(u: AclUser): string {
  return u.allKeys ? '~*' : u.keys.map(patternString).join(' ');
}

export function describeChannels(u: AclUser, list = false): string {
  if (u.allChannels) return '&*';
  const chans = u.channels.map((c) => `&${c}`).join(' ');
  // ACL LIST spells the reset out; GETUSER lists the channels only.
  return list ? (chans ? `resetchannels ${chans}` : 'resetchannels') : chans;
}

export function userFlags(u: AclUser): string[] {
  const f = [u.enabled ? 'on' : 'off'];
  if (u.nopass) f.push('nopass');
  if (u.sanitize) f.push(u.sanitize);
  return f;
}

/** The ACL LIST line of a user. */
export function describeUser(u: AclUser): string {
  const parts = ['user', u.name, ...userFlags(u), ...u.passwords.map((p) => `#${p}`)];
  const keys = describeKeys(u);
  if (keys) parts.push(keys);
  parts.push(describeChannels(u, true));
  parts.push(describeCommands(u));
  return parts.join(' ');
}

// --- Authentication and permission checks ---

/** AUTH: the user when enabled and the password matches one of its digests (constant time). */
export function passwordOk(u: AclUser | undefined, pass: string): boolean {
  const digest = sha256Hex(pass);
  if (!u) return false;
  let ok = u.nopass;
  // Compare against every digest without stopping early: the time does not tell which matched.
  for (const p of u.passwords) if (digestEqual(p, digest)) ok = true;
  return ok && u.enabled;
}

export type Denial = { reason: 'command' | 'key' | 'channel'; object: string };

/** R/W the command needs on the key at argv position `pos` (from its key specs, as Redis). */
function keyPerm(spec: CommandSpec, pos: number): number {
  const specs = spec.keySpecs;
  let chosen = specs.length === 1 ? specs[0] : undefined;
  if (!chosen) {
    // Several key specs: the last index-based one starting at or before the key.
    for (const k of specs) if (k.bs && 'index' in k.bs && k.bs.index <= pos && (!chosen || (chosen.bs as { index: number }).index <= k.bs.index)) chosen = k;
  }
  const flags = chosen ? chosen.flags : specs.flatMap((k) => k.flags);
  let perm = 0;
  if (flags.includes('access')) perm |= R;
  if (flags.includes('insert') || flags.includes('delete') || flags.includes('update')) perm |= W;
  if (flags.length && !chosen && perm === 0) perm = spec.flags.includes('write') ? W : R;
  return perm;
}

function keyAllowed(u: AclUser, key: string, perm: number): boolean {
  if (u.allKeys) return true;
  for (const k of u.keys) {
    if ((k.perm & perm) !== perm) continue;
    if (stringMatch(k.pat, key)) return true;
  }
  return false;
}

/** Positions of channels a command publishes or subscribes to, and whether they are patterns. */
function channelArgs(spec: CommandSpec, argv: readonly string[]): { pos: number[]; pattern: boolean } | null {
  switch (spec.name) {
    case 'publish': case 'spublish': return { pos: [1], pattern: false };
    case 'subscribe': case 'ssubscribe': return { pos: argv.map((_, i) => i).slice(1), pattern: false };
    case 'psubscribe': return { pos: argv.map((_, i) => i).slice(1), pattern: true };
    default: return null;
  }
}

function channelAllowed(u: AclUser, ch: string, pattern: boolean): boolean {
  if (u.allChannels) return true;
  // Patterns are compared literally; channels are matched against the user's patterns.
  for (const p of u.channels) if (pattern ? p === ch : stringMatch(p, ch)) return true;
  return false;
}

/**
 * Whether the user may run this command with these arguments (Redis's ACLSelectorCheckCmd:
 * command, then keys, then channels). `keyPositions` is the table's key extraction. The user's
 * `enabled` flag is not looked at, as in Redis: `off` stops new authentications (passwordOk,
 * and the token checks), while connections already authenticated keep their rights.
 */
export function checkCommand(u: AclUser, spec: CommandSpec, argv: readonly string[], keyPositions: number[]): Denial | null {
  if (!spec.flags.includes('no_auth') && !u.allowed.has(spec.name)) {
    const fa = u.firstArgs.get(spec.name);
    if (!fa || argv.length < 2 || !fa.includes(argv[1]!.toLowerCase())) return { reason: 'command', object: spec.name };
  }
  if (!u.allKeys && !spec.keySpecs.every((k) => k.flags.includes('not_key'))) {
    for (const p of keyPositions) {
      if (!keyAllowed(u, argv[p]!, keyPerm(spec, p))) return { reason: 'key', object: argv[p]! };
    }
  }
  const chans = u.allChannels ? null : channelArgs(spec, argv);
  if (chans) {
    for (const p of chans.pos) if (!channelAllowed(u, argv[p]!, chans.pattern)) return { reason: 'channel', object: argv[p]! };
  }
  return null;
}

/**
 * The channel part of the check alone. Redis 7.0 disconnects a subscriber once its user may no
 * longer use one of its channels (ACLKillPubsubClientsIfNeeded); losing the command itself, or
 * `off`, leaves it subscribed.
 */
export function checkChannels(u: AclUser, spec: CommandSpec, argv: readonly string[]): Denial | null {
  const chans = u.allChannels ? null : channelArgs(spec, argv);
  if (chans) {
    for (const p of chans.pos) if (!channelAllowed(u, argv[p]!, chans.pattern)) return { reason: 'channel', object: argv[p]! };
  }
  return null;
}

/**
 * Whether the user may run `spec` on every key there is (an HTTP route standing for the command
 * applied to all keys, as GET /export is DUMP of each): the command, then a key pattern matching
 * any key with the permission the command needs (`~*`, `%R~*`…). Patterns that cover every key
 * only together (`~a* ~[^a]*`) are not recognised: refused, as the safe side.
 */
export function checkEveryKey(u: AclUser, spec: CommandSpec): Denial | null {
  const d = checkCommand(u, spec, [spec.name], []);
  if (d || u.allKeys || spec.keySpecs.every((k) => k.flags.includes('not_key'))) return d;
  const perm = keyPerm(spec, 1);
  for (const k of u.keys) if ((k.perm & perm) === perm && /^\*+$/.test(k.pat)) return null;
  return { reason: 'key', object: '*' };
}

/** The NOPERM error of a denial (as a command reply). */
export function nopermText(d: Denial): string {
  if (d.reason === 'command') return `NOPERM this user has no permissions to run the '${d.object}' command`;
  return `NOPERM this user has no permissions to access one of the ${d.reason === 'key' ? 'keys' : 'channels'} used as arguments`;
}

/** The ACL DRYRUN text of a denial. */
export function dryrunText(d: Denial): string {
  if (d.reason === 'command') return `This user has no permissions to run the '${d.object}' command`;
  return `This user has no permissions to access the '${d.object}' ${d.reason}`;
}

// --- ACL LOG ---

export interface LogEntry {
  count: number;
  reason: 'command' | 'key' | 'channel' | 'auth';
  context: 'toplevel' | 'multi' | 'lua';
  object: string;
  username: string;
  /** ms timestamps: first seen, last updated. */
  created: number;
  updated: number;
  clientInfo: string;
}

/** Redis's ACL log: newest first, similar entries within 60 s grouped, at most 128 kept. */
export class AclLog {
  entries: LogEntry[] = [];
  constructor(private readonly maxLen = 128) {}

  add(e: Omit<LogEntry, 'count' | 'created' | 'updated'>, now: number): void {
    const i = this.entries.findIndex(
      (x) => x.reason === e.reason && x.context === e.context && x.object === e.object && x.username === e.username && now - x.updated < 60_000,
    );
    if (i >= 0) {
      const x = this.entries[i]!;
      x.count++;
      x.updated = now;
      x.clientInfo = e.clientInfo;
      this.entries.splice(i, 1);
      this.entries.unshift(x);
      return;
    }
    this.entries.unshift({ ...e, count: 1, created: now, updated: now });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }
}

// --- The directory of users ---

/** The built-in users the tokens map to: `default` (the main token) and `readonly`. */
export const READONLY_RULES = ['on', '~*', '&*', '+@all', '-@write', '-@admin'];

/** Seed lines for a fresh directory: default = the main token's user, readonly = the read-only token's. */
export function builtinLines(token: string | undefined, readonlyToken: string | undefined): string[] {
  const def = newUser('default');
  for (const r of ['on', '~*', '&*', '+@all', token === undefined ? 'nopass' : `>${token}`]) applyRule(def, r);
  const lines = [describeUser(def)];
  if (readonlyToken !== undefined) {
    const ro = newUser('readonly');
    for (const r of [...READONLY_RULES, `>${readonlyToken}`]) applyRule(ro, r);
    lines.push(describeUser(ro));
  }
  return lines;
}

/** Users by name, with a version bumped on every change (hosts cache by version). */
export class AclDirectory {
  users = new Map<string, AclUser>();
  version = 0;
  readonly log = new AclLog();

  constructor(lines: readonly string[] = []) {
    for (const l of lines) {
      const u = parseUserLine(l);
      if (typeof u !== 'string') this.users.set(u.name, u);
    }
  }

  /** ACL SETUSER: the error text, or null when applied. */
  setUser(name: string, rules: readonly string[]): string | null {
    const u = setUser(this.users.get(name), name, rules);
    if (typeof u === 'string') return u;
    this.users.set(name, u);
    this.version++;
    return null;
  }

  /** ACL DELUSER: how many existed (`default` cannot be removed: checked by the command). */
  delUsers(names: readonly string[]): number {
    let n = 0;
    for (const name of names) if (this.users.delete(name)) n++;
    if (n) this.version++;
    return n;
  }

  /** Sorted by name, as Redis's radix tree lists them. */
  lines(): string[] {
    return [...this.users.keys()].sort(byteOrder).map((n) => describeUser(this.users.get(n)!));
  }
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What a session needs from its host's ACL (the in-process directory, or the Worker's cache of the
 * AclObject DO). Reads are synchronous, from state `sync()` refreshed before the pipeline ran.
 */
export interface AclHost {
  /** Refresh cached users if stale (force: now, e.g. before AUTH). */
  sync(force: boolean): Promise<void>;
  user(name: string): AclUser | undefined;
  /** ACL LIST lines, sorted by name. */
  lines(): string[];
  setUser(name: string, rules: string[]): Promise<string | null>;
  delUsers(names: string[]): Promise<number>;
  /** Record a denial or failed AUTH (the host may send it on asynchronously; see settle()). */
  log(e: Omit<LogEntry, 'count' | 'created' | 'updated'>): void;
  /** Wait for log records still in flight. */
  settle(): Promise<void>;
  logEntries(): Promise<LogEntry[]>;
  logReset(): Promise<void>;
  /** Random bytes for ACL GENPASS (the host's CSPRNG). */
  random(n: number): Uint8Array;
}

/** The in-process host: a directory in memory (LocalBackend, tests). */
export class LocalAcl implements AclHost {
  readonly dir: AclDirectory;
  constructor(lines: readonly string[], private readonly now: () => number, private readonly rand: (n: number) => Uint8Array) {
    this.dir = new AclDirectory(lines);
  }
  async sync(): Promise<void> {}
  user(name: string): AclUser | undefined {
    return this.dir.users.get(name);
  }
  lines(): string[] {
    return this.dir.lines();
  }
  async setUser(name: string, rules: string[]): Promise<string | null> {
    return this.dir.setUser(name, rules);
  }
  async delUsers(names: string[]): Promise<number> {
    return this.dir.delUsers(names);
  }
  log(e: Omit<LogEntry, 'count' | 'created' | 'updated'>): void {
    this.dir.log.add(e, this.now());
  }
  async settle(): Promise<void> {}
  async logEntries(): Promise<LogEntry[]> {
    return this.dir.log.entries;
  }
  async logReset(): Promise<void> {
    this.dir.log.entries = [];
  }
  random(n: number): Uint8Array {
    return this.rand(n);
  }
}
