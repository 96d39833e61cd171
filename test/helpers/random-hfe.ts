// Hash field TTL commands (Redis 7.4/8.0 forms) have no oracle in Redis 7.0.15: the reference
// side runs 7.0 commands with the same effect on the data (HMGET, HDEL, HSET), and keyflare's
// reply is checked against what those imply — exactly where the data decides it, by shape where
// only the unseen TTLs would (HTTL of a field that exists, NX/XX/GT/LT outcomes).
import type { Node } from './random-compare.js';

export const HFE = new Set(['HEXPIRE', 'HPEXPIRE', 'HEXPIREAT', 'HPEXPIREAT', 'HTTL', 'HPTTL', 'HEXPIRETIME', 'HPEXPIRETIME', 'HPERSIST', 'HGETDEL', 'HGETEX', 'HSETEX']);

export const isHfe = (argv: readonly string[]) => HFE.has(argv[0]!.toUpperCase());

type Send = (argv: string[]) => Promise<Node>;
/** Checks keyflare's reply: null when acceptable, else a reason. `expected` shows what was wanted. */
export interface Expectation {
  expected: string;
  check(b: Node): string | null;
}

/** Per-field integer replies: each must be one of the allowed values. */
function perField(allowed: number[][]): Expectation {
  const expected = `[${allowed.map((a) => a.join('|')).join(', ')}]`;
  return {
    expected,
    check(b) {
      if (b.ty !== '*' || b.kids!.length !== allowed.length) return 'shape';
      for (let i = 0; i < allowed.length; i++) {
        const k = b.kids![i]!;
        if (k.ty !== ':') return 'shape';
        const v = Number(k.text);
        const ok = allowed[i]!.some((x) => (x === Infinity ? v > 0 : x === v));
        if (!ok) return `field ${i}`;
      }
      return null;
    },
  };
}
const exact = (raw: string): Expectation => ({ expected: JSON.stringify(raw), check: (b) => (b.raw === raw ? null : 'reply') });

/** Run the 7.0 equivalent on the reference side; the expectation for keyflare's reply. */
export async function emulateHfe(argv: readonly string[], send: Send): Promise<Expectation> {
  const name = argv[0]!.toUpperCase();
  const key = argv[1]!;
  const at = argv.findIndex((x, i) => i > 1 && x.toUpperCase() === 'FIELDS');
  const rest = argv.slice(at + 2);
  if (name === 'HSETEX') {
    const fields: string[] = [];
    for (let i = 0; i < rest.length; i += 2) fields.push(rest[i]!);
    const cur = await send(['HMGET', key, ...fields]);
    if (cur.ty !== '*') return exact(cur.raw);
    const present = cur.kids!.filter((k) => k.ty !== '_').length;
    const opts = argv.slice(2, at).map((x) => x.toUpperCase());
    const ok = opts.includes('FNX') ? present === 0 : opts.includes('FXX') ? present === fields.length : true;
    if (ok) await send(['HSET', key, ...rest]);
    return exact(ok ? ':1\r\n' : ':0\r\n');
  }
  const fields = rest;
  const cur = await send(['HMGET', key, ...fields]);
  if (cur.ty !== '*') return exact(cur.raw); // WRONGTYPE
  const exists = cur.kids!.map((k) => k.ty !== '_');
  const del = async () => {
    if (exists.some((x) => x)) await send(['HDEL', key, ...fields]);
  };
  switch (name) {
    case 'HGETDEL':
      await del();
      return exact(cur.raw);
    case 'HGETEX':
      return exact(cur.raw);
    case 'HPERSIST':
      return perField(exists.map((e) => (e ? [-1, 1] : [-2])));
    case 'HTTL': case 'HPTTL': case 'HEXPIRETIME': case 'HPEXPIRETIME':
      return perField(exists.map((e) => (e ? [-1, Infinity] : [-2])));
    default: {
      // HEXPIRE family: '0' (relative) or '1' (absolute) deletes now; the generator's other times are far.
      if (argv[2] === '0' || argv[2] === '1') {
        await del();
        return perField(exists.map((e) => (e ? [2] : [-2])));
      }
      const cond = at > 3;
      return perField(exists.map((e) => (e ? (cond ? [0, 1] : [1]) : [-2])));
    }
  }
}
