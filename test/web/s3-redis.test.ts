import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { RedisCache } from '../../src/adapters/cache/redis.js';
import { cacheStage, entryKey } from '../../src/services/gallery-cache.js';
import { s3rverStorage, startS3rver } from '../helpers/s3rver.js';
import { webHarness, type Harness } from './harness.js';

// The web app over an S3 server and the machine's Redis (database 8, a key prefix per run).
const REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/8`;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let h: Harness;
let base: string;

before(async () => {
  s3 = await startS3rver();
  const storage = s3rverStorage(s3.endpoint);
  const cache = new RedisCache({ url: REDIS_URL, prefix: `web-test-${randomUUID()}:` });
  h = await webHarness({ storage, cache, web: { imageOrigins: [s3.endpoint] } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  await h.finished('s3a', { username: 'ann', network: 'x', profile: 'https://x.com/ann' });
});
after(async () => {
  await h?.close();
  await s3?.stop();
});

test('S3: images by presigned URL, the Deep Zoom pyramid through the app, the store in img-src', async () => {
  const res = await fetch(`${base}/api/mosaics`);
  assert.match(
    res.headers.get('content-security-policy') ?? '',
    new RegExp(`img-src 'self' data: blob: ${s3.endpoint};`),
  );
  const [m] = ((await res.json()) as { mosaics: { url_small: string; url_large: string; dzi: string }[] }).mosaics;
  assert.ok(m.url_small.startsWith(`${s3.endpoint}/mosaic-outsmall/s3a.jpg?`), m.url_small);
  assert.equal(await (await fetch(m.url_small)).text(), 'small');
  assert.equal(await (await fetch(m.url_large)).text(), 'large');
  assert.equal(m.dzi, '/files/mosaic-outlarge/s3a.dzi');
  const dzi = await fetch(`${base}${m.dzi}`);
  assert.equal(dzi.status, 200);
  assert.match(dzi.headers.get('content-type') ?? '', /^application\/xml/);
  const tile = await fetch(`${base}/files/mosaic-outlarge/s3a_files/9/1_2.jpeg`);
  assert.deepEqual([tile.status, await tile.text()], [200, 'tile']);
});

test('Redis: live events reach a page over pub/sub, and hiding empties the Redis keys', async () => {
  const events = await fetch(`${base}/api/events`);
  const reader = events.body!.getReader();
  // The subscription is taken with the first page; give it a moment.
  const end = Date.now() + 5000;
  while (!(await (await fetch(`${base}/metrics`)).text()).includes('mosaicme_sse_clients 1') && Date.now() < end)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  await h.finished('s3b', { username: 'bob' });
  await cacheStage({ ...h, statuses: h.statuses }, h.gallery)({ id: 's3b', key: 's3b.jpg' });
  let text = '';
  while (!text.includes('event: mosaic') && Date.now() < end + 5000)
    text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.match(text, /event: mosaic\ndata: \{"id":"s3b"/);
  assert.ok(await h.cache.get(entryKey('s3b')));
  const hide = await fetch(`${base}/api/admin/mosaics/s3b/hide`, { method: 'POST', headers: h.auth });
  assert.equal(hide.status, 200);
  assert.equal(await h.cache.get(entryKey('s3b')), undefined);
  const list = (await (await fetch(`${base}/mosaic/`)).json()) as { mosaics: { id: string }[] };
  assert.deepEqual(
    list.mosaics.map((x) => x.id),
    ['s3a'],
  );
});
