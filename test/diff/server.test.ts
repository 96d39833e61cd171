// Server, introspection, client and cluster commands against real Redis 7.0 (a one-node cluster):
// byte-exact where the output is deterministic, same shape and field names where it is not.
import { describe, expect, it } from 'vitest';
import { parseReply } from '../../src/protocol/resp-reply.js';
import type { Frame } from '../../src/protocol/frame.js';
import { useDiff, type Cmd } from '../helpers/diff.js';

const d = useDiff();

const frame = (raw: string): Frame => parseReply(raw, 0)!.frame;
const str = (raw: string): string => (frame(raw) as { v: string }).v;

/** INFO text → section title → field names. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (cur = []));
    else if (line) cur.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

describe('FLUSHALL, FLUSHDB, DBSIZE, FUNCTION', () => {
  it('argument handling matches Redis', async () => {
    await d.check([
      ['SET', '{t}a', '1'], ['SET', 'b', '2'], ['DBSIZE'],
      ['FLUSHALL', 'foo'], ['FLUSHALL', 'async', 'sync'], ['DBSIZE'],
      ['FLUSHALL', 'SYNC'], ['DBSIZE'], ['SET', 'a', '1'], ['FLUSHALL', 'async'], ['DBSIZE'],
      ['SET', 'a', '1'], ['FLUSHDB', 'bar'], ['FLUSHDB', 'Async'], ['DBSIZE'], ['FLUSHDB'], ['DBSIZE', 'x'],
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'FLUSH', 'SYNC'], ['FUNCTION', 'FLUSH', 'sync', 'x'],
      ['FUNCTION', 'HELP'], ['FUNCTION', 'NOPE'], ['FUNCTION'],
    ]);
  });

  it('FLUSHALL is logged on every shard', async () => {
    await d.pair(['FLUSHALL']);
    for (const log of d.backend.logs) expect(log.at(-1)).toEqual(['FLUSHALL']);
  });
});

describe('TIME and LASTSAVE', () => {
  it('TIME is [seconds, microseconds] as bulk strings, like Redis', async () => {
    for (const proto of [2, 3] as const) {
      const { redis, kf } = await d.pair(['TIME'], proto);
      type A = { t: string; v: Array<{ t: string; v: string }> };
      const r = frame(redis) as A;
      const k = frame(kf) as A;
      expect(k.t).toBe(r.t);
      expect(k.v.map((x) => x.t)).toEqual(r.v.map((x) => x.t));
      expect(k.v[0]!.v).toMatch(/^\d+$/);
      expect(Number(k.v[1]!.v)).toBeLessThan(1_000_000);
      expect(Math.abs(Number(k.v[0]!.v) - Math.floor(Date.now() / 1000))).toBeLessThan(5);
    }
    await d.check([['TIME', 'x'], ['LASTSAVE', 'x']]);
    const { redis, kf } = await d.pair(['LASTSAVE']);
    expect(kf[0]).toBe(redis[0]);
  });
});

describe('INFO', () => {
  it('each section has Redis 7.0\'s field names', async () => {
    // keyflare always keeps an AOF: compare with a Redis that has appendonly on.
    await d.pair(['CONFIG', 'SET', 'appendonly', 'yes']);
    for (const s of ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'cluster']) {
      const { redis, kf } = await d.pair(['INFO', s]);
      const [r, k] = [sections(str(redis)), sections(str(kf))];
      expect([...k.keys()], s).toEqual([...r.keys()]);
      expect(k.values().next().value, s).toEqual(r.values().next().value);
    }
  });

  it('default, all, everything and several sections select the same sections, in Redis order', async () => {
    for (const args of [[], ['default'], ['all'], ['everything'], ['keyspace', 'server'], ['CLUSTER', 'Memory'], ['foo'], ['server', 'foo', 'server']]) {
      const { redis, kf } = await d.pair(['INFO', ...args]);
      expect([...sections(str(kf)).keys()], args.join(' ')).toEqual([...sections(str(redis)).keys()]);
    }
    await d.check([['INFO', 'foo'], ['INFO', 'cluster'], ['INFO', 'keyspace']]);
  });

  it('keyspace, commandstats and errorstats lines have Redis\'s format', async () => {
    await d.pair(['CONFIG', 'RESETSTAT']);
    await d.check([['SET', 'a', '1'], ['SET', 'b', '2', 'EX', '100'], ['GET', 'a'], ['INCR', 'a', 'x']], [2]);
    const { redis, kf } = await d.pair(['INFO', 'keyspace']);
    expect(str(kf)).toBe(str(redis).replace(/avg_ttl=\d+/, 'avg_ttl=' + /avg_ttl=(\d+)/.exec(str(kf))![1]));
    expect(str(kf)).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/);
    const stats = str((await d.pair(['INFO', 'stats'])).kf);
    expect(stats).toMatch(/\r\nkeyspace_hits:1\r\n/);
  });

  it('commandstats and errorstats count each client command once, as Redis', async () => {
    for (const cmd of [['CONFIG', 'RESETSTAT'], ['DBSIZE'], ['DBSIZE'], ['SET', 'a', '1'], ['GET', 'a'], ['GET', 'nosuch'], ['SET', 'a', 'b', 'EX', 'x'], ['FLUSHALL']] as Cmd[]) {
      await d.pair(cmd);
    }
    const { redis, kf } = await d.pair(['INFO', 'commandstats', 'errorstats']);
    // Redis lists commands in its dict order: compare the lines as a set.
    const norm = (raw: string) => str(raw).replace(/usec=\d+,usec_per_call=[\d.]+,/g, '').split('\r\n').sort().join('\r\n') + '\r\n';
    expect(norm(kf)).toBe(norm(redis));
    expect(norm(kf)).toContain('cmdstat_dbsize:calls=2,rejected_calls=0,failed_calls=0\r\n');
    const total = (raw: string) => /total_commands_processed:(\d+)/.exec(str(raw))![1];
    const st = await d.pair(['INFO', 'stats']);
    expect(total(st.kf)).toBe(total(st.redis));
  });

  it('is a verbatim string in RESP3 and a bulk string in RESP2', async () => {
    const r3 = await d.pair(['INFO', 'cluster'], 3);
    expect(r3.kf).toBe(r3.redis);
    expect(r3.kf.startsWith('=')).toBe(true);
  });
});

describe('COMMAND', () => {
  it('INFO of commands matches Redis, key specs included', async () => {
    await d.check([
      ['COMMAND', 'INFO', 'get', 'set'], ['COMMAND', 'INFO', 'GET', 'nosuch'], ['COMMAND', 'INFO', 'config|get'],
      ['COMMAND', 'INFO', 'dbsize', 'flushall', 'flushdb', 'time', 'info', 'lastsave'],
      // Containers are not compared whole: Redis has more subcommands, listed in its dict order.
      ['COMMAND', 'INFO', 'config|set', 'config|resetstat', 'config|rewrite', 'config|help', 'client|getname', 'client|info', 'client|list', 'client|help'],
      ['COMMAND', 'INFO', 'cluster|slots', 'cluster|shards', 'cluster|nodes', 'cluster|info', 'cluster|myid', 'cluster|countkeysinslot', 'cluster|getkeysinslot', 'cluster|help'],
      ['COMMAND', 'INFO', 'command|count', 'command|info', 'command|docs', 'command|list', 'command|help', 'function|help'], ['COMMAND', 'INFO', 'del', 'exists'],
      ['COMMAND', 'INFO', 'client|setname', 'client|id', 'cluster|keyslot', 'command|getkeys', 'function|flush'],
    ]);
  });

  it('GETKEYS matches Redis, errors included', async () => {
    await d.check([
      ['COMMAND', 'GETKEYS', 'get', 'a'], ['COMMAND', 'GETKEYS', 'set', 'a', 'b'], ['COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c'],
      ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'ping', 'x'],
      ['COMMAND', 'GETKEYS', 'set', 'a'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'GETKEYS', 'config', 'get', 'x'],
      ['COMMAND', 'GETKEYS'], ['COMMAND', 'NOPE'], ['COMMAND', 'HELP'], ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'LIST', 'x'], ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'], ['COMMAND', 'LIST', 'FILTERBY', 'module', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'nosuch'], ['COMMAND', 'DOCS', 'nosuch'],
    ]);
  });

  it('COUNT, LIST, DOCS and COMMAND describe the table consistently', async () => {
    const count = Number(str((await d.pair(['COMMAND', 'COUNT'])).kf));
    const all = frame((await d.pair(['COMMAND'])).kf) as { v: Array<{ v: Frame[] }> };
    expect(all.v.length).toBe(count);
    const list = (frame((await d.pair(['COMMAND', 'LIST'])).kf) as { v: Array<{ v: string }> }).v.map((f) => f.v);
    expect(list).toContain('get');
    expect(list).toContain('config|set');
    const pat = (frame((await d.pair(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'cl*'])).kf) as { v: Array<{ v: string }> }).v.map((f) => f.v);
    expect(pat).toContain('cluster|keyslot');
    expect(pat.every((n) => n.startsWith('cl'))).toBe(true);
    const acl = (frame((await d.pair(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'string'])).kf) as { v: Array<{ v: string }> }).v.map((f) => f.v);
    expect(acl).toContain('get');
    expect(acl).not.toContain('ping');
  });

  it('DOCS gives Redis\'s summary, since and group for the server, config, client, cluster and command families', async () => {
    const names = ['dbsize', 'flushall', 'flushdb', 'time', 'lastsave', 'info', 'function', 'config', 'client', 'cluster', 'command',
      'function|flush', 'config|get', 'config|set', 'config|resetstat', 'config|rewrite', 'client|id', 'client|setname', 'client|list',
      'cluster|slots', 'cluster|shards', 'cluster|nodes', 'cluster|keyslot', 'cluster|countkeysinslot', 'command|info', 'command|getkeys'];
    const brief = (raw: string, proto: 2 | 3) => {
      const top = (frame(raw) as { v: Frame[] }).v;
      const out: Record<string, Record<string, string>> = {};
      for (let i = 0; i < top.length; i += 2) {
        const fields = (top[i + 1] as { v: Frame[] }).v;
        const m: Record<string, string> = {};
        for (let j = 0; j < fields.length; j += 2) {
          const k = (fields[j] as { v: string }).v;
          if (k === 'summary' || k === 'since' || k === 'group') m[k] = (fields[j + 1] as { v: string }).v;
        }
        out[(top[i] as { v: string }).v] = m;
      }
      expect(proto === 3 ? frame(raw).t : 'map').toBe('map');
      return out;
    };
    for (const proto of [2, 3] as const) {
      const { redis, kf } = await d.pair(['COMMAND', 'DOCS', ...names], proto);
      expect(brief(kf, proto)).toEqual(brief(redis, proto));
    }
  });
});

describe('CLIENT', () => {
  it('SETNAME, GETNAME, ID and errors match Redis', async () => {
    await d.check([
      ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'a\nb'], ['CLIENT', 'SETNAME', 'conn-1'],
      ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'GETNAME', 'x'], ['CLIENT', 'ID', 'x'],
      ['CLIENT', 'SETNAME'], ['CLIENT', 'HELP'], ['CLIENT', 'NOPE'], ['CLIENT'],
      ['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'ID', 'x'], ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'TYPE', 'pubsub'], ['CLIENT', 'LIST', 'ID', '999999'],
    ]);
    const { redis, kf } = await d.pair(['CLIENT', 'ID']);
    expect(kf).toMatch(/^:\d+\r\n$/);
    expect(redis).toMatch(/^:\d+\r\n$/);
  });

  it('INFO and LIST have Redis\'s fields (plus 7.2\'s lib-name and lib-ver)', async () => {
    for (const cmd of [['CLIENT', 'INFO'], ['CLIENT', 'LIST'], ['CLIENT', 'LIST', 'TYPE', 'normal']] as Cmd[]) {
      for (const proto of [2, 3] as const) {
        const { redis, kf } = await d.pair(cmd, proto);
        expect(kf[0], cmd.join(' ')).toBe(redis[0]);
        const line = (s: string) => str(s).split('\n')[0]!.split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
        expect(line(kf), cmd.join(' ')).toEqual([...line(redis), 'lib-name', 'lib-ver']);
        expect(str(kf)).toMatch(new RegExp(`^id=\\d+ addr=\\S+ laddr=\\S+ fd=\\d+ name= age=\\d+ idle=0 flags=N db=0 .* cmd=${cmd.slice(0, 2).join('|').toLowerCase()} user=default redir=-1 resp=${proto} lib-name= lib-ver=\\n$`));
      }
    }
  });

  it('SETINFO sets lib-name and lib-ver (Redis 7.2), shown by CLIENT INFO', async () => {
    const s = d.backend.session();
    const [a, b, c, e, info] = await s.run([
      ['CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis'], ['CLIENT', 'SETINFO', 'lib-ver', '5.9.2'], ['CLIENT', 'SETINFO', 'foo', 'x'],
      ['CLIENT', 'SETINFO', 'lib-name', 'a b'], ['CLIENT', 'INFO'],
    ]);
    expect([a, b]).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }]);
    expect(c).toEqual({ t: 'err', v: "ERR Unrecognized option 'foo'" });
    expect(e).toEqual({ t: 'err', v: 'ERR lib-name cannot contain spaces, newlines or special characters.' });
    expect((info as { v: string }).v).toMatch(/ lib-name=ioredis lib-ver=5\.9\.2\n$/);
  });
});

describe('CLUSTER', () => {
  it('KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT and errors match Redis', async () => {
    await d.check([
      ['SET', '{t}a', '1'], ['SET', '{t}b', '2'], ['SET', 'x', '3'],
      ['CLUSTER', 'KEYSLOT', '{t}a'], ['CLUSTER', 'KEYSLOT', 'foo{bar}zap'], ['CLUSTER', 'KEYSLOT', '{}a'], ['CLUSTER', 'KEYSLOT'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '15495'], ['CLUSTER', 'COUNTKEYSINSLOT', '0'], ['CLUSTER', 'COUNTKEYSINSLOT', '-1'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '16384'], ['CLUSTER', 'COUNTKEYSINSLOT', 'x'], ['CLUSTER', 'COUNTKEYSINSLOT', '1', '2'],
      ['CLUSTER', 'GETKEYSINSLOT', '15495', '1'], ['CLUSTER', 'GETKEYSINSLOT', '0', '10'], ['CLUSTER', 'GETKEYSINSLOT', '15495', '-1'],
      ['CLUSTER', 'GETKEYSINSLOT', '16384', '1'], ['CLUSTER', 'GETKEYSINSLOT', 'x', '1'], ['CLUSTER', 'GETKEYSINSLOT', '1', 'x'],
      ['CLUSTER', 'GETKEYSINSLOT', '-1', 'x'], ['CLUSTER', 'HELP'], ['CLUSTER', 'MYID', 'x'], ['CLUSTER', 'SLOTS', 'x'],
    ]);
    const both = await d.pair(['CLUSTER', 'GETKEYSINSLOT', String(15495), '10']);
    const keys = (s: string) => (frame(s) as { v: Array<{ v: string }> }).v.map((f) => f.v).sort();
    expect(keys(both.kf)).toEqual(keys(both.redis));
  });

  it('SLOTS, SHARDS, NODES and MYID present every shard as a master covering all slots', async () => {
    const { kf } = await d.pair(['CLUSTER', 'SLOTS'], 3);
    const slots = frame(kf) as { v: Array<{ v: Array<{ v: unknown }> }> };
    const n = d.backend.slots.shards;
    expect(slots.v.length).toBe(n);
    let next = 0;
    const ids = new Set<string>();
    for (const r of slots.v) {
      expect(r.v[0]!.v).toBe(next);
      next = Number(r.v[1]!.v) + 1;
      const node = r.v[2]!.v as Array<{ t: string; v: unknown }>;
      expect(node.map((x) => x.t)).toEqual(['bulk', 'int', 'bulk', 'map']);
      expect(node[2]!.v).toMatch(/^[0-9a-f]{40}$/);
      ids.add(node[2]!.v as string);
    }
    expect(next).toBe(16384);
    expect(ids.size).toBe(n);
    const myid = str((await d.pair(['CLUSTER', 'MYID'])).kf);
    expect(ids.has(myid)).toBe(true);
    const nodes = str((await d.pair(['CLUSTER', 'NODES'])).kf).split('\n').filter(Boolean);
    expect(nodes.length).toBe(n);
    for (const l of nodes) expect(l).toMatch(/^[0-9a-f]{40} \S+:\d+@\d+ (myself,)?master - 0 \d+ \d+ connected \d+-\d+$/);
    const realNode = str((await d.pair(['CLUSTER', 'NODES'])).redis).trim();
    expect(realNode.split(' ').length).toBe(nodes[0]!.split(' ').length);
    const sh = await d.pair(['CLUSTER', 'SHARDS'], 3);
    const shape = (raw: string) => (frame(raw) as { v: Array<{ v: Frame[] }> }).v.map((m) => m.v.filter((_, i) => i % 2 === 0).map((f) => (f as { v: string }).v));
    expect(shape(sh.kf)[0]).toEqual(shape(sh.redis)[0]);
    const nodeKeys = (raw: string) => (((frame(raw) as { v: Array<{ v: Frame[] }> }).v[0]!.v[3] as { v: Array<{ v: Frame[] }> }).v[0]!.v.filter((_, i) => i % 2 === 0).map((f) => (f as { v: string }).v));
    expect(nodeKeys(sh.kf)).toEqual(nodeKeys(sh.redis));
  });

  it('INFO has Redis\'s fields and reports every slot served', async () => {
    const { redis, kf } = await d.pair(['CLUSTER', 'INFO'], 3);
    expect(kf[0]).toBe(redis[0]);
    const names = (s: string) => str(s).split('\r\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(':')));
    expect(names(kf)).toEqual(names(redis));
    expect(str(kf)).toContain('cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n');
    expect(str(kf)).toContain(`cluster_known_nodes:${d.backend.slots.shards}\r\n`);
  });
});
