// Hash commands as Redis 7.0 (HSET … HSCAN); the field-expiry commands of Redis 7.4/8.0 live in
// hashes-ttl.ts. Both share the lookups below, which reclaim expired fields before any access.
import { E, NIL, OK, ONE, ZERO, arityErr, arr, bulk, bulkOrNil, err, int, map, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { addLD, fmtLDHuman, parseLD } from '../engine/str-longdouble.js';
import { parseCursor } from '../engine/scan.js';
import { fieldTtl, hashDel, hashEach, hashEntries, hashGet, hashHas, hashLen, hashSet } from '../engine/types/hash.js';
import { isFrame, scanArgs } from './args.js';
import { dropIfEmpty, hspec, limits, readHash, writeHash, writeOrCreate } from './hashes-common.js';
import { HASH_TTL_COMMANDS } from './hashes-ttl.js';
import type { CommandSpec, Ctx } from './types.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

function hset(c: Ctx, argv: string[]): Frame {
  if (argv.length % 2 === 1) return arityErr(argv[0]!.toLowerCase() === 'hmset' ? 'hmset' : 'hset');
  const key = argv[1]!;
  const h = writeOrCreate(c, key);
  if (isFrame(h)) return h;
  const lim = limits(c);
  // hashTypeTryConversion: any long argument converts before the first insert.
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (hashSet(h, argv[i]!, argv[i + 1]!, lim)) added++;
  c.dirty += (argv.length - 2) / 2;
  return argv[0]!.toLowerCase() === 'hmset' ? OK : int(added);
}

function hsetnx(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const h = writeOrCreate(c, key);
  if (isFrame(h)) return h;
  if (hashHas(h, argv[2]!)) return ZERO;
  hashSet(h, argv[2]!, argv[3]!, limits(c));
  c.dirty++;
  return ONE;
}

function hget(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return NIL;
  if (isFrame(h)) return h;
  return bulkOrNil(hashGet(h, argv[2]!));
}

function hmget(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (isFrame(h)) return h;
  const out: Frame[] = [];
  for (let i = 2; i < argv.length; i++) out.push(h === undefined ? NIL : bulkOrNil(hashGet(h, argv[i]!)));
  return arr(out);
}

function hdel(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const h = writeHash(c, key);
  if (h === undefined) return ZERO;
  if (isFrame(h)) return h;
  let n = 0;
  for (let i = 2; i < argv.length; i++) {
    if (hashDel(h, argv[i]!)) {
      n++;
      if (hashLen(h) === 0) break;
    }
  }
  if (n > 0) {
    dropIfEmpty(c, key, h);
    c.dirty += n;
  }
  return int(n);
}

function hlen(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return ZERO;
  if (isFrame(h)) return h;
  return int(hashLen(h));
}

function hstrlen(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return ZERO;
  if (isFrame(h)) return h;
  return int(hashGet(h, argv[2]!)?.length ?? 0);
}

function hexists(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return ZERO;
  if (isFrame(h)) return h;
  return hashHas(h, argv[2]!) ? ONE : ZERO;
}

function hkeys(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return arr([]);
  if (isFrame(h)) return h;
  const out: Frame[] = [];
  hashEach(h, (f) => {
    out.push(bulk(f));
  });
  return arr(out);
}

function hvals(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return arr([]);
  if (isFrame(h)) return h;
  const out: Frame[] = [];
  hashEach(h, (_f, v) => {
    out.push(bulk(v));
  });
  return arr(out);
}

function hgetall(c: Ctx, argv: string[]): Frame {
  const h = readHash(c, argv[1]!);
  if (h === undefined) return map([]);
  if (isFrame(h)) return h;
  const out: Frame[] = [];
  hashEach(h, (f, v) => {
    out.push(bulk(f), bulk(v));
  });
  return map(out);
}

function intReply(v: bigint): Frame {
  return v <= 9007199254740991n && v >= -9007199254740991n ? int(Number(v)) : int(v);
}

function hincrby(c: Ctx, argv: string[]): Frame {
  const incr = parseI64(argv[3]!);
  if (incr === null) return E.notInt;
  const key = argv[1]!;
  const h = writeOrCreate(c, key);
  if (isFrame(h)) return h;
  const f = argv[2]!;
  const cur = hashGet(h, f);
  let value = 0n;
  if (cur !== undefined) {
    const p = parseI64(cur);
    if (p === null) return err('ERR hash value is not an integer');
    value = p;
  }
  if ((incr < 0n && value < 0n && incr < LLONG_MIN - value) || (incr > 0n && value > 0n && incr > LLONG_MAX - value)) {
    return E.overflow;
  }
  value += incr;
  // The field keeps its TTL (HASH_SET_KEEP_TTL), so replaying the command as received is exact.
  hashSet(h, f, value.toString(), limits(c), true);
  c.dirty++;
  return intReply(value);
}

function hincrbyfloat(c: Ctx, argv: string[]): Frame {
  const incr = parseLD(argv[3]!);
  if (incr === null) return E.notFloat;
  if (incr.inf) return err('ERR value is NaN or Infinity');
  const key = argv[1]!;
  const h = writeOrCreate(c, key);
  if (isFrame(h)) return h;
  const f = argv[2]!;
  const cur = hashGet(h, f);
  let value = parseLD('0')!;
  if (cur !== undefined) {
    const p = parseLD(cur);
    if (p === null) return err('ERR hash value is not a float');
    value = p;
  }
  const sum = addLD(value, incr);
  if (sum === null || sum.inf) return err('ERR increment would produce NaN or Infinity');
  const s = fmtLDHuman(sum);
  hashSet(h, f, s, limits(c), true);
  c.dirty++;
  // Propagated as HSET (Redis 7.0); HSET would drop a field TTL, so the deadline follows it.
  c.rewrite(['HSET', key, f, s]);
  const at = fieldTtl(h, f);
  if (at !== undefined) c.propagate(['HPEXPIREAT', key, String(at), 'FIELDS', '1', f]);
  return bulk(s);
}

const LONG_MAX = 9223372036854775807n;

function hrandfield(c: Ctx, argv: string[]): Frame {
  if (argv.length === 2) {
    const h = readHash(c, argv[1]!);
    if (h === undefined) return NIL;
    if (isFrame(h)) return h;
    const n = hashLen(h);
    const i = c.rng.int(n);
    let out: Frame = NIL;
    let k = 0;
    hashEach(h, (f) => {
      if (k++ === i) {
        out = bulk(f);
        return false;
      }
      return true;
    });
    return out;
  }
  const l = parseI64(argv[2]!);
  if (l === null) return E.notInt;
  if (l < -LONG_MAX || l > LONG_MAX) return err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  let withValues = false;
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withvalues')) return E.syntax;
  if (argv.length === 4) {
    withValues = true;
    if (l < -(LONG_MAX / 2n) || l > LONG_MAX / 2n) return err('ERR value is out of range');
  }
  const h = readHash(c, argv[1]!);
  if (h === undefined) return arr([]);
  if (isFrame(h)) return h;
  const uniq = l >= 0n;
  const count = uniq ? l : -l;
  if (count === 0n) return arr([]);
  const all = hashEntries(h);
  const size = all.length;
  const emit = (picked: Array<[string, string]>): Frame => {
    if (!withValues) return arr(picked.map(([f]) => bulk(f)));
    if (c.resp === 3) return arr(picked.map(([f, v]) => arr([bulk(f), bulk(v)])));
    const flat: Frame[] = [];
    for (const [f, v] of picked) flat.push(bulk(f), bulk(v));
    return arr(flat);
  };
  if (!uniq || count === 1n) {
    // Repetitions allowed: the count is bounded by the reply the client asked for.
    const n = Number(count);
    const picked: Array<[string, string]> = new Array(n);
    for (let i = 0; i < n; i++) picked[i] = all[c.rng.int(size)]!;
    return emit(picked);
  }
  if (count >= BigInt(size)) return emit(all);
  // Distinct fields: selection sampling keeps the hash's own order.
  let need = Number(count);
  const picked: Array<[string, string]> = [];
  for (let i = 0; i < size && need > 0; i++) {
    if (c.rng.next() * (size - i) < need) {
      picked.push(all[i]!);
      need--;
    }
  }
  return emit(picked);
}

// HSCAN cursors name live Map iterators in the keyspace's cursor cache (engine/scan.ts: why that
// never misses a field).

function hscan(c: Ctx, argv: string[]): Frame {
  const cursor = parseCursor(argv[2]!);
  if (cursor === null) return err('ERR invalid cursor');
  const h = readHash(c, argv[1]!);
  if (h === undefined) return arr([bulk('0'), arr([])]);
  if (isFrame(h)) return h;
  const opts = scanArgs(argv, 3);
  if (isFrame(opts)) return opts;
  const { count, match } = opts;
  const out: Frame[] = [];
  if (typeof h.d === 'string') {
    // A packed hash is returned whole in one call with cursor 0, as Redis does for a listpack.
    hashEach(h, (f, v) => {
      if (match === null || match(f)) out.push(bulk(f), bulk(v));
    });
    return arr([bulk('0'), arr(out)]);
  }
  const walk: Iterator<[string, string]> = c.db.cursors.take<[string, string]>(cursor, h) ?? h.d.entries();
  for (let visited = 0; visited < count; visited++) {
    const r = walk.next();
    if (r.done) return arr([bulk('0'), arr(out)]);
    const [f, v] = r.value;
    if (match === null || match(f)) out.push(bulk(f), bulk(v));
  }
  return arr([bulk(String(c.db.cursors.put(h, walk, c.rng))), arr(out)]);
}

export const HASH_COMMANDS: CommandSpec[] = [
  hspec('hset', hset),
  hspec('hmset', hset),
  hspec('hsetnx', hsetnx),
  hspec('hget', hget),
  hspec('hmget', hmget),
  hspec('hdel', hdel),
  hspec('hlen', hlen),
  hspec('hstrlen', hstrlen),
  hspec('hexists', hexists),
  hspec('hkeys', hkeys),
  hspec('hvals', hvals),
  hspec('hgetall', hgetall),
  hspec('hincrby', hincrby),
  hspec('hincrbyfloat', hincrbyfloat),
  hspec('hrandfield', hrandfield),
  hspec('hscan', hscan),
  ...HASH_TTL_COMMANDS,
];
