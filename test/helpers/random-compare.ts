// Reply comparison for the random differential test: byte-exact unless Redis's own reply is not
// deterministic (random picks, cursors, clocks, hash-table order), where the reply is compared by
// shape, membership (asked of the reference side), a time tolerance, or as an unordered collection.

/** A parsed reply that keeps every sub-reply's exact bytes. */
export interface Node {
  /** The RESP type byte; '_' for every null form ($-1, *-1, _). */
  ty: string;
  raw: string;
  /** Bulk/verbatim/error/simple text, or the header line (integers, doubles, booleans). */
  text: string;
  kids?: Node[];
}

export function parse(s: string): Node {
  const [n, end] = at(s, 0);
  if (end !== s.length) throw new Error(`trailing bytes after a reply: ${JSON.stringify(s.slice(end, end + 40))}`);
  return n;
}

function at(s: string, pos: number): [Node, number] {
  const nl = s.indexOf('\r\n', pos);
  if (nl < 0) throw new Error(`truncated reply at ${pos}`);
  const ty = s[pos]!;
  const line = s.slice(pos + 1, nl);
  let p = nl + 2;
  if (ty === '$' || ty === '=' || ty === '!') {
    const n = Number(line);
    if (n < 0) return [{ ty: '_', raw: s.slice(pos, p), text: '' }, p];
    const text = s.slice(p, p + n);
    p += n + 2;
    return [{ ty, raw: s.slice(pos, p), text }, p];
  }
  if (ty === '*' || ty === '~' || ty === '%' || ty === '>') {
    const n = Number(line);
    if (n < 0) return [{ ty: '_', raw: s.slice(pos, p), text: '' }, p];
    const kids: Node[] = [];
    for (let i = ty === '%' ? 2 * n : n; i > 0; i--) {
      const [k, e] = at(s, p);
      kids.push(k);
      p = e;
    }
    return [{ ty, raw: s.slice(pos, p), text: '', kids }, p];
  }
  return [{ ty, raw: s.slice(pos, p), text: line }, p];
}

export const isErr = (n: Node) => n.ty === '-' || n.ty === '!';

/** Asks the reference side (real Redis) a read-only question about its current state. */
export type Probe = (argv: string[]) => Promise<Node>;

export interface CmpCtx {
  /** Absent inside EXEC: later queued commands may have changed the state since. */
  probe?: Probe;
  /** The sequence used hash field TTLs (7.0 has none: encodings and DUMP of hashes differ). */
  tainted: boolean;
  /**
   * The sequence set absolute expiry times (EXAT, PXAT, ABSTTL), some of them past: such keys
   * count in DBSIZE until a lookup or the active expiry cycle removes them, which is timing
   * (two Redis servers differ too).
   */
  pastExpiry?: boolean;
}

type Mode =
  | 'shape' | 'hello' | 'ttl-s' | 'ttl-ms' | 'idle' | 'timey' | 'unordered' | 'enc-order' | 'enc-order-pairs'
  | 'function-list' | 'dbsize' | 'srandmember' | 'spop' | 'hrandfield' | 'zrandmember' | 'randomkey' | 'scan' | 'encoding' | 'dump' | 'sort' | 'xadd';

const MODES: Record<string, Mode> = {
  INFO: 'shape', TIME: 'shape', LASTSAVE: 'shape', 'CLIENT ID': 'shape', 'CLIENT INFO': 'shape', 'CLIENT LIST': 'shape',
  'CLUSTER MYID': 'shape', 'CLUSTER INFO': 'shape', 'MEMORY USAGE': 'shape', 'FUNCTION LIST': 'function-list', 'ACL GENPASS': 'shape', 'OBJECT FREQ': 'shape',
  HELLO: 'hello', DBSIZE: 'dbsize',
  TTL: 'ttl-s', EXPIRETIME: 'ttl-s', PTTL: 'ttl-ms', PEXPIRETIME: 'ttl-ms', 'OBJECT IDLETIME': 'idle',
  XPENDING: 'timey', 'XINFO STREAM': 'timey', 'XINFO CONSUMERS': 'timey',
  KEYS: 'unordered', SINTER: 'unordered', SUNION: 'unordered', SDIFF: 'unordered', 'CLUSTER GETKEYSINSLOT': 'unordered',
  HKEYS: 'enc-order', HVALS: 'enc-order', SMEMBERS: 'enc-order', HGETALL: 'enc-order-pairs',
  SRANDMEMBER: 'srandmember', SPOP: 'spop', HRANDFIELD: 'hrandfield', ZRANDMEMBER: 'zrandmember', RANDOMKEY: 'randomkey',
  SCAN: 'scan', SSCAN: 'scan', HSCAN: 'scan', ZSCAN: 'scan',
  'OBJECT ENCODING': 'encoding', DUMP: 'dump', SORT: 'sort', SORT_RO: 'sort', XADD: 'xadd',
};

export function modeOf(argv: readonly string[]): Mode | undefined {
  const name = argv[0]!.toUpperCase();
  if (argv.length > 1) {
    const m = MODES[`${name} ${argv[1]!.toUpperCase()}`];
    if (m) return m;
  }
  return MODES[name];
}

/** Whether a command's replies need the comparison below (else bytes must be equal). */
export const isSpecial = (argv: readonly string[]) => modeOf(argv) !== undefined;

function sameShape(a: Node, b: Node): boolean {
  if (a.ty !== b.ty) return false;
  if (!a.kids) return true;
  if (a.kids.length !== b.kids!.length) return false;
  return a.kids.every((k, i) => sameShape(k, b.kids![i]!));
}

/** The sub-replies as sorted strings; `pairs` groups flat key/value replies two by two. */
function canon(n: Node, pairs: boolean): string[] {
  const out: string[] = [];
  const k = n.kids ?? [];
  if (pairs) for (let i = 0; i + 1 < k.length; i += 2) out.push(k[i]!.raw + k[i + 1]!.raw);
  else for (const x of k) out.push(x.raw);
  return out.sort();
}
function sameUnordered(a: Node, b: Node, pairs: boolean): boolean {
  if (a.ty !== b.ty || !a.kids || a.kids.length !== b.kids!.length) return false;
  const x = canon(a, pairs);
  const y = canon(b, pairs);
  return x.every((v, i) => v === y[i]);
}

/** FUNCTION LIST with Redis's dict orders taken out: libraries, and each one's functions, sorted. */
function canonFunctions(n: Node): string {
  const libs = (n.kids ?? []).map((lib) => {
    const k = lib.kids ?? [];
    const parts: string[] = [];
    for (let i = 0; i + 1 < k.length; i += 2) {
      const v = k[i + 1]!;
      parts.push(k[i]!.raw + (k[i]!.text === 'functions' && v.kids ? v.kids.map((f) => f.raw).sort().join('') : v.raw));
    }
    return `${lib.ty}${parts.join('')}`;
  });
  return libs.sort().join('|');
}

/** [name, value?] items of a random-pick reply (RESP3 WITH* replies nest pairs). */
function items(n: Node, withValues: boolean): Array<[Node, Node | undefined]> {
  const k = n.kids ?? [];
  if (k.length && k[0]!.kids) return k.map((p) => [p.kids![0]!, p.kids![1]]);
  if (withValues) {
    const out: Array<[Node, Node | undefined]> = [];
    for (let i = 0; i + 1 < k.length; i += 2) out.push([k[i]!, k[i + 1]]);
    return out;
  }
  return k.map((x) => [x, undefined]);
}
/** A negative count asks for picks with repeats (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER). */
const negCount = (argv: readonly string[]) => (argv[2] ?? '').startsWith('-');
const distinct = (xs: Array<[Node, Node | undefined]>) => new Set(xs.map((x) => x[0].text)).size === xs.length;

const TIME_KEYS = new Set(['idle', 'seen-time', 'active-time', 'inactive']);
const TIME_TOL = 3000;

/** Equal, with clock-derived integers (idle times, delivery and seen times) within a tolerance. */
function timeyEq(a: Node, b: Node, tolerant = false): boolean {
  if (a.raw === b.raw) return true;
  if (a.ty !== b.ty) return false;
  if (a.ty === ':') {
    const x = Number(a.text);
    const y = Number(b.text);
    return (tolerant || (x >= 1e12 && y >= 1e12)) && Math.abs(x - y) <= TIME_TOL;
  }
  if (!a.kids || a.kids.length !== b.kids!.length) return false;
  const k = a.kids;
  // XPENDING's extended entries: [id, consumer, idle ms, deliveries].
  const pendingEntry = k.length === 4 && k[0]!.ty === '$' && k[1]!.ty === '$' && k[2]!.ty === ':';
  for (let i = 0; i < k.length; i++) {
    const keyed = i > 0 && k[i - 1]!.kids === undefined && TIME_KEYS.has(k[i - 1]!.text);
    if (!timeyEq(k[i]!, b.kids![i]!, keyed || (pendingEntry && i === 2))) return false;
  }
  return true;
}

function ttlEq(a: Node, b: Node, tol: number): boolean {
  if (a.ty !== ':' || b.ty !== ':') return false;
  const x = Number(a.text);
  const y = Number(b.text);
  return x >= 0 && y >= 0 && Math.abs(x - y) <= tol;
}

/** All `1` in a probe's integer array reply (SMISMEMBER). */
/** A score as Redis prints it (inf, -inf included). */
const num = (s: string) => (s === 'inf' || s === '+inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

/** Multi-key reads keyflare fans out across slots (README): Redis Cluster's CROSSSLOT is not due. */
const FAN_OUT = new Set(['MGET', 'DEL', 'UNLINK', 'EXISTS', 'TOUCH']);
const CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

const allOnes = (n: Node) => (n.kids ?? []).every((k) => k.text === '1');

/**
 * null when B's reply is acceptable given A's (the reference), else a short reason. Errors are
 * always compared byte for byte.
 */
export async function compareReply(argv: readonly string[], a: Node, b: Node, ctx: CmpCtx): Promise<string | null> {
  if (a.raw === b.raw) return null;
  if (a.raw === CROSSSLOT && !isErr(b) && FAN_OUT.has(argv[0]!.toUpperCase())) return null;
  if (isErr(a) || isErr(b)) return 'reply';
  const key = argv[1] ?? '';
  const probe = ctx.probe;
  switch (modeOf(argv)) {
    case undefined: return 'reply';
    case 'shape': return sameShape(a, b) ? null : 'shape';
    case 'hello': {
      if (a.ty !== b.ty || !a.kids || a.kids.length !== b.kids!.length) return 'shape';
      for (let i = 0; i + 1 < a.kids.length; i += 2) {
        if (a.kids[i]!.raw !== b.kids![i]!.raw) return 'fields';
        if (a.kids[i]!.text !== 'id' && a.kids[i + 1]!.raw !== b.kids![i + 1]!.raw) return `field ${a.kids[i]!.text}`;
      }
      return null;
    }
    case 'dbsize': return ctx.pastExpiry && a.ty === ':' && b.ty === ':' ? null : 'reply';
    case 'ttl-s': return ttlEq(a, b, 2) ? null : 'ttl';
    case 'ttl-ms': return ttlEq(a, b, TIME_TOL) ? null : 'ttl';
    case 'idle': {
      if (ttlEq(a, b, 3)) return null;
      // Redis quirk: a small integer value (0..9999) is a shared object whose access time every
      // key holding that integer moves; its idle time is no one key's.
      if (probe && a.ty === ':' && b.ty === ':' && /^(0|[1-9][0-9]{0,3})$/.test((await probe(['GET', argv[2] ?? ''])).text)) return null;
      return 'idle';
    }
    case 'timey': return timeyEq(a, b) ? null : 'reply';
    case 'unordered': return sameUnordered(a, b, false) ? null : 'members';
    case 'function-list': return a.ty === b.ty && canonFunctions(a) === canonFunctions(b) ? null : 'libraries';
    case 'enc-order':
    case 'enc-order-pairs': {
      if (!sameUnordered(a, b, modeOf(argv) === 'enc-order-pairs')) return 'members';
      if (!probe) return null;
      // Only a hash table's order is Redis's own (its dict); listpacks and intsets keep theirs.
      return (await probe(['OBJECT', 'ENCODING', key])).text === 'hashtable' ? null : 'order';
    }
    case 'srandmember':
    case 'spop': {
      if (a.ty !== b.ty) return 'type';
      if (a.ty === '_') return 'reply';
      const ia = a.kids ? items(a, false) : [[a, undefined] as [Node, undefined]];
      const ib = b.kids ? items(b, false) : [[b, undefined] as [Node, undefined]];
      if (ia.length !== ib.length) return 'length';
      if (!negCount(argv) && !distinct(ib)) return 'repeats';
      if (!probe) return null;
      // SPOP: what B popped and A did not must still be in A's set.
      const popped = new Set(modeOf(argv) === 'spop' ? ia.map((x) => x[0].text) : []);
      const check = ib.map((x) => x[0].text).filter((m) => !popped.has(m));
      if (!check.length) return null;
      return allOnes(await probe(['SMISMEMBER', key, ...check])) ? null : 'not members';
    }
    case 'hrandfield':
    case 'zrandmember': {
      if (a.ty !== b.ty) return 'type';
      if (a.ty === '_') return 'reply';
      const withV = argv.length > 3;
      const ia = a.kids ? items(a, withV) : [[a, undefined] as [Node, undefined]];
      const ib = b.kids ? items(b, withV) : [[b, undefined] as [Node, undefined]];
      if (ia.length !== ib.length) return 'length';
      if (a.kids && b.kids && a.kids.length !== b.kids.length) return 'length';
      if (!negCount(argv) && !distinct(ib)) return 'repeats';
      if (!probe || !ib.length) return null;
      const h = modeOf(argv) === 'hrandfield';
      const got = await probe([h ? 'HMGET' : 'ZMSCORE', key, ...ib.map((x) => x[0].text)]);
      for (let i = 0; i < ib.length; i++) {
        const v = got.kids![i]!;
        if (v.ty === '_') return 'not members';
        const bv = ib[i]![1];
        if (bv && (h ? v.text !== bv.text : num(v.text) !== num(bv.text))) return 'values';
      }
      return null;
    }
    case 'randomkey': {
      if (a.ty !== b.ty) return 'type';
      if (!probe) return null;
      return (await probe(['EXISTS', b.text])).text === '1' ? null : 'no such key';
    }
    case 'scan': return compareScan(argv, a, b, probe);
    case 'encoding': {
      // Small string sets are listpacks here, as in Redis 7.2 (7.0 has only a hash table).
      const t = probe ? (await probe(['TYPE', argv[2] ?? ''])).text : ctx.tainted ? 'hash' : 'set';
      if (t === 'set' && a.text === 'hashtable' && b.text === 'listpack') return null;
      if (t === 'hash' && ctx.tainted) return null;
      return 'encoding';
    }
    case 'dump': {
      if (a.ty !== '$' || b.ty !== '$') return 'reply';
      // Inside EXEC nothing can be asked: a field-TTL hash's payload is another RDB type.
      if (!probe) return ctx.tainted || a.text.length === b.text.length ? null : 'payload';
      if (ctx.tainted && (await probe(['TYPE', key])).text === 'hash') return null;
      // A hash table's members are dumped in Redis's dict order: the same bytes, reordered.
      if ((await probe(['OBJECT', 'ENCODING', key])).text === 'hashtable' && a.text.length === b.text.length) return null;
      return 'payload';
    }
    case 'sort': {
      // BY without '*' on a set skips sorting: the set's own (dict) order, unless STORE.
      const by = argv.findIndex((x, i) => i > 1 && x.toUpperCase() === 'BY');
      const nosort = by > 0 && !(argv[by + 1] ?? '').includes('*');
      const store = argv.some((x) => x.toUpperCase() === 'STORE');
      if (!nosort || store) return 'reply';
      if (probe && (await probe(['TYPE', key])).text !== 'set') return 'reply';
      if (argv.some((x) => x.toUpperCase() === 'LIMIT')) return sameShape(a, b) ? null : 'shape';
      return sameUnordered(a, b, false) ? null : 'members';
    }
    case 'xadd':
      // Only the clock-id key gets '*': its ids are the two servers' clocks.
      return key.endsWith('}xt') && sameShape(a, b) ? null : 'reply';
  }
}

async function compareScan(argv: readonly string[], a: Node, b: Node, probe?: Probe): Promise<string | null> {
  if (!sameShapeTop(a, b)) return 'shape';
  const name = argv[0]!.toUpperCase();
  const pairs = name === 'HSCAN' || name === 'ZSCAN';
  const la = a.kids![1]!;
  const lb = b.kids![1]!;
  // A whole iteration in one call (from cursor 0, ending at 0): the same members.
  const from = name === 'SCAN' ? argv[1] : argv[2];
  if (from === '0' && a.kids![0]!.text === '0' && b.kids![0]!.text === '0') return sameUnordered(la, lb, pairs) ? null : 'members';
  if (!probe || !lb.kids!.length) return null;
  const key = argv[1]!;
  const ib = items(lb, pairs);
  if (name === 'SCAN') {
    for (const [k] of ib) if ((await probe(['EXISTS', k.text])).text !== '1') return 'no such key';
    return null;
  }
  if (name === 'SSCAN') return allOnes(await probe(['SMISMEMBER', key, ...ib.map((x) => x[0].text)])) ? null : 'not members';
  const got = await probe([name === 'HSCAN' ? 'HMGET' : 'ZMSCORE', key, ...ib.map((x) => x[0].text)]);
  for (let i = 0; i < ib.length; i++) {
    const v = got.kids![i]!;
    if (v.ty === '_') return 'not members';
    if (name === 'HSCAN' ? v.text !== ib[i]![1]!.text : num(v.text) !== num(ib[i]![1]!.text)) return 'values';
  }
  return null;
}

function sameShapeTop(a: Node, b: Node): boolean {
  return a.ty === '*' && b.ty === '*' && a.kids!.length === 2 && b.kids!.length === 2 && a.kids![1]!.ty === b.kids![1]!.ty && !!b.kids![1]!.kids;
}
