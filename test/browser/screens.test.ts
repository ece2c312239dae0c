import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { raw } from '../helpers/fixtures.js';
import {
  emulateScreen,
  eventually,
  launchBrowser,
  screenshot,
  seedMosaics,
  startGallery,
  watch,
  type Gallery,
} from '../helpers/browser.js';

// A gallery on embedded defaults as a first start leaves it: the demo library only, no ADMIN_TOKEN.
let gallery: Gallery;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
/** The mosaic made through the upload page (landscape, with every rendition). */
let madeId: string;
const PORTRAIT = 'portrait01';
const phone = (page: Page, scale = 2) => emulateScreen(page, { width: 390, height: 844, scale, mobile: true });

before(async () => {
  [gallery, browser] = await Promise.all([startGallery(), launchBrowser()]);
  context = browser.context;
});
after(async () => {
  await browser?.close();
  await gallery?.stop();
});

test('the upload page: its text and bar agree, it promises no duration, and it ends with the mosaic and "Make another"', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/upload`);
  assert.doesNotMatch(await page.locator('main').innerText(), /minute/, 'no promise of how long it takes');
  await page.locator('#photo').setInputFiles({
    name: 'me.jpg',
    mimeType: 'image/jpeg',
    buffer: await raw(400, 300, 21).jpeg().toBuffer(),
  });
  await page.locator('#name').fill('bob');
  // Every state shown, with the bar's value at that moment.
  await page.evaluate(() => {
    const state = document.getElementById('state')!;
    const bar = document.getElementById('bar') as HTMLProgressElement;
    const log: string[] = ((window as unknown as { states: string[] }).states = []);
    new MutationObserver(() => log.push(`${bar.value}|${state.textContent}`)).observe(state, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await page.locator('#submit').click();
  await page.locator('#state[data-state="done"]').waitFor({ timeout: 90_000 });
  const states = await page.evaluate(() => (window as unknown as { states: string[] }).states);
  const percents = states.flatMap((s) => {
    const m = /^([\d.]+)\|Making your mosaic… (\d+)%$/.exec(s);
    return m ? [[Number(m[1]), Number(m[2])]] : [];
  });
  assert.ok(percents.length > 0, `progress was shown: ${states.join(' | ')}`);
  for (const [bar, text] of percents) assert.equal(text, Math.round(bar), `the text says what the bar shows`);

  const thumb = page.locator('#result a.result-thumb');
  const href = (await thumb.getAttribute('href'))!;
  madeId = /^\/mosaics\/(\w+)$/.exec(href)?.[1] ?? '';
  assert.ok(madeId, href);
  await page.waitForFunction(() => (document.querySelector('#result img') as HTMLImageElement | null)?.complete);
  assert.ok(await thumb.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth > 0), 'it shows');
  assert.equal(await page.locator('#result a.button').getAttribute('href'), href);
  await screenshot(page, 'upload-result');

  await page.locator('#make-another').click();
  assert.equal(await page.locator('#upload-form').isVisible(), true);
  assert.equal(await page.locator('#progress').isHidden(), true);
  assert.equal(await page.locator('#photo').evaluate((i) => (i as HTMLInputElement).files?.length ?? 0), 0);
  assert.equal(await page.locator('#name').inputValue(), '');
  assert.equal(await page.locator('#submit').isEnabled(), true);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('gallery cards load an image sharp enough for a 2× phone screen', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await phone(page, 2);
  await page.goto(`${gallery.base}/`);
  const img = page.locator(`#grid .card[data-id="${madeId}"] img`);
  await img.waitFor();
  await page.waitForFunction(
    (sel) => (document.querySelector(sel) as HTMLImageElement | null)?.complete,
    `#grid .card[data-id="${madeId}"] img`,
  );
  // naturalWidth of a srcset image is divided by the density it was chosen for: load the file
  // chosen on its own to see its pixels.
  const { natural, css } = await img.evaluate(async (i) => {
    const file = new Image();
    file.src = (i as HTMLImageElement).currentSrc;
    await file.decode();
    return { natural: file.naturalWidth, css: i.getBoundingClientRect().width };
  });
  assert.ok(natural >= Math.min(css * 2, 400), `${natural} px of image for ${css} CSS px at 2×`);
  // The original's API keeps its shape: no card copy there.
  const original = (await (await gallery.client.api('/mosaic/')).json()) as { mosaics: Record<string, unknown>[] };
  assert.ok(original.mosaics.every((m) => !('url_card' in m)));
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the home page tells of the demo library, and a phone gets an upload button instead of the QR code', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/`);
  const notice = page.locator('#demo-notice');
  assert.match(
    await notice.innerText(),
    /built-in demo library of generated pictures[\s\S]*mosaicme tiles add --remote/,
  );
  assert.equal(await page.locator('.intro .qr').isVisible(), true, 'a desktop shows the QR code');
  await page.close();

  const mobile = await context.newPage();
  const screen = await phone(mobile);
  await mobile.goto(`${gallery.base}/`);
  assert.equal(await mobile.locator('.intro .qr').isVisible(), false, 'no "scan" prompt on the phone itself');
  assert.equal(await mobile.locator('.on-phone a[href="/upload"]').isVisible(), true);
  await screen.shot('home-phone-upload');
  await mobile.goto(`${gallery.base}/mosaics/${madeId}`);
  assert.match(await mobile.locator('#demo-notice').innerText(), /demo library of generated pictures/);
  assert.deepEqual(seen.errors, []);
  await mobile.close();
});

test('on a phone the viewer has the mosaic’s shape', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  const screen = await phone(page);
  await page.goto(`${gallery.base}/mosaics/${madeId}`);
  const m = (await (await gallery.client.api(`/api/mosaics/${madeId}`)).json()) as { width: number; height: number };
  const box = (await page.locator('#viewer').boundingBox())!;
  const ratio = box.width / box.height;
  assert.ok(
    Math.abs(ratio - m.width / m.height) < 0.03,
    `viewer ${box.width}×${box.height}, mosaic ${m.width}×${m.height}`,
  );
  assert.ok(box.width <= 390 && box.height <= 844);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await page.waitForTimeout(1000);
  await screen.shot('mosaic-phone');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the carousel fits a portrait mosaic without a wide black box', async () => {
  await seedMosaics(gallery.data, [{ id: PORTRAIT, username: 'tall', date: new Date(), size: [120, 180] }]);
  await eventually(
    'the portrait mosaic in the API',
    async () => (await gallery.client.api(`/api/mosaics/${PORTRAIT}`)).status === 200,
  );
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${gallery.base}/`);
  await page.locator('#carousel-toggle').click();
  const slide = page.locator(`#slides .slide[data-id="${PORTRAIT}"]`);
  await slide.waitFor();
  await page.waitForFunction(() => (document.querySelector('#slides img') as HTMLImageElement | null)?.complete);
  const [box, slides] = await Promise.all([slide.boundingBox(), page.locator('#slides').boundingBox()]);
  const ratio = box!.width / box!.height;
  assert.ok(Math.abs(ratio - 120 / 180) < 0.03, `the slide is ${box!.width}×${box!.height}`);
  assert.ok(box!.width < slides!.width / 2, 'narrower than the carousel');
  await screenshot(page, 'carousel-portrait');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the wall keeps the whole QR panel on a 1280×720 screen', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${gallery.base}/wall`);
  await page.locator('#wall-img[data-id]').waitFor();
  await page.waitForFunction(() => (document.getElementById('wall-img') as HTMLImageElement).complete);
  // The picture's own rectangle inside the letterboxed image element.
  const pic = await page.locator('#wall-img').evaluate((e) => {
    const i = e as HTMLImageElement;
    const s = Math.min(innerWidth / i.naturalWidth, innerHeight / i.naturalHeight);
    const [w, h] = [i.naturalWidth * s, i.naturalHeight * s];
    return {
      left: (innerWidth - w) / 2,
      top: (innerHeight - h) / 2,
      right: (innerWidth + w) / 2,
      bottom: (innerHeight + h) / 2,
    };
  });
  for (const sel of ['.wall-cta', '.wall-cta svg', '.wall-cta p']) {
    const r = await page.locator(sel).evaluate((e) => e.getBoundingClientRect().toJSON() as DOMRect);
    assert.ok(r.left >= 0 && r.top >= 0 && r.right <= 1280 && r.bottom <= 720, `${sel}: ${JSON.stringify(r)}`);
    const inside =
      r.left >= pic.left - 0.5 && r.top >= pic.top - 0.5 && r.right <= pic.right + 0.5 && r.bottom <= pic.bottom + 0.5;
    assert.ok(inside, `${sel} lies on the picture: ${JSON.stringify(r)} in ${JSON.stringify(pic)}`);
  }
  await screenshot(page, 'wall-720p');
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('without ADMIN_TOKEN the operator page says so at once and asks nothing of the server', async () => {
  const page = await context.newPage();
  const seen = watch(page);
  const asked: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/admin/')) asked.push(r.url());
  });
  // A token left from an earlier visit changes nothing.
  await page.goto(`${gallery.base}/about`);
  await page.evaluate(() => sessionStorage.setItem('mosaicme.adminToken', 'an-old-token-from-before'));
  await page.goto(`${gallery.base}/admin`);
  assert.equal(
    await page.locator('#admin-status').innerText(),
    'The operator view is off: set ADMIN_TOKEN (16 or more characters) and restart.',
  );
  assert.equal(await page.locator('#token-form').isHidden(), true);
  await page.waitForTimeout(1500);
  assert.deepEqual(asked, []);
  const res = await gallery.client.api('/api/admin/overview');
  assert.deepEqual([res.status, ((await res.json()) as { error: string }).error], [403, 'ADMIN_DISABLED']);
  assert.deepEqual(seen.errors, []);
  await page.close();
});
