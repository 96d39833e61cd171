// Benchmark plumbing: free ports, starting redis-server / wrangler dev / the bridge, running
// redis-benchmark, and stopping everything that was started.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
const started = [];

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
  started.push(() => p.kill('SIGTERM'));
  await waitTcp(port);
  return { port, pid: p.pid };
}

/** wrangler dev on a frozen copy of the tree (edits must not reload it mid-run). */
export async function startWrangler(vars = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kf-bench-wd-'));
  const app = join(dir, 'app');
  for (const f of ['src', 'wrangler.toml', '.dev.vars', 'package.json']) cpSync(join(root, f), join(app, f), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
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

export async function startBridge(url, token) {
  const { startBridge } = await import('../bin/keyflare.mjs');
  const port = await freePort();
  const server = await startBridge({ port, url, token, quiet: true });
  started.push(() => server.close());
  return { port };
}

export function stopAll() {
  for (const s of started.splice(0).reverse()) {
    try {
      s();
    } catch {}
  }
}

/** redis-benchmark --csv → { test: rps }. */
export function redisBenchmark(port, { tests, clients = 50, pipeline = 1, requests = 20000 }) {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', String(clients), '-P', String(pipeline), '-n', String(requests), '-t', tests, '--csv'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const out = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) out[m[1].split(' ')[0]] = Number(m[2]);
  }
  return out;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
