// Bitmap and bitfield behaviour the oracle cannot reach: offsets whose string would not fit in a JS
// string (Redis would allocate up to 512 MB), and which writes reach the log.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';

function setup() {
  const b = new LocalBackend(1);
  const s = b.session();
  const run = async (...argv: (string | number)[]) => (await s.run([argv.map(String)]))[0]!;
  const log = () => b.logs.flat().map((e) => e.join(' '));
  return { run, log };
}

describe('bitmap limits', () => {
  it('an offset past the longest JS string is refused without creating the key', async () => {
    const { run } = setup();
    // Within proto-max-bulk-len (Redis would grow the string to 512 MB) but past V8's string limit.
    expect(await run('SETBIT', 'b', 4294967295, 1)).toEqual({ t: 'err', v: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' });
    expect(await run('BITFIELD', 'b', 'SET', 'u8', 4294967280, 1)).toEqual({ t: 'err', v: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' });
    expect(await run('EXISTS', 'b')).toEqual({ t: 'int', v: 0 });
    // Reads far away need no memory and answer 0.
    expect(await run('GETBIT', 'b', 4294967295)).toEqual({ t: 'int', v: 0 });
    expect(await run('BITFIELD_RO', 'b', 'GET', 'i64', 4294967200)).toEqual({ t: 'arr', v: [{ t: 'int', v: 0 }] });
  });
});

describe('logged effects', () => {
  it('writes are logged as received; no-op SETBITs and read-only BITFIELDs are not', async () => {
    const { run, log } = setup();
    await run('SETBIT', 'b', 9, 1);
    await run('SETBIT', 'b', 9, 1); // no change: not logged
    await run('SETBIT', 'b', 9, 0);
    await run('BITFIELD', 'b', 'GET', 'u8', 0);
    await run('BITFIELD', 'b', 'SET', 'u8', 0, 0); // same value, same length: not logged
    await run('BITFIELD', 'b', 'INCRBY', 'i8', 0, 5);
    // Every write failed, but the key was created: logged so a replica has the key too.
    await run('BITFIELD', 'c', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', 0, 9);
    await run('BITOP', 'OR', 'd', 'none');
    expect(log()).toEqual([
      'SETBIT b 9 1',
      'SETBIT b 9 0',
      'BITFIELD b INCRBY i8 0 5',
      'BITFIELD c OVERFLOW FAIL INCRBY u2 0 9',
    ]);
  });
});
