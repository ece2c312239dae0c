import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cacheStage } from '../../src/services/gallery-cache.js';
import { webHarness, type Harness } from './harness.js';

let h: Harness;
let base: string;
before(async () => {
  h = await webHarness({ web: { sseHeartbeatSeconds: 0.2 } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
});
after(() => h.close());

/** Reads an event stream until `done` says it has what it needs (or 5 s pass). */
async function readEvents(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const end = Date.now() + 5000;
  while (!done(text) && Date.now() < end) {
    const { value, done: closed } = await reader.read();
    if (closed) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

const events = (text: string, name: string) =>
  [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].filter((m) => m[1] === name).map((m) => JSON.parse(m[2]));

const until = async (check: () => boolean | Promise<boolean>, ms = 3000) => {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

test('SSE: a finished mosaic arrives as a MosaicView, its request as done with the mosaic, and a heartbeat', async () => {
  const res = await fetch(`${base}/api/events`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.ok(res.headers.get('content-security-policy'), 'security headers on the stream too');
  await until(async () => (await h.app.inject({ url: '/metrics' })).body.includes('mosaicme_sse_clients 1'));
  await h.statuses.set('live1', { state: 'rendering', percent: 40, username: 'ann' });
  await h.finished('live1', { username: 'ann', network: 'bluesky', profile: 'https://bsky.app/profile/ann' });
  await cacheStage({ ...h, statuses: h.statuses }, h.gallery)({ id: 'live1', key: 'live1.jpg' });
  const text = await readEvents(
    res,
    (t) => events(t, 'request').some((s) => s.state === 'done') && t.includes(': heartbeat'),
  );
  const [mosaic] = events(text, 'mosaic');
  assert.equal(mosaic.id, 'live1');
  assert.equal(mosaic.dzi, '/files/mosaic-outlarge/live1.dzi');
  assert.equal(mosaic.page_url, '/mosaics/live1');
  assert.equal(mosaic.network, 'bluesky');
  const requests = events(text, 'request');
  assert.deepEqual(
    requests.map((s) => [s.id, s.state, s.percent]),
    [
      ['live1', 'rendering', 40],
      ['live1', 'done', undefined],
    ],
  );
  assert.equal(requests[1].mosaic.id, 'live1', 'a done request carries its mosaic');
  assert.match(text, /^: heartbeat$/m);
  await until(async () => (await h.app.inject({ url: '/metrics' })).body.includes('mosaicme_sse_clients 0'));
  assert.match(
    (await h.app.inject({ url: '/metrics' })).body,
    /mosaicme_sse_clients 0/,
    'a client that left is let go',
  );
});

test('SSE: a hidden mosaic is announced', async () => {
  await h.finished('gone1', { username: 'bo' });
  const res = await fetch(`${base}/api/events`);
  await until(async () => (await h.app.inject({ url: '/metrics' })).body.includes('mosaicme_sse_clients 1'));
  const hide = await h.app.inject({ method: 'POST', url: '/api/admin/mosaics/gone1/hide', headers: h.auth });
  assert.equal(hide.statusCode, 200);
  const text = await readEvents(res, (t) => events(t, 'hidden').length > 0);
  assert.deepEqual(events(text, 'hidden'), [{ id: 'gone1' }]);
});

test('GET /api/requests/:id: the status, with the mosaic once done', async () => {
  const r = await h.app.inject({ url: '/api/requests/live1' });
  assert.equal(r.statusCode, 200);
  const s = r.json();
  assert.equal(s.state, 'done');
  assert.equal(s.mosaic.id, 'live1');
  assert.equal(s.mosaic.url_small, '/files/mosaic-outsmall/live1.jpg');
  assert.equal((await h.app.inject({ url: '/api/requests/nope' })).statusCode, 404);
});

test('closing the server ends open event streams', async () => {
  const res = await fetch(`${base}/api/events`);
  await until(async () => (await h.app.inject({ url: '/metrics' })).body.includes('mosaicme_sse_clients 1'));
  const closing = h.app.close();
  const text = await readEvents(res, () => false);
  await closing;
  assert.match(text, /^retry: /);
});
