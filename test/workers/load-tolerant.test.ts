// Issue 19 item 1 in the Workers runtime: a hash with 130k field TTLs written into the base by a
// rewrite no longer bricks its shard on the next load, and no stored value or log record that
// cannot load keeps a shard down — it is skipped, reported in INFO keyflare, and the rest serves.
import { env, exports } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SlotMap } from '../../src/cluster/slot.js';
import type { ShardObject } from '../../src/objects/shard.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { Crc64 } from '../../src/persistence/crc64.js';
import { T_SET, Writer } from '../../src/persistence/rdb-io.js';
import { RDB_EOF, rdbEntry, rdbHeader } from '../../src/persistence/rdb-snapshot.js';

type R = { result?: unknown; error?: string };
const worker = (exports as unknown as { default: Fetcher }).default;
const call = async (...cmds: unknown[][]): Promise<R[]> => {
  const res = await worker.fetch('http://kf/pipeline', { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: JSON.stringify(cmds) });
  expect(res.status).toBe(200);
  return (await res.json()) as R[];
};
const slots = new SlotMap(4);
const shardOf = (key: string) => env.SHARD.get(env.SHARD.idFromName(`shard-${slots.shardOfKey(key)}`));
const keyflareInfo = async (): Promise<string> => String((await call(['INFO', 'keyflare']))[0]!.result);

async function rewriteAndWait(): Promise<void> {
  expect((await call(['BGREWRITEAOF']))[0]!.result).toBe('Background append only file rewriting started');
  for (let i = 0; i < 600; i++) {
    const [info] = await call(['INFO', 'persistence']);
    if (String(info!.result).includes('aof_rewrite_in_progress:0')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the rewrite did not finish');
}

describe('loading never bricks a shard', () => {
  it('a hash with 130k field TTLs in the base: after a restart its shard serves it and every other key', async () => {
    const FIELDS = 130_000;
    // The reproduction: HSET in batches of 1000 fields, HEXPIRE on all of them.
    for (let i = 0; i < FIELDS; i += 10_000) {
      const cmds: string[][] = [];
      for (let b = i; b < i + 10_000; b += 1000) {
        const hset = ['HSET', '{hx}h'];
        const hexp = ['HEXPIRE', '{hx}h', '100000', 'FIELDS', '1000'];
        for (let j = b; j < b + 1000; j++) {
          hset.push(`f${j}`, `v${j}`);
          hexp.push(`f${j}`);
        }
        cmds.push(hset, hexp);
      }
      const replies = await call(...cmds);
      expect(replies.filter((r) => r.error)).toEqual([]);
    }
    await call(['SET', '{hx}canary', 'alive']);
    await rewriteAndWait();
    await evictDurableObject(shardOf('{hx}h'));
    expect(await call(['GET', '{hx}canary'], ['HLEN', '{hx}h'], ['HGET', '{hx}h', `f${FIELDS - 1}`])).toEqual([
      { result: 'alive' }, { result: FIELDS }, { result: `v${FIELDS - 1}` },
    ]);
    const [ttl] = await call(['HTTL', '{hx}h', 'FIELDS', '1', 'f0']);
    const secs = (ttl!.result as number[])[0]!;
    expect(secs).toBeGreaterThan(99_000);
    expect(secs).toBeLessThanOrEqual(100_000);
    expect(await keyflareInfo()).toMatch(/load_skipped_keys:0\r\nload_skipped_records:0\r\nload_truncated_bytes:0\r\nload_last_error:\r\n/);
    await call(['DEL', '{hx}h', '{hx}canary']);
  }, 300_000);

  it('a base value that cannot load is skipped and reported; the other keys serve', async () => {
    const stub = shardOf('{bv}good');
    await call(['SET', '{bv}good', 'yes']);
    // A base image holding a good key, a set whose members repeat (its loader refuses it), another good key.
    const bad = new Writer(false).byte(T_SET).str('{bv}bad').len(2).str('x').str('x').drain();
    const body = rdbHeader(Date.now(), 3, 0, true) + rdbEntry('{bv}good', 'yes', -1) + bad + rdbEntry('{bv}also', 'fine', -1) + RDB_EOF;
    const image = body + new Crc64().update(body).bytes();
    await runInDurableObject(stub, (o: ShardObject) => {
      const m = o.currentManifest();
      const gen = (m.base?.gen ?? 0) + 1;
      o.writeBaseRow(gen, 0, image);
      const last = m.segments[m.segments.length - 1]!.seg;
      o.setManifest({ base: { gen, bytes: image.length, keys: 3, at: Date.now() }, segments: [{ seg: last + 1, bytes: 0 }] });
    });
    await evictDurableObject(stub);
    expect(await call(['GET', '{bv}good'], ['GET', '{bv}also'], ['EXISTS', '{bv}bad'], ['SET', '{bv}new', '1'])).toEqual([
      { result: 'yes' }, { result: 'fine' }, { result: 0 }, { result: 'OK' },
    ]);
    const info = await keyflareInfo();
    expect(info).toMatch(/load_skipped_keys:1\r\n/);
    expect(info).toMatch(/load_last_error:shard \d: Corrupt value of key '\{bv\}bad': Duplicate set members detected\r\n/);
  });

  it('unreadable bytes in the log: the shard loads the records before them, and writes after the restart survive the next one', async () => {
    const stub = shardOf('{lg}a');
    await call(['SET', '{lg}a', '1']);
    await runInDurableObject(stub, (o: ShardObject, state: DurableObjectState) => {
      const m = o.currentManifest();
      const seg = m.segments[m.segments.length - 1]!.seg;
      const junk = '*2\r\n?garbage\r\n' + encodeCommand(['SET', '{lg}lost', 'x']);
      // A log row (persistence/port.ts LogRow) at the stream's end, starting a unit.
      const end = state.storage.sql.exec('SELECT COALESCE(MAX(off + len), 0) AS n FROM stream').one().n as number;
      state.storage.sql.exec('INSERT INTO stream (off, len, seg, head, data) VALUES (?, ?, ?, 1, ?)', end, junk.length, seg, toBytes(junk).buffer);
    });
    await evictDurableObject(stub);
    expect(await call(['GET', '{lg}a'], ['EXISTS', '{lg}lost'], ['SET', '{lg}after', 'kept'])).toEqual([{ result: '1' }, { result: 0 }, { result: 'OK' }]);
    expect(await keyflareInfo()).toMatch(/load_skipped_records:1\r\n/);
    // The write acknowledged after the damaged load went to a fresh segment: a restart replays it.
    await evictDurableObject(stub);
    expect(await call(['GET', '{lg}a'], ['GET', '{lg}after'])).toEqual([{ result: '1' }, { result: 'kept' }]);
  });
});
