// The Jepsen findings on RedisRaft (2020) that apply to a consensus core, as named tests: total data loss on
// failover, stale reads, split brain, lost updates during membership changes. Each runs on the correct core,
// and where an injected bug reproduces the finding, the same scenario shows it happening.
import { describe, expect, it } from 'vitest';
import { lastIndex } from '../../src/consensus/log.js';
import type { Entry } from '../../src/consensus/types.js';
import { Net, bytes, five, text, three } from '../helpers/raft-net.js';

const writes = (es: readonly Entry[]): string[] => es.filter((e) => e.kind === 'normal').map((e) => text(e.data));

/** Tick every up node once per round, delivering in between, until pred holds. */
function until(net: Net, pred: () => boolean, rounds = 200): void {
  for (let i = 0; i < rounds && !pred(); i++) { for (const n of net.nodes.values()) if (n.up) net.tick(n.id); net.deliver(); }
  if (!pred()) throw new Error('condition never held');
}

describe('Jepsen on RedisRaft, as core tests', () => {
  it('total data loss on failover: acknowledged writes survive the leader crashing, and the follower that acked crashing', () => {
    for (const bug of [false, true]) {
      const net = new Net(three, undefined, { bugs: { sendBeforePersist: bug } });
      net.elect('a');
      for (const v of ['w1', 'w2']) { net.step('a', { type: 'propose', id: v, data: bytes(v) }); net.deliver(); }
      // w3 reaches b only; b acks it and crashes in the same batch, one effect in.
      net.cut.add('a>c');
      net.step('a', { type: 'propose', id: 'w3', data: bytes('w3') });
      net.crashAfter.set('b', 1);
      net.deliver();
      const acked = writes(net.node('a').applied); // the host answers a client once its entry applies
      expect(acked).toEqual(bug ? ['w1', 'w2', 'w3'] : ['w1', 'w2']);
      // The leader fails over: a dies, b comes back from disk, b and c elect a new leader.
      net.crash('a');
      net.cut.clear();
      net.restart('b');
      until(net, () => net.leaders().length === 1);
      const lead = net.get(net.leaders()[0]!);
      until(net, () => net.get('c').commit === lastIndex(lead) && net.get('b').commit === lastIndex(lead));
      const survived = writes(net.node('c').applied);
      if (!bug) for (const w of acked) expect(survived).toContain(w);
      else expect(survived).not.toContain('w3'); // acknowledged, then gone: the finding, reproduced
    }
  });

  it('stale reads: a leader cut off from the majority never answers a read after the majority moved on', () => {
    for (const bug of [false, true]) {
      const net = new Net(three, undefined, { bugs: { readWithoutHeartbeat: bug } });
      net.elect('a');
      net.step('a', { type: 'propose', id: 'x1', data: bytes('x=1') });
      net.deliver();
      net.isolate('a');
      until(net, () => net.leaders().some((x) => x !== 'a'));
      const b = net.leaders().find((x) => x !== 'a')!;
      net.step(b, { type: 'propose', id: 'x2', data: bytes('x=2') });
      net.deliver();
      expect(writes(net.node(b).applied)).toEqual(['x=1', 'x=2']); // x=2 acknowledged
      // a still believes it leads (its clock is slow: it has not ticked) and a client reads x there.
      expect(net.get('a').role).toBe('leader');
      net.step('a', { type: 'read', id: 'r' });
      for (let i = 0; i < 30; i++) { net.tick('a'); net.deliver(); }
      const answered = net.node('a').replies.filter((r) => r.id === 'r' && r.kind === 'read-ready');
      if (!bug) {
        expect(answered).toEqual([]);
        expect(net.node('a').replies).toContainEqual({ type: 'reply', kind: 'rejected', id: 'r', reason: 'not-leader', leader: null });
      } else {
        // Served at a's commit index, where x is still 1: a stale read.
        expect(answered.length).toBe(1);
        expect(writes(net.node('a').applied)).toEqual(['x=1']);
      }
    }
  });

  it('split brain: with five nodes split 2 | 3, only the majority commits; at most one leader per term', () => {
    const net = new Net(five);
    net.elect('a');
    const leadersByTerm = new Map<number, Set<string>>();
    const observe = (): void => {
      for (const n of net.nodes.values()) if (n.up && n.state.role === 'leader') {
        const s = leadersByTerm.get(n.state.term) ?? new Set();
        s.add(n.id);
        leadersByTerm.set(n.state.term, s);
      }
    };
    const side = new Set(['a', 'b']);
    for (const x of net.nodes.keys()) for (const y of net.nodes.keys()) if (side.has(x) !== side.has(y)) net.cut.add(`${x}>${y}`);
    net.step('a', { type: 'propose', id: 'minority', data: bytes('on a') });
    for (let i = 0; i < 60; i++) { for (const n of net.nodes.values()) net.tick(n.id); net.deliver(); observe(); }
    const major = net.leaders().find((x) => !side.has(x));
    expect(major).toBeDefined();
    expect(net.get('a').role).not.toBe('leader'); // check-quorum: a stepped down
    net.step(major!, { type: 'propose', id: 'majority', data: bytes('on the majority') });
    for (let i = 0; i < 10; i++) { for (const n of net.nodes.values()) net.tick(n.id); net.deliver(); observe(); }
    net.heal();
    for (let i = 0; i < 40; i++) { for (const n of net.nodes.values()) net.tick(n.id); net.deliver(); observe(); }
    for (const [, ls] of leadersByTerm) expect(ls.size).toBe(1);
    for (const n of net.nodes.values()) {
      expect(writes(n.applied)).toEqual(['on the majority']); // the minority's write never committed anywhere
    }
  });

  it('lost updates during membership changes: add, promote and remove (the leader too) while writing and crashing', () => {
    const net = new Net(three, ['a', 'b', 'c', 'd']);
    net.elect('a');
    const acked: string[] = [];
    let w = 0;
    const write = (): void => {
      const lead = net.leaders()[0];
      if (!lead) return;
      const id = `w${++w}`;
      net.step(lead, { type: 'propose', id, data: bytes(id) });
      net.deliver();
      for (const e of net.node(lead).applied) if (e.kind === 'normal' && !acked.includes(text(e.data))) acked.push(text(e.data));
    };
    const conf = (op: 'add-learner' | 'promote' | 'remove', node: string): void => {
      until(net, () => net.leaders().length === 1);
      const lead = net.leaders()[0]!;
      net.step(lead, { type: 'propose-conf', id: `${op}-${node}`, change: { op, node } });
      write();
      net.deliver();
      until(net, () => { const l = net.leaders()[0]; return !!l && net.get(l).applied >= net.get(l).pendingConf; });
    };
    write(); write();
    conf('add-learner', 'd');
    write();
    conf('promote', 'd');
    expect(net.get(net.leaders()[0]!).conf.voters).toEqual(['a', 'b', 'c', 'd']);
    write();
    // The leader crashes with a write in flight; the other three carry on.
    net.crashAfter.set(net.leaders()[0]!, 1);
    write();
    until(net, () => net.leaders().length === 1);
    write();
    const crashed = [...net.nodes.values()].find((n) => !n.up)!.id;
    conf('remove', crashed);
    write(); write();
    const lead = net.leaders()[0]!;
    until(net, () => [...net.nodes.values()].filter((n) => n.up).every((n) => n.state.commit === lastIndex(net.get(lead))));
    expect(acked.length).toBeGreaterThanOrEqual(6);
    for (const n of net.nodes.values()) if (n.up) {
      const have = writes(n.applied);
      for (const a of acked) expect(have).toContain(a);
    }
    expect(net.get(lead).conf.voters).not.toContain(crashed);
  });
});
