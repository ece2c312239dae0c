import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { TileLibrary } from '../adapters/library/disk.js';
import { ensureDemoLibrary } from './demo.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-demo-'));
after(() => rm(root, { recursive: true, force: true }));

test('several starts at once make one whole demo library, and none once it is there', async () => {
  const dir = path.join(root, 'library');
  const made = await Promise.all([1, 2, 3].map(() => ensureDemoLibrary(dir, { count: 300, size: 8 })));
  assert.deepEqual(made.filter(Boolean).length, 1, `made: ${made.join(', ')}`);
  assert.equal((await TileLibrary.open(dir)).count, 300);
  assert.deepEqual(await readdir(root), ['library'], 'no copies left beside it');
  assert.equal(await ensureDemoLibrary(dir, { count: 300, size: 8 }), false);
});
