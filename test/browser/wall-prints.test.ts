import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { Placement, WallDef } from '../../src/shapes/wall.js';
import { eventually, launchBrowser, screenshot, watch } from '../helpers/browser.js';
import { mosaicme } from '../helpers/cli.js';
import { raw, solid } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';

// A real `mosaicme serve` on embedded defaults: photos sent to a wall are placed, then the print
// stage makes their stickers and take-home prints, which the operator sees in /admin.
const ADMIN_TOKEN = 'browser-prints-admin-token';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
let data: string;
let server: Running;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let base: string;
let client: ReturnType<typeof apiClient>;

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-prints-'));
  const library = path.join(data, 'library');
  const made = await mosaicme(['tiles', 'demo', library, '--count', '200', '--size', '32']);
  assert.equal(made.code, 0, made.stderr);
  const port = await freePort();
  const env = { PORT: String(port), DATA_DIR: data, LIBRARY_DIR: library, WAIT_TIME: '1', ADMIN_TOKEN };
  [server, browser] = await Promise.all([startMosaicme(['serve'], env), launchBrowser()]);
  context = browser.context;
  base = `http://127.0.0.1:${port}`;
  client = apiClient(port);
});
after(async () => {
  await browser?.close();
  server?.child.kill('SIGKILL');
  if (data) await rm(data, { recursive: true, force: true });
});

type PrintJob = { photo: string; label: string; name?: string; printedAt?: string; onBoardAt?: string };
type Queue = { jobs: PrintJob[]; counts: { total: number; printed: number; onBoard: number } };

async function createWall(title: string): Promise<WallDef> {
  const form = new FormData();
  form.append('title', title);
  form.append('cols', '10');
  form.append('rows', '10');
  const target = await solid(200, 200, [200, 90, 40]).jpeg().toBuffer();
  form.append('target', new Blob([new Uint8Array(target)]), 'target.jpg');
  const res = await client.api('/api/walls', { method: 'POST', body: form, headers: auth });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as WallDef;
}

/** Sends a photo to the wall as the upload page does; returns its id once it is on the wall. */
async function sendPhoto(wall: string, seed: number, name: string): Promise<string> {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(await raw(240, 180, seed).jpeg().toBuffer())]), 'me.jpg');
  form.append('name', name);
  const res = await client.api(`/api/walls/${wall}/photos`, { method: 'POST', body: form });
  assert.equal(res.status, 202, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  const s = (await client.waitFor(id, ['done', 'failed'], 60_000)) as { state: string };
  assert.equal(s.state, 'done', JSON.stringify(s));
  return id;
}

const queueOf = async (wall: string) => {
  const res = await client.api(`/api/walls/${wall}/prints`, { headers: auth });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Queue;
};

test('/admin shows the print queue of a wall; ticks persist; a hostile name is only text', async () => {
  const wall = await createWall('Print queue wall');
  const hostile = '<img src=x onerror="window.__pwned=1">';
  const ids = [await sendPhoto(wall.id, 11, 'ann'), await sendPhoto(wall.id, 12, hostile)];
  await eventually('the print stage made both jobs', async () => (await queueOf(wall.id)).counts.total === 2, 60_000);
  const cells = ((await (await client.api(`/api/walls/${wall.id}`)).json()) as { cells: Placement[] }).cells;
  const labelOf = (id: string) => cells.find((p) => p.photo === id)!.label;

  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${base}/admin`);
  await page.locator('#token').fill(ADMIN_TOKEN);
  await page.locator('#token-form button[type="submit"]').click();
  await page.locator('#admin').waitFor({ state: 'visible' });
  await page.locator('#walls button[aria-label="Show the print queue of Print queue wall"]').click();
  const rows = page.locator('#wall-prints-table tbody tr[data-photo]');
  await eventually('the queue shows both photos', async () => (await rows.count()) === 2, 15_000);
  const table = await page.locator('#wall-prints-table tbody').innerText();
  for (const id of ids) assert.ok(table.includes(labelOf(id)), `${labelOf(id)} in ${table}`);
  assert.match(await page.locator('#wall-prints-counts').innerText(), /2 in the queue · 0 printed · 0 on the board/);

  // The hostile name is there as text, and nothing of it became markup or ran.
  const hostileRow = page.locator(`#wall-prints-table tr[data-photo="${ids[1]}"]`);
  assert.ok((await hostileRow.innerText()).includes(hostile), await hostileRow.innerText());
  assert.equal(await hostileRow.locator('img').count(), 1, 'only the sticker thumbnail');
  assert.equal(await hostileRow.locator('img').getAttribute('alt'), `sticker ${labelOf(ids[1])}`);
  // The thumbnails come with the token, as blob URLs.
  await eventually(
    'the stickers are shown',
    async () =>
      await page
        .locator('#wall-prints-table img')
        .evaluateAll((imgs) =>
          imgs.every(
            (i) => (i as HTMLImageElement).src.startsWith('blob:') && (i as HTMLImageElement).naturalWidth > 0,
          ),
        ),
  );

  // Ticking "printed" is stored: the API says so, and the row stays ticked through refreshes.
  const first = page.locator(`#wall-prints-table tr[data-photo="${ids[0]}"]`);
  await first.locator('input[name="printed"]').check();
  await eventually('the API has it printed', async () => {
    const job = (await queueOf(wall.id)).jobs.find((j) => j.photo === ids[0]);
    return !!job?.printedAt && !job.onBoardAt;
  });
  await page.locator('#wall-prints-counts', { hasText: '1 printed' }).waitFor();
  await first.locator('input[name="onBoard"]').check();
  await eventually('the API has it on the board', async () => (await queueOf(wall.id)).counts.onBoard === 1);
  await page.waitForTimeout(6000); // one refresh of the page at least
  assert.equal(await first.locator('input[name="printed"]').isChecked(), true);

  // The filter: only what is left to print.
  await page.locator('#wall-prints-state').selectOption('unprinted');
  await eventually('only the unprinted photo is listed', async () => (await rows.count()) === 1);
  assert.equal(await rows.first().getAttribute('data-photo'), ids[1]);

  // Unticking is stored too.
  await page.locator('#wall-prints-state').selectOption('all');
  await eventually('both are listed again', async () => (await rows.count()) === 2);
  await first.locator('input[name="printed"]').uncheck();
  await eventually('the API has it unprinted', async () => {
    const job = (await queueOf(wall.id)).jobs.find((j) => j.photo === ids[0]);
    return !job?.printedAt && !!job?.onBoardAt;
  });

  // A download is the JPEG, fetched with the token.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    first.locator(`a[aria-label="Download the takeaway of ${labelOf(ids[0])}"]`).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${labelOf(ids[0])}-${ids[0]}-takeaway.jpg`);

  // A photo sent while the queue is open shows up without a reload.
  const third = await sendPhoto(wall.id, 13, 'cy');
  await eventually('the new photo joins the queue', async () => (await rows.count()) === 3, 30_000);
  assert.equal(await rows.nth(2).getAttribute('data-photo'), third);

  await screenshot(page, 'admin-wall-prints');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(seen.errors, []);
});
