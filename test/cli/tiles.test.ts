import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TileLibrary } from '../../src/adapters/library/disk.js';
import { mosaicme } from '../helpers/cli.js';
import { raw, writeAwkwardFiles } from '../helpers/fixtures.js';

let root: string;
let photos: string;
let awkward: Awaited<ReturnType<typeof writeAwkwardFiles>>;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-tiles-'));
  photos = path.join(root, 'photos');
  awkward = await writeAwkwardFiles(photos);
});
after(() => rm(root, { recursive: true, force: true }));

test('tiles add reads every format, skips each bad file with its reason, and counts', async () => {
  const lib = path.join(root, 'lib');
  const r = await mosaicme(['tiles', 'add', lib, photos, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.added, awkward.good.length);
  assert.equal(summary.skipped, Object.keys(awkward.bad).length);
  assert.equal(summary.duplicate, 0);
  for (const [file, reason] of Object.entries(awkward.bad)) {
    const line = r.stderr.split('\n').find((l) => l.includes(file));
    assert.ok(line, `no line names ${file}:\n${r.stderr}`);
    assert.match(line, new RegExp(reason), line);
  }
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('skipped')).length, 4, 'one line per bad file');
});

test('a rotated photo is stored upright, a wide one cropped square', async () => {
  const lib = path.join(root, 'upright');
  // Stored 80 wide x 120 tall with orientation 6 (display: turn 90° clockwise => 120 wide x 80 tall).
  // The stored left column is red, so after turning, the top row is red.
  const data = Buffer.alloc(80 * 120 * 3);
  for (let y = 0; y < 120; y++)
    for (let x = 0; x < 80; x++) data.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 80 + x) * 3);
  const file = path.join(root, 'turned.jpg');
  const sharp = (await import('sharp')).default;
  await writeFile(
    file,
    await sharp(data, { raw: { width: 80, height: 120, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  const r = await mosaicme(['tiles', 'add', lib, file, '--size', '16']);
  assert.equal(r.code, 0, r.stderr);
  const tiles = await TileLibrary.open(lib);
  const px = (await tiles.readPixels([0])).get(0)!;
  const top = px.subarray(0, 3);
  const bottom = px.subarray((15 * 16 + 8) * 3, (15 * 16 + 8) * 3 + 3);
  assert.ok(top[0] > 150 && top[2] < 100, `top is red: ${[...top]}`);
  assert.ok(bottom[2] > 150 && bottom[0] < 100, `bottom is blue: ${[...bottom]}`);
});

test('adding is incremental: known files are not processed again, same content is stored once', async () => {
  const lib = path.join(root, 'incremental');
  const dir = path.join(root, 'inc');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir);
  for (let i = 0; i < 6; i++)
    await raw(64, 64, 100 + i)
      .jpeg()
      .toFile(path.join(dir, `p${i}.jpg`));
  const first = JSON.parse((await mosaicme(['tiles', 'add', lib, dir, '--json'])).stdout);
  assert.equal(first.added, 6);
  await raw(64, 64, 200).jpeg().toFile(path.join(dir, 'new.jpg'));
  await raw(64, 64, 101).jpeg().toFile(path.join(dir, 'copy-of-p1.jpg'));
  const second = JSON.parse((await mosaicme(['tiles', 'add', lib, dir, '--json'])).stdout);
  assert.deepEqual([second.added, second.duplicate, second.skipped, second.count], [1, 7, 0, 7]);
});

test('exit code is non-zero only when nothing could be read', async () => {
  const bad = path.join(root, 'only-bad');
  const { mkdir, copyFile } = await import('node:fs/promises');
  await mkdir(bad);
  await copyFile(path.join(photos, 'text.jpg'), path.join(bad, 'text.jpg'));
  const r = await mosaicme(['tiles', 'add', path.join(root, 'lib-bad'), bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /text\.jpg: not an image/);
  const missing = await mosaicme(['tiles', 'add', path.join(root, 'lib-bad'), path.join(root, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /file not found/);
});

test('piped output shows plain progress lines and a summary', async () => {
  const r = await mosaicme(['tiles', 'add', path.join(root, 'lib-plain'), photos]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /tiles: \d+\/14 \(\d+%\), \d+\/s, ETA \d+s/);
  assert.match(r.stdout, /10 tiles added, 0 duplicate, 4 skipped/);
});

test('tiles info, ls and rm', async () => {
  const lib = path.join(root, 'lib');
  const info = JSON.parse((await mosaicme(['tiles', 'info', lib, '--json'])).stdout);
  assert.equal(info.count, 10);
  assert.equal(info.tileSize, 64);
  const ids = (await mosaicme(['tiles', 'ls', lib])).stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[0]);
  assert.equal(ids.length, 10);
  const rm1 = await mosaicme(['tiles', 'rm', lib, ids[0], ids[1].slice(0, 8)]);
  assert.equal(rm1.code, 0, rm1.stderr);
  assert.match(rm1.stdout, /2 tiles removed; the library has 8 tiles/);
  const rm2 = await mosaicme(['tiles', 'rm', lib, 'ffffffffffff']);
  assert.equal(rm2.code, 1);
  assert.match(rm2.stderr, /no single tile matches ffffffffffff/);
  const notLib = await mosaicme(['tiles', 'info', path.join(root, 'photos')]);
  assert.equal(notLib.code, 1);
  assert.match(notLib.stderr, /^mosaicme: .*no tile library here/);
});

test('tiles demo makes a usable library and a photo without any download', async () => {
  const dir = path.join(root, 'demo');
  const r = await mosaicme(['tiles', 'demo', dir, '--count', '300', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.count, 300);
  assert.ok((await readdir(dir)).includes('demo-photo.jpg'));
  const again = JSON.parse((await mosaicme(['tiles', 'demo', dir, '--count', '300', '--json'])).stdout);
  assert.equal(again.count, 300, 'running it twice adds nothing');
});
