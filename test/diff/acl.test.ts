// ACL against real Redis: SETUSER rules and errors, GETUSER / LIST / USERS / WHOAMI / CAT / DRYRUN
// replies, NOPERM errors for commands, keys (%R/%W) and channels, AUTH of ACL users, ACL LOG.
import { beforeAll, describe, expect, it } from 'vitest';
import { useDiff, type Cmd } from '../helpers/diff.js';
import { RawClient } from '../helpers/raw-client.js';
import { encodeStr, type Proto } from '../../src/protocol/resp-encode.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Session } from '../../src/server/session.js';

const d = useDiff();

beforeAll(async () => {
  // keyflare's built-in users (the tokens' users) exist on the Redis side too.
  for (const p of [2] as Proto[]) {
    for (const cmd of [
      ['ACL', 'SETUSER', 'default', 'resetpass', '>local-token'],
      ['ACL', 'SETUSER', 'readonly', 'on', '>local-ro-token', '~*', '&*', '+@all', '-@write', '-@admin'],
    ]) {
      const { redis } = await d.pair(cmd, p);
      expect(redis).toBe('+OK\r\n');
    }
  }
});

/** A second connection on each side (not yet authenticated on keyflare; Redis's default has a password now). */
async function conn(): Promise<{ rc: RawClient; kf: Session; run(cmd: Cmd, proto?: Proto): Promise<{ redis: string; kf: string }> }> {
  const rc = await RawClient.connect(d.redis.port);
  const kf = d.backend.session(false);
  return {
    rc,
    kf,
    async run(cmd: Cmd, proto: Proto = 2) {
      const argv = cmd.map(String);
      const [redis] = await rc.call([argv]);
      const [f] = await kf.run([argv]);
      return { redis: redis!, kf: encodeStr(f!, proto) };
    },
  };
}

function strings(raw: string): string[] {
  const f = parseReply(raw, 0)!.frame as { v: Frame[] };
  return f.v.map((x) => (x as { v: string }).v);
}

describe('ACL SETUSER / GETUSER / LIST', () => {
  it('creates users and describes them as Redis does', async () => {
    await d.check([
      ['ACL', 'SETUSER', 'alice'],
      ['ACL', 'GETUSER', 'alice'],
      ['ACL', 'SETUSER', 'bob', 'on', '>pw', '~k*', '%R~r*', '%W~w*', '&ch*', '+@hash'],
      ['ACL', 'GETUSER', 'bob'],
      ['ACL', 'SETUSER', 'bob', '+@all', '-get', '+@read'],
      ['ACL', 'GETUSER', 'bob'],
      ['ACL', 'SETUSER', 'bob', '-config|get'],
      ['ACL', 'GETUSER', 'bob'],
      ['ACL', 'SETUSER', 'carol', 'reset'],
      ['ACL', 'GETUSER', 'carol'],
      ['ACL', 'SETUSER', 'carol', 'on', 'nopass', 'allkeys', 'allchannels', '+@hash', '+@list', '-lpush'],
      ['ACL', 'GETUSER', 'carol'],
      ['ACL', 'SETUSER', 'carol', 'resetkeys', '%R', '%RW~x', 'resetchannels', '&a', '&a', 'nocommands', '+get', 'sanitize-payload'],
      ['ACL', 'GETUSER', 'carol'],
      ['ACL', 'SETUSER', 'dave', '#' + 'a'.repeat(64), '>x', '!' + 'a'.repeat(64), '<x', 'on', 'allcommands'],
      ['ACL', 'GETUSER', 'dave'],
      ['ACL', 'GETUSER', 'default'],
      ['ACL', 'GETUSER', 'readonly'],
      ['ACL', 'GETUSER', 'nobody'],
      ['ACL', 'LIST'],
      ['ACL', 'USERS'],
      ['ACL', 'WHOAMI'],
      ['ACL', 'DELUSER', 'alice', 'nobody', 'dave'],
      ['ACL', 'DELUSER', 'default'],
      ['ACL', 'USERS'],
      ['ACL', 'DELUSER', 'bob', 'carol'],
    ]);
  });

  it('refuses bad rules with Redis’s errors and changes nothing', async () => {
    await d.check([
      ['ACL', 'SETUSER', 'eve', 'on', '>p', '+get'],
      ['ACL', 'SETUSER', 'eve', 'off', 'foo'],
      ['ACL', 'SETUSER', 'eve', '+nosuch'],
      ['ACL', 'SETUSER', 'eve', '-nosuch'],
      ['ACL', 'SETUSER', 'eve', '+@nosuch'],
      ['ACL', 'SETUSER', 'eve', '+config|get|x'],
      ['ACL', 'SETUSER', 'eve', '+config|nosuch'],
      ['ACL', 'SETUSER', 'eve', '%X~a'],
      ['ACL', 'SETUSER', 'eve', '%~a'],
      ['ACL', 'SETUSER', 'eve', '#abc'],
      ['ACL', 'SETUSER', 'eve', '!ABC' + 'a'.repeat(61)],
      ['ACL', 'SETUSER', 'eve', '<nope'],
      ['ACL', 'SETUSER', 'eve', 'allkeys', '~x'],
      ['ACL', 'SETUSER', 'eve', 'allchannels', '&x'],
      ['ACL', 'SETUSER', 'a b'],
      ['ACL', 'SETUSER', 'eve'],
      ['ACL', 'GETUSER', 'eve'],
      ['ACL', 'SETUSER', 'neverborn', 'on', 'bad'],
      ['ACL', 'GETUSER', 'neverborn'],
      ['ACL', 'DELUSER', 'eve'],
      ['ACL', 'SAVE'],
      ['ACL', 'LOAD'],
      ['ACL', 'HELP'],
      ['ACL', 'NOSUCH'],
      ['ACL'],
      ['ACL', 'GENPASS', '0'],
      ['ACL', 'GENPASS', 'x'],
      ['ACL', 'LOG', 'x'],
    ]);
  });

  it('ACL GENPASS answers hex of the asked length', async () => {
    for (const bits of ['5', '256', '4096']) {
      const { redis, kf } = await d.pair(['ACL', 'GENPASS', bits]);
      expect(kf.length).toBe(redis.length);
      expect(kf).toMatch(/^\$\d+\r\n[0-9a-f]+\r\n$/);
    }
  });
});

describe('ACL CAT', () => {
  it('lists the categories', async () => {
    await d.check([['ACL', 'CAT'], ['ACL', 'CAT', 'nosuch']]);
  });

  it('lists the commands of each category as Redis does (for the commands keyflare has)', async () => {
    const { redis: all } = await d.pair(['ACL', 'CAT']);
    for (const cat of strings(all)) {
      const { redis, kf } = await d.pair(['ACL', 'CAT', cat]);
      const ours = new Set(strings(kf));
      const theirs = strings(redis);
      // Every command Redis puts in the category that keyflare has is in ours, and vice versa.
      const { kf: known } = await d.pair(['COMMAND', 'INFO', ...theirs]);
      const have = new Set((parseReply(known, 0)!.frame as { v: Frame[] }).v.filter((x) => x.t !== 'nil').map((x) => ((x as { v: Frame[] }).v[0] as { v: string }).v));
      expect([...theirs].filter((n) => have.has(n) && !ours.has(n)), cat).toEqual([]);
      const redisSet = new Set(theirs);
      const { redis: redisKnown } = await d.pair(['COMMAND', 'INFO', ...ours]);
      const redisHas = new Set((parseReply(redisKnown, 0)!.frame as { v: Frame[] }).v.filter((x) => x.t !== 'nil').map((x) => ((x as { v: Frame[] }).v[0] as { v: string }).v));
      expect([...ours].filter((n) => redisHas.has(n) && !redisSet.has(n)), cat).toEqual([]);
    }
  });
});

describe('permissions', () => {
  it('ACL DRYRUN answers as Redis', async () => {
    await d.check([
      ['ACL', 'SETUSER', 'carl', 'on', '>p', '~a*', '%R~r*', '%W~w*', '&c*', '+@all', '-set'],
      ['ACL', 'DRYRUN', 'carl', 'get', 'a1'],
      ['ACL', 'DRYRUN', 'carl', 'get', 'b1'],
      ['ACL', 'DRYRUN', 'carl', 'get', 'r1'],
      ['ACL', 'DRYRUN', 'carl', 'lpush', 'r1', 'x'],
      ['ACL', 'DRYRUN', 'carl', 'lpush', 'w1', 'x'],
      ['ACL', 'DRYRUN', 'carl', 'del', 'w1'],
      ['ACL', 'DRYRUN', 'carl', 'get', 'w1'],
      ['ACL', 'DRYRUN', 'carl', 'set', 'a1', 'x'],
      ['ACL', 'DRYRUN', 'carl', 'publish', 'cx', 'm'],
      ['ACL', 'DRYRUN', 'carl', 'publish', 'dx', 'm'],
      ['ACL', 'DRYRUN', 'carl', 'subscribe', 'c1', 'd1'],
      ['ACL', 'DRYRUN', 'carl', 'psubscribe', 'c*'],
      ['ACL', 'DRYRUN', 'carl', 'psubscribe', 'c1*'],
      ['ACL', 'DRYRUN', 'carl', 'config', 'get', 'maxmemory'],
      ['ACL', 'DRYRUN', 'carl', 'nosuch'],
      ['ACL', 'DRYRUN', 'carl', 'get'],
      ['ACL', 'DRYRUN', 'nobody', 'get', 'a'],
      ['ACL', 'DRYRUN', 'readonly', 'set', 'a', 'b'],
      ['ACL', 'DRYRUN', 'readonly', 'get', 'a'],
      ['ACL', 'DRYRUN', 'readonly', 'flushall'],
      ['ACL', 'DRYRUN', 'readonly', 'config', 'set', 'maxmemory', '1'],
      ['ACL', 'DELUSER', 'carl'],
    ]);
  });

  it('AUTH as an ACL user: NOPERM for commands, keys and channels, WRONGPASS when disabled', async () => {
    await d.pair(['ACL', 'SETUSER', 'fay', 'on', '>pw', '~a*', '%R~r*', '&c*', '+@all', '-set', '-@admin']);
    await d.pair(['ACL', 'SETUSER', 'gus', 'off', '>pw', '+@all']);
    await d.pair(['ACL', 'LOG', 'RESET']);
    const c = await conn();
    const script: Cmd[] = [
      ['AUTH', 'gus', 'pw'],
      ['AUTH', 'nobody', 'pw'],
      ['AUTH', 'fay', 'bad'],
      ['AUTH', 'fay', 'pw'],
      ['ACL', 'WHOAMI'],
      ['SET', '{a}1', 'x'],
      ['GET', 'b1'],
      ['GET', 'r1'],
      ['APPEND', 'r1', 'x'],
      ['APPEND', 'a1', 'x'],
      ['PUBLISH', 'dx', 'm'],
      ['PUBLISH', 'cx', 'm'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['MULTI'],
      ['GET', 'b1'],
      ['GET', 'a1'],
      ['EXEC'],
      ['ACL', 'WHOAMI'],
      ['SUBSCRIBE', 'dx'],
      ['HELLO', '2', 'AUTH', 'fay', 'bad'],
    ];
    const diffs: string[] = [];
    for (const cmd of script) {
      const { redis, kf } = await c.run(cmd);
      if (redis !== kf) diffs.push(`${JSON.stringify(cmd)}\n  redis: ${JSON.stringify(redis)}\n  kf:    ${JSON.stringify(kf)}`);
    }
    c.rc.close();
    expect(diffs.join('\n')).toBe('');
    // ACL LOG: the same entries (client-info and age differ by nature).
    const { redis, kf } = await d.pair(['ACL', 'LOG']);
    const strip = (raw: string) =>
      (parseReply(raw, 0)!.frame as { v: Frame[] }).v.map((e) => {
        const v = (e as { v: Frame[] }).v.map((x) => (x as { v: unknown }).v);
        return v.slice(0, 10);
      });
    expect(strip(kf)).toEqual(strip(redis));
    expect(strip(kf).length).toBeGreaterThan(5);
    await d.pair(['ACL', 'DELUSER', 'fay', 'gus']);
  });
});
