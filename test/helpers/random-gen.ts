// Seeded generator of command sequences for the random differential test: the argument pools
// (keys of one `{tag}` per sequence, members, values, numbers good and bad) and the assembly of a
// sequence from the families in random-gen-data.ts and random-gen-more.ts.
import { Rng } from '../../src/engine/clock.js';
import type { Proto } from '../../src/protocol/resp-encode.js';
import { DATA_FAMILIES } from './random-gen-data.js';
import { MORE_FAMILIES } from './random-gen-more.js';
import { SCRIPT_FAMILIES } from './random-gen-script.js';

/** Key kinds: each has its own names, so most commands meet the type they expect. */
export type Kind = 's' | 'n' | 'l' | 'h' | 'S' | 'I' | 'z' | 'x' | 'p' | 'g' | 'b';
const KINDS: readonly Kind[] = ['s', 'n', 'l', 'h', 'S', 'I', 'z', 'x', 'p', 'g', 'b'];

export interface GenOpts {
  /** Redis against Redis: leave out what only keyflare serves (hash field TTLs). */
  control: boolean;
  /** Only these families (by name), for a run aimed at one area. */
  only?: readonly string[];
}

export interface Sequence {
  seed: number;
  tag: string;
  proto: Proto;
  steps: string[][];
}

/** A family: a weight and a generator of one or more commands. */
export interface Family {
  name: string;
  weight: number;
  gen(g: G): string[][];
}

/** RESTORE's payload argument: the runner puts in the last DUMP reply of each side. */
export const DUMP_REF = '\u0001last-dump\u0001';
/** EVALSHA/SCRIPT EXISTS argument prefix: the runner puts in the SHA-1 of the script after it. */
export const SHA_REF = '\u0002sha\u0002';

/**
 * Commands the arity mutation leaves alone: their 7.0 arity errors differ from our 7.2/7.4
 * forms by design (ZRANK WITHSCORE), the runner emulates them on Redis (field TTLs), or a bare
 * COMMAND would list every command (keyflare serves fewer than Redis).
 */
const NO_ARITY_MUTATION = new Set(['ZRANK', 'ZREVRANK', 'HEXPIRE', 'HPEXPIRE', 'HEXPIREAT', 'HPEXPIREAT', 'HTTL', 'HPTTL', 'HEXPIRETIME', 'HPEXPIRETIME', 'HPERSIST', 'HGETDEL', 'HGETEX', 'HSETEX', 'MULTI', 'EXEC', 'DISCARD', 'HELLO', 'COMMAND']);

const SMALL_INTS = ['0', '1', '2', '3', '5', '7', '10', '-1', '-2', '-3', '100'];
const BAD_INTS = ['abc', '', '1.5', '9223372036854775808', '-9223372036854775809', '18446744073709551616', ' 1', '1 ', '0x10', '+1', '1e3', 'nan', 'inf'];
const EDGE_INTS = ['9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807', '2147483647', '-2147483648', '4294967295', '4294967296', '-0', '007', '1000000'];
const FLOATS = ['0', '1', '-1', '1.5', '-2.5', '0.1', '3.0', '1e10', '-1e-10', '5e-324', '1.7976931348623157e308', 'inf', '-inf', '+inf', 'Infinity', '-0', '0x1p3', '100', '7', '.5', '1.', '2e2'];
const BAD_FLOATS = ['nan', 'NaN', 'abc', '', '1e400', '-1e400', '1.5x', ' 1', '1,5', '--1'];
const STR_MEMBERS = ['a', 'b', 'c', 'd', 'e', 'foo', 'bar', 'x y', '', '\u0000', '\u00ff\u00fe', '\r\n', '\u00c3\u00a9', 'A', 'aa', 'ab', 'z'];
const INT_MEMBERS = ['0', '1', '2', '3', '4', '10', '-1', '-7', '100', '65535', '65536', '2147483648', '-9223372036854775808', '9223372036854775807', '9223372036854775808', '007', '-0'];

export class G {
  private readonly r: Rng;
  /** The sequence used hash field TTLs. */
  hfe = false;
  /** Generating a MULTI block's commands: no SPOP (the runner repairs pops only outside one). */
  inMulti = false;
  /** Families this sequence favours, so its keys build up state (deep sequences, not broad). */
  focus = new Set<string>();

  constructor(seed: number, readonly tag: string, readonly opts: GenOpts) {
    this.r = new Rng(seed);
  }

  f(): number {
    return this.r.next();
  }
  int(n: number): number {
    return this.r.int(n);
  }
  /** Uniform in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.r.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.r.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.r.int(xs.length)]!;
  }

  /** A key of the sequence's slot: mostly of the kind asked for, sometimes of another (WRONGTYPE). */
  key(kind: Kind): string {
    const k = this.chance(0.1) ? this.pick(KINDS) : kind;
    return `{${this.tag}}${k}${this.int(3)}`;
  }
  /** A key in another slot (CROSSSLOT). */
  foreignKey(kind: Kind): string {
    return `{${this.tag}x}${kind}${this.int(2)}`;
  }
  keys(kind: Kind, lo = 1, hi = 3): string[] {
    const out: string[] = [];
    for (let i = this.range(lo, hi); i > 0; i--) out.push(this.key(kind));
    return out;
  }

  /** Random bytes (every char code 0..255). */
  bin(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(256));
    return s;
  }
  /** A long value: past the 64-byte listpack limit, sometimes past a list node's 8 KB. */
  long(): string {
    const n = this.chance(0.9) ? this.range(60, 300) : this.range(5000, 20000);
    return this.chance(0.5) ? this.pick(['x', 'ab', '0']).repeat(n).slice(0, n) : this.bin(n);
  }

  /** A set/hash/zset member or list element. */
  member(): string {
    const x = this.f();
    if (x < 0.45) return this.pick(STR_MEMBERS);
    if (x < 0.8) return this.pick(INT_MEMBERS);
    if (x < 0.9) return `m${this.int(40)}`;
    if (x < 0.97) return this.bin(this.range(1, 8));
    return this.long();
  }
  members(lo = 1, hi = 4): string[] {
    const out: string[] = [];
    for (let i = this.range(lo, hi); i > 0; i--) out.push(this.member());
    return out;
  }
  /** An integer member (intsets). */
  intMember(): string {
    return this.chance(0.8) ? String(this.range(-20, 60)) : this.pick(INT_MEMBERS);
  }

  /** A string value: text, integers, floats, binary, long. */
  value(): string {
    const x = this.f();
    if (x < 0.3) return this.pick(STR_MEMBERS);
    if (x < 0.55) return this.pick([...SMALL_INTS, ...EDGE_INTS]);
    if (x < 0.65) return this.pick(FLOATS);
    if (x < 0.8) return this.bin(this.range(0, 12));
    if (x < 0.9) return `v${this.int(100)}`;
    return this.long();
  }

  /** An integer argument (counts, indices, increments): mostly small, sometimes edge or bad. */
  num(): string {
    const x = this.f();
    if (x < 0.75) return this.pick(SMALL_INTS);
    if (x < 0.88) return this.pick(EDGE_INTS);
    return this.pick(BAD_INTS);
  }
  /** A small non-negative count, sometimes bad. */
  count(): string {
    return this.chance(0.9) ? String(this.range(0, 6)) : this.num();
  }
  /** A float argument (scores, increments). */
  float(): string {
    return this.chance(0.9) ? this.pick(FLOATS) : this.pick(BAD_FLOATS);
  }
  /** A score: mostly small numbers, so members tie and order by name. */
  score(): string {
    return this.chance(0.6) ? String(this.range(-3, 5)) : this.float();
  }

  /** Relative expiry in seconds: immediate (≤ 0), far (never during a run), or bad. */
  relSeconds(): string {
    return this.pick(['0', '-1', '-100', '1000', '100000', '2147483647', '9223372036854775807', '9223372036854775806', '-9223372036854775808', 'abc', '1.5', '']);
  }
  relMillis(): string {
    return this.pick(['0', '-5', '1000000', '100000000', '9223372036854775807', '9223372036854775806', 'abc', '']);
  }
  /** Absolute unix seconds: the past or 2100 and later. */
  absSeconds(): string {
    return this.pick(['0', '1', '1700000000', '4102444800', '99999999999', '9223372036854775807', '-1', 'x']);
  }
  absMillis(): string {
    return this.pick(['0', '1', '1700000000000', '4102444800000', '9223372036854775807', '-1', 'x']);
  }
  /** A blocking timeout: short (the runner refuses 0 and long ones outside MULTI), or bad. */
  timeout(): string {
    return this.pick(['0.01', '0.02', '0.001', '0.01', '-1', 'abc', '1e400', 'inf', '-0.5']);
  }

  /** LIMIT/COUNT-like option pairs, shared by several families. */
  opt(p: number, ...words: string[]): string[] {
    return this.chance(p) ? words : [];
  }
}

/** Wrong arity: drop the last argument, add one, or keep only the name. */
function mutateArity(g: G, argv: string[]): string[] {
  const x = g.f();
  if (x < 0.45 && argv.length > 1) return argv.slice(0, -1);
  if (x < 0.9) return [...argv, g.pick(['x', '1', 'COUNT', ''])];
  return argv.slice(0, 1);
}

/** MULTI … EXEC/DISCARD, with WATCH, queue-time errors, nesting and CROSSSLOT among them. */
const tx: Family = {
  name: 'tx',
  weight: 5,
  gen(g) {
    const out: string[][] = [];
    const watched = g.chance(0.3) ? g.keys('s', 1, 2) : [];
    if (watched.length) out.push(['WATCH', ...watched]);
    if (watched.length && g.chance(0.4)) out.push(['SET', watched[0]!, 'touched']);
    if (g.chance(0.05)) out.push([g.pick(['EXEC', 'DISCARD'])]);
    out.push(['MULTI']);
    g.inMulti = true;
    for (let i = g.range(0, 6); i > 0; i--) {
      const x = g.f();
      if (x < 0.04) out.push(['NOSUCHCMD', 'x']);
      else if (x < 0.07) out.push(['GET']);
      else if (x < 0.09) out.push([g.pick(['MULTI', 'WATCH']), g.key('s')]);
      else if (x < 0.11) out.push(['SET', g.foreignKey('s'), 'v']);
      else for (const c of genCommands(g, (f) => f.name === 'tx')) if (c[0]!.toUpperCase() !== 'HELLO') out.push(c);
    }
    g.inMulti = false;
    out.push([g.chance(0.9) ? 'EXEC' : 'DISCARD']);
    if (g.chance(0.1)) out.push(['UNWATCH']);
    return out;
  },
};

const ALL_FAMILIES: readonly Family[] = [...DATA_FAMILIES, ...MORE_FAMILIES, ...SCRIPT_FAMILIES, tx];

/** Commands of a family mix, weighted; used by the transaction family for its queued commands. */
export function pickFamily(g: G, exclude?: (f: Family) => boolean): Family {
  const only = g.opts.only;
  const fams = ALL_FAMILIES.filter((f) => !exclude?.(f) && (!only || only.includes(f.name)));
  const w = (f: Family) => f.weight * (g.focus.has(f.name) ? 6 : 1);
  let total = 0;
  for (const f of fams) total += w(f);
  let x = g.f() * total;
  for (const f of fams) {
    x -= w(f);
    if (x < 0) return f;
  }
  return fams[fams.length - 1]!;
}

/** One command (or a few) from a random family, with an occasional wrong arity. */
export function genCommands(g: G, exclude?: (f: Family) => boolean): string[][] {
  const cmds = pickFamily(g, exclude).gen(g);
  return cmds.map((c) => (g.chance(0.03) && !NO_ARITY_MUTATION.has(c[0]!.toUpperCase()) ? mutateArity(g, c) : c));
}

/** A whole sequence of about `len` commands; everything derives from `seed`. */
export function genSequence(seed: number, len: number, opts: GenOpts): Sequence {
  const tag = `t${(seed >>> 0).toString(36)}`;
  const g = new G(seed, tag, opts);
  const proto: Proto = g.chance(0.5) ? 2 : 3;
  for (let i = g.range(1, 3); i > 0; i--) g.focus.add(g.pick(ALL_FAMILIES).name);
  const steps: string[][] = [];
  // Low encoding thresholds in some sequences, so small collections convert.
  if (g.chance(0.25)) steps.push(...lowThresholds(g));
  while (steps.length < len) for (const c of genCommands(g)) steps.push(c);
  return { seed, tag, proto, steps };
}

function lowThresholds(g: G): string[][] {
  const params: Array<[string, string[]]> = [
    ['hash-max-listpack-entries', ['0', '1', '2', '4']],
    ['hash-max-listpack-value', ['0', '1', '4']],
    ['set-max-intset-entries', ['0', '1', '3']],
    ['zset-max-listpack-entries', ['0', '1', '3']],
    ['zset-max-listpack-value', ['0', '2', '8']],
    ['list-max-listpack-size', ['1', '2', '-1', '3']],
    ['list-compress-depth', ['1', '2']],
    ['stream-node-max-entries', ['1', '2', '3']],
    ['stream-node-max-bytes', ['0', '30', '100']],
    ['hll-sparse-max-bytes', ['0', '30', '200']],
  ];
  const out: string[][] = [];
  for (const [p, vals] of params) if (g.chance(0.35)) out.push(['CONFIG', 'SET', p, g.pick(vals)]);
  return out;
}

/** CONFIG SET of the defaults the runner restores before every sequence. */
export const DEFAULT_CONFIG: readonly string[] = [
  'hash-max-listpack-entries', '128', 'hash-max-listpack-value', '64', 'set-max-intset-entries', '512',
  'zset-max-listpack-entries', '128', 'zset-max-listpack-value', '64', 'list-max-listpack-size', '-2',
  'list-compress-depth', '0', 'stream-node-max-entries', '100', 'stream-node-max-bytes', '4096', 'hll-sparse-max-bytes', '3000',
];
