import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { screenPyramid, tilesOfCell } from '../../src/core/wall/pyramid.js';
import type { Placement, WallDef } from '../../src/shapes/wall.js';
import { eventually, launchBrowser, screenshot, watch } from '../helpers/browser.js';
import { mosaicme } from '../helpers/cli.js';
import { raw, solid } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';

// A real `mosaicme serve` on embedded defaults, stopped and started again mid-test on the same
// port and data: the open screen must take the photos that come after, without a reload.
const ADMIN_TOKEN = 'browser-walls-admin-token';
let data: string;
let port: number;
let env: Record<string, string>;
let server: Running;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let base: string;
let client: ReturnType<typeof apiClient>;

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-walls-'));
  const library = path.join(data, 'library');
  const made = await mosaicme(['tiles', 'demo', library, '--count', '200', '--size', '32']);
  assert.equal(made.code, 0, made.stderr);
  port = await freePort();
  env = { PORT: String(port), DATA_DIR: data, LIBRARY_DIR: library, WAIT_TIME: '1', ADMIN_TOKEN };
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

type Detail = WallDef & { placed: number; total: number; seq: number; cells: (Placement & { seq: number })[] };

async function createWall(): Promise<WallDef> {
  const form = new FormData();
  form.append('title', 'Browser test wall');
  form.append('cols', '10');
  form.append('rows', '10');
  const target = await solid(200, 200, [40, 90, 200]).jpeg().toBuffer();
  form.append('target', new Blob([new Uint8Array(target)]), 'target.jpg');
  const res = await client.api('/api/walls', {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
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
  const s = (await client.waitFor(id, ['done', 'failed'], 60_000)) as { state: string; wall?: { cell?: number } };
  assert.equal(s.state, 'done', JSON.stringify(s));
  assert.ok(s.wall?.cell !== undefined, JSON.stringify(s));
  return id;
}

const detail = async (wall: string) => (await (await client.api(`/api/walls/${wall}`)).json()) as Detail;
const counterOf = (page: Page) => page.locator('#wall-counter').innerText();
const compact = (s: string) => s.replace(/\s+/g, '');

async function restart(): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
  server = await startMosaicme(['serve'], env);
}

test('the live screen fills in as photos arrive, through a restart of the server, with no reload', async () => {
  const wall = await createWall();
  const screen = await context.newPage();
  const seen = watch(screen);
  const tiles: string[] = [];
  screen.on('request', (r) => {
    if (r.url().includes('/screen_files/')) tiles.push(new URL(r.url()).pathname + new URL(r.url()).search);
  });
  await screen.goto(`${base}/walls/${wall.id}`);
  await screen.locator('body[data-seq="0"]').waitFor();
  assert.equal(compact(await counterOf(screen)), '0/100');
  assert.equal(await screen.locator('#wall-title').innerText(), 'Browser test wall');
  assert.match((await screen.locator('#wall-join svg').getAttribute('viewBox')) ?? '', /^0 0 \d+ \d+$/);
  // Marks this document: after a reload the mark would be gone.
  await screen.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

  const first = await sendPhoto(wall.id, 1, 'ann');
  await eventually('the screen counts the first photo', async () => compact(await counterOf(screen)) === '1/100');
  assert.equal(await screen.evaluate(() => document.body.dataset.placed), '1');
  const placed = (await detail(wall.id)).cells.find((p) => p.photo === first)!;
  const pyramid = screenPyramid(wall.cols, wall.rows, wall.screenCellPx);
  const deepest = tilesOfCell(pyramid, placed.cell)[0];
  const deepUrl = `/walls/${wall.id}/screen_files/${deepest.level}/${deepest.x}_${deepest.y}.jpg?v=${placed.seq}`;
  await eventually('the screen fetches the new tile of the cell', async () => tiles.includes(deepUrl));
  await screenshot(screen, 'wall-screen-one');

  // While the server restarts, the page's stream is refused (as a proxy would with 503), so the
  // browser's EventSource gives up; the page must try again itself and catch up from the log.
  let refused = 0;
  const events = `**/api/walls/${wall.id}/events**`;
  await screen.route(events, (route) => {
    refused++;
    return route.fulfill({ status: 503, contentType: 'text/plain', body: 'restarting' });
  });
  await restart();
  await sendPhoto(wall.id, 2, 'bo');
  await eventually('the page tries its stream again after it gave up', async () => refused >= 2, 30_000);
  assert.equal(compact(await counterOf(screen)), '1/100', 'the page has not heard of it yet');
  await screen.unroute(events);
  await eventually(
    'the screen, back on the stream, catches up with the photo sent meanwhile',
    async () => compact(await counterOf(screen)) === '2/100',
    30_000,
  );
  const seq = (await detail(wall.id)).seq;
  assert.equal(await screen.evaluate(() => document.body.dataset.seq), String(seq));
  assert.equal(await screen.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'no reload');
  assert.equal(await screen.evaluate(() => performance.getEntriesByType('navigation').length), 1);
  // The browser reports the refused streams; nothing else may go wrong.
  const problems = seen.errors.filter((e) => !/EventSource|503|ERR_CONNECTION_REFUSED/.test(e));
  assert.deepEqual(problems, []);
});

test('find my tile: the photo page names the cell the API names, and marks it on the wall', async () => {
  const wall = await createWall();
  const id = await sendPhoto(wall.id, 3, 'cy');
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${base}/walls/${wall.id}/photos/${id}`);
  const label = page.locator('#wall-label');
  await eventually('the page says where the photo is', async () => (await label.innerText()) !== '');
  const placed = (await detail(wall.id)).cells.find((p) => p.photo === id)!;
  assert.equal(await label.innerText(), placed.label);
  const mark = page.locator('.wall-highlight');
  await mark.waitFor();
  assert.equal(await mark.getAttribute('data-cell'), String(placed.cell));
  await screenshot(page, 'wall-find-my-tile');
  assert.deepEqual(seen.errors, []);
});

test('a hostile name is shown as text by the search, and nothing of it runs', async () => {
  const wall = await createWall();
  const hostile = '<img src=x onerror="window.__pwned=1">';
  await sendPhoto(wall.id, 4, hostile);
  const screen = await context.newPage();
  const seen = watch(screen);
  await screen.goto(`${base}/walls/${wall.id}`);
  await screen.locator('body[data-seq]').waitFor();
  await screen.locator('#wall-q').fill('onerror');
  await screen.locator('#wall-search button[type="submit"]').click();
  const result = screen.locator('#wall-results li');
  await result.first().waitFor();
  assert.equal(await result.count(), 1);
  assert.ok((await result.innerText()).includes(hostile), await result.innerText());
  assert.equal(await screen.locator('#wall-results img, #wall-found img').count(), 0);
  await screen.locator('.wall-highlight').waitFor();
  // A photo sent while the screen is open flies in with its name: that name must not run either.
  await sendPhoto(wall.id, 5, hostile);
  await eventually('the second photo lands', async () => compact(await counterOf(screen)) === '2/100');
  assert.equal(await screen.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(seen.errors, []);
});
