import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { PUBLIC_DIR } from './pages/assets.js';
import { registerPages } from './pages.js';

// The pages over the built front end (npm test builds it first). No API is registered here, so
// every mosaic is unknown; the browser tests cover the pages with the real server.
let app: FastifyInstance;
before(async () => {
  app = Fastify();
  await app.register(async (scope) =>
    registerPages(scope, { hashtag: 'booth<2026>', siteUrl: 'https://mosaic.example/' }),
  );
});
after(() => app.close());

const PAGES = ['/', '/upload', '/wall', '/about', '/admin'];

test('every page is an HTML shell with no inline script or style, so a strict CSP lets it run', async () => {
  for (const url of PAGES) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.equal(res.headers['cache-control'], 'no-cache', url);
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /src="\/assets\/[\w-]+\.js"/, `${url}: a script from /assets/`);
      assert.equal(body.trim(), '', `${url}: no inline script`);
    }
    assert.doesNotMatch(res.body, /\sstyle=|<style|\son[a-z]+=/i, `${url}: no inline style or handler`);
    assert.doesNotMatch(
      res.body,
      /(?:src|href)="(?!\/|#|https:\/\/mosaic\.example\/)/,
      `${url}: nothing from other sites`,
    );
  }
});

test('the hashtag is escaped, and the QR code leads to the upload page', async () => {
  const home = (await app.inject({ url: '/' })).body;
  assert.ok(home.includes('#booth&lt;2026&gt;'));
  assert.ok(!home.includes('booth<2026>'));
  assert.match(home, /<svg[^>]*viewBox="0 0 \d+ \d+"/);
  const wall = (await app.inject({ url: '/wall' })).body;
  assert.match(wall, /<svg/);
});

test('an unknown mosaic is a 404 page; a malformed id too', async () => {
  for (const url of ['/mosaics/nosuch', '/mosaics/..%2F..%2Fetc', '/mosaics/a%20b']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 404, url);
    assert.match(res.body, /There is no mosaic here/);
  }
});

test('built assets are cached for good, the rest briefly', async () => {
  const files = await readdir(PUBLIC_DIR);
  const css = files.find((f) => /^styles-[A-Z0-9]{8}\.css$/.test(f));
  assert.ok(css, files.join(', '));
  const res = await app.inject({ url: `/assets/${css}` });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(res.headers['content-type']), /^text\/css/);
  const icon = await app.inject({ url: '/assets/osd/zoomin_rest.png' });
  assert.equal(icon.statusCode, 200);
  assert.equal(icon.headers['cache-control'], 'public, max-age=3600');
  assert.equal((await app.inject({ url: '/assets/manifest.json/../../pages.js' })).statusCode, 404);
});
