// Memory benchmark (not a test): bytes per HyperLogLog key (sparse and dense) in keyflare's engine
// (heap delta, Node --expose-gc) next to real Redis 7.0 (INFO memory used_memory delta, same data).
// Run: npx esbuild bench/hll-memory.ts --bundle --platform=node --format=esm --outfile=/tmp/hm.mjs && node --expose-gc /tmp/hm.mjs
import { spawn, spawnSync } from 'node:child_process';
import { Shard } from '../src/shard/shard.js';
import { systemClock } from '../src/engine/clock.js';

type Case = { name: string; n: number; cmds: (i: number) => string[][] };
const els = (i: number, k: number) => Array.from({ length: k }, (_, j) => `e:${i}:${j}`);
const CASES: Case[] = [
  { name: 'empty HLL (sparse, 18 B value)', n: 100_000, cmds: (i) => [['PFADD', `hll:${i}`]] },
  { name: '100 elements (sparse)', n: 50_000, cmds: (i) => [['PFADD', `hll:${i}`, ...els(i, 100)]] },
  { name: '1000 elements (sparse, near the 3000 B limit)', n: 10_000, cmds: (i) => [['PFADD', `hll:${i}`, ...els(i, 1000)]] },
  { name: 'dense (12304 B value)', n: 5_000, cmds: (i) => [['PFADD', `hll:${i}`, 'a'], ['PFDEBUG', 'TODENSE', `hll:${i}`]] },
];

const gc = (globalThis as { gc?: () => void }).gc!;
function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().external + process.memoryUsage().arrayBuffers;
}

function kf(c: Case): { perKey: number; valueLen: number } {
  const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, systemClock, 1);
  const before = heap();
  for (let i = 0; i < c.n; i++) s.exec(c.cmds(i));
  const after = heap();
  if (s.db.size !== c.n) throw new Error('bad load');
  let total = 0;
  for (const v of s.db.data.values()) total += (v as string).length;
  return { perKey: (after - before) / c.n, valueLen: total / c.n };
}

async function redis(c: Case): Promise<number> {
  const port = 7848;
  const p = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
  const cli = (args: string[], input?: string) => spawnSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const used = () => Number(/used_memory:(\d+)/.exec(cli(['INFO', 'memory']))![1]);
  const before = used();
  const lines: string[] = [];
  for (let i = 0; i < c.n; i++) for (const cmd of c.cmds(i)) lines.push(cmd.join(' '));
  cli(['--pipe'], lines.join('\n') + '\n');
  const after = used();
  const dbsize = Number(cli(['DBSIZE']).trim());
  p.kill();
  await new Promise((r) => setTimeout(r, 200));
  if (dbsize !== c.n) throw new Error(`redis loaded ${dbsize}`);
  return (after - before) / c.n;
}

for (const c of CASES) {
  const k = kf(c);
  const r = await redis(c);
  console.log(`${c.name.padEnd(46)} value ${k.valueLen.toFixed(0).padStart(6)} B   keyflare ${k.perKey.toFixed(0).padStart(6)} B/key   redis 7.0 ${r.toFixed(0).padStart(6)} B/key`);
}
