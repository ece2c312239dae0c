import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MosaicError } from '../../core/errors.js';
import { syntheticNewTiles } from '../../../test/helpers/synthetic.js';
import { TileLibrary } from './disk.js';
import { featureFile, HEADER_FILE, pixelFile } from './format.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-lib-'));
after(() => rm(root, { recursive: true, force: true }));

const tiles = syntheticNewTiles(5, 8, 3);

test('a library round-trips tiles, features and entries', async () => {
  const dir = path.join(root, 'a');
  const lib = await TileLibrary.create(dir, 8);
  await lib.append(tiles.slice(0, 3));
  await lib.append(tiles.slice(3));
  const again = await TileLibrary.open(dir);
  assert.equal(again.count, 5);
  assert.equal(again.tileSize, 8);
  assert.deepEqual(again.featureSet().data, lib.featureSet().data);
  const px = await again.readPixels([4, 0]);
  assert.deepEqual(px.get(4), tiles[4].pixels);
  assert.deepEqual(px.get(0), tiles[0].pixels);
  assert.deepEqual(
    again.entries().map((e) => e[0]),
    ['t0', 't1', 't2', 't3', 't4'],
  );
  const header = JSON.parse(await readFile(path.join(dir, HEADER_FILE), 'utf8'));
  assert.equal(header.format, 'mosaicme-tile-library');
  assert.equal(header.version, 1);
});

test('bytes left by a run killed mid-append are ignored and then overwritten', async () => {
  const dir = path.join(root, 'b');
  const lib = await TileLibrary.create(dir, 8);
  await lib.append(tiles.slice(0, 2));
  await appendFile(path.join(dir, pixelFile(1)), Buffer.alloc(100, 7));
  await appendFile(path.join(dir, featureFile(1)), Buffer.alloc(10, 7));
  const reopened = await TileLibrary.open(dir);
  assert.equal(reopened.count, 2);
  await reopened.append(tiles.slice(2, 3));
  const px = await (await TileLibrary.open(dir)).readPixels([2]);
  assert.deepEqual(px.get(2), tiles[2].pixels);
});

test('removing tiles keeps the others intact', async () => {
  const dir = path.join(root, 'c');
  const lib = await TileLibrary.create(dir, 8);
  await lib.append(tiles);
  await lib.remove(new Set([1, 3]));
  const again = await TileLibrary.open(dir);
  assert.deepEqual(
    again.entries().map((e) => e[0]),
    ['t0', 't2', 't4'],
  );
  assert.deepEqual((await again.readPixels([1])).get(1), tiles[2].pixels);
  assert.deepEqual([...again.featureSet().data.subarray(75, 150)], [...tiles[2].features]);
});

test('a broken or foreign folder gives a clear error', async () => {
  const dir = path.join(root, 'd');
  await assert.rejects(TileLibrary.open(dir), (e: unknown) => e instanceof MosaicError && e.code === 'EMPTY_LIBRARY');
  const lib = await TileLibrary.create(dir, 8);
  await lib.append(tiles.slice(0, 1));
  await writeFile(path.join(dir, HEADER_FILE), '{"format":"something-else"}');
  await assert.rejects(
    TileLibrary.open(dir),
    (e: unknown) =>
      e instanceof MosaicError && e.code === 'LIBRARY_CORRUPT' && /not a MosaicMe library/.test(e.message),
  );
  await assert.rejects(TileLibrary.create(path.join(root, 'a'), 16), /tile size is chosen when it is created/);
});

test('a library opens from the fields before its entries, and reads the entries only when asked', async () => {
  const dir = path.join(root, 'f');
  const lib = await TileLibrary.create(dir, 8);
  await lib.append(tiles);
  const file = path.join(dir, HEADER_FILE);
  const text = await readFile(file, 'utf8');
  assert.ok(text.lastIndexOf('"tiles":') > text.lastIndexOf('"count":'), 'tiles must be written last');
  // Entries cut short: a mosaic (counts, features, pixels) still works; listing the entries says what is wrong.
  await writeFile(file, text.replace(/,\["t4".*\]\]\}$/, ']}'));
  const cut = await TileLibrary.open(dir);
  assert.equal(cut.count, 5);
  assert.deepEqual((await cut.readPixels([4])).get(4), tiles[4].pixels);
  assert.throws(
    () => cut.entries(),
    (e: unknown) => e instanceof MosaicError && /entry count/.test(e.message),
  );
  await writeFile(file, text.replace(/\]\]\}$/, ']'));
  const broken = await TileLibrary.open(dir);
  assert.throws(() => broken.entries(), /not valid JSON/);
  // Another field order (say, written by hand) is parsed whole, with the same checks.
  const { tiles: list, ...rest } = JSON.parse(text);
  await writeFile(file, JSON.stringify({ tiles: list, ...rest }));
  const reordered = await TileLibrary.open(dir);
  assert.deepEqual(
    reordered.entries().map((e) => e[0]),
    ['t0', 't1', 't2', 't3', 't4'],
  );
  await writeFile(file, JSON.stringify({ tiles: list.slice(1), ...rest }));
  await assert.rejects(TileLibrary.open(dir), /entry count does not match/);
  // Appending to a library opened lazily keeps every entry.
  await writeFile(file, text);
  const lazy = await TileLibrary.open(dir);
  await lazy.append(syntheticNewTiles(1, 8, 9, 'extra'));
  assert.deepEqual(
    (await TileLibrary.open(dir)).entries().map((e) => e[0]),
    ['t0', 't1', 't2', 't3', 't4', 'extra0'],
  );
});

test('the lock keeps two writers apart and frees itself after a dead one', async () => {
  const dir = path.join(root, 'e');
  const lib = await TileLibrary.create(dir, 8);
  const release = await lib.lock();
  await writeFile(path.join(dir, 'library.lock'), '1'); // pid 1 is alive and is not us
  await assert.rejects(lib.lock(), (e: unknown) => e instanceof MosaicError && e.code === 'LIBRARY_LOCKED');
  await writeFile(path.join(dir, 'library.lock'), '999999999'); // no such process
  const again = await lib.lock();
  await again();
  await release();
});
