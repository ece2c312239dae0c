import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemoryCache } from '../adapters/cache/memory.js';
import { RedisCache } from '../adapters/cache/redis.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { RequestStatuses } from './requests.js';
import {
  ALL_KEY,
  cacheStage,
  entryKey,
  hiddenKey,
  readGallery,
  rebuildGalleryCache,
  type GalleryCacheConfig,
} from './gallery-cache.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-gallery-'));
after(() => rm(root, { recursive: true, force: true }));
const storage = new DiskStorage(root);
const cfg: GalleryCacheConfig = {
  buckets: { outLarge: 'mosaic-outlarge', outSmall: 'mosaic-outsmall' },
  cacheLife: 600,
  defaultUsername: 'mosaicme',
  urlFor: async (bucket, key) => `/files/${bucket}/${key}`,
  moderationBucket: 'mosaic-in',
};

const finished = async (id: string, username: string | undefined, minutesAgo: number) => {
  const metadata = username ? { username } : undefined;
  await storage.put('mosaic-outlarge', `${id}.jpg`, Buffer.from('large'), { metadata });
  await storage.put('mosaic-outsmall', `${id}.jpg`, Buffer.from('small'), { metadata });
  const t = new Date(Date.now() - minutesAgo * 60_000);
  await utimes(path.join(root, 'mosaic-outlarge', `${id}.jpg`), t, t);
};

test("the cache is rebuilt from the buckets under the original's keys and shapes, newest first", async () => {
  await finished('111', 'alice', 30);
  await finished('222', 'bob', 5);
  await finished('333', undefined, 10);
  await storage.put('mosaic-outsmall', 'half.jpg', Buffer.from('no large one yet'));
  const cache = new MemoryCache();
  const list = await rebuildGalleryCache({ storage, cache }, cfg);
  assert.equal(list.size, 3);
  assert.deepEqual(
    list.mosaics.map((m) => [m.id, m.username]),
    [
      ['222', 'bob'],
      ['333', 'mosaicme'],
      ['111', 'alice'],
    ],
  );
  assert.deepEqual(Object.keys(list.mosaics[0]), ['id', 'url_small', 'url_large', 'username', 'date']);
  assert.equal(list.mosaics[0].url_small, '/files/mosaic-outsmall/222.jpg');
  assert.deepEqual(JSON.parse((await cache.get(ALL_KEY))!), list);
  assert.deepEqual(JSON.parse((await cache.get(entryKey('111')))!), list.mosaics[2]);
});

test('a lost cache heals from storage, and a cache that is down is skipped', async () => {
  const cache = new MemoryCache();
  const first = await readGallery({ storage, cache }, cfg);
  assert.equal(first.size, 3);
  assert.ok(await cache.get(ALL_KEY), 'the read filled the cache');
  const down = new RedisCache({ url: 'redis://127.0.0.1:1' });
  const withoutCache = await readGallery({ storage, cache: down }, cfg);
  assert.deepEqual(withoutCache, first);
  await down.close();
});

test('a finished mosaic goes to the front of the cached list at once, and is announced', async () => {
  const cache = new MemoryCache();
  await rebuildGalleryCache({ storage, cache }, cfg);
  const events: string[] = [];
  await cache.subscribe('mosaic:events', (m) => events.push(m));
  await finished('444', 'dora', 0);
  const statuses = new RequestStatuses({ storage, cache }, 'mosaic-in');
  await cacheStage({ storage, cache, statuses }, cfg)({ id: '444', username: 'dora', key: '444.jpg' });
  assert.equal((await statuses.get('444'))?.state, 'done', 'done once it shows in the gallery');
  const list = JSON.parse((await cache.get(ALL_KEY))!);
  assert.equal(list.size, 4);
  assert.equal(list.mosaics[0].id, '444');
  assert.equal(JSON.parse((await cache.get(entryKey('444')))!).username, 'dora');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(JSON.parse(events[0]).mosaic.id, '444');
  await assert.rejects(cacheStage({ storage, cache }, cfg)({ id: 'ghost' }), /not in both output buckets/);
});

test('a hidden mosaic stays out of rebuilds and out of the cacher, but its request is done', async () => {
  const cache = new MemoryCache();
  await finished('555', 'eve', 0);
  await storage.put(cfg.moderationBucket, hiddenKey('555'), Buffer.from('{}'));
  const list = await rebuildGalleryCache({ storage, cache }, cfg);
  assert.ok(!list.mosaics.some((m) => m.id === '555'));
  const events: string[] = [];
  await cache.subscribe('mosaic:events', (m) => events.push(m));
  const statuses = new RequestStatuses({ storage, cache }, 'mosaic-in');
  await cacheStage({ storage, cache, statuses }, cfg)({ id: '555', key: '555.jpg' });
  assert.equal(await cache.get(entryKey('555')), undefined);
  assert.ok(!(await cache.get(ALL_KEY))!.includes('"555"'));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    events.map((e) => JSON.parse(e).type),
    ['request'],
  );
  assert.equal((await statuses.get('555'))?.state, 'done');
});

test('the cacher announces a MosaicView with the profile from the metadata', async () => {
  const cache = new MemoryCache();
  await rebuildGalleryCache({ storage, cache }, cfg);
  await storage.put('mosaic-outlarge', '666.jpg', Buffer.from('large'), {
    metadata: {
      username: 'fay',
      network: 'mastodon',
      profile: 'https://m.example/@fay',
      displayname: 'Fay',
      width: '640',
    },
  });
  await storage.put('mosaic-outsmall', '666.jpg', Buffer.from('small'), {
    metadata: {
      username: 'fay',
      network: 'mastodon',
      profile: 'https://m.example/@fay',
      displayname: 'Fay',
      width: '640',
    },
  });
  const events: string[] = [];
  await cache.subscribe('mosaic:events', (m) => events.push(m));
  await cacheStage({ storage, cache }, cfg)({ id: '666', key: '666.jpg' });
  await new Promise((r) => setTimeout(r, 10));
  const { mosaic } = JSON.parse(events[0]);
  assert.deepEqual(mosaic, {
    id: '666',
    username: 'fay',
    display_name: 'Fay',
    network: 'mastodon',
    profile_url: 'https://m.example/@fay',
    date: mosaic.date,
    width: 640,
    url_small: '/files/mosaic-outsmall/666.jpg',
    url_large: '/files/mosaic-outlarge/666.jpg',
    url_preview: '/files/mosaic-outlarge/666.jpg',
    dzi: '/files/mosaic-outlarge/666.dzi',
    page_url: '/mosaics/666',
  });
  const entry = JSON.parse((await cache.get(entryKey('666')))!);
  assert.deepEqual(Object.keys(entry).slice(0, 5), ['id', 'url_small', 'url_large', 'username', 'date']);
  assert.equal(JSON.parse((await cache.get(ALL_KEY))!).mosaics[0].id, '666');
});
