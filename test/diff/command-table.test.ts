// The whole command table against real Redis: COMMAND INFO and COMMAND DOCS of every command
// keyflare serves, key specs, tips and docs included, byte for byte in RESP2 and RESP3.
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../src/server/commands/table.js';
import type { CommandSpec } from '../../src/commands/types.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import type { Frame } from '../../src/protocol/frame.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import { useDiff } from '../helpers/diff.js';

const d = useDiff();

/** Commands Redis 7.0.15 lacks (newer versions'): described by extra-commands.json, not compared. */
const NEWER = new Set(['client|setinfo', 'client|no-touch', 'hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'httl', 'hpttl', 'hexpiretime', 'hpexpiretime', 'hpersist', 'hgetdel', 'hgetex', 'hsetex']);
/** Deliberate differences, each with its reason (README "Commands"). */
const DELIBERATE: Record<string, string> = {
  zrank: "takes Redis 7.2's WITHSCORE: arity -3",
  zrevrank: "takes Redis 7.2's WITHSCORE: arity -3",
};

function all(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const s of TABLE.values()) {
    out.push(s);
    for (const sub of s.sub ?? []) out.push(sub);
  }
  return out;
}

const frame = (raw: string): Frame => parseReply(raw, 0)!.frame;

/**
 * A container's reply with its subcommand list taken out: Redis lists every subcommand it has, in
 * its dict order; keyflare lists the ones it serves. The subcommands are compared one by one.
 */
function withoutSubs(f: Frame, info: boolean): { rest: string; subs: string[] } {
  const v = (f as { v: Frame[] }).v[0] as { t: string; v: Frame[] };
  if (info) {
    const entry = v.v;
    const subs = (entry[9] as { v: Frame[] }).v.map((s) => ((s as { v: Frame[] }).v[0] as { v: string }).v);
    return { rest: encodeStr({ t: 'arr', v: entry.slice(0, 9) }, 3), subs };
  }
  const m = (f as { v: Frame[] }).v[1] as { t: 'map'; v: Frame[] };
  const items: Frame[] = [];
  let subs: string[] = [];
  for (let i = 0; i < m.v.length; i += 2) {
    if ((m.v[i] as { v: string }).v === 'subcommands') subs = ((m.v[i + 1] as { v: Frame[] }).v.filter((_, j) => j % 2 === 0) as Array<{ v: string }>).map((x) => x.v);
    else items.push(m.v[i]!, m.v[i + 1]!);
  }
  return { rest: encodeStr({ t: 'map', v: items }, 3), subs };
}

describe('the command table is Redis 7.0.15 own description', () => {
  for (const proto of [2, 3] as Proto[]) {
    it(`COMMAND INFO and COMMAND DOCS of every command match real Redis byte for byte (RESP${proto})`, async () => {
      const diffs: string[] = [];
      let compared = 0;
      for (const spec of all()) {
        if (NEWER.has(spec.name) || DELIBERATE[spec.name]) continue;
        for (const sub of ['INFO', 'DOCS'] as const) {
          const { redis, kf } = await d.pair(['COMMAND', sub, spec.name], proto);
          compared++;
          if (!spec.sub) {
            if (redis !== kf) diffs.push(`COMMAND ${sub} ${spec.name}\n  redis: ${JSON.stringify(redis)}\n  kf:    ${JSON.stringify(kf)}`);
            continue;
          }
          const r = withoutSubs(frame(redis), sub === 'INFO');
          const k = withoutSubs(frame(kf), sub === 'INFO');
          if (r.rest !== k.rest) diffs.push(`COMMAND ${sub} ${spec.name} (container)\n  redis: ${JSON.stringify(r.rest)}\n  kf:    ${JSON.stringify(k.rest)}`);
          const extra = k.subs.filter((s) => !r.subs.includes(s) && !NEWER.has(s));
          if (extra.length) diffs.push(`COMMAND ${sub} ${spec.name}: subcommands Redis lacks: ${extra.join(' ')}`);
        }
      }
      expect(diffs.join('\n')).toBe('');
      expect(compared).toBeGreaterThan(400);
    });
  }

  it('the deliberate differences are exactly the listed ones', async () => {
    for (const name of Object.keys(DELIBERATE)) {
      const { redis, kf } = await d.pair(['COMMAND', 'INFO', name], 3);
      expect(kf).not.toBe(redis);
      // Only the arity differs.
      const r = (frame(redis) as { v: Array<{ v: Frame[] }> }).v[0]!.v;
      const k = (frame(kf) as { v: Array<{ v: Frame[] }> }).v[0]!.v;
      expect(encodeStr({ t: 'arr', v: k.filter((_, i) => i !== 1) }, 3)).toBe(encodeStr({ t: 'arr', v: r.filter((_, i) => i !== 1) }, 3));
      expect(k[1]).toEqual({ t: 'int', v: -3 });
    }
  });
});
