import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ALL_KEY, entryKey, originalEntryKey } from '../../src/services/gallery-cache.js';
import { webHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await webHarness();
  // 30 mosaics, m29 the newest; every third from a social network with a profile.
  for (let i = 0; i < 30; i++) {
    const social: Record<string, string> =
      i % 3 === 0 ? { network: 'mastodon', profile: `https://social.example/@u${i}`, displayname: `User ${i}` } : {};
    await h.finished(`m${String(i).padStart(2, '0')}`, { username: `u${i}`, ...social }, 60 - i);
  }
});
after(() => h.close());

const get = async (url: string) => {
  const res = await h.app.inject({ method: 'GET', url });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
};

test("GET /mosaic/ keeps the original's shape, newest first, with the original keys first", async () => {
  const { status, body, headers } = await get('/mosaic/');
  assert.equal(status, 200);
  assert.match(String(headers['content-type']), /^application\/json/);
  assert.equal(body.size, 30);
  assert.equal(body.mosaics.length, 30);
  assert.equal(body.mosaics[0].id, 'm29');
  assert.equal(body.mosaics[29].id, 'm00');
  assert.deepEqual(Object.keys(body.mosaics[0]).slice(0, 5), ['id', 'url_small', 'url_large', 'username', 'date']);
  // Absolute, as the original's presigned URLs were: its front end on another origin loads them.
  assert.equal(body.mosaics[0].url_small, 'http://localhost/files/mosaic-outsmall/m29.jpg');
  const one = await get('/mosaic/m05/');
  assert.equal(one.status, 200);
  assert.deepEqual(Object.keys(one.body).slice(0, 5), ['id', 'url_small', 'url_large', 'username', 'date']);
  assert.equal(one.body.username, 'u5');
  assert.equal((await get('/mosaic/nope/')).status, 404);
});

test('GET /mosaic/ is sent compressed to clients that take it (brotli first), and plain to others', async () => {
  const plain = await h.app.inject({ url: '/mosaic/' });
  assert.equal(plain.headers['content-encoding'], undefined);
  const cases: [string, string | undefined, (b: Buffer) => Buffer][] = [
    ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
    ['gzip, deflate', 'gzip', gunzipSync],
    ['br;q=0, gzip;q=0.8', 'gzip', gunzipSync],
    ['*', 'gzip', gunzipSync],
    ['gzip;q=0, identity', undefined, (b) => b],
  ];
  for (const [accept, encoding, decode] of cases) {
    const res = await h.app.inject({ url: '/mosaic/', headers: { 'accept-encoding': accept } });
    assert.equal(res.headers['content-encoding'], encoding, accept);
    assert.equal(res.headers.vary, 'accept-encoding');
    if (encoding) assert.ok(res.rawPayload.length < plain.rawPayload.length / 3);
    assert.equal(decode(res.rawPayload).toString(), plain.body, accept);
  }
});

test('GET /api/mosaics pages newest first, with totals', async () => {
  const p1 = await get('/api/mosaics');
  assert.equal(p1.status, 200);
  assert.deepEqual([p1.body.page, p1.body.per_page, p1.body.total, p1.body.pages], [1, 12, 30, 3]);
  assert.deepEqual(
    p1.body.mosaics.map((m: { id: string }) => m.id),
    Array.from({ length: 12 }, (_, i) => `m${29 - i}`),
  );
  const p3 = await get('/api/mosaics?page=3&per_page=12');
  assert.deepEqual(
    p3.body.mosaics.map((m: { id: string }) => m.id),
    ['m05', 'm04', 'm03', 'm02', 'm01', 'm00'],
  );
  const beyond = await get('/api/mosaics?page=9');
  assert.deepEqual([beyond.status, beyond.body.mosaics.length, beyond.body.total], [200, 0, 30]);
  assert.equal((await get('/api/mosaics?per_page=100')).body.mosaics.length, 30);
  for (const bad of ['per_page=0', 'per_page=101', 'page=0', 'page=two']) {
    const r = await get(`/api/mosaics?${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error, 'BAD_REQUEST');
  }
});

test('a MosaicView has the profile, size, Deep Zoom URL through the app and the page URL', async () => {
  const { status, body } = await get('/api/mosaics/m27');
  assert.equal(status, 200);
  assert.deepEqual(body, {
    id: 'm27',
    username: 'u27',
    display_name: 'User 27',
    network: 'mastodon',
    profile_url: 'https://social.example/@u27',
    date: body.date,
    width: 800,
    height: 600,
    url_small: '/files/mosaic-outsmall/m27.jpg',
    url_large: '/files/mosaic-outlarge/m27.jpg',
    url_preview: '/files/mosaic-outlarge/m27.jpg',
    dzi: '/files/mosaic-outlarge/m27.dzi',
    page_url: '/mosaics/m27',
  });
  assert.ok(!Number.isNaN(Date.parse(body.date)));
  const upload = await get('/api/mosaics/m28');
  assert.equal(upload.body.network, undefined);
  assert.equal(upload.body.profile_url, undefined);
  const missing = await get('/api/mosaics/nope');
  assert.deepEqual([missing.status, missing.body.error], [404, 'NOT_FOUND']);
  assert.equal((await get('/api/mosaics/bad%20id')).status, 400);
});

test('the Deep Zoom descriptor and its tiles are served by the app, the .dzi as XML', async () => {
  const dzi = await h.app.inject({ url: '/files/mosaic-outlarge/m27.dzi' });
  assert.equal(dzi.statusCode, 200);
  assert.match(String(dzi.headers['content-type']), /^application\/xml/);
  const tile = await h.app.inject({ url: '/files/mosaic-outlarge/m27_files/9/1_2.jpeg' });
  assert.deepEqual([tile.statusCode, tile.body], [200, 'tile']);
  assert.equal((await h.app.inject({ url: '/files/mosaic-in/requests/x.json' })).statusCode, 404);
  assert.equal((await h.app.inject({ url: '/files/mosaic-outlarge/..%2F..%2Fetc/passwd' })).statusCode, 404);
});

test('every id and link form the original produced reaches the mosaic', async () => {
  for (const url of ['/mosaic/m05/', '/mosaic/m05.jpg/', '/mosaic/m05.jpeg/']) {
    const res = await get(url);
    assert.deepEqual([res.status, res.body.id, res.body.username], [200, 'm05', 'u5'], url);
  }
  // Without the slash the original's Django redirected; so do we, keeping the query.
  for (const [url, to] of [
    ['/mosaic', '/mosaic/'],
    ['/mosaic?x=1', '/mosaic/?x=1'],
    ['/mosaic/m05', '/mosaic/m05/'],
    ['/mosaic/m05.jpg', '/mosaic/m05.jpg/'],
  ]) {
    const res = await h.app.inject({ url });
    assert.deepEqual([res.statusCode, res.headers.location], [301, to], url);
  }
  assert.equal((await get('/mosaic/m05.png/')).status, 400, 'only the extension the original used');
  assert.equal((await get('/mosaic/..%2Fm05.jpg/')).status, 400);
  assert.equal((await get('/mosaic/nope.jpg/')).status, 404);
  // Readers of Redis that build the original's key find the same entry.
  const ours = await h.cache.get(entryKey('m05'));
  assert.ok(ours);
  assert.equal(await h.cache.get(originalEntryKey('m05')), ours);
  assert.equal(originalEntryKey('m05'), 'mosaic:m05.jpg');
});

test("another origin's page may read the original's API and embed the public files; our pages stay same-origin", async () => {
  const headers = { origin: 'http://old-frontend.example' };
  for (const url of ['/mosaic/', '/mosaic/m05/', '/files/mosaic-outsmall/m05.jpg', '/files/mosaic-outlarge/m05.dzi']) {
    const res = await h.app.inject({ url, headers });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.headers['access-control-allow-origin'], '*', url);
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', url);
  }
  const list = await get('/mosaic/');
  assert.match(list.body.mosaics[0].url_large, /^http:\/\/localhost\/files\/mosaic-outlarge\/m\d+\.jpg$/);
  // Our own API gives paths on our own address, so our pages load them from wherever they are served.
  assert.equal((await get('/api/mosaics/m05')).body.url_small, '/files/mosaic-outsmall/m05.jpg');
  for (const url of ['/', '/api/mosaics', '/mosaics/m05']) {
    const res = await h.app.inject({ url, headers });
    assert.equal(res.headers['access-control-allow-origin'], undefined, url);
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', url);
  }
});

test('lists and details come from the cache', async () => {
  await h.cache.set(ALL_KEY, JSON.stringify({ mosaics: [], size: 0 }));
  assert.equal((await get('/api/mosaics')).body.total, 0);
  assert.equal((await get('/mosaic/')).body.size, 0);
  const entry = JSON.parse((await h.cache.get(entryKey('m01')))!);
  await h.cache.set(entryKey('m01'), JSON.stringify({ ...entry, username: 'from-cache' }));
  assert.equal((await get('/api/mosaics/m01')).body.username, 'from-cache');
  await h.cache.delete(ALL_KEY);
  assert.equal((await get('/api/mosaics')).body.total, 30, 'rebuilt from storage');
});

test('a profile that is not a web address is dropped, never handed to a page', async () => {
  await h.finished('evil', { username: 'x', network: 'x', profile: 'javascript:alert(1)' });
  await h.cache.delete(ALL_KEY);
  const { body } = await get('/api/mosaics/evil');
  assert.equal(body.profile_url, undefined);
  assert.equal(body.network, 'x');
});

test('every answer has the Content-Security-Policy, with no inline scripts', async () => {
  const res = await h.app.inject({ url: '/api/mosaics' });
  assert.equal(
    res.headers['content-security-policy'],
    "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: blob:;connect-src 'self';" +
      "object-src 'none';base-uri 'self';frame-ancestors 'none';form-action 'self'",
  );
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});
