// Starts a real redis-server (Debian's 7.0) on a free loopback port for differential tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisProc {
  port: number;
  stop(): Promise<void>;
}

/**
 * `cluster: true` runs a one-node Redis Cluster owning all 16384 slots: the oracle for what
 * keyflare presents (CROSSSLOT, SELECT refused, HELLO mode cluster, CLUSTER KEYSLOT…).
 */
export async function startRedis(opts: { cluster?: boolean; extra?: string[] } = {}): Promise<RedisProc> {
  const extra = [...(opts.extra ?? [])];
  if (opts.cluster) extra.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kf-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (opts.cluster) {
    const { RawClient } = await import('./raw-client.js');
    const c = await RawClient.connect(port);
    await c.call([['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']]);
    for (let i = 0; i < 100; i++) {
      const [info] = await c.call([['CLUSTER', 'INFO']]);
      if (info!.includes('cluster_state:ok')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    c.close();
  }
  return {
    port,
    stop: () => new Promise<void>((res) => {
      if (child.exitCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
    }),
  };
}
