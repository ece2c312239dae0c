import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MemoryCache } from '../adapters/cache/memory.js';
import { SharpImaging } from '../adapters/imaging/sharp.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { writeDemo } from './demo.js';
import { engineStage, type FinishedJob } from './engine-stage.js';
import { RequestStatuses } from './requests.js';
import { withOriginalFields } from './messages.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-engine-'));
after(() => rm(root, { recursive: true, force: true }));

const storage = new DiskStorage(path.join(root, 'storage'));
const queue = new DiskQueue(path.join(root, 'queue'), { maxAttempts: 3, baseDelayMs: 20 }, 20);
const statuses = new RequestStatuses({ storage, cache: new MemoryCache() }, 'mosaic-in');
await writeDemo(path.join(root, 'lib'), { count: 150, size: 16 });
const library = await TileLibrary.open(path.join(root, 'lib'));
let renders = 0;
/** Counts decodes, i.e. mosaics started. */
class CountingImaging extends SharpImaging {
  override readPhoto(...args: Parameters<SharpImaging['readPhoto']>) {
    renders++;
    return super.readPhoto(...args);
  }
}
const handle = engineStage(
  { storage, queue, statuses, imaging: new CountingImaging(), library: async () => library },
  {
    buckets: { in: 'mosaic-in', outLarge: 'mosaic-outlarge', outSmall: 'mosaic-outsmall' },
    finishQueue: 'mosaic-finish',
    thumbnailSize: 120,
    maxAttempts: 3,
    mosaic: { cols: 24, cell: 16, distance: 2 },
  },
);

const finishedJobs = async () => {
  const jobs: FinishedJob[] = [];
  const sub = await queue.consume('mosaic-finish', async (m) => void jobs.push(m as FinishedJob));
  await new Promise((r) => setTimeout(r, 150));
  await sub.stop();
  return jobs;
};

test('a job becomes a large image, a Deep Zoom pyramid and a thumbnail, with the requester in the metadata', async () => {
  await storage.put(
    'mosaic-in',
    '555.jpg',
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#48c' } })
      .jpeg()
      .toBuffer(),
  );
  const requester = {
    username: 'alice',
    network: 'x',
    post: { id: '1880' },
    profile: 'https://x.com/alice',
    displayname: 'Alice Ünal',
  };
  await handle({ id: '555', ...requester, key: '555.jpg' }, { attempt: 1 });
  const large = await storage.head('mosaic-outlarge', '555.jpg');
  const small = await storage.head('mosaic-outsmall', '555.jpg');
  assert.equal(large?.metadata.username, 'alice');
  const { cols, rows, ...metadata } = small!.metadata;
  assert.deepEqual(metadata, {
    username: 'alice',
    network: 'x',
    profile: 'https://x.com/alice',
    displayname: 'Alice%20%C3%9Cnal',
    width: '384',
    height: '256',
    preview: '1',
    card: '1',
  });
  const preview = await sharp(Buffer.from((await storage.get('mosaic-outlarge', '555_preview.jpg'))!)).metadata();
  assert.deepEqual([preview.width, preview.height], [384, 256], 'a screen-sized copy, never larger than the mosaic');
  const card = await sharp(Buffer.from((await storage.get('mosaic-outlarge', '555_card.jpg'))!)).metadata();
  assert.deepEqual([card.width, card.height], [384, 256], "the gallery card's copy, never larger than the mosaic");
  assert.ok(Number(cols) > 0 && Number(rows) > 0);
  assert.equal((await sharp(Buffer.from((await storage.get('mosaic-outsmall', '555.jpg'))!)).metadata()).width, 120);
  assert.match(Buffer.from((await storage.get('mosaic-outlarge', '555.dzi'))!).toString(), /Width="384"/);
  assert.ok(await storage.head('mosaic-outlarge', '555_files/0/0_0.jpeg'));
  assert.deepEqual(await finishedJobs(), [
    withOriginalFields({ id: '555', ...requester, key: '555.jpg', width: 384, height: 256 }),
  ]);
  assert.equal((await statuses.get('555'))?.state, 'publishing');
});

test('the same job delivered again makes no second mosaic', async () => {
  const before = renders;
  await handle({ id: '555', username: 'alice', network: 'x', post: { id: '1880' }, key: '555.jpg' }, { attempt: 1 });
  assert.equal(renders, before);
  const again = await finishedJobs();
  assert.equal(again.length, 1, 'but it is passed on again, in case the first run died before that');
  assert.deepEqual(again[0].post, { id: '1880' });
});

test('a missing or unreadable photo fails the request with the reason', async () => {
  await assert.rejects(handle({ id: '777', key: '777.jpg' }, { attempt: 1 }), /not in bucket/);
  assert.equal((await statuses.get('777'))?.state, 'failed');
  await storage.put('mosaic-in', '778.jpg', Buffer.from('text, not a photo'));
  await assert.rejects(handle({ id: '778', key: '778.jpg' }, { attempt: 1 }), /not an image/);
  assert.match((await statuses.get('778'))?.reason ?? '', /not an image/);
  await assert.rejects(handle({ nonsense: true }, { attempt: 1 }), /malformed engine job/);
});
