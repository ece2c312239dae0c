import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemoryCache } from '../adapters/cache/memory.js';
import { LogPublisher } from '../adapters/publishers/log.js';
import { sign, SIGNATURE_HEADER, WebhookPublisher } from '../adapters/publishers/webhook.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import type { Publisher, Reply } from '../ports.js';
import { DEFAULT_WALL_REPLY_TEXT, publishStage, replyText, wallReplyText } from './publish-stage.js';
import { RequestStatuses } from './requests.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-publish-'));
const received: { body: string; signature: string }[] = [];
let fail = false;
const hook = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    received.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
    res.writeHead(fail ? 500 : 204).end();
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
after(async () => {
  await new Promise((r) => hook.close(r));
  await rm(root, { recursive: true, force: true });
});

const storage = new DiskStorage(path.join(root, 's'));
const queue = new DiskQueue(path.join(root, 'q'), { maxAttempts: 3, baseDelayMs: 20 }, 20);
const statuses = new RequestStatuses({ storage, cache: new MemoryCache() }, 'mosaic-in');
const lines: string[] = [];
const handle = publishStage(
  {
    storage,
    queue,
    statuses,
    publishers: [
      new LogPublisher((l) => lines.push(l)),
      new WebhookPublisher({ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, secret: 's3cret' }),
    ],
  },
  {
    bucketSmall: 'mosaic-outsmall',
    doneQueue: 'mosaic-done',
    template: 'Hi @%s Here is your Mosaic:%s',
    pageUrl: 'https://gallery.example/mosaic/{id}',
    maxAttempts: 3,
  },
);

test('reply templates: ours and the original twitterText', () => {
  assert.equal(
    replyText('Hi @{handle}, here is your mosaic: {url}', 'alice', 'https://g/1'),
    'Hi @alice, here is your mosaic: https://g/1',
  );
  assert.equal(
    replyText('Hi @%s Here is your Mosaic:%s.More info at the booth!', 'bob', 'https://g/2'),
    'Hi @bob Here is your Mosaic:https://g/2.More info at the booth!',
  );
});

test('every publisher answers with the text, the link and the thumbnail, then passes the mosaic on', async () => {
  await storage.put('mosaic-outsmall', '42.jpg', Buffer.from('thumb-bytes'));
  await handle({ id: '42', username: 'alice', key: '42.jpg' }, { attempt: 1 });
  assert.deepEqual(lines, ['reply to @alice (42): Hi @alice Here is your Mosaic:https://gallery.example/mosaic/42']);
  const { body, signature } = received[0];
  assert.equal(signature, sign('s3cret', body), 'signed with the shared secret');
  const json = JSON.parse(body);
  assert.equal(json.url, 'https://gallery.example/mosaic/42');
  assert.equal(Buffer.from(json.thumbnail, 'base64').toString(), 'thumb-bytes');
  assert.equal(await queue.depth('mosaic-done'), 1);
});

test('a failing webhook makes the job retry, and the last try marks the request', async () => {
  fail = true;
  await storage.put('mosaic-outsmall', '43.jpg', Buffer.from('t'));
  await assert.rejects(handle({ id: '43', username: 'bob', key: '43.jpg' }, { attempt: 1 }), /webhook answered 500/);
  assert.notEqual((await statuses.get('43'))?.state, 'failed');
  await assert.rejects(handle({ id: '43', username: 'bob', key: '43.jpg' }, { attempt: 3 }), /webhook answered 500/);
  assert.match((await statuses.get('43'))?.reason ?? '', /reply failed: webhook answered 500/);
  fail = false;
});

test('the post and network reach only the publishers that handle the network; each answers once across retries', async () => {
  const got: Reply[] = [];
  let failMastodon = true;
  const publisher = (name: string, network: string, fails = () => false): Publisher => ({
    name,
    handles: (n) => n === network,
    reply: async (r) => {
      if (fails()) throw new Error(`${name} is away`);
      got.push({ ...r, thumbnail: new Uint8Array() });
    },
  });
  const stage = publishStage(
    {
      storage,
      queue,
      statuses,
      publishers: [publisher('x', 'x'), publisher('x-too', 'x', () => failMastodon), publisher('mastodon', 'mastodon')],
      shorten: async (url) => `https://bit.ly/${url.length}`,
    },
    {
      bucketSmall: 'mosaic-outsmall',
      doneQueue: 'mosaic-done',
      template: 'Hi @{handle}: {url}',
      pageUrl: 'https://gallery.example/mosaics/{id}',
      maxAttempts: 3,
      markerBucket: 'mosaic-in',
    },
  );
  await storage.put('mosaic-outsmall', 'x-7.jpg', Buffer.from('t'));
  const job = { id: 'x-7', username: 'alice', network: 'x', post: { id: '1880' }, key: 'x-7.jpg' };
  await assert.rejects(stage(job, { attempt: 1 }), /x-too is away/);
  failMastodon = false;
  await stage(job, { attempt: 2 });
  assert.deepEqual(
    got.map((r) => [r.network, r.post?.id, r.text, r.url]),
    [
      ['x', '1880', 'Hi @alice: https://bit.ly/35', 'https://bit.ly/35'],
      ['x', '1880', 'Hi @alice: https://bit.ly/35', 'https://bit.ly/35'],
    ],
    'the first publisher answered once although the job ran twice; mastodon was not asked',
  );
});

test('a shortener that fails gives the long link', async () => {
  const texts: string[] = [];
  const lines: string[] = [];
  const stage = publishStage(
    {
      storage,
      queue,
      statuses,
      publishers: [new LogPublisher((l) => texts.push(l))],
      shorten: async () => {
        throw new Error('bit.ly answered 500');
      },
      log: (l) => lines.push(l),
    },
    {
      bucketSmall: 'mosaic-outsmall',
      doneQueue: 'mosaic-done',
      template: '{url}',
      pageUrl: 'https://gallery.example/mosaics/{id}',
      maxAttempts: 3,
    },
  );
  await storage.put('mosaic-outsmall', 'u-8.jpg', Buffer.from('t'));
  await stage({ id: 'u-8', key: 'u-8.jpg' }, { attempt: 1 });
  assert.deepEqual(texts, ['reply to an upload (u-8): https://gallery.example/mosaics/u-8']);
  assert.deepEqual(lines, ['link shortener failed (bit.ly answered 500); replying with the long link']);
});

test('a photo placed on a wall: the reply says where, links to its tile, carries the photo; nothing goes to the gallery', async () => {
  const got: Reply[] = [];
  const mastodon: Publisher = {
    name: 'mastodon',
    handles: (n) => n === 'mastodon',
    reply: async (r) => void got.push(r),
  };
  const stage = publishStage(
    { storage, queue, statuses, publishers: [mastodon], shorten: async (url) => `https://bit.ly/${url.length}` },
    {
      bucketSmall: 'mosaic-outsmall',
      doneQueue: 'wall-done',
      template: 'Hi @{handle}: {url}',
      pageUrl: 'https://gallery.example/mosaics/{id}',
      maxAttempts: 3,
      markerBucket: 'mosaic-in',
      walls: { bucket: 'mosaic-in', template: DEFAULT_WALL_REPLY_TEXT },
    },
  );
  await storage.put('mosaic-in', 'walls/expo-1a2b3c/photos/mastodon-9.jpg', Buffer.from('sticker'));
  await statuses.set('mastodon-9', { state: 'done', username: 'alice', wall: { id: 'expo-1a2b3c', label: 'C-14' } });
  const url = 'https://gallery.example/walls/expo-1a2b3c/photos/mastodon-9';
  const job = {
    id: 'mastodon-9',
    username: 'alice',
    network: 'mastodon',
    post: { id: '109' },
    key: 'walls/expo-1a2b3c/photos/mastodon-9.jpg',
    wall: { id: 'expo-1a2b3c', title: 'Expo 2025', cell: 93, label: 'C-14', url },
  };
  await stage(job, { attempt: 1 });
  await stage(job, { attempt: 1 }); // redone after a failover of the placer: answered once
  assert.equal(got.length, 1);
  assert.equal(got[0].text, `@alice your photo is at C-14 on Expo 2025: https://bit.ly/${url.length}`);
  assert.equal(got[0].post?.id, '109');
  assert.equal(Buffer.from(got[0].thumbnail).toString(), 'sticker', 'the sticker-sized photo is attached');
  assert.equal(await queue.depth('wall-done'), 0, 'a wall photo is not a gallery mosaic');
  assert.equal((await statuses.get('mastodon-9'))?.state, 'done');

  assert.equal(
    wallReplyText('{handle} {label} {wall} {url}', { handle: 'a', label: 'B-2', wall: 'W', url: 'u' }),
    'a B-2 W u',
  );
  await assert.rejects(stage({ ...job, wall: { id: 'expo-1a2b3c' } }, { attempt: 1 }), /malformed wall reply job/);
});

test('a failed wall reply leaves the wall photo done', async () => {
  const lines: string[] = [];
  const stage = publishStage(
    {
      storage,
      queue,
      statuses,
      log: (l) => lines.push(l),
      publishers: [{ name: 'x', handles: () => true, reply: () => Promise.reject(new Error('x is away')) }],
    },
    {
      bucketSmall: 'mosaic-outsmall',
      doneQueue: 'wall-done',
      template: '{url}',
      pageUrl: 'https://gallery.example/mosaics/{id}',
      maxAttempts: 3,
      walls: { bucket: 'mosaic-in', template: DEFAULT_WALL_REPLY_TEXT },
    },
  );
  await storage.put('mosaic-in', 'walls/expo-1a2b3c/photos/x-5.jpg', Buffer.from('sticker'));
  await statuses.set('x-5', { state: 'done', username: 'bob', wall: { id: 'expo-1a2b3c', label: 'A-1' } });
  const wall = { id: 'expo-1a2b3c', title: 'Expo', cell: 0, label: 'A-1', url: 'https://g/w' };
  const job = { id: 'x-5', username: 'bob', network: 'x', key: 'walls/expo-1a2b3c/photos/x-5.jpg', wall };
  await assert.rejects(stage(job, { attempt: 3 }), /x is away/);
  assert.equal((await statuses.get('x-5'))?.state, 'done');
  assert.match(lines.join('\n'), /reply for photo x-5 on wall expo-1a2b3c failed: x is away/);
});
