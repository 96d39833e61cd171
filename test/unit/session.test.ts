// The session's routing and checks over an in-process 4-shard service: auth, read-only tokens,
// CROSSSLOT, fan-out of multi-key commands, per-shard batching and pipeline order.
import { describe, expect, it } from 'vitest';
import { keySlot } from '../../src/cluster/slot.js';
import { LocalBackend } from '../../src/server/local.js';
import { trackingState } from '../../src/server/tracking.js';

function keysOnDifferentShards(b: LocalBackend, n: number): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const s = b.slots.shardOfKey(`k${i}`);
    if (!seen.has(s)) {
      seen.add(s);
      out.push(`k${i}`);
    }
  }
  return out;
}

describe('session', () => {
  it('refuses commands before AUTH, accepts the token, rejects a wrong one', async () => {
    const b = new LocalBackend(4);
    const s = b.session(false);
    expect(await s.run([['GET', 'a'], ['NOSUCH']])).toEqual([
      { t: 'err', v: 'NOAUTH Authentication required.' },
      { t: 'err', v: "ERR unknown command 'NOSUCH', with args beginning with: " },
    ]);
    expect(await s.run([['AUTH', 'nope']])).toEqual([{ t: 'err', v: 'WRONGPASS invalid username-password pair or user is disabled.' }]);
    expect(await s.run([['AUTH', 'default', 'local-token'], ['SET', 'a', '1']])).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }]);
    const h = b.session(false);
    const [hello] = await h.run([['HELLO', '3', 'AUTH', 'default', 'local-token', 'SETNAME', 'me']]);
    expect(hello!.t).toBe('map');
    expect(h.session.proto).toBe(3);
    expect(h.session.name).toBe('me');
  });

  it('a token does not authenticate a disabled or deleted user (Redis: WRONGPASS); open sessions of a disabled one go on', async () => {
    const WRONGPASS = { t: 'err', v: 'WRONGPASS invalid username-password pair or user is disabled.' };
    const OK = { t: 'simple', v: 'OK' };
    const b = new LocalBackend(4);
    const admin = b.session();
    const open = b.session(false);
    expect(await open.run([['AUTH', 'local-ro-token']])).toEqual([OK]);
    expect(await admin.run([['ACL', 'SETUSER', 'readonly', 'off']])).toEqual([OK]);
    expect(await b.session(false).run([['AUTH', 'local-ro-token']])).toEqual([WRONGPASS]);
    expect(await b.session(false).run([['AUTH', 'readonly', 'local-ro-token']])).toEqual([WRONGPASS]);
    expect(await open.run([['GET', 'a']])).toEqual([{ t: 'nil' }]); // Redis 7.0.15 keeps it
    expect(await admin.run([['ACL', 'DELUSER', 'readonly']])).toEqual([{ t: 'int', v: 1 }]);
    expect(await b.session(false).run([['AUTH', 'local-ro-token']])).toEqual([WRONGPASS]);
    // Redis closes a deleted user's connections.
    expect(await open.run([['GET', 'a'], ['GET', 'b']])).toEqual([{ t: 'err', v: "NOPERM this user has no permissions to run the 'get' command" }]);
    expect(open.session.closing).toBe(true);
    expect(await admin.run([['ACL', 'SETUSER', 'default', 'off']])).toEqual([OK]);
    expect(await b.session(false).run([['AUTH', 'local-token']])).toEqual([WRONGPASS]);
    const log = (await admin.run([['ACL', 'LOG', '1']]))[0] as { v: Array<{ v: unknown[] }> };
    expect(log.v[0]!.v.slice(2, 10).map((f) => (f as { v: unknown }).v)).toEqual(['reason', 'auth', 'context', 'toplevel', 'object', 'AUTH', 'username', 'default']);
  });

  it('a read-only login reads but may neither write nor administer', async () => {
    const b = new LocalBackend(4);
    const s = b.session(false);
    await s.run([['AUTH', 'local-ro-token']]);
    const [w, r, c] = await s.run([['SET', 'a', '1'], ['GET', 'a'], ['CONFIG', 'SET', 'maxmemory', '1']]);
    expect(w).toEqual({ t: 'err', v: "NOPERM this user has no permissions to run the 'set' command" });
    expect(r).toEqual({ t: 'nil' });
    expect(c).toEqual({ t: 'err', v: "NOPERM this user has no permissions to run the 'config|set' command" });
  });

  it('answers CROSSSLOT for atomic multi-key writes and fans out multi-key reads and deletes (cluster mode)', async () => {
    const b = new LocalBackend({ shards: 4, mode: 'cluster' });
    const s = b.session();
    const [k1, k2, k3] = keysOnDifferentShards(b, 3) as [string, string, string];
    expect(await s.run([['MSET', k1, 'a', k2, 'b']])).toEqual([{ t: 'err', v: "CROSSSLOT Keys in request don't hash to the same slot" }]);
    await s.run([['SET', k1, 'a'], ['SET', k3, 'c']]);
    expect(await s.run([['MGET', k3, k2, k1]])).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'c' }, { t: 'nil' }, { t: 'bulk', v: 'a' }] }]);
    expect(await s.run([['EXISTS', k1, k2, k3, k1]])).toEqual([{ t: 'int', v: 3 }]);
    expect(await s.run([['DEL', k1, k2, k3]])).toEqual([{ t: 'int', v: 2 }]);
    expect(await s.run([['DBSIZE']])).toEqual([{ t: 'int', v: 0 }]);
  });

  it('routes each key to the shard owning its slot, and keeps pipeline order across shards', async () => {
    const b = new LocalBackend(4);
    const s = b.session();
    const cmds: string[][] = [];
    for (let i = 0; i < 40; i++) cmds.push(['SET', `key:${i}`, String(i)], ['GET', `key:${i}`]);
    const replies = await s.run(cmds);
    for (let i = 0; i < 40; i++) expect(replies[2 * i + 1]).toEqual({ t: 'bulk', v: String(i) });
    for (let i = 0; i < 40; i++) {
      const key = `key:${i}`;
      const owner = b.slots.shardOfSlot(keySlot(key));
      b.shards.forEach((sh, j) => expect(sh.db.data.has(key)).toBe(j === owner));
    }
  });

  it('QUIT ends the pipeline: later commands are not run', async () => {
    const b = new LocalBackend(4);
    const s = b.session();
    const replies = await s.run([['SET', 'q', '1'], ['QUIT'], ['SET', 'q', '2']]);
    expect(replies).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }]);
    expect(s.session.closing).toBe(true);
    expect(await b.session().run([['GET', 'q']])).toEqual([{ t: 'bulk', v: '1' }]);
  });
});

describe('blocking commands across sessions', () => {
  it('BLPOP waits, shows in INFO blocked_clients, and is served by a push from another client', async () => {
    const b = new LocalBackend(4);
    const a = b.session();
    const other = b.session();
    let done = false;
    const pending = a.run([['BLPOP', 'q', '0'], ['GET', 'after']]).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    const [info] = await other.run([['INFO', 'clients']]);
    expect((info as { v: string }).v).toContain('blocked_clients:1');
    await other.run([['SET', 'after', 'x'], ['RPUSH', 'q', 'v1', 'v2']]);
    expect(await pending).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'q' }, { t: 'bulk', v: 'v1' }] }, { t: 'bulk', v: 'x' }]);
    const shard = b.slots.shardOfKey('q');
    expect(b.logs[shard]!.slice(-2)).toEqual([['RPUSH', 'q', 'v1', 'v2'], ['LPOP', 'q']]);
    const [after] = await other.run([['INFO', 'clients']]);
    expect((after as { v: string }).v).toContain('blocked_clients:0');
  });

  it('times out with the nil reply, and serves waiters first come, first served', async () => {
    const b = new LocalBackend(4);
    expect(await b.session().run([['BLPOP', 'none', '0.05']])).toEqual([{ t: 'nilarr' }]);
    const first = b.session().run([['BRPOP', 'fifo', '0']]);
    await new Promise((r) => setTimeout(r, 5));
    const second = b.session().run([['BRPOP', 'fifo', '0']]);
    await new Promise((r) => setTimeout(r, 5));
    await b.session().run([['LPUSH', 'fifo', 'a']]);
    expect(await first).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'fifo' }, { t: 'bulk', v: 'a' }] }]);
    await b.session().run([['LPUSH', 'fifo', 'b']]);
    expect(await second).toEqual([{ t: 'arr', v: [{ t: 'bulk', v: 'fifo' }, { t: 'bulk', v: 'b' }] }]);
  });
});

describe('INFO stats counts the pub/sub registry', () => {
  it('pubsub_channels / pubsub_patterns / pubsubshard_channels follow subscriptions', async () => {
    const { setPushSink } = await import('../../src/server/pubsub.js');
    const b = new LocalBackend(4);
    const sub = b.session();
    setPushSink(sub, () => {});
    await sub.run([['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'p*'], ['SSUBSCRIBE', 's']]);
    const [info] = await b.session().run([['INFO', 'stats']]);
    const text = (info as { v: string }).v;
    expect(text).toContain('pubsub_channels:2\r\n');
    expect(text).toContain('pubsub_patterns:1\r\n');
    expect(text).toContain('pubsubshard_channels:1\r\n');
  });
});

describe('INFO stats total_connections_received', () => {
  const received = async (s: import('../../src/server/session.js').Session) => {
    const [info] = await s.run([['INFO', 'stats']]);
    return Number(/total_connections_received:(\d+)\r\n/.exec((info as { v: string }).v)![1]);
  };

  it('counts the connections accepted (not the caller id), and CONFIG RESETSTAT zeroes it as in Redis', async () => {
    const b = new LocalBackend(4);
    const first = b.session();
    b.session();
    b.session();
    expect(await received(first)).toBe(3);
    expect(await first.run([['CONFIG', 'RESETSTAT']])).toEqual([{ t: 'simple', v: 'OK' }]);
    expect(await received(first)).toBe(0);
    expect(await received(b.session())).toBe(1);
  });
});

describe("a connection's parts (Session.parts)", () => {
  for (const end of ['RESET', 'close'] as const) {
    it(`${end} lets every part go: MULTI left, watch released on the shard, subscription and tracking link off the hub`, async () => {
      const { setPushSink } = await import('../../src/server/pubsub.js');
      const b = new LocalBackend(1);
      const s = b.session();
      setPushSink(s, () => {});
      await s.run([['HELLO', '3'], ['WATCH', 'w'], ['CLIENT', 'TRACKING', 'ON'], ['SUBSCRIBE', 'ch'], ['MULTI']]);
      const hubChannels = () => [...b.pubsub.reg.maps.channel.keys()].sort();
      const id = s.session.id;
      expect(hubChannels()).toEqual(['__keyflare_tracking__:flush', `__keyflare_tracking__:${id}`, 'ch'].sort());
      expect(b.shards[0]!.keyspace(0).watches.size).toBe(1);
      expect([s.tx.active, trackingState(s).on, s.subscriptions.active]).toEqual([true, true, true]);
      if (end === 'RESET') expect(await s.run([['RESET']])).toEqual([{ t: 'simple', v: 'RESET' }]);
      else await s.close();
      expect(hubChannels()).toEqual([]);
      expect(b.shards[0]!.keyspace(0).watches.size).toBe(0);
      expect([s.tx.active, s.subscriptions.active]).toEqual([false, false]);
      // RESET turns tracking off; a closed connection's flags no longer matter, only what it held.
      if (end === 'RESET') expect(trackingState(s).on).toBe(false);
    });
  }
});
