// A shard's keyspace as canonical text per key (type, contents in a fixed order, key and field
// deadlines), so two shards compare equal exactly when they hold the same data, whatever
// encodings their values took (a loaded base converts at thresholds, memory may not have).
import type { Value } from '../../src/engine/keyspace.js';
import type { Shard } from '../../src/shard/shard.js';
import { hashEntries, type HashObj } from '../../src/engine/types/hash.js';
import type { List } from '../../src/engine/types/list.js';
import type { RSet } from '../../src/engine/types/set.js';
import type { ZSet } from '../../src/engine/types/zset.js';
import type { Stream } from '../../src/engine/types/stream.js';
import { dumpPayload } from '../../src/persistence/rdb.js';

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A short fingerprint of a long text (its length and two FNV-style hashes of its char codes). */
function fp(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${s.length}:${a.toString(16)}:${b.toString(16)}`;
}

/** The value's canonical text (fingerprinted when long, so a failed comparison stays readable). */
export function canonicalValue(v: Value): string {
  let s: string;
  if (typeof v === 'string') s = 'string\n' + v;
  else {
    switch (v.type) {
      case 'list':
        s = 'list\n' + (v as List).toArray().join('\n');
        break;
      case 'hash': {
        const h = v as HashObj;
        const e = hashEntries(h).sort((x, y) => byBytes(x[0], y[0]));
        const lines: string[] = [];
        for (const [f, x] of e) lines.push(`${JSON.stringify(f)}=${JSON.stringify(x)}@${h.x?.t.get(f) ?? -1}`);
        s = 'hash\n' + lines.join('\n');
        break;
      }
      case 'set':
        s = 'set\n' + (v as RSet).members().sort(byBytes).join('\n');
        break;
      case 'zset': {
        const all = (v as ZSet).all();
        const lines: string[] = [];
        for (let i = 0; i < all.m.length; i++) lines.push(`${JSON.stringify(all.m[i])} ${all.s[i]}`);
        s = 'zset\n' + lines.join('\n');
        break;
      }
      case 'stream':
        s = 'stream\n' + dumpPayload(v as Stream, false);
        break;
      default:
        s = `unknown ${(v as { type: string }).type}`;
    }
  }
  return s.length > 256 ? fp(s) : s;
}

/** Every live key of the shard with its deadline and canonical value, sorted by key. */
export function digest(shard: Shard): Map<string, string> {
  const db = shard.db;
  const keys = [...db.data.keys()].sort(byBytes);
  const out = new Map<string, string>();
  for (const k of keys) {
    const v = db.data.get(k)!;
    out.set(k, `${db.getExpire(k)} ${canonicalValue(v)}`);
  }
  return out;
}

/** The first few differences between two digests (empty when equal). */
export function digestDiff(a: Map<string, string>, b: Map<string, string>, max = 5): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    if (out.length >= max) return out;
    const w = b.get(k);
    if (w !== v) out.push(`${JSON.stringify(k)}: ${v.slice(0, 120)} != ${w === undefined ? '(missing)' : w.slice(0, 120)}`);
  }
  for (const k of b.keys()) {
    if (out.length >= max) return out;
    if (!a.has(k)) out.push(`${JSON.stringify(k)}: (missing) != ${b.get(k)!.slice(0, 120)}`);
  }
  return out;
}
