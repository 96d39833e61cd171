// The seeded replication simulation (test/helpers/repl-sim.ts): a primary and 2 replicas with
// lost, reordered and duplicated messages, replica restarts, small backlogs (full resyncs) and
// split pushes; after every step each replica's data is the primary's at the replica's offset,
// and a WAIT never counts a replica that lacks the offset. Injected bugs must be caught.
// KF_REPL_SIM_SEEDS / KF_REPL_SIM_STEPS make the run longer.
import { describe, expect, it } from 'vitest';
import { runSim } from '../helpers/repl-sim.js';

const SEEDS = Number(process.env.KF_REPL_SIM_SEEDS ?? 12);
const STEPS = Number(process.env.KF_REPL_SIM_STEPS ?? 400);

describe('replication simulation', () => {
  it(`${SEEDS} seeds x ${STEPS} steps: replicas equal the primary at their offset`, async () => {
    let fulls = 0;
    let partials = 0;
    let waits = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const small = seed % 2 === 0;
      const { error, sim } = await runSim({ seed, loss: 0.1, dup: 0.05, ...(small ? { backlog: 16384, streamChunk: 700, snapshotChunk: 900 } : {}) }, STEPS);
      expect(error).toBeNull();
      fulls += sim.fulls;
      partials += sim.partials;
      for (const r of sim.replicas) {
        fulls += r.core.fulls;
        partials += r.core.partials;
      }
      waits += sim.waits;
    }
    // The run exercised what it is for: full and partial resyncs, and WAITs answered.
    expect(fulls).toBeGreaterThan(SEEDS);
    expect(partials).toBeGreaterThan(0);
    expect(waits).toBeGreaterThan(0);
  }, 120_000);

  for (const bug of ['accept-gap', 'apply-twice', 'ack-off-by-one'] as const) {
    it(`catches the injected bug ${bug}`, async () => {
      let caught = false;
      for (let seed = 1; seed <= 20 && !caught; seed++) {
        const { error } = await runSim({ seed, loss: 0.15, dup: 0.1, bug, backlog: 16384, streamChunk: 700 }, 400);
        if (error) {
          caught = true;
          console.log(`${bug}: ${error}`);
        }
      }
      expect(caught).toBe(true);
    }, 120_000);
  }
});
