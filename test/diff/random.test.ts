// Seeded random differential test: generated command sequences (every family, wrong types and
// arities, bad numbers, binary and long values, RESP2/RESP3, MULTI) against real Redis 7.0.15 in
// one-node cluster mode and keyflare's in-process service; a divergence is shrunk to a minimal
// reproducer. KF_RANDOM_N (commands), KF_RANDOM_SEED, KF_RANDOM_CONTROL=1 (Redis against Redis),
// KF_RANDOM_FAMILY, KF_RANDOM_ONLY (one sequence), KF_RANDOM_SHRINK, KF_RANDOM_VERBOSE/TRACE.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';
import { genSequence } from '../helpers/random-gen.js';
import { fingerprint, formatRepro, KfSide, RedisSide, runSequence, shrink, signature, type Divergence, type Side } from '../helpers/random-run.js';

const N = Number(process.env.KF_RANDOM_N ?? 40000);
const SEED = Number(process.env.KF_RANDOM_SEED ?? 19);
const CONTROL = process.env.KF_RANDOM_CONTROL === '1';
/** KF_RANDOM_FAMILY=scripting,tx: only those generator families. */
const ONLY_FAMILIES = process.env.KF_RANDOM_FAMILY?.split(',');
/** Divergences shrunk per run (each new signature first); the rest are only counted. */
const SHRINK_MAX = Number(process.env.KF_RANDOM_SHRINK ?? 8);
const VERBOSE = process.env.KF_RANDOM_VERBOSE === '1';
/** Rerun one sequence of the run (its index, as a report prints it). */
const ONLY = process.env.KF_RANDOM_ONLY === undefined ? -1 : Number(process.env.KF_RANDOM_ONLY);

/** The command (or queued command) whose reply differs, upper case. */
const cmdOf = (d: Divergence) => (d.inner ?? d.argv)[0]!.toUpperCase();
const isE = (s: string, prefix = '-') => s.startsWith(prefix);
const LEX_CMD = /^(ZRANGEBYLEX|ZREVRANGEBYLEX|ZLEXCOUNT|ZREMRANGEBYLEX|ZRANGE|ZRANGESTORE)$/;

/**
 * TEMPORARY: divergences with an open cause, each a line of /work/wt/divergences.md (h19f is
 * fixing them in src/commands and src/engine). A sequence that hits one stops there and is not
 * counted as divergent. Drive this list to empty as the fixes land on main.
 */
const OPEN_CAUSES: Array<{ cause: string; match: (d: Divergence, sent: string[][]) => boolean }> = [
];

/**
 * Deliberate: limits of the platform, documented where they are set. LCS keeps its whole table
 * in memory; past 32M cells (src/commands/strings-ops.ts LCS_MAX_CELLS, 128 MB in an isolate of
 * 128 MB) keyflare refuses as Redis does when its allocation fails.
 */
const DELIBERATE: Array<{ cause: string; match: (d: Divergence) => boolean }> = [
  { cause: 'LCS past LCS_MAX_CELLS', match: (d) => cmdOf(d) === 'LCS' && d.rb === '-ERR Insufficient memory, failed allocating transient memory for LCS\r\n' && !isE(d.ra) },
];

/**
 * Not keyflare's to fix: Redis replies that depend on process state no command shows. SORT reads
 * strtod's errno without clearing it, so after any command whose float parse underflowed (a
 * denormal such as 5e-324) a numeric SORT fails until some other parse resets errno. A lex range
 * over a skiplist-encoded set whose members have different scores follows Redis's descent
 * through its random skiplist levels (two Redis servers answer differently too); such a set has
 * a member longer than zset-max-listpack-value or comes after a CONFIG SET of the thresholds.
 */
const REDIS_QUIRKS: Array<{ cause: string; match: (d: Divergence, sent: string[][]) => boolean }> = [
  { cause: 'lex range over a skiplist of members with different scores: Redis walks its random levels', match: (d, sent) => LEX_CMD.test(cmdOf(d)) && (!/^ZRANGE(STORE)?$/.test(cmdOf(d)) || (d.inner ?? d.argv).some((x) => x.toUpperCase() === 'BYLEX')) && sent.some((c) => (/^CONFIG$/i.test(c[0] ?? '') && /^zset-max-/i.test(c[2] ?? '')) || (/^Z/i.test(c[0] ?? '') && c.some((x) => x.length > 64))) },
  { cause: 'SORT after a denormal float parse: errno left at ERANGE', match: (d, sent) => /^SORT(_RO)?$/.test(cmdOf(d)) && d.ra === "-ERR One or more scores can't be converted into double\r\n" && !isE(d.rb) && sent.some((c) => c.some((x) => /e-3[0-9]{2}/i.test(x) || /[0-9]{20}/.test(x))) },
];

/** Sequence i's seed: a hash of the run seed and i, so one sequence can be rerun alone. */
const seqSeed = (i: number) => (Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;

let redis: RedisProc;
let redis2: RedisProc | undefined;
let A: Side;
let B: Side;

beforeAll(async () => {
  redis = await startRedis({ cluster: true });
  A = await RedisSide.connect('redis', redis.port);
  if (CONTROL) {
    redis2 = await startRedis({ cluster: true });
    B = await RedisSide.connect('redis#2', redis2.port);
  } else {
    B = new KfSide(new LocalBackend({ shards: 4, mode: 'cluster' })); // as the one-node Redis Cluster
  }
});

afterAll(async () => {
  A?.close();
  B?.close();
  await redis?.stop();
  await redis2?.stop();
});

it(`random sequences (${N} commands, seed ${SEED}${CONTROL ? ', Redis against Redis' : ''}): every reply as Redis's`, async () => {
  const started = Date.now();
  let commands = 0;
  let sequences = 0;
  const excused = new Map<string, number>();
  const bySig = new Map<string, number>();
  const firsts: string[] = [];
  const repros: string[] = [];
  const known = (d: Divergence, sent: string[][]) => {
    // Two Redis servers must agree on everything: the control run excludes nothing.
    if (CONTROL) return undefined;
    const open = OPEN_CAUSES.find((c) => c.match(d, sent));
    if (open) return `open cause (excluded): ${open.cause}`;
    const quirk = REDIS_QUIRKS.find((c) => c.match(d, sent));
    if (quirk) return `Redis quirk (excluded): ${quirk.cause}`;
    const limit = DELIBERATE.find((c) => c.match(d));
    return limit ? `deliberate (excluded): ${limit.cause}` : undefined;
  };
  for (let i = Math.max(ONLY, 0); ONLY >= 0 ? i === ONLY : commands < N; i++) {
    const seed = seqSeed(i);
    const seq = genSequence(seed, 20 + (seed % 60), { control: CONTROL, only: ONLY_FAMILIES });
    const out = await runSequence(A, B, seq, !CONTROL);
    commands += out.commands;
    sequences++;
    const d = out.div;
    if (!d) continue;
    const open = known(d, out.sent);
    if (open) {
      excused.set(open, (excused.get(open) ?? 0) + 1);
      continue;
    }
    const sig = fingerprint(d);
    const seen = bySig.get(sig) ?? 0;
    if (seen === 0) firsts.push(`${sig} [sequence ${i}]: ${JSON.stringify(d.inner ?? d.argv).slice(0, 200)} ${A.label} ${JSON.stringify(d.expected ?? d.ra).slice(0, 200)} ${B.label} ${JSON.stringify(d.rb).slice(0, 200)}`);
    if (VERBOSE && seen < 2) console.log(`[${i}] ${sig} (${d.why}): ${JSON.stringify(d.argv).slice(0, 300)}\n   ${A.label}: ${JSON.stringify(d.expected ?? d.a).slice(0, 300)}\n   ${B.label}: ${JSON.stringify(d.b).slice(0, 300)}`);
    bySig.set(sig, seen + 1);
    if (seen === 0 && repros.length < SHRINK_MAX) {
      const s = await shrink(A, B, seq, d, !CONTROL, 30_000, (o) => !known(o.div!, o.sent));
      const title = `divergence in ${signature(d)} (seed ${SEED}, sequence ${i}, sequence seed ${seed}; shrunk from ${d.index + 1} commands in ${s.trials} trials)`;
      repros.push(formatRepro(title, s.seq.proto, s.out, [A.label, B.label]));
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const summary = [`${commands} commands in ${sequences} sequences, ${secs} s`];
  for (const [c, n] of excused) summary.push(`  ${c}: ${n}`);
  for (const [s, n] of bySig) summary.push(`  DIVERGENT: ${s}: ${n} sequence(s)`);
  console.log(summary.join('\n'));
  expect([...repros, ...firsts].join('\n\n')).toBe('');
}, 3_600_000);
