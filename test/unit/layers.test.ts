// The house's import rules (.dependency-cruiser.cjs): layers import one way, no cycles, pure layers
// never touch the runtime. Checked on the tree, and on a fixture with an upward import it must catch.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = join(process.cwd(), 'node_modules', '.bin', 'depcruise');
const config = join(process.cwd(), '.dependency-cruiser.cjs');

interface Violation { rule: { name: string }; from: string; to: string }

async function cruise(cwd: string): Promise<Violation[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const r = await run(bin, ['src', '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('layers', () => {
  it('the tree has no cycle, no upward import and no runtime import in a pure layer', async () => {
    const v = await cruise(process.cwd());
    expect(v.map((x) => `${x.rule.name}: ${x.from} -> ${x.to}`)).toEqual([]);
  }, 60_000);

  it('an upward import (engine -> server) is caught', async () => {
    const v = await cruise(join(process.cwd(), 'test', 'fixtures', 'layers'));
    expect(v.map((x) => `${x.rule.name}: ${x.from} -> ${x.to}`)).toContain('no-upward-from-engine: src/engine/low.ts -> src/server/high.ts');
  }, 60_000);
});
