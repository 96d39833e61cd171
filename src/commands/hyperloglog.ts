// HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST) over Redis-identical HLL strings.
import { OK, ONE, ZERO, arr, bulk, err, int, simple, type Frame } from '../protocol/frame.js';
import {
  HLL_DENSE, HLL_REGISTERS, INVALID_HLL_ERR, NOT_HLL_ERR, bufFromString, bufToString, cachedCard, countRegisters,
  decodeSparse, denseRegisters, hllAdd, hllCount, hllMerge, hllSetRegisters, invalidateCache, isHllString, newHll,
  sparseToDense, withCachedCard, type HllBuf,
} from '../engine/hll.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { def } from './spec-data.js';
import { readAs, writeAs } from './typed.js';

const invalidObj = (): Frame => err(INVALID_HLL_ERR);
const notHll = (): Frame => err(NOT_HLL_ERR);

/** isHLLObjectOrReply: the HLL string, or WRONGTYPE (the lookup's) or a string that is no HLL. */
function hllValue(v: string | Frame): string | Frame {
  if (typeof v !== 'string') return v;
  return isHllString(v) ? v : notHll();
}

const sparseMax = (c: Ctx) => c.config.int('hll-sparse-max-bytes');

/** Store a modified HLL; Redis works on an unshared raw sds, so OBJECT ENCODING says "raw". */
function store(c: Ctx, key: string, h: HllBuf | string, existed: boolean): void {
  const s = typeof h === 'string' ? h : bufToString(h);
  if (existed) c.db.update(key, s);
  else c.db.set(key, s);
  c.db.rawStrings.add(key);
}

function pfadd(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const v = writeAs(c.db, key, 'string');
  let h: HllBuf;
  let updated = 0;
  if (v === undefined) {
    h = newHll();
    updated++;
  } else {
    const s = hllValue(v);
    if (typeof s !== 'string') return s;
    h = bufFromString(s);
  }
  const max = sparseMax(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j]!, max);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis has already changed the value in place when it finds the corruption.
      store(c, key, h, v !== undefined);
      return invalidObj();
    }
  }
  if (!updated) {
    c.db.rawStrings.add(key);
    return ZERO;
  }
  invalidateCache(h);
  store(c, key, h, v !== undefined);
  c.dirty += updated;
  return updated ? ONE : ZERO;
}

function pfcount(c: Ctx, argv: string[]): Frame {
  if (argv.length > 2) {
    // The union of several HLLs, computed on raw registers without touching any key.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = readAs(c.db, argv[j]!, 'string');
      if (v === undefined) continue;
      const s = hllValue(v);
      if (typeof s !== 'string') return s;
      if (!hllMerge(max, s)) return invalidObj();
    }
    return int(countRegisters(max));
  }
  const key = argv[1]!;
  const v = readAs(c.db, key, 'string');
  if (v === undefined) return ZERO;
  const s = hllValue(v);
  if (typeof s !== 'string') return s;
  c.db.rawStrings.add(key);
  const cached = cachedCard(s);
  if (cached !== null) return int(cached);
  const card = hllCount(s);
  if (card === null) return invalidObj();
  // Updating the cache changes the value: Redis propagates the PFCOUNT so replicas match.
  store(c, key, withCachedCard(s, card), true);
  c.dirty++;
  c.propagate(['PFCOUNT', key]);
  return int(card);
}

function pfmerge(c: Ctx, argv: string[]): Frame {
  const max = new Uint8Array(HLL_REGISTERS);
  let dense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = readAs(c.db, argv[j]!, 'string');
    if (v === undefined) continue;
    const s = hllValue(v);
    if (typeof s !== 'string') return s;
    if (s.charCodeAt(4) === HLL_DENSE) dense = true;
    if (!hllMerge(max, s)) return invalidObj();
  }
  const key = argv[1]!;
  const v = c.db.get(key);
  const h = v === undefined ? newHll() : bufFromString(v as string);
  if (dense && !sparseToDense(h)) {
    if (v === undefined) store(c, key, h, false);
    return invalidObj();
  }
  hllSetRegisters(h, max, sparseMax(c));
  invalidateCache(h);
  store(c, key, h, v !== undefined);
  c.dirty++;
  return OK;
}

function pfdebug(c: Ctx, argv: string[]): Frame {
  const sub = argv[1]!;
  const key = argv[2]!;
  const v = writeAs(c.db, key, 'string');
  if (v === undefined) return err('ERR The specified key does not exist');
  const s = hllValue(v);
  if (typeof s !== 'string') return s;
  c.db.rawStrings.add(key);
  const cmd = sub.toLowerCase();
  const toDense = (): Frame | boolean => {
    if (s.charCodeAt(4) !== HLL_DENSE) {
      const h = bufFromString(s);
      if (!sparseToDense(h)) return invalidObj();
      store(c, key, h, true);
      c.dirty++;
      return true;
    }
    return false;
  };
  if (cmd === 'getreg') {
    const r = toDense();
    if (typeof r !== 'boolean') return r;
    return arr(denseRegisters(c.db.get(key) as string).map((x) => int(x)));
  }
  if (cmd === 'decode') {
    if (s.charCodeAt(4) === HLL_DENSE) return err('ERR HLL encoding is not sparse');
    return bulk(decodeSparse(s));
  }
  if (cmd === 'encoding') return simple(s.charCodeAt(4) === HLL_DENSE ? 'dense' : 'sparse');
  if (cmd === 'todense') {
    const r = toDense();
    if (typeof r !== 'boolean') return r;
    return r ? ONE : ZERO;
  }
  return err(`ERR Unknown PFDEBUG subcommand '${sub}'`);
}

/**
 * PFSELFTEST: a short check that sparse and dense agree register for register and count alike
 * (Redis's self-test is longer; this one keeps a shard responsive).
 */
function pfselftest(c: Ctx): Frame {
  const sparse = newHll();
  for (let i = 0; i < 2000; i++) hllAdd(sparse, `selftest-${c.rng.int(1 << 30)}`, 1 << 30);
  const dense = bufFromString(bufToString(sparse));
  if (!sparseToDense(dense)) return err('ERR TESTFAILED sparse to dense conversion');
  const a = hllCount(bufToString(sparse));
  const b = hllCount(bufToString(dense));
  if (a === null || a !== b) return err(`ERR TESTFAILED sparse and dense counts differ: ${a} ${b}`);
  return OK;
}

const spec = (name: string, run: Handler): CommandSpec => def(name, { run });

export const HLL_COMMANDS: CommandSpec[] = [
  spec('pfadd', pfadd),
  spec('pfcount', pfcount),
  spec('pfmerge', pfmerge),
  spec('pfdebug', pfdebug),
  spec('pfselftest', pfselftest),
];
