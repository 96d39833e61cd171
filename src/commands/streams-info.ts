// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, with Redis 7.0's fields (maps in RESP3).
import { E, NIL, arr, bulk, err, int, map, type Frame } from '../protocol/frame.js';
import { parseI64 } from '../protocol/numfmt.js';
import { MAX_ID } from '../engine/encodings/stream-node.js';
import { INVALID_READ, sortedNames, type Group, type Stream } from '../engine/types/stream.js';
import { helpReply } from './help.js';
import type { CommandSpec, Ctx, Handler } from './types.js';
import { entryFrame, idFrame, isF, readStream } from './streams-common.js';
import { def } from './spec-data.js';

const b = bulk;
const big = (n: bigint): Frame => int(n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n);

/**
 * The node count of Redis's rax holding the nodes' 16-byte big-endian master IDs. raxInsert and
 * raxRemove (with its recompression) keep the tree canonical for keys of one length, so the
 * count follows from the sorted keys alone: each leaf and each branch vertex is a node, plus a
 * compressed node for every edge out of a branch longer than its first byte, plus the root when
 * it is a compressed chain above the first branch. The tree is read off the adjacent common
 * prefixes with a monotonic stack (one vertex per run of equal prefixes).
 */
export function raxNodes(s: Stream): number {
  const n = s.nodes.length;
  if (n <= 1) return n + 1;
  const hex = (i: number): string => s.nodes[i]!.master.toString(16).padStart(32, '0');
  const l: number[] = new Array(n - 1);
  let prev = hex(0);
  for (let i = 0; i < n - 1; i++) {
    const cur = hex(i + 1);
    let j = 0;
    while (prev.charCodeAt(j) === cur.charCodeAt(j)) j++;
    l[i] = j >> 1;
    prev = cur;
  }
  let nodes = n;
  for (let i = 0; i < n; i++) {
    const parent = Math.max(i > 0 ? l[i - 1]! : -1, i < n - 1 ? l[i]! : -1);
    if (parent < 15) nodes++;
  }
  const stack: number[] = [];
  const close = (d: number, below: number, next: number): void => {
    const parent = Math.max(below, next);
    nodes++;
    if (parent >= 0 ? d > parent + 1 : d > 0) nodes++;
  };
  for (const x of l) {
    while (stack.length && stack[stack.length - 1]! > x) {
      const d = stack.pop()!;
      close(d, stack.length ? stack[stack.length - 1]! : -1, x);
    }
    if (!stack.length || stack[stack.length - 1]! < x) stack.push(x);
  }
  while (stack.length) {
    const d = stack.pop()!;
    close(d, stack.length ? stack[stack.length - 1]! : -1, -1);
  }
  return nodes;
}

function streamHead(s: Stream): Frame[] {
  return [
    b('length'), int(s.length),
    b('radix-tree-keys'), int(s.nodes.length),
    b('radix-tree-nodes'), int(raxNodes(s)),
    b('last-generated-id'), idFrame(s.lastId),
    b('max-deleted-entry-id'), idFrame(s.maxDeletedId),
    b('entries-added'), big(s.entriesAdded),
    b('recorded-first-entry-id'), idFrame(s.firstId),
  ];
}

const readFrame = (g: Group): Frame => (g.entriesRead === INVALID_READ ? NIL : big(g.entriesRead));
const lagFrame = (s: Stream, g: Group): Frame => {
  const l = s.lag(g);
  return l === null ? NIL : big(l);
};

function xinfoStream(c: Ctx, argv: string[]): Frame {
  // The key first, then the options (xinfoCommand looks it up before dispatching).
  const s = readStream(c, argv[2]!);
  if (isF(s)) return s;
  if (!s) return E.noKey;
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    if (argv.length !== 4 && argv.length !== 6) return subErr(argv);
    if (argv[3]!.toLowerCase() !== 'full') return subErr(argv);
    full = true;
    if (argv.length === 6) {
      if (argv[4]!.toLowerCase() !== 'count') return subErr(argv);
      const n = parseI64(argv[5]!);
      if (n === null) return E.notInt;
      count = n < 0n ? 10 : n > 1n << 52n ? 0 : Number(n);
    }
  }
  const out = streamHead(s);
  if (!full) {
    const first = s.range(0n, MAX_ID, 1)[0];
    const last = s.range(0n, MAX_ID, 1, true)[0];
    out.push(b('groups'), int(s.groups ? s.groups.size : 0));
    out.push(b('first-entry'), first ? entryFrame(first) : NIL, b('last-entry'), last ? entryFrame(last) : NIL);
    return map(out);
  }
  out.push(b('entries'), arr(s.range(0n, MAX_ID, count).map(entryFrame)));
  const groups: Frame[] = [];
  for (const name of sortedNames(s.groups)) {
    const g = s.groups!.get(name)!;
    const pending: Frame[] = [];
    for (const id of g.pel.keys) {
      if (count && pending.length >= count) break;
      const n = g.pel.get(id)!;
      pending.push(arr([idFrame(id), b(n.consumer!.name), int(n.time), int(n.count)]));
    }
    const consumers: Frame[] = [];
    for (const cn of sortedNames(g.consumers)) {
      const co = g.consumers.get(cn)!;
      const cp: Frame[] = [];
      for (const id of co.pel.keys) {
        if (count && cp.length >= count) break;
        const n = co.pel.get(id)!;
        cp.push(arr([idFrame(id), int(n.time), int(n.count)]));
      }
      consumers.push(map([b('name'), b(cn), b('seen-time'), int(co.seenTime), b('pel-count'), int(co.pel.size), b('pending'), arr(cp)]));
    }
    groups.push(map([
      b('name'), b(name), b('last-delivered-id'), idFrame(g.lastId), b('entries-read'), readFrame(g), b('lag'), lagFrame(s, g),
      b('pel-count'), int(g.pel.size), b('pending'), arr(pending), b('consumers'), arr(consumers),
    ]));
  }
  out.push(b('groups'), arr(groups));
  return map(out);
}

function xinfoGroups(c: Ctx, argv: string[]): Frame {
  const s = readStream(c, argv[2]!);
  if (isF(s)) return s;
  if (!s) return E.noKey;
  const out: Frame[] = [];
  for (const name of sortedNames(s.groups)) {
    const g = s.groups!.get(name)!;
    out.push(map([
      b('name'), b(name), b('consumers'), int(g.consumers.size), b('pending'), int(g.pel.size),
      b('last-delivered-id'), idFrame(g.lastId), b('entries-read'), readFrame(g), b('lag'), lagFrame(s, g),
    ]));
  }
  return arr(out);
}

function xinfoConsumers(c: Ctx, argv: string[]): Frame {
  const s = readStream(c, argv[2]!);
  if (isF(s)) return s;
  if (!s) return E.noKey;
  const g = s.group(argv[3]!);
  if (!g) return err(`NOGROUP No such consumer group '${argv[3]}' for key name '${argv[2]}'`);
  const out: Frame[] = [];
  for (const name of sortedNames(g.consumers)) {
    const co = g.consumers.get(name)!;
    const idle = c.now - co.seenTime;
    out.push(map([b('name'), b(name), b('pending'), int(co.pel.size), b('idle'), int(idle < 0 ? 0 : idle)]));
  }
  return arr(out);
}

function subErr(argv: string[]): Frame {
  return err(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try XINFO HELP.`);
}

const HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];
const isub = (name: string, run: Handler): CommandSpec => def(`xinfo|${name}`, { run });

export const STREAM_INFO_COMMANDS: CommandSpec[] = [
  def('xinfo', { route: 'conn', sub: [
      isub('stream', xinfoStream),
      isub('groups', xinfoGroups),
      isub('consumers', xinfoConsumers),
      def('xinfo|help', { route: 'conn', conn: () => helpReply('XINFO', HELP) }),
    ] }),
];


