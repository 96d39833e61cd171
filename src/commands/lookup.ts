// Command table helpers: building a table from families, lookup with Redis's rejection errors,
// and key extraction from a spec (routing, COMMAND GETKEYS, read-only checks all use it).
import { arityErr, err, type Frame } from '../protocol/frame.js';
import type { CommandSpec, Flag } from './types.js';

export type Table = ReadonlyMap<string, CommandSpec>;

export function buildTable(families: ReadonlyArray<readonly CommandSpec[]>): Table {
  const t = new Map<string, CommandSpec>();
  for (const fam of families) {
    for (const spec of fam) {
      if (t.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
      t.set(spec.name, spec);
    }
  }
  return t;
}

export type Lookup = { spec: CommandSpec; err?: undefined } | { spec?: undefined; err: Frame };

/** Find the spec for argv, with Redis's unknown-command, unknown-subcommand and arity errors. */
export function lookupIn(table: Table, argv: readonly string[]): Lookup {
  const name = argv[0]!.toLowerCase();
  let spec = table.get(name);
  if (!spec) return { err: unknownCommand(argv) };
  if (spec.sub && argv.length >= 2) {
    const subName = argv[1]!.toLowerCase();
    const sub = spec.sub.find((s) => s.name === `${name}|${subName}`);
    if (!sub) {
      return { err: err(`ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try ${name.toUpperCase()} HELP.`) };
    }
    spec = sub;
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    return { err: arityErr(spec.name) };
  }
  return { spec };
}

export function unknownCommand(argv: readonly string[]): Frame {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return err(`ERR unknown command '${argv[0]!.slice(0, 128)}', with args beginning with: ${args}`);
}

/** Positions of the keys in argv, per the spec (Redis's getKeysFromCommand). */
export function keyPositions(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  const [first, lastSpec, step] = spec.keys;
  if (first === 0) return [];
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}

/** A command by name, `container|sub` included (Redis's lookupCommandBySds). */
export function findIn(table: Table, name: string): CommandSpec | undefined {
  const l = name.toLowerCase();
  const bar = l.indexOf('|');
  if (bar < 0) return table.get(l);
  return table.get(l.slice(0, bar))?.sub?.find((s) => s.name === l);
}

export function hasFlag(spec: CommandSpec, flag: Flag): boolean {
  return spec.flags.includes(flag);
}
