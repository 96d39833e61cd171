// Memory benchmark (not a test): bytes per entry of a 1M-entry stream (one 5-byte field, 8-byte
// values) in keyflare's engine (heap delta, Node --expose-gc), next to real Redis 7.0 (INFO memory
// used_memory delta for the same XADDs, piped with redis-cli --pipe into a spare redis-server).
// Run: npx esbuild bench/streams-memory.ts --bundle --platform=node --format=esm --outfile=/tmp/xm.mjs && node --expose-gc /tmp/xm.mjs [redis-port]
import { spawnSync } from 'node:child_process';
import { Shard } from '../src/shard/shard.js';
import type { Clock } from '../src/engine/clock.js';

const N = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc!;
function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

let t = 1_700_000_000_000;
let calls = 0;
// About 30 XADDs per millisecond, as a pipelined redis-cli achieves: IDs share ms, seq bumps.
const clock: Clock = { now: () => (++calls % 30 === 0 ? ++t : t) };
const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, clock, 1);
const before = heap();
for (let i = 0; i < N; i++) s.exec([['XADD', 's', '*', 'field', String(i).padStart(8, '0')]]);
const after = heap();
console.log(`keyflare: ${((after - before) / N).toFixed(1)} B/entry`, s.exec([['XLEN', 's']]).replies[0]);

const port = process.argv[2];
if (port) {
  const cli = (...a: string[]) => spawnSync('redis-cli', ['-p', port, ...a], { encoding: 'utf8' }).stdout;
  const used = () => Number(/used_memory:(\d+)/.exec(cli('info', 'memory'))![1]);
  cli('del', 'bench:s');
  const b = used();
  let proto = '';
  for (let i = 0; i < N; i++) {
    const v = String(i).padStart(8, '0');
    proto += `*5\r\n$4\r\nXADD\r\n$7\r\nbench:s\r\n$1\r\n*\r\n$5\r\nfield\r\n$8\r\n${v}\r\n`;
  }
  spawnSync('redis-cli', ['-p', port, '--pipe'], { input: proto });
  console.log(`redis 7.0: ${((used() - b) / N).toFixed(1)} B/entry`);
  cli('del', 'bench:s');
}
