// Reading Redis 7 key specs (COMMAND INFO's begin_search / find_keys): which keys of a command's
// argv a spec names, and with which access flags.
import type { KeySpec } from './types.js';

/** Keys a command only reads, per its key specs (RO), unless another spec also writes them. */
export function readOnlyKeys(specs: readonly KeySpec[], argv: readonly string[]): Set<string> {
  const ro = new Set<string>();
  const rw = new Set<string>();
  for (const k of specs) {
    if (!k.bs || !k.fk) continue;
    let start = -1;
    if ('index' in k.bs) start = k.bs.index;
    else {
      const kw = k.bs.keyword.toLowerCase();
      const from = k.bs.startfrom;
      if (from >= 0) {
        for (let i = from; i < argv.length; i++) if (argv[i]!.toLowerCase() === kw) { start = i + 1; break; }
      } else {
        for (let i = argv.length + from; i > 0; i--) if (argv[i]!.toLowerCase() === kw) { start = i + 1; break; }
      }
    }
    if (start < 0) continue;
    let last: number;
    let step: number;
    if ('lastkey' in k.fk) {
      last = k.fk.lastkey < 0 ? argv.length + k.fk.lastkey : start + k.fk.lastkey;
      step = k.fk.keystep;
    } else {
      const n = Number(argv[start + k.fk.keynumidx]);
      if (!Number.isInteger(n) || n < 0) continue;
      step = k.fk.keystep;
      start += k.fk.firstkey;
      last = start + (n - 1) * step;
    }
    const into = k.flags.includes('RO') ? ro : rw;
    for (let i = start; i <= last && i < argv.length && step > 0; i += step) into.add(argv[i]!);
  }
  for (const k of rw) ro.delete(k);
  return ro;
}

/**
 * COMMAND GETKEYSANDFLAGS: each key position with the flags Redis 7.0 reports for it. Key specs
 * give them, except where Redis asks the command's own getkeys function because the flags depend
 * on the arguments (SET with GET, BITFIELD with writes) or the spec is incomplete (SORT's STORE).
 */
export function keyFlags(name: string, specs: readonly KeySpec[], argv: readonly string[], positions: readonly number[]): string[][] {
  const lower = argv.map((a) => a.toLowerCase());
  if (name === 'set') return positions.map(() => (lower.includes('get') ? ['RW', 'access', 'update'] : ['OW', 'update']));
  if (name === 'bitfield') {
    const writes = lower.slice(2).some((a) => a === 'set' || a === 'incrby');
    return positions.map(() => (writes ? ['RW', 'access', 'update'] : ['RO', 'access']));
  }
  if (name === 'sort' || name === 'sort_ro') return positions.map((p) => (p === 1 ? ['RO', 'access'] : ['OW', 'update']));
  const byPos = new Map<number, readonly string[]>();
  for (const k of specs) {
    if (!k.bs || !k.fk) continue;
    let start = -1;
    if ('index' in k.bs) start = k.bs.index;
    else {
      const kw = k.bs.keyword.toLowerCase();
      const from = k.bs.startfrom;
      if (from >= 0) {
        for (let i = from; i < argv.length; i++) if (lower[i] === kw) { start = i + 1; break; }
      } else {
        for (let i = argv.length + from; i > 0; i--) if (lower[i] === kw) { start = i + 1; break; }
      }
    }
    if (start < 0) continue;
    let last: number;
    const step = k.fk.keystep;
    if ('lastkey' in k.fk) last = k.fk.lastkey < 0 ? argv.length + k.fk.lastkey : start + k.fk.lastkey;
    else {
      const n = Number(argv[start + k.fk.keynumidx]);
      if (!Number.isInteger(n) || n < 0) continue;
      start += k.fk.firstkey;
      last = start + (n - 1) * step;
    }
    for (let i = start; i <= last && i < argv.length && step > 0; i += step) if (!byPos.has(i)) byPos.set(i, k.flags);
  }
  return positions.map((p) => (byPos.get(p) ?? []).filter((f) => f !== 'variable_flags'));
}
