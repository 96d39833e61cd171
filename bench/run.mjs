// `npm run bench [-- engine|resp|rest|memory|coldstart|scale ...]`: starts what each part needs,
// measures keyflare next to native Redis and the platform's floor in the same run, stops what it
// started, prints one table and writes bench/results/results.md and results.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { memCases } from './memcases.mjs';
import { abResp, abRest, abTable } from './ab.mjs';
import { WORK, dropFrozen, frozenRoot, httpLoad, loadResp, localToken, median, redisBenchmark, respCall, root, startBridge, startRedis, startServe, startWrangler, stopAll } from './lib.mjs';

const PARTS = ['engine', 'resp', 'rest', 'memory', 'coldstart', 'scale', 'durability', 'xshard', 'scripting'];
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const cfg = {
  rounds: env('BENCH_ROUNDS', 1),
  engineMs: env('BENCH_ENGINE_MS', 600),
  respTests: process.env.BENCH_RESP_TESTS ?? 'set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100,mset',
  respN1: env('BENCH_RESP_N1', 10_000),
  respN16: env('BENCH_RESP_N16', 100_000),
  restConcurrency: env('BENCH_REST_CONCURRENCY', 32),
  restMs: env('BENCH_REST_MS', 3000),
  memStrings: env('BENCH_MEM_STRINGS', 1_000_000),
  memSmall: env('BENCH_MEM_SMALL', 100_000),
  coldKeys: env('BENCH_COLD_KEYS', 200_000),
  scaleN: env('BENCH_SCALE_N', 100_000),
  xshardN: env('BENCH_XSHARD_N', 10_000),
  wrangler: process.env.BENCH_WRANGLER !== '0',
};

const args = process.argv.slice(2);
const bad = args.filter((a) => !PARTS.includes(a));
if (bad.length) {
  console.error(`unknown part(s): ${bad.join(', ')}; parts: ${PARTS.join(', ')}`);
  process.exit(1);
}
const want = args.length ? args : PARTS;

const log = (...a) => console.error('[bench]', ...a);
const rows = [];
/** One table for every part: keyflare's figure, native Redis's, the floor's, and the ratios. */
const row = (part, measure, kf, redis, floor, unit) =>
  rows.push({ part, measure, unit, keyflare: kf, redis: redis ?? null, floor: floor ?? null, vsRedis: ratio(kf, redis), vsFloor: ratio(kf, floor) });
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b ? +(a / b).toFixed(2) : null);
const results = { meta: {}, config: cfg, parts: {} };

for (const tool of ['redis-server', 'redis-cli', 'redis-benchmark']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.error(`${tool} is missing: install Debian's redis tools (sudo apt-get install redis-server redis-tools)`);
    process.exit(1);
  }
}
results.meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  redis: /v=([\d.]+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1],
  parts: want,
};

/** bench/engine.ts bundled with esbuild, run in a child Node with --expose-gc. */
function engineChild(...argv) {
  const out = join(mkdtempSync(join(tmpdir(), 'kf-bench-eng-')), 'engine.mjs');
  // CommonJS dependencies (fengari) require Node built-ins: an ESM bundle needs a real `require`.
  const banner = "--banner:js=import { createRequire as __kfCreateRequire } from 'node:module'; const require = __kfCreateRequire(import.meta.url);";
  const b = spawnSync(join(root, 'node_modules', '.bin', 'esbuild'), [join(frozenRoot(), 'bench', 'engine.ts'), '--bundle', '--platform=node', '--format=esm', banner, `--outfile=${out}`, '--log-level=warning'], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`esbuild: ${b.stderr}`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', out, ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_ENGINE_MS: String(cfg.engineMs) } });
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.on('close', (code) => {
      rmSync(join(out, '..'), { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`engine bench exited ${code}`));
      resolve(JSON.parse(s));
    });
  });
}

async function partEngine() {
  const runs = [];
  for (let r = 0; r < cfg.rounds; r++) runs.push(await engineChild('ops'));
  const ops = Object.fromEntries(runs[0].map((x) => [x.name, median(runs.map((run) => run.find((y) => y.name === x.name)?.opsPerSec))]));
  results.parts.engine = ops;
  for (const [name, v] of Object.entries(ops)) {
    if (name.startsWith('floor')) continue;
    const floor = name === 'GET' ? ops['floor Map.get'] : name === 'SET' ? ops['floor Map.set'] : null;
    row('engine', `${name} ops/s`, v, null, floor, 'ops/s');
  }
}

const bridgeTo = async (port, path) => (await startBridge(`ws://127.0.0.1:${port}${path}`, await localToken())).port;

async function partResp() {
  const redis = await startRedis();
  const kf = await startServe();
  const targets = { a: redis.port, b: await bridgeTo(kf.port, '/resp'), c: await bridgeTo(kf.port, '/bench/resp-echo') };
  const raw = { P1: { a: [], b: [], c: [] }, P16: { a: [], b: [], c: [] } };
  for (let r = 0; r < cfg.rounds; r++) {
    for (const P of [1, 16]) {
      // Interleaved a b c, so a noisy neighbour hits all three alike.
      for (const t of ['a', 'b', 'c']) {
        log(`resp round ${r + 1}/${cfg.rounds} -P ${P} target ${t}`);
        raw[`P${P}`][t].push(await redisBenchmark(targets[t], { tests: cfg.respTests, pipeline: P, requests: P === 1 ? cfg.respN1 : cfg.respN16 }));
      }
    }
  }
  const med = (runs, test) => median(runs.map((x) => x[test]));
  const out = {};
  for (const P of ['P1', 'P16']) {
    const tests = Object.keys(raw[P].a[0] ?? {});
    out[P] = {};
    for (const test of tests) {
      const [a, b, c] = ['a', 'b', 'c'].map((t) => med(raw[P][t], test));
      out[P][test] = { redis: a, keyflare: b, echo: c };
      row('resp', `${test} -P ${P.slice(1)}`, b, a, c, 'ops/s');
    }
  }
  await stopAll();
  if (cfg.wrangler) {
    // Secondary: the same Worker under `wrangler dev` (its local proxy in front), SET/GET only.
    log('resp: wrangler dev');
    const wd = await startWrangler({ KEYFLARE_BENCH: '1' });
    const wb = await bridgeTo(wd.port, '/resp');
    const wc = await bridgeTo(wd.port, '/bench/resp-echo');
    out.wrangler = {};
    for (const P of [1, 16]) {
      const b = await redisBenchmark(wb, { tests: 'set,get', pipeline: P, requests: P === 1 ? cfg.respN1 : cfg.respN16 });
      const c = await redisBenchmark(wc, { tests: 'set,get', pipeline: P, requests: P === 1 ? cfg.respN1 : cfg.respN16 });
      for (const test of ['SET', 'GET']) {
        out.wrangler[`${test} -P ${P}`] = { keyflare: b[test], echo: c[test] };
        row('resp', `${test} -P ${P} (wrangler dev)`, b[test], out[`P${P}`][test]?.redis, c[test], 'ops/s');
      }
    }
    await stopAll();
  }
  results.parts.resp = out;
}

async function partRest() {
  const token = await localToken();
  const auth = { authorization: `Bearer ${token}` };
  const pipeBody = JSON.stringify(Array.from({ length: 100 }, (_, i) => (i % 2 ? ['GET', `rest:p:${i}`] : ['SET', `rest:p:${i}`, 'xxx'])));
  let i = 0;
  const loads = {
    empty: () => ({ path: '/bench/empty', headers: auth }),
    GET: () => ({ path: '/get/rest:k', headers: auth }),
    SET: () => ({ method: 'POST', path: '/', headers: auth, body: JSON.stringify(['SET', `rest:k:${i++ % 1000}`, 'xxx']) }),
    'pipeline 100': () => ({ method: 'POST', path: '/pipeline', headers: auth, body: pipeBody }),
  };
  const opts = { concurrency: cfg.restConcurrency, ms: cfg.restMs };
  const run = async (port, names) => {
    const raw = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < cfg.rounds; r++) {
      for (const n of names) {
        log(`rest round ${r + 1}/${cfg.rounds} ${n}`);
        raw[n].push(await httpLoad(port, loads[n], opts));
      }
    }
    return Object.fromEntries(names.map((n) => [n, { rps: median(raw[n].map((x) => x.rps)), p50: median(raw[n].map((x) => x.p50)), p99: median(raw[n].map((x) => x.p99)), errors: raw[n].reduce((s, x) => s + x.errors, 0) }]));
  };
  const kf = await startServe();
  await fetch(`http://127.0.0.1:${kf.port}/set/rest:k/xxx`, { headers: auth });
  const out = { serve: await run(kf.port, Object.keys(loads)) };
  await stopAll();
  const e = out.serve.empty;
  row('rest', `empty route req/s (p50 ${e.p50} / p99 ${e.p99} ms)`, e.rps, null, null, 'req/s');
  for (const n of ['GET', 'SET']) {
    const x = out.serve[n];
    row('rest', `${n} req/s (p50 ${x.p50} / p99 ${x.p99} ms${x.errors ? `, ${x.errors} errors` : ''})`, x.rps, null, e.rps, 'req/s');
  }
  const p = out.serve['pipeline 100'];
  row('rest', `pipeline 100 commands/s (${p.rps} req/s, p50 ${p.p50} / p99 ${p.p99} ms)`, p.rps * 100, null, e.rps, 'cmds/s');
  if (cfg.wrangler) {
    log('rest: wrangler dev');
    const wd = await startWrangler({ KEYFLARE_BENCH: '1' });
    await fetch(`http://127.0.0.1:${wd.port}/set/rest:k/xxx`, { headers: auth });
    out.wrangler = await run(wd.port, ['empty', 'GET']);
    await stopAll();
    const we = out.wrangler.empty;
    const wg = out.wrangler.GET;
    row('rest', `GET req/s, wrangler dev (p50 ${wg.p50} / p99 ${wg.p99} ms; empty ${we.rps} req/s)`, wg.rps, null, we.rps, 'req/s');
  }
  results.parts.rest = out;
}

async function redisUsed(port) {
  return Number(/used_memory:(\d+)/.exec(await respCall(port, ['INFO', 'memory']))[1]);
}

async function partMemory() {
  const eng = await engineChild('memory', String(cfg.memStrings), String(cfg.memSmall));
  const redis = await startRedis();
  const out = [];
  for (const c of memCases({ strings: cfg.memStrings, small: cfg.memSmall })) {
    log(`memory: redis ${c.name}`);
    await respCall(redis.port, ['FLUSHALL']);
    const before = await redisUsed(redis.port);
    await loadResp(redis.port, c.commands());
    const after = await redisUsed(redis.port);
    const dbsize = Number(/:(\d+)/.exec(await respCall(redis.port, ['DBSIZE']))[1]);
    if (dbsize !== c.keys) throw new Error(`redis holds ${dbsize} keys, expected ${c.keys}`);
    const e = eng.find((x) => x.name === c.name);
    const r = { name: c.name, keyflare: e.engineBytesPerKey, redis: Math.round((after - before) / c.keys), map: e.mapBytesPerKey ?? null };
    out.push(r);
    row('memory', `${c.name}, bytes/key`, r.keyflare, r.redis, r.map, 'B/key');
  }
  await stopAll();
  results.parts.memory = out;
}

async function partColdstart() {
  const token = await localToken();
  const auth = { authorization: `Bearer ${token}` };
  const dir = mkdtempSync(join(tmpdir(), 'kf-bench-cold-'));
  try {
    // One shard, so one Durable Object holds every key.
    let kf = await startServe({ shards: 1, persistTo: dir });
    const bridge = await bridgeTo(kf.port, '/resp');
    const n = cfg.coldKeys;
    function* sets() {
      for (let i = 0; i < n; i++) yield ['SET', `key:${String(i).padStart(12, '0')}`, `v${String(i).padStart(31, '0')}`];
    }
    log(`coldstart: writing ${n} keys`);
    let t = performance.now();
    await loadResp(bridge, sets(), 1000);
    const writeS = (performance.now() - t) / 1000;
    await stopAll();
    log('coldstart: restarting');
    t = performance.now();
    kf = await startServe({ shards: 1, persistTo: dir });
    const startMs = performance.now() - t;
    const get = async () => {
      const t0 = performance.now();
      const r = await (await fetch(`http://127.0.0.1:${kf.port}/get/key:000000000007`, { headers: auth })).json();
      if (r.result !== `v${'7'.padStart(31, '0')}`) throw new Error(`cold GET returned ${JSON.stringify(r)}`);
      return performance.now() - t0;
    };
    const firstMs = await get();
    const warm = [];
    for (let i = 0; i < 20; i++) warm.push(await get());
    const warmMs = median(warm);
    const dbsize = (await (await fetch(`http://127.0.0.1:${kf.port}/dbsize`, { headers: auth })).json()).result;
    await stopAll();
    if (dbsize !== n) throw new Error(`after restart the shard holds ${dbsize} keys, expected ${n}`);
    const out = { keys: n, writeOpsPerSec: Math.round(n / writeS), serverStartMs: Math.round(startMs), firstGetMs: Math.round(firstMs), warmGetMs: +warmMs.toFixed(2) };
    results.parts.coldstart = out;
    row('coldstart', `first GET after restart, shard of ${n / 1000}k keys (ms; server start ${out.serverStartMs} ms)`, out.firstGetMs, null, out.warmGetMs, 'ms');
    row('coldstart', `loading those keys: durable SETs/s, 1 connection, 1000 in flight`, out.writeOpsPerSec, null, null, 'ops/s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function partScale() {
  const load = { tests: 'set', pipeline: 16, requests: cfg.scaleN, random: 1_000_000 };
  const redis = await startRedis();
  const native = [];
  const out = {};
  for (let r = 0; r < cfg.rounds; r++) native.push((await redisBenchmark(redis.port, load)).SET);
  await stopAll();
  for (const shards of [1, 2, 4, 8]) {
    log(`scale: ${shards} shard(s)`);
    const kf = await startServe({ shards });
    const port = await bridgeTo(kf.port, '/resp');
    const runs = [];
    for (let r = 0; r < cfg.rounds; r++) runs.push((await redisBenchmark(port, load)).SET);
    await stopAll();
    out[shards] = median(runs);
  }
  const a = median(native);
  results.parts.scale = { redis: a, keyflare: out };
  for (const [s, v] of Object.entries(out)) row('scale', `SET -P 16 -r 1M, ${s} shard${s === '1' ? '' : 's'}`, v, a, out[1], 'ops/s');
}

/**
 * Durable write throughput per appendfsync policy, against the same load with persistence off
 * (appendonly no): redis-benchmark SET, 50 clients, -P 1 and -P 16, one shard's worth of keys
 * spread over all shards. Modes interleaved per round.
 */
async function partDurability() {
  const kf = await startServe();
  const port = await bridgeTo(kf.port, '/resp');
  const modes = [
    ['off', ['CONFIG', 'SET', 'appendonly', 'no']],
    ['always', ['CONFIG', 'SET', 'appendonly', 'yes', 'appendfsync', 'always']],
    ['everysec', ['CONFIG', 'SET', 'appendonly', 'yes', 'appendfsync', 'everysec']],
    ['no', ['CONFIG', 'SET', 'appendonly', 'yes', 'appendfsync', 'no']],
  ];
  const raw = {};
  for (let r = 0; r < cfg.rounds; r++) {
    for (const P of [1, 16]) {
      for (const [mode, cmd] of modes) {
        log(`durability round ${r + 1}/${cfg.rounds} -P ${P} ${mode}`);
        await respCall(port, cmd);
        const k = `${mode} -P ${P}`;
        (raw[k] ??= []).push((await redisBenchmark(port, { tests: 'set', pipeline: P, requests: P === 1 ? cfg.respN1 : cfg.respN16, random: 100_000 })).SET);
      }
    }
  }
  await respCall(port, ['CONFIG', 'SET', 'appendonly', 'yes', 'appendfsync', 'always']);
  await stopAll();
  const out = {};
  for (const [k, v] of Object.entries(raw)) out[k] = median(v);
  results.parts.durability = out;
  for (const P of [1, 16]) {
    for (const [mode] of modes.slice(1)) row('durability', `SET -P ${P}, appendfsync ${mode}`, out[`${mode} -P ${P}`], undefined, out[`off -P ${P}`], 'ops/s');
    row('durability', `SET -P ${P}, persistence off`, out[`off -P ${P}`], undefined, out[`off -P ${P}`], 'ops/s');
  }
}

/**
 * One custom command per target through redis-benchmark, -P 1 and -P 16, interleaved per round:
 * the target named 'redis' runs on native Redis, the others on keyflare through the bridge.
 * Returns the median ops/s per "<name> -P <n>".
 */
async function customRounds(part, targets) {
  const redis = await startRedis();
  const kf = await startServe();
  const port = await bridgeTo(kf.port, '/resp');
  const raw = {};
  for (let r = 0; r < cfg.rounds; r++) {
    for (const P of [1, 16]) {
      for (const [name, command] of targets) {
        log(`${part} round ${r + 1}/${cfg.rounds} -P ${P} ${name}`);
        const res = await redisBenchmark(name === 'redis' ? redis.port : port, { command, pipeline: P, requests: cfg.xshardN, random: 100_000 });
        (raw[`${name} -P ${P}`] ??= []).push(res[command[0]]);
      }
    }
  }
  await stopAll();
  const out = {};
  for (const [k, v] of Object.entries(raw)) out[k] = median(v);
  return out;
}

/**
 * The cost of atomicity across shards (issue 11): a 10-key MSET whose keys span the 4 shards
 * (the coordinator: lock, scratch run, stage, commit) against the same MSET with a hash tag
 * (one shard, one batch), and native Redis; random keys (-r) so transactions rarely contend.
 * Redis column = native redis-server, floor = the one-shard MSET. Interleaved per round.
 */
async function partXshard() {
  const spread = ['MSET'];
  const one = ['MSET'];
  for (let i = 0; i < 10; i++) {
    spread.push(`mk:${i}:__rand_int__`, 'v');
    one.push(`{mk}:${i}:__rand_int__`, 'v');
  }
  const out = await customRounds('xshard', [['redis', spread], ['spread', spread], ['one', one]]);
  results.parts.xshard = out;
  for (const P of [1, 16]) {
    row('xshard', `MSET 10 keys over 4 shards -P ${P}`, out[`spread -P ${P}`], out[`redis -P ${P}`], out[`one -P ${P}`], 'ops/s');
    row('xshard', `MSET 10 keys on 1 shard -P ${P}`, out[`one -P ${P}`], out[`redis -P ${P}`], out[`one -P ${P}`], 'ops/s');
  }
}

/**
 * Scripting (issue 12): EVAL of a 3-command script (INCR, GET, SET, keys in one slot) through the
 * bridge against native Redis; floor = keyflare's plain INCR over the same path, so ÷ floor is
 * what the Lua VM and the script's extra commands cost over one ordinary command.
 */
async function partScripting() {
  const body = "redis.call('incr', KEYS[1]); local v = redis.call('get', KEYS[1]); return redis.call('set', KEYS[2], v)";
  const evalCmd = ['EVAL', body, '2', '{ev}:a:__rand_int__', '{ev}:b:__rand_int__'];
  const incr = ['INCR', '{ev}:c:__rand_int__'];
  const out = await customRounds('scripting', [['redis', evalCmd], ['eval', evalCmd], ['incr', incr]]);
  results.parts.scripting = out;
  for (const P of [1, 16]) row('scripting', `EVAL of 3 commands -P ${P}`, out[`eval -P ${P}`], out[`redis -P ${P}`], out[`incr -P ${P}`], 'ops/s');
}

const fns = { scripting: partScripting, xshard: partXshard, engine: partEngine, resp: partResp, rest: partRest, memory: partMemory, coldstart: partColdstart, scale: partScale, durability: partDurability };
const stop = async () => {
  await stopAll();
  dropFrozen();
  process.exit(130);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const t0 = performance.now();
if (process.env.BENCH_REF_B !== undefined) {
  // A/B mode: A = BENCH_REF (default the working tree), B = BENCH_REF_B ('.' or WORK or empty: the
  // working tree); parts resp and rest only, interleaved per test (bench/ab.mjs).
  const refs = { A: process.env.BENCH_REF || WORK, B: ['', '.'].includes(process.env.BENCH_REF_B) ? WORK : process.env.BENCH_REF_B };
  const abParts = { resp: abResp, rest: abRest };
  const other = want.filter((p) => !abParts[p]);
  if (other.length) {
    console.error(`A/B mode (BENCH_REF_B) measures resp and rest only, not: ${other.join(', ')}`);
    process.exit(1);
  }
  const abRows = [];
  for (const p of want) {
    log(`== ${p} (A/B: A=${refs.A}, B=${refs.B})`);
    try {
      abRows.push(...(await abParts[p](cfg, refs)));
    } catch (e) {
      log(`${p} failed: ${e.stack ?? e}`);
      abRows.push({ part: p, measure: `FAILED: ${String(e.message ?? e).split('\n')[0]}`, A: null, B: null, ratio: null, min: null });
    }
    await stopAll();
  }
  const table = abTable(abRows, refs);
  const seconds = Math.round((performance.now() - t0) / 1000);
  const md = [`# keyflare A/B benchmark`, '', `${results.meta.date}, ${results.meta.cpus}, Node ${results.meta.node}; A = ${refs.A}, B = ${refs.B}; parts: ${want.join(', ')}; rounds: ${cfg.rounds} (A and B interleaved per test, order alternating per round); ${seconds} s.`, '', 'B ÷ A is the median of the per-round ratios (each pair ran back to back); the range shows their spread.', '', table, ''].join('\n');
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'ab.md'), md);
  writeFileSync(join(root, 'bench', 'results', 'ab.json'), JSON.stringify({ meta: { ...results.meta, seconds, refs }, config: cfg, rows: abRows }, null, 2) + '\n');
  console.log(table);
  await stopAll();
  dropFrozen();
  process.exit(0);
}
for (const p of want) {
  const t = performance.now();
  log(`== ${p}`);
  try {
    await fns[p]();
  } catch (e) {
    log(`${p} failed: ${e.stack ?? e}`);
    results.parts[p] = { error: String(e.message ?? e) };
    row(p, `FAILED: ${String(e.message ?? e).split('\n')[0]}`, null, null, null, '');
    await stopAll();
  }
  log(`${p} took ${((performance.now() - t) / 1000).toFixed(0)} s`);
}
results.meta.seconds = Math.round((performance.now() - t0) / 1000);
results.rows = rows;

const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : typeof x === 'number' ? (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(x)) : String(x));
const head = ['part', 'measure', 'keyflare', 'Redis', 'floor', '÷ Redis', '÷ floor'];
const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
for (const r of rows) lines.push(`| ${[r.part, r.measure, fmt(r.keyflare), fmt(r.redis), fmt(r.floor), fmt(r.vsRedis), fmt(r.vsFloor)].join(' | ')} |`);
const table = lines.join('\n');
const md = [
  `# keyflare benchmark results`,
  '',
  `${results.meta.date}, ${results.meta.cpus}, Node ${results.meta.node}, redis-server ${results.meta.redis}; parts: ${want.join(', ')}; rounds: ${cfg.rounds}; ${results.meta.seconds} s.`,
  '',
  'Floors: engine = a plain `Map` get/set loop; resp = the echo path (same server and bridge, `/bench/resp-echo` answers `+OK` without a Durable Object);',
  'rest = the empty route `/bench/empty` (req/s; for pipelines, commands/s ÷ its req/s); memory = a `Map` of the same flat strings;',
  'coldstart = a warm GET (median of 20) after the first; scale = 1 shard. keyflare runs as `npm start` does (workerd via Miniflare, no dev proxy) unless a row says wrangler dev.',
  '',
  table,
  '',
].join('\n');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'results.md'), md);
writeFileSync(join(root, 'bench', 'results', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(table);
await stopAll();
dropFrozen();
process.exit(0);
