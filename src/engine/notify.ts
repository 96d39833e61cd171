// Keyspace notifications (Redis's notify.c): the notify-keyspace-events classes, and the events
// each write fires, as `__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>` messages for the hub.
//
// Why a table here rather than a call in every handler: the events of almost every command follow
// from its name, its keys, whether it changed anything (c.dirty) and which keys it created or
// emptied, so one table keeps the families untouched. A handler whose events depend on more can
// call `c.notify(cls, event, key)` itself; then the table is skipped for that command.
import type { Keyspace } from './keyspace.js';

// Class bits, as notify.h.
export const N = {
  K: 1 << 0, E: 1 << 1, g: 1 << 2, $: 1 << 3, l: 1 << 4, s: 1 << 5, h: 1 << 6, z: 1 << 7,
  x: 1 << 8, e: 1 << 9, t: 1 << 10, m: 1 << 11, d: 1 << 12, n: 1 << 13,
} as const;
export type NotifyClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'm' | 'd' | 'n';
const ALL = N.g | N.$ | N.l | N.s | N.h | N.z | N.x | N.e | N.t | N.d;

/** keyspaceEventsStringToFlags: -1 on an unknown character (CONFIG SET refuses it). */
export function notifyFlags(s: string): number {
  let f = 0;
  for (const ch of s) {
    if (ch === 'A') f |= ALL;
    else if (ch in N) f |= N[ch as keyof typeof N];
    else return -1;
  }
  return f;
}

/** keyspaceEventsFlagsToString: Redis's normalized form (CONFIG GET prints it). */
export function notifyString(f: number): string {
  let out = '';
  if ((f & ALL) === ALL) out = 'A';
  else for (const c of 'g$lshzxetdn') if (f & N[c as keyof typeof N]) out += c;
  // As Redis: with A, an 'n' is not printed back.
  for (const c of 'KEm') if (f & N[c as keyof typeof N]) out += c;
  return out;
}

/** An event a command fired: class, event name, key. */
export type Ev = [NotifyClass, string, string];
/** A message for the hub: channel, payload. */
/** A message to publish: channel, message, and `true` for a shard channel (SPUBLISH from a script). */
export type Note = [string, string] | [string, string, true];

/** What the table sees of one executed command. */
export interface Executed {
  name: string;
  argv: readonly string[];
  /** argv positions of its keys (the spec's). */
  keys: readonly number[];
  /** Reply as a number, when it was an integer (else NaN). */
  n: number;
  /** The reply was a nil / error. */
  nil: boolean;
  ok: boolean;
  dirty: number;
  /** Keys (argv positions) that existed before it ran / exist after. */
  before: readonly boolean[];
  after: readonly boolean[];
}

type Rule = (x: Executed, out: Ev[]) => void;

const at = (x: Executed, p: number): string => x.argv[p]!;
/** Index in x.keys of the key at argv position p. */
const ki = (x: Executed, p: number): number => x.keys.indexOf(p);
const emptied = (x: Executed, i: number): boolean => x.before[i]! && !x.after[i]!;

/** `event` on every key when the command changed something, then `del` on keys it emptied. */
const each = (cls: NotifyClass, event: string): Rule => (x, out) => {
  if (x.dirty <= 0) return;
  x.keys.forEach((p, i) => {
    out.push([cls, event, at(x, p)]);
    if (emptied(x, i)) out.push(['g', 'del', at(x, p)]);
  });
};

/** A store command: its event on the destination, or `del` when it stored nothing over a key. */
const store = (cls: NotifyClass, event: string, dst = 1): Rule => (x, out) => {
  const i = ki(x, dst);
  if (x.after[i]) out.push([cls, event, at(x, dst)]);
  else if (x.before[i]) out.push(['g', 'del', at(x, dst)]);
};

/** Key positions whose key existed before and is gone now (DEL, UNLINK, GETDEL…). */
const deleted: Rule = (x, out) => {
  x.keys.forEach((p, i) => {
    if (emptied(x, i)) out.push(['g', 'del', at(x, p)]);
  });
};

function hasOpt(x: Executed, from: number, ...opts: string[]): string | null {
  for (let i = from; i < x.argv.length; i++) {
    const a = x.argv[i]!.toUpperCase();
    if (opts.includes(a)) return a;
  }
  return null;
}

const expireRule: Rule = (x, out) => {
  if (x.n !== 1) return;
  out.push(x.after[0] ? ['g', 'expire', at(x, 1)] : ['g', 'del', at(x, 1)]);
};

/** LMOVE-like: push on the destination, pop on the source, then del if emptied (lmoveGenericCommand). */
const move = (popEv: (x: Executed) => string, pushEv: (x: Executed) => string): Rule => (x, out) => {
  if (x.dirty <= 0) return;
  out.push(['l', pushEv(x), at(x, 2)]);
  out.push(['l', popEv(x), at(x, 1)]);
  if (emptied(x, 0)) out.push(['g', 'del', at(x, 1)]);
};

/** Pops from the first key that held something (BLPOP, LMPOP, ZMPOP…): the key is in the reply. */
const popFirst = (cls: NotifyClass, event: (x: Executed) => string): Rule => (x, out) => {
  if (x.dirty <= 0) return;
  x.keys.forEach((p, i) => {
    if (!x.before[i]) return;
    // The popped key is the one that changed: emptied, or (as served first) the first non-empty one.
    if (!emptied(x, i) && out.length) return;
    out.push([cls, event(x), at(x, p)]);
    if (emptied(x, i)) out.push(['g', 'del', at(x, p)]);
  });
};

const dir = (x: Executed, pos: number, left: string, right: string) => (at(x, pos).toUpperCase() === 'LEFT' ? left : right);
const mpopDir = (prefix: string, a: string, b: string) => (x: Executed) => {
  const i = x.argv.findIndex((s, j) => j > 1 && (s.toUpperCase() === a.toUpperCase() || s.toUpperCase() === b.toUpperCase()));
  return prefix + (x.argv[i]?.toUpperCase() === a.toUpperCase() ? a.toLowerCase() : b.toLowerCase());
};

const setRule: Rule = (x, out) => {
  if (x.dirty <= 0) return;
  out.push(['$', 'set', at(x, 1)]);
  if (hasOpt(x, 3, 'EX', 'PX', 'EXAT', 'PXAT')) out.push(['g', 'expire', at(x, 1)]);
};

export const RULES: Record<string, Rule> = {
  // generic
  del: deleted,
  unlink: deleted,
  getdel: deleted,
  expire: expireRule,
  pexpire: expireRule,
  expireat: expireRule,
  pexpireat: expireRule,
  persist: (x, out) => void (x.n === 1 && out.push(['g', 'persist', at(x, 1)])),
  rename: (x, out) => {
    if (!x.ok || at(x, 1) === at(x, 2)) return;
    out.push(['g', 'rename_from', at(x, 1)], ['g', 'rename_to', at(x, 2)]);
  },
  renamenx: (x, out) => void (x.n === 1 && at(x, 1) !== at(x, 2) && out.push(['g', 'rename_from', at(x, 1)], ['g', 'rename_to', at(x, 2)])),
  copy: (x, out) => void (x.n === 1 && out.push(['g', 'copy_to', at(x, 2)])),
  restore: (x, out) => void (x.ok && out.push(['g', 'restore', at(x, 1)])),
  sort: (x, out) => {
    if (!hasOpt(x, 2, 'STORE')) return;
    const p = x.argv.findIndex((s, j) => j > 1 && s.toUpperCase() === 'STORE') + 1;
    store('l', 'sortstore', p)(x, out);
  },
  // strings
  set: setRule,
  setnx: (x, out) => void (x.n === 1 && out.push(['$', 'set', at(x, 1)])),
  setex: (x, out) => void (x.ok && out.push(['$', 'set', at(x, 1)], ['g', 'expire', at(x, 1)])),
  psetex: (x, out) => void (x.ok && out.push(['$', 'set', at(x, 1)], ['g', 'expire', at(x, 1)])),
  getset: each('$', 'set'),
  mset: (x, out) => void (x.ok && x.keys.forEach((p) => out.push(['$', 'set', at(x, p)]))),
  msetnx: (x, out) => void (x.n === 1 && x.keys.forEach((p) => out.push(['$', 'set', at(x, p)]))),
  getex: (x, out) => {
    if (x.dirty <= 0) return;
    if (hasOpt(x, 2, 'PERSIST')) out.push(['g', 'persist', at(x, 1)]);
    else if (x.after[0]) out.push(['g', 'expire', at(x, 1)]);
    else out.push(['g', 'del', at(x, 1)]);
  },
  setrange: each('$', 'setrange'),
  append: each('$', 'append'),
  incr: each('$', 'incrby'),
  // incrDecrCommand fires "incrby" for DECR and DECRBY too.
  decr: each('$', 'incrby'),
  incrby: each('$', 'incrby'),
  decrby: each('$', 'incrby'),
  incrbyfloat: each('$', 'incrbyfloat'),
  setbit: each('$', 'setbit'),
  bitfield: each('$', 'setbit'),
  bitop: (x, out) => store('$', 'set', 2)(x, out),
  pfadd: each('$', 'pfadd'),
  pfmerge: (x, out) => void (x.ok && out.push(['$', 'pfadd', at(x, 1)])),
  // lists
  lpush: each('l', 'lpush'),
  lpushx: each('l', 'lpush'),
  rpush: each('l', 'rpush'),
  rpushx: each('l', 'rpush'),
  linsert: each('l', 'linsert'),
  lset: each('l', 'lset'),
  lpop: each('l', 'lpop'),
  rpop: each('l', 'rpop'),
  ltrim: each('l', 'ltrim'),
  lrem: each('l', 'lrem'),
  rpoplpush: move(() => 'rpop', () => 'lpush'),
  brpoplpush: move(() => 'rpop', () => 'lpush'),
  lmove: move((x) => dir(x, 3, 'lpop', 'rpop'), (x) => dir(x, 4, 'lpush', 'rpush')),
  blmove: move((x) => dir(x, 3, 'lpop', 'rpop'), (x) => dir(x, 4, 'lpush', 'rpush')),
  blpop: popFirst('l', () => 'lpop'),
  brpop: popFirst('l', () => 'rpop'),
  lmpop: popFirst('l', (x) => (mpopDir('', 'LEFT', 'RIGHT')(x) === 'left' ? 'lpop' : 'rpop')),
  blmpop: popFirst('l', (x) => (mpopDir('', 'LEFT', 'RIGHT')(x) === 'left' ? 'lpop' : 'rpop')),
  // hashes
  hset: each('h', 'hset'),
  hmset: each('h', 'hset'),
  hsetnx: each('h', 'hset'),
  hdel: each('h', 'hdel'),
  hincrby: each('h', 'hincrby'),
  hincrbyfloat: each('h', 'hincrbyfloat'),
  // sets
  sadd: each('s', 'sadd'),
  srem: each('s', 'srem'),
  spop: each('s', 'spop'),
  smove: (x, out) => {
    if (x.n !== 1) return;
    out.push(['s', 'srem', at(x, 1)]);
    if (emptied(x, 0)) out.push(['g', 'del', at(x, 1)]);
    if (at(x, 1) !== at(x, 2)) out.push(['s', 'sadd', at(x, 2)]);
  },
  sinterstore: store('s', 'sinterstore'),
  sunionstore: store('s', 'sunionstore'),
  sdiffstore: store('s', 'sdiffstore'),
  // sorted sets
  zadd: (x, out) => each('z', hasOpt(x, 2, 'INCR') ? 'zincr' : 'zadd')(x, out),
  zincrby: each('z', 'zincr'),
  zrem: each('z', 'zrem'),
  zremrangebyscore: each('z', 'zremrangebyscore'),
  zremrangebyrank: each('z', 'zremrangebyrank'),
  zremrangebylex: each('z', 'zremrangebylex'),
  zpopmin: each('z', 'zpopmin'),
  zpopmax: each('z', 'zpopmax'),
  bzpopmin: popFirst('z', () => 'zpopmin'),
  bzpopmax: popFirst('z', () => 'zpopmax'),
  zmpop: popFirst('z', mpopDir('zpop', 'MIN', 'MAX')),
  bzmpop: popFirst('z', mpopDir('zpop', 'MIN', 'MAX')),
  zunionstore: store('z', 'zunionstore'),
  zinterstore: store('z', 'zinterstore'),
  zdiffstore: store('z', 'zdiffstore'),
  zrangestore: store('z', 'zrangestore'),
  // streams
  xadd: each('t', 'xadd'),
  xtrim: (x, out) => void (x.n > 0 && out.push(['t', 'xtrim', at(x, 1)])),
  xdel: (x, out) => void (x.n > 0 && out.push(['t', 'xdel', at(x, 1)])),
  xsetid: each('t', 'xsetid'),
  'xgroup|create': (x, out) => void (x.ok && out.push(['t', 'xgroup-create', at(x, 2)])),
  'xgroup|setid': (x, out) => void (x.ok && out.push(['t', 'xgroup-setid', at(x, 2)])),
  'xgroup|destroy': (x, out) => void (x.n === 1 && out.push(['t', 'xgroup-destroy', at(x, 2)])),
  'xgroup|createconsumer': (x, out) => void (x.n === 1 && out.push(['t', 'xgroup-createconsumer', at(x, 2)])),
  'xgroup|delconsumer': (x, out) => void (x.dirty > 0 && out.push(['t', 'xgroup-delconsumer', at(x, 2)])), // only when the consumer existed
};

/** Per-shard notifier: holds the parsed flags and the messages produced since the last take. */
export class Notifier {
  flags = 0;
  /** The database of the running command (SELECT): the channels name it. */
  db = 0;
  private src = '';
  notes: Note[] = [];
  /** Set when a handler called notify() itself for the running command. */
  explicit = false;

  /** Refresh the flags from the config value (cheap when unchanged). */
  sync(value: string): number {
    if (value !== this.src) {
      this.src = value;
      this.flags = Math.max(0, notifyFlags(value));
    }
    return this.flags;
  }

  /** notifyKeyspaceEvent: publish to the keyspace and/or keyevent channel when the class is on. */
  emit(cls: NotifyClass, event: string, key: string, db = this.db): void {
    const f = this.flags;
    if (!(f & N[cls]) || !(f & (N.K | N.E))) return;
    if (f & N.K) this.notes.push([`__keyspace@${db}__:${key}`, event]);
    if (f & N.E) this.notes.push([`__keyevent@${db}__:${event}`, key]);
  }

  /** Existence of a command's keys before it runs (only asked for when notifications are on). */
  static exists(db: Keyspace, argv: readonly string[], keys: readonly number[]): boolean[] {
    return keys.map((p) => db.data.has(argv[p]!) && !db.isExpired(argv[p]!));
  }

  /** Fire the events of one executed command (table-driven), plus `new` for keys it created. */
  fire(x: Executed): void {
    if (this.flags & N.n) x.keys.forEach((p, i) => !x.before[i] && x.after[i] && this.emit('n', 'new', x.argv[p]!));
    const rule = RULES[x.name];
    if (!rule) return;
    const out: Ev[] = [];
    rule(x, out);
    for (const [c, e, k] of out) this.emit(c, e, k);
  }

  take(): Note[] {
    const n = this.notes;
    this.notes = [];
    return n;
  }
}
