// Issue 19's closing property: a seeded driver runs the engine (LocalBackend + Session, 4 shards)
// with large sizes — hashes, sets, sorted sets, lists and streams of 100k–300k elements, field
// TTLs on 100k+ fields, pipelines and transactions of 100k–300k commands, KEYS/MGET/DEL over as
// many keys, values of 30–40 MB — and asserts that no reply is an error (internal, CLUSTERDOWN or
// any other: every command it sends is valid, so an error would be a write reported as failed,
// or a read that broke), that every reply has its wire form, and that each shard's memory equals
// what recovery rebuilds: the effects it logged replayed into a fresh shard, and a second shard
// host recovered from its storage (a SAVE mid-run put an RDB base there; the log rows after it)
// with nothing skipped.
// CI size: one run of every operation in a seeded order (about 35 s of CPU); KF_LARGE_RUNS=n for n
// runs with seeds KF_LARGE_SEED, +1, … (default 1919); KF_LARGE_VERBOSE=1 prints each phase's time.
// Defects it found: stream PELs keyed by BigInt IDs (one hash chain), a splice per XACKed ID, a
// node decode per XCLAIM on replay, and entries-read lost on replay (Redis 7.0 too, fixed in 7.2).
import { describe, expect, it } from 'vitest';
import type { Timers } from '../../src/engine/blocking.js';
import { ManualClock, Rng } from '../../src/engine/clock.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import type { Frame } from '../../src/protocol/frame.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { ShardHost } from '../../src/shard/host.js';
import { Shard } from '../../src/shard/shard.js';
import { digest, digestDiff } from '../helpers/state-digest.js';

const RUNS = Number(process.env.KF_LARGE_RUNS ?? 1);
const SEED = Number(process.env.KF_LARGE_SEED ?? 1919);
const SHARDS = 4;

type Arr = { t: 'arr' | 'set' | 'map'; v: Frame[] };
const len = (f: Frame): number => (f as Arr).v.length;
const num = (f: Frame): number => Number((f as { v: number }).v);

/** One run's connection, randomness, and the checks every reply goes through. */
class Driver {
  replies = 0;
  constructor(
    readonly b: LocalBackend,
    readonly s: Session,
    readonly proto: Proto,
    readonly rng: Rng,
  ) {}

  int(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }

  /** Send a pipeline; every reply must be a non-error with a wire form. */
  async run(cmds: string[][]): Promise<Frame[]> {
    const replies = await this.s.run(cmds);
    expect(replies.length).toBe(cmds.length);
    const bad: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const r = replies[i]!;
      errorsIn(r, cmds[i]!, bad);
      encodeStr(r, this.proto);
    }
    this.replies += replies.length;
    expect(bad.slice(0, 5)).toEqual([]);
    return replies;
  }

  async one(argv: string[]): Promise<Frame> {
    return (await this.run([argv]))[0]!;
  }

  /** Until no shard is rewriting (auto-aof-rewrite starts rewrites of its own, in slices). */
  async settle(): Promise<void> {
    for (;;) {
      const info = await this.one(['INFO', 'persistence']);
      if ((info as { v: string }).v.includes('aof_rewrite_in_progress:0')) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Error replies, also inside an EXEC's array. */
function errorsIn(f: Frame, argv: string[], out: string[]): void {
  if (f.t === 'err') out.push(`${argv.slice(0, 3).join(' ').slice(0, 60)} → ${f.v}`);
  else if (argv[0] === 'EXEC' && f.t === 'arr') for (const x of f.v) if (x.t === 'err') out.push(`EXEC item → ${x.v}`);
}

/** argv = head followed by n generated words (no spread: n may be 300k). */
function words(head: string[], n: number, f: (i: number) => string | [string, string]): string[] {
  const out = head.slice();
  for (let i = 0; i < n; i++) {
    const w = f(i);
    if (typeof w === 'string') out.push(w);
    else out.push(w[0], w[1]);
  }
  return out;
}

/** A byte string of n bytes, random but cheap: a random 64 KiB block varied per repetition. */
function bigValue(rng: Rng, n: number): string {
  const block: string[] = [];
  for (let i = 0; i < 65536; i++) block.push(String.fromCharCode(rng.int(256)));
  const b = block.join('');
  const parts: string[] = [];
  for (let o = 0, k = 0; o < n; o += 65536, k++) parts.push(String.fromCharCode(k & 255, (k >> 8) & 255) + b.slice(2, Math.min(65536, n - o)));
  return parts.join('').slice(0, n);
}

type Op = (d: Driver, tag: string) => Promise<void>;

const OPS: Record<string, Op> = {
  async hash(d, tag) {
    const k = `{${tag}}h`;
    const n = d.int(100_000, 300_000);
    const cmds: string[][] = [];
    for (let i = 0; i < n; i += 1000) cmds.push(words(['HSET', k], Math.min(1000, n - i), (j) => [`f${i + j}`, `v${(i + j) * 7}`]));
    expect((await d.run(cmds)).reduce((a, r) => a + num(r), 0)).toBe(n);
    // Field TTLs on most of them: more deadlines than a call has arguments.
    const withTtl = d.int(Math.min(n, 130_000), n);
    const ttl: string[][] = [];
    for (let i = 0; i < withTtl; i += 1000) {
      const m = Math.min(1000, withTtl - i);
      ttl.push(words(['HEXPIRE', k, String(d.int(50_000, 100_000)), 'FIELDS', String(m)], m, (j) => `f${i + j}`));
    }
    await d.run(ttl);
    const [hlen, all, rnd] = await d.run([['HLEN', k], ['HGETALL', k], ['HRANDFIELD', k, String(-d.int(100_000, 300_000)), 'WITHVALUES']]);
    expect(num(hlen!)).toBe(n);
    expect(len(all!)).toBe(2 * n); // a RESP3 map's frames are flat too
    expect(len(rnd!)).toBeGreaterThanOrEqual(200_000);
    const gone = d.int(1, n - 1);
    expect(num(await d.one(words(['HDEL', k], gone, (j) => `f${n - 1 - j}`)))).toBe(gone);
    // DUMP → RESTORE of the hash with its 100k+ field deadlines.
    const dump = await d.one(['DUMP', k]);
    await d.run([['RESTORE', `{${tag}}h2`, '0', (dump as { v: string }).v]]);
    expect(await d.run([['HLEN', `{${tag}}h2`]])).toEqual([{ t: 'int', v: n - gone }]);
  },

  async set(d, tag) {
    const k = `{${tag}}s`;
    const n = d.int(100_000, 300_000);
    expect(num(await d.one(words(['SADD', k], n, (i) => (i % 3 ? `m${i}` : String(i)))))).toBe(n);
    const count = d.int(Math.floor(n / 2), n - 1);
    const pop = await d.one(['SPOP', k, String(count)]);
    expect(len(pop)).toBe(count);
    const [card, members, rnd] = await d.run([['SCARD', k], ['SMEMBERS', k], ['SRANDMEMBER', k, String(-d.int(100_000, 300_000))]]);
    expect(num(card!)).toBe(n - count);
    expect(len(members!)).toBe(n - count);
    expect(len(rnd!)).toBeGreaterThanOrEqual(100_000);
    await d.run([words(['SADD', `{${tag}}s2`], n, (i) => `m${i}`)]);
    const [inter, union] = await d.run([['SINTERSTORE', `{${tag}}si`, k, `{${tag}}s2`], ['SUNION', k, `{${tag}}s2`]]);
    expect(num(inter!)).toBeLessThanOrEqual(n - count);
    expect(len(union!)).toBeGreaterThanOrEqual(n - Math.ceil(n / 3));
  },

  async zset(d, tag) {
    const k = `{${tag}}z`;
    const n = d.int(100_000, 300_000);
    const cmds: string[][] = [];
    for (let i = 0; i < n; i += 10_000) cmds.push(words(['ZADD', k], Math.min(10_000, n - i), (j) => [String((i + j) / 8 - 1000), `z${i + j}`]));
    await d.run(cmds);
    const [card, range] = await d.run([['ZCARD', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES']]);
    expect(num(card!)).toBe(n);
    expect(len(range!)).toBe(d.proto === 3 ? n : 2 * n);
    const cut = d.int(1, Math.floor(n / 3));
    const popn = d.int(1, Math.floor(n / 3));
    const [rem, popped, store] = await d.run([
      ['ZREMRANGEBYRANK', k, '0', String(cut - 1)], ['ZPOPMAX', k, String(popn)], ['ZRANGESTORE', `{${tag}}z2`, k, '0', '-1'],
    ]);
    expect(num(rem!)).toBe(cut);
    expect(len(popped!)).toBe(d.proto === 3 ? popn : 2 * popn);
    expect(num(store!)).toBe(n - cut - popn);
    expect(num(await d.one(['ZUNIONSTORE', `{${tag}}z3`, '2', k, `{${tag}}z2`, 'AGGREGATE', 'SUM']))).toBe(n - cut - popn);
  },

  async list(d, tag) {
    const k = `{${tag}}l`;
    const n = d.int(100_000, 300_000);
    expect(num(await d.one(words(['RPUSH', k], n, (i) => `e${i % 5000}`)))).toBe(n);
    const pop = d.int(1, Math.floor(n / 4));
    const [popped, range, pos] = await d.run([['LPOP', k, String(pop)], ['LRANGE', k, '0', '-1'], ['LPOS', k, 'e7', 'COUNT', '0']]);
    expect(len(popped!)).toBe(pop);
    expect(len(range!)).toBe(n - pop);
    expect(len(pos!)).toBeGreaterThan(0);
    const [ins, rem, , llen] = await d.run([
      ['LINSERT', k, 'BEFORE', 'e4999', 'inserted'], ['LREM', k, '0', 'e1'], ['LTRIM', k, '10', '-10'], ['LLEN', k],
    ]);
    expect(num(ins!)).toBe(n - pop + 1);
    expect(num(llen!)).toBe(n - pop + 1 - num(rem!) - 19);
  },

  async stream(d, tag) {
    const k = `{${tag}}x`;
    const n = d.int(100_000, 200_000);
    const cmds: string[][] = [];
    for (let i = 0; i < n; i++) cmds.push(['XADD', k, `${i + 1}-1`, 'f', `v${i}`, 'g', String(i)]);
    await d.run(cmds);
    await d.run([['XGROUP', 'CREATE', k, 'g1', '0']]);
    const read = await d.one(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', String(n), 'STREAMS', k, '>']);
    expect(read.t === 'arr' || read.t === 'map').toBe(true);
    const ack = d.int(1, n);
    expect(num(await d.one(words(['XACK', k, 'g1'], ack, (i) => `${i + 1}-1`)))).toBe(ack);
    const [xlen, range, del] = await d.run([['XLEN', k], ['XRANGE', k, '-', '+'], ['XDEL', k, '1-1', `${n}-1`]]);
    expect(num(xlen!)).toBe(n);
    expect(len(range!)).toBe(n);
    expect(num(del!)).toBe(2);
    await d.run([['XTRIM', k, 'MAXLEN', '=', String(Math.floor(n / 2))]]);
    expect(num(await d.one(['XLEN', k]))).toBe(Math.floor(n / 2));
  },

  /** A pipeline of 100k–300k commands to one shard, then to all shards; reads and deletes of as many keys. */
  async pipeline(d, tag) {
    const n = d.int(100_000, 300_000);
    const one: string[][] = [];
    for (let i = 0; i < n; i++) one.push(i % 4 === 3 ? ['INCR', `{${tag}}c`] : ['SET', `{${tag}}k${i}`, `v${i}`]);
    const r1 = await d.run(one);
    expect(r1[n - 1]).toEqual(n % 4 === 0 ? { t: 'int', v: n / 4 } : r1[n - 1]);
    const spread: string[][] = [];
    for (let i = 0; i < n; i++) spread.push(['SET', `${tag}:k${i}`, String(i)]);
    await d.run(spread);
    const keys = words(['MGET'], n, (i) => `${tag}:k${i}`);
    const got = await d.one(keys);
    expect(len(got)).toBe(n);
    expect((got as Arr).v[n - 1]).toEqual({ t: 'bulk', v: String(n - 1) });
    const half = Math.floor(n / 2);
    expect(num(await d.one(words(['DEL'], half, (i) => `${tag}:k${i}`)))).toBe(half);
    expect(num(await d.one(words(['EXISTS'], n, (i) => `${tag}:k${i}`)))).toBe(n - half);
  },

  /** KEYS * and a full SCAN over every key the run holds (more than 100k per shard by now, often). */
  async keys(d) {
    const [size] = await d.run([['DBSIZE']]);
    const [all] = await d.run([['KEYS', '*']]);
    expect(len(all!)).toBe(num(size!));
    let cursor = '0';
    let seen = 0;
    do {
      const r = (await d.one(['SCAN', cursor, 'COUNT', '50000'])) as Arr;
      cursor = (r.v[0] as { v: string }).v;
      seen += len(r.v[1]!);
    } while (cursor !== '0');
    expect(seen).toBeGreaterThanOrEqual(num(size!));
  },

  /** A value of 30–40 MB: written, grown, overwritten in place, read whole, dumped and restored. */
  async value(d, tag) {
    const k = `{${tag}}v`;
    const n = d.int(30_000_000, 35_000_000);
    const v = bigValue(d.rng, n);
    await d.run([['SET', k, v]]);
    const tail = bigValue(d.rng, d.int(1_000_000, 5_000_000));
    const [app, strlen] = await d.run([['APPEND', k, tail], ['STRLEN', k]]);
    expect(num(app!)).toBe(n + tail.length);
    expect(num(strlen!)).toBe(n + tail.length);
    const at = d.int(0, n);
    await d.run([['SETRANGE', k, String(at), 'patched']]);
    const [whole, part] = await d.run([['GET', k], ['GETRANGE', k, String(at), String(at + 6)]]);
    expect((whole as { v: string }).v.length).toBe(n + tail.length);
    expect(part).toEqual({ t: 'bulk', v: 'patched' });
    const dump = await d.one(['DUMP', k]);
    await d.run([['RESTORE', `{${tag}}v2`, '0', (dump as { v: string }).v], ['HSET', `{${tag}}hv`, 'big', v, 'small', 'x']]);
    expect(num(await d.one(['STRLEN', `{${tag}}v2`]))).toBe(n + tail.length);
  },

  /** MULTI/EXEC and the REST transaction path with 100k–300k commands. */
  async transaction(d, tag) {
    const n = d.int(100_000, 300_000);
    const body: string[][] = [];
    for (let i = 0; i < n; i++) body.push(i % 2 ? ['INCR', `{${tag}}t`] : ['RPUSH', `{${tag}}tl`, String(i)]);
    const replies = await d.run([['MULTI'], ...body, ['EXEC']]);
    const exec = replies[replies.length - 1]!;
    expect(len(exec)).toBe(n);
    const rest = await d.s.transaction(body);
    expect(Array.isArray(rest)).toBe(true);
    const list = rest as Frame[];
    expect(list.length).toBe(n);
    for (const r of list) expect(r.t).not.toBe('err');
    expect(num(await d.one(['GET', `{${tag}}t`]))).toBe(2 * Math.floor(n / 2));
  },
};

const timers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as never) };

async function oneRun(seed: number): Promise<{ replies: number; ops: string[] }> {
  const rng = new Rng(seed);
  const clock = new ManualClock();
  const b = new LocalBackend(SHARDS, clock);
  // One shard here may hold more than a DO isolate's safety budget (100 MB estimated), where it
  // would answer OOM to writes (tested in evict.test.ts); this test is about sizes, not budgets.
  for (const sh of b.shards) sh.evictor.safety = Infinity;
  const s = b.session();
  const proto: Proto = rng.int(2) ? 3 : 2;
  if (proto === 3) await s.run([['HELLO', '3']]);
  const d = new Driver(b, s, proto, rng);
  // Every operation once, in a seeded order; a base image of every shard after a seeded one.
  const names = Object.keys(OPS);
  for (let i = names.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const saveAfter = rng.int(names.length - 1);
  for (let i = 0; i < names.length; i++) {
    const t0 = performance.now();
    await OPS[names[i]!]!(d, `${names[i]}${seed}`);
    if (process.env.KF_LARGE_VERBOSE) console.log(`${names[i]}: ${Math.round(performance.now() - t0)} ms`);
    if (i === saveAfter) {
      const t1 = performance.now();
      // An automatic rewrite (auto-aof-rewrite: the log passed 64 MB) may start after any batch;
      // SAVE during one answers Redis's "Background save already in progress": wait and retry.
      for (let tries = 0; ; tries++) {
        await d.settle();
        const [r] = await s.run([['SAVE']]);
        if (r!.t === 'simple' && r!.v === 'OK') break;
        expect(r).toEqual({ t: 'err', v: 'ERR Background save already in progress' });
        expect(tries).toBeLessThan(20);
      }
      if (process.env.KF_LARGE_VERBOSE) console.log(`SAVE: ${Math.round(performance.now() - t1)} ms`);
    }
  }
  // Memory equals what recovery rebuilds, shard by shard, both ways.
  await d.settle();
  const lap = (label: string, t0: number) => {
    if (process.env.KF_LARGE_VERBOSE) console.log(`${label}: ${Math.round(performance.now() - t0)} ms`);
    return performance.now();
  };
  for (let i = 0; i < SHARDS; i++) {
    let t = performance.now();
    const live = digest(b.shards[i]!);
    t = lap(`shard ${i} digest`, t);
    const replayed = new Shard(b.shards[i]!.info, clock, 1000 + i);
    replayed.replay(b.logs[i]!);
    t = lap(`shard ${i} replay of ${b.logs[i]!.length} records`, t);
    expect(digestDiff(live, digest(replayed))).toEqual([]);
    t = lap(`shard ${i} digest`, t);
    // A second host over the same storage: what a restarted shard object would load.
    const port = b.ports[i]!;
    expect(port.base.size).toBe(1);
    const again = ShardHost.open(null, { port, clock, timers, randomBytes: (n) => new Uint8Array(n), codec: RDB_SNAPSHOT })!;
    t = lap(`shard ${i} recovery from storage`, t);
    const rep = again.loadReport;
    expect({ skippedKeys: rep.skippedKeys, skippedRecords: rep.skippedRecords, truncated: rep.truncatedBytes, error: rep.lastError }).toEqual({ skippedKeys: 0, skippedRecords: 0, truncated: 0, error: '' });
    expect(digestDiff(live, digest(again.shard))).toEqual([]);
    again.close();
  }
  return { replies: d.replies, ops: names };
}

describe(`large sizes (${RUNS} run${RUNS > 1 ? 's' : ''}, seed ${SEED})`, () => {
  for (let r = 0; r < RUNS; r++) {
    it(`run ${r} (seed ${SEED + r}): no error reply, memory equals what recovery rebuilds`, async () => {
      const { replies } = await oneRun(SEED + r);
      expect(replies).toBeGreaterThan(500_000);
    }, 600_000);
  }
});
