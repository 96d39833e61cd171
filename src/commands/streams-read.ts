// XREAD and XREADGROUP (one parser and server, as Redis's xreadCommand): synchronous serving,
// blocking on the stream keys, and the group side effects propagated as XCLAIM / XGROUP SETID.
import { E, NILARR, arr, bulk, err, map, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { MAX_ID, fmtId, type SID } from '../engine/encodings/stream-node.js';
import { INVALID_READ, createConsumer, type Consumer, type Group, type Nack, type Stream } from '../engine/types/stream.js';
import type { CommandSpec, Ctx } from './types.js';
import { entryFrame, isF, readStream, strictId } from './streams-common.js';
import { def } from './spec-data.js';

const LLONG_MAX = 9223372036854775807n;

/** The XCLAIM Redis propagates for a delivery (idempotent: FORCE JUSTID with absolute TIME). */
export function xclaimEffect(key: string, group: string, g: Group, idArg: string, n: Nack): string[] {
  return ['XCLAIM', key, group, n.consumer!.name, '0', idArg, 'TIME', String(n.time), 'RETRYCOUNT', String(n.count), 'FORCE', 'JUSTID', 'LASTID', fmtId(g.lastId)];
}

export function setidEffect(key: string, group: string, g: Group): string[] {
  return ['XGROUP', 'SETID', key, group, fmtId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)];
}

function xread(c: Ctx, argv: string[], group: boolean): Frame {
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let nstreams = 0;
  let groupName: string | null = null;
  let consumerName = '';
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i]!.toLowerCase();
    if (o === 'block' && more) {
      const t = parseI64(argv[++i]!);
      if (t === null) return err('ERR timeout is not an integer or out of range');
      if (t < 0n) return err('ERR timeout is negative');
      if (t > 0n && t > LLONG_MAX - BigInt(c.now)) return err('ERR timeout is out of range');
      timeout = Number(t);
    } else if (o === 'count' && more) {
      const n = parseI64(argv[++i]!);
      if (n === null) return E.notInt;
      count = n < 0n ? 0 : n > 1n << 52n ? 2 ** 52 : Number(n);
    } else if (o === 'streams' && more) {
      streamsArg = i + 1;
      nstreams = argv.length - streamsArg;
      if (nstreams % 2 !== 0) {
        // Redis 7.0 names XREAD and '$' here even for XREADGROUP.
        return err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      nstreams /= 2;
      break;
    } else if (o === 'group' && more >= 2) {
      if (!group) return err('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (o === 'noack') {
      if (!group) return err('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noack = true;
    } else return E.syntax;
  }
  if (streamsArg === 0) return E.syntax;
  if (group && groupName === null) return err('ERR Missing GROUP option for XREADGROUP');

  // Resolve the IDs (and groups) first: an error leaves nothing half-done.
  const ids: SID[] = [];
  const groups: Group[] = [];
  let retry: string[] | undefined;
  for (let k = 0; k < nstreams; k++) {
    const key = argv[streamsArg + k]!;
    const idArg = argv[streamsArg + nstreams + k]!;
    const s = readStream(c, key);
    if (isF(s)) return s;
    if (groupName !== null) {
      const g = s?.group(groupName);
      if (!s || !g) return err(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
      groups.push(g);
    }
    if (idArg === '$') {
      if (group) return err('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
      const id = s ? s.lastId : 0n;
      ids.push(id);
      // A retry after waiting must read from the top as it was now, not as it will be then.
      (retry ??= argv.slice())[streamsArg + nstreams + k] = fmtId(id);
      continue;
    }
    if (idArg === '>') {
      if (!group) return err('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      ids.push(MAX_ID);
      continue;
    }
    const id = strictId(idArg);
    if (isF(id)) return id;
    ids.push(id);
  }

  const out: Frame[] = [];
  for (let k = 0; k < nstreams; k++) {
    const key = argv[streamsArg + k]!;
    const s = readStream(c, key) as Stream | undefined;
    if (!s) continue;
    let gt = ids[k]!;
    let serve = false;
    let history = false;
    if (group) {
      if (gt !== MAX_ID) serve = history = true;
      else if (s.length) {
        const last = groups[k]!.lastId;
        if (s.edge(false) > last) {
          serve = true;
          gt = last;
        }
      }
    } else if (s.length && s.edge(false) > gt) serve = true;
    if (!serve) continue;
    const start = gt + 1n;
    let entries: Frame[];
    if (group) {
      const g = groups[k]!;
      let consumer = g.consumers.get(consumerName);
      if (!consumer) {
        consumer = createConsumer(g, consumerName, c.now);
        c.notify('t', 'xgroup-createconsumer', key);
        if (noack) c.propagate(['XGROUP', 'CREATECONSUMER', key, groupName!, consumerName]);
      }
      consumer.seenTime = c.now;
      entries = history ? serveHistory(c, s, consumer, start, count) : serveNew(c, s, key, groupName!, g, consumer, start, count, noack);
      c.dirty++;
    } else entries = s.range(start, MAX_ID, count).map(entryFrame);
    out.push(bulk(key), arr(entries));
  }
  if (group) c.rewrite(null); // effects were propagated one by one, as Redis does
  if (out.length) {
    if (c.resp === 3) return map(out);
    const pairs: Frame[] = [];
    for (let i = 0; i < out.length; i += 2) pairs.push(arr([out[i]!, out[i + 1]!]));
    return arr(pairs);
  }
  if (timeout !== -1) {
    const keys = argv.slice(streamsArg, streamsArg + nstreams);
    c.block(keys, timeout, retry);
  }
  return NILARR;
}

/** New entries for a group consumer: advance the group, fill the PELs, propagate XCLAIMs. */
function serveNew(c: Ctx, s: Stream, key: string, groupName: string, g: Group, consumer: Consumer, start: SID, count: number, noack: boolean): Frame[] {
  const out: Frame[] = [];
  let propagateLast = false;
  for (const e of s.range(start, MAX_ID, count)) {
    if (e.id > g.lastId) {
      if (g.entriesRead !== INVALID_READ && !s.hasTombstones(e.id, null)) g.entriesRead++;
      else if (s.entriesAdded) g.entriesRead = s.estimateDistance(e.id);
      g.lastId = e.id;
      // Unconditionally, as Redis 7.2.4+ does (redis#12898): the XCLAIMs below carry the last ID
      // but not entries-read, so without SETID … ENTRIESREAD a replay (or replica) lost it.
      propagateLast = true;
    }
    out.push(entryFrame(e));
    if (noack) continue;
    let n = g.pel.get(e.id);
    if (!n) {
      n = { consumer, time: c.now, count: 1 };
      g.pel.set(e.id, n);
      consumer.pel.set(e.id, n);
    } else {
      n.consumer?.pel.delete(e.id);
      n.consumer = consumer;
      n.time = c.now;
      n.count = 1;
      consumer.pel.set(e.id, n);
    }
    c.propagate(xclaimEffect(key, groupName, g, fmtId(e.id), n));
  }
  if (propagateLast) c.propagate(setidEffect(key, groupName, g));
  return out;
}

/** A consumer's own pending entries after `start` (deleted ones as [id, nil]). */
function serveHistory(c: Ctx, s: Stream, consumer: Consumer, start: SID, count: number): Frame[] {
  const out: Frame[] = [];
  const pel = consumer.pel;
  for (let i = pel.lower(start); i < pel.keys.length && (!count || out.length < count); i++) {
    const id = pel.keys[i]!;
    const e = s.get(id);
    if (!e) out.push(arr([bulk(fmtId(id)), NILARR]));
    else {
      out.push(entryFrame(e));
      const n = pel.get(id)!;
      n.time = c.now;
      n.count++;
    }
  }
  return out;
}

/** Keys of XREAD/XREADGROUP (Redis's xreadGetKeys): the first half of what follows STREAMS. */
function streamsKeys(argv: readonly string[]): number[] {
  let pos = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'block' || a === 'count') i++;
    else if (a === 'group') i += 2;
    else if (a === 'noack') continue;
    else if (a === 'streams') {
      pos = i;
      break;
    } else break;
  }
  const n = argv.length - pos - 1;
  if (pos === -1 || n === 0 || n % 2 !== 0) return [];
  const out: number[] = [];
  for (let k = 0; k < n / 2; k++) out.push(pos + 1 + k);
  return out;
}

export const STREAM_READ_COMMANDS: CommandSpec[] = [
  def('xread', { route: 'keys', run: (c, a) => xread(c, a, false), getKeys: streamsKeys }),
  def('xreadgroup', { route: 'keys', run: (c, a) => xread(c, a, true), getKeys: streamsKeys }),
];
