import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { raw } from '../helpers/fixtures.js';
import {
  eventually,
  launchBrowser,
  screenshot,
  seedMosaics,
  startGallery,
  watch,
  type Gallery,
} from '../helpers/browser.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
let gallery: Gallery;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
/** The one mosaic made for real (with a Deep Zoom pyramid), requested under a hostile name. */
let realId: string;

const total = async () =>
  ((await (await gallery.client.api('/api/mosaics?page=1&per_page=12')).json()) as { total?: number }).total ?? 0;

before(async () => {
  [gallery, browser] = await Promise.all([startGallery(), launchBrowser()]);
  context = browser.context;
});
after(async () => {
  await browser?.close();
  await gallery?.stop();
});

test('an empty gallery explains how to make the first mosaic', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/`);
  await page.locator('#empty').waitFor({ state: 'visible' });
  assert.match((await page.locator('#empty').textContent()) ?? '', /#mosaicme[\s\S]*upload it here/);
  assert.equal(await page.locator('.card').count(), 0);
  assert.match((await page.locator('.qr svg').getAttribute('viewBox')) ?? '', /^0 0 \d+ \d+$/, 'the QR code is drawn');
  await screenshot(page, 'home-empty');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the home page shows the cards, 12 a page, newest first, and pages through them', async () => {
  const res = await gallery.client.upload(await raw(400, 300, 5).jpeg().toBuffer(), HOSTILE);
  assert.equal(res.status, 202);
  realId = ((await res.json()) as { id: string }).id;
  const now = Date.now();
  await seedMosaics(
    gallery.data,
    Array.from({ length: 13 }, (_, i) => ({
      id: `seeded${String(i).padStart(2, '0')}`,
      username: `user${i}`,
      date: new Date(now - (i + 1) * 5 * 60_000),
      metadata: i === 1 ? { network: 'mastodon', profile: 'https://social.example/@user1' } : undefined,
    })),
  );
  assert.equal((await gallery.client.waitFor(realId, ['done', 'failed'])).state, 'done');
  await eventually('14 mosaics in the API', async () => (await total()) === 14);

  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/`);
  const cards = page.locator('#grid .card');
  await eventually('12 cards', async () => (await cards.count()) === 12);
  assert.equal(await cards.nth(0).getAttribute('data-id'), realId, 'newest first');
  assert.equal(await cards.nth(1).getAttribute('data-id'), 'seeded00');
  assert.match((await cards.nth(1).locator('.byline').textContent()) ?? '', /^by @user0 · 5 minutes ago$/);
  assert.equal(await cards.nth(1).locator('a.thumb').getAttribute('href'), '/mosaics/seeded00');
  assert.equal(await cards.nth(1).locator('a.who').count(), 0, 'no profile, no link');
  assert.equal(await cards.nth(2).locator('a.who').getAttribute('href'), 'https://social.example/@user1');
  assert.equal(
    await page.locator('#grid img').evaluateAll((imgs) => imgs.filter((i) => !(i as HTMLImageElement).alt).length),
    0,
    'every thumbnail has alternative text',
  );
  await screenshot(page, 'home-page-1');

  // Keyboard: tab to the link of page 2 and press Enter.
  const two = page.locator('#pager a[aria-label="Page 2"]');
  await two.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\?page=2$/);
  await eventually('2 cards on page 2', async () => (await cards.count()) === 2);
  assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), [
    'seeded11',
    'seeded12',
  ]);
  assert.equal(await page.locator('#pager a[aria-current="page"]').textContent(), '2');
  await screenshot(page, 'home-page-2');

  await page.goBack();
  await eventually('page 1 again', async () => (await cards.count()) === 12);
  await page.goto(`${gallery.base}/?page=2`);
  await eventually('page 2 from the address', async () => (await cards.count()) === 2);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the mosaic page zooms in and the viewer loads deeper Deep Zoom levels', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  const levels: number[] = [];
  page.on('requestfinished', (r) => {
    const m = /_files\/(\d+)\//.exec(r.url());
    if (m) levels.push(Number(m[1]));
  });
  await page.goto(`${gallery.base}/mosaics/${realId}`);
  const dzi = (await (await gallery.client.api(`/files/mosaic-outlarge/${realId}.dzi`)).text()) as string;
  const [w, h] = [/Width="(\d+)"/, /Height="(\d+)"/].map((r) => Number(r.exec(dzi)?.[1]));
  const deepest = Math.ceil(Math.log2(Math.max(w, h)));
  await eventually('the first tiles', async () => levels.length > 0);
  await page.waitForTimeout(1500);
  const before = Math.max(...levels);
  assert.ok(before < deepest, `the whole picture comes from a level above the deepest (${before} < ${deepest})`);
  await screenshot(page, 'mosaic-whole');

  const box = (await page.locator('#viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(150);
  }
  await eventually(`tiles of the deepest level ${deepest}`, async () => levels.includes(deepest), 20_000);
  await page.waitForTimeout(1000);
  await screenshot(page, 'mosaic-zoomed');

  const download = page.locator('a[download]');
  assert.equal(await download.getAttribute('download'), `mosaicme-${realId}.jpg`);
  assert.equal((await gallery.client.api((await download.getAttribute('href'))!)).status, 200);
  assert.match((await page.locator('#share-url').inputValue()) ?? '', new RegExp(`/mosaics/${realId}$`));
  assert.equal(await page.locator('a.back').getAttribute('href'), '/');
  assert.deepEqual(seen.errors, []);
  assert.equal((await gallery.client.api('/mosaics/nosuchmosaic')).status, 404);
  await page.close();
});

test('a hostile name shows as text, and nothing runs', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/`);
  const card = page.locator(`#grid .card[data-id="${realId}"]`);
  await card.waitFor();
  assert.equal(await card.locator('.who').textContent(), `@${HOSTILE}`);
  await page.locator('#slides .slide').waitFor();
  await screenshot(page, 'hostile-home');
  await page.goto(`${gallery.base}/mosaics/${realId}`);
  assert.equal(await page.locator('h1').innerText(), `Mosaic by @${HOSTILE}`);
  assert.equal(await page.title(), `Mosaic by @${HOSTILE} · MosaicMe`);
  await screenshot(page, 'hostile-mosaic');
  await page.goto(`${gallery.base}/wall`);
  await page.locator(`#wall-img[data-id="${realId}"]`).waitFor();
  assert.equal(await page.locator('#wall-caption .who').textContent(), `@${HOSTILE}`);
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was made from the name');
  await page.waitForTimeout(500);
  assert.deepEqual(seen.dialogs, [], 'no dialog fired');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the home page fits a phone and a 4K screen, and nothing jumps while it loads', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  // Thumbnails arrive late, as on a slow network, so any shift they cause is seen.
  await page.route('**/files/mosaic-outsmall/**', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const columns = async () =>
    page.locator('#grid').evaluate((g) => getComputedStyle(g).gridTemplateColumns.split(' ').length);
  const overflow = async () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${gallery.base}/`);
  await page.locator('#grid .card').first().waitFor();
  await page.evaluate(() => {
    const w = window as unknown as { shift: number };
    w.shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.shift += (e as unknown as { value: number }).value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.waitForFunction(
    () => [...document.querySelectorAll('#grid img, #slides img')].every((i) => (i as HTMLImageElement).complete),
    undefined,
    { timeout: 20_000 },
  );
  await page.locator('#pager a').first().waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => (window as unknown as { shift: number }).shift), 0, 'no layout shift');
  assert.ok((await overflow()) <= 0, 'no sideways scrolling on a phone');
  const phone = await columns();
  await screenshot(page, 'home-phone');

  await page.setViewportSize({ width: 3840, height: 2160 });
  await page.waitForTimeout(300);
  assert.ok((await overflow()) <= 0);
  const big = await columns();
  assert.ok(phone <= 2 && big >= 6, `columns: ${phone} on a phone, ${big} on 4K`);
  await screenshot(page, 'home-4k');
  assert.deepEqual(seen.errors, []);
  await page.close();
});
