import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MemoryCache } from '../adapters/cache/memory.js';
import { SharpImaging } from '../adapters/imaging/sharp.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { PermanentError } from '../core/errors.js';
import { intake, type EngineJob } from './intake.js';
import { RequestStatuses } from './requests.js';
import { withOriginalFields } from './messages.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-intake-'));
after(() => rm(root, { recursive: true, force: true }));

const storage = new DiskStorage(path.join(root, 'storage'));
const queue = new DiskQueue(path.join(root, 'queue'), { maxAttempts: 3, baseDelayMs: 20 }, 20);
const statuses = new RequestStatuses({ storage, cache: new MemoryCache() }, 'mosaic-in');
const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c84' } })
  .jpeg()
  .toBuffer();
const fetched: string[] = [];
const handle = intake(
  {
    storage,
    queue,
    statuses,
    imaging: new SharpImaging(),
    download: async (url) => {
      fetched.push(url);
      if (url.includes('broken')) return { bytes: Buffer.from('<html>not an image</html>'), contentType: 'text/html' };
      return { bytes: photo, contentType: 'image/jpeg' };
    },
  },
  { bucketIn: 'mosaic-in', engineQueue: 'mosaic-eng', maxAttempts: 3 },
);

const engineJobs = async () => {
  const jobs: EngineJob[] = [];
  const sub = await queue.consume('mosaic-eng', async (m) => void jobs.push(m as EngineJob));
  await new Promise((r) => setTimeout(r, 150));
  await sub.stop();
  return jobs;
};

test("the original's {twitter_user, media_id} becomes a queued engine job", async () => {
  await storage.put('mosaic-in', '987.jpg', photo);
  await handle({ twitter_user: 'alice', media_id: '987' }, { attempt: 1 });
  assert.deepEqual(await engineJobs(), [
    withOriginalFields({ id: '987', username: 'alice', key: '987.jpg', network: 'x' }),
  ]);
  assert.equal((await statuses.get('987'))?.state, 'queued');
});

test('a photo given by URL is fetched, stored with its requester and queued', async () => {
  await handle(
    { twitter_handler: 'bob', user_name: 'bob', img_url: 'https://pbs.twimg.com/media/b.jpg', id: 'b1' },
    { attempt: 1 },
  );
  assert.deepEqual(fetched, ['https://pbs.twimg.com/media/b.jpg']);
  assert.equal((await storage.head('mosaic-in', 'b1.jpg'))?.metadata.username, 'bob');
  assert.deepEqual(await engineJobs(), [
    withOriginalFields({ id: 'b1', username: 'bob', key: 'b1.jpg', network: 'x' }),
  ]);
});

test('a request from a social network carries its post and requester on to the engine', async () => {
  const requester = {
    username: 'dana',
    network: 'bluesky',
    post: { id: 'at://did:plc:d/app.bsky.feed.post/1', ref: { cid: 'bafy', rootUri: 'at://r', rootCid: 'bafr' } },
    profile: 'https://bsky.app/profile/dana.bsky.social',
    displayname: 'Dana',
  };
  await handle({ id: 'bluesky-1', url: 'https://cdn.bsky.app/img/d.jpg', ...requester }, { attempt: 1 });
  assert.deepEqual(await engineJobs(), [withOriginalFields({ id: 'bluesky-1', key: 'bluesky-1.jpg', ...requester })]);
  await assert.rejects(
    handle({ id: 'bluesky-2', url: 'https://cdn.bsky.app/img/d.jpg', post: 'nope' }, { attempt: 1 }),
    /post must be an object with an id/,
  );
});

test('a non-image ends as a failed request with the reason, not retried', async () => {
  await assert.rejects(
    handle({ id: 'bad1', username: 'carol', url: 'https://example.com/broken.jpg' }, { attempt: 1 }),
    (e: unknown) => e instanceof PermanentError,
  );
  const s = await statuses.get('bad1');
  assert.equal(s?.state, 'failed');
  assert.match(s?.reason ?? '', /not an image/);
  assert.deepEqual(await engineJobs(), []);
});

test('a photo missing from the bucket fails clearly; a malformed message is refused', async () => {
  await assert.rejects(handle({ twitter_user: 'dan', media_id: '404' }, { attempt: 1 }), /not in bucket mosaic-in/);
  assert.equal((await statuses.get('404'))?.state, 'failed');
  await assert.rejects(handle('garbage', { attempt: 1 }), /malformed message/);
});
