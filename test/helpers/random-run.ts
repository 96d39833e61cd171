// The random differential test's runner: the two sides (real Redis; keyflare's in-process service
// or, for the control run, a second Redis), one sequence run step by step with both replies
// compared (EXEC's per queued command), the repair that keeps both sides' data equal after a
// random SPOP, and the refusal of steps that would block for long.
import { RawClient } from './raw-client.js';
import type { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { compareReply, isErr, parse, type Node } from './random-compare.js';
import { emulateHfe, isHfe, type Expectation } from './random-hfe.js';
import { createHash } from 'node:crypto';
import { keySlot } from '../../src/cluster/slot.js';
import { DEFAULT_CONFIG, DUMP_REF, SHA_REF } from './random-gen.js';

export interface Side {
  readonly label: string;
  send(argv: string[], limitMs?: number): Promise<string>;
  close(): void;
}

export class RedisSide implements Side {
  private constructor(readonly label: string, private readonly c: RawClient) {}
  static async connect(label: string, port: number): Promise<RedisSide> {
    return new RedisSide(label, await RawClient.connect(port));
  }
  async send(argv: string[]): Promise<string> {
    return (await this.c.call([argv]))[0]!;
  }
  close(): void {
    this.c.close();
  }
}

export class KfSide implements Side {
  readonly label = 'keyflare';
  private s: Session;
  constructor(private readonly backend: LocalBackend) {
    this.s = backend.session();
  }
  /** `limitMs`: how long an answer may take (a blocking command's timeout is short: see blocksTooLong). */
  async send(argv: string[], limitMs = 5000): Promise<string> {
    const s = this.s;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>((res) => {
      timer = setTimeout(() => res(`-HARNESS keyflare did not answer within ${limitMs} ms\r\n`), limitMs);
    });
    try {
      const r = await Promise.race([s.run([argv]).then(([f]) => encodeStr(f!, s.session.proto)), late]);
      // A command that never answers leaves its connection stuck: carry on with a fresh one.
      if (r.startsWith('-HARNESS')) this.s = this.backend.session();
      return r;
    } catch (e) {
      // A throw is a bug in keyflare, and a divergence: report it as a reply.
      return `-HARNESS keyflare threw: ${String((e as Error).stack ?? e).replace(/[\r\n]+/g, ' | ')}\r\n`;
    } finally {
      clearTimeout(timer);
    }
  }
  close(): void {}
}

export interface Seq {
  proto: Proto;
  steps: string[][];
}

export interface Divergence {
  index: number;
  argv: string[];
  a: string;
  b: string;
  why: string;
  /** For a divergence inside EXEC: the queued command whose reply differs. */
  inner?: string[];
  /** The differing replies themselves (inside EXEC: the queued command's). */
  ra: string;
  rb: string;
  /** For emulated field-TTL commands: what keyflare's reply had to be. */
  expected?: string;
}

export interface Outcome {
  div: Divergence | null;
  /** What was sent to the reference side, step by step (skipped steps left out). */
  sent: string[][];
  commands: number;
}

const TRACE = process.env.KF_RANDOM_TRACE === '1';

const BLOCKING_AT: Record<string, (argv: readonly string[]) => string | undefined> = {
  BLPOP: (a) => a[a.length - 1], BRPOP: (a) => a[a.length - 1], BZPOPMIN: (a) => a[a.length - 1], BZPOPMAX: (a) => a[a.length - 1],
  BLMOVE: (a) => a[5], BRPOPLPUSH: (a) => a[3], BLMPOP: (a) => a[1], BZMPOP: (a) => a[1],
};

/** A command that may block (outside MULTI), by name and options. */
export function mayBlock(argv: readonly string[]): boolean {
  const name = argv[0]!.toUpperCase();
  if (name === 'XREAD' || name === 'XREADGROUP') return argv.some((x) => x.toUpperCase() === 'BLOCK');
  return name in BLOCKING_AT;
}

/**
 * A blocking command outside MULTI may wait: only short timeouts (and ones Redis rejects) run.
 * A timeout of 0 (forever), a long one or an unusual spelling of either is refused, so no step
 * can hang either side.
 */
export function blocksTooLong(argv: readonly string[]): boolean {
  const name = argv[0]!.toUpperCase();
  let secs: number;
  if (name === 'XREAD' || name === 'XREADGROUP') {
    const i = argv.findIndex((x) => x.toUpperCase() === 'BLOCK');
    if (i < 0 || i + 1 >= argv.length) return false;
    secs = Number(argv[i + 1]) / 1000;
  } else {
    const f = BLOCKING_AT[name];
    if (!f) return false;
    const t = f(argv);
    if (t === undefined) return false;
    secs = Number(t);
  }
  if (Number.isNaN(secs) || secs < 0) return false;
  return !(secs > 0 && secs <= 1);
}

/**
 * DEL/UNLINK over several slots: keyflare fans them out (README) where Redis Cluster answers
 * CROSSSLOT, so the two keyspaces would differ after it. Neither side runs it.
 */
function crossSlotFanOutWrite(argv: readonly string[]): boolean {
  const name = argv[0]!.toUpperCase();
  if ((name !== 'DEL' && name !== 'UNLINK') || argv.length < 3) return false;
  const slot = keySlot(argv[1]!);
  return argv.slice(2).some((k) => keySlot(k) !== slot);
}

const resetCmds = (proto: Proto): string[][] => [
  ['DISCARD'], ['UNWATCH'], ['FLUSHALL'], ['FUNCTION', 'FLUSH'], ['SCRIPT', 'FLUSH'], ['CONFIG', 'SET', ...DEFAULT_CONFIG], ['CLIENT', 'SETNAME', ''], ['HELLO', String(proto)],
];

async function reset(s: Side, proto: Proto): Promise<void> {
  for (const c of resetCmds(proto)) {
    const r = await s.send(c);
    if (c[0] !== 'DISCARD' && c[0] !== 'UNWATCH' && r.startsWith('-')) throw new Error(`${s.label}: reset ${c.join(' ')} failed: ${r}`);
  }
}

const sha1 = (s: string) => createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');

const texts = (n: Node) => (n.kids ? n.kids.map((k) => k.text) : n.ty === '_' ? [] : [n.text]);

/**
 * Run one sequence from an empty keyspace on both sides; stop at the first divergence.
 * `emulate`: B is keyflare, so field-TTL commands run emulated on A (7.0 has none).
 */
export async function runSequence(A: Side, B: Side, seq: Seq, emulate: boolean): Promise<Outcome> {
  await Promise.all([reset(A, seq.proto), reset(B, seq.proto)]);
  let inMulti = false;
  let queue: string[][] = [];
  let tainted = false;
  let pastExpiry = false;
  const dump = { a: '', b: '' };
  const sent: string[][] = [];
  const probe = async (argv: string[]) => parse(await A.send(argv));
  for (let i = 0; i < seq.steps.length; i++) {
    const argv = seq.steps[i]!;
    const name = argv[0]!.toUpperCase();
    const hfe = isHfe(argv);
    if (inMulti ? name === 'SPOP' || hfe : blocksTooLong(argv) || crossSlotFanOutWrite(argv)) continue;
    if (hfe && !emulate) continue;
    const argA = argv.map((x) => (x === DUMP_REF ? dump.a : x.startsWith(SHA_REF) ? sha1(x.slice(SHA_REF.length)) : x));
    const argB = argv.map((x, j) => (x === DUMP_REF ? dump.b : argA[j]!));
    sent.push(argA);
    if (!pastExpiry && argA.some((x) => /^(EXAT|PXAT|ABSTTL)$/i.test(x))) pastExpiry = true;
    if (TRACE) console.log(`step ${i}: ${JSON.stringify(argA).slice(0, 200)}`);
    let a: string;
    let b: string;
    let exp: Expectation | undefined;
    if (hfe) {
      tainted = true;
      const [e, rb] = await Promise.all([emulateHfe(argA, probe), B.send(argB)]);
      exp = e;
      b = rb;
      a = '';
    } else {
      // A blocking command here waits at most 1 s (blocksTooLong): Redis answers well within 2.
      [a, b] = await Promise.all([A.send(argA), B.send(argB, !inMulti && mayBlock(argv) ? 2000 : 5000)]);
    }
    const nb = parse(b);
    const wasMulti = inMulti;
    let why: string | null;
    let inner: string[] | undefined;
    let ra = a;
    let rb = b;
    if (exp) {
      why = exp.check(nb);
    } else {
      const na = parse(a);
      if (name === 'MULTI' && a === '+OK\r\n') {
        inMulti = true;
        queue = [];
      } else if (inMulti && a === '+QUEUED\r\n') queue.push(argA);
      else if (inMulti && (name === 'EXEC' || name === 'DISCARD')) inMulti = false;
      if (name === 'EXEC' && wasMulti && na.ty === '*' && nb.ty === '*' && na.kids!.length === queue.length && nb.kids!.length === queue.length) {
        why = null;
        for (let j = 0; j < queue.length && !why; j++) {
          why = await compareReply(queue[j]!, na.kids![j]!, nb.kids![j]!, { tainted, pastExpiry });
          if (why) {
            inner = queue[j];
            ra = na.kids![j]!.raw;
            rb = nb.kids![j]!.raw;
          }
        }
      } else {
        why = await compareReply(argA, na, nb, { probe: inMulti || wasMulti ? undefined : probe, tainted, pastExpiry });
      }
      if (!why && !wasMulti && name === 'SPOP' && !isErr(na)) {
        // Each side popped its own random members: give B back A's state.
        const pa = new Set(texts(na));
        const pb = new Set(texts(nb));
        const back = [...pb].filter((m) => !pa.has(m));
        const gone = [...pa].filter((m) => !pb.has(m));
        if (back.length) await B.send(['SADD', argv[1]!, ...back]);
        if (gone.length) await B.send(['SREM', argv[1]!, ...gone]);
      }
      if (!wasMulti && name === 'DUMP' && na.ty === '$' && nb.ty === '$') {
        dump.a = na.text;
        dump.b = nb.text;
      }
    }
    if (why) return { div: { index: i, argv: argA, a, b, why, inner, ra, rb, expected: exp?.expected }, sent, commands: sent.length };
  }
  return { div: null, sent, commands: sent.length };
}

const CONTAINERS = new Set(['OBJECT', 'XINFO', 'XGROUP', 'CLIENT', 'CONFIG', 'CLUSTER', 'COMMAND', 'PUBSUB', 'ACL', 'PFDEBUG']);

/** What a divergence is "about": the command (and subcommand) whose reply differs. */
export function signature(d: Divergence): string {
  const c = d.inner ?? d.argv;
  const name = c[0]!.toUpperCase();
  return CONTAINERS.has(name) && c.length > 1 ? `${name} ${c[1]!.toUpperCase()}` : name;
}

/** A reply's kind: its error code, nil, or its RESP type (what shrinking must keep). */
const kind = (r: string) => (r.startsWith('-') ? r.slice(0, r.search(/[ \r]/)) : r === '*-1\r\n' || r === '$-1\r\n' || r === '_\r\n' ? 'nil' : r[0] ?? '');

/** The signature plus the kinds of both replies: a shrunk divergence keeps all three. */
export function fingerprint(d: Divergence): string {
  return `${signature(d)} ${kind(d.ra)}/${kind(d.rb)}`;
}

/**
 * Shrink a divergent sequence: drop chunks of commands, then single arguments, then shorten
 * long arguments, while a divergence of the same fingerprint persists (delta debugging) and
 * `accept` (the caller's: not an already known cause) holds.
 */
export async function shrink(A: Side, B: Side, seq: Seq, div: Divergence, emulate: boolean, budgetMs: number, accept: (o: Outcome) => boolean = () => true): Promise<{ seq: Seq; out: Outcome; trials: number }> {
  const sig = fingerprint(div);
  const deadline = Date.now() + budgetMs;
  let cur: Seq = { proto: seq.proto, steps: seq.steps.slice(0, div.index + 1) };
  let best: Outcome | null = null;
  let trials = 0;
  const attempt = async (cand: Seq): Promise<boolean> => {
    if (Date.now() > deadline) return false;
    trials++;
    const o = await runSequence(A, B, cand, emulate);
    if (!o.div || fingerprint(o.div) !== sig || !accept(o)) return false;
    cur = { proto: cand.proto, steps: cand.steps.slice(0, o.div.index + 1) };
    best = o;
    return true;
  };
  for (let round = 0, changed = true; changed && round < 4 && Date.now() < deadline; round++) {
    changed = false;
    for (let n = Math.max(1, Math.floor(cur.steps.length / 2)); n >= 1; n = Math.floor(n / 2)) {
      for (let i = 0; i < cur.steps.length; ) {
        if (await attempt({ proto: cur.proto, steps: [...cur.steps.slice(0, i), ...cur.steps.slice(i + n)] })) changed = true;
        else i += n;
      }
      if (n === 1) break;
    }
    for (let j = 0; j < cur.steps.length; j++) {
      for (let p = cur.steps[j]!.length - 1; p >= 1; p--) {
        const st = cur.steps[j]!;
        if (p >= st.length) continue;
        const with_ = (args: string[]) => ({ proto: cur.proto, steps: cur.steps.map((s, k) => (k === j ? args : s)) });
        if (await attempt(with_([...st.slice(0, p), ...st.slice(p + 1)]))) {
          changed = true;
          continue;
        }
        const v = st[p]!;
        if (v.length > 8 && v !== DUMP_REF) {
          for (const short of [v.slice(0, 8), v.slice(0, Math.ceil(v.length / 2)), 'a']) {
            if (await attempt(with_([...st.slice(0, p), short, ...st.slice(p + 1)]))) {
              changed = true;
              break;
            }
          }
        }
      }
    }
  }
  if (cur.proto === 3) await attempt({ proto: 2, steps: cur.steps });
  const out = best ?? (await runSequence(A, B, cur, emulate));
  return { seq: cur, out, trials };
}

/** One argument as redis-cli reads it: bare when plain, else double-quoted with escapes. */
export function quoteArg(s: string): string {
  if (s.length && /^[A-Za-z0-9_.:{}\-+*#$>=~()[\]@!/,]+$/.test(s)) return s;
  let q = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"' || ch === '\\') q += `\\${ch}`;
    else if (ch === '\n') q += '\\n';
    else if (ch === '\r') q += '\\r';
    else if (ch === '\t') q += '\\t';
    else if (c < 0x20 || c >= 0x7f) q += `\\x${c.toString(16).padStart(2, '0')}`;
    else q += ch;
  }
  return `${q}"`;
}

const clip = (s: string, n = 600) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…(${s.length} bytes)` : s);

/** A copy-pasteable reproducer: the commands (redis-cli syntax) and both replies. */
export function formatRepro(title: string, proto: Proto, out: Outcome, labels: [string, string]): string {
  const d = out.div!;
  const lines = [`# ${title}`, `# RESP${proto}; start from an empty keyspace (FLUSHALL), one-node cluster`];
  if (proto === 3) lines.push('HELLO 3');
  for (const c of out.sent) lines.push(c.map(quoteArg).join(' ') + (isHfe(c) ? '   # 7.4 field TTLs: emulated on 7.0' : ''));
  if (d.inner) lines.push(`# the reply of queued ${d.inner.map(quoteArg).join(' ')} differs (${d.why})`);
  else lines.push(`# last reply differs (${d.why})`);
  if (d.expected !== undefined) lines.push(`# expected: ${d.expected}`);
  else lines.push(`# ${labels[0]}: ${clip(d.a)}`);
  lines.push(`# ${labels[1]}: ${clip(d.b)}`);
  return lines.join('\n');
}
