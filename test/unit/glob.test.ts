import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGlob, stringMatch } from '../../src/engine/glob.js';
import { GLOB_CASES, NOCASE_CASES } from './glob-cases.js';

const show = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 20)}…(${s.length})` : s);

describe('glob (Redis stringmatchlen)', () => {
  // Every expectation in the table is confirmed on a real redis-server by test/diff/keys-glob.test.ts.
  it.each(GLOB_CASES.map(([p, s, m]) => [show(p), show(s), m, p, s] as const))('%s vs %s → %s', (_a, _b, m, p, s) => {
    // The table holds KEYS's answers; KEYS special-cases a lone "*" before stringmatchlen.
    if (p !== '*') expect(stringMatch(p, s)).toBe(m);
    expect(compileGlob(p)(s)).toBe(m);
  });

  it('stringmatchlen itself never matches the empty string against "*" (KEYS special-cases it)', () => {
    expect(stringMatch('*', '')).toBe(false);
    expect(stringMatch('**', '')).toBe(false);
    expect(compileGlob('**')('')).toBe(false);
    expect(compileGlob('*')('')).toBe(true);
  });

  it.each(NOCASE_CASES)('nocase %s vs %s → %s', (p, s, m) => {
    expect(stringMatch(p, s, true)).toBe(m);
    expect(compileGlob(p, true)(s)).toBe(m);
  });

  it('picks the fast paths only for patterns without glob syntax', () => {
    expect(compileGlob('*').kind).toBe('all');
    expect(compileGlob('***').kind).toBe('prefix');
    expect(compileGlob('user:1').kind).toBe('exact');
    expect(compileGlob('').kind).toBe('exact');
    expect(compileGlob('user:*').kind).toBe('prefix');
    expect(compileGlob('user:*').literal).toBe('user:');
    expect(compileGlob('user\\*').kind).toBe('glob');
    expect(compileGlob('u?er:*').kind).toBe('glob');
    expect(compileGlob('u[s]er:*').kind).toBe('glob');
    expect(compileGlob('*:x').kind).toBe('glob');
    expect(compileGlob('abc', true).kind).toBe('glob');
  });

  it('fast paths agree with the general matcher', () => {
    const alpha = fc.constantFrom('a', 'b', ':', '*', '\\', '?', '[', ']');
    const str = fc.array(alpha, { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(str, str, (p, s) => {
        expect(compileGlob(p)(s)).toBe(p === '*' || stringMatch(p, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('a literal pattern matches exactly itself', () => {
    const lit = fc.string({ maxLength: 12 }).map((s) => s.replace(/[*?[\\]/g, ''));
    fc.assert(
      fc.property(lit, fc.string({ maxLength: 12 }), (p, s) => {
        expect(stringMatch(p, p)).toBe(true);
        expect(stringMatch(p, s)).toBe(p === s);
        expect(compileGlob(`${p}*`)(s)).toBe(s.startsWith(p));
        if (s !== '') expect(stringMatch(`*${p}`, s)).toBe(s.endsWith(p));
      }),
    );
  });

  it('stays fast on patterns that are exponential without Redis’s early exit', () => {
    const p = '*a'.repeat(30) + 'b';
    const t0 = performance.now();
    expect(stringMatch(p, 'a'.repeat(5000))).toBe(false);
    // Not a benchmark: without skipLongerMatches this would not finish at all.
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
