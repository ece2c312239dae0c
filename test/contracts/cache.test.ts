import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { RedisCache } from '../../src/adapters/cache/redis.js';
import { describeCacheContract } from './cache.contract.js';

// The real Redis of the machine (CI has one on 127.0.0.1:6379); a missing server fails these tests.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describeCacheContract('memory', async () => new MemoryCache());
describeCacheContract('Redis', async () => new RedisCache({ url: REDIS_URL, prefix: `test-${randomUUID()}:` }));

test('Redis: commands fail fast while the server is away, instead of hanging', async () => {
  const cache = new RedisCache({ url: 'redis://127.0.0.1:1' });
  const started = Date.now();
  await assert.rejects(cache.get('mosaic:all'));
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  await cache.close();
});
