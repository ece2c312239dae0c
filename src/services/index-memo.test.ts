import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { randomFeatures } from '../../test/helpers/features.js';
import { syntheticNewTiles, syntheticPhoto } from '../../test/helpers/synthetic.js';
import { SharpImaging } from '../adapters/imaging/sharp.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { writeDemo } from './demo.js';
import { indexFromBytes } from '../core/index-file.js';
import { buildIndex, indexMemo, savedIndexes } from './index-memo.js';
import { createMosaic } from './mosaic.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-memo-'));
after(() => rm(root, { recursive: true, force: true }));

test('the memo builds once per features array, length and variants, and each build is a plain build', () => {
  const memo = indexMemo();
  const features = randomFeatures(300, 7);
  const first = memo(features, 'none');
  assert.equal(memo({ ...features }, 'none'), first, 'the same array and length: kept');
  const mirrored = memo(features, 'mirror');
  assert.notEqual(mirrored, first);
  assert.equal(mirrored.expanded.features.count, 600);
  assert.equal(memo(features, 'mirror'), mirrored);
  const copy = { ...features, data: features.data.slice() };
  assert.notEqual(memo(copy, 'none'), first, 'another array: built again');
  const plain = buildIndex(features, 'none');
  const q = first.index.transform(features.data, 42 * features.dims);
  assert.deepEqual(first.index.nearest(q, 5), plain.index.nearest(q, 5));
});

test('a grown library gets a new index', async () => {
  const lib = await TileLibrary.create(path.join(root, 'grow'), 8);
  const tiles = syntheticNewTiles(8, 8, 3);
  await lib.append(tiles.slice(0, 5));
  const memo = indexMemo();
  const before = memo(lib.featureSet(), 'none');
  assert.equal(memo(lib.featureSet(), 'none'), before);
  await lib.append(tiles.slice(5));
  const grown = memo(lib.featureSet(), 'none');
  assert.notEqual(grown, before);
  assert.equal(grown.index.count, 8);
});

test('mosaics made through a warm memo are the same as mosaics built afresh', async () => {
  const dir = path.join(root, 'demo');
  await writeDemo(dir, { count: 150, size: 16 });
  const library = await TileLibrary.open(dir);
  const imaging = new SharpImaging();
  const memo = indexMemo();
  const make = ([w, h]: number[], indexes?: typeof memo) =>
    createMosaic(syntheticPhoto(w, h), library, { cols: 18, cell: 16, thumbnail: 0 }, { imaging, indexes });
  for (const size of [
    [90, 60],
    [64, 80],
  ]) {
    const fresh = await make(size);
    const cold = await make(size, memo);
    const warm = await make(size, memo);
    assert.deepEqual(warm.plan, fresh.plan);
    assert.deepEqual(cold.plan, fresh.plan);
    assert.ok(Buffer.from(warm.encoded!).equals(Buffer.from(fresh.encoded!)), `${size.join('x')}: the same JPEG`);
  }
});

/** The key a saved index was written for, from its JSON description. */
const keyOf = (bytes: Buffer): string =>
  (JSON.parse(bytes.subarray(10, 10 + bytes.readUInt32LE(6)).toString()) as { key: string }).key;

test('a saved index is written once, read back with the same answers, and rebuilt when stale or damaged', async () => {
  const dir = path.join(root, 'saved');
  const lib = await TileLibrary.create(dir, 8);
  const tiles = syntheticNewTiles(40, 8, 5);
  await lib.append(tiles.slice(0, 30));
  const file = path.join(dir, 'index-1-none.bin');
  const built = savedIndexes(lib)(lib.featureSet(), 'none');
  const written = await readFile(file);
  const read = savedIndexes(lib)(lib.featureSet(), 'none');
  assert.notEqual(read.index, built.index);
  const fs = lib.featureSet();
  for (const cell of [0, 7, 29]) {
    const q = built.index.transform(fs.data, cell * fs.dims);
    assert.deepEqual(read.index.nearest(q, 5), built.index.nearest(q, 5));
  }
  assert.equal(indexFromBytes(new Uint8Array(written), 'another key'), undefined, 'another key is refused');
  const flipped = Buffer.from(written);
  flipped[flipped.length >> 1] ^= 1; // inside the vectors, the bulk of the file
  assert.equal(indexFromBytes(new Uint8Array(flipped), keyOf(written)), undefined, 'a flipped bit is refused');
  assert.ok(indexFromBytes(new Uint8Array(written), keyOf(written)), 'the file as written is taken');
  await writeFile(file, written.subarray(0, 200));
  assert.equal(savedIndexes(lib)(fs, 'none').index.count, 30, 'a cut file is rebuilt');
  assert.deepEqual(await readFile(file), written, 'and written again');
  await lib.append(tiles.slice(30));
  assert.equal(savedIndexes(lib)(lib.featureSet(), 'none').index.count, 40, 'a grown library is indexed afresh');
  assert.notDeepEqual(await readFile(file), written);
});
