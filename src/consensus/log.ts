// Reads over a node's log: the snapshot boundary, terms by index, slices, and the up-to-date rule.
import type { Entry, Membership, RaftState } from './types.js';

type LogView = Pick<RaftState, 'snapshot' | 'entries'>;

export const snapIndex = (s: LogView): number => s.snapshot.meta.index;

export function lastIndex(s: LogView): number {
  const n = s.entries.length;
  return n > 0 ? s.entries[n - 1]!.index : snapIndex(s);
}

/** The term of the entry at i, or undefined when i is compacted away or past the end. */
export function termAt(s: LogView, i: number): number | undefined {
  const si = snapIndex(s);
  if (i === si) return s.snapshot.meta.term;
  if (i < si || i > lastIndex(s)) return undefined;
  return s.entries[i - si - 1]!.term;
}

export const lastTerm = (s: LogView): number => termAt(s, lastIndex(s))!;

/** Entries lo..hi inclusive (both above the snapshot). */
export function slice(s: LogView, lo: number, hi: number): Entry[] {
  const si = snapIndex(s);
  return s.entries.slice(lo - si - 1, hi - si) as Entry[];
}

/** Raft's election restriction (§5.4.1): a log at least as up to date as ours. */
export function isUpToDate(s: LogView, index: number, term: number): boolean {
  const lt = lastTerm(s);
  return term > lt || (term === lt && index >= lastIndex(s));
}

/**
 * The largest index ≤ index whose term is ≤ term (or the snapshot index): where two logs can match
 * at best, given the other side's (index, term). etcd's findConflictByTerm; it lets a rejected append
 * skip a whole term of mismatches in one round trip.
 */
export function findConflictByTerm(s: LogView, index: number, term: number): number {
  let i = Math.min(index, lastIndex(s));
  const si = snapIndex(s);
  while (i > si && termAt(s, i)! > term) i--;
  return i;
}

/** The configuration in force at index: the last conf entry at or before it, else the snapshot's. */
export function confAt(s: LogView, index: number): Membership {
  for (let k = s.entries.length - 1; k >= 0; k--) {
    const e = s.entries[k]!;
    if (e.index <= index && e.kind === 'conf') return e.conf!;
  }
  return s.snapshot.meta.conf;
}

/** The index of the last conf entry at or before index (the snapshot index if none is left in the log). */
export function confIndexAt(s: LogView, index: number): number {
  for (let k = s.entries.length - 1; k >= 0; k--) {
    const e = s.entries[k]!;
    if (e.index <= index && e.kind === 'conf') return e.index;
  }
  return snapIndex(s);
}
