// ACL rules, pure: SHA-256, rule round trips through ACL LIST lines, the read-only user against the
// whole command table, key R/W checks, and the ACL LOG's grouping.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPositions } from '../../src/commands/table.js';
import { TABLE } from '../../src/server/commands/table.js';
import type { CommandSpec } from '../../src/commands/types.js';
import { AclLog, CATEGORIES, READONLY_RULES, checkCommand, checkEveryKey, describeUser, newUser, parseUserLine, passwordOk, setUser, type AclUser } from '../../src/server/acl.js';
import { sha256Hex } from '../../src/server/sha256.js';

function all(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const s of TABLE.values()) out.push(s, ...(s.sub ?? []));
  return out;
}

function user(rules: string[]): AclUser {
  const u = setUser(undefined, 'u', rules);
  if (typeof u === 'string') throw new Error(u);
  return u;
}

describe('sha256', () => {
  it('matches node:crypto on byte strings of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = String.fromCharCode(...bytes);
        expect(sha256Hex(s)).toBe(createHash('sha256').update(Buffer.from(bytes)).digest('hex'));
      }),
    );
  });
});

describe('rules', () => {
  const names = all().map((s) => s.name);
  const rule = fc.oneof(
    fc.constantFrom(...CATEGORIES).chain((c) => fc.constantFrom(`+@${c}`, `-@${c}`)),
    fc.constantFrom(...names).chain((n) => fc.constantFrom(`+${n}`, `-${n}`)),
    fc.constantFrom('+@all', '-@all', 'on', 'off', '~a*', '%R~r*', '%W~w*', '&c*', 'resetkeys', 'resetchannels', 'nopass', '>pw'),
  );

  it('a user described as an ACL LIST line parses back to the same permissions', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), (rules) => {
        const u = user(rules);
        const line = describeUser(u);
        const back = parseUserLine(line) as AclUser;
        expect(typeof back).toBe('object');
        expect([...back.allowed].sort()).toEqual([...u.allowed].sort());
        expect(describeUser(back)).toBe(line);
      }),
      { numRuns: 200 },
    );
  });

  it('checks passwords by digest, and refuses disabled users', () => {
    const u = user(['on', '>one', '>two']);
    expect(passwordOk(u, 'one')).toBe(true);
    expect(passwordOk(u, 'two')).toBe(true);
    expect(passwordOk(u, 'three')).toBe(false);
    expect(passwordOk(user(['off', '>one']), 'one')).toBe(false);
    expect(passwordOk(user(['on', 'nopass']), 'anything')).toBe(true);
    expect(passwordOk(undefined, 'x')).toBe(false);
  });

  it('new users have no rights; errors leave users unchanged', () => {
    expect(describeUser(newUser('n'))).toBe('user n off resetchannels -@all');
    const u = user(['on', '+get']);
    expect(setUser(u, 'u', ['-get', 'bogus'])).toBe("ERR Error in ACL SETUSER modifier 'bogus': Syntax error");
    expect(u.allowed.has('get')).toBe(true);
  });
});

describe('permission checks', () => {
  const ro = user(READONLY_RULES);

  it('the read-only user can run no command flagged write or admin, and every readonly command', () => {
    for (const spec of all()) {
      if (spec.sub) continue; // containers resolve to their subcommands
      const d = checkCommand(ro, spec, [spec.name], []);
      if (spec.flags.includes('write') || spec.flags.includes('admin')) expect(d, spec.name).toEqual({ reason: 'command', object: spec.name });
      else if (spec.flags.includes('readonly')) expect(d, spec.name).toBeNull();
    }
  });

  it('checks keys by the access the command needs (%R~ reads, %W~ writes)', () => {
    const u = user(['+@all', '%R~r*', '%W~w*']);
    const chk = (...argv: string[]) => {
      const spec = TABLE.get(argv[0]!)!;
      return checkCommand(u, spec, argv, keyPositions(spec, argv))?.reason ?? 'ok';
    };
    expect(chk('get', 'r1')).toBe('ok');
    expect(chk('get', 'w1')).toBe('key');
    expect(chk('del', 'w1')).toBe('ok');
    expect(chk('del', 'r1')).toBe('key');
    expect(chk('set', 'w1', 'v')).toBe('key'); // SET needs read access too (its GET option)
    expect(chk('exists', 'w1')).toBe('ok'); // no access flag: a pattern of either kind will do
    expect(chk('exists', 'x')).toBe('key');
  });

  it('matches channels as patterns, and pattern subscriptions literally', () => {
    const u = user(['+@all', '&news.*']);
    const chk = (...argv: string[]) => checkCommand(u, TABLE.get(argv[0]!)!, argv, [])?.reason ?? 'ok';
    expect(chk('publish', 'news.sport', 'm')).toBe('ok');
    expect(chk('publish', 'other', 'm')).toBe('channel');
    expect(chk('psubscribe', 'news.*')).toBe('ok');
    expect(chk('psubscribe', 'news.s*')).toBe('channel');
  });
});

describe('a command on every key (HTTP routes such as /export)', () => {
  const every = (rules: string[], cmd: string) => checkEveryKey(user(rules), TABLE.get(cmd)!);
  it('needs the command and a pattern matching any key with the access it needs', () => {
    expect(every(['+@all', '~*'], 'dump')).toBeNull();
    expect(every(['+@all', '%R~*'], 'dump')).toBeNull();
    expect(every(['+@all', '%R~**'], 'dump')).toBeNull();
    expect(every(['+@all', '%W~*'], 'dump')).toEqual({ reason: 'key', object: '*' });
    expect(every(['+@all', '%R~pub:*'], 'dump')).toEqual({ reason: 'key', object: '*' });
    expect(every(['+@all', '~?*'], 'dump')).toEqual({ reason: 'key', object: '*' }); // misses the empty key
    expect(every(['+@all', '-dump', '~*'], 'dump')).toEqual({ reason: 'command', object: 'dump' });
    expect(every(['+@all', '%R~*'], 'restore')).toEqual({ reason: 'key', object: '*' });
  });
});

describe('ACL LOG', () => {
  it('groups the same denial within 60 s, newest first, at most 128 entries', () => {
    const log = new AclLog();
    const e = { reason: 'command' as const, context: 'toplevel' as const, object: 'set', username: 'u', clientInfo: '' };
    log.add(e, 0);
    log.add({ ...e, object: 'get' }, 1);
    log.add(e, 2);
    expect(log.entries.map((x) => [x.object, x.count])).toEqual([['set', 2], ['get', 1]]);
    log.add(e, 70_000);
    expect(log.entries.map((x) => [x.object, x.count])).toEqual([['set', 1], ['set', 2], ['get', 1]]);
    for (let i = 0; i < 200; i++) log.add({ ...e, object: `k${i}` }, 100_000);
    expect(log.entries.length).toBe(128);
  });
});
