// Issue 19 items 3 and 4: replies and effects with more elements than a call has arguments (~120k)
// are built with loops, never spread into a call: SPOP with a huge count, a 200k-command pipeline
// to one shard, KEYS * over 130k keys per shard, a 200k-command transaction (MULTI/EXEC and the
// REST /multi-exec path), SUBSCRIBE replies over many channels. And a guard: no call spread
// anywhere in src/ or bin/.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { Shard } from '../../src/shard/shard.js';
import { arr, bulk, int, type Frame } from '../../src/protocol/frame.js';
import { LocalBackend } from '../../src/server/local.js';
import { expandReplies, several } from '../../src/server/pubsub.js';

const INFO = { index: 0, count: 1, slots: [0, 16383] as [number, number] };
const OK: Frame = { t: 'simple', v: 'OK' };
const BIG = 200_000;

function notOk(replies: readonly Frame[], want: Frame = OK): Frame[] {
  const out: Frame[] = [];
  for (const r of replies) if (r.t !== want.t || (r as { v?: unknown }).v !== (want as { v?: unknown }).v) out.push(r);
  return out.slice(0, 3);
}

describe('big replies and effects (no spread into a call)', () => {
  it('SPOP of 299,000 members of a 300,000-member set: reply, SCARD, and the logged effects replay to the same set', () => {
    const shard = new Shard(INFO, new ManualClock(), 7);
    const effects: string[][] = [];
    for (let i = 0; i < 300_000; i += 10_000) {
      const sadd = ['SADD', 'big'];
      for (let j = i; j < i + 10_000; j++) sadd.push(`member:${j}`);
      for (const e of shard.exec([sadd]).effects) effects.push(e);
    }
    const r = shard.exec([['SPOP', 'big', '299000'], ['SCARD', 'big']]);
    for (const e of r.effects) effects.push(e);
    const [pop, card] = r.replies as [Frame, Frame];
    expect(pop.t).toBe('set');
    const popped = (pop as { v: Frame[] }).v;
    expect(popped.length).toBe(299_000);
    expect(new Set(popped.map((f) => (f as { v: string }).v)).size).toBe(299_000);
    expect(card).toEqual(int(1000));
    // What the AOF holds rebuilds the same set.
    const back = new Shard(INFO, new ManualClock(), 99);
    back.replay(effects);
    expect(back.exec([['SCARD', 'big']]).replies).toEqual([int(1000)]);
    const left = (s: Shard) => ((s.exec([['SMEMBERS', 'big']]).replies[0] as { v: Frame[] }).v.map((f) => (f as { v: string }).v)).sort();
    expect(left(back)).toEqual(left(shard));
  });

  it('a pipeline of 200,000 commands to one shard answers each of them', async () => {
    const b = new LocalBackend(4);
    const s = b.session();
    const cmds: string[][] = [];
    for (let i = 0; i < BIG; i++) cmds.push(['SET', `{p}k${i}`, String(i)]);
    const replies = await s.run(cmds);
    expect(replies.length).toBe(BIG);
    expect(notOk(replies)).toEqual([]);
    expect(await s.run([['GET', `{p}k${BIG - 1}`]])).toEqual([bulk(String(BIG - 1))]);
  });

  it('KEYS * over 130,000 keys on each of two shards', async () => {
    const b = new LocalBackend(2);
    const s = b.session();
    const perShard = [0, 0];
    const cmds: string[][] = [];
    for (let i = 0; perShard[0]! < 130_000 || perShard[1]! < 130_000; i++) {
      const k = `k${i}`;
      const sh = b.slots.shardOfKey(k);
      if (perShard[sh]! >= 130_000) continue;
      perShard[sh]!++;
      cmds.push(['SET', k, '1']);
    }
    for (let i = 0; i < cmds.length; i += 20_000) await s.run(cmds.slice(i, i + 20_000));
    const [keys] = await s.run([['KEYS', '*']]);
    expect(keys!.t).toBe('arr');
    expect((keys as { v: Frame[] }).v.length).toBe(260_000);
  });

  it('a transaction of 200,000 commands: MULTI/EXEC and the REST /multi-exec path', async () => {
    const b = new LocalBackend(4);
    const s = b.session();
    const body: string[][] = [];
    for (let i = 0; i < BIG; i++) body.push(['INCR', `{t}n`]);
    const replies = await s.run([['MULTI'], ...body, ['EXEC']]);
    const exec = replies[replies.length - 1]!;
    expect(exec.t).toBe('arr');
    const got = (exec as { v: Frame[] }).v;
    expect(got.length).toBe(BIG);
    expect(got[BIG - 1]).toEqual(int(BIG));
    const rest = await s.transaction(body);
    expect(Array.isArray(rest)).toBe(true);
    expect((rest as Frame[]).length).toBe(BIG);
    expect((rest as Frame[])[BIG - 1]).toEqual(int(2 * BIG));
  });

  it('SUBSCRIBE replies expand to one frame per channel, for any number of channels', async () => {
    const frames: Frame[] = [];
    for (let i = 0; i < BIG; i++) frames.push(arr([bulk('subscribe'), bulk(`ch${i}`), int(i + 1)]));
    const out = expandReplies([bulk('before'), several(frames), bulk('after')]);
    expect(out.length).toBe(BIG + 2);
    expect(out[BIG]).toEqual(frames[BIG - 1]);
    expect(out[BIG + 1]).toEqual(bulk('after'));
  });

  it('no call in src/ or bin/ spreads an array into its arguments', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|mjs|js)$/.test(f)) files.push(p);
      }
    };
    walk('src');
    walk('bin');
    const found: string[] = [];
    for (const f of files) {
      const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node) => {
        if (ts.isSpreadElement(n) && (ts.isCallExpression(n.parent) || ts.isNewExpression(n.parent))) {
          found.push(`${f}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.parent.getText().slice(0, 80)}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    // Array literals ([...a, x]) are fine: only arguments are limited by the stack.
    expect(found).toEqual([]);
  });
});
