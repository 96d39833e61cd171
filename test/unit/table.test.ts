// Keeps the command table honest: every spec real Redis knows has Redis 7.0's arity, flags, key
// positions and ACL categories; every spec has a handler; every command is named in some test.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../src/server/commands/table.js';
import type { CommandSpec } from '../../src/commands/types.js';
import type { Frame } from '../../src/protocol/frame.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedis, type RedisProc } from '../helpers/redis-server.js';

interface RedisSpec {
  arity: number;
  flags: string[];
  keys: [number, number, number];
  acl: string[];
  tips: string[];
}

/**
 * Deliberate differences, each with its reason. Keyed by command name; the listed fields are
 * not compared for that command.
 */
const ALLOW: Record<string, Array<keyof RedisSpec>> = {
  // ZRANK/ZREVRANK take Redis 7.2's WITHSCORE option, so their arity is 7.2's -3 (7.0: 3).
  zrank: ['arity'],
  zrevrank: ['arity'],
  // Redis marks PING and the like with flags it never prints (sentinel); we keep them, COMMAND INFO hides them.
};

let redis: RedisProc;
const known = new Map<string, RedisSpec>();

function walk(f: Frame): void {
  const v = (f as { v: Frame[] }).v;
  const s = (i: number) => ((v[i] as { v: Frame[] }).v).map((x) => (x as { v: string }).v);
  const name = (v[0] as { v: string }).v;
  known.set(name, {
    arity: Number((v[1] as { v: number }).v),
    flags: s(2),
    keys: [Number((v[3] as { v: number }).v), Number((v[4] as { v: number }).v), Number((v[5] as { v: number }).v)],
    acl: s(6).map((a) => a.slice(1)),
    tips: s(7),
  });
  for (const sub of (v[9] as { v: Frame[] }).v) walk(sub);
}

beforeAll(async () => {
  redis = await startRedis();
  const c = await RawClient.connect(redis.port);
  const [raw] = await c.call([['COMMAND']]);
  c.close();
  for (const f of (parseReply(raw!, 0)!.frame as { v: Frame[] }).v) walk(f);
}, 30_000);
afterAll(() => redis?.stop());

function allSpecs(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const s of TABLE.values()) {
    out.push(s);
    for (const sub of s.sub ?? []) out.push(sub);
  }
  return out;
}

const HIDDEN = new Set(['sentinel', 'only_sentinel']);
const sorted = (a: readonly string[]) => [...a].sort();

describe('command table', () => {
  it('matches real Redis 7.0 for every command it knows (arity, flags, key positions, ACL categories)', () => {
    const diffs: string[] = [];
    let compared = 0;
    for (const spec of allSpecs()) {
      const r = known.get(spec.name);
      if (!r) continue; // a command Redis 7.0 lacks (e.g. CLIENT SETINFO, from 7.2)
      compared++;
      const skip = ALLOW[spec.name] ?? [];
      const ours: RedisSpec = {
        arity: spec.arity,
        flags: spec.flags.filter((f) => !HIDDEN.has(f)),
        keys: [...spec.keys] as [number, number, number],
        acl: [...spec.acl],
        tips: [...(spec.tips ?? [])],
      };
      for (const field of ['arity', 'flags', 'keys', 'acl'] as const) {
        if (skip.includes(field)) continue;
        const a = field === 'flags' || field === 'acl' ? sorted(ours[field]) : ours[field];
        const b = field === 'flags' || field === 'acl' ? sorted(r[field]) : r[field];
        if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${spec.name}.${field}: ours ${JSON.stringify(a)} redis ${JSON.stringify(b)}`);
      }
    }
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(20);
  });

  it('knows Redis\'s tips for the commands that declare them', () => {
    const diffs: string[] = [];
    for (const spec of allSpecs()) {
      const r = known.get(spec.name);
      if (!r || spec.tips === undefined) continue;
      if (JSON.stringify(sorted(spec.tips)) !== JSON.stringify(sorted(r.tips))) diffs.push(`${spec.name}: ours ${spec.tips} redis ${r.tips}`);
    }
    expect(diffs).toEqual([]);
  });

  it('every spec has a handler for its route', () => {
    const missing: string[] = [];
    for (const spec of allSpecs()) {
      if (spec.sub) {
        if (spec.sub.length === 0) missing.push(`${spec.name} (empty container)`);
        continue;
      }
      if (spec.route === 'conn' ? !spec.conn : !spec.run) missing.push(spec.name);
    }
    expect(missing).toEqual([]);
  });

  it('every command is named in at least one test file', () => {
    const files: string[] = [];
    const collect = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) collect(p);
        else if (/\.(ts|mjs|js)$/.test(e) && !p.endsWith(join('unit', 'table.test.ts'))) files.push(readFileSync(p, 'utf8').toLowerCase());
      }
    };
    collect(join(__dirname, '..'));
    const quoted = (text: string, word: string) => new RegExp(`['"\`]${word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}['"\`\\s]`).test(text);
    const untested: string[] = [];
    for (const spec of allSpecs()) {
      if (spec.sub) continue;
      const [container, sub] = spec.name.split('|') as [string, string | undefined];
      const ok = files.some((f) => quoted(f, container) && (sub === undefined || quoted(f, sub)));
      if (!ok) untested.push(spec.name);
    }
    expect(untested).toEqual([]);
  });
});
