// Transcript tests of the pure Raft core (in the spirit of etcd-io/raft's testdata): campaign, replication,
// repair, commit rules, ReadIndex, snapshots and catch-up, transfer and membership, on a hand-driven network.
import { describe, expect, it } from 'vitest';
import { lastIndex } from '../../src/consensus/log.js';
import { step } from '../../src/consensus/raft.js';
import type { Entry, Membership, Message, Persisted, Snapshot } from '../../src/consensus/types.js';
import { Net, bytes, five, text, three } from '../helpers/raft-net.js';

const base = (conf: Membership): Snapshot => ({ meta: { index: 0, term: 0, conf }, data: new Uint8Array() });
const log = (...terms: number[]): Entry[] => terms.map((term, i) => ({ index: i + 1, term, kind: 'normal', data: bytes(`e${i + 1}t${term}`) }));
const persisted = (conf: Membership, term: number, entries: Entry[], vote: string | null = null): Persisted => ({ term, vote, snapshot: base(conf), entries });

describe('raft core: election', () => {
  it('campaign: pre-vote, then a real vote; the winner appends a no-op of its term', () => {
    const net = new Net(three);
    net.tick('a', 9);
    expect(net.queue).toEqual([]); // the timeout is at least electionTick = 10 ticks
    for (let i = 0; i < 10 && net.queue.length === 0; i++) net.tick('a');
    // Pre-vote asks for term 1 without raising anyone's term.
    expect(net.get('a').role).toBe('pre-candidate');
    expect(net.get('a').term).toBe(0);
    expect(net.queue.map((m) => `${m.type}:${m.to}:${m.term}`)).toEqual(['prevote:b:1', 'prevote:c:1']);
    net.deliver();
    const a = net.get('a');
    expect([a.role, a.term, a.vote]).toEqual(['leader', 1, 'a']);
    expect(a.entries.map((e) => [e.index, e.term, e.kind])).toEqual([[1, 1, 'noop']]);
    expect(a.commit).toBe(1);
    expect([net.get('b').term, net.get('b').vote, net.get('b').lead]).toEqual([1, 'a', 'a']);
    // Followers learn the commit from the next heartbeat.
    net.tick('a', 5); net.deliver();
    expect(net.get('b').commit).toBe(1);
    expect(net.node('b').applied.map((e) => e.kind)).toEqual(['noop']);
  });

  it('the vote is persisted before the reply that grants it leaves', () => {
    const net = new Net(three);
    net.elect('a');
    const grant = net.node('b').batches.find((b) => b.some((e) => e.type === 'send' && e.msg.type === 'vote-resp'))!;
    expect(grant.map((e) => e.type)).toEqual(['persist', 'send']);
    expect(grant[0]).toMatchObject({ type: 'persist', term: 1, vote: 'a' });
  });

  it('a candidate with a shorter log loses: the up-to-date check (§5.4.1)', () => {
    const init = { a: persisted(three, 2, log(1, 2)), b: persisted(three, 2, log(1, 2)), c: persisted(three, 2, log(1)) };
    const net = new Net(three, ['a', 'b', 'c'], {}, init);
    for (let i = 0; i < 40; i++) { net.tick('c'); net.deliver(); }
    expect(net.get('c').role).not.toBe('leader');
    expect(net.get('a').term).toBe(2); // pre-vote failed: nobody's term moved
  });

  it('pre-vote: a node cut off and back does not disrupt the leader; check-quorum deposes an isolated leader', () => {
    const net = new Net(three);
    net.elect('a');
    net.isolate('c');
    for (let i = 0; i < 60; i++) { net.tick('c'); net.deliver(); }
    expect(net.get('c').term).toBe(1); // pre-votes never reached anyone, no term inflation
    net.heal();
    for (let i = 0; i < 30; i++) { net.tick('c'); net.tick('a'); net.tick('b'); net.deliver(); }
    expect(net.get('a').role).toBe('leader');
    expect(net.get('a').term).toBe(1);
    net.isolate('a');
    for (let i = 0; i < 20; i++) { net.tick('a'); net.deliver(); }
    expect(net.get('a').role).toBe('follower'); // it cannot hear a quorum: it stops leading
  });
});

describe('raft core: replication', () => {
  it('propose on the leader: persisted and sent, committed on a quorum, applied everywhere in order', () => {
    const net = new Net(three);
    net.elect('a');
    const eff = net.step('a', { type: 'propose', id: 'p1', data: bytes('SET x 1') });
    expect(eff.map((e) => e.type)).toEqual(['persist', 'send', 'send', 'reply']);
    expect(eff[3]).toEqual({ type: 'reply', kind: 'accepted', id: 'p1', index: 2, term: 1 });
    net.deliver();
    expect(net.get('a').commit).toBe(2);
    expect(net.node('a').applied.map((e) => text(e.data))).toEqual(['', 'SET x 1']);
    net.tick('a', 5); net.deliver();
    for (const id of ['b', 'c']) expect(net.node(id).applied.map((e) => e.index)).toEqual([1, 2]);
  });

  it('a follower refuses proposals and names the leader', () => {
    const net = new Net(three);
    net.elect('a');
    expect(net.step('b', { type: 'propose', id: 'p', data: bytes('x') })).toEqual([{ type: 'reply', kind: 'rejected', id: 'p', reason: 'not-leader', leader: 'a' }]);
  });

  it('log repair: conflicting entries are overwritten, skipping a whole term per round trip', () => {
    // b holds entries of term 2 that never committed; a leads term 3 with a different suffix.
    const init = {
      a: persisted(three, 3, log(1, 1, 3, 3)),
      b: persisted(three, 2, log(1, 1, 2, 2, 2, 2, 2)),
      c: persisted(three, 3, log(1, 1, 3, 3)),
    };
    const net = new Net(three, ['a', 'b', 'c'], {}, init);
    net.elect('a');
    net.tick('a', 5); net.deliver();
    const b = net.get('b');
    expect(b.entries.map((e) => e.term)).toEqual([1, 1, 3, 3, 4]);
    expect(net.node('b').store.entries.map((e) => e.term)).toEqual([1, 1, 3, 3, 4]);
    // One rejection suffices: b answers (4, term 2), and the leader skips its own term-3 entries back to 2.
    const hints = net.node('b').batches.flat().filter((e) => e.type === 'send' && e.msg.type === 'append-resp' && e.msg.reject);
    expect(hints.length).toBe(1);
    expect(hints[0]).toMatchObject({ msg: { index: 4, hintIndex: 4, hintTerm: 2 } });
    const probes = net.node('a').batches.flat().flatMap((e) => (e.type === 'send' && e.msg.type === 'append' && e.msg.to === 'b' ? [e.msg.prevIndex] : []));
    expect(probes.slice(0, 2)).toEqual([4, 2]);
  });

  it('a stale append (delayed duplicate) never truncates entries the follower holds', () => {
    const net = new Net(three);
    net.elect('a');
    net.step('a', { type: 'propose', id: 'p1', data: bytes('1') });
    const first = net.queue.find((m) => m.to === 'b')!;
    net.deliver();
    net.step('a', { type: 'propose', id: 'p2', data: bytes('2') });
    net.deliver();
    expect(lastIndex(net.get('b'))).toBe(3);
    net.step('b', { type: 'message', msg: first });
    expect(lastIndex(net.get('b'))).toBe(3);
  });

  it('only entries of the current term commit by counting replicas (figure 8); older ones commit under the no-op', () => {
    // a has an entry of term 2 at index 2 that only a and b hold; e holds a term-3 entry there.
    const init = {
      a: persisted(five, 3, log(1, 2)), b: persisted(five, 3, log(1, 2)), c: persisted(five, 3, log(1)),
      d: persisted(five, 3, log(1)), e: persisted(five, 3, log(1, 3)),
    };
    for (const bug of [false, true]) {
      const net = new Net(five, ['a', 'b', 'c', 'd', 'e'], { maxEntriesPerAppend: 1, bugs: { commitOldTerm: bug } }, init);
      net.crash('e');
      // a wins term 4; its no-op (index 3) reaches b only; c and d get index 2 but not the no-op.
      net.dropIf = (m) => m.type === 'append' && m.to !== 'b' && m.entries.some((x) => x.index === 3) && lastIndex(net.get(m.to)) >= 2;
      net.elect('a');
      net.tick('a', 5); net.deliver();
      expect(net.get('a').term).toBe(4);
      expect(net.get('c').entries.map((x) => x.term)).toEqual([1, 2]);
      // index 2 (term 2) is now on a, b, c, d: a majority of five, but not of the current term.
      expect(net.get('a').commit).toBe(bug ? 2 : 0);
      // a dies; e (last term 3) wins term 5 with c and d, and overwrites index 2.
      net.crash('a');
      net.dropIf = () => false;
      net.restart('e');
      net.tick('c', 20); net.tick('d', 20); net.queue = []; // their leases on a expire
      net.elect('e');
      net.tick('e', 5); net.deliver();
      expect(net.get('e').role).toBe('leader');
      if (!bug) {
        expect(net.get('c').entries.map((x) => x.term)).toEqual([1, 3, 5]);
        expect(net.get('c').commit).toBe(3);
        expect(net.node('a').applied).toEqual([]); // a never counted index 2 as committed
      } else {
        // a applied the term-2 entry at index 2, and c and d committed it, yet e leads term 5 with a
        // term-3 entry there: leader completeness (and so state machine safety) is broken.
        expect(net.node('a').applied.map((x) => x.term)).toEqual([1, 2]);
        expect(net.get('c').commit).toBe(2);
        expect(net.get('e').entries.map((x) => x.term)).toEqual([1, 3, 5]);
      }
    }
  });
});

describe('raft core: ReadIndex', () => {
  it('a read is answered only after a heartbeat quorum confirms the leader, at the commit index', () => {
    const net = new Net(three);
    net.elect('a');
    net.step('a', { type: 'propose', id: 'w', data: bytes('x') });
    net.deliver();
    const eff = net.step('a', { type: 'read', id: 'r1' });
    expect(eff.map((e) => (e.type === 'send' ? `${e.msg.type}:${e.msg.to}` : e.type))).toEqual(['heartbeat:b', 'heartbeat:c']);
    // One response is enough with the leader itself: 2 of 3.
    const hb = net.queue.shift()!;
    net.queue = [];
    net.step('b', { type: 'message', msg: hb });
    const resp = net.queue.shift()!;
    expect(net.step('a', { type: 'message', msg: resp })).toContainEqual({ type: 'reply', kind: 'read-ready', id: 'r1', index: 2 });
  });

  it('a new leader holds reads until its no-op commits; a deposed one fails them', () => {
    const net = new Net(three);
    net.elect('a');
    net.isolate('a');
    net.step('a', { type: 'read', id: 'r' });
    for (let i = 0; i < 20; i++) { net.tick('a'); net.deliver(); }
    expect(net.node('a').replies).toContainEqual({ type: 'reply', kind: 'rejected', id: 'r', reason: 'not-leader', leader: null });
    // Deliver one message at a time until b or c wins; the read arrives before its no-op has gone anywhere.
    let lead: string | undefined;
    for (let i = 0; i < 200 && !lead; i++) {
      if (net.queue.length === 0) { net.tick('b'); net.tick('c'); } else net.deliver(1);
      lead = net.leaders().find((x) => x !== 'a');
    }
    expect(lead).toBeDefined();
    const before = net.queue.length;
    net.step(lead!, { type: 'read', id: 'r2' });
    expect(net.queue.length).toBe(before); // no heartbeat round yet: there is no commit index to vouch for
    expect(net.node(lead!).replies.filter((r) => r.id === 'r2')).toEqual([]);
    net.deliver();
    net.tick(lead!, 5); net.deliver();
    expect(net.node(lead!).replies.filter((r) => r.id === 'r2')).toEqual([{ type: 'reply', kind: 'read-ready', id: 'r2', index: net.get(lead!).commit }]);
    expect(net.get(lead!).commit).toBeGreaterThanOrEqual(2);
  });
});

describe('raft core: snapshots, transfer, membership', () => {
  it('a learner far behind catches up through a chunked snapshot, then is promoted', () => {
    const net = new Net(three, ['a', 'b', 'c', 'd'], { snapshotChunkBytes: 4 });
    net.elect('a');
    for (let i = 0; i < 5; i++) { net.step('a', { type: 'propose', id: `p${i}`, data: bytes(`v${i}`) }); net.deliver(); }
    net.step('a', { type: 'compact', index: 6, data: bytes('STATE-AT-6') });
    expect(net.get('a').snapshot.meta).toEqual({ index: 6, term: 1, conf: three });
    expect(net.get('a').entries).toEqual([]);
    // Promotion before d is a learner, or before it caught up, is refused.
    net.step('a', { type: 'propose-conf', id: 'x', change: { op: 'promote', node: 'd' } });
    expect(net.node('a').replies.at(-1)).toMatchObject({ id: 'x', kind: 'rejected', reason: 'invalid-conf' });
    net.step('a', { type: 'propose-conf', id: 'add', change: { op: 'add-learner', node: 'd' } });
    const chunks: number[] = [];
    net.dropIf = (m) => { if (m.type === 'snapshot') chunks.push(m.offset); return false; };
    net.deliver();
    net.tick('a', 5); net.deliver();
    expect(chunks.slice(0, 3)).toEqual([0, 4, 8]);
    const d = net.get('d');
    expect(net.node('d').restored.map((s) => text(s.data))).toEqual(['STATE-AT-6']);
    expect(d.snapshot.meta.index).toBe(6);
    expect(d.conf).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(d.commit).toBe(7);
    net.step('a', { type: 'propose-conf', id: 'pro', change: { op: 'promote', node: 'd' } });
    net.deliver(); net.tick('a', 5); net.deliver();
    expect(net.get('a').conf).toEqual({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    expect(net.get('d').conf.voters).toContain('d');
  });

  it('one change at a time: a second change waits for the first to apply', () => {
    const net = new Net(three, ['a', 'b', 'c', 'd', 'e']);
    net.elect('a');
    net.step('a', { type: 'propose-conf', id: 'c1', change: { op: 'add-learner', node: 'd' } });
    net.step('a', { type: 'propose-conf', id: 'c2', change: { op: 'add-learner', node: 'e' } });
    expect(net.node('a').replies.map((r) => `${r.id}:${r.kind}`)).toEqual(['c1:accepted', 'c2:rejected']);
    net.deliver();
    net.step('a', { type: 'propose-conf', id: 'c3', change: { op: 'add-learner', node: 'e' } });
    expect(net.node('a').replies.at(-1)).toMatchObject({ id: 'c3', kind: 'accepted' });
  });

  it('a leader removed from the group steps down once the change commits; the rest elect a new one', () => {
    const net = new Net(three);
    net.elect('a');
    net.step('a', { type: 'propose-conf', id: 'rm', change: { op: 'remove', node: 'a' } });
    net.deliver();
    expect(net.get('a').role).toBe('follower');
    for (let i = 0; i < 40 && net.leaders().length === 0; i++) { net.tick('b'); net.tick('c'); net.tick('a'); net.deliver(); }
    expect(net.leaders().length).toBe(1);
    expect(net.leaders()[0]).not.toBe('a');
  });

  it('leadership transfer: the target is caught up, told to campaign at once, and wins the next term', () => {
    const net = new Net(three);
    net.elect('a');
    net.cut.add('a>c');
    net.step('a', { type: 'propose', id: 'p', data: bytes('v') });
    net.deliver();
    net.cut.clear();
    net.step('a', { type: 'transfer', to: 'c' });
    expect(net.step('a', { type: 'propose', id: 'q', data: bytes('w') })).toContainEqual({ type: 'reply', kind: 'rejected', id: 'q', reason: 'transferring', leader: 'a' });
    net.deliver();
    expect(net.get('c').role).toBe('leader');
    expect(net.get('c').term).toBe(2);
    expect(net.get('a').role).toBe('follower');
  });

  it('a removed server that never learned it was removed cannot disrupt the group (§4.2.3)', () => {
    const net = new Net(three);
    net.elect('a');
    net.cut.add('a>c');
    net.step('a', { type: 'propose-conf', id: 'rm', change: { op: 'remove', node: 'c' } });
    net.deliver();
    net.tick('a', 5); net.deliver();
    expect(net.get('a').conf.voters).toEqual(['a', 'b']);
    expect(net.get('c').conf.voters).toEqual(['a', 'b', 'c']); // c still thinks it is a voter
    for (let i = 0; i < 60; i++) { net.tick('a'); net.tick('b'); net.tick('c'); net.deliver(); }
    // c campaigns over and over; b, hearing from its leader, ignores the pre-votes, and no term moves.
    expect(net.get('a').role).toBe('leader');
    expect([net.get('a').term, net.get('b').term]).toEqual([1, 1]);
  });

  it('snapshot chunks: gaps and duplicates are answered with the offset wanted; the install happens once', () => {
    const net = new Net(three, ['a', 'b', 'c', 'd']);
    const meta = { index: 4, term: 1, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } };
    const data = bytes('ABCDEFGH');
    const chunk = (offset: number): Message => ({ type: 'snapshot', from: 'a', to: 'd', term: 1, meta, offset, chunk: data.subarray(offset, offset + 3), done: offset + 3 >= data.length });
    const answer = (offset: number): unknown => {
      const out = net.step('d', { type: 'message', msg: chunk(offset) }).flatMap((e) => (e.type === 'send' && e.msg.type === 'snapshot-resp' ? [e.msg] : []));
      return out.map((m) => `${m.offset}${m.done ? ' done' : ''}`);
    };
    expect(answer(3)).toEqual(['0']); // a gap: start from 0
    expect(answer(0)).toEqual(['3']);
    expect(answer(0)).toEqual(['3']); // a duplicate first chunk restarts cleanly
    expect(answer(3)).toEqual(['6']);
    expect(answer(3)).toEqual(['6']); // a duplicate middle chunk changes nothing
    expect(answer(6)).toEqual(['8 done']);
    expect(answer(6)).toEqual(['0 done']); // already installed (committed): just confirm
    expect(net.node('d').restored.map((x) => text(x.data))).toEqual(['ABCDEFGH']);
    expect([net.get('d').commit, net.get('d').snapshot.meta.index, net.node('d').store.snapshot.meta.index]).toEqual([4, 4, 4]);
  });

  it('step is pure: the input state is left untouched', () => {
    const net = new Net(three);
    net.elect('a');
    const s = net.get('a');
    const snap = JSON.stringify(s);
    step(s, { type: 'propose', id: 'p', data: bytes('x') });
    step(s, { type: 'tick' });
    expect(JSON.stringify(s)).toBe(snap);
  });
});
