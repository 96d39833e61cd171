// Connection-level differential testing (pub/sub, tracking): each Conn is a raw TCP client to real
// Redis plus a keyflare Session with a push sink; every frame each side writes is compared.
import { afterAll, beforeAll, expect } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import type { Session } from '../../src/server/session.js';
import { expandReplies, setPushSink } from '../../src/server/pubsub.js';
import { encodeCommand, encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Mode } from '../../src/commands/types.js';
import { RawClient } from './raw-client.js';
import { startRedis, type RedisProc } from './redis-server.js';

export class Conn {
  pushes: Frame[] = [];
  constructor(
    readonly rc: RawClient,
    readonly kf: Session,
    readonly proto: Proto,
  ) {
    setPushSink(kf, (f) => this.pushes.push(f));
  }

  /** One command, possibly different per side; every frame each side wrote (pushes first). */
  async cmd(argv: string[], redisArgv = argv): Promise<{ redis: string[]; kf: string[] }> {
    const replies = expandReplies(await this.kf.run([argv]));
    const kf = [...this.pushes.splice(0), ...replies].map((f) => encodeStr(f, this.proto));
    const r = await this.rc.raw(encodeCommand(redisArgv), kf.length);
    return { redis: r, kf };
  }

  /** Frames received since the last look, with a PING after them so Redis's side is complete. */
  async received(): Promise<{ redis: string[]; kf: string[] }> {
    return this.cmd(['PING']);
  }

  /** Only the pushes received since the last look, on both sides (nothing sent). */
  async pending(): Promise<{ redis: string[]; kf: string[] }> {
    const kf = this.pushes.splice(0).map((f) => encodeStr(f, this.proto));
    const r = kf.length ? await this.rc.raw('', kf.length) : [];
    return { redis: r, kf };
  }

  async id(): Promise<{ redis: string; kf: string }> {
    const { redis: r } = await this.cmd(['CLIENT', 'ID']);
    return { redis: r[0]!.slice(1, -2), kf: String(this.kf.session.id) };
  }

  close(): void {
    this.rc.close();
  }
}

/** Run each command on both sides and assert identical frames; returns keyflare's frames. */
export async function same(c: Conn, script: string[][]): Promise<string[]> {
  const diffs: string[] = [];
  const all: string[] = [];
  for (const argv of script) {
    const { redis: r, kf } = await c.cmd(argv);
    all.push(...kf);
    if (JSON.stringify(r) !== JSON.stringify(kf)) diffs.push(`RESP${c.proto} ${JSON.stringify(argv)}\n  redis: ${JSON.stringify(r)}\n  kf:    ${JSON.stringify(kf)}`);
  }
  expect(diffs.join('\n')).toBe('');
  return all;
}

/** What arrived since the last look is the same on both sides. */
export async function sameReceived(c: Conn): Promise<string[]> {
  const { redis: r, kf } = await c.received();
  expect(kf).toEqual(r);
  return kf;
}

/** The pushes that arrived since the last look are the same on both sides. */
export async function samePending(c: Conn): Promise<string[]> {
  const { redis: r, kf } = await c.pending();
  expect(kf).toEqual(r);
  return kf;
}

/** A real one-node Redis Cluster and an in-process keyflare for this file; `open` makes Conns. */
/** `mode` standalone: a standalone redis-server and keyflare in its standalone mode (SELECT…). */
export function useTwoSided(mode: Mode = 'cluster'): { open(proto?: Proto): Promise<Conn>; backend(): LocalBackend } {
  let redis: RedisProc;
  let backend: LocalBackend;
  const conns: Conn[] = [];
  beforeAll(async () => {
    redis = await startRedis({ cluster: mode === 'cluster' });
    backend = new LocalBackend({ shards: 4, mode }); // cluster: as the one-node Redis Cluster
  }, 30_000);
  afterAll(async () => {
    for (const c of conns) c.close();
    await redis?.stop();
  });
  return {
    async open(proto: Proto = 2) {
      const c = new Conn(await RawClient.connect(redis.port), backend.session(), proto);
      conns.push(c);
      if (proto === 3) await c.cmd(['HELLO', '3']);
      return c;
    },
    backend: () => backend,
  };
}
