// SLOWLOG compared with real Redis: errors byte for byte; the entries by what is deterministic
// (which commands were logged, in which order, their logged arguments and client name; ids
// increase by one, durations meet the threshold), since times and peers differ by nature.
import { describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { parse, type Node } from '../helpers/random-compare.js';

const d = useDiff();

interface Shape {
  ids: number[];
  args: string[][];
  names: string[];
  usOk: boolean;
}

function shape(raw: string, threshold: number): Shape {
  const entries = parse(raw).kids ?? [];
  const txt = (n: Node) => n.text;
  return {
    ids: entries.map((e) => Number(txt(e.kids![0]!))),
    args: entries.map((e) => e.kids![3]!.kids!.map(txt)),
    names: entries.map((e) => txt(e.kids![5]!)),
    usOk: entries.every((e) => e.kids!.length === 6 && Number(txt(e.kids![2]!)) >= threshold && Number(txt(e.kids![1]!)) > 1.7e9),
  };
}

/** Run the script on both sides (one connection each), then compare SLOWLOG GET -1 by shape. */
async function sameLog(script: Cmd[]): Promise<Shape> {
  for (const cmd of script) await d.pair(cmd);
  const { redis, kf } = await d.pair(['SLOWLOG', 'GET', '-1']);
  const r = shape(redis, 0);
  const k = shape(kf, 0);
  const rel = (ids: number[]) => ids.map((id) => ids[0]! - id);
  expect({ args: k.args, names: k.names, rel: rel(k.ids), usOk: k.usOk }).toEqual({ args: r.args, names: r.names, rel: rel(r.ids), usOk: r.usOk });
  return k;
}

describe('SLOWLOG', () => {
  it('argument errors and HELP, byte for byte', async () => {
    await d.check([
      ['SLOWLOG'],
      ['SLOWLOG', 'FOO'],
      ['SLOWLOG', 'HELP'],
      ['SLOWLOG', 'help', 'x'],
      ['SLOWLOG', 'GET', '-2'],
      ['SLOWLOG', 'GET', '-222'],
      ['SLOWLOG', 'GET', 'x'],
      ['SLOWLOG', 'GET', '1.5'],
      ['SLOWLOG', 'GET', '99999999999999999999'],
      ['SLOWLOG', 'GET', '1', '2'],
      ['SLOWLOG', 'get', '1', '2'],
      ['SLOWLOG', 'LEN', 'x'],
      ['SLOWLOG', 'RESET', 'x'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
      ['SLOWLOG', 'RESET'],
      ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET'],
      ['SLOWLOG', 'GET', '0'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
      ['CONFIG', 'GET', 'slowlog-log-slower-than'],
    ]);
  });

  it('logs every command at threshold 0, newest first, trimmed and redacted as Redis does', async () => {
    const k = await sameLog([
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
      ['CONFIG', 'SET', 'slowlog-max-len', '128'],
      ['CLIENT', 'SETNAME', 'slowpoke'],
      ['SLOWLOG', 'RESET'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['SET', '{s}k', 'v'],
      ['SADD', '{s}set', ...Array.from({ length: 33 }, (_, i) => String(i + 3))],
      ['SADD', '{s}set', 'foo', 'A'.repeat(129)],
      ['ACL', 'SETUSER', 'slowlog-test-user', '+get', '+set'],
      ['CONFIG', 'SET', 'masterauth', ''],
      ['AUTH', 'nopass'],
      ['HELLO', '2', 'AUTH', 'default', 'wrong'],
      ['MULTI'],
      ['INCR', '{s}n'],
      ['GET', '{s}k'],
      ['EXEC'],
      ['PING'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
      ['SET', '{s}k', 'not logged'],
    ]);
    expect(k.args[0]).toEqual(['PING']);
    expect(k.names.every((n) => n === 'slowpoke')).toBe(true);
    await d.pair(['ACL', 'DELUSER', 'slowlog-test-user']);
  });

  it('slowlog-max-len bounds the log and GET count limits the reply', async () => {
    const script: Cmd[] = [
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['CONFIG', 'SET', 'slowlog-max-len', '10'],
      ...Array.from({ length: 30 }, (): Cmd => ['PING']),
    ];
    for (const c of script) await d.pair(c);
    for (const c of [['SLOWLOG', 'LEN'], ['SLOWLOG', 'GET', '5']] as Cmd[]) {
      const { redis, kf } = await d.pair(c);
      expect(parse(kf).kids?.length ?? Number(parse(kf).text)).toBe(parse(redis).kids?.length ?? Number(parse(redis).text));
    }
    const { redis, kf } = await d.pair(['CONFIG', 'SET', 'slowlog-max-len', '3']);
    expect(kf).toBe(redis);
    const len = await d.pair(['SLOWLOG', 'LEN']);
    expect(len.kf).toBe(len.redis);
    await d.pair(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
    await d.pair(['CONFIG', 'SET', 'slowlog-max-len', '128']);
  });
});
