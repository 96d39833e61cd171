// Benchmark plumbing: free ports, starting redis-server / wrangler dev / the bridge, running
// redis-benchmark, and stopping everything that was started.
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
const started = [];

const frozen = new Map();
/** The working tree, as opposed to a commit (BENCH_REF unset, or BENCH_REF_B=. / WORK). */
export const WORK = 'WORK';
const isWork = (ref) => !ref || ref === '.' || ref === WORK;
/**
 * A copy of the tree taken once per run and per ref: every server of the run serves the same code,
 * and edits made meanwhile (other engineers, an editor) neither reload nor break it mid-run.
 * `ref` (default BENCH_REF) names a committed version instead (read-only: git archive); the A/B
 * mode holds two copies at once.
 */
export function frozenRoot(ref = process.env.BENCH_REF) {
  const key = isWork(ref) ? WORK : ref;
  if (frozen.has(key)) return frozen.get(key);
  const dir = mkdtempSync(join(tmpdir(), 'kf-bench-tree-'));
  if (key !== WORK) {
    const r = spawnSync('sh', ['-c', `git -C "${root}" archive "${key}" src bin wrangler.toml package.json tsconfig.json | tar -x -C "${dir}"`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git archive ${key}: ${r.stderr}`);
    cpSync(join(root, '.dev.vars'), join(dir, '.dev.vars'));
    cpSync(join(root, 'bench'), join(dir, 'bench'), { recursive: true });
  } else {
    for (const f of ['src', 'bin', 'bench', 'wrangler.toml', '.dev.vars', 'package.json', 'tsconfig.json']) cpSync(join(root, f), join(dir, f), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  frozen.set(key, dir);
  return dir;
}

/** Remove the frozen copies (at the very end of a run). */
export function dropFrozen() {
  for (const dir of frozen.values()) rmSync(dir, { recursive: true, force: true });
  frozen.clear();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitTcp(port, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((res) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), res(true)));
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kf-bench-redis-'));
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const stop = () => {
    if (p.exitCode === null) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  started.push(stop);
  await waitTcp(port);
  return { port, pid: p.pid, stop };
}

/**
 * keyflare as `npm start` runs it: the Worker in workerd through Miniflare (no dev proxy), with
 * the benchmark floors on. `persistTo` defaults to a fresh temporary directory.
 */
export async function startServe({ shards, persistTo, bench = true, ref } = {}) {
  const { serve } = await import(join(frozenRoot(ref), 'bin', 'keyflare.mjs'));
  const dir = persistTo ?? mkdtempSync(join(tmpdir(), 'kf-bench-serve-'));
  const port = await freePort();
  let s;
  try {
    s = await serve({ port, shards, persistTo: dir, vars: bench ? { KEYFLARE_BENCH: '1' } : {} });
  } catch (e) {
    if (!persistTo) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let alive = true;
  const stop = async () => {
    if (!alive) return;
    alive = false;
    await s.dispose();
    if (!persistTo) rmSync(dir, { recursive: true, force: true });
  };
  started.push(stop);
  return { port: s.port, dir, stop };
}

export async function localToken(ref) {
  return (await import(join(frozenRoot(ref), 'bin', 'keyflare.mjs'))).localToken();
}

/** wrangler dev on a frozen copy of the tree (edits must not reload it mid-run). */
export async function startWrangler(vars = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kf-bench-wd-'));
  const app = frozenRoot();
  const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', '0', '--show-interactive-dev-session=false', '--persist-to', join(dir, 'state')];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const p = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: app,
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore'],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  started.push(stop);
  const end = Date.now() + 120_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > end) throw new Error('wrangler dev did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { port, stop };
}

export async function startBridge(url, token, ref) {
  const { startBridge } = await import(join(frozenRoot(ref), 'bin', 'keyflare.mjs'));
  const port = await freePort();
  const server = await startBridge({ port, url, token, quiet: true });
  const stop = () => {
    server.close();
    // close() waits for open connections; the bench's own clients are done by then.
    server.closeAllConnections?.();
  };
  started.push(stop);
  return { port, stop };
}

/** Stop everything started so far (newest first), by handle or PID, never by name. */
export async function stopAll() {
  for (const s of started.splice(0).reverse()) {
    try {
      await s();
    } catch {}
  }
}

/** redis-benchmark --csv → { TEST: rps }; async, because the bridge runs in this process. */
export function redisBenchmark(port, { tests, command, clients = 50, pipeline = 1, requests = 20000, random = 0 }) {
  const args = ['-p', String(port), '-c', String(clients), '-P', String(pipeline), '-n', String(requests), '--csv'];
  if (random) args.push('-r', String(random));
  // A custom command (argv) instead of -t tests: its row is named by the command's first word.
  if (command) args.push(...command);
  else args.push('-t', tests);
  return new Promise((resolve) => {
    const p = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGTERM'), 600_000);
    p.on('close', () => {
      clearTimeout(timer);
      const res = {};
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line);
        // "LPUSH (needed to benchmark LRANGE)" is a warm-up, not the lpush test.
        if (!m || m[1].includes('needed')) continue;
        res[m[1].split(' ')[0]] = Number(m[2]);
      }
      if (!Object.keys(res).length && err) console.error(`redis-benchmark: ${err.trim().slice(0, 300)}`);
      resolve(res);
    });
  });
}

const enc = (argv) => `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

/**
 * Send commands pipelined over one raw RESP connection, `window` at a time, and wait for their
 * replies. Only for commands whose replies are one line each (+OK, :n).
 */
export async function loadResp(port, commands, window = 5000) {
  const sock = connect(port, '127.0.0.1');
  await new Promise((res, rej) => (sock.once('connect', res), sock.once('error', rej)));
  sock.setNoDelay(true);
  let pending = 0;
  let wake = null;
  let errors = 0;
  let first = '';
  sock.on('data', (d) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) pending--;
    if (d[0] === 45 /* - */) {
      errors++;
      first ||= d.toString('latin1', 0, 200);
    }
    if (pending <= 0 && wake) wake();
  });
  let buf = [];
  const flush = async () => {
    pending += buf.length;
    sock.write(buf.map(enc).join(''));
    buf = [];
    if (pending > 0) await new Promise((r) => (wake = r));
    wake = null;
  };
  for (const c of commands) {
    buf.push(c);
    if (buf.length >= window) await flush();
  }
  if (buf.length) await flush();
  sock.destroy();
  if (errors) throw new Error(`loadResp: ${errors} error replies, first: ${first}`);
}

/** One RESP command on a fresh connection; the raw reply text. */
export async function respCall(port, argv) {
  const sock = connect(port, '127.0.0.1');
  return new Promise((resolve, reject) => {
    let out = '';
    sock.on('error', reject);
    sock.on('data', (d) => {
      out += d.toString('latin1');
      // Bulk replies: wait for the announced length.
      const m = /^\$(\d+)\r\n/.exec(out);
      if (out.endsWith('\r\n') && (!m || out.length >= m[0].length + Number(m[1]) + 2)) {
        sock.destroy();
        resolve(out);
      }
    });
    sock.write(enc(argv));
  });
}

/**
 * Fixed-concurrency HTTP load (keep-alive): `concurrency` loops each send `make()` requests back to
 * back for `ms` after `warmMs` of warm-up. → { rps, p50, p99 (ms), errors, n }.
 */
export async function httpLoad(port, make, { concurrency = 32, ms = 4000, warmMs = 1000 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const one = ({ method = 'GET', path, headers = {}, body }) =>
    new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : headers, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      if (body) req.write(body);
      req.end();
    });
  const lat = [];
  let errors = 0;
  let recording = false;
  let stopAt = Infinity;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const t = performance.now();
      const ok = await one(make());
      if (!recording) continue;
      lat.push(performance.now() - t);
      if (!ok) errors++;
    }
  };
  const t0 = performance.now();
  stopAt = t0 + warmMs + ms;
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, warmMs));
  recording = true;
  const start = performance.now();
  await Promise.all(loops);
  const elapsed = performance.now() - start;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  return { rps: Math.round((lat.length * 1000) / elapsed), p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), errors, n: lat.length };
}

export const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
