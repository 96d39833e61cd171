// `npm test`: type-check, then every suite (Node unit + differential, Workers runtime, end-to-end),
// and one closing line with the totals. Needs redis-server, redis-cli and redis-benchmark on PATH.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suites = [
  ['unit + differential', 'vitest.config.ts'],
  ['workers runtime', 'vitest.workers.config.ts'],
  ['end-to-end', 'vitest.e2e.config.ts'],
];
const only = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), 'kf-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;

const tsc = spawnSync('tsc', ['--noEmit', '-p', '.'], { stdio: 'inherit', shell: false });
// The pure layers type-check without the Workers (or Node) types: only what both runtimes share.
const pure = spawnSync('tsc', ['--noEmit', '-p', 'tsconfig.pure.json'], { stdio: 'inherit', shell: false });
if (tsc.status !== 0 || pure.status !== 0) {
  console.error('type check failed');
  ok = false;
}

for (const [name, config] of suites) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const json = join(out, `${config}.json`);
  console.log(`\n=== ${name} (${config}) ===`);
  const r = spawnSync('vitest', ['run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], { stdio: 'inherit' });
  if (existsSync(json)) {
    const res = JSON.parse(readFileSync(json, 'utf8'));
    passed += res.numPassedTests;
    failed += res.numFailedTests;
    skipped += res.numPendingTests + (res.numTodoTests ?? 0);
  }
  if (r.status !== 0) ok = false;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok && failed === 0 ? 0 : 1);
