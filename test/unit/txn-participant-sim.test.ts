// The seeded simulation of cross-shard transactions (test/helpers/txn-sim.ts): real shard hosts
// with the participant over crashable storage, a tiny coordinator following the wire protocol,
// participant crashes, vanishing coordinators, leases ending, AOF rewrites and peer outages;
// invariants after every step.
// KF_TXN_SIM_SEEDS=N runs N seeds (default: CI-sized); KF_TXN_SIM_STEPS the steps per seed;
// KF_TXN_SIM_SHARDS the participants (default 3).
import { describe, expect, it } from 'vitest';
import { TxnSim } from '../helpers/txn-sim.js';

const SEEDS = Number(process.env.KF_TXN_SIM_SEEDS ?? 40);
const STEPS = Number(process.env.KF_TXN_SIM_STEPS ?? 400);
const SHARDS = Number(process.env.KF_TXN_SIM_SHARDS ?? 3);

describe('cross-shard transactions: seeded simulation', () => {
  it(`${SEEDS} seeds × ${STEPS} steps, ${SHARDS} shards: every invariant holds after every step`, async () => {
    const totals = { steps: 0, txs: 0, committed: 0, aborted: 0, unknown: 0, crashes: 0, vanished: 0, rewrites: 0, outages: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await new TxnSim(seed, SHARDS, 3).run(STEPS);
      expect(r.violation).toBeNull();
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += r[k];
    }
    console.log(`txn sim: ${JSON.stringify(totals)}`);
    // The run exercised what it claims to: commits, aborts, crashes and vanished coordinators.
    expect(totals.committed).toBeGreaterThan(SEEDS * 10);
    expect(totals.aborted).toBeGreaterThan(0);
    expect(totals.crashes).toBeGreaterThan(SEEDS * 10);
    expect(totals.vanished).toBeGreaterThan(SEEDS);
    expect(totals.rewrites).toBeGreaterThan(SEEDS);
  }, 120_000);

  for (const bug of ['release-at-stage', 'commit-without-decision', 'status-aborts-pending'] as const) {
    it(`catches an injected bug: ${bug}`, async () => {
      let caught: string | null = null;
      for (let seed = 1; seed <= SEEDS && !caught; seed++) caught = (await new TxnSim(seed, 3, 3, { bug }).run(STEPS)).violation;
      console.log(`txn sim, bug ${bug}: ${caught}`);
      expect(caught).not.toBeNull();
    }, 120_000);
  }
});
