// Memory benchmark (not a test): bytes per element of keyflare's lists (heap delta, Node
// --expose-gc) next to real Redis 7.0 (INFO memory used_memory delta, same data, same fill).
// Run: npx esbuild bench/lists-memory.ts --bundle --platform=node --format=esm --outfile=/tmp/lm.mjs && node --expose-gc /tmp/lm.mjs
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Shard } from '../src/shard/shard.js';
import { systemClock } from '../src/engine/clock.js';

interface Case {
  name: string;
  keys: number;
  perKey: number;
  value: (i: number, j: number) => string;
}
const CASES: Case[] = [
  { name: '1 list × 1M short values (v:<i>)', keys: 1, perKey: 1_000_000, value: (_i, j) => `v:${j}` },
  { name: '1 list × 100k values of 100 B', keys: 1, perKey: 100_000, value: (_i, j) => `${j}:`.padEnd(100, 'x') },
  { name: '100k lists × 10 short values', keys: 100_000, perKey: 10, value: (i, j) => `e:${j}:${i % 1000}` },
  { name: '100k lists × 1 short value', keys: 100_000, perKey: 1, value: (i) => `e:${i % 1000}` },
];
const BATCH = 1000;

function* commands(c: Case): Generator<string[]> {
  for (let i = 0; i < c.keys; i++) {
    for (let j = 0; j < c.perKey; j += BATCH) {
      const vals: string[] = [];
      for (let k = j; k < Math.min(c.perKey, j + BATCH); k++) vals.push(c.value(i, k));
      yield ['RPUSH', `list:${i}`, ...vals];
    }
  }
}

const gc = (globalThis as { gc?: () => void }).gc!;
function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

function kf(c: Case): number {
  const s = new Shard({ index: 0, count: 1, slots: [0, 16383] }, systemClock, 1);
  const before = heap();
  for (const cmd of commands(c)) s.exec([cmd]);
  const after = heap();
  if (s.db.size !== c.keys) throw new Error('bad load');
  return (after - before) / (c.keys * c.perKey);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function redis(c: Case): Promise<number> {
  const port = await freePort();
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const cli = (args: string[], input?: string) => spawnSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  for (let t = 0; t < 50 && cli(['PING']).trim() !== 'PONG'; t++) await new Promise((r) => setTimeout(r, 100));
  try {
    const used = () => Number(/used_memory:(\d+)/.exec(cli(['INFO', 'memory']))![1]);
    const before = used();
    let lines: string[] = [];
    const flush = () => {
      cli(['--pipe'], lines.join(''));
      lines = [];
    };
    for (const cmd of commands(c)) {
      // RESP, not inline commands: those are capped at 64 KB a line.
      lines.push(`*${cmd.length}\r\n` + cmd.map((a) => `$${a.length}\r\n${a}\r\n`).join(''));
      if (lines.length >= 20_000) flush();
    }
    if (lines.length) flush();
    const after = used();
    const dbsize = Number(cli(['DBSIZE']).trim());
    if (dbsize !== c.keys) throw new Error(`redis loaded ${dbsize}`);
    return (after - before) / (c.keys * c.perKey);
  } finally {
    p.kill();
  }
}

for (const c of CASES) {
  const k = kf(c);
  const r = await redis(c);
  console.log(`${c.name.padEnd(36)} keyflare ${k.toFixed(1).padStart(7)} B/elem   redis 7.0 ${r.toFixed(1).padStart(7)} B/elem`);
}
