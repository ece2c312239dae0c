import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { RedisCache } from '../../src/adapters/cache/redis.js';
import type { Cache } from '../../src/ports.js';
import { cleanName } from '../../src/web/routes/requests.js';
import { raw } from '../helpers/fixtures.js';
import { BUCKETS, webHarness } from './harness.js';

/** A multipart body as a browser form sends it. */
async function form(photo?: Uint8Array, name?: string) {
  const f = new FormData();
  if (photo) f.append('photo', new Blob([new Uint8Array(photo)]), 'photo.jpg');
  if (name !== undefined) f.append('name', name);
  const req = new Request('http://x/', { method: 'POST', body: f });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type')! },
  };
}

test('an upload becomes a queued request; a hostile name is kept as plain text and sent back JSON-escaped', async () => {
  const h = await webHarness();
  try {
    const hostile = '  @<img src=x onerror=alert(1)>"\u0000\u202e\n ';
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/requests',
      ...(await form(await raw(64, 48, 1).jpeg().toBuffer(), hostile)),
    });
    assert.equal(res.statusCode, 202, res.body);
    const { id, status } = res.json();
    assert.equal(status, `/api/requests/${id}`);
    const name = '<img src=x onerror=alert(1)>"';
    assert.equal((await h.storage.head(BUCKETS.in, `${id}.jpg`))?.metadata.username, name);
    const s = await h.app.inject({ url: status });
    assert.match(String(s.headers['content-type']), /^application\/json/);
    assert.ok(s.body.includes('"username":"<img src=x onerror=alert(1)>\\""'), s.body);
    assert.equal(s.json().username, name);
    assert.equal(s.json().state, 'queued');
    assert.equal(await h.queue.depth('mosaic-in'), 1);
  } finally {
    await h.close();
  }
});

test('names: trimmed, control and direction characters gone, at most 64 characters', () => {
  assert.equal(cleanName('  @alice  '), 'alice');
  assert.equal(cleanName('a\u0007b\u200fc\r\nd'), 'abcd');
  assert.equal(cleanName('   '), undefined);
  assert.equal(cleanName('@'), undefined);
  assert.equal([...cleanName('é'.repeat(100))!].length, 64);
  assert.equal(cleanName('😀'.repeat(70)), '😀'.repeat(64), 'cut by characters, not halves of one');
});

test('an upload over MAX_UPLOAD_MB is refused with 413 and nothing is queued', async () => {
  const h = await webHarness({ web: { maxUploadBytes: 20_000 } });
  try {
    const big = await raw(400, 300, 2).jpeg({ quality: 100 }).toBuffer();
    assert.ok(big.length > 20_000);
    const res = await h.app.inject({ method: 'POST', url: '/api/requests', ...(await form(big, 'big')) });
    assert.equal(res.statusCode, 413);
    assert.deepEqual(res.json(), { error: 'IMAGE_TOO_LARGE', message: 'photos up to 20 KiB' });
    assert.equal(await h.queue.depth('mosaic-in'), 0);
  } finally {
    await h.close();
  }
});

test('a photo over MAX_UPLOAD_PIXELS is refused with 413; a non-image with 415; no photo with 400', async () => {
  const h = await webHarness({ web: { maxUploadPixels: 100 * 100 } });
  try {
    const post = async (photo?: Uint8Array) =>
      h.app.inject({ method: 'POST', url: '/api/requests', ...(await form(photo, 'x')) });
    const large = await post(await raw(200, 100, 3).jpeg().toBuffer());
    assert.equal(large.statusCode, 413);
    assert.equal(large.json().error, 'IMAGE_TOO_LARGE');
    const notImage = await post(Buffer.from('hello'));
    assert.equal(notImage.statusCode, 415);
    const none = await post();
    assert.deepEqual([none.statusCode, none.json().error], [400, 'BAD_REQUEST']);
    assert.equal((await post(await raw(100, 100, 3).jpeg().toBuffer())).statusCode, 202);
    assert.equal(await h.queue.depth('mosaic-in'), 1);
    const metrics = (await h.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^mosaicme_uploads_total\{outcome="refused"\} 3$/m);
    assert.match(metrics, /^mosaicme_uploads_total\{outcome="accepted"\} 1$/m);
  } finally {
    await h.close();
  }
});

test('uploads are rate limited per client address: 429 with Retry-After and a clear error', async () => {
  const h = await webHarness({ web: { uploadRateLimit: 3 } });
  try {
    const photo = await raw(32, 32, 4).jpeg().toBuffer();
    const post = async (ip: string) =>
      h.app.inject({ method: 'POST', url: '/api/requests', remoteAddress: ip, ...(await form(photo)) });
    for (let i = 0; i < 3; i++) assert.equal((await post('10.0.0.1')).statusCode, 202);
    const refused = await post('10.0.0.1');
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0, JSON.stringify(refused.headers));
    assert.equal(refused.json().error, 'RATE_LIMITED');
    assert.match(refused.json().message, /3 a minute/);
    assert.equal((await post('10.0.0.2')).statusCode, 202, 'another client is not limited');
    assert.equal((await h.app.inject({ url: '/api/mosaics' })).statusCode, 200, 'reads are not limited');
    assert.match((await h.app.inject({ url: '/metrics' })).body, /^mosaicme_uploads_total\{outcome="refused"\} 1$/m);
  } finally {
    await h.close();
  }
});

test('with Redis, every web process counts a client together: the limit holds across processes', async () => {
  const url = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/8`;
  const prefix = `web-limit-${randomUUID()}:`;
  // Two apps with their own Redis connections, as two web workers behind one load balancer.
  const a = await webHarness({ cache: new RedisCache({ url, prefix }), web: { uploadRateLimit: 3 } });
  const b = await webHarness({ cache: new RedisCache({ url, prefix }), web: { uploadRateLimit: 3 } });
  try {
    const photo = await raw(32, 32, 5).jpeg().toBuffer();
    const post = async (h: typeof a, ip: string) =>
      (await h.app.inject({ method: 'POST', url: '/api/requests', remoteAddress: ip, ...(await form(photo)) }))
        .statusCode;
    assert.deepEqual(
      [await post(a, '10.0.0.7'), await post(b, '10.0.0.7'), await post(a, '10.0.0.7')],
      [202, 202, 202],
    );
    assert.equal(await post(b, '10.0.0.7'), 429, 'the 4th upload is refused, whichever process takes it');
    assert.equal(await post(a, '10.0.0.7'), 429);
    assert.equal(await post(b, '10.0.0.8'), 202, 'another client is not limited');
  } finally {
    await a.close();
    await b.close();
  }
});

test(
  'when the cache cannot count, or does not answer, uploads are let through rather than refused',
  { timeout: 20_000 },
  async () => {
    const memory = new MemoryCache();
    const failing: Cache = Object.assign(Object.create(memory) as Cache, {
      increment: () => Promise.reject(new Error('Redis is away')),
    });
    const silent: Cache = Object.assign(Object.create(memory) as Cache, {
      increment: () => new Promise<never>(() => {}),
    });
    for (const cache of [failing, silent]) {
      const h = await webHarness({ cache, web: { uploadRateLimit: 1 } });
      try {
        const photo = await raw(32, 32, 6).jpeg().toBuffer();
        for (let i = 0; i < 3; i++) {
          const r = await h.app.inject({ method: 'POST', url: '/api/requests', ...(await form(photo)) });
          assert.equal(r.statusCode, 202, r.body);
        }
      } finally {
        await h.close();
      }
    }
  },
);
