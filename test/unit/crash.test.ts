// Crash semantics in plain Node: a seeded workload (concurrent plain and atomic batches, scripts, a
// background rewrite, units spanning rows) runs on the shard host over fake storage that stops —
// or fails — at its n-th write, for every n the workload makes. After recovery from what
// survived: no write acknowledged under appendfsync always is lost, no atomic batch is partly
// visible, and the stream goes on cleanly (a second recovery sees the same state).
// Size: every write point of KF_NODE_CRASH_SEEDS seeded workloads (default 1) in each storage
// model; KF_NODE_CRASH_BATCHES sets the workload length (default 60).
import { describe, expect, it } from 'vitest';
import { ManualClock, Rng } from '../../src/engine/clock.js';
import type { Timers } from '../../src/engine/blocking.js';
import { ShardHost, type HostEnv } from '../../src/shard/host.js';
import { RDB_SNAPSHOT } from '../../src/persistence/rdb-snapshot.js';
import type { StoragePort } from '../../src/persistence/port.js';
import type { Frame } from '../../src/protocol/frame.js';
import { CrashPort, seededBytes } from '../helpers/fake-storage.js';

const SEEDS = Number(process.env.KF_NODE_CRASH_SEEDS ?? 1);
const BATCHES = Number(process.env.KF_NODE_CRASH_BATCHES ?? 60);
const info = { index: 0, count: 1, slots: [0, 16383] as const };
const timers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as never) };
const tick = () => new Promise<void>((r) => setImmediate(r));

function hostEnv(port: StoragePort): HostEnv {
  // Rows of 64 bytes: most atomic batches and the larger values span several rows.
  return { port, clock: new ManualClock(), timers, randomBytes: seededBytes(3), codec: RDB_SNAPSHOT, maxRow: 64 };
}

interface Outcome {
  /** key → value of every acknowledged plain write. */
  acked: Map<string, string>;
  /** Every atomic batch sent: its keys, and whether it was acknowledged. */
  atomic: Array<{ keys: string[]; acked: boolean }>;
  incrSent: number;
  incrAcked: number;
  /** The workload ran to its end without a crash. */
  finished: boolean;
}

/** Run the seeded workload until it ends or the storage stops/fails. */
async function workload(port: CrashPort, seed: number): Promise<Outcome> {
  const out: Outcome = { acked: new Map(), atomic: [], incrSent: 0, incrAcked: 0, finished: false };
  let host: ShardHost;
  try {
    host = ShardHost.open(info, hostEnv(port))!;
  } catch {
    return out; // the very first writes (meta) failed
  }
  const rand = new Rng(seed);
  const dead = () => port.stopped || host.failed !== null;
  for (let b = 0; b < BATCHES && !dead(); ) {
    const wave: Array<Promise<void>> = [];
    let pending = 0;
    const n = 1 + rand.int(4);
    for (let i = 0; i < n && b < BATCHES; i++, b++) {
      const r = rand.next();
      let p: Frame[] | Promise<Frame[]>;
      let onAck: (f: Frame[]) => void;
      if (r < 0.3) {
        const keys = [`t${b}:a`, `t${b}:b`, `t${b}:c`];
        const rec = { keys, acked: false };
        out.atomic.push(rec);
        const cmds = keys.map((k) => ['SET', k, 'x'.repeat(1 + rand.int(90))]);
        try {
          p = host.exec([...cmds, ['INCR', 'tx']], 2, { atomic: true });
        } catch {
          break;
        }
        onAck = (f) => {
          if (f.every((x) => x.t !== 'err')) rec.acked = true;
        };
      } else if (r < 0.42) {
        // A script's writes: one MULTI … EXEC unit in the log, all or nothing after a crash.
        const keys = [`s${b}:a`, `s${b}:b`, `s${b}:c`];
        const rec = { keys, acked: false };
        out.atomic.push(rec);
        const body = "for i, k in ipairs(KEYS) do redis.call('SET', k, ARGV[1]) end return 1";
        try {
          p = host.exec([['EVAL', body, '3', ...keys, 'z'.repeat(1 + rand.int(60))]], 2);
        } catch {
          break;
        }
        onAck = (f) => {
          if (f[0]?.t === 'int') rec.acked = true;
        };
      } else if (r < 0.46 && b > 10) {
        try {
          p = host.exec([['BGREWRITEAOF']], 2);
        } catch {
          break;
        }
        onAck = () => {};
      } else {
        const key = `k${b}`;
        const val = `v${b}.${'y'.repeat(rand.int(120))}`;
        out.incrSent++;
        try {
          p = host.exec([['SET', key, val], ['INCR', 'counter']], 2);
        } catch {
          break;
        }
        onAck = (f) => {
          if (f[0]?.t === 'simple') out.acked.set(key, val);
          if (f[1]?.t === 'int') out.incrAcked++;
        };
      }
      pending++;
      wave.push(Promise.resolve(p).then(onAck, () => {}).finally(() => pending--));
    }
    // Wait for the wave, unless the storage stopped: then its replies never come.
    while (pending > 0 && !port.stopped) await tick();
    if (rand.next() < 0.5) await tick(); // sometimes let background work (rewrite slices) run
  }
  out.finished = !dead();
  host.close();
  return out;
}

type F = { t: string; v?: unknown };

/** Recover from what survived and check it against what was acknowledged. */
async function check(port: CrashPort, o: Outcome, label: string): Promise<string[]> {
  const problems: string[] = [];
  const fresh = port.restart();
  const host = ShardHost.open(info, hostEnv(fresh));
  if (!host) return o.acked.size || o.atomic.some((a) => a.acked) ? [`${label}: nothing recovered`] : [];
  const get = async (keys: string[]) => (await host.exec(keys.map((k) => ['GET', k]), 2)) as F[];
  const keys = [...o.acked.keys()];
  const got = await get(keys);
  keys.forEach((k, i) => {
    if (got[i]?.v !== o.acked.get(k)) problems.push(`${label}: acknowledged ${k} lost`);
  });
  for (const a of o.atomic) {
    const vals = await get(a.keys);
    const present = vals.filter((v) => v.t === 'bulk').length;
    if (present !== 0 && present !== a.keys.length) problems.push(`${label}: atomic batch ${a.keys[0]} partly visible (${present}/3)`);
    if (a.acked && present !== a.keys.length) problems.push(`${label}: acknowledged atomic batch ${a.keys[0]} lost`);
  }
  const [counter] = await get(['counter']);
  const n = Number(counter?.v ?? 0);
  if (n < o.incrAcked || n > o.incrSent) problems.push(`${label}: counter ${n} outside [${o.incrAcked}, ${o.incrSent}]`);
  // The stored stream reads back whole from the backlog floor, and a second recovery (after more
  // writes) sees the same keyspace.
  let off = host.log.floor;
  for (let guard = 0; guard < 1e5; guard++) {
    const r = host.readFrom(off, 4096);
    if (!r.ok) {
      problems.push(`${label}: readFrom(${off}) refused: ${r.reason}`);
      if (process.env.DBG) console.log(label, JSON.stringify(fresh.rows.filter((x) => x.off >= off - 200).map((x) => [x.off, x.head, x.data.length, x.data.slice(0, 30)])), host.log.durable, host.log.offset, host.loadReport);
      break;
    }
    if (!r.units.length) break;
    off = r.next;
  }
  await host.exec([['SET', 'after', '1']], 2);
  const probe = [['DBSIZE'], ['GET', 'counter'], ['GET', 'tx'], ['GET', 'after']];
  const before = await host.exec(probe, 2);
  host.close();
  const again = ShardHost.open(info, hostEnv(fresh.restart()))!;
  if (JSON.stringify(await again.exec(probe, 2)) !== JSON.stringify(before)) problems.push(`${label}: second recovery differs`);
  if (again.log.replid !== host.log.replid || again.log.offset !== host.log.offset) problems.push(`${label}: replid/offset changed across a restart`);
  again.close();
  return problems;
}

describe('crash safety over fake storage (appendfsync always)', () => {
  for (const mode of ['commit', 'write'] as const) {
    it(`storage that stops at any write (${mode === 'commit' ? 'transactional commits' : 'every write on its own'}): nothing acknowledged lost, no partial batch`, async () => {
      const problems: string[] = [];
      let points = 0;
      let acked = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        // The workload's writes without a crash: every one of them is a crash point.
        const dry = new CrashPort(mode, Infinity);
        const full = await workload(dry, seed);
        expect(full.finished).toBe(true);
        expect(full.atomic.length).toBeGreaterThan(5);
        for (let n = 1; n <= dry.writes; n++) {
          const port = new CrashPort(mode, n);
          const o = await workload(port, seed);
          acked += o.acked.size;
          points++;
          for (const p of await check(port, o, `seed ${seed} stop at write ${n}/${dry.writes}`)) problems.push(p);
        }
      }
      expect(problems).toEqual([]);
      expect(points).toBeGreaterThan(100);
      expect(acked).toBeGreaterThan(points); // the crash points fell among acknowledged writes
    }, 300_000);
  }

  it('storage whose n-th write fails (then works): the host stops acknowledging, recovery is consistent', async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const dry = new CrashPort('commit', Infinity);
      await workload(dry, seed);
      for (let n = 1; n <= dry.writes; n += 3) {
        const port = new CrashPort('commit', n, true);
        const o = await workload(port, seed);
        for (const p of await check(port, o, `seed ${seed} failure at write ${n}/${dry.writes}`)) problems.push(p);
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
