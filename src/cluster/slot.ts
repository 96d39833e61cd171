// Redis Cluster's key → hash slot mapping, with {hash tags}, and the slot map over shard DOs.
import { crc16 } from './crc16.js';

export const SLOTS = 16384;

/** keyHashSlot from cluster.c: hash the first non-empty {…} section if there is one. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOTS - 1);
  }
  return crc16(key) & (SLOTS - 1);
}

/**
 * Contiguous slot ranges, one per shard, split as `redis-cli --cluster create` splits them
 * (its single-precision float cursor included: 3 shards → 0-5460, 5461-10922, 10923-16383),
 * so CLUSTER SLOTS looks like any freshly created cluster.
 */
export class SlotMap {
  readonly ranges: Array<[number, number]> = [];
  private readonly owner: Uint16Array;

  constructor(readonly shards: number) {
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new Error(`bad shard count ${shards}`);
    this.owner = new Uint16Array(SLOTS);
    const f = Math.fround;
    const per = f(SLOTS / shards);
    let cursor = 0;
    let lo = 0;
    for (let i = 0; i < shards; i++) {
      let hi = Math.round(f(f(cursor + per) - 1)); // lround; the value is positive
      if (hi > SLOTS || i === shards - 1) hi = SLOTS - 1;
      if (hi < lo) hi = lo;
      this.ranges.push([lo, hi]);
      this.owner.fill(i, lo, hi + 1);
      lo = hi + 1;
      cursor = f(cursor + per);
    }
  }

  shardOfSlot(slot: number): number {
    return this.owner[slot]!;
  }

  shardOfKey(key: string): number {
    return this.owner[keySlot(key)]!;
  }
}
