import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { mosaicme } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';
import { raw } from '../helpers/fixtures.js';

let data: string;
let port: number;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;

/** `mosaicme serve` with no configuration but a port and a data folder: the embedded mode. */
const startServer = async () => {
  server = await startMosaicme(['serve'], { PORT: String(port), DATA_DIR: data });
};
const api = (p: string, init?: RequestInit) => client.api(p, init);
const upload = (photo: Uint8Array, name?: string) => client.upload(photo, name);
const waitFor = (id: string, states: string[], ms?: number) => client.waitFor(id, states, ms);

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-e2e-'));
  port = await freePort();
  client = apiClient(port);
  // A small demo library keeps the test quick; serve would make a larger one itself.
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  await startServer();
});
after(async () => {
  server?.child.kill('SIGKILL');
  await rm(data, { recursive: true, force: true });
});

test('an uploaded photo becomes a mosaic in the gallery, with its requester', async () => {
  const res = await upload(await raw(200, 150, 1).jpeg().toBuffer(), '@alice');
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  const s = await waitFor(id, ['done', 'failed']);
  assert.equal(s.state, 'done', JSON.stringify(s));
  const list = (await (await api('/mosaic/')).json()) as {
    mosaics: { id: string; username: string; url_small: string }[];
    size: number;
  };
  const mine = list.mosaics.find((m) => m.id === id);
  assert.equal(mine?.username, 'alice');
  assert.equal(list.size, list.mosaics.length);
  assert.deepEqual(Object.keys(mine!).slice(0, 5), ['id', 'url_small', 'url_large', 'username', 'date']);
  // Absolute, as the original's presigned URLs were, on the address the server printed.
  assert.match(mine!.url_small, new RegExp(`^http://[^/]+:${port}/files/mosaic-outsmall/${id}\\.jpg$`));
  assert.equal((await fetch(mine!.url_small)).status, 200);
  assert.equal(((await (await api(`/mosaic/${id}/`)).json()) as { id: string }).id, id);
  assert.match(server!.log(), new RegExp(`reply to @alice \\(${id}\\): Hi @alice, here is your mosaic: `));
});

test('a non-image upload is refused with a reason, and the server goes on', async () => {
  const res = await upload(Buffer.from('not a photo at all'));
  assert.equal(res.status, 415);
  assert.match(((await res.json()) as { message: string }).message, /not an image/);
  assert.equal((await api('/healthz')).status, 200);
  assert.equal((await api('/api/requests/nope')).status, 404);
});

test('a truncated photo ends as a failed request with the reason; the worker goes on', async () => {
  const jpeg = await raw(400, 300, 3).jpeg().toBuffer();
  const res = await upload(jpeg.subarray(0, jpeg.length >> 1), 'eve');
  assert.equal(res.status, 202, 'the header is fine, so it is accepted');
  const { id } = (await res.json()) as { id: string };
  const s = await waitFor(id, ['done', 'failed']);
  assert.equal(s.state, 'failed');
  assert.match(s.reason ?? '', /truncated or corrupt/);
  const ok = (await (await upload(await raw(160, 120, 4).jpeg().toBuffer())).json()) as { id: string };
  assert.equal((await waitFor(ok.id, ['done', 'failed'])).state, 'done');
});

test("requests in the original's message shapes; an image URL on a private address is refused", async () => {
  const queue = new DiskQueue(path.join(data, 'queue'));
  await queue.send('mosaic-in', {
    twitter_handler: 'mallory',
    user_name: 'mallory',
    img_url: `http://127.0.0.1:${port}/healthz`,
    id: 'ssrf1',
  });
  await queue.send('mosaic-in', {
    twitter_handler: 'm2',
    user_name: 'm2',
    img_url: 'http://169.254.169.254/latest/meta-data/',
    id: 'ssrf2',
  });
  await queue.send('mosaic-in', { hello: 'world' });
  for (const id of ['ssrf1', 'ssrf2']) {
    const s = await waitFor(id, ['done', 'failed'], 20_000);
    assert.equal(s.state, 'failed', id);
    assert.match(s.reason ?? '', /non-public address/);
  }
  const dead = await queue.deadLetters('mosaic-in');
  assert.ok(
    dead.some((d) => /unknown message shape/.test(d.reason)),
    JSON.stringify(dead),
  );
  await queue.close();
});

test('kill -9 of the server mid-job: after a restart the job completes', async () => {
  const res = await upload(await raw(900, 700, 2).jpeg().toBuffer(), 'bob');
  const { id } = (await res.json()) as { id: string };
  const s = await waitFor(id, ['rendering', 'publishing', 'done'], 30_000);
  assert.equal(s.state, 'rendering', 'caught it mid-job');
  server!.child.kill('SIGKILL');
  await new Promise((r) => server!.child.once('exit', r));
  await startServer();
  const done = await waitFor(id, ['done', 'failed']);
  assert.equal(done.state, 'done', JSON.stringify(done));
  const list = (await (await api('/mosaic/')).json()) as { mosaics: { id: string }[] };
  assert.ok(list.mosaics.some((m) => m.id === id));
});
