import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { syntheticNewTiles } from '../../../test/helpers/synthetic.js';
import { MosaicError } from '../../core/errors.js';
import type { Storage } from '../../ports.js';
import { DiskStorage } from '../storage/disk.js';
import { TileLibrary } from './disk.js';
import { mirrorLibrary, publishLibrary, readManifest } from './remote.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-remote-'));
after(() => rm(root, { recursive: true, force: true }));

const tiles = syntheticNewTiles(12, 8, 5);

/** Counts the objects read, to show a mirror downloads only what it lacks. */
function counting(storage: Storage): Storage & { reads: string[] } {
  const reads: string[] = [];
  return Object.assign(Object.create(storage) as Storage, {
    reads,
    get: (bucket: string, key: string) => (reads.push(key), storage.get(bucket, key)),
  });
}

async function sameLibrary(a: string, b: string) {
  const [x, y] = await Promise.all([TileLibrary.open(a), TileLibrary.open(b)]);
  assert.equal(y.count, x.count);
  assert.deepEqual(y.entries(), x.entries());
  assert.deepEqual(y.featureSet().data, x.featureSet().data);
  const all = [...Array(x.count).keys()];
  assert.deepEqual(await y.readPixels(all), await x.readPixels(all));
}

test('a published library mirrors whole, then grows by the segments added since', async () => {
  const storage = counting(new DiskStorage(path.join(root, 'store')));
  await storage.ensureBucket('lib');
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  const lib = await TileLibrary.create(src, 8);

  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'absent');
  await lib.append(tiles.slice(0, 5));
  await publishLibrary(src, storage, 'lib');
  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'updated');
  await sameLibrary(src, dst);
  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'current');

  await lib.append(tiles.slice(5, 9));
  const m = await publishLibrary(src, storage, 'lib');
  assert.deepEqual(
    m.segments.map((s) => [s.from, s.to]),
    [
      [0, 5],
      [5, 9],
    ],
  );
  storage.reads.length = 0;
  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'updated');
  assert.ok(!storage.reads.some((k) => k.includes('0-5')), `read the old segment again: ${storage.reads.join(', ')}`);
  await sameLibrary(src, dst);
});

test('removing tiles publishes a new generation; mirrors switch to it and drop the old files', async () => {
  const storage = new DiskStorage(path.join(root, 'store2'));
  await storage.ensureBucket('lib');
  const src = path.join(root, 'src2');
  const dst = path.join(root, 'dst2');
  const lib = await TileLibrary.create(src, 8);
  await lib.append(tiles.slice(0, 6));
  await publishLibrary(src, storage, 'lib');
  await mirrorLibrary(storage, 'lib', dst);
  await lib.remove(new Set([1, 4]));
  const m = await publishLibrary(src, storage, 'lib');
  assert.equal(m.generation, 2);
  const keys: string[] = [];
  for await (const o of storage.list('lib')) keys.push(o.key);
  assert.ok(!keys.some((k) => k.startsWith('g1/')), `generation 1 objects left: ${keys.join(', ')}`);
  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'updated');
  await sameLibrary(src, dst);
  assert.deepEqual((await readdir(dst)).filter((f) => f.includes('-1.')).sort(), []);
});

test('a mirror folder holding some other library is replaced, not extended', async () => {
  const storage = new DiskStorage(path.join(root, 'store3'));
  await storage.ensureBucket('lib');
  const src = path.join(root, 'src3');
  const dst = path.join(root, 'dst3');
  const other = await TileLibrary.create(dst, 8);
  await other.append(tiles.slice(6, 9));
  await new Promise((r) => setTimeout(r, 5));
  const lib = await TileLibrary.create(src, 8);
  await lib.append(tiles.slice(0, 5));
  await publishLibrary(src, storage, 'lib');
  assert.equal(await mirrorLibrary(storage, 'lib', dst), 'updated');
  await sameLibrary(src, dst);
});

test('many small publishes are merged into one segment now and then', async () => {
  const storage = new DiskStorage(path.join(root, 'store4'));
  await storage.ensureBucket('lib');
  const src = path.join(root, 'src4');
  const lib = await TileLibrary.create(src, 8);
  const more = syntheticNewTiles(60, 8, 9, 'm');
  for (const t of more) {
    await lib.append([t]);
    await publishLibrary(src, storage, 'lib');
  }
  const m = await readManifest(storage, 'lib');
  assert.ok(m && m.segments.length < 50, `segments: ${m?.segments.length}`);
  assert.equal(m.count, 60);
  const dst = path.join(root, 'dst4');
  await mirrorLibrary(storage, 'lib', dst);
  await sameLibrary(src, dst);
  const objects: string[] = [];
  for await (const o of storage.list('lib')) objects.push(o.key);
  assert.equal(objects.length, m.segments.length * 2 + 2, 'no orphaned segments');
  assert.ok(JSON.parse(await readFile(path.join(dst, 'library.json'), 'utf8')).count === 60);
});

test('a manifest caught half-written is read again; one that never parses is a clear error', async () => {
  const disk = new DiskStorage(path.join(root, 'store5'));
  await disk.ensureBucket('lib');
  const src = path.join(root, 'src5');
  const lib = await TileLibrary.create(src, 8);
  await lib.append(tiles.slice(0, 3));
  await publishLibrary(src, disk, 'lib');
  let torn = 2;
  const racing = Object.assign(Object.create(disk) as Storage, {
    get: async (bucket: string, key: string) =>
      key === 'manifest.json' && torn-- > 0 ? new Uint8Array(0) : disk.get(bucket, key),
  });
  assert.equal((await readManifest(racing, 'lib', [1, 1, 1]))?.count, 3);
  assert.equal(torn, -1, 'read three times');

  await disk.put('lib', 'manifest.json', Buffer.from('{"format":'));
  await assert.rejects(
    readManifest(disk, 'lib', [1]),
    (e: unknown) => e instanceof MosaicError && e.code === 'LIBRARY_CORRUPT' && /not valid JSON/.test(e.message),
  );
});
