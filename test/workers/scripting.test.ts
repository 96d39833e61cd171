// Scripting inside workerd: the Lua VM (fengari) runs in the shard Durable Object, and
// @upstash/redis's eval / evalsha / scriptLoad / scriptExists / scriptFlush work unchanged over REST.
import { exports } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const worker = (exports as unknown as { default: Fetcher }).default;
const H = { Authorization: 'Bearer test-token' };

async function rest(cmd: unknown[]): Promise<unknown> {
  const r = await worker.fetch('http://kf/', { method: 'POST', headers: H, body: JSON.stringify(cmd) });
  return r.json();
}

describe('EVAL in the shard Durable Object', () => {
  it('runs a script that writes and reads its keys, atomically on their shard', async () => {
    const body = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('INCR', KEYS[2]); return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}";
    expect(await rest(['EVAL', body, 2, '{w}a', '{w}b', 'v'])).toEqual({ result: ['v', '1'] });
    expect(await rest(['EVAL', body, 2, '{w}a', '{w}b', 'v'])).toEqual({ result: ['v', '2'] });
    expect(await rest(['GET', '{w}b'])).toEqual({ result: '2' });
  });

  it("answers Redis's errors", async () => {
    expect(await rest(['EVAL', 'return x', 0])).toEqual({
      error: "ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 4ba2a3e4b2dfc9aee5b0ac29e9cd1e3b9b3c3f5f, on @user_script:1.".replace('4ba2a3e4b2dfc9aee5b0ac29e9cd1e3b9b3c3f5f', await sha('return x')),
    });
    expect(await rest(['EVAL', 'return 1', 2, 'a', 'b'])).toEqual({ error: "CROSSSLOT Keys in request don't hash to the same slot" });
    expect(await rest(['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 0])).toEqual({ error: 'NOSCRIPT No matching script. Please use EVAL.' });
  });

  it('cjson and cmsgpack run in workerd', async () => {
    expect(await rest(['EVAL', "return cjson.encode(cjson.decode(ARGV[1]))", 0, '{"a":[1,2.5,"x"]}'])).toEqual({ result: '{"a":[1,2.5,"x"]}' });
    expect(await rest(['EVAL', "return cmsgpack.unpack(cmsgpack.pack({1, 'two'}))[2]", 0])).toEqual({ result: 'two' });
    expect(await rest(['EVAL', 'return tostring(10/2)', 0])).toEqual({ result: '5' });
    expect(await rest(['EVAL', 'return tostring(2^53) .. \' \' .. 0.1', 0])).toEqual({ result: '9.007199254741e+15 0.1' });
  });
});

async function sha(s: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('@upstash/redis scripting helpers', () => {
  const realFetch = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return new URL(url).host === 'kf' ? worker.fetch(input as RequestInfo, init) : realFetch(input, init);
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('eval, scriptLoad, evalsha, scriptExists, scriptFlush and createScript', async () => {
    const redis = new Redis({ url: 'http://kf', token: 'test-token' });
    const body = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(body, ['{u}n'], ['5'])).toBe(5);
    const s = await redis.scriptLoad(body);
    expect(s).toBe(await sha(body));
    // SCRIPT LOAD reached every shard: EVALSHA works for keys on any of them.
    for (const k of ['{u}n', '{v}n', '{x}n', '{y}n', '{z}n']) expect(await redis.evalsha(s, [k], ['2'])).toBeGreaterThan(0);
    expect(await redis.scriptExists(s, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([1, 0]);
    const script = redis.createScript<number>("return redis.call('INCR', KEYS[1])");
    expect(await script.exec(['{u}script'], [])).toBe(1);
    expect(await script.exec(['{u}script'], [])).toBe(2);
    expect(await redis.scriptFlush()).toBe('OK');
    expect(await redis.scriptExists(s)).toEqual([0]);
    await expect(redis.evalsha(s, ['{u}n'], ['1'])).rejects.toThrow(/NOSCRIPT/);
  });
});
