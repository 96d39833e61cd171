// COMMAND and its subcommands: the command table describing itself in Redis 7.0's reply shapes,
// from Redis's own description of each command (spec-data.ts).
import { stringMatch } from '../../engine/glob.js';
import { E, NIL, bulk, err, int, map, set, simple, arr, type Frame } from '../../protocol/frame.js';
import { helpReply } from '../../commands/help.js';
import { findIn, keyPositions } from '../../commands/table.js';
import { keyFlags } from '../../commands/keyspec.js';
import type { CommandSpec, DocValue, KeySpec } from '../../commands/types.js';
import { sdef, type SessionCtx, type SessionHandler } from './ctx.js';

export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  return spec.keySpecs;
}

function keySpecFrame(k: KeySpec): Frame {
  const out: Frame[] = [];
  if (k.notes !== undefined) out.push(bulk('notes'), bulk(k.notes));
  out.push(bulk('flags'), set(k.flags.map(simple)));
  const bs = k.bs === null
    ? [bulk('type'), bulk('unknown'), bulk('spec'), map([])]
    : 'index' in k.bs
      ? [bulk('type'), bulk('index'), bulk('spec'), map([bulk('index'), int(k.bs.index)])]
      : [bulk('type'), bulk('keyword'), bulk('spec'), map([bulk('keyword'), bulk(k.bs.keyword), bulk('startfrom'), int(k.bs.startfrom)])];
  const fk = k.fk === null
    ? [bulk('type'), bulk('unknown'), bulk('spec'), map([])]
    : 'lastkey' in k.fk
      ? [bulk('type'), bulk('range'), bulk('spec'), map([bulk('lastkey'), int(k.fk.lastkey), bulk('keystep'), int(k.fk.keystep), bulk('limit'), int(k.fk.limit)])]
      : [bulk('type'), bulk('keynum'), bulk('spec'), map([bulk('keynumidx'), int(k.fk.keynumidx), bulk('firstkey'), int(k.fk.firstkey), bulk('keystep'), int(k.fk.keystep)])];
  out.push(bulk('begin_search'), map(bs), bulk('find_keys'), map(fk));
  return map(out);
}

/** Flags Redis keeps for itself and does not print in COMMAND INFO. */
const HIDDEN_FLAGS = new Set(['sentinel', 'only_sentinel']);

/** One COMMAND INFO entry: name, arity, flags, first, last, step, ACL categories, tips, key specs, subcommands. */
export function commandInfo(spec: CommandSpec): Frame {
  return arr([
    bulk(spec.name),
    int(spec.arity),
    set(spec.flags.filter((f) => !HIDDEN_FLAGS.has(f)).map(simple)),
    int(spec.keys[0]),
    int(spec.keys[1]),
    int(spec.keys[2]),
    set(spec.acl.map((a) => simple('@' + a))),
    set((spec.tips ?? []).map(bulk)),
    set(keySpecsOf(spec).map(keySpecFrame)),
    set((spec.sub ?? []).map(commandInfo)),
  ]);
}


/**
 * A COMMAND DOCS value in Redis's reply types: its argument and doc flags are sets of simple
 * strings, `history` a set of [version, text] arrays, maps stay maps, other strings are bulk.
 */
function docValue(key: string, v: DocValue): Frame {
  if (typeof v === 'number') return int(v);
  if (typeof v === 'string') return bulk(v);
  if (Array.isArray(v)) {
    if (key === 'flags' || key === 'doc_flags') return set(v.map((x) => simple(x as string)));
    if (key === 'history') return set(v.map((x) => docValue('', x)));
    return arr(v.map((x) => docValue('', x)));
  }
  const out: Frame[] = [];
  for (const [k, x] of Object.entries(v)) out.push(bulk(k), docValue(k, x));
  return map(out);
}

/** One command's docs; subcommands are the ones this table serves, each with its own docs. */
function docs(spec: CommandSpec): Frame {
  const out: Frame[] = [];
  for (const [k, v] of Object.entries(spec.docs)) if (k !== 'subcommands') out.push(bulk(k), docValue(k, v));
  if (spec.sub) {
    const subs: Frame[] = [];
    for (const s of spec.sub) subs.push(bulk(s.name), docs(s));
    out.push(bulk('subcommands'), map(subs));
  }
  return map(out);
}

function command(c: SessionCtx, argv: string[]): Frame {
  if (argv.length > 1) return err(`ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try COMMAND HELP.`);
  return arr([...c.table.values()].map(commandInfo));
}

function info(c: SessionCtx, argv: string[]): Frame {
  if (argv.length === 2) return arr([...c.table.values()].map(commandInfo));
  return arr(argv.slice(2).map((n) => {
    const s = findIn(c.table, n);
    return s ? commandInfo(s) : NIL;
  }));
}

function docsCmd(c: SessionCtx, argv: string[]): Frame {
  const specs = argv.length === 2 ? [...c.table.values()] : argv.slice(2).map((n) => findIn(c.table, n)).filter((s): s is CommandSpec => !!s);
  const out: Frame[] = [];
  for (const s of specs) out.push(bulk(s.name), docs(s));
  return map(out);
}

/** COMMAND GETKEYS, with Redis 7.0's checks in its order. */
function getkeys(c: SessionCtx, argv: string[]): Frame {
  const r = commandKeys(c, argv);
  return 'err' in r ? r.err : arr(r.pos.map((p) => bulk(r.args[p]!)));
}

/** COMMAND GETKEYSANDFLAGS: each key with its access flags (a set of status strings, as Redis). */
function getkeysandflags(c: SessionCtx, argv: string[]): Frame {
  const r = commandKeys(c, argv);
  if ('err' in r) return r.err;
  const flags = keyFlags(r.spec.name, r.spec.keySpecs, r.args, r.pos);
  return arr(r.pos.map((p, i) => arr([bulk(r.args[p]!), set(flags[i]!.map(simple))])));
}

/** The command and key positions of a COMMAND GETKEYS[ANDFLAGS] argument list, or Redis's error. */
function commandKeys(c: SessionCtx, argv: string[]): { spec: CommandSpec; args: string[]; pos: number[] } | { err: Frame } {
  const args = argv.slice(2);
  let spec = c.table.get(args[0]!.toLowerCase());
  if (spec?.sub && args.length >= 2) spec = spec.sub.find((s) => s.name === `${spec!.name}|${args[1]!.toLowerCase()}`);
  if (!spec) return { err: err('ERR Invalid command specified') };
  if (spec.keys[0] === 0 && !spec.getKeys) return { err: err('ERR The command has no key arguments') };
  if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) {
    return { err: err('ERR Invalid number of arguments specified for command') };
  }
  const pos = keyPositions(spec, args);
  if (pos.length === 0 && !spec.flags.includes('no_mandatory_keys')) return { err: err('ERR Invalid arguments specified for command') };
  return { spec, args, pos };
}

function list(c: SessionCtx, argv: string[]): Frame {
  let filter: (s: CommandSpec) => boolean = () => true;
  if (argv.length !== 2) {
    if (argv.length !== 5 || argv[2]!.toLowerCase() !== 'filterby') return E.syntax;
    const kind = argv[3]!.toLowerCase();
    const v = argv[4]!;
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (s) => s.acl.includes(v.toLowerCase());
    else if (kind === 'pattern') filter = (s) => stringMatch(v, s.name, true);
    else return E.syntax;
  }
  const names: Frame[] = [];
  for (const s of c.table.values()) {
    if (filter(s)) names.push(bulk(s.name));
    for (const sub of s.sub ?? []) if (filter(sub)) names.push(bulk(sub.name));
  }
  return arr(names);
}

const HELP = [
  '(no subcommand)', '    Return details about all Redis commands.',
  'COUNT', '    Return the total number of commands in this Redis server.',
  'LIST', '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.', '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.', '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>', '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>', '    Return the keys and the access flags from a full Redis command.',
];
const sub = (name: string, conn: SessionHandler): CommandSpec => sdef(`command|${name}`, { route: 'conn', conn });

export const INTROSPECTION_COMMANDS: CommandSpec[] = [
  sdef('command', { route: 'conn', conn: command, sub: [
      sub('count', (c) => int(c.table.size)),
      sub('info', info),
      sub('docs', docsCmd),
      sub('getkeys', getkeys),
      sub('getkeysandflags', getkeysandflags),
      sub('list', list),
      sub('help', () => helpReply('COMMAND', HELP)),
    ] }),
];
