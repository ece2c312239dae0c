import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { FakeX, X_AUTH, X_BOT } from '../fakes/x-server.js';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';

let data: string;
let fake: FakeX;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;
const alice = { id: '42', username: 'alice_NYC', name: 'Alice' };
const bob = { id: '43', username: 'bob', name: 'Bob B.' };

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${server?.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Someone posts a photo on the fake X; returns the post id. */
const postPhoto = async (text: string, author = alice, seed = 1) =>
  fake.post({ text, author, photos: [fake.addImage(`p${seed}`, await raw(240, 180, seed).jpeg().toBuffer())] });

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-social-x-'));
  fake = await FakeX.start({ heartbeatMs: 2000 });
  const port = await freePort();
  client = apiClient(port);
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  server = await startMosaicme(['serve'], {
    PORT: String(port),
    DATA_DIR: data,
    GALLERY_URL: 'https://gallery.example',
    TILE_HASHTAGS: 'sunset',
    X_BEARER_TOKEN: X_AUTH.bearer,
    X_API_KEY: X_AUTH.appKey,
    X_API_SECRET: X_AUTH.appSecret,
    X_ACCESS_TOKEN: X_AUTH.accessToken,
    X_ACCESS_SECRET: X_AUTH.accessSecret,
    X_API_URL: fake.apiUrl,
    X_MEDIA_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: fake.certFile,
  });
  await until('the X stream', () => fake.openStreams === 1);
});
after(async () => {
  server?.child.kill('SIGKILL');
  await fake.close();
  await rm(data, { recursive: true, force: true });
});

test('a post with #mosaicme, @bot and a photo becomes a mosaic in the gallery and a reply with the thumbnail and the link', async () => {
  const post = await postPhoto(`my photo #mosaicme @${X_BOT.username}`);
  const id = `x-${post}`;
  await until('the request', async () => (await client.api(`/api/requests/${id}`)).status === 200);
  const s = await client.waitFor(id, ['done', 'failed'], 90_000);
  assert.equal(s.state, 'done', JSON.stringify(s));
  const list = (await (await client.api('/mosaic/')).json()) as {
    mosaics: { id: string; username: string; url_small: string }[];
  };
  const mine = list.mosaics.find((m) => m.id === id);
  assert.equal(mine?.username, 'alice_NYC');
  const reply = fake.replies.find((r) => r.inReplyTo === post);
  assert.ok(reply, `a reply to ${post}`);
  assert.equal(reply.text, `Hi @alice_NYC, here is your mosaic: https://gallery.example/mosaics/${id}`);
  const thumbnail = Buffer.from(await (await client.api(mine!.url_small)).arrayBuffer());
  assert.ok(reply.media[0].equals(thumbnail), 'the thumbnail is attached');
  const small = await new DiskStorage(path.join(data, 'storage')).head('mosaic-outsmall', `${id}.jpg`);
  assert.equal(small?.metadata.network, 'x');
  assert.equal(small?.metadata.profile, 'https://x.com/alice_NYC');
  assert.equal(decodeURIComponent(small!.metadata.displayname), 'Alice');
  assert.equal(fake.replies.filter((r) => r.inReplyTo === post).length, 1, 'answered once');
});

test('a post on the tiles hashtag lands in the raw bucket with a mosaic-tiles message', async () => {
  const post = fake.post({
    text: 'golden hour #sunset',
    author: bob,
    photos: [
      fake.addImage('t1', await raw(200, 200, 7).jpeg().toBuffer()),
      fake.addImage('t2', await raw(200, 200, 8).jpeg().toBuffer()),
    ],
  });
  const storage = new DiskStorage(path.join(data, 'storage'));
  await until('both photos', async () => Boolean(await storage.head('mosaic-raw', `x-${post}-1.jpg`)));
  const head = await storage.head('mosaic-raw', `x-${post}-0.jpg`);
  assert.equal(head?.metadata.username, 'bob');
  const queue = new DiskQueue(path.join(data, 'queue'));
  try {
    assert.equal(await queue.depth('mosaic-tiles'), 2);
  } finally {
    await queue.close();
  }
  assert.match(server!.log(), new RegExp(`2 tile photo\\(s\\) from x post ${post} by @bob`));
});

test('a stream dropped mid-way reconnects and loses no post; a 429 on the reply delays it without losing it', async () => {
  fake.dropStreams();
  const during = await postPhoto(`while away #mosaicme @${X_BOT.username}`, bob, 3);
  await until('the reconnect', () => fake.openStreams === 1);
  fake.limit(/^POST \/2\/tweets$/, 1, 2);
  const id = `x-${during}`;
  await until('the request', async () => (await client.api(`/api/requests/${id}`)).status === 200);
  assert.equal((await client.waitFor(id, ['done', 'failed'], 90_000)).state, 'done');
  assert.equal(fake.replies.filter((r) => r.inReplyTo === during).length, 1);
  assert.match(server!.log(), /x reply: rate limited, trying again in \d s/);
  assert.doesNotMatch(server!.log(), new RegExp(`${X_AUTH.accessSecret}|${X_AUTH.bearer}|${X_AUTH.appSecret}`));
});
