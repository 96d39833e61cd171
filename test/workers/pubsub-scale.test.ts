// Pub/sub at scale through the Worker and the hub DO (issue 19, item 9): a connection holds
// thousands of long channel names, a closed subscriber stops counting at once, and the hub keeps
// delivering after it is evicted (its registry rebuilt from storage when it wakes).
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { HubObject } from '../../src/objects/hub.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { openResp, worker } from './ws-client.js';

const H = { Authorization: 'Bearer test-token', 'content-type': 'application/json' };
const rest = async (argv: string[]) => (await worker.fetch('http://kf/', { method: 'POST', headers: H, body: JSON.stringify(argv) })).json();
const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
/** A confirmation, as `reply()` returns it (without its final CRLF). */
const conf = (kind: string, ch: string, n: number) => `*3\r\n${bulk(kind)}${bulk(ch)}:${n}`;
type Conn = Awaited<ReturnType<typeof openResp>>;
/** The next replies are `want`, in order (fails at the first one that differs). */
async function expectReplies(c: Conn, want: string[]): Promise<void> {
  for (const w of want) expect(await c.reply()).toBe(w);
}
const hub = () => env.HUB.get(env.HUB.idFromName('hub'));
/** Rows of the hub's subscription table, per link id. */
const rows = () =>
  runInDurableObject(hub(), (_o: HubObject, state) => {
    const out: Record<string, number> = {};
    for (const r of state.storage.sql.exec('SELECT link, COUNT(*) AS n FROM subs GROUP BY link')) out[r.link as string] = r.n as number;
    return out;
  });

/** Poll PUBSUB NUMSUB until it reports `want` (bounded); returns the last count seen. */
async function numsubReaches(ch: string, want: number): Promise<number> {
  let n = -1;
  for (let i = 0; i < 200 && n !== want; i++) {
    if (i) await new Promise((r) => setTimeout(r, 10));
    n = ((await rest(['PUBSUB', 'NUMSUB', ch])) as { result: [string, number] }).result[1];
  }
  return n;
}

describe('pub/sub at scale', () => {
  it('one connection subscribes to 5,000 long channel names; PUBLISH to the last one delivers; close drops them at once', async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `scale:${String(i).padStart(5, '0')}:${'x'.repeat(120)}`);
    const c = await openResp();
    // Five SUBSCRIBEs of 1,000 channels each (~128 KB of names per command, 640 KB in all).
    for (let b = 0; b < 5; b++) c.send(encodeCommand(['SUBSCRIBE', ...names.slice(b * 1000, (b + 1) * 1000)]));
    await expectReplies(c, names.map((n, i) => conf('subscribe', n, i + 1)));
    const last = names[4999]!;
    expect(await rest(['PUBLISH', last, 'to-the-last'])).toEqual({ result: 1 });
    expect(await c.reply()).toBe(`*3\r\n${bulk('message')}${bulk(last)}$11\r\nto-the-last`);
    expect(await rest(['PUBSUB', 'NUMSUB', names[0]!, last])).toEqual({ result: [names[0], 1, last, 1] });
    // Kept in the hub's storage, one row per name (the link's attachment holds only its id).
    expect(Object.values(await rows())).toContain(5000);
    c.ws.close();
    expect(await numsubReaches(last, 0)).toBe(0);
    expect(Object.values(await rows())).not.toContain(5000);
    expect(await rest(['PUBLISH', names[0]!, 'nobody'])).toEqual({ result: 0 });
    expect(await rest(['PUBSUB', 'NUMSUB', names[2500]!])).toEqual({ result: [names[2500], 0] });
  });

  it('an UNSUBSCRIBE of some channels leaves the others delivering', async () => {
    const c = await openResp();
    const names = Array.from({ length: 1500 }, (_, i) => `part:${i}:${'y'.repeat(40)}`);
    c.send(encodeCommand(['SUBSCRIBE', ...names]));
    await expectReplies(c, names.map((n, i) => conf('subscribe', n, i + 1)));
    c.send(encodeCommand(['UNSUBSCRIBE', ...names.slice(0, 1000)]));
    await expectReplies(c, names.slice(0, 1000).map((n, i) => conf('unsubscribe', n, names.length - i - 1)));
    expect(await rest(['PUBSUB', 'NUMSUB', names[0]!, names[1499]!])).toEqual({ result: [names[0], 0, names[1499], 1] });
    expect(await rest(['PUBLISH', names[1499]!, 'still'])).toEqual({ result: 1 });
    c.ws.close();
    expect(await numsubReaches(names[1499]!, 0)).toBe(0);
  });

  it('the hub, evicted while its links hibernate, still delivers to every subscriber when it wakes', async () => {
    const a = await openResp();
    const b = await openResp();
    const many = Array.from({ length: 2000 }, (_, i) => `wake:${i}:${'z'.repeat(60)}`);
    a.send(encodeCommand(['SUBSCRIBE', ...many]));
    await expectReplies(a, many.map((n, i) => conf('subscribe', n, i + 1)));
    b.send(encodeCommand(['PSUBSCRIBE', 'wake:*']));
    expect(await b.reply()).toBe(conf('psubscribe', 'wake:*', 1));
    await evictDurableObject(hub());
    const ch = many[1999]!;
    expect(await rest(['PUBLISH', ch, 'after-wake'])).toEqual({ result: 2 });
    expect(await a.reply()).toBe(`*3\r\n${bulk('message')}${bulk(ch)}$10\r\nafter-wake`);
    expect(await b.reply()).toBe(`*4\r\n${bulk('pmessage')}${bulk('wake:*')}${bulk(ch)}$10\r\nafter-wake`);
    expect(await rest(['PUBSUB', 'NUMSUB', many[0]!])).toEqual({ result: [many[0], 1] });
    expect(await rest(['PUBSUB', 'NUMPAT'])).toEqual({ result: 1 });
    // After a second eviction, a close is still processed from storage alone.
    await evictDurableObject(hub());
    a.ws.close();
    expect(await numsubReaches(many[0]!, 0)).toBe(0);
    expect(await rest(['PUBLISH', ch, 'pattern-only'])).toEqual({ result: 1 });
    b.ws.close();
  });

  it('a SUBSCRIBE is all or nothing: a refused name subscribes none of its channels, and the connection stays usable', async () => {
    const c = await openResp();
    c.send(encodeCommand(['SUBSCRIBE', 'aon:first', 'x'.repeat(1024 * 1024 + 1), 'aon:last']));
    expect(await c.reply()).toBe("-ERR channel name is longer than 1048576 bytes, the pub/sub hub's limit");
    expect(await rest(['PUBSUB', 'NUMSUB', 'aon:first', 'aon:last'])).toEqual({ result: ['aon:first', 0, 'aon:last', 0] });
    expect(await c.cmd('SUBSCRIBE', 'aon:ok')).toBe(conf('subscribe', 'aon:ok', 1));
    c.ws.close();
  });

  it("the hub applies a link's update in one transaction: one that fails midway leaves storage and the registry unchanged", async () => {
    const c = await openResp();
    expect(await c.cmd('SUBSCRIBE', 'tx:kept')).toBe(conf('subscribe', 'tx:kept', 1));
    const r = await runInDurableObject(hub(), (o: HubObject, state) => {
      const id = state.storage.sql.exec('SELECT link FROM subs WHERE name = ?', new TextEncoder().encode('tx:kept').buffer).one().link as string;
      const before = state.storage.sql.exec('SELECT COUNT(*) AS n FROM subs WHERE link = ?', id).one().n;
      // The third name is not a byte string: storing it throws after two rows were written.
      const bad = ['tx:a', 'tx:b', { length: 1 } as unknown as string, 'tx:c'];
      let threw = false;
      try {
        o.update(id, 'channel', bad, true);
      } catch {
        threw = true;
      }
      const after = state.storage.sql.exec('SELECT COUNT(*) AS n FROM subs WHERE link = ?', id).one().n;
      return { threw, before, after, numsub: o.numsub(['tx:a', 'tx:b', 'tx:c', 'tx:kept'], false) };
    });
    expect(r).toEqual({ threw: true, before: 1, after: 1, numsub: [0, 0, 0, 1] });
    c.ws.close();
  });
});
