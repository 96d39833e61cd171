// Consumer groups and XINFO against real Redis 7.0: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM, XINFO STREAM/GROUPS/CONSUMERS. Times (delivery times, idle) are normalized.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

/** Absolute ms timestamps and idle times vary between the two servers: mask them. */
function norm(s: string): string {
  return s
    .replace(/:1\d{12}\r\n/g, ':T\r\n')
    .replace(/(\$4\r\nidle\r\n):\d+\r\n/g, '$1:I\r\n')
    .replace(/(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:I\r\n');
}

async function checkNorm(script: Cmd[]): Promise<void> {
  for (const proto of [2, 3] as const) {
    await d.pair(['FLUSHALL'], proto);
    const diffs: string[] = [];
    for (const cmd of script) {
      const { redis, kf } = await d.pair(cmd, proto);
      if (norm(redis) !== norm(kf)) diffs.push(`RESP${proto} ${JSON.stringify(cmd.map(String))}\n  redis: ${JSON.stringify(redis)}\n  kf:    ${JSON.stringify(kf)}`);
    }
    expect(diffs.join('\n')).toBe('');
  }
}

const fill = (key: string, n: number, from = 1): Cmd[] => {
  const out: Cmd[] = [];
  for (let i = from; i < from + n; i++) out.push(['XADD', key, `${i}-1`, 'f', `v${i}`]);
  return out;
};

describe('XGROUP', () => {
  it('CREATE (MKSTREAM, ENTRIESREAD, $), SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP and errors', async () => {
    await checkNorm([
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM'],
      ['XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM'],
      ['XLEN', 's'],
      ...fill('s', 4),
      ['XGROUP', 'CREATE', 's', 'g2', '$'],
      ['XGROUP', 'CREATE', 's', 'g3', '2-1', 'ENTRIESREAD', '2'],
      ['XGROUP', 'CREATE', 's', 'g4', '2-1', 'ENTRIESREAD', '-2'],
      ['XGROUP', 'CREATE', 's', 'g4', '2-1', 'ENTRIESREAD', 'x'],
      ['XGROUP', 'CREATE', 's', 'g4', '2-1', 'FOO'],
      ['XGROUP', 'CREATE', 's', 'g4', 'bad'],
      ['XGROUP', 'CREATE', 's', 'g4', '-'],
      ['XGROUP', 'CREATE', 's', 'g4'],
      ['XINFO', 'GROUPS', 's'],
      ['XGROUP', 'SETID', 's', 'g', '3-1'],
      ['XGROUP', 'SETID', 's', 'g2', '0', 'ENTRIESREAD', '0'],
      ['XGROUP', 'SETID', 's', 'g3', '$'],
      ['XGROUP', 'SETID', 's', 'g3', '-'],
      ['XGROUP', 'SETID', 's', 'nog', '0'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'FOO', '1'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD'],
      ['XGROUP', 'SETID', 's', 'g', 'bad'],
      ['XINFO', 'GROUPS', 's'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'alice'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'alice'],
      ['XGROUP', 'DELCONSUMER', 's', 'nog', 'alice'],
      ['XGROUP', 'DESTROY', 's', 'g2'],
      ['XGROUP', 'DESTROY', 's', 'g2'],
      ['XGROUP', 'DESTROY', 'nokey', 'g2'],
      ['XGROUP', 'CREATECONSUMER', 'nokey', 'g', 'c'],
      ['XGROUP', 'FOO', 's', 'g'],
      ['XGROUP', 'HELP'],
      ['XGROUP', 'DESTROY', 's'],
      ['SET', 'str', 'x'],
      ['XGROUP', 'CREATE', 'str', 'g', '0'],
      ['XINFO', 'GROUPS', 's'],
    ]);
  });
});

describe('order of checks', () => {
  it('XGROUP options before the key, XACK of a missing key or group before its ids, XINFO STREAM key before options', async () => {
    await checkNorm([
      ['XACK', '{b}x0', 'g1', 'x'], ['XADD', '{b}x0', '1-1', 'f', 'v'], ['XACK', '{b}x0', 'g1', 'x'],
      ['XGROUP', 'CREATE', '{b}x0', 'g1', '0'], ['XACK', '{b}x0', 'g1', 'x'], ['XACK', '{b}x0', 'g2', 'x'], ['XACK', '{b}x0', 'g1', '1-1', 'x'],
      ['XGROUP', 'SETID', '{b}x0', 'g2', '1-0', 'COUNT'], ['XGROUP', 'SETID', '{b}nokey', 'g2', '1-0', 'COUNT'],
      ['XGROUP', 'SETID', '{b}nokey', 'g2', '1-0', 'ENTRIESREAD', 'x'], ['XGROUP', 'SETID', '{b}nokey', 'g2', '1-0', 'FOO', '1'],
      ['XGROUP', 'SETID', '{b}x0', 'g1', '1-0', 'MKSTREAM'], ['XGROUP', 'SETID', '{b}x0', 'g1', '1-0', 'ENTRIESREAD', '3', 'ENTRIESREAD', '4'],
      ['XGROUP', 'SETID', '{b}x0', 'g1', '1-0', 'ENTRIESREAD', '3'], ['XINFO', 'GROUPS', '{b}x0'],
      ['XGROUP', 'CREATECONSUMER', '{b}nokey', 'g1', 'c', 'extra'], ['XGROUP', 'DELCONSUMER', '{b}x0', 'nog', 'c', 'ENTRIESREAD', '1'],
      ['XGROUP', 'CREATE', '{b}nokey', 'g1', '0', 'ENTRIESREAD', 'x', 'MKSTREAM'],
      ['XINFO', 'STREAM', '{c}x0', 'x'], ['XINFO', 'STREAM', '{c}x0', 'FULL', 'COUNT', 'x'], ['XINFO', 'STREAM', '{c}x0', 'FULL', 'x', 'y'],
      ['XADD', '{c}x0', '1-1', 'f', 'v'], ['XINFO', 'STREAM', '{c}x0', 'x'], ['XINFO', 'STREAM', '{c}x0', 'FULL', 'COUNT', 'x'],
      ...fill('{c}x0', 12, 2), ['XINFO', 'STREAM', '{c}x0', 'FULL', 'COUNT', '-1'],
    ]);
  });
});

describe('XREADGROUP / XACK / XPENDING', () => {
  it('new entries, history, NOACK, COUNT, re-delivery counters, acks and the pending summary', async () => {
    await checkNorm([
      ...fill('s', 5),
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '1-1'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '0'],
      ['XPENDING', 's', 'g'],
      ['XPENDING', 's', 'g', '-', '+', '10'],
      ['XPENDING', 's', 'g', '-', '+', '10', 'alice'],
      ['XPENDING', 's', 'g', '(1-1', '+', '1'],
      ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
      ['XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10'],
      ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10'],
      ['XPENDING', 's', 'g', '-', '+', '-5'],
      ['XPENDING', 's', 'g', '-', '+'],
      ['XPENDING', 's', 'g', 'IDLE', '5', '-', '+'],
      ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '1'],
      ['XPENDING', 's', 'g', 'x', '+', '1'],
      ['XPENDING', 's', 'nog'],
      ['XPENDING', 'nokey', 'g', '-', '+', '1'],
      ['XACK', 's', 'g', '1-1', '9-9'],
      ['XACK', 's', 'g', '1-1'],
      ['XACK', 's', 'g', 'bad'],
      ['XACK', 's', 'nog', '2-1'],
      ['XACK', 'nokey', 'g', '2-1'],
      ['XPENDING', 's', 'g'],
      ['XREADGROUP', 'GROUP', 'g', 'dave', 'NOACK', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '>'],
      ['XPENDING', 's', 'g'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'CONSUMERS', 's', 'g'],
      ['XACK', 's', 'g', '2-1', '3-1'],
      ['XPENDING', 's', 'g'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'alice'],
      ['XPENDING', 's', 'g'],
    ]);
  });

  it('several streams, deleted pending entries, errors', async () => {
    await checkNorm([
      ...fill('{t}a', 3),
      ...fill('{t}b', 3),
      ['XGROUP', 'CREATE', '{t}a', 'g', '0'],
      ['XGROUP', 'CREATE', '{t}b', 'g', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '{t}b', '>', '>'],
      ['XADD', '{t}b', '9-1', 'x', 'y'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '{t}b', '>', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '{t}b', '0', '0'],
      ['XDEL', '{t}a', '2-1'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '0'],
      ['XINFO', 'GROUPS', '{t}a'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '$'],
      ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', '{t}a', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}nokey', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', '>', '>'],
      ['XREADGROUP', 'STREAMS', '{t}a', '>', 'x', 'y'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 'x', 'STREAMS', '{t}a', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}a', 'bad'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '10', 'STREAMS', '{t}a', '>'],
      ['SET', '{t}s', 'x'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', '{t}s', '>'],
    ]);
  });
});

describe('XCLAIM / XAUTOCLAIM', () => {
  it('claims with IDLE/TIME/RETRYCOUNT/FORCE/JUSTID/LASTID, deleted entries, cursors', async () => {
    await checkNorm([
      ...fill('s', 6),
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '4', 'STREAMS', 's', '>'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1'],
      ['XCLAIM', 's', 'g', 'b', '0', '2-1', 'JUSTID'],
      ['XCLAIM', 's', 'g', 'b', '3600000', '3-1'],
      ['XCLAIM', 's', 'g', 'b', '0', '3-1', 'RETRYCOUNT', '7', 'IDLE', '500'],
      ['XCLAIM', 's', 'g', 'b', '0', '5-1'],
      ['XCLAIM', 's', 'g', 'b', '0', '5-1', 'FORCE'],
      ['XCLAIM', 's', 'g', 'b', '0', '99-1', 'FORCE'],
      ['XCLAIM', 's', 'g', 'c', '0', '6-1', 'FORCE', 'JUSTID', 'LASTID', '6-1'],
      ['XPENDING', 's', 'g', '-', '+', '10'],
      ['XINFO', 'GROUPS', 's'],
      ['XCLAIM', 's', 'g', 'b', 'x', '1-1'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1', 'IDLE', 'x'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1', 'TIME', 'x'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1', 'RETRYCOUNT', 'x'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1', 'LASTID', 'x'],
      ['XCLAIM', 's', 'g', 'b', '0', '1-1', 'FOO'],
      ['XCLAIM', 's', 'nog', 'b', '0', '1-1'],
      ['XCLAIM', 'nokey', 'g', 'b', '0', '1-1'],
      ['XDEL', 's', '2-1'],
      ['XCLAIM', 's', 'g', 'b', '0', '2-1'],
      ['XPENDING', 's', 'g'],
      ['XDEL', 's', '3-1'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', '0', 'COUNT', '2'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', '0', 'COUNT', '1', 'JUSTID'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', '(4-1'],
      ['XAUTOCLAIM', 's', 'g', 'z', '3600000', '0'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', '0', 'COUNT', '0'],
      ['XAUTOCLAIM', 's', 'g', 'z', 'x', '0'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', 'x'],
      ['XAUTOCLAIM', 's', 'g', 'z', '0', '0', 'FOO'],
      ['XAUTOCLAIM', 's', 'nog', 'z', '0', '0'],
      ['XPENDING', 's', 'g', '-', '+', '10'],
      ['XINFO', 'CONSUMERS', 's', 'g'],
    ]);
  });
});

describe('XINFO', () => {
  it('STREAM (and FULL with COUNT), GROUPS, CONSUMERS, lag and entries-read through deletions', async () => {
    await checkNorm([
      ['XINFO', 'STREAM', 'nokey'],
      ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'],
      ['XINFO', 'STREAM', 'e'],
      ['XINFO', 'STREAM', 'e', 'FULL'],
      ...fill('s', 15),
      ['XGROUP', 'CREATE', 's', 'g1', '0'],
      ['XGROUP', 'CREATE', 's', 'g0', '3-1'],
      ['XREADGROUP', 'GROUP', 'g1', 'x', 'COUNT', '12', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g1', 'w', 'COUNT', '1', 'STREAMS', 's', '>'],
      ['XINFO', 'STREAM', 's'],
      ['XINFO', 'STREAM', 's', 'FULL'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
      ['XINFO', 'STREAM', 's', 'FOO'],
      ['XINFO', 'STREAM', 's', 'FULL', 'FOO', '1'],
      ['XINFO', 'GROUPS', 's'],
      ['XDEL', 's', '14-1'],
      ['XINFO', 'GROUPS', 's'],
      ['XDEL', 's', '1-1'],
      ['XINFO', 'STREAM', 's'],
      ['XINFO', 'GROUPS', 's'],
      ['XREADGROUP', 'GROUP', 'g0', 'x', 'STREAMS', 's', '>'],
      ['XINFO', 'GROUPS', 's'],
      ['XTRIM', 's', 'MAXLEN', '0'],
      ['XINFO', 'STREAM', 's'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'CONSUMERS', 's', 'g1'],
      ['XINFO', 'CONSUMERS', 's', 'nog'],
      ['XINFO', 'CONSUMERS', 'nokey', 'g'],
      ['XINFO', 'GROUPS', 'nokey'],
      ['XINFO', 'HELP'],
      ['XINFO', 'FOO'],
      ['SET', 'str', 'x'],
      ['XINFO', 'STREAM', 'str'],
      ['XSETID', 's', '100-1', 'ENTRIESADDED', '50', 'MAXDELETEDID', '90-0'],
      ['XINFO', 'STREAM', 's'],
      ['XINFO', 'GROUPS', 's'],
      ['OBJECT', 'ENCODING', 's'],
      ['TYPE', 's'],
    ]);
  });
});
