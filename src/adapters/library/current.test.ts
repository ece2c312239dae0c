import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { syntheticNewTiles } from '../../../test/helpers/synthetic.js';
import { currentLibrary } from './current.js';
import { TileLibrary } from './disk.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-current-'));
after(() => rm(root, { recursive: true, force: true }));

test('the current library is opened once, and again after another writer changed it', async () => {
  const dir = path.join(root, 'lib');
  const writer = await TileLibrary.create(dir, 8);
  const tiles = syntheticNewTiles(9, 8, 4);
  await writer.append(tiles.slice(0, 4));
  const current = currentLibrary(dir);
  const first = await current();
  assert.equal(first.count, 4);
  assert.equal(await current(), first, 'unchanged on disk: the same instance');
  await writer.append(tiles.slice(4, 7));
  const grown = await current();
  assert.notEqual(grown, first);
  assert.equal(grown.count, 7);
  await writer.remove(new Set([0]));
  const shrunk = await current();
  assert.equal(shrunk.count, 6);
  assert.equal(await current(), shrunk);
});
