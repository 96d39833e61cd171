// The seeded fault simulation of the Raft core: the correct core survives every schedule with 0 violations,
// and each deliberately injected bug is caught within the CI-sized run (a harness that never fails proves nothing).
// CI size: KF_RAFT_SCHEDULES (alias KF_RAFT_SEEDS) schedules, default 2000; KF_RAFT_STEPS: faulty ticks
// (100 ms each) per schedule, default 50, and every fourth schedule runs 6× as long (figure 8 needs several
// leader changes in one history). Long run: KF_RAFT_SCHEDULES=10000 npx vitest run ... raft-sim.
import { describe, expect, it } from 'vitest';
import type { InjectedBugs } from '../../src/consensus/types.js';
import { linearizableRegister, type Op } from '../helpers/raft-linear.js';
import { runSim, type SimOptions } from '../helpers/raft-sim.js';

const SCHEDULES = Number(process.env.KF_RAFT_SCHEDULES ?? process.env.KF_RAFT_SEEDS ?? 2000);
const TICKS = Number(process.env.KF_RAFT_STEPS ?? 50);

/** Schedule i: 3 or 5 voters; every third has 2 spare nodes for membership changes; every fourth is long. */
const schedule = (seed: number, bugs?: InjectedBugs): SimOptions => ({
  seed, voters: seed % 2 ? 3 : 5, spares: seed % 3 === 0 ? 2 : 0, durationMs: TICKS * 100 * (seed % 4 === 0 ? 6 : 1), bugs,
});

describe('linearizability checker', () => {
  const op = (kind: 'w' | 'r', value: string | null, invoke: number, complete: number): Op => ({ key: 'k', kind, value, invoke, complete });
  it('accepts overlapping ops in either order and rejects a read of an overwritten value', () => {
    expect(linearizableRegister([op('w', 'a', 1, 4), op('r', 'a', 2, 3)])).toBe(true);
    expect(linearizableRegister([op('w', 'a', 1, 2), op('r', null, 3, 4)])).toBe(false); // stale: the write finished first
    expect(linearizableRegister([op('w', 'a', 1, 2), op('w', 'b', 3, 4), op('r', 'a', 5, 6)])).toBe(false);
    expect(linearizableRegister([op('w', 'a', 1, 6), op('w', 'b', 2, 5), op('r', 'b', 3, 4), op('r', 'a', 7, 8)])).toBe(true);
  });
  it('an unanswered write may take effect at any later time, or never', () => {
    expect(linearizableRegister([op('w', 'a', 1, Infinity), op('r', null, 2, 3), op('r', 'a', 4, 5)])).toBe(true);
    expect(linearizableRegister([op('w', 'a', 1, Infinity), op('r', null, 2, 3)])).toBe(true);
    expect(linearizableRegister([op('w', 'a', 1, Infinity), op('r', 'a', 2, 3), op('r', null, 4, 5)])).toBe(false);
  });
});

describe(`raft simulation (${SCHEDULES} schedules × ${TICKS * 100} ms of faults, every fourth ×6)`, () => {
  it('the correct core: 0 invariant violations, linearizable histories, no acknowledged write lost', () => {
    const totals = { steps: 0, ops: 0, ackedWrites: 0, reads: 0, elections: 0, snapshotsInstalled: 0, confChanges: 0, noLeaderAtEnd: 0 };
    const bad: string[] = [];
    for (let seed = 1; seed <= SCHEDULES; seed++) {
      const r = runSim(schedule(seed));
      if (r.violation) bad.push(`seed ${seed}: ${r.violation}`);
      totals.steps += r.steps; totals.ops += r.ops; totals.ackedWrites += r.ackedWrites; totals.reads += r.reads;
      totals.elections += r.elections; totals.snapshotsInstalled += r.snapshotsInstalled; totals.confChanges += r.confChanges;
      if (!r.leaderAtEnd) totals.noLeaderAtEnd++;
    }
    console.log(`raft sim: ${SCHEDULES} schedules`, totals);
    expect(bad).toEqual([]);
    // The runs did real work: writes acknowledged, reads answered, failovers, catch-up by snapshot, changes.
    expect(totals.ackedWrites).toBeGreaterThan(SCHEDULES * 10);
    expect(totals.reads).toBeGreaterThan(SCHEDULES * 10);
    expect(totals.elections).toBeGreaterThan(SCHEDULES * 2);
    expect(totals.snapshotsInstalled).toBeGreaterThan(SCHEDULES / 10);
    expect(totals.confChanges).toBeGreaterThan(SCHEDULES / 20);
    // After the fault-free settle period a group has a leader again (liveness).
    expect(totals.noLeaderAtEnd).toBeLessThan(SCHEDULES / 100 + 1);
  }, 300_000);

  const bugs: [keyof InjectedBugs, string][] = [
    ['noNoop', 'no no-op entry on election (reads served at a stale commit index)'],
    ['commitOldTerm', 'committing an entry of an older term by counting replicas (figure 8)'],
    ['readWithoutHeartbeat', 'reads without the ReadIndex heartbeat round'],
    ['sendBeforePersist', 'replying (acks, votes) before persisting'],
    ['voteWithoutLogCheck', 'votes granted without the up-to-date check'],
  ];
  for (const [bug, what] of bugs) {
    it(`catches an injected bug: ${what}`, () => {
      let caught: { seed: number; violation: string } | undefined;
      for (let seed = 1; seed <= SCHEDULES && !caught; seed++) {
        const r = runSim(schedule(seed, { [bug]: true }));
        if (r.violation) caught = { seed, violation: r.violation };
      }
      console.log(`raft sim: ${bug} caught`, caught);
      expect(caught).toBeDefined();
    }, 300_000);
  }
});
