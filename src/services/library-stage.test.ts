import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { PermanentError } from '../core/errors.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { readManifest } from '../adapters/library/remote.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { gradientImage } from '../../test/helpers/fixtures.js';
import { libraryStage } from './library-stage.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-libstage-'));
after(() => rm(root, { recursive: true, force: true }));

const jpeg = (seed: number) =>
  sharp(gradientImage(96, 96, seed), { raw: { width: 96, height: 96, channels: 3 } })
    .jpeg()
    .toBuffer();

async function setup(name: string) {
  const storage = new DiskStorage(path.join(root, name, 'store'));
  await storage.ensureBucket('raw');
  await storage.ensureBucket('lib');
  const libraryDir = path.join(root, name, 'library');
  await TileLibrary.create(libraryDir, 16);
  const lines: string[] = [];
  const stage = libraryStage(
    { storage, log: (l) => lines.push(l) },
    { bucketRaw: 'raw', libraryDir, rawDir: path.join(root, name, 'raw'), publishBucket: 'lib' },
  );
  const count = async () => (await TileLibrary.open(libraryDir)).count;
  return { storage, stage, lines, count, libraryDir };
}

test('a photo announced on the tiles queue joins the library and is published', async () => {
  const { storage, stage, count } = await setup('queue');
  await storage.put('raw', 'x-1.jpg', await jpeg(1));
  await stage.handler({ key: 'x-1.jpg' });
  assert.equal(await count(), 1);
  await stage.handler({ key: 'x-1.jpg' });
  assert.equal(await count(), 1, 'the same photo twice is one tile');
  assert.equal((await readManifest(storage, 'lib'))?.count, 1);
});

test('a sync takes in photos put in the raw bucket without a message, and skips a bad one once', async () => {
  const { storage, stage, lines, count } = await setup('sync');
  for (const i of [1, 2, 3]) await storage.put('raw', `collector/${i}.jpg`, await jpeg(i * 10));
  await storage.put('raw', 'collector/broken.jpg', Buffer.from('not a photo at all'));
  await stage.sync();
  assert.equal(await count(), 3);
  assert.equal(lines.filter((l) => l.includes('broken.jpg')).length, 1, lines.join('\n'));
  await storage.put('raw', 'collector/4.jpg', await jpeg(40));
  await stage.sync();
  assert.equal(await count(), 4);
  assert.equal(lines.filter((l) => l.includes('broken.jpg')).length, 1, 'a bad photo is not tried again');
  assert.equal((await readManifest(storage, 'lib'))?.count, 4);
});

test('malformed tiles jobs are refused for good; a key that is gone is no error', async () => {
  const { stage, count } = await setup('bad');
  for (const m of [null, {}, { key: 5 }, { key: '../../etc/passwd' }, { key: '/abs.jpg' }])
    await assert.rejects(stage.handler(m), PermanentError);
  await stage.handler({ key: 'never-uploaded.jpg' });
  assert.equal(await count(), 0);
});
