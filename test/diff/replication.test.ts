// INFO replication and ROLE shapes (field names, order, value types) of keyflare's replica
// groups against a real redis-server 7.0.15 primary/replica pair started here; WAIT's replies and
// errors, the replica's READONLY refusal and READONLY outside cluster mode byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { Session } from '../../src/server/session.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';

let primary: RedisProc;
let replica: RedisProc;
let rp: RawClient;
let rr: RawClient;
let kf: LocalBackend;
let kp: Session;
let kr: Session;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  primary = await startRedis({ extra: ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'] });
  replica = await startRedis({ extra: ['--replicaof', '127.0.0.1', '0'] });
  rp = await RawClient.connect(primary.port);
  rr = await RawClient.connect(replica.port);
  await rr.call([['REPLICAOF', '127.0.0.1', String(primary.port)]]);
  for (let i = 0; i < 100; i++) {
    const [info] = await rp.call([['INFO', 'replication']]);
    if (info!.includes('state=online')) break;
    await sleep(50);
  }
  kf = new LocalBackend({ shards: 2, mode: 'standalone', replicas: 1 });
  kp = kf.session();
  kr = new Session(kf.replicaView(1), { authenticated: true });
  for (let i = 0; i < 100; i++) {
    const f = kf.replicaSides.flat();
    if (f.every((r) => r.core.state === 'connected')) break;
    await sleep(20);
  }
}, 30_000);

afterAll(async () => {
  kf?.close();
  rp?.close();
  rr?.close();
  await replica?.stop();
  await primary?.stop();
});

async function both(redis: RawClient, s: Session, argv: string[]): Promise<[string, string]> {
  const [r] = await redis.call([argv]);
  const [f] = await s.run([argv]);
  return [r!, encodeStr(f!, 2)];
}

/** A reply's shape: bulk text's `name:value` lines as `name:type`, other frames by RESP type. */
function infoShape(raw: string): string[] {
  const body = raw.slice(raw.indexOf('\r\n') + 2);
  return body.split('\r\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const i = l.indexOf(':');
    const k = l.slice(0, i);
    const v = l.slice(i + 1);
    if (/^slave\d+$/.test(k)) return `${k}:` + v.split(',').map((kv) => `${kv.split('=')[0]}=${/^-?\d+$/.test(kv.split('=')[1]!) ? 'int' : 'str'}`).join(',');
    return `${k}:${/^-?\d+$/.test(v) ? 'int' : 'str'}`;
  });
}

/** RESP structure with scalars reduced to their type markers (and bulk text kept for words). */
function respShape(raw: string): string {
  return raw.replace(/\$(\d+)\r\n([^\r]*)\r\n/g, (_, _n, s: string) => (/^\d+$/.test(s) ? '$<n>' : /^[a-z_]+$/.test(s) ? `$${s}` : '$<s>')).replace(/:\d+\r\n/g, ':<n>');
}

describe('replication shapes vs redis-server', () => {
  it('INFO replication on a primary with a replica', async () => {
    const [r, k] = await both(rp, kp, ['INFO', 'replication']);
    expect(infoShape(k)).toEqual(infoShape(r));
    expect(k).toContain('slave0:ip=127.0.0.1,port=6381,state=online,');
  });

  it('INFO replication on a replica', async () => {
    const [r, k] = await both(rr, kr, ['INFO', 'replication']);
    expect(infoShape(k)).toEqual(infoShape(r));
    expect(k).toContain('master_link_status:up');
  });

  it('ROLE on a primary and on a replica', async () => {
    let [r, k] = await both(rp, kp, ['ROLE']);
    expect(respShape(k)).toBe(respShape(r));
    [r, k] = await both(rr, kr, ['ROLE']);
    expect(respShape(k)).toBe(respShape(r));
  });

  it('WAIT replies and errors; writes on a replica; READONLY outside cluster mode', async () => {
    await both(rp, kp, ['SET', 'a', '1']);
    for (const argv of [['WAIT', '1', '1000'], ['WAIT', '0', '0'], ['WAIT', 'x', '1'], ['WAIT', '1', 'x'], ['WAIT', '1', '-1'], ['WAIT', '-1', 'x'], ['READONLY'], ['READWRITE']]) {
      const [r, k] = await both(rp, kp, argv);
      expect([argv, k]).toEqual([argv, r]);
    }
    for (const argv of [['SET', 'b', '1'], ['WAIT', '0', '0']]) {
      const [r, k] = await both(rr, kr, argv);
      expect([argv, k]).toEqual([argv, r]);
    }
  });

  it('REPLICAOF / SLAVEOF / FAILOVER answer an honest error (groups are the deployment\'s)', async () => {
    for (const argv of [['REPLICAOF', 'NO', 'ONE'], ['SLAVEOF', '127.0.0.1', '6379'], ['FAILOVER']]) {
      const [f] = await kp.run([argv]);
      expect(f!.t).toBe('err');
      expect(String((f as { v: string }).v)).toMatch(/^ERR (REPLICAOF|FAILOVER) .*not supported/);
    }
  });
});
