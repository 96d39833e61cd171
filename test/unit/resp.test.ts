// RESP codec unit tests: the request decoder's grammar and limits, and the reply encoder for every
// Frame kind in RESP2/RESP3. Expected bytes follow the RESP spec and real Redis (see test/diff/protocol.test.ts).
import { describe, expect, it } from 'vitest';
import { toBytes } from '../../src/protocol/bytes.js';
import type { Frame } from '../../src/protocol/frame.js';
import { PROTO_INLINE_MAX_SIZE, RespDecoder, splitArgs, type Decoded } from '../../src/protocol/resp-decode.js';
import { encodeCommand, encodeMany, encodeStr } from '../../src/protocol/resp-encode.js';
import { parseReply, splitReplies } from '../../src/protocol/resp-reply.js';

function decode(s: string, setup?: (d: RespDecoder) => void): Decoded[] {
  const d = new RespDecoder();
  setup?.(d);
  d.push(toBytes(s));
  const out: Decoded[] = [];
  for (let r = d.next(); r; r = d.next()) out.push(r);
  return out;
}

const PE = (m: string) => ({ error: `ERR Protocol error: ${m}` });

describe('splitArgs (sdssplitargs), cases checked on redis-server 7.0', () => {
  const table: Array<[string, string[] | null]> = [
    ['', []],
    ['   \t ', []],
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ['"\\x41\\x4a\\x4" x', ['AJx4', 'x']],
    ['"\\xFf\\x00\\xzz"', ['\xff\x00xzz']],
    ['"\\n\\r\\t\\b\\a\\\\\\"\\q"', ['\n\r\t\b\x07\\"q']],
    ["'a\\'b'", ["a'b"]],
    ["'a\\nb\\' c'", ["a\\nb' c"]],
    ["'a\\nb\\\\'", null],
    ['a"b c"d', null], // closing quote followed by a letter
    ['a"b c" d', ['ab c', 'd']],
    ["a'b c' d", ['ab c', 'd']],
    ['a\vb c\fd', ['a\vb', 'c\fd']], // \v and \f do not end an unquoted token
    ['\v\fx\v\f', ['x\v\f']],
    ['"" \'\' x', ['', '', 'x']],
    ['\xff\x80 "\xfe"', ['\xff\x80', '\xfe']],
    ['"x"\v', ['x']],
    ['a\rb', ['a', 'b']],
    ['"a\\"', null],
    ['"abc', null],
    ["'abc", null],
    ['"a"\'b\'', null],
    ['ab\0cd ef', ['ab']], // a C string: NUL ends the line
    ['"ab\0cd"', null],
  ];
  for (const [line, want] of table) {
    it(JSON.stringify(line), () => {
      expect(splitArgs(line)).toEqual(want);
    });
  }
});

describe('RespDecoder', () => {
  it('decodes multibulk and inline commands, pipelined', () => {
    expect(decode('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n  \r\nECHO "a b"\n*0\r\n*-1\r\n*1\r\n$0\r\n\r\n')).toEqual([
      ['GET', 'k'],
      ['PING'],
      ['ECHO', 'a b'],
      [''],
    ]);
  });

  it('returns null until a command is complete, keeping partial state', () => {
    const d = new RespDecoder();
    const cmd = encodeCommand(['SET', 'key', 'x'.repeat(10_000)]);
    for (let i = 0; i < cmd.length - 1; i++) {
      d.push(toBytes(cmd[i]!));
      expect(d.next()).toBeNull();
    }
    d.push(toBytes(cmd[cmd.length - 1]!));
    expect(d.next()).toEqual(['SET', 'key', 'x'.repeat(10_000)]);
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(0);
  });

  const errors: Array<[string, Decoded]> = [
    ['*x\r\n', PE('invalid multibulk length')],
    ['*1\r\nx\r\n', PE("expected '$', got 'x'")],
    ['*1\r\n$-5\r\n', PE('invalid bulk length')],
    ['*1\r\n$-1\r\n', PE('invalid bulk length')],
    ['*1\r\n$abc\r\n', PE('invalid bulk length')],
    ['*1\r\n$04\r\n', PE('invalid bulk length')],
    ['*1\r\n$\r\n', PE('invalid bulk length')],
    ['*3000000000\r\n', PE('invalid multibulk length')],
    ['*2147483648\r\n', PE('invalid multibulk length')],
    ['*01\r\n', PE('invalid multibulk length')],
    ['*-0\r\n', PE('invalid multibulk length')],
    ['*+1\r\n', PE('invalid multibulk length')],
    ['*-9223372036854775809\r\n', PE('invalid multibulk length')],
    ['*1\r\n$600000000\r\n', PE('invalid bulk length')],
    ['*1\r\n:1\r\n', PE("expected '$', got ':'")],
    ['PING "x\r\n', PE('unbalanced quotes in request')],
    ["PING 'x'y\r\n", PE('unbalanced quotes in request')],
    ['*' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), PE('too big mbulk count string')],
    ['*1\r\n$' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1), PE('too big bulk count string')],
    ['x'.repeat(PROTO_INLINE_MAX_SIZE + 1), PE('too big inline request')],
    ['PING\0\r\n' + 'x'.repeat(PROTO_INLINE_MAX_SIZE), PE('too big inline request')],
    ['*1\0\r\n' + 'x'.repeat(PROTO_INLINE_MAX_SIZE), PE('too big mbulk count string')],
  ];
  for (const [input, want] of errors) {
    it(`error on ${JSON.stringify(input.slice(0, 30))}`, () => {
      expect(decode(input)).toEqual([want]);
    });
  }

  it('exactly 64 KB without a line end still waits', () => {
    expect(decode('*' + '1'.repeat(PROTO_INLINE_MAX_SIZE - 1))).toEqual([]);
    expect(decode('x'.repeat(PROTO_INLINE_MAX_SIZE))).toEqual([]);
  });

  it('accepts the int64 extremes as counts (LLONG_MIN is a null multibulk)', () => {
    expect(decode('*-9223372036854775808\r\nPING\r\n')).toEqual([['PING']]);
    expect(decode('*9223372036854775807\r\n')).toEqual([PE('invalid multibulk length')]);
  });

  it('consumes the byte after a count line CR whatever it is, and never checks a bulk CRLF', () => {
    expect(decode('*1\r$4\r\nPING\r\n')).toEqual([PE("expected '$', got '4'")]);
    expect(decode('*1\rX$4\rXPINGXX')).toEqual([['PING']]);
  });

  it('keeps commands decoded before an error, then stays silent', () => {
    const d = new RespDecoder();
    d.push(toBytes('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n'));
    expect(d.next()).toEqual(['PING']);
    expect(d.next()).toEqual(['PING']);
    expect(d.next()).toEqual(PE('invalid bulk length'));
    expect(d.next()).toBeNull();
    d.push(toBytes('PING\r\n'));
    expect(d.next()).toBeNull();
  });

  it('unauthenticated limits: 10 args and 16 KB bulks', () => {
    const un = (d: RespDecoder) => { d.authenticated = false; };
    expect(decode('*11\r\n', un)).toEqual([PE('unauthenticated multibulk length')]);
    expect(decode('*10\r\n', un)).toEqual([]);
    expect(decode('*1\r\n$16385\r\n', un)).toEqual([PE('unauthenticated bulk length')]);
    expect(decode('*1\r\n$16384\r\n', un)).toEqual([]);
    expect(decode('*11\r\n')).toEqual([]);
  });

  it('honours maxBulkLen', () => {
    const lim = (d: RespDecoder) => { d.maxBulkLen = 100; };
    expect(decode('*1\r\n$101\r\n', lim)).toEqual([PE('invalid bulk length')]);
    expect(decode(encodeCommand(['x'.repeat(100)]), lim)).toEqual([['x'.repeat(100)]]);
  });

  it('reuses and grows its buffer across many pushes', () => {
    const d = new RespDecoder();
    const argv = ['SET', 'k', 'v'.repeat(3000)];
    const cmd = toBytes(encodeCommand(argv));
    let n = 0;
    for (let i = 0; i < 200; i++) {
      d.push(cmd.subarray(0, 1000));
      d.push(cmd.subarray(1000));
      for (let r = d.next(); r; r = d.next()) {
        expect(r).toEqual(argv);
        n++;
      }
    }
    expect(n).toBe(200);
    expect(d.buffered).toBe(0);
  });
});

describe('encoder: every Frame kind', () => {
  const cases: Array<[Frame, string, string]> = [
    [{ t: 'simple', v: 'OK' }, '+OK\r\n', '+OK\r\n'],
    [{ t: 'err', v: 'ERR x\r\ny' }, '-ERR x  y\r\n', '-ERR x  y\r\n'],
    [{ t: 'int', v: -42 }, ':-42\r\n', ':-42\r\n'],
    [{ t: 'int', v: -9223372036854775808n }, ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    [{ t: 'bulk', v: '\r\n\0\xff' }, '$4\r\n\r\n\0\xff\r\n', '$4\r\n\r\n\0\xff\r\n'],
    [{ t: 'bulk', v: '' }, '$0\r\n\r\n', '$0\r\n\r\n'],
    [{ t: 'nil' }, '$-1\r\n', '_\r\n'],
    [{ t: 'nilarr' }, '*-1\r\n', '_\r\n'],
    [{ t: 'arr', v: [] }, '*0\r\n', '*0\r\n'],
    [{ t: 'arr', v: [{ t: 'int', v: 1 }, { t: 'nil' }] }, '*2\r\n:1\r\n$-1\r\n', '*2\r\n:1\r\n_\r\n'],
    [{ t: 'map', v: [{ t: 'bulk', v: 'k' }, { t: 'dbl', v: 1.5 }] }, '*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n', '%1\r\n$1\r\nk\r\n,1.5\r\n'],
    [{ t: 'set', v: [{ t: 'bulk', v: 'a' }] }, '*1\r\n$1\r\na\r\n', '~1\r\n$1\r\na\r\n'],
    [{ t: 'dbl', v: 0.1 }, '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
    [{ t: 'dbl', v: Infinity }, '$3\r\ninf\r\n', ',inf\r\n'],
    [{ t: 'dbl', v: -Infinity }, '$4\r\n-inf\r\n', ',-inf\r\n'],
    [{ t: 'dbl', v: 1e300 }, '$23\r\n1.0000000000000001e+300\r\n', ',1.0000000000000001e+300\r\n'],
    [{ t: 'bool', v: true }, ':1\r\n', '#t\r\n'],
    [{ t: 'bool', v: false }, ':0\r\n', '#f\r\n'],
    [{ t: 'verb', fmt: 'txt', v: 'Some string' }, '$11\r\nSome string\r\n', '=15\r\ntxt:Some string\r\n'],
    [{ t: 'push', v: [{ t: 'bulk', v: 'message' }] }, '*1\r\n$7\r\nmessage\r\n', '>1\r\n$7\r\nmessage\r\n'],
  ];
  for (const [f, r2, r3] of cases) {
    it(`${f.t} ${JSON.stringify(r3)}`, () => {
      expect(encodeStr(f, 2)).toBe(r2);
      expect(encodeStr(f, 3)).toBe(r3);
    });
  }

  it('encodeMany writes a pipeline of replies as bytes', () => {
    const u8 = encodeMany([{ t: 'bulk', v: '\xff' }, { t: 'int', v: 7 }], 2);
    expect(Array.from(u8)).toEqual(Array.from(Buffer.from('$1\r\n\xff\r\n:7\r\n', 'latin1')));
  });

  it('parseReply reads RESP3 big numbers, blob errors and skips attributes', () => {
    expect(parseReply('(3492890328409238509324850943850943825024385\r\n')!.frame).toEqual({ t: 'int', v: 3492890328409238509324850943850943825024385n });
    expect(parseReply('!21\r\nSYNTAX invalid syntax\r\n')!.frame).toEqual({ t: 'err', v: 'SYNTAX invalid syntax' });
    expect(parseReply('|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*1\r\n:2\r\n')!.frame).toEqual({ t: 'arr', v: [{ t: 'int', v: 2 }] });
    expect(parseReply('$5\r\nab')).toBeNull();
    expect(splitReplies('+a\r\n:1\r\n*2\r\n:1\r\n')).toEqual({ replies: ['+a\r\n', ':1\r\n'], rest: '*2\r\n:1\r\n' });
  });
});
