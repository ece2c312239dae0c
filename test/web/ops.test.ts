import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisCache } from '../../src/adapters/cache/redis.js';
import { webHarness } from './harness.js';

test('healthz and readyz answer while everything is up', async () => {
  const h = await webHarness();
  try {
    assert.deepEqual((await h.app.inject({ url: '/healthz' })).json(), { ok: true });
    const ready = await h.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ok: true, checks: { storage: 'ok', queue: 'ok', cache: 'ok' } });
  } finally {
    await h.close();
  }
});

test('readyz is 503 and names the cache when the cache is down; healthz and the gallery still answer', async () => {
  const h = await webHarness({ cache: new RedisCache({ url: 'redis://127.0.0.1:1' }) });
  try {
    await h.finished('a1', { username: 'ann' });
    const ready = await h.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    const body = ready.json();
    assert.equal(body.ok, false);
    assert.equal(body.checks.storage, 'ok');
    assert.equal(body.checks.queue, 'ok');
    assert.notEqual(body.checks.cache, 'ok');
    assert.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal((await h.app.inject({ url: '/api/mosaics' })).json().total, 1, 'read from storage');
  } finally {
    await h.close();
  }
});

test('metrics: Prometheus text with requests by route and status, mosaics, queue depths, SSE clients, uploads', async () => {
  const h = await webHarness();
  try {
    await h.finished('a1');
    await h.finished('a2');
    await h.queue.send('mosaic-eng', { id: 'x', key: 'x.jpg' });
    await h.app.inject({ url: '/api/mosaics' });
    await h.app.inject({ url: '/api/mosaics/a1' });
    await h.app.inject({ url: '/api/mosaics/zz' });
    await h.app.inject({ url: '/no/such/thing' });
    const res = await h.app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.match(text, /^# TYPE mosaicme_http_requests_total counter$/m);
    assert.match(text, /^mosaicme_http_requests_total\{method="GET",route="\/api\/mosaics",status="200"\} 1$/m);
    assert.match(text, /^mosaicme_http_requests_total\{method="GET",route="\/api\/mosaics\/:id",status="200"\} 1$/m);
    assert.match(text, /^mosaicme_http_requests_total\{method="GET",route="\/api\/mosaics\/:id",status="404"\} 1$/m);
    assert.match(text, /^mosaicme_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.match(
      text,
      /^mosaicme_http_request_duration_seconds_bucket\{le="0.01",method="GET",route="\/api\/mosaics"/m,
    );
    assert.match(text, /^mosaicme_gallery_mosaics 2$/m);
    assert.match(text, /^mosaicme_queue_depth\{queue="mosaic-eng"\} 1$/m);
    assert.match(text, /^mosaicme_queue_depth\{queue="mosaic-in"\} 0$/m);
    assert.match(text, /^mosaicme_sse_clients 0$/m);
    assert.match(text, /^mosaicme_uploads_total\{outcome="accepted"\} 0$/m);
    assert.match(text, /^mosaicme_process_cpu_seconds_total /m);
    // Every sample line is `name{labels} value`.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      assert.match(line, /^[a-zA-Z_:][\w:]*(\{[^}]*\})? (-?[\d.e+-]+|NaN|[+-]Inf)$/, line);
  } finally {
    await h.close();
  }
});

test('an unknown API path answers in the API error shape', async () => {
  const h = await webHarness();
  try {
    for (const url of ['/api/nope', '/api/mosaics/a/b/c']) {
      const res = await h.app.inject({ url });
      assert.deepEqual([res.statusCode, res.json()], [404, { error: 'NOT_FOUND', message: 'no such route' }], url);
    }
  } finally {
    await h.close();
  }
});

test('the OpenAPI document is valid JSON describing every API route with its schemas', async () => {
  const h = await webHarness();
  try {
    const res = await h.app.inject({ url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = JSON.parse(res.body);
    assert.match(doc.openapi, /^3\./);
    const routes: Record<string, string[]> = {
      '/mosaic/': ['get'],
      '/mosaic/{id}/': ['get'],
      '/api/mosaics': ['get'],
      '/api/mosaics/{id}': ['get'],
      '/api/requests': ['post'],
      '/api/requests/{id}': ['get'],
      '/api/events': ['get'],
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/metrics': ['get'],
      '/api/openapi.json': ['get'],
      '/api/admin/overview': ['get'],
      '/api/admin/mosaics/{id}/hide': ['post'],
      '/api/admin/mosaics/{id}/unhide': ['post'],
      '/api/admin/mosaics/{id}': ['delete'],
    };
    for (const [p, methods] of Object.entries(routes))
      for (const m of methods) {
        const op = doc.paths[p]?.[m];
        assert.ok(op, `${m} ${p} is documented`);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${m} ${p} has responses`);
      }
    assert.ok(Object.keys(doc.paths).some((p) => p.startsWith('/files/')));
    const list = doc.paths['/api/mosaics'].get;
    assert.deepEqual(list.parameters.map((p: { name: string }) => p.name).sort(), ['page', 'per_page']);
    const view = list.responses['200'].content['application/json'].schema.properties.mosaics.items;
    assert.ok(view.properties.dzi && view.properties.profile_url);
    assert.deepEqual(doc.paths['/api/admin/overview'].get.security, [{ admin: [] }]);
    const upload = doc.paths['/api/requests'].post.requestBody.content['multipart/form-data'].schema;
    assert.deepEqual(upload.required, ['photo']);
    assert.equal(upload.properties.photo.format, 'binary');
  } finally {
    await h.close();
  }
});

test('an unexpected error is a 500 that tells nothing, and the log gets the reason', async () => {
  const lines: string[] = [];
  const h = await webHarness({ deps: { log: (l) => lines.push(l) } });
  try {
    h.storage.get = async () => {
      throw new Error('disk on fire at /secret/path');
    };
    const res = await h.app.inject({ url: '/api/requests/abc' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { error: 'INTERNAL', message: 'something went wrong' });
    assert.deepEqual(lines, ['web: GET /api/requests/:id: disk on fire at /secret/path']);
  } finally {
    await h.close();
  }
});

test('with the cache down, an event stream still opens and keeps alive', async () => {
  const h = await webHarness({
    cache: new RedisCache({ url: 'redis://127.0.0.1:1' }),
    web: { sseHeartbeatSeconds: 0.2 },
  });
  try {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${(h.app.server.address() as { port: number }).port}/api/events`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    const end = Date.now() + 5000;
    while (!text.includes(': heartbeat') && Date.now() < end)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    assert.match(text, /^: heartbeat$/m);
  } finally {
    await h.close();
  }
});
