import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSiteUrl } from '../../src/app/site-url.js';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';

const TOKEN = 'serve-test-admin-token';
let data: string;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-serve-'));
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '300', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  const port = await freePort();
  client = apiClient(port);
  // On every interface, as `npm start` listens.
  server = await startMosaicme(['serve'], { PORT: String(port), DATA_DIR: data, ADMIN_TOKEN: TOKEN, HOST: '0.0.0.0' });
});
after(async () => {
  server?.child.kill('SIGKILL');
  await rm(data, { recursive: true, force: true });
});

test('mosaicme serve: ready, secured, and its operator view shows this process and the tile library', async () => {
  const ready = await client.api('/readyz');
  assert.equal(ready.status, 200, await ready.text());
  const list = await client.api('/api/mosaics');
  assert.match(list.headers.get('content-security-policy') ?? '', /script-src 'self';/);
  assert.equal(((await list.json()) as { total: number }).total, 0);
  assert.equal((await client.api('/api/admin/overview')).status, 401);
  const res = await client.api('/api/admin/overview', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  const o = (await res.json()) as {
    workers: { role: string; pid: number }[];
    queues: { name: string }[];
    library: { tiles: number; tileSize: number; addedLast24h: number } | null;
  };
  assert.deepEqual(o.workers.map((w) => w.role).sort(), [
    'cache',
    'engine',
    'intake',
    'library',
    'publish',
    'wall',
    'web',
  ]);
  assert.ok(o.workers.every((w) => w.pid === server!.child.pid));
  assert.deepEqual(
    o.queues.map((q) => q.name),
    [
      'mosaic-in',
      'mosaic-eng',
      'mosaic-finish',
      'mosaic-done',
      'mosaic-tiles',
      'mosaic-wall-eng',
      'mosaic-wall-place',
      'mosaic-wall-print',
    ],
  );
  assert.deepEqual(o.library, { ...o.library, tiles: 300, tileSize: 32, addedLast24h: 300 });
});

test('mosaicme serve: an upload becomes a mosaic whose Deep Zoom pyramid loads through the app', async () => {
  const id = await client.submit(await raw(300, 200, 5).jpeg().toBuffer(), 'zoe');
  const s = (await client.waitFor(id, ['done', 'failed'])) as { state: string; mosaic?: { dzi: string } };
  assert.equal(s.state, 'done', JSON.stringify(s));
  // Without GALLERY_URL the reply links to the machine's network address, which phones reach.
  const site = defaultSiteUrl(client.port);
  const link = `${site}/mosaics/${id}`;
  for (const end = Date.now() + 10_000; !server!.log().includes(link) && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(server!.log().includes(link), server!.log());
  if (!site.includes('localhost'))
    assert.match(server!.log(), /phones on this network reach it at http:\/\/[\d.]+:\d+\//);
  const view = (await (await client.api(`/api/mosaics/${id}`)).json()) as {
    dzi: string;
    width: number;
    url_preview: string;
  };
  assert.match(view.url_preview, /_preview\.jpg$/);
  const preview = await client.api(view.url_preview);
  assert.deepEqual([preview.status, preview.headers.get('content-type')], [200, 'image/jpeg']);
  assert.equal(s.mosaic?.dzi, view.dzi);
  assert.ok(view.width > 0);
  const dzi = await client.api(view.dzi);
  assert.equal(dzi.status, 200);
  assert.match(dzi.headers.get('content-type') ?? '', /^application\/xml/);
  const xml = await dzi.text();
  const format = /Format="(\w+)"/.exec(xml)?.[1];
  const tile = await client.api(view.dzi.replace(/\.dzi$/, `_files/0/0_0.${format}`));
  assert.equal(tile.status, 200);
  assert.match(tile.headers.get('content-type') ?? '', /^image\//);
});

test('mosaicme submit: sends a photo, shows progress, prints the mosaic page; refusals and an unreachable server are one clear line', async () => {
  const photo = path.join(data, 'me.jpg');
  await raw(320, 240, 9).jpeg().toFile(photo);
  const base = `http://127.0.0.1:${client.port}`;
  const r = await mosaicme(['submit', photo, '--name', '@yann', '--server', base]);
  assert.equal(r.code, 0, r.stderr);
  const id = /^request (\w+) accepted$/m.exec(r.stdout)?.[1];
  assert.ok(id, r.stdout);
  assert.match(r.stderr, /^(queued|rendering \d+%|publishing)$/m, 'the states it went through');
  assert.match(r.stdout, new RegExp(`^done: ${base}/mosaics/${id}$`, 'm'));
  const page = await client.api(`/mosaics/${id}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /@yann/);
  assert.doesNotMatch(html, /@@yann/, 'the @ given is not doubled');

  const early = await mosaicme(['submit', photo, '--no-wait', '--server', base]);
  assert.equal(early.code, 0, early.stderr);
  assert.match(early.stdout, /^request \w+ accepted\n$/);
  // Without --server, where `serve` listens when PORT is set, as it is here.
  const byPort = await mosaicme(['submit', photo, '--no-wait'], { PORT: String(client.port), GALLERY_URL: '' });
  assert.equal(byPort.code, 0, byPort.stderr);

  const text = path.join(data, 'notes.jpg');
  await writeFile(text, 'not a photo');
  const refused = await mosaicme(['submit', text, '--server', base]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /notes\.jpg: .*(image|photo)/i);

  const away = await mosaicme(['submit', photo, '--server', `http://127.0.0.1:${await freePort()}`]);
  assert.notEqual(away.code, 0);
  assert.match(away.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+.*--server/);
  assert.equal(away.stderr.trim().split('\n').length, 1, away.stderr);
});
