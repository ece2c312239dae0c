import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LibraryStats } from '../../src/web/admin.js';
import { webHarness } from './harness.js';

const stats = (demoOnly: boolean) => async (): Promise<LibraryStats> => ({
  tiles: 10,
  tileSize: 32,
  addedLast24h: 0,
  updatedAt: new Date().toISOString(),
  demoOnly,
});

test('the home and mosaic pages tell of the demo library only while it is the only one', async () => {
  for (const demoOnly of [true, false]) {
    const h = await webHarness({ deps: { libraryStats: stats(demoOnly) } });
    try {
      await h.finished('m1');
      for (const url of ['/', '/mosaics/m1']) {
        const res = await h.app.inject({ url });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.body.includes('id="demo-notice"'), demoOnly, `${url} with demoOnly ${demoOnly}`);
      }
    } finally {
      await h.close();
    }
  }
});

test('the operator page says at once when ADMIN_TOKEN is not set', async () => {
  const off = await webHarness({ web: { adminToken: undefined } });
  const on = await webHarness();
  try {
    const page = (await off.app.inject({ url: '/admin' })).body;
    assert.match(page, /The operator view is off: set ADMIN_TOKEN \(16 or more characters\) and restart\./);
    assert.match(page, /<section class="admin" id="admin-page" data-off/);
    const res = await off.app.inject({ url: '/api/admin/overview', headers: { authorization: 'Bearer x' } });
    assert.deepEqual([res.statusCode, res.json().error], [403, 'ADMIN_DISABLED']);
    assert.doesNotMatch((await on.app.inject({ url: '/admin' })).body, /operator view is off|data-off/);
  } finally {
    await Promise.all([off.close(), on.close()]);
  }
});

test('the card copy is in our own API and left out of the original shape', async () => {
  const h = await webHarness();
  try {
    await h.finished('m2', { card: '1' }, 1);
    await h.finished('m3');
    const ours = (await h.app.inject({ url: '/api/mosaics' })).json().mosaics as { id: string; url_card?: string }[];
    assert.deepEqual(
      ours.map((m) => [m.id, m.url_card]),
      [
        ['m3', undefined],
        ['m2', '/files/mosaic-outlarge/m2_card.jpg'],
      ],
    );
    const original = (await h.app.inject({ url: '/mosaic/' })).json().mosaics as Record<string, unknown>[];
    assert.equal(original.length, 2);
    assert.ok(original.every((m) => !('url_card' in m)));
    assert.equal('url_card' in (await h.app.inject({ url: '/mosaic/m2/' })).json(), false);
    const home = (await h.app.inject({ url: '/' })).body;
    assert.match(home, /srcset="\/files\/mosaic-outsmall\/m2\.jpg 120w, \/files\/mosaic-outlarge\/m2_card\.jpg 480w"/);
  } finally {
    await h.close();
  }
});
