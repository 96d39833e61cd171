// CLIENT TRACKING invalidation pushes over the in-process service: what a tracking connection
// hears after other connections' writes, NOLOOP, FLUSHALL, and the key forgotten until read again.
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/server/local.js';
import { setPushSink } from '../../src/server/pubsub.js';
import { encodeStr } from '../../src/protocol/resp-encode.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Session } from '../../src/server/session.js';

const inval = (k: string) => `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${k.length}\r\n${k}\r\n`;
const NULL_INVAL = '>2\r\n$10\r\ninvalidate\r\n_\r\n';

function conn(b: LocalBackend): { s: Session; take(): string[] } {
  const s = b.session();
  const pushes: Frame[] = [];
  setPushSink(s, (f) => pushes.push(f));
  return { s, take: () => pushes.splice(0).map((f) => encodeStr(f, s.session.proto)) };
}

async function tracker(b: LocalBackend, ...opts: string[]) {
  const a = conn(b);
  await a.s.run([['HELLO', '3'], ['CLIENT', 'TRACKING', 'on', ...opts]]);
  return a;
}

describe('CLIENT TRACKING (default mode)', () => {
  it("another client's write to a key read invalidates it once; then it is forgotten until read again", async () => {
    const b = new LocalBackend(4);
    const a = await tracker(b);
    const w = conn(b);
    await a.s.run([['GET', 'k'], ['MGET', 'x', 'y']]);
    await w.s.run([['SET', 'k', '1']]);
    expect(a.take()).toEqual([inval('k')]);
    await w.s.run([['SET', 'k', '2'], ['SET', 'x', '1']]);
    expect(a.take()).toEqual([inval('x')]);
    await a.s.run([['GET', 'k']]);
    await w.s.run([['APPEND', 'k', 'z']]);
    expect(a.take()).toEqual([inval('k')]);
  });

  it('writes that change nothing, and keys never read, send nothing', async () => {
    const b = new LocalBackend(4);
    const a = await tracker(b);
    const w = conn(b);
    await a.s.run([['GET', 'k'], ['GET', 'gone']]);
    await w.s.run([['SET', 'other', '1'], ['DEL', 'gone'], ['SETNX', 'other', '2']]);
    expect(a.take()).toEqual([]);
  });

  it('NOLOOP: no push for its own writes (and the key is forgotten); without it, one push', async () => {
    const b = new LocalBackend(4);
    const a = await tracker(b, 'noloop');
    const w = conn(b);
    await a.s.run([['GET', 'k'], ['SET', 'k', '1']]);
    expect(a.take()).toEqual([]);
    await w.s.run([['SET', 'k', '2']]);
    expect(a.take()).toEqual([]);
    await a.s.run([['CLIENT', 'TRACKING', 'on'], ['GET', 'k'], ['SET', 'k', '3']]);
    expect(a.take()).toEqual([inval('k')]);
  });

  it('FLUSHALL / FLUSHDB: one null invalidation to every tracking client, and the tables are cleared', async () => {
    const b = new LocalBackend(4);
    const a = await tracker(b);
    const a2 = await tracker(b);
    const w = conn(b);
    await a.s.run([['GET', 'k']]);
    await w.s.run([['FLUSHALL']]);
    expect(a.take()).toEqual([NULL_INVAL]);
    expect(a2.take()).toEqual([NULL_INVAL]);
    await w.s.run([['SET', 'k', '1']]);
    expect(a.take()).toEqual([]);
    await a.s.run([['FLUSHDB']]);
    expect(a.take()).toEqual([NULL_INVAL]);
    expect(w.take()).toEqual([]);
  });

  it('TRACKING OFF, RESET and RESP2 without REDIRECT send nothing; a RESP2 REDIRECT target subscribed to __redis__:invalidate gets messages', async () => {
    const b = new LocalBackend(4);
    const a = await tracker(b);
    const w = conn(b);
    await a.s.run([['GET', 'k'], ['CLIENT', 'TRACKING', 'off']]);
    await w.s.run([['SET', 'k', '1']]);
    expect(a.take()).toEqual([]);
    await a.s.run([['CLIENT', 'TRACKING', 'on'], ['GET', 'k'], ['RESET']]);
    await w.s.run([['SET', 'k', '2']]);
    expect(a.take()).toEqual([]);
    const r2 = conn(b);
    await r2.s.run([['CLIENT', 'TRACKING', 'on'], ['GET', 'k']]);
    await w.s.run([['SET', 'k', '3']]);
    expect(r2.take()).toEqual([]);
    const target = conn(b);
    await target.s.run([['SUBSCRIBE', '__redis__:invalidate']]);
    target.take();
    const rd = conn(b);
    expect(await rd.s.run([['CLIENT', 'TRACKING', 'on', 'REDIRECT', String(target.s.session.id)], ['GET', 'k']])).toEqual([{ t: 'simple', v: 'OK' }, { t: 'bulk', v: '3' }]);
    await w.s.run([['DEL', 'k'], ['FLUSHALL']]);
    expect(target.take()).toEqual(['*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n', '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n']);
    expect(rd.take()).toEqual([]);
  });

  it('eviction invalidates, and a session that closed hears nothing', async () => {
    const b = new LocalBackend(1);
    const a = await tracker(b);
    const w = conn(b);
    await w.s.run([['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random']]);
    await w.s.run([['SET', 'k', 'v']]);
    await a.s.run([['GET', 'k']]);
    await w.s.run([['CONFIG', 'SET', 'maxmemory', '1'], ['SET', 'other', 'x'.repeat(100)]]);
    expect(a.take()).toContain(inval('k'));
    await w.s.run([['CONFIG', 'SET', 'maxmemory', '0']]);
    await a.s.run([['GET', 'k']]);
    await a.s.close();
    await w.s.run([['SET', 'k', 'again']]);
    expect(a.take()).toEqual([]);
  });
});
