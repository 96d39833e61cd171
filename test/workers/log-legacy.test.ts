// A shard stored before the log was addressed by offset — log rows (seq, seg, data) that are
// byte chunks of one RESP stream, a record spanning rows, and a manifest without offsets — still
// loads: its rows are converted once to offset-addressed rows and the old table goes.
import { env } from 'cloudflare:workers';
import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ShardObject } from '../../src/objects/shard.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { toBytes } from '../../src/protocol/bytes.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';

const info = { index: 0, count: 4, slots: [0, 4095] as [number, number] };
// Every key carries the {b} hash tag: slot 3300, one this shard owns.
type F = { t: string; v?: unknown };
const stub = (name: string) => env.SHARD.get(env.SHARD.idFromName(name));
const exec = async (name: string, ...cmds: string[][]) => (await stub(name).exec(info, cmds, 2)) as unknown as F[];

describe('log format migration', () => {
  it('loads old-format rows and a base, converts them, and keeps serving and storing', async () => {
    const name = 'legacy-1';
    const records = [['SET', '{b}a', '1'], ['RPUSH', '{b}l', 'x', 'y'], ['SET', '{b}big', 'z'.repeat(3000)], ['INCR', '{b}a'], ['DEL', '{b}b0']];
    const stream = records.map((r) => encodeCommand(r)).join('');
    const w = RDB_SNAPSHOT.writer(Date.now());
    const base = w.begin(2, 0) + w.entry('{b}b0', 'base zero', -1) + w.entry('{b}b1', 'base one', -1) + w.end();
    await runInDurableObject(stub(name), (_o: ShardObject, state: DurableObjectState) => {
      const sql = state.storage.sql;
      sql.exec('CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, seg INTEGER NOT NULL, data BLOB NOT NULL)');
      // The old AofBuffer cut rows anywhere: here every 700 bytes, so records span rows.
      for (let i = 0; i < stream.length; i += 700) sql.exec('INSERT INTO log (seg, data) VALUES (?, ?)', 2, toBytes(stream.slice(i, i + 700)).buffer);
      sql.exec('INSERT INTO base (gen, idx, data) VALUES (?, ?, ?)', 1, 0, toBytes(base).buffer);
      const manifest = { base: { gen: 1, bytes: base.length, keys: 2, at: Date.now() }, segments: [{ seg: 2, bytes: 0 }] };
      sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', 'manifest', JSON.stringify(manifest));
      sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', 'info', JSON.stringify(info));
    });
    await evictDurableObject(stub(name));
    const probe = [['GET', '{b}a'], ['LRANGE', '{b}l', '0', '-1'], ['STRLEN', '{b}big'], ['EXISTS', '{b}b0'], ['GET', '{b}b1']];
    const want = [
      { t: 'bulk', v: '2' }, { t: 'arr', v: [{ t: 'bulk', v: 'x' }, { t: 'bulk', v: 'y' }] }, { t: 'int', v: 3000 }, { t: 'int', v: 0 }, { t: 'bulk', v: 'base one' },
    ];
    const got = await exec(name, ...probe);
    expect(got).toEqual(want);
    // (A shard answers INFO with its counters; the connection renders them.)
    const [repl] = await exec(name, ['INFO', 'replication']);
    // The converted history opens with SELECT 0 (23 bytes), then the old records, byte for byte.
    expect(String(repl!.v)).toContain(`\nreplOff:${23 + stream.length}\n`);
    expect(String(repl!.v)).toMatch(/\nreplid:[0-9a-f]{40}\n/);
    const tables = await runInDurableObject(stub(name), (_o: ShardObject, state: DurableObjectState) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").toArray().map((r) => r.name));
    expect(tables).not.toContain('log');
    expect(tables).toContain('stream');
    // New writes go on after the converted rows, and everything survives a crash.
    await exec(name, ['INCR', '{b}a'], ['SET', '{b}c', 'new']);
    await abortAllDurableObjects();
    expect(await exec(name, ['GET', '{b}a'], ['GET', '{b}c'], ['GET', '{b}b1'])).toEqual([{ t: 'bulk', v: '3' }, { t: 'bulk', v: 'new' }, { t: 'bulk', v: 'base one' }]);
    const [again] = await exec(name, ['INFO', 'replication']);
    expect(String(again!.v)).toContain(`\nreplid:${/\nreplid:([0-9a-f]{40})/.exec(String(repl!.v))![1]}\n`);
  });
});
