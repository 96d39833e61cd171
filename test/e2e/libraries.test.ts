// Popular Redis libraries, unmodified, against keyflare as their users run them: keyv and
// cache-manager (node-redis underneath) over the bridge. The Lua-running ones (BullMQ, redlock,
// rate-limiter-flexible, @upstash/ratelimit) join when scripting (issue 12) lands.
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

describe.each(inject('targets'))('$name', ({ respPort }) => {
  const url = `redis://127.0.0.1:${respPort}`;

  // The namespace is a hash tag so that setMany/deleteMany/clear (MULTI and multi-key UNLINK over
  // the namespace's keys) stay in one slot: keyflare still answers CROSSSLOT otherwise (issue 11).
  describe('keyv 5.6.0 with @keyv/redis 5.1.6, and cache-manager 7.2.9', () => {
    let keyv: Keyv;
    beforeAll(() => {
      keyv = new Keyv({ store: new KeyvRedis(url, { namespace: '{kv}', throwOnErrors: true }), namespace: '{kv}', useKeyPrefix: false });
    });
    afterAll(async () => {
      await keyv.disconnect();
    });

    it('set, get, has, delete, with and without a TTL', async () => {
      expect(await keyv.set('obj', { n: 1, s: 'x' })).toBe(true);
      expect(await keyv.get('obj')).toEqual({ n: 1, s: 'x' });
      expect(await keyv.set('ttl', 'v', 60_000)).toBe(true);
      expect(await keyv.get('ttl')).toBe('v');
      expect(await keyv.has('ttl')).toBe(true);
      expect(await keyv.delete('obj')).toBe(true);
      expect(await keyv.get('obj')).toBeUndefined();
      expect(await keyv.has('obj')).toBe(false);
      expect(await keyv.delete('obj')).toBe(false);
    });

    it('setMany, getMany, hasMany, deleteMany (MULTI in the namespace slot)', async () => {
      await keyv.setMany([
        { key: 'm1', value: 1 },
        { key: 'm2', value: 'two', ttl: 60_000 },
        { key: 'm3', value: [3] },
      ]);
      expect(await keyv.getMany(['m1', 'm2', 'm3', 'none'])).toEqual([1, 'two', [3], undefined]);
      expect(await keyv.hasMany(['m1', 'none'])).toEqual([true, false]);
      expect(await keyv.deleteMany(['m1', 'm2'])).toBe(true);
      expect(await keyv.getMany(['m1', 'm2', 'm3'])).toEqual([undefined, undefined, [3]]);
    });

    it('clear removes every key of the namespace and nothing else', async () => {
      const outside = new Keyv({ store: new KeyvRedis(url, { namespace: '{kv-other}', throwOnErrors: true }), namespace: '{kv-other}', useKeyPrefix: false });
      await outside.set('keep', 'me');
      for (let i = 0; i < 30; i++) await keyv.set(`c${i}`, i);
      await keyv.clear();
      expect(await keyv.getMany(['c0', 'c29', 'm3', 'ttl'])).toEqual([undefined, undefined, undefined, undefined]);
      expect(await outside.get('keep')).toBe('me');
      await outside.disconnect();
    });

    it('cache-manager over the keyv store: set/get/mset/mget/del/ttl', async () => {
      const cache = createCache({ stores: [keyv] });
      expect(await cache.set('cm1', { a: 1 }, 60_000)).toEqual({ a: 1 });
      expect(await cache.get('cm1')).toEqual({ a: 1 });
      const ttl = await cache.ttl('cm1');
      expect(ttl).toBeGreaterThan(Date.now());
      await cache.mset<unknown>([{ key: 'cm2', value: 2 }, { key: 'cm3', value: 'three' }]);
      expect(await cache.mget(['cm2', 'cm3', 'cm-none'])).toEqual([2, 'three', undefined]);
      expect(await cache.del('cm2')).toBe(true);
      expect(await cache.get('cm2')).toBeUndefined();
      expect(await cache.wrap('cm4', async () => 'computed', 60_000)).toBe('computed');
      expect(await cache.wrap('cm4', async () => 'again', 60_000)).toBe('computed');
    });
  });
});
