import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemoryCache } from '../adapters/cache/memory.js';
import { RedisCache } from '../adapters/cache/redis.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { RequestStatuses } from './requests.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-req-'));
after(() => rm(root, { recursive: true, force: true }));

test('a status is stored, cached, announced and read back by id', async () => {
  const storage = new DiskStorage(root);
  const cache = new MemoryCache();
  const events: string[] = [];
  await cache.subscribe('mosaic:events', (m) => events.push(m));
  const statuses = new RequestStatuses({ storage, cache }, 'mosaic-in');
  await statuses.set('abc', { state: 'queued', username: 'alice' });
  await statuses.set('abc', { state: 'rendering', percent: 40, username: 'alice' });
  const s = await statuses.get('abc');
  assert.equal(s?.state, 'rendering');
  assert.equal(s?.percent, 40);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(events.length, 2);
  assert.equal(JSON.parse(events[1]).status.percent, 40);
  assert.equal(await statuses.get('nope'), undefined);
});

test('statuses survive a lost or unreachable cache', async () => {
  const storage = new DiskStorage(root);
  await new RequestStatuses({ storage, cache: new MemoryCache() }, 'mosaic-in').set('xyz', {
    state: 'failed',
    reason: 'not an image',
  });
  const fresh = new RequestStatuses({ storage, cache: new MemoryCache() }, 'mosaic-in');
  assert.equal((await fresh.get('xyz'))?.reason, 'not an image');
  const down = new RedisCache({ url: 'redis://127.0.0.1:1' });
  const withoutCache = new RequestStatuses({ storage, cache: down }, 'mosaic-in');
  await withoutCache.set('xyz', { state: 'done' });
  assert.equal((await withoutCache.get('xyz'))?.state, 'done');
  await down.close();
});
