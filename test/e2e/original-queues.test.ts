import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { SharpImaging } from '../../src/adapters/imaging/sharp.js';
import { TileLibrary } from '../../src/adapters/library/disk.js';
import { LogPublisher } from '../../src/adapters/publishers/log.js';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { writeDemo } from '../../src/services/demo.js';
import { engineStage } from '../../src/services/engine-stage.js';
import { cacheStage, entryKey, type GalleryCacheConfig } from '../../src/services/gallery-cache.js';
import { publishStage } from '../../src/services/publish-stage.js';
import { RequestStatuses } from '../../src/services/requests.js';
import type { Queue } from '../../src/ports.js';
import { raw } from '../helpers/fixtures.js';
import { AMQP_URL, deleteQueues, runQueues } from '../helpers/rabbit.js';

// An operator moves one component at a time: an original component may sit before any of our
// stages and after it. Each stage takes the original's `{"twitter_user","media_id"}` and every
// message we send carries the fields the original's components read.
const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-original-queues-'));
after(() => rm(root, { recursive: true, force: true }));
await writeDemo(path.join(root, 'lib'), { count: 150, size: 16 });
const library = await TileLibrary.open(path.join(root, 'lib'));

type Msg = Record<string, unknown>;

/** Messages that arrive on `queue` within `ms`, taken off it (as the next original component would). */
async function tap(queue: Queue, name: string, until: (got: Msg[]) => boolean, ms = 30_000): Promise<Msg[]> {
  const got: Msg[] = [];
  const sub = await queue.consume(name, async (m) => void got.push(m as Msg));
  try {
    for (const end = Date.now() + ms; !until(got); await new Promise((r) => setTimeout(r, 50)))
      assert.ok(Date.now() < end, `nothing arrived on ${name}`);
  } finally {
    await sub.stop();
  }
  return got;
}

async function originalShapesOnEveryQueue(queue: Queue, names: { eng: string; finish: string; done: string }) {
  const dir = await mkdtemp(path.join(root, 'run-'));
  const storage = new DiskStorage(path.join(dir, 'storage'));
  const cache = new MemoryCache();
  const statuses = new RequestStatuses({ storage, cache }, 'mosaic-in');
  const buckets = { in: 'mosaic-in', outLarge: 'mosaic-outlarge', outSmall: 'mosaic-outsmall' };
  const replies: string[] = [];
  const gallery: GalleryCacheConfig = {
    buckets,
    cacheLife: 600,
    defaultUsername: 'mosaicme',
    urlFor: async (bucket, key) => `http://gallery.example/files/${bucket}/${key}`,
    moderationBucket: 'mosaic-in',
  };
  const id = `${Date.now()}`;
  // The original collector stored the photo as <media_id>.jpg in the input bucket.
  await storage.put('mosaic-in', `${id}.jpg`, await raw(96, 64, 3).jpeg().toBuffer());
  const original = { twitter_user: 'alice', media_id: id };

  // 1. The original sync downloader's message straight on the engine queue becomes a mosaic, and
  //    what goes on to the finish queue has what the original uploader reads.
  const engineHandler = engineStage(
    { storage, queue, statuses, imaging: new SharpImaging(), library: async () => library },
    {
      buckets,
      finishQueue: names.finish,
      thumbnailSize: 120,
      maxAttempts: 3,
      mosaic: { cols: 24, cell: 16, distance: 2 },
    },
  );
  const engine = await queue.consume(names.eng, engineHandler);
  await queue.send(names.eng, original);
  const [finished] = await tap(queue, names.finish, (g) => g.length > 0);
  await engine.stop();
  assert.equal((await storage.head('mosaic-outlarge', `${id}.jpg`))?.metadata.username, 'alice');
  assert.equal((await storage.head('mosaic-outsmall', `${id}.jpg`))?.metadata.username, 'alice');
  assert.deepEqual(
    { twitter_user: finished.twitter_user, media_id: finished.media_id },
    original,
    'the original uploader reads twitter_user and media_id',
  );
  assert.equal(finished.twitter_handler, 'alice', "the later variant's fields too");
  assert.equal(finished.user_name, 'alice');
  assert.equal(finished.key, `${id}.jpg`);

  // 2. The original engine's message (the same shape) on the finish queue is answered and passed on.
  const publish = await queue.consume(
    names.finish,
    publishStage(
      { storage, queue, statuses, publishers: [new LogPublisher((l) => replies.push(l))] },
      {
        bucketSmall: 'mosaic-outsmall',
        doneQueue: names.done,
        template: 'Hi @%s Here is your Mosaic:%s',
        pageUrl: 'http://gallery.example/mosaics/{id}',
        maxAttempts: 3,
      },
    ),
  );
  await queue.send(names.finish, original);
  const [done] = await tap(queue, names.done, (g) => g.length > 0);
  await publish.stop();
  assert.deepEqual(replies, [
    `reply to @alice (${id}): Hi @alice Here is your Mosaic:http://gallery.example/mosaics/${id}`,
  ]);
  assert.equal(done.media_id, id);
  assert.equal(done.twitter_user, 'alice');

  // 3. The original uploader's message on the done queue puts the mosaic in the gallery cache.
  const cacher = await queue.consume(names.done, cacheStage({ storage, cache, statuses }, gallery));
  await queue.send(names.done, original);
  for (const end = Date.now() + 20_000; !(await cache.get(entryKey(id))); await new Promise((r) => setTimeout(r, 50)))
    assert.ok(Date.now() < end, 'the mosaic did not reach the cache');
  await cacher.stop();
  const entry = JSON.parse((await cache.get(entryKey(id)))!) as Msg;
  assert.equal(entry.username, 'alice');
  assert.equal(entry.url_small, `http://gallery.example/files/mosaic-outsmall/${id}.jpg`);

  // A message no stage can read is dead-lettered with the reason, not retried or lost.
  await queue.send(names.eng, { hello: 'world' });
  const bad = await queue.consume(names.eng, engineHandler);
  for (
    const end = Date.now() + 20_000;
    (await queue.deadLetters(names.eng)).length === 0;
    await new Promise((r) => setTimeout(r, 50))
  )
    assert.ok(Date.now() < end, 'the malformed message was not dead-lettered');
  await bad.stop();
  assert.match(
    (await queue.deadLetters(names.eng))[0].reason,
    /malformed engine job: unknown message shape \(fields: hello\)/,
  );
}

test("embedded queue: the original's messages on mosaic-eng, mosaic-finish and mosaic-done", async () => {
  const queue = new DiskQueue(path.join(root, 'queue'), { maxAttempts: 3, baseDelayMs: 20 }, 20);
  try {
    await originalShapesOnEveryQueue(queue, { eng: 'mosaic-eng', finish: 'mosaic-finish', done: 'mosaic-done' });
  } finally {
    await queue.close();
  }
});

test("RabbitMQ: the original's messages on the engine, finish and done queues", async () => {
  const q = runQueues('original');
  const queue = new RabbitQueue(AMQP_URL, { maxAttempts: 3, baseDelayMs: 20 });
  try {
    await originalShapesOnEveryQueue(queue, { eng: q.QUEUE_ENGINE, finish: q.QUEUE_FINISH, done: q.QUEUE_DONE });
  } finally {
    await queue.close();
    await deleteQueues(Object.values(q));
  }
});
