import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { MosaicError, PermanentError } from '../core/errors.js';
import type { SocialPost, Source } from '../ports.js';
import { parseRequest } from './messages.js';
import { requestId, SocialStage } from './social.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-social-'));
after(() => rm(root, { recursive: true, force: true }));

const storage = new DiskStorage(path.join(root, 'storage'));
const queue = new DiskQueue(path.join(root, 'queue'), { maxAttempts: 3, baseDelayMs: 20 }, 20);
const lines: string[] = [];
const fetched: string[] = [];
let hostDown = false;
const deps = {
  storage,
  queue,
  download: async (url: string) => {
    fetched.push(url);
    if (url.includes('gone')) throw new PermanentError('DOWNLOAD_FAILED', 'media.example answered 404');
    if (hostDown) throw new MosaicError('DOWNLOAD_FAILED', 'cannot fetch media.example: ECONNRESET');
    return { bytes: Buffer.from(`jpeg of ${url}`), contentType: 'image/jpeg' };
  },
  isMediaUrl: (url: string) => new URL(url).hostname === 'media.example',
  log: (l: string) => lines.push(l),
};
const cfg = { buckets: { in: 'mosaic-in', raw: 'mosaic-raw' }, queues: { in: 'mosaic-in', tiles: 'mosaic-tiles' } };

const post = (id: string, more: Partial<SocialPost> = {}): SocialPost => ({
  network: 'x',
  post: { id },
  role: 'requests',
  author: { handle: 'alice', displayName: 'Alice Ünal', profileUrl: 'https://x.com/alice' },
  text: '#mosaicme',
  imageUrls: ['https://media.example/a.jpg', 'https://media.example/b.jpg'],
  ...more,
});

const drain = async (name: string) => {
  const got: unknown[] = [];
  const sub = await queue.consume(name, async (m) => void got.push(m));
  await new Promise((r) => setTimeout(r, 150));
  await sub.stop();
  return got;
};

test('a request post becomes one request on the intake queue, in our message shape, however often it arrives', async () => {
  const stage = new SocialStage(deps, cfg);
  const p = post('1001');
  await Promise.all([stage.handle(p), stage.handle(p)]);
  await stage.handle(p);
  // A second stage (a restart, another collector) knows the post too: the marker is in storage.
  await new SocialStage(deps, cfg).handle(p);
  const sent = await drain('mosaic-in');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], {
    id: 'x-1001',
    username: 'alice',
    url: 'https://media.example/a.jpg',
    network: 'x',
    post: { id: '1001' },
    profile: 'https://x.com/alice',
    displayname: 'Alice Ünal',
  });
  const req = parseRequest(sent[0]);
  assert.equal(req.post?.id, '1001', 'the intake stage reads the post back');
  assert.deepEqual(fetched, [], 'the intake stage fetches a request photo, not this stage');
});

test('ids that are not plain (Bluesky at:// URIs) give stable, safe request ids', () => {
  const id = requestId({ network: 'bluesky', post: { id: 'at://did:plc:abc/app.bsky.feed.post/3k' } });
  assert.match(id, /^bluesky-[0-9a-f]{32}$/);
  assert.equal(id, requestId({ network: 'bluesky', post: { id: 'at://did:plc:abc/app.bsky.feed.post/3k' } }));
});

test('posts with no photo, only video, or a photo off the media hosts are skipped with a log line', async () => {
  const stage = new SocialStage(deps, cfg);
  await stage.handle(post('2001', { imageUrls: [] }));
  await stage.handle(post('2002', { imageUrls: [], hasVideo: true }));
  await stage.handle(post('2003', { imageUrls: ['http://169.254.169.254/latest'] }));
  assert.deepEqual(await drain('mosaic-in'), []);
  assert.ok(lines.includes('skipped x post 2001 by @alice: no photo'), lines.join('\n'));
  assert.ok(lines.includes('skipped x post 2002 by @alice: only video'));
  assert.ok(lines.some((l) => l.startsWith('skipped x post 2003 by @alice: its photo is not on a x media host')));
});

test('a tiles post puts each photo in the raw bucket with its author and announces it on the tiles queue', async () => {
  const stage = new SocialStage(deps, cfg);
  await stage.handle(post('3001', { role: 'tiles' }));
  await stage.handle(post('3001', { role: 'tiles' }));
  assert.deepEqual(await drain('mosaic-tiles'), [{ key: 'x-3001-0.jpg' }, { key: 'x-3001-1.jpg' }]);
  const head = await storage.head('mosaic-raw', 'x-3001-1.jpg');
  assert.equal(head?.metadata.username, 'alice');
  assert.equal(head?.metadata.network, 'x');
  assert.equal(decodeURIComponent(head!.metadata.displayname), 'Alice Ünal');
  assert.equal(
    Buffer.from((await storage.get('mosaic-raw', 'x-3001-0.jpg'))!).toString(),
    'jpeg of https://media.example/a.jpg',
  );
});

test('a photo that cannot be fetched now makes the post come again; one that never can is left out', async () => {
  const stage = new SocialStage(deps, cfg);
  hostDown = true;
  await assert.rejects(stage.handle(post('4001', { role: 'tiles' })), /ECONNRESET/);
  hostDown = false;
  await stage.handle(post('4001', { role: 'tiles', imageUrls: ['https://media.example/gone.jpg'] }));
  assert.deepEqual(await drain('mosaic-tiles'), []);
  assert.ok(lines.some((l) => /skipped photo 1 of x post 4001 by @alice: media.example answered 404/.test(l)));
});

test('sources are started with the stage as their consumer and stopped with it', async () => {
  const events: string[] = [];
  let deliver: ((p: SocialPost) => Promise<void>) | undefined;
  const source: Source = {
    network: 'mastodon',
    start: async (onPost) => {
      events.push('start');
      deliver = onPost;
    },
    stop: async () => void events.push('stop'),
  };
  const stage = new SocialStage(deps, cfg);
  await stage.start([source]);
  await deliver!(post('5001', { network: 'mastodon' }));
  await stage.stop();
  assert.deepEqual(events, ['start', 'stop']);
  assert.deepEqual(
    (await drain('mosaic-in')).map((m) => (m as { id: string }).id),
    ['mastodon-5001'],
  );
});

test('a source that cannot start is tried again later, without holding up the others', async () => {
  let tries = 0;
  const flaky: Source = {
    network: 'x',
    start: async () => {
      if (++tries < 3) throw new Error('X answered 503');
    },
    stop: async () => {},
  };
  const started: string[] = [];
  const fine: Source = { network: 'bluesky', start: async () => void started.push('bluesky'), stop: async () => {} };
  const stage = new SocialStage(deps, cfg);
  await stage.start([flaky, fine], 50);
  assert.deepEqual(started, ['bluesky']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(tries, 3, 'tried until it started, then no more');
  assert.ok(lines.includes('x: cannot listen (X answered 503); trying again in 0.05 s'));
  await stage.stop();
});
