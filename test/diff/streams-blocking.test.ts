// Blocking XREAD/XREADGROUP between two connections of the in-process service, and the log
// effects streams write (what Redis 7.0 puts in its AOF, checked there with appendonly yes),
// replayed on a fresh shard to the same state.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { Shard } from '../../src/shard/shard.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';
import type { Frame } from '../../src/protocol/frame.js';

const enc = (f: Frame | undefined) => encodeStr(f!, 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('blocking XREAD / XREADGROUP', () => {
  it('XREAD BLOCK 0 $ waits and is woken by an XADD from another connection, seeing only the new entry', async () => {
    const b = new LocalBackend(4);
    const s1 = b.session();
    const s2 = b.session();
    await s2.run([['XADD', 'k', '1-1', 'old', 'x']]);
    let done = false;
    const p = s1.run([['XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$'], ['PING']]).then((r) => ((done = true), r));
    await sleep(20);
    expect(done).toBe(false);
    // Writes to other keys do not serve it.
    await s2.run([['XADD', 'other', '1-1', 'a', '1']]);
    await sleep(10);
    expect(done).toBe(false);
    await s2.run([['XADD', 'k', '2-1', 'new', 'y']]);
    const r = await p;
    expect(enc(r[0])).toBe('*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$3\r\nnew\r\n$1\r\ny\r\n');
    expect(enc(r[1])).toBe('+PONG\r\n');
  });

  it('XREAD BLOCK on a missing key is served when XADD creates it; RESP3 answers a map', async () => {
    const b = new LocalBackend(4);
    const s1 = b.session();
    await s1.run([['HELLO', '3']]);
    const s2 = b.session();
    const p = s1.run([['XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'nk', '$']]);
    await sleep(10);
    await s2.run([['XADD', 'nk', '5-5', 'f', 'v']]);
    const [f] = await p;
    expect(encodeStr(f!, 3)).toBe('%1\r\n$2\r\nnk\r\n*1\r\n*2\r\n$3\r\n5-5\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  });

  it('a short BLOCK times out with a nil array', async () => {
    const b = new LocalBackend(4);
    const s1 = b.session();
    const t0 = Date.now();
    const [f] = await s1.run([['XREAD', 'BLOCK', '60', 'STREAMS', 'k', '0']]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(enc(f)).toBe('*-1\r\n');
  });

  it('XREADGROUP BLOCK > is woken by XADD, fills the PEL and logs the delivery as XCLAIM', async () => {
    const b = new LocalBackend(4);
    const s1 = b.session();
    const s2 = b.session();
    await s2.run([['XGROUP', 'CREATE', 'q', 'g', '$', 'MKSTREAM']]);
    const p = s1.run([['XREADGROUP', 'GROUP', 'g', 'worker', 'BLOCK', '0', 'STREAMS', 'q', '>']]);
    await sleep(10);
    await s2.run([['XADD', 'q', '7-1', 'job', '1']]);
    const [f] = await p;
    expect(enc(f)).toBe('*1\r\n*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n7-1\r\n*2\r\n$3\r\njob\r\n$1\r\n1\r\n');
    const [pend] = await s2.run([['XPENDING', 'q', 'g']]);
    expect(enc(pend)).toBe('*4\r\n:1\r\n$3\r\n7-1\r\n$3\r\n7-1\r\n*1\r\n*2\r\n$6\r\nworker\r\n$1\r\n1\r\n');
    const log = b.logs.flat();
    const claim = log.find((e) => e[0] === 'XCLAIM')!;
    expect(claim.slice(0, 6)).toEqual(['XCLAIM', 'q', 'g', 'worker', '0', '7-1']);
    expect(claim.slice(8)).toEqual(['RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '7-1']);
    expect(log.some((e) => e[0]!.toUpperCase() === 'XREADGROUP')).toBe(false);
  });
});

describe('stream log effects (as Redis 7.0 writes its AOF)', () => {
  it('XADD * is logged with its ID, approximate trims with the bound reached, XREADGROUP as XCLAIM / SETID', async () => {
    const b = new LocalBackend(1);
    const s = b.session();
    const [id] = await s.run([['XADD', 'x', '*', 'a', '1']]);
    const run = async (...cmds: string[][]) => s.run(cmds);
    for (let i = 0; i < 250; i++) await run(['XADD', 't', '*', 'f', String(i)]);
    await run(['XADD', 't', 'MAXLEN', '~', '10', '*', 'x', 'y']);
    await run(['XTRIM', 't', 'MINID', '~', '0-1']); // deletes nothing: not logged
    await run(['XTRIM', 't', 'MAXLEN', '=', '5']);
    await run(['XGROUP', 'CREATE', 'x', 'g', '0']);
    await run(['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x', '>']);
    await run(['XADD', 'x', '99999999999999-1', 'b', '2']);
    await run(['XREADGROUP', 'GROUP', 'g', 'c2', 'NOACK', 'STREAMS', 'x', '>']);
    await run(['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x', '0']); // history: not propagated
    await run(['XACK', 'x', 'g', '1-1']); // nothing acked: not logged
    const log = b.logs[0]!;
    expect(log[0]).toEqual(['XADD', 'x', (id as { v: string }).v, 'a', '1']);
    const trimmed = log.find((e) => e[2] === 'MAXLEN')!;
    expect(trimmed.slice(0, 4)).toEqual(['XADD', 't', 'MAXLEN', '=']);
    expect(trimmed[4]).toBe('51'); // 250 entries in nodes of 100: two whole nodes go, 50 + 1 stay
    expect(log.filter((e) => e[0] === 'XTRIM')).toEqual([['XTRIM', 't', 'MAXLEN', '=', '5']]);
    const tail = log.slice(log.findIndex((e) => e[0] === 'XGROUP'));
    expect(tail.map((e) => e.slice(0, 4).join(' '))).toEqual([
      'XGROUP CREATE x g',
      // One command's several effects are one MULTI … EXEC unit, as Redis 7.0's
      // propagatePendingCommands wraps them (more than one op).
      'MULTI',
      'XCLAIM x g c1',
      // Redis 7.2.4+ (redis#12898), not 7.0: entries-read travels with every XREADGROUP.
      'XGROUP SETID x g',
      'EXEC',
      'XADD x 99999999999999-1 b',
      'MULTI',
      'XGROUP CREATECONSUMER x g',
      'XGROUP SETID x g',
      'EXEC',
    ]);
    expect(tail[3]).toEqual(['XGROUP', 'SETID', 'x', 'g', (id as { v: string }).v, 'ENTRIESREAD', '1']);
    expect(tail[8]).toEqual(['XGROUP', 'SETID', 'x', 'g', '99999999999999-1', 'ENTRIESREAD', '2']);

    // Replaying the log on a fresh shard reproduces the streams and their groups (not the
    // delivery counters of history reads, which Redis does not propagate either).
    const fresh = new Shard({ index: 0, count: 1, slots: [0, 16383] }, b.clock);
    fresh.replay(log);
    for (const cmd of [['XRANGE', 't', '-', '+'], ['XRANGE', 'x', '-', '+'], ['XINFO', 'GROUPS', 'x'], ['XPENDING', 'x', 'g'], ['XLEN', 't']]) {
      const a = b.shards[0]!.exec([cmd]).replies[0]!;
      const r = fresh.exec([cmd]).replies[0]!;
      expect(enc(r)).toBe(enc(a));
    }
  });

  it('XCLAIM and XAUTOCLAIM are logged as idempotent XCLAIMs (also for deleted entries)', async () => {
    const b = new LocalBackend(1);
    const s = b.session();
    await s.run([
      ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '2-1', 'a', '2'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>'],
      ['XDEL', 's', '1-1'],
    ]);
    b.logs[0]!.length = 0;
    await s.run([['XAUTOCLAIM', 's', 'g', 'b', '0', '0']]);
    const log = b.logs[0]!;
    // Two effects of one command: framed as one MULTI … EXEC unit (Redis 7.0 does the same).
    expect(log.map((e) => [e[0], e[3], e[5], e[9]])).toEqual([
      ['MULTI', undefined, undefined, undefined],
      ['XCLAIM', 'a', '1-1', '1'], // the deleted entry: its NACK is dropped on replay too
      ['XCLAIM', 'b', '2-1', '2'],
      ['EXEC', undefined, undefined, undefined],
    ]);
    log.length = 0;
    await s.run([['XCLAIM', 's', 'g', 'c', '0', '2-1', 'JUSTID']]);
    expect(log[0]!.slice(0, 6)).toEqual(['XCLAIM', 's', 'g', 'c', '0', '2-1']);
    expect(log[0]![9]).toBe('2'); // JUSTID does not count a delivery
  });
});
