// Engine benchmark (plain Node, no I/O): ops/s through the shard's own dispatch path, next to a
// raw Map get/set loop as the floor; and heap bytes per key next to the same data in a Map.
import { Shard } from '../src/engine/shard.js';
import { systemClock } from '../src/engine/clock.js';
import { fromBytes, toBytes } from '../src/protocol/bytes.js';

type Result = { name: string; opsPerSec: number };

function shard(): Shard {
  return new Shard({ index: 0, count: 1, slots: [0, 16383] }, systemClock, 1);
}

/** Run `make(i)` commands one per batch (as single-command pipelines arrive) for ~`ms`. */
function measure(name: string, s: Shard, make: (i: number) => string[], ms = 600): Result {
  // warm-up
  for (let i = 0; i < 20_000; i++) s.exec([make(i)]);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
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

export function engineOps(): Result[] {
  const out: Result[] = [...floor()];
  const keys = Array.from({ length: 100_000 }, (_, i) => `key:${i}`);
  const k = (i: number) => keys[i % 100_000]!;
  const s = shard();
  out.push(measure('SET', s, (i) => ['SET', k(i), 'xxx']));
  out.push(measure('GET', s, (i) => ['GET', k(i)]));
  out.push(measure('INCR', s, (i) => ['INCR', `counter:${i % 1000}`]));
  const ok = (argv: string[]) => s.exec([argv]).replies[0]!.t !== 'err';
  if (ok(['LPUSH', 'probe:l', 'x'])) {
    out.push(measure('LPUSH', s, () => ['LPUSH', 'mylist', 'xxx']));
    out.push(measure('RPOP', s, () => ['RPOP', 'mylist']));
  }
  if (ok(['SADD', 'probe:s', 'x'])) out.push(measure('SADD', s, (i) => ['SADD', 'myset', `element:${i % 100_000}`]));
  if (ok(['HSET', 'probe:h', 'f', 'v'])) out.push(measure('HSET', s, (i) => ['HSET', 'myhash', `element:${i % 100_000}`, 'xxx']));
  if (ok(['ZADD', 'probe:z', '1', 'x'])) {
    out.push(measure('ZADD', s, (i) => ['ZADD', 'myzset', String(i % 1000), `element:${i % 100_000}`]));
    out.push(measure('ZRANGE 0 99', s, () => ['ZRANGE', 'myzset', '0', '99'], 400));
  }
  const mset: string[] = ['MSET'];
  for (let i = 0; i < 10; i++) mset.push(`{m}key:${i}`, 'xxx');
  out.push(measure('MSET x10', s, () => mset));
  return out;
}

declare const gc: () => void;

/** Heap bytes per key for `n` string keys of 16 B with 32 B values: engine vs a Map. */
export function engineMemory(n = 1_000_000): { mapBytesPerKey: number; engineBytesPerKey: number } {
  // Flat one-byte strings, as the RESP decoder makes them (a template literal makes cons strings).
  const key = (i: number) => fromBytes(toBytes(`key:${String(i).padStart(12, '0')}`)); // 16 bytes
  const val = (i: number) => fromBytes(toBytes(`v${String(i).padStart(31, '0')}`)); // 32 bytes
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let base = heap();
  let m: Map<string, string> | null = new Map();
  for (let i = 0; i < n; i++) m.set(key(i), val(i));
  const mapBytes = heap() - base;
  m.clear();
  m = null;
  base = heap();
  let s: Shard | null = shard();
  for (let i = 0; i < n; i += 1000) {
    const batch: string[][] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) batch.push(['SET', key(j), val(j)]);
    s.exec(batch);
  }
  const engBytes = heap() - base;
  if (s.db.size !== n) throw new Error('engine lost keys');
  s = null;
  return { mapBytesPerKey: Math.round(mapBytes / n), engineBytesPerKey: Math.round(engBytes / n) };
}

const part = process.argv[2] ?? 'ops';
if (part === 'ops') console.log(JSON.stringify(engineOps()));
else if (part === 'memory') console.log(JSON.stringify(engineMemory(Number(process.argv[3] ?? 1_000_000))));
