// Memory benchmark (not a test): bytes per set for 100k small sets in keyflare's engine (heap
// delta, Node --expose-gc) next to real Redis 7.0 (INFO memory used_memory delta, same data).
// Run: npx esbuild bench/sets-memory.ts --bundle --platform=node --format=esm --outfile=/tmp/sm.mjs && node --expose-gc /tmp/sm.mjs
import { spawn, spawnSync } from 'node:child_process';
import { Shard } from '../src/shard/shard.js';
import { systemClock } from '../src/engine/clock.js';

const N = 100_000;
type Case = { name: string; members: (i: number) => string[] };
const CASES: Case[] = [
  { name: '10 integers (intset)', members: (i) => Array.from({ length: 10 }, (_, j) => String(i * 10 + j)) },
  { name: '10 short strings (listpack; 7.0: hashtable)', members: (i) => Array.from({ length: 10 }, (_, j) => `m:${j}:${i % 1000}`) },
  { name: '200 short strings (hashtable), 2k sets', members: (i) => Array.from({ length: 200 }, (_, j) => `m:${j}:${i % 1000}`) },
];

const gc = (globalThis as { gc?: () => void }).gc!;
function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

function kf(c: Case, n: number): number {
  const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, systemClock, 1);
  const before = heap();
  for (let i = 0; i < n; i++) s.exec([['SADD', `set:${i}`, ...c.members(i)]]);
  const after = heap();
  if (s.db.size !== n) throw new Error('bad load');
  return (after - before) / n;
}

async function redis(c: Case, n: number): Promise<number> {
  const port = 7000 + Math.floor(Math.random() * 900);
  const p = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
  const cli = (args: string[], input?: string) => spawnSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const used = () => Number(/used_memory:(\d+)/.exec(cli(['INFO', 'memory']))![1]);
  const before = used();
  let lines = '';
  for (let i = 0; i < n; i++) lines += ['SADD', `set:${i}`, ...c.members(i)].join(' ') + '\n';
  cli(['--pipe'], lines);
  const after = used();
  const dbsize = Number(cli(['DBSIZE']).trim());
  p.kill();
  if (dbsize !== n) throw new Error(`redis loaded ${dbsize}`);
  return (after - before) / n;
}

for (const c of CASES) {
  const n = c.name.includes('2k') ? 2000 : N;
  const k = kf(c, n);
  const r = await redis(c, n);
  console.log(`${c.name.padEnd(46)} keyflare ${k.toFixed(0).padStart(6)} B/set   redis 7.0 ${r.toFixed(0).padStart(6)} B/set`);
}
