#!/usr/bin/env node
// keyflare's local CLI: `bridge` maps TCP connections to RESP-over-WebSocket (so redis-cli,
// redis-benchmark, ioredis and node-redis work unchanged); `start` runs the service locally.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseFlags(args) {
  const out = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=', 2);
    out[k] = v ?? (args[i + 1] && !args[i + 1].startsWith('--') ? args[++i] : 'true');
  }
  return out;
}

/** The local dev token: env first, then .dev.vars in the working directory or the package. */
export function localToken(name = 'KEYFLARE_TOKEN') {
  if (process.env[name]) return process.env[name];
  for (const dir of [process.cwd(), root]) {
    const p = join(dir, '.dev.vars');
    if (!existsSync(p)) continue;
    const m = new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(p, 'utf8'));
    if (m) return m[1].trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** Bytes pass through unchanged in both directions; one WebSocket per TCP connection. */
export function startBridge({ port = 6380, host = '127.0.0.1', url = 'ws://127.0.0.1:8787/resp', token = localToken(), quiet = false } = {}) {
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const pending = [];
    let open = false;
    ws.on('open', () => {
      open = true;
      for (const d of pending.splice(0)) ws.send(d, { binary: true });
    });
    ws.on('message', (data) => {
      if (!sock.write(data)) {
        ws.pause();
        sock.once('drain', () => ws.resume());
      }
    });
    // The service closed the connection (QUIT, protocol error, kill): close the socket fully, as
    // Redis does, once what was written is sent; a client still writing then gets a reset
    // instead of writing into a half-closed socket forever (unit/protocol's desync tests).
    ws.on('close', () => sock.end(() => sock.destroy()));
    ws.on('error', (e) => {
      if (!quiet) console.error(`keyflare bridge: websocket error: ${e.message}`);
      sock.destroy();
    });
    ws.on('unexpected-response', (_req, res) => {
      if (!quiet) console.error(`keyflare bridge: upgrade refused with HTTP ${res.statusCode}`);
      sock.destroy();
    });
    sock.on('data', (d) => {
      if (!open) return void pending.push(d);
      ws.send(d, { binary: true });
      // Backpressure: stop reading TCP while the WebSocket has a lot queued.
      if (ws.bufferedAmount > 8 * 1024 * 1024) {
        sock.pause();
        const t = setInterval(() => {
          if (ws.bufferedAmount < 1024 * 1024 || ws.readyState !== WebSocket.OPEN) {
            clearInterval(t);
            sock.resume();
          }
        }, 5);
      }
    });
    sock.on('close', () => ws.terminate());
    sock.on('error', () => ws.terminate());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      if (!quiet) console.log(`keyflare bridge: redis://${host}:${server.address().port} → ${url}`);
      resolve(server);
    });
  });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      await fetch(url);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

function devVars() {
  const out = {};
  for (const dir of [process.cwd(), root]) {
    const p = join(dir, '.dev.vars');
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
    }
    break;
  }
  return out;
}

/** Bundle the Worker exactly as `wrangler deploy` would, without deploying. */
function build(outdir) {
  const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
  const r = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', outdir], { cwd: root, env: wranglerEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrangler build failed:\n${r.stdout}\n${r.stderr}`);
  return join(outdir, 'index.js');
}

function wranglerEnv() {
  // wrangler needs Node 22: the `node` devDependency's binary comes first on PATH.
  return { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
}

/**
 * Serve the Worker in workerd through Miniflare's API: the same runtime as `wrangler dev`, without
 * its proxy and inspector, which cost most of the local throughput (see bench/).
 */
export async function serve({ port = 8787, shards, mode, persistTo = join(root, '.keyflare', 'state'), vars = {}, inspectorPort } = {}) {
  const { Miniflare, convertV4MiniflareOptions } = await import('miniflare');
  const outdir = join(root, '.keyflare', 'build');
  const script = build(outdir);
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)[1];
  const compatibilityFlags = [...(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const defaultShards = /^SHARDS\s*=\s*"(\d+)"/m.exec(toml)?.[1] ?? '4';
  const defaultMode = /^KEYFLARE_MODE\s*=\s*"(\w+)"/m.exec(toml)?.[1] ?? 'standalone';
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port,
      // Only for profiling (bench/profile.mjs): a DevTools endpoint costs throughput.
      ...(inspectorPort ? { inspectorPort } : {}),
      defaultPersistRoot: persistTo,
      // This Miniflare reads only resourcePersistencePath (defaultPersistRoot is dropped by its schema).
      resourcePersistencePath: persistTo,
      workers: [
        {
          name: 'keyflare',
          modules: true,
          scriptPath: script,
          modulesRoot: outdir,
          compatibilityDate,
          compatibilityFlags,
          durableObjects: { SHARD: { className: 'ShardObject', useSQLite: true }, HUB: { className: 'HubObject', useSQLite: true }, CLIENTS: { className: 'ClientsObject', useSQLite: true }, ACL: { className: 'AclObject', useSQLite: true } },
          durableObjectsPersist: true,
          // KEYFLARE_REPLICAS from the environment: replica DOs per shard (issue 13; none by default here).
          bindings: { SHARDS: String(shards ?? defaultShards), KEYFLARE_MODE: mode ?? defaultMode, ...(process.env.KEYFLARE_REPLICAS ? { KEYFLARE_REPLICAS: process.env.KEYFLARE_REPLICAS } : {}), ...devVars(), ...vars },
        },
      ],
    }),
  );
  const url = await mf.ready;
  return { url, port: Number(url.port), dispose: () => mf.dispose() };
}

/** The local service (Miniflare, or `wrangler dev` with --wrangler) + the bridge. */
async function start(flags) {
  const httpPort = Number(flags.port ?? 8787);
  const respPort = Number(flags['resp-port'] ?? 6380);
  let stopServer;
  if (flags.wrangler) {
    const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(httpPort), '--inspector-port', '0', '--show-interactive-dev-session=false'];
    if (flags.shards) args.push('--var', `SHARDS:${flags.shards}`);
    if (flags.mode) args.push('--var', `KEYFLARE_MODE:${flags.mode}`);
    if (flags['persist-to']) args.push('--persist-to', flags['persist-to']);
    const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, { cwd: root, env: wranglerEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => {
      console.error(`keyflare: wrangler dev exited (${code})`);
      process.exit(code ?? 1);
    });
    stopServer = () => child.exitCode === null && child.kill('SIGTERM');
    if (!(await waitHttp(`http://127.0.0.1:${httpPort}/`, 120_000))) {
      console.error('keyflare: wrangler dev did not start');
      stopServer();
      process.exit(1);
    }
  } else {
    const s = await serve({ port: httpPort, shards: flags.shards, mode: flags.mode, persistTo: flags['persist-to'] });
    stopServer = () => s.dispose();
  }
  const stop = async () => {
    await stopServer();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const token = localToken();
  await startBridge({ port: respPort, url: `ws://127.0.0.1:${httpPort}/resp`, token });
  console.log(`keyflare: REST on http://127.0.0.1:${httpPort}  RESP on 127.0.0.1:${respPort}`);
  console.log(`keyflare: local token ${token} (from .dev.vars; local use only)`);
}

const [cmd, ...rest] = process.argv.slice(2);
// Run only as a program (also through the node_modules/.bin symlink), not when imported by tests.
const isMain = process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  const flags = parseFlags(rest);
  if (cmd === 'bridge') {
    startBridge({
      port: Number(flags.port ?? 6380),
      host: flags.host ?? '127.0.0.1',
      url: flags.url ?? 'ws://127.0.0.1:8787/resp',
      token: flags.token ?? localToken(),
    }).catch((e) => {
      console.error(`keyflare bridge: ${e.message}`);
      process.exit(1);
    });
  } else if (cmd === 'start') {
    start(flags);
  } else {
    console.log('usage: keyflare start [--port 8787] [--resp-port 6380] [--shards N] [--mode standalone|cluster] [--persist-to DIR] [--wrangler]\n       keyflare bridge [--port 6380] [--url ws://127.0.0.1:8787/resp] [--token T]');
    process.exit(cmd ? 1 : 0);
  }
}
