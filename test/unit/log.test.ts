// The shard's log (persistence/log.ts, writer.ts, recovery.ts, host.ts) over memory storage:
// offsets as Redis counts its replication stream, framed atomic batches, readFrom and its
// backlog floor, replid persistence, the group commit, the old row format's migration.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import { EXEC_RECORD, MULTI_RECORD, SELECT0, ShardLog, UnitReader, ZERO_ID, encodeUnit, packRows, type Unit } from '../../src/persistence/log.js';
import { MemoryPort, type StoragePort } from '../../src/persistence/port.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { HeldPort, ManualTimers, seededBytes } from '../helpers/fake-storage.js';

const info = { index: 0, count: 1, slots: [0, 16383] as const };

function env(port: StoragePort, over: Partial<HostEnv> = {}): HostEnv {
  return { port, clock: new ManualClock(), timers: new ManualTimers(), randomBytes: seededBytes(7), codec: RDB_SNAPSHOT, ...over };
}

async function run(h: ShardHost, ...cmds: string[][]) {
  return await h.exec(cmds, 2);
}

/** Every unit of the stored log, read back from offset 0. */
function allUnits(h: ShardHost): Unit[] {
  const out: Unit[] = [];
  let off = h.log.floor;
  for (;;) {
    const r = h.readFrom(off, 1);
    if (!r.ok) throw new Error(r.reason);
    if (!r.units.length) return out;
    for (const u of r.units) out.push(u);
    off = r.next;
  }
}

describe('log offsets', () => {
  it('count the RESP bytes of each record, after the SELECT 0 that opens the stream', async () => {
    const h = ShardHost.open(info, env(new MemoryPort()))!;
    expect(h.log.offset).toBe(0);
    await run(h, ['SET', 'k', 'v']);
    expect(SELECT0).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n');
    expect(h.log.offset).toBe(SELECT0.length + encodeCommand(['SET', 'k', 'v']).length); // 23 + 27, as Redis's 50
    let prev = h.log.offset;
    for (const c of [['RPUSH', 'l', 'a', 'bb'], ['INCR', 'n'], ['HSET', 'h', 'f', 'x'.repeat(300)]]) {
      await run(h, c);
      expect(h.log.offset).toBe(prev + encodeCommand(c).length);
      prev = h.log.offset;
    }
    // A read changes nothing.
    await run(h, ['GET', 'k']);
    expect(h.log.offset).toBe(prev);
    // The offset survives a restart (it is the stored stream's end).
    const again = ShardHost.open(info, env(h['env'].port))!;
    expect(again.log.offset).toBe(prev);
  });

  it('frames an atomic batch of several effects as MULTI … EXEC, and a single effect not at all', async () => {
    const h = ShardHost.open(info, env(new MemoryPort()))!;
    await run(h, ['SET', 'x', '0']);
    const before = h.log.offset;
    await h.exec([['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a']], 2, { atomic: true });
    const framed = MULTI_RECORD + encodeCommand(['SET', 'a', '1']) + encodeCommand(['INCR', 'a']) + EXEC_RECORD;
    expect(h.log.offset - before).toBe(framed.length);
    await h.exec([['SET', 'b', '1'], ['GET', 'b']], 2, { atomic: true });
    expect(h.log.offset - before - framed.length).toBe(encodeCommand(['SET', 'b', '1']).length);
    const units = allUnits(h);
    expect(units.map((u) => [u.atomic, u.records])).toEqual([
      [false, [['SELECT', '0']]],
      [false, [['SET', 'x', '0']]],
      [true, [['SET', 'a', '1'], ['INCR', 'a']]],
      [false, [['SET', 'b', '1']]],
    ]);
    expect(encodeUnit([['SET', 'a', '1'], ['INCR', 'a']], true)).toBe(framed);
  });
});

describe('scripts', () => {
  it("a script's effects are one framed unit, and inside a transaction they join its frame", async () => {
    const h = ShardHost.open(info, env(new MemoryPort()))!;
    await run(h, ['EVAL', "redis.call('SET', KEYS[1], '1') redis.call('SET', KEYS[2], '2') return 1", '2', 'a', 'b']);
    await h.exec([['SET', 'c', '3'], ['EVAL', "redis.call('SET', KEYS[1], '4') redis.call('DEL', KEYS[2]) return 1", '2', 'd', 'c']], 2, { atomic: true });
    expect(allUnits(h).map((u) => [u.atomic, u.records])).toEqual([
      [false, [['SELECT', '0']]],
      [true, [['SET', 'a', '1'], ['SET', 'b', '2']]],
      [true, [['SET', 'c', '3'], ['SET', 'd', '4'], ['DEL', 'c']]],
    ]);
  });
});

describe('rows', () => {
  it('a unit bigger than a row spans rows of its own; every head row starts a unit', () => {
    const units = [encodeCommand(['SET', 'a', '1']), encodeCommand(['SET', 'big', 'x'.repeat(250)]), encodeUnit([['SET', 'c', '1'], ['SET', 'd', '2']], true), encodeCommand(['DEL', 'a'])];
    const rows = packRows(units, 1000, 3, 64);
    let off = 1000;
    for (const r of rows) {
      expect(r.off).toBe(off);
      expect(r.data.length).toBeLessThanOrEqual(64);
      expect(r.seg).toBe(3);
      off += r.data.length;
    }
    const starts = new Set<number>();
    off = 1000;
    for (const u of units) {
      starts.add(off);
      off += u.length;
    }
    for (const r of rows) expect(starts.has(r.off) || !r.head).toBe(true);
    expect(rows.filter((r) => r.head).map((r) => r.off)).toEqual([...starts]);
    // Read back row by row: the same units, the frame whole.
    const reader = new UnitReader(1000);
    const got: Unit[] = [];
    for (const r of rows) reader.push(r.data, got);
    expect(got.map((u) => u.records.length)).toEqual([1, 1, 2, 1]);
    expect(got[2]!.atomic).toBe(true);
    expect(reader.tailStart).toBe(reader.fed);
  });

  it('readFrom serves every unit boundary, refuses offsets inside a unit, and never splits a frame', async () => {
    const h = ShardHost.open(info, env(new MemoryPort(), { maxRow: 48 }))!;
    await run(h, ['SET', 'a', '1']);
    await h.exec([['SET', 'b', 'x'.repeat(100)], ['SET', 'c', '2'], ['DEL', 'a']], 2, { atomic: true });
    await run(h, ['SET', 'd', 'y'.repeat(70)]);
    await h.exec([['SET', 'e', '1'], ['SET', 'f', '2']], 2, { atomic: true });
    const units = allUnits(h);
    expect(units.map((u) => u.atomic)).toEqual([false, false, true, false, true]);
    for (let i = 0; i < units.length; i++) {
      // Whatever the budget, a read returns whole units, starting where asked.
      for (const max of [1, 30, 1e9]) {
        const r = h.readFrom(units[i]!.off, max);
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        expect(r.units[0]).toEqual(units[i]);
        expect(r.units).toEqual(units.slice(i, i + r.units.length));
        expect(r.next).toBe(r.units[r.units.length - 1]!.end);
      }
      for (let off = units[i]!.off + 1; off < units[i]!.end; off += 7) {
        expect(h.readFrom(off)).toMatchObject({ ok: false, reason: 'unaligned' });
      }
    }
    expect(h.readFrom(h.log.offset)).toEqual({ ok: true, units: [], next: h.log.offset });
    expect(h.readFrom(h.log.offset + 1)).toMatchObject({ ok: false, reason: 'ahead' });
  });
});

describe('backlog', () => {
  /** Units of exactly 64 bytes. */
  const set64 = (i: number) => ['SET', `k${String(i).padStart(5, '0')}`, 'v'.repeat(32)];

  it('readFrom below, at and inside the floor; history below it is deleted only once a rewrite covers it', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    // (CONFIG SET is in keyflare's stream: settings persist through it. Redis does not propagate it.)
    await run(h, ['CONFIG', 'SET', 'repl-backlog-size', '16384']);
    const start = h.log.offset;
    expect(start).toBe(23 + encodeCommand(['CONFIG', 'SET', 'repl-backlog-size', '16384']).length);
    expect(encodeCommand(set64(1)).length).toBe(64);
    for (let i = 0; i < 600; i++) await run(h, set64(i));
    const end = h.log.offset;
    expect(end).toBe(start + 600 * 64);
    const floor = h.log.floor;
    expect(floor).toBe(end - 16384);
    expect((floor - start) % 64).toBe(0); // a unit boundary
    expect(h.readFrom(floor)).toMatchObject({ ok: true });
    expect(h.readFrom(floor + 64)).toMatchObject({ ok: true });
    expect(h.readFrom(floor - 64)).toEqual({ ok: false, reason: 'below-floor', floor, offset: end });
    expect(h.readFrom(0)).toMatchObject({ ok: false, reason: 'below-floor' });
    // Recovery still needs every row (no base yet): nothing was deleted.
    expect(port.rows[0]!.off).toBe(0);
    // After a rewrite the base covers the old rows: those below the backlog floor go.
    expect(await run(h, ['SAVE'])).toEqual([{ t: 'simple', v: 'OK' }]);
    for (let i = 600; i < 700; i++) await run(h, set64(i));
    expect(port.rows[0]!.off).toBeGreaterThan(0);
    expect(port.rows[0]!.off).toBeLessThanOrEqual(h.log.floor);
    expect(h.readFrom(h.log.floor)).toMatchObject({ ok: true });
    expect(h.log.facts().histlen).toBe(16384);
    // The rows kept after a restart serve the same floor; the base replays with the rest.
    const again = ShardHost.open(info, env(port))!;
    expect(again.log.offset).toBe(h.log.offset);
    expect((await run(again, ['DBSIZE']))[0]).toEqual({ t: 'int', v: 700 });
  });
});

describe('replication ids', () => {
  it('a replid is made at the first start from the injected randomness and kept across restarts', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port, { randomBytes: seededBytes(1) }))!;
    expect(h.log.replid).toMatch(/^[0-9a-f]{40}$/);
    expect(h.log.replid2).toBe(ZERO_ID);
    expect(h.log.secondOffset).toBe(-1);
    await run(h, ['SET', 'a', '1']);
    const again = ShardHost.open(info, env(port, { randomBytes: seededBytes(2) }))!;
    expect(again.log.replid).toBe(h.log.replid);
    const other = ShardHost.open(info, env(new MemoryPort(), { randomBytes: seededBytes(2) }))!;
    expect(other.log.replid).not.toBe(h.log.replid);
    expect(other.log.replid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a promotion keeps the old id valid up to the offset it happened at (shiftReplicationId)', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    await run(h, ['SET', 'a', '1']);
    const old = h.log.replid;
    const at = h.log.offset;
    h.shiftReplid();
    expect(h.log.replid2).toBe(old);
    expect(h.log.secondOffset).toBe(at + 1);
    expect(h.log.replid).not.toBe(old);
    await run(h, ['SET', 'b', '2']);
    expect(h.log.canContinue(old, at)).toBe(true);
    expect(h.log.canContinue(old, h.log.offset)).toBe(false);
    expect(h.log.canContinue(h.log.replid, h.log.offset)).toBe(true);
    expect(h.readFrom(at, undefined, old)).toMatchObject({ ok: true });
    expect(h.readFrom(h.log.offset, undefined, old)).toMatchObject({ ok: false, reason: 'replid' });
    expect(h.readFrom(0, undefined, '1'.repeat(40))).toMatchObject({ ok: false, reason: 'replid' });
    const again = ShardHost.open(info, env(port))!;
    expect(again.log.ids()).toEqual(h.log.ids());
  });
});

describe('writer', () => {
  it('group commit: batches arriving during a commit share the next one; replies wait for theirs', async () => {
    const port = new HeldPort();
    const h = ShardHost.open(info, env(port))!;
    const acked: number[] = [];
    const first = Promise.resolve(h.exec([['SET', 'k0', 'v']], 2)).then(() => acked.push(0));
    await new Promise((r) => setTimeout(r, 0));
    expect(port.syncs).toBe(1);
    const rest = [1, 2, 3, 4].map((i) => Promise.resolve(h.exec([['SET', `k${i}`, 'v']], 2)).then(() => acked.push(i)));
    await new Promise((r) => setTimeout(r, 0));
    expect(port.syncs).toBe(1); // the others wait for the commit in flight
    expect(acked).toEqual([]);
    expect(port.rows.length).toBe(1);
    port.release();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(port.syncs).toBe(2); // one commit for the four
    expect(port.rows.length).toBe(2);
    expect(acked).toEqual([0]);
    port.release();
    await Promise.all(rest);
    expect(acked).toEqual([0, 1, 2, 3, 4]);
  });

  it('everysec: replies leave at once and the records are stored by the timer', async () => {
    const port = new MemoryPort();
    const timers = new ManualTimers();
    const h = ShardHost.open(info, env(port, { timers }))!;
    await run(h, ['CONFIG', 'SET', 'appendfsync', 'everysec']);
    await run(h, ['SET', 'a', '1']);
    await run(h, ['SET', 'b', '1']);
    expect(port.rows.length).toBe(0);
    expect(h.shard.persist.aofBufferLength).toBeGreaterThan(0);
    timers.advance(999);
    expect(port.rows.length).toBe(0);
    timers.advance(1);
    expect(port.rows.length).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.log.durable).toBe(h.log.offset);
  });
});

describe('recovery', () => {
  it('an atomic batch whose last rows never got stored is not applied, and its rows are cut off', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port, { maxRow: 40 }))!;
    await run(h, ['SET', 'before', '1']);
    const cut = h.log.offset;
    await h.exec([['SET', 'a', '1'], ['SET', 'b', 'x'.repeat(80)], ['SET', 'c', '1']], 2, { atomic: true });
    const rows = port.rows.filter((r) => r.off >= cut);
    expect(rows.length).toBeGreaterThan(2);
    for (let keep = 0; keep < rows.length; keep++) {
      // Storage that kept only the first `keep` rows of the batch (a crash mid-commit).
      const p = new MemoryPort();
      for (const [k, v] of port.meta) p.meta.set(k, v);
      p.rows = port.rows.filter((r) => r.off < cut).concat(rows.slice(0, keep));
      const r = ShardHost.open(info, env(p, { maxRow: 40 }))!;
      expect(await run(r, ['EXISTS', 'before', 'a', 'b', 'c'])).toEqual([{ t: 'int', v: 1 }]);
      expect(r.log.offset).toBe(cut);
      expect(r.shard.persist.loadTruncatedBytes).toBe(rows.slice(0, keep).reduce((n, x) => n + x.data.length, 0));
      expect(p.rows.every((x) => x.off < cut)).toBe(true);
      // The stream goes on from there, and the next load is clean.
      await run(r, ['SET', 'after', '1']);
      const again = ShardHost.open(info, env(p, { maxRow: 40 }))!;
      expect(again.shard.persist.loadTruncatedBytes).toBe(0);
      expect(await run(again, ['EXISTS', 'before', 'a', 'after'])).toEqual([{ t: 'int', v: 2 }]);
    }
    const whole = ShardHost.open(info, env(port, { maxRow: 40 }))!;
    expect(await run(whole, ['EXISTS', 'before', 'a', 'b', 'c'])).toEqual([{ t: 'int', v: 4 }]);
  });

  it('bytes that do not parse are skipped up to the next unit boundary, and kept; what follows replays', async () => {
    const port = new MemoryPort();
    const h = ShardHost.open(info, env(port))!;
    await run(h, ['SET', 'a', '1']);
    const at = h.log.offset;
    const junk = '*2\r\n?garbage\r\n' + encodeCommand(['SET', 'lost', 'x']);
    port.rows.push({ off: at, seg: 1, head: true, data: junk });
    const r1 = ShardHost.open(info, env(port))!;
    expect(r1.shard.persist.loadSkippedRecords).toBe(1);
    expect(r1.shard.persist.loadLastError).toContain('unreadable log bytes');
    expect(r1.log.offset).toBe(at + junk.length); // kept: the stream goes on after it
    await run(r1, ['SET', 'after', '2']);
    const r2 = ShardHost.open(info, env(port))!;
    expect(await run(r2, ['GET', 'a'], ['EXISTS', 'lost'], ['GET', 'after'])).toEqual([{ t: 'bulk', v: '1' }, { t: 'int', v: 0 }, { t: 'bulk', v: '2' }]);
    expect(r2.readFrom(at)).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(r2.readFrom(at + junk.length)).toMatchObject({ ok: true, units: [{ records: [['SET', 'after', '2']] }] });
  });

  it('loads the old row format (seq-ordered byte chunks, records spanning rows) and converts it', async () => {
    const records = [['SET', 'a', '1'], ['RPUSH', 'l', 'x', 'y'], ['SET', 'big', 'z'.repeat(5000)], ['INCR', 'n']];
    const stream = records.map((r) => encodeCommand(r)).join('');
    const port = new MemoryPort();
    // Chunks cut anywhere, as AofBuffer.take cut them; one old manifest without offsets.
    for (let i = 0; i < stream.length; i += 1000) port.legacy.push({ seg: 1, data: stream.slice(i, i + 1000) });
    port.meta.set('manifest', JSON.stringify({ base: null, segments: [{ seg: 1, bytes: stream.length }] }));
    const h = ShardHost.open(info, env(port))!;
    expect(await run(h, ['GET', 'a'], ['LRANGE', 'l', '0', '-1'], ['STRLEN', 'big'], ['GET', 'n'])).toEqual([
      { t: 'bulk', v: '1' }, { t: 'arr', v: [{ t: 'bulk', v: 'x' }, { t: 'bulk', v: 'y' }] }, { t: 'int', v: 5000 }, { t: 'bulk', v: '1' },
    ]);
    expect(port.legacy).toEqual([]);
    expect(h.log.offset).toBe(SELECT0.length + stream.length);
    expect(allUnits(h).map((u) => u.records[0]![0])).toEqual(['SELECT', 'SET', 'RPUSH', 'SET', 'INCR']);
    await run(h, ['INCR', 'n']);
    const again = ShardHost.open(info, env(port))!;
    expect(await run(again, ['GET', 'n'])).toEqual([{ t: 'bulk', v: '2' }]);
  });
});

describe('ShardLog', () => {
  it('is pure bookkeeping over the port: offsets move only by appended bytes', () => {
    const log = new ShardLog(new MemoryPort(), { replid: 'a'.repeat(40), replid2: ZERO_ID, secondOffset: -1 });
    expect(log.append([], false)).toBe(0);
    expect(log.offset).toBe(0);
    const units: Array<[string, number]> = [];
    const n = log.append([['DEL', 'k']], false, (u, off) => units.push([u, off]));
    const s = SELECT0 + encodeCommand(['DEL', 'k']);
    expect(units).toEqual([[SELECT0, 0], [encodeCommand(['DEL', 'k']), SELECT0.length]]);
    expect(n).toBe(s.length);
    expect(log.offset).toBe(s.length);
    expect(log.facts()).toEqual({ replid: 'a'.repeat(40), replid2: ZERO_ID, offset: s.length, secondOffset: -1, backlogActive: true, backlogSize: 1048576, firstByte: 1, histlen: s.length });
  });
});
