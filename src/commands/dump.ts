// DUMP and RESTORE: values as Redis 7.0's RDB payloads (persistence/rdb.ts), with RESTORE's
// options (REPLACE ABSTTL IDLETIME FREQ), Redis's errors, and its propagation (absolute TTL).
import { E, NIL, OK, bulk, err, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { dumpPayload, loadLimits, restorePayload } from '../persistence/rdb.js';
import { trackFieldTtls, type HashObj } from '../engine/types/hash.js';
import type { CommandSpec, Ctx } from './types.js';
import { def } from './spec-data.js';

function dump(c: Ctx, argv: string[]): Frame {
  const v = c.db.read(argv[1]!);
  return v === undefined ? NIL : bulk(dumpPayload(v));
}

const isLfu = (c: Ctx) => c.config.get('maxmemory-policy').endsWith('-lfu');

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(c: Ctx, argv: string[]): Frame {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const a = argv[j]!.toLowerCase();
    const more = argv.length - j - 1;
    if (a === 'replace') replace = true;
    else if (a === 'absttl') absttl = true;
    else if (a === 'idletime' && more >= 1 && freq === -1n) {
      const n = parseI64(argv[++j]!);
      if (n === null) return E.notInt;
      if (n < 0n) return err('ERR Invalid IDLETIME value, must be >= 0');
      idle = n;
    } else if (a === 'freq' && more >= 1 && idle === -1n) {
      const n = parseI64(argv[++j]!);
      if (n === null) return E.notInt;
      if (n < 0n || n > 255n) return err('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = n;
    } else return E.syntax;
  }
  const key = argv[1]!;
  if (!replace && c.db.get(key) !== undefined) return err('BUSYKEY Target key name already exists.');
  const t = parseI64(argv[2]!);
  if (t === null) return E.notInt;
  if (t < 0n) return err('ERR Invalid TTL value, must be >= 0');
  const r = restorePayload(argv[3]!, loadLimits(c.config, c.rng));
  if (!r.ok) return err(r.error === 'checksum' ? 'ERR DUMP payload version or checksum are wrong' : 'ERR Bad data format');
  const deleted = replace && c.db.del(key);
  let ttl = Number(t);
  if (ttl !== 0 && !absttl) ttl += c.now;
  if (ttl !== 0 && ttl <= c.now && !c.db.loading) {
    // Already expired: nothing is created; a replaced key is gone, which replicas learn as a DEL.
    if (deleted) {
      c.dirty++;
      c.rewrite(['DEL', key]);
    }
    return OK;
  }
  c.db.set(key, r.value);
  if (typeof r.value !== 'string' && r.value.type === 'hash') trackFieldTtls(c.db, key, r.value as HashObj);
  if (ttl !== 0) {
    c.db.setExpire(key, ttl);
    if (!absttl) {
      const out = argv.slice();
      out[2] = String(ttl);
      out.push('ABSTTL');
      c.rewrite(out);
    }
  }
  // Redis applies IDLETIME only under an LRU (non-LFU) policy; LFU counters are not kept here.
  if (idle >= 0n && !isLfu(c)) c.db.access.set(key, c.db.stamp() - Number(idle > 1n << 40n ? 1n << 40n : idle));
  c.dirty++;
  return OK;
}

export const DUMP_COMMANDS: CommandSpec[] = [
  def('dump', { route: 'keys', run: dump }),
  def('restore', { route: 'keys', run: restore }),
];
