// Differential protocol test: raw (often malformed) request bytes sent to a real redis-server and
// to RespDecoder; the protocol error text, the commands decoded before it, and the inline grammar must match.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBytes, toBytes } from '../../src/protocol/bytes.js';
import { err } from '../../src/protocol/frame.js';
import { RespDecoder, type Decoded } from '../../src/protocol/resp-decode.js';
import { encodeCommand, encodeStr } from '../../src/protocol/resp-encode.js';
import { parseReply, splitReplies } from '../../src/protocol/resp-reply.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';

let redis: RedisProc;
let locked: RedisProc; // requirepass: the unauthenticated limits apply
let small: RedisProc; // proto-max-bulk-len 1mb

beforeAll(async () => {
  [redis, locked, small] = await Promise.all([
    startRedis(),
    startRedis({ extra: ['--requirepass', 'pw'] }),
    startRedis({ extra: ['--proto-max-bulk-len', '1mb'] }),
  ]);
}, 30_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), locked?.stop(), small?.stop()]);
});

/** Send bytes on a fresh connection (Redis closes it after a protocol error); collect every reply. */
async function sendRaw(port: number, parts: string[], quietMs = 300): Promise<{ replies: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const { replies, rest } = splitReplies(buf);
      if (rest) reject(new Error(`partial reply ${JSON.stringify(rest.slice(0, 80))}`));
      else resolve({ replies, closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(finish, quietMs);
    };
    const sock = connect(port, '127.0.0.1', async () => {
      // Several writes with pauses: each part reaches Redis as its own read.
      for (const p of parts) {
        sock.write(toBytes(p));
        await new Promise((r) => setTimeout(r, 30));
      }
      arm();
    });
    sock.on('data', (d: Buffer) => {
      buf += fromBytes(d);
      arm();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('error', () => { /* a reset after the error reply is fine */ });
  });
}

function decodeAll(parts: string[], opts: { authenticated?: boolean; maxBulkLen?: number } = {}): Decoded[] {
  const d = new RespDecoder();
  if (opts.authenticated !== undefined) d.authenticated = opts.authenticated;
  if (opts.maxBulkLen !== undefined) d.maxBulkLen = opts.maxBulkLen;
  const out: Decoded[] = [];
  for (const p of parts) {
    d.push(toBytes(p));
    for (let r = d.next(); r; r = d.next()) out.push(r);
  }
  return out;
}

/**
 * Both sides on the same bytes: Redis's replies are one per decoded command (only PINGs are sent,
 * so each is +PONG) and then, on a protocol error, the error text and a closed connection.
 */
async function same(parts: string[], port = redis.port, opts: { authenticated?: boolean; maxBulkLen?: number } = {}): Promise<Decoded[]> {
  const got = await sendRaw(port, parts);
  const ours = decodeAll(parts, opts);
  const expected = ours.map((r) => {
    if (!Array.isArray(r)) return encodeStr(err(r.error), 2);
    if (r.length === 1 && r[0]!.toUpperCase() === 'PING') return '+PONG\r\n';
    if (r.length === 2 && r[0]!.toUpperCase() === 'ECHO') return encodeStr({ t: 'bulk', v: r[1]! }, 2);
    return `unexpected command ${JSON.stringify(r)}`;
  });
  expect(got.replies).toEqual(expected);
  const failed = ours.some((r) => !Array.isArray(r));
  expect(got.closed).toBe(failed);
  return ours;
}

const PING = '*1\r\n$4\r\nPING\r\n';
const big = (n: number, c = '1') => c.repeat(n);

describe('protocol errors match real Redis byte for byte', () => {
  const cases: Array<[string, string[]]> = [
    ['non-numeric multibulk count', ['*x\r\n']],
    ['non-$ item', ['*1\r\nx\r\n']],
    ['negative bulk length', ['*1\r\n$-5\r\n']],
    ['non-numeric bulk length', ['*1\r\n$abc\r\n']],
    ['empty bulk length', ['*1\r\n$\r\n']],
    ['empty multibulk count', ['*\r\n']],
    ['multibulk count over INT_MAX', ['*3000000000\r\n']],
    ['multibulk count INT_MAX is fine (waits)', ['*2147483647\r\n']],
    ['leading zero count', ['*01\r\n']],
    ['minus zero count', ['*-0\r\n']],
    ['plus sign count', ['*+1\r\n']],
    ['space in count', ['*1 \r\n']],
    ['20-digit negative count', ['*-99999999999999999999\r\n']],
    ['19-digit negative count below LLONG_MIN', ['*-9999999999999999999\r\n']],
    ['LLONG_MIN count is a null multibulk', ['*-9223372036854775808\r\n' + PING]],
    ['LLONG_MIN-1 count', ['*-9223372036854775809\r\n']],
    ['bulk length leading zero', ['*1\r\n$04\r\nPING\r\n']],
    ['bulk length over proto-max-bulk-len', ['*2\r\n$4\r\nECHO\r\n$600000000\r\n']],
    ['bulk length 20 digits', ['*1\r\n$99999999999999999999\r\n']],
    ['CR as the item type', ['*1\r\n\r\n']],
    ['high byte as the item type', ['*1\r\n\xff\r\n']],
    ['integer item after a good command', [PING + '*2\r\n$3\r\nGET\r\n:1\r\n']],
    ['CR not followed by LF is consumed anyway', ['*1\r$4\r\nPING\r\n']],
    ['bulk CRLF is not checked', ['*1\r\n$4\r\nPINGxx' + PING]],
    ['null and empty multibulks are skipped', ['*-1\r\n*0\r\n' + PING]],
    ['split in the count line', ['*', '1\r', '\n$4\r', '\nPI', 'NG\r\n']],
    ['unbalanced double quote inline', ['PING "a\r\n']],
    ['unbalanced single quote inline', ["PING 'a\r\n"]],
    ['closing quote followed by a letter', ['PING "a"b\r\n']],
    ['pipelined inline then error', ['PING\r\nPING\n\r\n  \r\n*x\r\n']],
    ['commands then an error in the same buffer', [PING + PING + '*1\r\n$x\r\n' + PING]],
    ['count line without CR over 64 KB', ['*' + big(70000)]],
    ['count line without CR over 64 KB in pieces', ['*' + big(30000), big(30000), big(10000)]],
    ['bulk count line without CR over 64 KB', ['*1\r\n$' + big(70000)]],
    ['inline without newline over 64 KB', [big(70000, 'a')]],
    ['NUL hides the count line end', ['*1\0\r\n$4\r\nPING\r\n', big(70000)]],
    ['NUL hides the inline newline', ['PING\0\r\n', big(70000, 'a')]],
    ['NUL inside a bulk is data', ['*2\r\n$4\r\nECHO\r\n$1\r\n\0\r\n' + PING]],
  ];
  for (const [name, parts] of cases) {
    it(name, async () => {
      const ours = await same(parts);
      expect(ours.length).toBeGreaterThanOrEqual(0);
    });
  }

  it('an error after which the decoder stays silent', async () => {
    const ours = await same(['*x\r\n' + PING + PING]);
    expect(ours).toEqual([{ error: 'ERR Protocol error: invalid multibulk length' }]);
  });

  it('proto-max-bulk-len is honoured', async () => {
    await same(['*2\r\n$4\r\nECHO\r\n$1048577\r\n'], small.port, { maxBulkLen: 1024 * 1024 });
    // exactly the limit is accepted: both wait for the data
    await same(['*2\r\n$4\r\nECHO\r\n$1048576\r\n'], small.port, { maxBulkLen: 1024 * 1024 });
  });

  it('unauthenticated clients: multibulk count over 10 and bulk over 16 KB', async () => {
    const un = { authenticated: false };
    expect(await same(['*11\r\n'], locked.port, un)).toEqual([{ error: 'ERR Protocol error: unauthenticated multibulk length' }]);
    await same(['*10\r\n'], locked.port, un);
    expect(await same(['*1\r\n$16385\r\n'], locked.port, un)).toEqual([{ error: 'ERR Protocol error: unauthenticated bulk length' }]);
    await same(['*1\r\n$16384\r\n'], locked.port, un);
    // invalid length is checked before the unauthenticated limit
    await same(['*3000000000\r\n'], locked.port, un);
  });

  it('a large command over many chunks decodes once complete', async () => {
    const v = big(200_000, 'v');
    const cmd = encodeCommand(['ECHO', v]);
    const parts: string[] = [];
    for (let i = 0; i < cmd.length; i += 40_000) parts.push(cmd.slice(i, i + 40_000));
    const got = await sendRaw(redis.port, parts);
    expect(got.replies).toEqual([encodeStr({ t: 'bulk', v }, 2)]);
    expect(decodeAll(parts)).toEqual([['ECHO', v]]);
  });
});

describe('inline grammar (sdssplitargs) matches real Redis', () => {
  const lines = [
    'a b  c',
    '"a b" c',
    '\t a \t',
    '"\\x41\\x4a\\x4" x',
    '"\\xFf\\x00\\xzz"',
    '"\\n\\r\\t\\b\\a\\\\\\"\\q"',
    "'a\\'b'",
    "'a\\nb\\\\'", // \\' is an escaped quote: unterminated
    "'a\\nb\\' c'",
    'a"b c"d',
    "a'b c'd",
    'a\vb c\fd',
    '\v\fx\v\f',
    '"" \'\' x',
    '\xff\x80 "\xfe"',
    '"a\tb"\t\'c d\'',
    '"x"\v',
    "'y'\f",
    'a\rb',
    '"a\\"',
    '"abc',
    "'abc",
    '"a"\'b\'',
    '"a"\xa0',
  ];
  for (const line of lines) {
    it(JSON.stringify(line), async () => {
      const bytes = `RPUSH {l} ${line}\r\n` + encodeCommand(['LRANGE', '{l}', '0', '-1']) + encodeCommand(['DEL', '{l}']);
      const got = await sendRaw(redis.port, [bytes]);
      const ours = decodeAll([bytes]);
      if (!Array.isArray(ours[0])) {
        expect(ours).toHaveLength(1);
        expect(got).toEqual({ replies: [encodeStr(err(ours[0]!.error), 2)], closed: true });
        return;
      }
      const argv = ours[0];
      expect(got.replies).toHaveLength(3);
      expect(got.replies[0]).toBe(`:${argv.length - 2}\r\n`);
      expect(parseReply(got.replies[1]!)!.frame).toEqual({ t: 'arr', v: argv.slice(2).map((v) => ({ t: 'bulk', v })) });
    });
  }
});
