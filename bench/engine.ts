// Engine benchmark (plain Node, no I/O): ops/s through the shard's own dispatch path, next to a
// raw Map get/set loop as the floor; and heap bytes per key next to the same data in a Map.
import { Shard } from '../src/shard/shard.js';
import { systemClock } from '../src/engine/clock.js';
import { fromBytes, toBytes } from '../src/protocol/bytes.js';
// @ts-expect-error plain ESM shared with run.mjs
import { memCases } from './memcases.mjs';

type Result = { name: string; opsPerSec: number };

function shard(): Shard {
  return new Shard({ index: 0, count: 1, slots: [0, 16383] }, systemClock, 1);
}

/** Run `make(i)` commands one per batch (as single-command pipelines arrive) for ~`ms`. */
let MS = 600;
function measure(name: string, s: Shard, make: (i: number) => string[], ms = MS, limit = Infinity): Result {
  // warm-up
  for (let i = 0; i < 20_000; i++) s.exec([make(i)]);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms && n < limit) {
    for (let j = 0; j < 5_000; j++, n++) s.exec([make(n)]);
    now = performance.now();
  }
  return { name, opsPerSec: Math.round((n * 1000) / (now - start)) };
}

function floor(ms = 600): Result[] {
  const m = new Map<string, string>();
  const keys = Array.from({ length: 100_000 }, (_, i) => `key:${i}`);
  let n = 0;
  let start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let j = 0; j < 10_000; j++, n++) m.set(keys[n % 100_000]!, 'xxx');
    now = performance.now();
  }
  const set = { name: 'floor Map.set', opsPerSec: Math.round((n * 1000) / (now - start)) };
  n = 0;
  let sink = 0;
  start = now = performance.now();
  while (now - start < ms) {
    for (let j = 0; j < 10_000; j++, n++) sink += m.get(keys[n % 100_000]!)!.length;
    now = performance.now();
  }
  if (sink < 0) console.log(sink);
  return [set, { name: 'floor Map.get', opsPerSec: Math.round((n * 1000) / (now - start)) }];
}

export function engineOps(ms = 600): Result[] {
  MS = ms;
  const out: Result[] = [...floor(ms)];
  const keys = Array.from({ length: 100_000 }, (_, i) => `key:${i}`);
  const k = (i: number) => keys[i % 100_000]!;
  const s = shard();
  out.push(measure('SET', s, (i) => ['SET', k(i), 'xxx']));
  out.push(measure('GET', s, (i) => ['GET', k(i)]));
  out.push(measure('INCR', s, (i) => ['INCR', `counter:${i % 1000}`]));
  const ok = (argv: string[]) => s.exec([argv]).replies[0]!.t !== 'err';
  if (ok(['LPUSH', 'probe:l', 'x'])) {
    out.push(measure('LPUSH', s, () => ['LPUSH', 'mylist', 'xxx']));
    // Stop before the list runs dry: RPOP of a missing key would be measured instead.
    const len = Number((s.exec([['LLEN', 'mylist']]).replies[0] as { v: number }).v);
    out.push(measure('RPOP', s, () => ['RPOP', 'mylist'], MS, len - 30_000));
  }
  if (ok(['SADD', 'probe:s', 'x'])) out.push(measure('SADD', s, (i) => ['SADD', 'myset', `element:${i % 100_000}`]));
  if (ok(['HSET', 'probe:h', 'f', 'v'])) out.push(measure('HSET', s, (i) => ['HSET', 'myhash', `element:${i % 100_000}`, 'xxx']));
  if (ok(['ZADD', 'probe:z', '1', 'x'])) {
    out.push(measure('ZADD', s, (i) => ['ZADD', 'myzset', String(i % 1000), `element:${i % 100_000}`]));
    out.push(measure('ZRANGE 0 99', s, () => ['ZRANGE', 'myzset', '0', '99']));
  }
  const mset: string[] = ['MSET'];
  for (let i = 0; i < 10; i++) mset.push(`{m}key:${i}`, 'xxx');
  out.push(measure('MSET x10', s, () => mset));
  return out;
}

declare const gc: () => void;

/** Flat one-byte strings, as the RESP decoder makes them (template literals make cons strings). */
const flat = (s: string) => fromBytes(toBytes(s));

function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

type MemCase = { name: string; keys: number; commands: () => Iterable<string[]> };

/**
 * Heap bytes per key for each data set of bench/memcases.mjs, in the engine and (for strings)
 * in a plain Map of the same flat strings: the floor.
 */
export function engineMemory(opts: { strings?: number; small?: number }): { name: string; keys: number; engineBytesPerKey: number; mapBytesPerKey?: number }[] {
  const out = [];
  for (const c of memCases(opts) as MemCase[]) {
    let mapBytesPerKey: number | undefined;
    if (c.name.includes('strings')) {
      const base = heap();
      let m: Map<string, string> | null = new Map();
      for (const cmd of c.commands()) m.set(flat(cmd[1]!), flat(cmd[2]!));
      mapBytesPerKey = Math.round((heap() - base) / c.keys);
      m.clear();
      m = null;
    }
    const base = heap();
    let s: Shard | null = shard();
    // One shard here holds what the service spreads over several (1M strings ≈ 140 MB of heap):
    // lift the per-isolate safety budget, which would answer OOM past ~100 MB of estimated data.
    s.evictor.safety = Infinity;
    let batch: string[][] = [];
    for (const cmd of c.commands()) {
      batch.push(cmd.map(flat));
      if (batch.length === 1000) (s.exec(batch), (batch = []));
    }
    if (batch.length) s.exec(batch);
    batch = [];
    const engineBytesPerKey = Math.round((heap() - base) / c.keys);
    if (s.db.size !== c.keys) throw new Error(`engine holds ${s.db.size} keys, expected ${c.keys}`);
    s = null;
    out.push({ name: c.name, keys: c.keys, engineBytesPerKey, mapBytesPerKey });
  }
  return out;
}

const part = process.argv[2] ?? 'ops';
if (part === 'ops') console.log(JSON.stringify(engineOps(Number(process.env.BENCH_ENGINE_MS ?? 600))));
else if (part === 'memory') console.log(JSON.stringify(engineMemory({ strings: Number(process.argv[3] ?? 1_000_000), small: Number(process.argv[4] ?? 100_000) })));
