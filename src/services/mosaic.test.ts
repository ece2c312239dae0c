import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { syntheticPhoto } from '../../test/helpers/synthetic.js';
import { SharpImaging } from '../adapters/imaging/sharp.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { writeDemo } from './demo.js';
import { createMosaic } from './mosaic.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-svc-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the engine API takes pixels and a library and returns a plan, images and progress', async () => {
  await writeDemo(dir, { count: 200, size: 16 });
  const library = await TileLibrary.open(dir);
  const progress: [number, string][] = [];
  const photo = syntheticPhoto(80, 60);
  const r = await createMosaic(
    photo,
    library,
    { cols: 20, cell: 16, thumbnail: 50 },
    {
      imaging: new SharpImaging(),
      onProgress: (p, phase) => progress.push([p, phase]),
    },
  );
  assert.deepEqual([r.grid.cols, r.grid.rows, r.grid.width], [20, 15, 320]);
  assert.equal(r.plan.tiles.length, 300);
  assert.equal((await sharp(r.encoded!).metadata()).width, 320);
  assert.equal((await sharp(r.thumbnail!).metadata()).width, 50);
  const percents = progress.map((p) => p[0]);
  assert.deepEqual(
    percents,
    [...percents].sort((a, b) => a - b),
  );
  assert.equal(percents.at(-1), 100);
  assert.deepEqual(
    progress.map((p) => p[1]),
    ['decode', 'features', 'search', 'plan', 'read', 'render', 'encode'],
  );
});
