// Starts `wrangler dev` (local, offline, fresh state) and the keyflare TCP bridge for the e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/redis-server.js';

export interface Target {
  /** `wrangler dev` or `npm start` (workerd through Miniflare, what users run locally). */
  name: string;
  httpPort: number;
  respPort: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    targets: Target[];
    token: string;
    roToken: string;
  }
}

let wrangler: ChildProcess | undefined;
let bridges: Array<{ close(): void }> = [];
let served: { dispose(): Promise<void> } | undefined;
let stateDir = '';

export async function setup(project: TestProject): Promise<void> {
  const httpPort = await freePort();
  const respPort = await freePort();
  stateDir = mkdtempSync(join(tmpdir(), 'kf-e2e-'));
  // Serve a frozen copy of the tree: wrangler dev reloads (and drops connections) whenever a
  // watched source file changes, which must not happen in the middle of a test run.
  const root = join(stateDir, 'app');
  for (const f of ['src', 'wrangler.toml', '.dev.vars', 'package.json']) cpSync(join(process.cwd(), f), join(root, f), { recursive: true });
  symlinkSync(join(process.cwd(), 'node_modules'), join(root, 'node_modules'));
  wrangler = spawn(
    join(root, 'node_modules', '.bin', 'wrangler'),
    ['dev', '--local', '--ip', '127.0.0.1', '--port', String(httpPort), '--inspector-port', '0', '--show-interactive-dev-session=false', '--persist-to', join(stateDir, 'state')],
    {
      cwd: root,
      env: { ...process.env, PATH: `${join(process.cwd(), 'node_modules', '.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  wrangler.stdout!.on('data', (d) => (out += d));
  wrangler.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 150_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${httpPort}/`);
      break;
    } catch {
      if (Date.now() > deadline || wrangler.exitCode !== null) throw new Error(`wrangler dev did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // @ts-expect-error -- plain JS module
  const { startBridge, localToken, serve } = await import('../../bin/keyflare.mjs');
  const token = localToken('KEYFLARE_TOKEN') as string;
  const roToken = localToken('KEYFLARE_READONLY_TOKEN') as string;
  bridges.push(await startBridge({ port: respPort, url: `ws://127.0.0.1:${httpPort}/resp`, token, quiet: true }));
  // `npm start`'s server, on its own port and state directory.
  served = await serve({ port: await freePort(), persistTo: join(stateDir, 'mf-state') });
  const mfResp = await freePort();
  const mfHttp = (served as unknown as { port: number }).port;
  bridges.push(await startBridge({ port: mfResp, url: `ws://127.0.0.1:${mfHttp}/resp`, token, quiet: true }));
  project.provide('targets', [
    { name: 'wrangler dev', httpPort, respPort },
    { name: 'npm start (miniflare)', httpPort: mfHttp, respPort: mfResp },
  ]);
  project.provide('token', token);
  project.provide('roToken', roToken);
}

export async function teardown(): Promise<void> {
  for (const b of bridges) b.close();
  await served?.dispose();
  if (wrangler && wrangler.exitCode === null) {
    const exited = new Promise((r) => wrangler!.once('exit', r));
    try {
      process.kill(-wrangler.pid!, 'SIGTERM'); // the whole group: wrangler and its workerd
    } catch {
      wrangler.kill('SIGTERM');
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
