// Streams in RDB form: RDB_TYPE_STREAM_LISTPACKS_2 as Redis 7.0 writes it (nodes as listpacks
// keyed by their master ID, the ID/counter metadata, consumer groups with their PELs), loading
// also version 1 (Redis 5–6.2) and 7.2's version 3 (consumers with an active time).
import { F_DELETED, F_SAMEFIELDS, StreamNode, msOf, seqOf, sid } from '../engine/encodings/stream-node.js';
import { INVALID_READ, Stream, createConsumer, sortedNames, type Nack } from '../engine/types/stream.js';
import { T_STREAM_LISTPACKS, T_STREAM_LISTPACKS_2, T_STREAM_LISTPACKS_3, fail, rawId, type Reader, type Writer } from './rdb-io.js';
import { lpDecode, lpEncode } from './rdb-listpack.js';

/** A node as Redis's stream listpack: master entry, then each entry with its lp-count. */
function nodeListpack(n: StreamNode): string {
  const items: string[] = [String(n.live), String(n.deleted), String(n.fields.length), ...n.fields, '0'];
  const mms = msOf(n.master);
  const mseq = seqOf(n.master);
  for (const e of n.entries()) {
    const nf = e.fv.length >> 1;
    // Deltas are int64 differences of the uint64 parts, as Redis computes them.
    items.push(String(e.flags), String(BigInt.asIntN(64, msOf(e.id) - mms)), String(BigInt.asIntN(64, seqOf(e.id) - mseq)));
    if (e.flags & F_SAMEFIELDS) {
      for (let i = 0; i < nf; i++) items.push(e.fv[2 * i + 1]!);
      items.push(String(nf + 3));
    } else {
      items.push(String(nf));
      for (const x of e.fv) items.push(x);
      items.push(String(2 * nf + 4));
    }
  }
  return lpEncode(items);
}

/** The stream body (RDB_TYPE_STREAM_LISTPACKS_2), preceded by its type byte and optional key. */
export function saveStream(w: Writer, s: Stream, key: string | null): void {
  w.byte(T_STREAM_LISTPACKS_2);
  if (key !== null) w.str(key);
  w.len(s.nodes.length);
  for (const n of s.nodes) w.str(rawId(n.master)).str(nodeListpack(n));
  w.len(s.length);
  w.len(msOf(s.lastId)).len(seqOf(s.lastId));
  w.len(msOf(s.firstId)).len(seqOf(s.firstId));
  w.len(msOf(s.maxDeletedId)).len(seqOf(s.maxDeletedId));
  w.len(s.entriesAdded);
  const names = sortedNames(s.groups);
  w.len(names.length);
  for (const name of names) {
    const g = s.groups!.get(name)!;
    w.str(name).len(msOf(g.lastId)).len(seqOf(g.lastId)).len(BigInt.asUintN(64, g.entriesRead));
    w.len(g.pel.size);
    for (const id of g.pel.keys) {
      const nk = g.pel.get(id)!;
      w.raw(rawId(id)).ms(nk.time).len(nk.count);
    }
    const cons = sortedNames(g.consumers);
    w.len(cons.length);
    for (const cn of cons) {
      const c = g.consumers.get(cn)!;
      w.str(cn).ms(c.seenTime).len(c.pel.size);
      for (const id of c.pel.keys) w.raw(rawId(id));
    }
  }
}

const toInt = (s: string | undefined): bigint => {
  if (s === undefined) return fail('stream listpack truncated');
  if (!/^-?\d+$/.test(s)) fail('stream listpack integer expected');
  return BigInt(s);
};

/** Rebuild one node from its listpack, checking its structure as Redis's deep validation does. */
function loadNode(master: bigint, lp: Uint8Array, after: bigint): { node: StreamNode; live: number } {
  const it = lpDecode(lp);
  if (it.length === 0) fail('Empty listpack inside stream');
  let p = 0;
  const next = () => {
    if (p >= it.length) fail('stream listpack truncated');
    return it[p++]!;
  };
  const live = Number(toInt(next()));
  const deleted = Number(toInt(next()));
  const nmf = Number(toInt(next()));
  if (nmf < 0 || live < 0 || deleted < 0) fail('bad stream master entry');
  const fields: string[] = [];
  for (let i = 0; i < nmf; i++) fields.push(next());
  if (next() !== '0') fail('bad stream master entry terminator');
  const node = new StreamNode(master, fields);
  const dead: bigint[] = [];
  let prev = after;
  let count = 0;
  while (p < it.length) {
    const flags = Number(toInt(next()));
    const id = sid(BigInt.asUintN(64, msOf(master) + toInt(next())), BigInt.asUintN(64, seqOf(master) + toInt(next())));
    if (id <= prev && count > 0) fail('stream IDs out of order');
    if (id < master) fail('stream ID below its master');
    prev = id;
    const fv: string[] = [];
    let nf: number;
    if (flags & F_SAMEFIELDS) {
      nf = nmf;
      for (let i = 0; i < nf; i++) fv.push(fields[i]!, next());
    } else {
      nf = Number(toInt(next()));
      for (let i = 0; i < nf; i++) fv.push(next(), next());
    }
    const lpCount = Number(toInt(next()));
    if (lpCount !== (flags & F_SAMEFIELDS ? nf + 3 : 2 * nf + 4)) fail('bad stream entry lp-count');
    node.append(id, fv);
    if (flags & F_DELETED) dead.push(id);
    count++;
  }
  if (count !== live + deleted || dead.length !== deleted) fail('stream node counters mismatch');
  if (live === 0) fail('stream node without live entries');
  if (dead.length) {
    const gone = new Set(dead);
    for (const e of node.entries()) {
      if (!gone.has(e.id)) continue;
      node.markDeleted(e.off);
      node.live--;
      node.deleted++;
    }
  }
  return { node, live };
}

/** rdbLoadObject for the stream types (1: Redis 5–6.2, 2: 7.0, 3: 7.2). */
export function loadStream(r: Reader, type: number): Stream {
  const s = new Stream();
  const nodes = r.len();
  let last = 0n;
  let live = 0;
  for (let i = 0; i < nodes; i++) {
    const key = r.blob();
    if (key.length !== 16) fail('Stream node key entry is not the size of a stream ID');
    let master = 0n;
    for (const b of key) master = (master << 8n) | BigInt(b);
    if (i > 0 && master <= last) fail('stream nodes out of order');
    const got = loadNode(master, r.blob(), last);
    s.nodes.push(got.node);
    last = got.node.lastId;
    live += got.live;
  }
  s.length = r.len();
  if (s.length !== live) fail('stream length mismatch');
  s.lastId = sid(r.lenBig(), r.lenBig());
  if (s.nodes.length && last > s.lastId) fail('stream last ID below its entries');
  if (type === T_STREAM_LISTPACKS) {
    s.firstId = s.length ? s.edge(true) : 0n;
    s.maxDeletedId = 0n;
    s.entriesAdded = 0n;
  } else {
    s.firstId = sid(r.lenBig(), r.lenBig());
    s.maxDeletedId = sid(r.lenBig(), r.lenBig());
    s.entriesAdded = r.lenBig();
  }
  const ngroups = r.len();
  for (let i = 0; i < ngroups; i++) {
    const name = r.str();
    const lastId = sid(r.lenBig(), r.lenBig());
    let entriesRead: bigint;
    if (type === T_STREAM_LISTPACKS) entriesRead = s.estimateDistance(lastId);
    else {
      entriesRead = BigInt.asIntN(64, r.lenBig());
      if (entriesRead < 0n) entriesRead = INVALID_READ;
    }
    const g = s.createGroup(name, lastId, entriesRead);
    if (g === null) fail('Duplicated consumer group name');
    const npel = r.len();
    for (let j = 0; j < npel; j++) {
      const id = r.rawId();
      const nk: Nack = { consumer: null, time: r.ms(), count: r.len() };
      if (g!.pel.get(id)) fail('Duplicated global PEL entry loading stream consumer group');
      g!.pel.set(id, nk);
    }
    const ncons = r.len();
    for (let j = 0; j < ncons; j++) {
      const cn = r.str();
      if (g!.consumers.has(cn)) fail('Duplicate stream consumer detected');
      const c = createConsumer(g!, cn, 0);
      c.seenTime = r.ms();
      if (type === T_STREAM_LISTPACKS_3) r.ms(); // active-time: 7.2 only
      const n = r.len();
      for (let k = 0; k < n; k++) {
        const id = r.rawId();
        const nk = g!.pel.get(id);
        if (!nk) fail('Consumer entry not found in group global PEL');
        if (c.pel.get(id)) fail('Duplicated consumer PEL entry loading a stream consumer group');
        nk!.consumer = c;
        c.pel.set(id, nk!);
      }
    }
    for (const id of g!.pel.keys) if (g!.pel.get(id)!.consumer === null) fail('Stream PEL entry without a consumer');
  }
  return s;
}

/** Step over a stream body reading only its framing (see skipObject in rdb-value.ts). */
export function skipStream(r: Reader, type: number): void {
  const nodes = r.len();
  for (let i = 0; i < nodes; i++) {
    r.skipStr();
    r.skipStr();
  }
  r.len();
  r.lenBig();
  r.lenBig();
  if (type !== T_STREAM_LISTPACKS) for (let i = 0; i < 5; i++) r.lenBig();
  const ngroups = r.len();
  for (let i = 0; i < ngroups; i++) {
    r.skipStr();
    r.lenBig();
    r.lenBig();
    if (type !== T_STREAM_LISTPACKS) r.lenBig();
    const npel = r.len();
    for (let j = 0; j < npel; j++) {
      r.need(16 + 8);
      r.len();
    }
    const ncons = r.len();
    for (let j = 0; j < ncons; j++) {
      r.skipStr();
      r.need(type === T_STREAM_LISTPACKS_3 ? 16 : 8);
      r.need(16 * r.len());
    }
  }
}
