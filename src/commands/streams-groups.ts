// Consumer groups: XGROUP (CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER/HELP), XACK,
// XPENDING, XCLAIM and XAUTOCLAIM, propagated as Redis 7.0 propagates them.
import { E, NIL, NILARR, OK, ZERO, arr, bulk, err, int, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { fmtId, type SID } from '../engine/encodings/stream-node.js';
import { Stream, createConsumer, sortedNames, type Group, type Nack } from '../engine/types/stream.js';
import { helpReply } from './help.js';
import type { CommandSpec, Ctx } from './types.js';
import { entryFrame, idFrame, intervalBounds, intervalId, isF, parseIdRaw, readStream, streamSpec, strictId, writeStream } from './streams-common.js';
import { setidEffect, xclaimEffect } from './streams-read.js';
import { def } from './spec-data.js';

const subErr = (argv: string[]): Frame => err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try XGROUP HELP.`);
const nogroup = (grp: string, key: string): Frame => err(`NOGROUP No such consumer group '${grp}' for key name '${key}'`);

function parseEntriesRead(s: string): bigint | Frame {
  const n = parseI64(s);
  if (n === null) return E.notInt;
  if (n < 0n && n !== -1n) return err('ERR value for ENTRIESREAD must be positive or -1');
  return n;
}

/** The preamble every XGROUP subcommand shares (Redis's xgroupCommand), then the dispatch. */
function xgroup(c: Ctx, argv: string[]): Frame {
  const sub = argv[1]!.toLowerCase();
  const key = argv[2]!;
  const grp = argv[3]!;
  let mkstream = false;
  let entriesRead = -1n;
  // Every subcommand runs the option loop before the key is looked up: an argument past the
  // fourth that is not CREATE's MKSTREAM or CREATE/SETID's ENTRIESREAD is a syntax error first.
  for (let i = 5; i < argv.length; ) {
    const o = argv[i]!.toLowerCase();
    if (sub === 'create' && o === 'mkstream') {
      mkstream = true;
      i++;
    } else if ((sub === 'create' || sub === 'setid') && o === 'entriesread' && i + 1 < argv.length) {
      const n = parseEntriesRead(argv[i + 1]!);
      if (isF(n)) return n;
      entriesRead = n;
      i += 2;
    } else return subErr(argv);
  }
  let s = writeStream(c, key);
  if (isF(s)) return s;
  let g: Group | undefined;
  if (!mkstream) {
    if (!s) return err('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
    g = s.group(grp);
    if (!g && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) return nogroup(grp, key);
  }
  const n = argv.length;
  if (sub === 'create' && n >= 5 && n <= 8) {
    let id: SID;
    if (argv[4] === '$') id = s ? s.lastId : 0n;
    else {
      const p = strictId(argv[4]!);
      if (isF(p)) return p;
      id = p;
    }
    if (!s) {
      s = new Stream();
      c.db.set(key, s);
      c.dirty++;
    }
    if (!s.createGroup(grp, id, entriesRead)) return err('BUSYGROUP Consumer Group name already exists');
    c.dirty++;
    return OK;
  }
  if (sub === 'setid' && (n === 5 || n === 7)) {
    let id: SID;
    if (argv[4] === '$') id = s!.lastId;
    else {
      const p = parseIdRaw(argv[4]!, false, 0n);
      if (!p) return err('ERR Invalid stream ID specified as stream command argument');
      id = p.id;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    c.dirty++;
    return OK;
  }
  if (sub === 'destroy' && n === 4) {
    if (!g) return ZERO;
    s!.groups!.delete(grp);
    c.dirty++;
    return int(1);
  }
  if (sub === 'createconsumer' && n === 5) {
    if (g!.consumers.has(argv[4]!)) return ZERO;
    createConsumer(g!, argv[4]!, c.now);
    c.dirty++;
    return int(1);
  }
  if (sub === 'delconsumer' && n === 5) {
    const cons = g!.consumers.get(argv[4]!);
    if (!cons) return ZERO;
    const pending = cons.pel.size;
    for (const id of cons.pel.keys) g!.pel.delete(id);
    g!.consumers.delete(cons.name);
    c.dirty++;
    return int(pending);
  }
  return subErr(argv);
}

function xack(c: Ctx, argv: string[]): Frame {
  const s = readStream(c, argv[1]!);
  if (isF(s)) return s;
  const g = s?.group(argv[2]!);
  // No key or group: nothing to ack, before the ids are even parsed (xackCommand).
  if (!g) return ZERO;
  const ids: SID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictId(argv[j]!);
    if (isF(id)) return id;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const n = g.pel.get(id);
    if (!n) continue;
    g.pel.delete(id);
    n.consumer?.pel.delete(id);
    acked++;
  }
  c.dirty += acked;
  return int(acked);
}

function xpending(c: Ctx, argv: string[]): Frame {
  const n = argv.length;
  const justinfo = n === 3;
  if (n !== 3 && (n < 6 || n > 9)) return E.syntax;
  let minidle = 0n;
  let count = 0n;
  let start = 0n;
  let end = 0n;
  let consumerName: string | null = null;
  if (n >= 6) {
    let si = 3;
    if (argv[3]!.toLowerCase() === 'idle') {
      const v = parseI64(argv[4]!);
      if (v === null) return E.notInt;
      minidle = v;
      if (n < 8) return E.syntax;
      si += 2;
    }
    const cnt = parseI64(argv[si + 2]!);
    if (cnt === null) return E.notInt;
    count = cnt < 0n ? 0n : cnt;
    const b = intervalBounds(argv[si]!, argv[si + 1]!);
    if (isF(b)) return b;
    start = b.start;
    end = b.end;
    if (si + 3 < n) consumerName = argv[si + 3]!;
  }
  const s = readStream(c, argv[1]!);
  if (isF(s)) return s;
  const g = s?.group(argv[2]!);
  if (!g) return err(`NOGROUP No such key '${argv[1]}' or consumer group '${argv[2]}'`);
  if (justinfo) {
    if (g.pel.size === 0) return arr([ZERO, NIL, NIL, NILARR]);
    const cons: Frame[] = [];
    for (const name of sortedNames(g.consumers)) {
      const cn = g.consumers.get(name)!;
      if (cn.pel.size) cons.push(arr([bulk(name), bulk(String(cn.pel.size))]));
    }
    return arr([int(g.pel.size), idFrame(g.pel.keys[0]!), idFrame(g.pel.keys[g.pel.size - 1]!), arr(cons)]);
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cn = g.consumers.get(consumerName);
    if (!cn) return arr([]);
    pel = cn.pel;
  }
  const out: Frame[] = [];
  const now = BigInt(c.now);
  for (let i = pel.lower(start); count > 0n && i < pel.keys.length && pel.keys[i]! <= end; i++) {
    const id = pel.keys[i]!;
    const nk = pel.get(id)!;
    const idle = now - BigInt(nk.time);
    if (minidle && idle < minidle) continue;
    count--;
    out.push(arr([idFrame(id), bulk(nk.consumer!.name), int(idle < 0n ? 0 : Number(idle)), int(nk.count)]));
  }
  return arr(out);
}

function claimNack(c: Ctx, key: string, g: Group, id: SID, n: Nack, consumerName: string, now: number): void {
  let cons = g.consumers.get(consumerName);
  if (!cons) {
    cons = createConsumer(g, consumerName, now);
    c.notify('t', 'xgroup-createconsumer', key);
  }
  cons.seenTime = now;
  if (n.consumer !== cons) {
    n.consumer?.pel.delete(id);
    cons.pel.set(id, n);
    n.consumer = cons;
  }
}

function xclaim(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const grp = argv[2]!;
  const s = readStream(c, key);
  if (isF(s)) return s;
  const g = s?.group(grp);
  if (!s || !g) return err(`NOGROUP No such key '${key}' or consumer group '${grp}'`);
  const mi = parseI64(argv[4]!);
  if (mi === null) return err('ERR Invalid min-idle-time argument for XCLAIM');
  const minidle = mi < 0n ? 0n : mi;
  const ids: SID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseIdRaw(argv[j]!, true, 0n);
    if (!p) break;
    ids.push(p.id);
  }
  const lastArg = j - 1;
  const now = BigInt(c.now);
  let force = false;
  let justid = false;
  let retry = -1n;
  let dtime = -1n;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j]!.toLowerCase();
    if (o === 'force') force = true;
    else if (o === 'justid') justid = true;
    else if (o === 'idle' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null) return err('ERR Invalid IDLE option argument for XCLAIM');
      dtime = BigInt.asIntN(64, now - v);
    } else if (o === 'time' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null) return err('ERR Invalid TIME option argument for XCLAIM');
      dtime = v;
    } else if (o === 'retrycount' && more) {
      const v = parseI64(argv[++j]!);
      if (v === null) return err('ERR Invalid RETRYCOUNT option argument for XCLAIM');
      retry = v;
    } else if (o === 'lastid' && more) {
      const v = strictId(argv[++j]!);
      if (isF(v)) return v;
      lastId = v;
    } else return err(`ERR Unrecognized XCLAIM option '${argv[j]}'`);
  }
  let propagateLast = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLast = true;
  }
  if (dtime !== -1n) {
    if (dtime < 0n || dtime > now) dtime = now;
  } else dtime = now;
  const out: Frame[] = [];
  c.rewrite(null);
  for (let k = 5; k <= lastArg; k++) {
    const id = ids[k - 5]!;
    let n = g.pel.get(id);
    const e = s.get(id);
    if (!e) {
      if (n) {
        c.propagate(xclaimEffect(key, grp, g, argv[k]!, n));
        propagateLast = false;
        c.dirty++;
        g.pel.delete(id);
        n.consumer?.pel.delete(id);
      }
      continue;
    }
    if (force && !n) {
      n = { consumer: null, time: c.now, count: 1 };
      g.pel.set(id, n);
    }
    if (!n) continue;
    if (n.consumer && minidle && now - BigInt(n.time) < minidle) continue;
    claimNack(c, key, g, id, n, argv[3]!, c.now);
    n.time = Number(dtime);
    if (retry >= 0n) n.count = Number(retry);
    else if (!justid) n.count++;
    out.push(justid ? idFrame(id) : entryFrame(e));
    c.propagate(xclaimEffect(key, grp, g, argv[k]!, n));
    propagateLast = false;
    c.dirty++;
  }
  if (propagateLast) {
    c.propagate(setidEffect(key, grp, g));
    c.dirty++;
  }
  return arr(out);
}

function xautoclaim(c: Ctx, argv: string[]): Frame {
  const key = argv[1]!;
  const grp = argv[2]!;
  const mi = parseI64(argv[4]!);
  if (mi === null) return err('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minidle = mi < 0n ? 0n : mi;
  const st = intervalId(argv[5]!, 0n);
  if (isF(st)) return st;
  if (st.ex && st.id === (1n << 128n) - 1n) return err('ERR invalid start ID for the interval');
  const start = st.ex ? st.id + 1n : st.id;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = argv[j]!.toLowerCase();
    if (o === 'count' && more) {
      const v = parseI64(argv[j + 1]!);
      // LONG_MAX / max(sizeof(streamID), attempts_factor) = LONG_MAX / 16
      if (v === null || v < 1n || v > 576460752303423487n) return err('ERR COUNT must be > 0');
      count = Number(v);
      j++;
    } else if (o === 'justid') justid = true;
    else return E.syntax;
  }
  const s = readStream(c, key);
  if (isF(s)) return s;
  const g = s?.group(grp);
  if (!s || !g) return err(`NOGROUP No such key '${key}' or consumer group '${grp}'`);
  c.rewrite(null);
  const now = BigInt(c.now);
  let attempts = count * 10;
  const claimed: Frame[] = [];
  const deleted: Frame[] = [];
  const pel = g.pel;
  let i = pel.lower(start);
  while (attempts-- > 0 && count > 0 && i < pel.keys.length) {
    const id = pel.keys[i]!;
    const n = pel.get(id)!;
    const e = s.get(id);
    if (!e) {
      c.propagate(xclaimEffect(key, grp, g, fmtId(id), n));
      c.dirty++;
      pel.delete(id);
      n.consumer?.pel.delete(id);
      deleted.push(idFrame(id));
      count--;
      continue;
    }
    i++;
    if (minidle && now - BigInt(n.time) < minidle) continue;
    claimNack(c, key, g, id, n, argv[3]!, c.now);
    n.time = c.now;
    if (!justid) n.count++;
    claimed.push(justid ? idFrame(id) : entryFrame(e));
    count--;
    c.propagate(xclaimEffect(key, grp, g, fmtId(id), n));
    c.dirty++;
  }
  const cursor = i < pel.keys.length ? pel.keys[i]! : 0n;
  return arr([idFrame(cursor), arr(claimed), arr(deleted)]);
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];
const gsub = (name: string): CommandSpec => def(`xgroup|${name}`, { run: xgroup });

export const STREAM_GROUP_COMMANDS: CommandSpec[] = [
  def('xgroup', { route: 'conn', sub: [
      gsub('create'),
      gsub('setid'),
      gsub('destroy'),
      gsub('createconsumer'),
      gsub('delconsumer'),
      def('xgroup|help', { route: 'conn', conn: () => helpReply('XGROUP', XGROUP_HELP) }),
    ] }),
  streamSpec('xack', xack),
  streamSpec('xpending', xpending),
  streamSpec('xclaim', xclaim),
  streamSpec('xautoclaim', xautoclaim),
];
