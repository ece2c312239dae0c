import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cache } from '../../src/ports.js';

const waitFor = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

/** The behaviour every Cache must have; runs unchanged against each implementation. */
export function describeCacheContract(name: string, make: () => Promise<Cache>): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    before(async () => {
      cache = await make();
    });
    after(() => cache.close());

    test('set, get, replace and delete, with the original key shapes', async () => {
      assert.equal(await cache.get('mosaic:all'), undefined);
      await cache.set('mosaic:all', '{"mosaics":[],"size":0}');
      assert.equal(await cache.get('mosaic:all'), '{"mosaics":[],"size":0}');
      await cache.set('mosaic:all', '{"size":1}');
      assert.equal(await cache.get('mosaic:all'), '{"size":1}');
      await cache.set('mosaic:123', 'x');
      await cache.delete('mosaic:123');
      assert.equal(await cache.get('mosaic:123'), undefined);
    });

    test('a value with an expiry disappears after it', async () => {
      await cache.set('short', 'v', 1);
      await cache.set('long', 'v', 60);
      assert.equal(await cache.get('short'), 'v');
      await new Promise((r) => setTimeout(r, 1300));
      assert.equal(await cache.get('short'), undefined);
      assert.equal(await cache.get('long'), 'v');
    });

    test('increment counts within a window that starts with the first count, then starts again', async () => {
      assert.deepEqual(await cache.increment('ratelimit:a', 400), { count: 1, ttlMs: 400 });
      const second = await cache.increment('ratelimit:a', 400);
      assert.equal(second.count, 2);
      assert.ok(second.ttlMs > 0 && second.ttlMs <= 400, `ttl ${second.ttlMs}`);
      assert.equal((await cache.increment('ratelimit:b', 400)).count, 1, 'each key counts alone');
      const many = await Promise.all(Array.from({ length: 20 }, () => cache.increment('ratelimit:a', 400)));
      assert.deepEqual(
        many.map((r) => r.count).sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i + 3),
        'atomic: concurrent counts are all distinct',
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await cache.increment('ratelimit:a', 400)).count, 1, 'a new window');
    });

    test('keys lists the live keys with a prefix, taken literally', async () => {
      await cache.set('mosaic:workers:a:1', '1');
      await cache.set('mosaic:workers:b:2', '2', 60);
      await cache.set('mosaic:workers:gone', '3', 1);
      await cache.set('mosaic:workersx', '4');
      await cache.set('mosaic:work*', '5');
      assert.deepEqual((await cache.keys('mosaic:workers:')).sort(), [
        'mosaic:workers:a:1',
        'mosaic:workers:b:2',
        'mosaic:workers:gone',
      ]);
      assert.deepEqual(await cache.keys('mosaic:work*'), ['mosaic:work*']);
      await new Promise((r) => setTimeout(r, 1300));
      assert.deepEqual((await cache.keys('mosaic:workers:')).sort(), ['mosaic:workers:a:1', 'mosaic:workers:b:2']);
      for (const k of ['mosaic:workers:a:1', 'mosaic:workers:b:2', 'mosaic:workersx', 'mosaic:work*'])
        await cache.delete(k);
    });

    test('subscribers hear what is published on their channel, until they leave', async () => {
      const got: string[] = [];
      const other: string[] = [];
      const stop = await cache.subscribe('mosaic:events', (m) => got.push(m));
      const stopOther = await cache.subscribe('elsewhere', (m) => other.push(m));
      await cache.publish('mosaic:events', 'one');
      await cache.publish('mosaic:events', 'two');
      assert.ok(await waitFor(() => got.length === 2), `got ${got}`);
      assert.deepEqual(got, ['one', 'two']);
      assert.deepEqual(other, []);
      await stop();
      await cache.publish('mosaic:events', 'three');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(got, ['one', 'two']);
      await stopOther();
    });
  });
}
