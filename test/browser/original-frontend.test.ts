import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { freePort } from '../helpers/net.js';
import { launchBrowser, seedMosaics, startGallery, watch, type Gallery } from '../helpers/browser.js';

// The original's AngularJS front end, as an operator keeps it running on its own origin against
// our API. Not its files (they are not ours to commit): a page written for this test that does
// what its script did: GET /mosaic/, a thumbnail per mosaic captioned "Sent by @user", and the
// detail view from GET /mosaic/<id>/ with the large image.
const page = (api: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>MosaicMe (2015)</title></head>
<body>
<div id="gallery"></div><div id="detail"></div>
<script>
const api = ${JSON.stringify(api)};
async function gallery() {
  const data = await (await fetch(api + '/mosaic/')).json();
  for (const m of data.mosaics) {
    const fig = document.createElement('figure');
    const a = document.createElement('a');
    a.href = '#/mosaic/' + m.id;
    const img = document.createElement('img');
    img.className = 'thumb';
    img.src = m.url_small;
    a.appendChild(img);
    const cap = document.createElement('figcaption');
    cap.textContent = 'Sent by @' + m.username;
    fig.append(a, cap);
    document.getElementById('gallery').appendChild(fig);
  }
  document.body.dataset.loaded = String(data.size);
}
async function detail(id) {
  const m = await (await fetch(api + '/mosaic/' + id + '/')).json();
  const img = document.createElement('img');
  img.className = 'large';
  img.src = m.url_large;
  document.getElementById('detail').appendChild(img);
}
gallery().then(() => detail(${JSON.stringify('o2.jpg')}));
</script>
</body></html>`;

let gallery: Gallery;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let frontend: http.Server;
let frontendUrl: string;

before(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  [gallery, browser] = await Promise.all([startGallery({ GALLERY_URL: base }, port), launchBrowser()]);
  await seedMosaics(gallery.data, [
    { id: 'o1', username: 'alice', date: new Date(Date.now() - 120_000) },
    { id: 'o2', username: 'bob', date: new Date(Date.now() - 60_000) },
  ]);
  frontend = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page(base)));
  await new Promise<void>((r) => frontend.listen(0, 'localhost', r));
  frontendUrl = `http://localhost:${(frontend.address() as AddressInfo).port}/`;
});
after(async () => {
  await browser?.close();
  await gallery?.stop();
  await new Promise((r) => frontend?.close(r));
});

test("the original's front end on another origin shows our thumbnails and large images", async () => {
  const tab = await browser.context.newPage();
  const seen = watch(tab);
  // The cache is rebuilt from storage every second: reload until the seeded mosaics are listed.
  for (const end = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 500))) {
    await tab.goto(frontendUrl);
    await tab.waitForFunction(() => document.body.dataset.loaded !== undefined, null, { timeout: 10_000 });
    if ((await tab.locator('img.thumb').count()) === 2) break;
    assert.ok(Date.now() < end, 'the seeded mosaics were never listed');
  }
  // Once listed, a clean load: no request of the page fails.
  seen.errors.length = 0;
  await tab.reload();
  await tab.waitForFunction(() => document.body.dataset.loaded === '2', null, { timeout: 10_000 });
  await tab.locator('img.large').waitFor();
  await tab.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 10_000 });
  const images = await tab.$$eval('img', (imgs) =>
    imgs.map((i) => ({ cls: i.className, src: i.src, width: i.naturalWidth })),
  );
  assert.equal(images.length, 3);
  for (const i of images) {
    assert.ok(i.width > 0, `${i.cls} did not load: ${i.src}`);
    assert.ok(i.src.startsWith(`${gallery.base}/files/`), i.src);
  }
  assert.deepEqual(await tab.locator('figcaption').allTextContents(), ['Sent by @bob', 'Sent by @alice']);
  assert.deepEqual(seen.errors, []);
  await tab.close();
});

test("the original's page links (/#/mosaic/<id>.jpg) open the mosaic's page", async () => {
  const tab = await browser.context.newPage();
  await tab.goto(`${gallery.base}/#/mosaic/o1.jpg`);
  await tab.waitForURL(`${gallery.base}/mosaics/o1`);
  await tab.goto(`${gallery.base}/#/mosaic/o2`);
  await tab.waitForURL(`${gallery.base}/mosaics/o2`);
  await tab.close();
});
