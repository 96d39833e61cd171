// Payloads past the platform's 32 MiB RPC limit (issue 19 item 5; workerd enforces the limit
// locally too: "Serialized RPC arguments or return values are limited to 32MiB"), and
// proto-max-bulk-len as the limit of a value's size at the edge, WebSocket and REST (item 12).
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShardObject, SlicedReply } from '../../src/objects/shard.js';
import { readRdb } from '../../src/persistence/rdb.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { BatchEncoder, SLICE_BYTES } from '../../src/protocol/slices.js';
import { WorkerBackend } from '../../src/worker/env.js';
import { openResp, worker } from './ws-client.js';

const MB = 1000 * 1000;
const H = { Authorization: 'Bearer test-token' };
/** Incompressible bytes (an RDB file stores them as they are), from a fixed seed. */
function noise(n: number): string {
  const parts: string[] = [];
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i += 8192) {
    const u = new Uint8Array(Math.min(8192, n - i));
    for (let j = 0; j < u.length; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      u[j] = x & 0xff;
    }
    parts.push(String.fromCharCode.apply(null, u as unknown as number[]));
  }
  return parts.join('');
}
/** A value whose ends show a mix-up or a cut. */
const value = (n: number, tag: string) => `<${tag}>` + 'x'.repeat(n - 2 * tag.length - 5) + `</${tag}>`;
const same = (a: unknown, b: string) => typeof a === 'string' && a.length === b.length && a === b;

function post(path: string, body: unknown) {
  return worker.fetch(`http://kf${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) });
}

const backend = () => new WorkerBackend(env, 'kf');
const shardStub = (i: number) => env.SHARD.get(env.SHARD.idFromName(`shard-${i}`));

describe('the 32 MiB RPC limit', () => {
  it('INCR pipelined with two GETs of a 20 MB value: every reply arrives, none is CLUSTERDOWN', async () => {
    const v = value(20 * MB, 'a');
    const c = await openResp();
    c.ws.send(toBytes(encodeCommand(['SET', '{a}v', v])));
    expect(await c.read(5)).toBe('+OK\r\n');
    c.ws.send(toBytes(encodeCommand(['INCR', '{a}ctr']) + encodeCommand(['GET', '{a}v']) + encodeCommand(['GET', '{a}v'])));
    expect(await c.read(4)).toBe(':1\r\n');
    const bulk = `$${v.length}\r\n${v}\r\n`;
    expect(same(await c.read(bulk.length), bulk)).toBe(true);
    expect(same(await c.read(bulk.length), bulk)).toBe(true);
    // The INCR ran once.
    expect(await c.cmd('GET', '{a}ctr')).toBe('$1\r\n1');
    c.ws.close();
  });

  it('SET of a 33 MB value works, and GET and STRLEN read it back (REST and WebSocket)', async () => {
    const v = value(33 * 1024 * 1024 + 7, 'b');
    expect(await (await post('/', ['SET', '{b}big', v])).json()).toEqual({ result: 'OK' });
    const r = (await (await post('/pipeline', [['STRLEN', '{b}big'], ['GET', '{b}big']])).json()) as Array<{ result: unknown }>;
    expect(r[0]).toEqual({ result: v.length });
    expect(same(r[1]!.result, v)).toBe(true);
    // A 33 MB command over the WebSocket arrives in two messages (each ≤ 32 MiB).
    const c = await openResp();
    const cmd = toBytes(encodeCommand(['SET', '{b}big2', v]));
    c.ws.send(cmd.slice(0, 20 * MB));
    c.ws.send(cmd.slice(20 * MB));
    expect(await c.read(5)).toBe('+OK\r\n');
    c.ws.send(toBytes(encodeCommand(['GET', '{b}big2']) + encodeCommand(['STRLEN', '{b}big2'])));
    const bulk = `$${v.length}\r\n${v}\r\n`;
    expect(same(await c.read(bulk.length), bulk)).toBe(true);
    expect(await c.read(`:${v.length}\r\n`.length)).toBe(`:${v.length}\r\n`);
    c.ws.close();
  });

  it('a staged batch runs as one batch: a transaction of 20 MB values is atomic and answers whole', async () => {
    const b = backend();
    const shard = b.slots.shardOfKey('{c}a');
    const v = value(20 * MB, 'c');
    const replies = await b.exec(shard, [['SET', '{c}a', v], ['SET', '{c}b', v], ['INCR', '{c}n'], ['GET', '{c}a'], ['GET', '{c}b']], 2, { atomic: true });
    expect(replies.slice(0, 3)).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }, { t: 'int', v: 1 }]);
    expect(same((replies[3] as { v: string }).v, v) && same((replies[4] as { v: string }).v, v)).toBe(true);
    // Over REST's /multi-exec too.
    const r = (await (await post('/multi-exec', [['SET', '{c}x', v], ['INCR', '{c}n'], ['GET', '{c}x']])).json()) as Array<{ result: unknown }>;
    expect(r[0]).toEqual({ result: 'OK' });
    expect(r[1]).toEqual({ result: 2 });
    expect(same(r[2]!.result, v)).toBe(true);
  });

  it('nothing of a staged batch runs unless every slice arrived', async () => {
    const b = backend();
    const shard = b.slots.shardOfKey('{d}k');
    const s = shardStub(shard);
    const info = { index: shard, count: b.slots.shards, slots: b.slots.ranges[shard]! };
    const enc = new BatchEncoder([['INCR', '{d}n'], ['SET', '{d}k', value(20 * MB, 'd')]], SLICE_BYTES);
    await s.stage('partial', enc.next()!, 9);
    expect(await s.exec(info, { staged: 'partial', slices: 3 }, 2)).toEqual({ gone: 'staged batch partial has 1 of 3 slices' });
    expect(await s.exec(info, { staged: 'never-staged', slices: 1 }, 2)).toMatchObject({ gone: expect.stringMatching(/is gone/) });
    expect(await b.exec(shard, [['EXISTS', '{d}n', '{d}k']], 2)).toEqual([{ t: 'int', v: 0 }]);
  });

  it('pending transfers are dropped when their client goes away, and when left idle', async () => {
    const b = backend();
    const shard = b.slots.shardOfKey('{e}v');
    const s = shardStub(shard);
    const info = { index: shard, count: b.slots.shards, slots: b.slots.ranges[shard]! };
    await b.exec(shard, [['SET', '{e}v', value(20 * MB, 'e')]], 2);
    const pending = () => runInDurableObject(s, (o: ShardObject) => (o as unknown as { transfers: Map<string, unknown> }).transfers.size);
    // A reply of 40 MB leaves in slices; the client vanishes before pulling the rest.
    const first = (await s.exec(info, [['GET', '{e}v'], ['GET', '{e}v']], 2, { client: 77 })) as unknown as SlicedReply;
    expect(first.more).toBe(true);
    expect(await pending()).toBe(1);
    await s.clientGone(77);
    expect(await pending()).toBe(0);
    expect(await s.pull(first.sliced, 77)).toMatchObject({ gone: expect.stringMatching(/is gone/) });
    // Another client cannot read it either.
    const again = (await s.exec(info, [['GET', '{e}v'], ['GET', '{e}v']], 2, { client: 78 })) as unknown as SlicedReply;
    expect(await s.pull(again.sliced, 79)).toMatchObject({ gone: expect.stringMatching(/is gone/) });
    // Idle past the timeout: swept.
    await s.stage('idle', new BatchEncoder([['PING']], SLICE_BYTES).next()!, 80);
    expect(await pending()).toBe(2);
    await runInDurableObject(s, (o: ShardObject) => {
      const x = o as unknown as { transfers: Map<string, { at: number }>; sweep(): void };
      for (const t of x.transfers.values()) t.at -= 10 * 60_000;
      x.sweep();
    });
    expect(await pending()).toBe(0);
  });

  it('GET /export and POST /import move a 33 MB value', async () => {
    const v = noise(33 * 1024 * 1024 + 1);
    expect(await backend().exec(backend().slots.shardOfKey('{f}big'), [['SET', '{f}big', v]], 2)).toEqual([{ t: 'simple', v: 'OK' }]);
    const res = await worker.fetch('http://kf/export', { headers: H });
    expect(res.status).toBe(200);
    const file = new Uint8Array(await res.arrayBuffer());
    let found: unknown = null;
    for (const e of readRdb(file)) if (e.key === '{f}big') found = e.value;
    expect(same(found, v)).toBe(true);
    expect(await (await post('/', ['DEL', '{f}big'])).json()).toEqual({ result: 1 });
    const imp = await worker.fetch('http://kf/import', { method: 'POST', headers: H, body: file });
    const lines = (await imp.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[lines.length - 1]).toMatchObject({ done: true });
    expect(await (await post('/', ['STRLEN', '{f}big'])).json()).toEqual({ result: v.length });
    // ~10 s on its own: the RDB code's LZF attempts and CRC64s over 33 MB, several times.
  }, 120_000);
});

describe('proto-max-bulk-len at the edge', () => {
  const reset = () => post('/', ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb']);
  const ERR = '-ERR Protocol error: invalid bulk length\r\n';

  it('after CONFIG SET proto-max-bulk-len 1mb, a 2 MB bulk over the WebSocket is a protocol error that closes it', async () => {
    try {
      const c = await openResp();
      expect(await c.cmd('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')).toBe('+OK');
      const closed = new Promise<void>((r) => c.ws.addEventListener('close', () => r()));
      // Redis answers as soon as it reads the length, before the bytes arrive.
      c.send('*3\r\n$3\r\nSET\r\n$5\r\n{g}k1\r\n$2097152\r\n');
      expect(await c.read(ERR.length)).toBe(ERR);
      await closed;
      // A bulk of exactly the limit is accepted; one byte more is not, even pipelined right
      // after the CONFIG SET that set the limit.
      const d = await openResp();
      expect(await d.cmd('SET', '{g}k2', 'y'.repeat(1024 * 1024))).toBe('+OK');
      await reset();
      const e = await openResp();
      const eClosed = new Promise<void>((r) => e.ws.addEventListener('close', () => r()));
      e.send(encodeCommand(['CONFIG', 'SET', 'proto-max-bulk-len', '1mb']) + '*3\r\n$3\r\nSET\r\n$5\r\n{g}k3\r\n$1048577\r\n');
      expect(await e.read(5 + ERR.length)).toBe('+OK\r\n' + ERR);
      await eClosed;
      expect(await (await post('/', ['EXISTS', '{g}k1', '{g}k3'])).json()).toEqual({ result: 0 });
    } finally {
      await reset();
    }
    // Back at 512mb: 2 MB is fine again.
    const f = await openResp();
    expect(await f.cmd('SET', '{g}k1', 'z'.repeat(2 * 1024 * 1024))).toBe('+OK');
    f.ws.close();
  });

  it('REST answers 400 with the same error for an argument over the limit, and runs nothing', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    try {
      expect(await (await post('/', ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'])).json()).toEqual({ result: 'OK' });
      const err = { error: 'ERR Protocol error: invalid bulk length' };
      const one = await post('/', ['SET', '{h}k', big]);
      expect(one.status).toBe(400);
      expect(await one.json()).toEqual(err);
      const pipe = await post('/pipeline', [['INCR', '{h}n'], ['SET', '{h}k', big]]);
      expect(pipe.status).toBe(400);
      expect(await pipe.json()).toEqual(err);
      const tx = await post('/multi-exec', [['INCR', '{h}n'], ['SET', '{h}k', big]]);
      expect(tx.status).toBe(400);
      expect(await tx.json()).toEqual(err);
      const path = await worker.fetch('http://kf/set/{h}k', { method: 'POST', headers: H, body: big });
      expect(path.status).toBe(400);
      expect(await path.json()).toEqual(err);
      expect(await (await post('/', ['EXISTS', '{h}k', '{h}n'])).json()).toEqual({ result: 0 });
      expect(await (await post('/', ['SET', '{h}k', big.slice(0, 1024 * 1024)])).json()).toEqual({ result: 'OK' });
    } finally {
      await reset();
    }
    expect(await (await post('/', ['SET', '{h}k', big])).json()).toEqual({ result: 'OK' });
  });
});
