// FUNCTION DUMP / FUNCTION RESTORE against real Redis 7.0.15: the payload bytes are Redis's
// (RDB_OPCODE_FUNCTION2 and the code per library, RDB version, CRC64), a dump from Redis restores
// here and ours restores in Redis, with the FLUSH / APPEND / REPLACE policies and their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDiff } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Session } from '../../src/server/session.js';
import { Crc64 } from '../../src/persistence/crc64.js';

const d = useDiff();
let rc: RawClient;
let kf: Session;
beforeAll(async () => {
  rc = await RawClient.connect(d.redis.port);
  kf = d.backend.session();
});
afterAll(() => rc?.close());

type Side = 'redis' | 'kf';
async function one(side: Side, cmd: string[]): Promise<Frame> {
  if (side === 'kf') return (await kf.run([cmd]))[0]!;
  const [raw] = await rc.call([cmd]);
  return parseReply(raw!, 0)!.frame;
}
const lib = (name: string, fns: string[]) =>
  `#!lua name=${name}\n` + fns.map((f) => `redis.register_function('${f}', function(keys, args) return '${name}.${f}' end)`).join('\n');
const A = lib('liba', ['fa1', 'fa2']);
const A2 = lib('liba', ['fa3']);
const B = lib('libb', ['fb']);
const C = lib('libc', ['fa3']);
/** A payload of library codes (uncompressed strings, lengths in RDB's 6- or 14-bit forms). */
function payload(codes: string[], rdbver = 10): string {
  let body = '';
  for (const c of codes) {
    const n = c.length;
    body += '\xf5' + (n < 64 ? String.fromCharCode(n) : String.fromCharCode(0x40 | (n >> 8), n & 0xff)) + c;
  }
  body += String.fromCharCode(rdbver & 0xff, rdbver >> 8);
  return body + new Crc64().update(body).bytes();
}

describe('FUNCTION DUMP / RESTORE', () => {
  it("dumps Redis's bytes, one library and several", async () => {
    await d.check([['FUNCTION', 'FLUSH'], ['FUNCTION', 'DUMP'], ['FUNCTION', 'LOAD', A], ['FUNCTION', 'DUMP'], ['FUNCTION', 'DUMP', 'x'], ['FUNCTION', 'FLUSH']]);
    // Several libraries: Redis writes them in its dict's order, so compare as sets of records.
    for (const side of ['redis', 'kf'] as Side[]) {
      await one(side, ['FUNCTION', 'FLUSH']);
      for (const code of [A, B, C.replace('fa3', 'fc')]) await one(side, ['FUNCTION', 'LOAD', code]);
    }
    const r = (await one('redis', ['FUNCTION', 'DUMP'])) as { v: string };
    const k = (await one('kf', ['FUNCTION', 'DUMP'])) as { v: string };
    expect(k.v.length).toBe(r.v.length);
    const records = (p: string) => p.slice(0, -10).split('\xf5').sort();
    expect(records(k.v)).toEqual(records(r.v));
  });

  for (const [from, to] of [['redis', 'kf'], ['kf', 'redis']] as Array<[Side, Side]>) {
    it(`a dump from ${from} restores in ${to}: same libraries, callable`, async () => {
      for (const side of ['redis', 'kf'] as Side[]) await one(side, ['FUNCTION', 'FLUSH']);
      await one(from, ['FUNCTION', 'LOAD', A]);
      await one(from, ['FUNCTION', 'LOAD', B]);
      const p = (await one(from, ['FUNCTION', 'DUMP'])) as { v: string };
      expect(await one(to, ['FUNCTION', 'RESTORE', p.v])).toEqual({ t: 'simple', v: 'OK' });
      for (const f of ['fa1', 'fa2', 'fb']) expect(await one(to, ['FCALL', f, '0'])).toEqual(await one(from, ['FCALL', f, '0']));
      const names = async (s: Side) => JSON.stringify(((await one(s, ['FUNCTION', 'LIST'])) as { v: Array<{ v: Frame[] }> }).v.map((l) => (l.v[1] as { v: string }).v).sort());
      expect(await names(to)).toBe(await names(from));
    });
  }

  it('policies and errors as Redis answers them', () =>
    d.check([
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', A],
      ['FUNCTION', 'RESTORE', payload([B])], ['FCALL', 'fb', 0],
      ['FUNCTION', 'RESTORE', payload([A2])], ['FUNCTION', 'RESTORE', payload([A2]), 'APPEND'],
      ['FUNCTION', 'RESTORE', payload([A2]), 'REPLACE'], ['FCALL', 'fa1', 0], ['FCALL', 'fa3', 0],
      ['FUNCTION', 'RESTORE', payload([C]), 'REPLACE'], ['FUNCTION', 'RESTORE', payload([C]), 'replace'],
      ['FUNCTION', 'RESTORE', payload([C]), 'FLUSH'], ['FCALL', 'fb', 0], ['FCALL', 'fa3', 0],
      ['FUNCTION', 'RESTORE', payload([A, A]), 'FLUSH'], ['FUNCTION', 'RESTORE', payload([A, lib('libd', ['fa1'])]), 'FLUSH'],
      ['FUNCTION', 'RESTORE', payload(['#!lua name=bad\nreturn +']), 'FLUSH'], ['FCALL', 'fa3', 0],
      ['FUNCTION', 'RESTORE', payload([B]), 'NOPE'], ['FUNCTION', 'RESTORE', payload([B]), 'FLUSH', 'x'],
      ['FUNCTION', 'RESTORE', 'garbage'], ['FUNCTION', 'RESTORE', payload([B], 11)], ['FUNCTION', 'RESTORE', payload([B]).slice(0, -1) + 'x'],
      ['FUNCTION', 'RESTORE', payload([]), 'FLUSH'], ['FUNCTION', 'LIST'], ['FUNCTION', 'RESTORE'],
      ['FUNCTION', 'FLUSH'],
    ]));

  it('a payload holding something else: not a function, or cut short', () => {
    const body = '\x00\x01k\x10';
    const bad = body + '\x0a\x00';
    const short = '\xf5\x30abc\x0a\x00';
    return d.check([
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'RESTORE', bad + new Crc64().update(bad).bytes()],
      ['FUNCTION', 'RESTORE', short + new Crc64().update(short).bytes()],
      ['FUNCTION', 'LIST'],
    ]);
  });
});
