import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PermanentError } from '../../src/core/errors.js';
import { ALL_KEY, entryKey, rebuildGalleryCache } from '../../src/services/gallery-cache.js';
import { startHeartbeat } from '../../src/services/heartbeat.js';
import { tokenMatches } from '../../src/web/admin.js';
import { ADMIN_TOKEN, BUCKETS, webHarness, type Harness } from './harness.js';

let h: Harness;
const library = { tiles: 2000, tileSize: 64, addedLast24h: 12, updatedAt: '2026-11-28T10:00:00.000Z' };
before(async () => {
  h = await webHarness({ deps: { libraryStats: async () => library } });
  await h.finished('old', { username: 'ann' }, 20);
  await h.finished('new', { username: 'bob' }, 10);
});
after(() => h.close());

const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = h.auth) =>
  h.app.inject({ method, url, headers });
const ids = async (url: string) => ((await h.app.inject({ url })).json().mosaics as { id: string }[]).map((m) => m.id);

test('the operator API refuses a missing or wrong token with 401, in constant time', async () => {
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer wrong' },
    { authorization: `Basic ${ADMIN_TOKEN}` },
  ]) {
    const res = await admin('GET', '/api/admin/overview', headers);
    assert.equal(res.statusCode, 401, JSON.stringify(headers));
    assert.equal(res.json().error, 'UNAUTHORIZED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  }
  assert.equal((await admin('POST', '/api/admin/mosaics/new/hide', {})).statusCode, 401);
  assert.equal((await admin('DELETE', '/api/admin/mosaics/new', { authorization: 'Bearer x' })).statusCode, 401);
  assert.deepEqual(await ids('/api/mosaics'), ['new', 'old'], 'nothing was done');
  assert.equal(tokenMatches(ADMIN_TOKEN, ADMIN_TOKEN), true);
  assert.equal(tokenMatches(`${ADMIN_TOKEN}x`, ADMIN_TOKEN), false);
});

test('without ADMIN_TOKEN the operator API is off', async () => {
  const off = await webHarness({ web: { adminToken: undefined } });
  try {
    const res = await off.app.inject({ url: '/api/admin/overview', headers: { authorization: 'Bearer anything' } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error, 'ADMIN_DISABLED');
  } finally {
    await off.close();
  }
});

test('the overview: queues with depth and dead letters, workers, requests in flight, failures, library, mosaics', async () => {
  const stopBeat = startHeartbeat(h.cache, { roles: ['web', 'cache'], host: 'booth-1', pid: 42 });
  await h.queue.send('mosaic-eng', { id: 'r1', key: 'r1.jpg' });
  await h.statuses.set('r1', { state: 'rendering', percent: 30, username: 'cy' });
  await h.statuses.set('r2', { state: 'failed', reason: 'the photo is truncated or corrupt', username: 'dee' });
  await h.statuses.set('r3', { state: 'done' });
  const stop = await h.queue.consume('mosaic-finish', async () => {
    throw new Error('publisher is down');
  });
  await h.queue.send('mosaic-finish', { id: 'r9' });
  await new Promise((r) => setTimeout(r, 300));
  await stop.stop();
  const res = await admin('GET', '/api/admin/overview');
  assert.equal(res.statusCode, 200, res.body);
  const o = res.json();
  assert.deepEqual(
    o.queues.find((q: { name: string }) => q.name === 'mosaic-eng'),
    { name: 'mosaic-eng', depth: 1, dead: 0 },
  );
  assert.equal(o.queues.length, 4);
  assert.deepEqual(
    o.workers.map((w: { role: string; host: string; pid: number }) => [w.role, w.host, w.pid]),
    [
      ['cache', 'booth-1', 42],
      ['web', 'booth-1', 42],
    ],
  );
  assert.deepEqual(
    o.inflight.map((s: { id: string; percent: number }) => [s.id, s.percent]),
    [['r1', 30]],
  );
  assert.deepEqual(o.failures[0], {
    id: 'r2',
    reason: 'the photo is truncated or corrupt',
    at: o.failures[0].at,
    queue: 'requests',
  });
  assert.deepEqual(o.library, library);
  assert.equal(o.mosaics, 2);
  await stopBeat();
  assert.deepEqual((await admin('GET', '/api/admin/overview')).json().workers, [], 'a stopped process is gone');
});

test('the overview lists dead letters with their reasons', async () => {
  const stop = await h.queue.consume(
    'mosaic-done',
    async () => {
      throw new PermanentError('INVALID_MESSAGE', 'bad message shape');
    },
    { prefetch: 1 },
  );
  await h.queue.send('mosaic-done', { id: 'dead1' });
  const end = Date.now() + 10_000;
  while ((await h.queue.deadLetters('mosaic-done')).length === 0 && Date.now() < end)
    await new Promise((r) => setTimeout(r, 100));
  await stop.stop();
  const o = (await admin('GET', '/api/admin/overview')).json();
  assert.deepEqual(o.queues.find((q: { name: string }) => q.name === 'mosaic-done').dead, 1);
  assert.ok(
    o.failures.some(
      (f: { id?: string; queue: string; reason: string }) =>
        f.id === 'dead1' && f.queue === 'mosaic-done' && /bad message shape/.test(f.reason),
    ),
    JSON.stringify(o.failures),
  );
});

test('hide: gone from every list, detail and cache key, and from rebuilds; unhide brings it back', async () => {
  await h.app.inject({ url: '/mosaic/' });
  assert.ok(await h.cache.get(entryKey('new')));
  const res = await admin('POST', '/api/admin/mosaics/new/hide');
  assert.deepEqual([res.statusCode, res.json()], [200, { id: 'new', ok: true }]);
  assert.deepEqual(await ids('/mosaic/'), ['old']);
  assert.equal((await h.app.inject({ url: '/mosaic/' })).json().size, 1);
  assert.deepEqual(await ids('/api/mosaics'), ['old']);
  assert.equal((await h.app.inject({ url: '/api/mosaics/new' })).statusCode, 404);
  assert.equal((await h.app.inject({ url: '/mosaic/new/' })).statusCode, 404);
  assert.equal(await h.cache.get(entryKey('new')), undefined);
  assert.ok(!(await h.cache.get(ALL_KEY))!.includes('"new"'));
  for (const file of [
    'mosaic-outsmall/new.jpg',
    'mosaic-outlarge/new.jpg',
    'mosaic-outlarge/new_preview.jpg',
    'mosaic-outlarge/new.dzi',
  ])
    assert.equal((await h.app.inject({ url: `/files/${file}` })).statusCode, 404, `${file} is not served`);
  assert.equal((await h.app.inject({ url: '/files/mosaic-outlarge/new_files/9/1_2.jpeg' })).statusCode, 404);
  assert.equal((await h.app.inject({ url: '/files/mosaic-outlarge/old.dzi' })).statusCode, 200);
  await rebuildGalleryCache(h, h.gallery);
  assert.deepEqual(await ids('/api/mosaics'), ['old'], 'a rebuild from storage leaves it out');
  assert.equal(await h.cache.get(entryKey('new')), undefined);
  assert.equal((await admin('GET', '/api/admin/overview')).json().mosaics, 1);

  assert.equal((await admin('POST', '/api/admin/mosaics/new/unhide')).statusCode, 200);
  assert.deepEqual(await ids('/mosaic/'), ['new', 'old']);
  assert.deepEqual(await ids('/api/mosaics'), ['new', 'old']);
  assert.equal((await h.app.inject({ url: '/api/mosaics/new' })).json().username, 'bob');
  assert.equal((await h.app.inject({ url: '/files/mosaic-outlarge/new_files/9/1_2.jpeg' })).statusCode, 200);
  assert.equal((await admin('POST', '/api/admin/mosaics/nope/hide')).statusCode, 404);
});

test('delete removes the image, the preview, the thumbnail, the .dzi and the whole pyramid', async () => {
  const keysOf = async (bucket: string, prefix: string) => {
    const keys: string[] = [];
    for await (const o of h.storage.list(bucket, prefix)) keys.push(o.key);
    return keys;
  };
  assert.equal((await keysOf(BUCKETS.outLarge, 'old')).length, 5);
  const res = await admin('DELETE', '/api/admin/mosaics/old');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(await keysOf(BUCKETS.outLarge, 'old'), []);
  assert.deepEqual(await keysOf(BUCKETS.outSmall, 'old'), []);
  assert.equal((await keysOf(BUCKETS.outLarge, 'new')).length, 5, 'the others stay');
  assert.deepEqual(await ids('/api/mosaics'), ['new']);
  assert.equal(await h.cache.get(entryKey('old')), undefined);
  assert.equal((await admin('DELETE', '/api/admin/mosaics/old')).statusCode, 404);
});
