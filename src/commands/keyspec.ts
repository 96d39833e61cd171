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
