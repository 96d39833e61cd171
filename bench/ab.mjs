// A/B mode of `npm run bench` (BENCH_REF_B set): two versions of keyflare served side by side and
// measured interleaved in one run — per round, per pipeline depth, per test, A then B (B then A on
// odd rounds) — so a load swing on a shared machine hits both alike; reports B ÷ A per row.
import { httpLoad, localToken, median, redisBenchmark, startBridge, startServe } from './lib.mjs';

const log = (...a) => console.error('[bench ab]', ...a);

/** The two sides in the order of round r: alternating, so neither always runs first. */
const sides = (r) => (r % 2 ? ['B', 'A'] : ['A', 'B']);

/**
 * Paired figures → one row: the medians of A and B, and the median with the range of the per-round
 * ratios B ÷ A (pairs ran back to back, so their ratio is what the load swings cancel out of).
 */
function abRow(part, measure, a, b, unit) {
  const ratios = a.map((x, i) => (x && Number.isFinite(b[i]) ? b[i] / x : NaN)).filter(Number.isFinite);
  const r = (x) => +x.toFixed(2);
  return { part, measure, unit, A: median(a), B: median(b), ratio: ratios.length ? r(median(ratios)) : null, min: ratios.length ? r(Math.min(...ratios)) : null, max: ratios.length ? r(Math.max(...ratios)) : null, runs: { A: a, B: b } };
}

/** redis-benchmark through the bridge to each side's /resp, one test per invocation. */
export async function abResp(cfg, refs) {
  const port = {};
  for (const s of ['A', 'B']) {
    const kf = await startServe({ ref: refs[s] });
    port[s] = (await startBridge(`ws://127.0.0.1:${kf.port}/resp`, await localToken(refs[s]), refs[s])).port;
  }
  const tests = cfg.respTests.split(',').map((t) => t.trim()).filter(Boolean);
  const raw = {};
  for (let r = 0; r < cfg.rounds; r++) {
    for (const P of [1, 16]) {
      for (const test of tests) {
        for (const s of sides(r)) {
          log(`resp round ${r + 1}/${cfg.rounds} -P ${P} ${test} ${s}`);
          const res = await redisBenchmark(port[s], { tests: test, pipeline: P, requests: P === 1 ? cfg.respN1 : cfg.respN16 });
          for (const [name, v] of Object.entries(res)) ((raw[`${name} -P ${P}`] ??= { A: [], B: [] })[s][r] = v);
        }
      }
    }
  }
  return Object.entries(raw).map(([k, v]) => abRow('resp', k, v.A, v.B, 'ops/s'));
}

/** The REST loads of partRest (empty route, GET, SET, pipeline of 100), each side in turn. */
export async function abRest(cfg, refs) {
  const token = await localToken(refs.A);
  const auth = { authorization: `Bearer ${token}` };
  const pipeBody = JSON.stringify(Array.from({ length: 100 }, (_, i) => (i % 2 ? ['GET', `rest:p:${i}`] : ['SET', `rest:p:${i}`, 'xxx'])));
  let i = 0;
  const loads = {
    'empty route req/s': () => ({ path: '/bench/empty', headers: auth }),
    'GET req/s': () => ({ path: '/get/rest:k', headers: auth }),
    'SET req/s': () => ({ method: 'POST', path: '/', headers: auth, body: JSON.stringify(['SET', `rest:k:${i++ % 1000}`, 'xxx']) }),
    'pipeline 100 req/s': () => ({ method: 'POST', path: '/pipeline', headers: auth, body: pipeBody }),
  };
  const port = {};
  for (const s of ['A', 'B']) {
    port[s] = (await startServe({ ref: refs[s] })).port;
    await fetch(`http://127.0.0.1:${port[s]}/set/rest:k/xxx`, { headers: auth });
  }
  const raw = Object.fromEntries(Object.keys(loads).map((n) => [n, { A: [], B: [] }]));
  for (let r = 0; r < cfg.rounds; r++) {
    for (const [n, make] of Object.entries(loads)) {
      for (const s of sides(r)) {
        log(`rest round ${r + 1}/${cfg.rounds} ${n} ${s}`);
        const x = await httpLoad(port[s], make, { concurrency: cfg.restConcurrency, ms: cfg.restMs });
        if (x.errors) log(`rest ${n} ${s}: ${x.errors} errors`);
        raw[n][s][r] = x.rps;
      }
    }
  }
  const rows = Object.entries(raw).map(([n, v]) => abRow('rest', n, v.A, v.B, 'req/s'));
  // Each side against its own empty route, per round: the issue's "÷ floor" for both versions.
  const empty = raw['empty route req/s'];
  for (const n of ['GET req/s', 'SET req/s']) {
    const f = (s) => raw[n][s].map((x, k) => +(x / empty[s][k]).toFixed(3));
    rows.push(abRow('rest', `${n.split(' ')[0]} ÷ empty route`, f('A'), f('B'), 'ratio'));
  }
  return rows;
}

const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(x));

/** The A/B table (markdown). */
export function abTable(rows, refs) {
  const head = ['part', 'measure', `A (${refs.A})`, `B (${refs.B})`, 'B ÷ A', 'per-round range'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${[r.part, r.measure, fmt(r.A), fmt(r.B), fmt(r.ratio), r.min === null ? '—' : `${r.min}–${r.max}`].join(' | ')} |`);
  return lines.join('\n');
}
