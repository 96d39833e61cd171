// A shard that fails (throws) under the session: fan-out writes say they are partial, fan-out reads answer an error, and no exception text reaches the client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { setIncidentLog } from '../../src/server/incident.js';
import type { ExecOpts } from '../../src/server/session.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Proto } from '../../src/protocol/resp-encode.js';

const SECRET = 'Durable Object storage at /internal/do/shard-2 exceeded its RPC limit';

/** A 4-shard service whose shard `down` throws on every call while `failing` is set. */
class FlakyBackend extends LocalBackend {
  failing = true;
  constructor(
    readonly down: number,
    mode: 'standalone' | 'cluster' = 'standalone',
  ) {
    super({ shards: 4, mode });
  }
  override exec(shard: number, batch: string[][], resp: Proto, opts?: ExecOpts): Promise<Frame[]> {
    if (this.failing && shard === this.down) return Promise.reject(new Error(SECRET));
    return super.exec(shard, batch, resp, opts);
  }
}

/** A key that lives on `shard`. */
function keyOn(b: LocalBackend, shard: number, tag: string): string {
  for (let i = 0; ; i++) if (b.slots.shardOfKey(`${tag}${i}`) === shard) return `${tag}${i}`;
}

const ID = /\(incident ([0-9a-f]{8})\)$/;
let logged: Array<{ line: string; e: unknown }> = [];
beforeEach(() => {
  logged = [];
  setIncidentLog((line, e) => logged.push({ line, e }));
});
afterEach(() => setIncidentLog((line, e) => console.error(line, e)));

/** The reply is an error with an incident id that the log holds with the real cause; the client sees no internals. */
function expectIncident(reply: Frame, prefix: string): void {
  expect(reply.t).toBe('err');
  const text = (reply as { v: string }).v;
  expect(text.startsWith(prefix)).toBe(true);
  expect(text).not.toContain('RPC limit');
  const id = ID.exec(text)![1]!;
  const entry = logged.find((l) => l.line.includes(id))!;
  expect(entry).toBeDefined();
  const causes = entry.e instanceof AggregateError ? entry.e.errors : [entry.e];
  for (const c of causes) expect((c as Error).message).toBe(SECRET);
}

describe('a fan-out write when one shard fails', () => {
  it('FLUSHDB says on how many shards it was applied and which failed; a retry completes it', async () => {
    const b = new FlakyBackend(2);
    const s = b.session();
    const keys = [0, 1, 2, 3].map((i) => keyOn(b, i, 'f'));
    b.failing = false;
    for (const k of keys) await s.run([['SET', k, 'v']]);
    b.failing = true;
    const [r] = await s.run([['FLUSHDB']]);
    expectIncident(r!, 'CLUSTERDOWN FLUSHDB was applied on 3 of 4 shards only; shard 2 unavailable ');
    // It was applied where it says, and not on the failed shard.
    b.failing = false;
    expect(await s.run(keys.map((k) => ['EXISTS', k]))).toEqual([0, 0, 1, 0].map((v) => ({ t: 'int', v })));
    expect(await s.run([['FLUSHDB'], ['DBSIZE']])).toEqual([{ t: 'simple', v: 'OK' }, { t: 'int', v: 0 }]);
  });

  it('FLUSHALL and CONFIG SET say the same', async () => {
    const b = new FlakyBackend(0);
    const s = b.session();
    const [fa, cs] = await s.run([['FLUSHALL'], ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']]);
    expectIncident(fa!, 'CLUSTERDOWN FLUSHALL was applied on 3 of 4 shards only; shard 0 unavailable ');
    expectIncident(cs!, 'CLUSTERDOWN CONFIG SET was applied on 3 of 4 shards only; shard 0 unavailable ');
  });

  it('a command every reachable shard refuses answers that error (it ran nowhere)', async () => {
    const b = new FlakyBackend(1);
    expect(await b.session().run([['FLUSHDB', 'NOPE']])).toEqual([{ t: 'err', v: 'ERR syntax error' }]);
  });

  it('DEL over keys of several shards says it was partial (cluster mode: a fan-out)', async () => {
    const b = new FlakyBackend(3, 'cluster');
    const s = b.session();
    const [k0, k1, k3] = [keyOn(b, 0, 'd'), keyOn(b, 1, 'd'), keyOn(b, 3, 'd')];
    await s.run([['SET', k0, 'v'], ['SET', k1, 'v']]);
    const [r] = await s.run([['DEL', k0, k1, k3]]);
    expectIncident(r!, 'CLUSTERDOWN DEL was applied on 2 of 3 shards only; shard 3 unavailable ');
    expect(await s.run([['EXISTS', k0], ['EXISTS', k1]])).toEqual([{ t: 'int', v: 0 }, { t: 'int', v: 0 }]);
  });

  it('DEL over keys of several shards is all or nothing (standalone mode: the coordinator)', async () => {
    const b = new FlakyBackend(3);
    const s = b.session();
    const [k0, k1, k3] = [keyOn(b, 0, 'd'), keyOn(b, 1, 'd'), keyOn(b, 3, 'd')];
    await s.run([['SET', k0, 'v'], ['SET', k1, 'v']]);
    const [r] = await s.run([['DEL', k0, k1, k3]]);
    expectIncident(r!, 'CLUSTERDOWN transaction across shards not applied ');
    expect(await s.run([['EXISTS', k0], ['EXISTS', k1]])).toEqual([{ t: 'int', v: 1 }, { t: 'int', v: 1 }]);
    b.failing = false;
    expect(await s.run([['DEL', k0, k1, k3]])).toEqual([{ t: 'int', v: 2 }]);
  });
});

describe('a fan-out read when one shard fails answers an error, not a partial answer', () => {
  it('DBSIZE, KEYS, SCAN, MGET, EXISTS and INFO (cluster mode)', async () => {
    const b = new FlakyBackend(1, 'cluster');
    const s = b.session();
    const [k0, k1] = [keyOn(b, 0, 'r'), keyOn(b, 1, 'r')];
    await s.run([['SET', k0, 'v']]);
    const replies = await s.run([['DBSIZE'], ['KEYS', '*'], ['SCAN', '0', 'COUNT', '1000'], ['MGET', k0, k1], ['EXISTS', k0, k1], ['INFO', 'keyspace']]);
    for (const r of replies) expectIncident(r, 'CLUSTERDOWN shard 1 unavailable ');
  });

  it('MGET and EXISTS across shards in standalone mode: not applied, with an incident', async () => {
    const b = new FlakyBackend(1);
    const s = b.session();
    const [k0, k1] = [keyOn(b, 0, 'r'), keyOn(b, 1, 'r')];
    const replies = await s.run([['MGET', k0, k1], ['EXISTS', k0, k1]]);
    for (const r of replies) expectIncident(r, 'CLUSTERDOWN transaction across shards not applied ');
  });

  it('two failed shards are named together under one incident', async () => {
    const b = new FlakyBackend(1);
    const orig = b.exec.bind(b);
    b.exec = (shard, batch, resp, opts) => (shard === 3 ? Promise.reject(new Error(SECRET)) : orig(shard, batch, resp, opts));
    const [r] = await b.session().run([['DBSIZE']]);
    expectIncident(r!, 'CLUSTERDOWN shards 1, 3 unavailable ');
  });
});

describe('a failing shard under a single-shard command', () => {
  it('answers CLUSTERDOWN with an incident id, the details only in the log', async () => {
    const b = new FlakyBackend(2);
    const k = keyOn(b, 2, 'g');
    const [g, ok] = await b.session().run([['GET', k], ['PING']]);
    expectIncident(g!, 'CLUSTERDOWN shard 2 unavailable ');
    expect(ok).toEqual({ t: 'simple', v: 'PONG' });
  });

  it('EXEC of a transaction on the failed shard', async () => {
    const b = new FlakyBackend(2);
    const k = keyOn(b, 2, 't');
    const replies = await b.session().run([['MULTI'], ['SET', k, 'v'], ['EXEC']]);
    expectIncident(replies[2]!, 'CLUSTERDOWN transaction failed ');
  });
});
