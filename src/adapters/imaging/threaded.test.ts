import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MosaicError } from '../../core/errors.js';
import { raw } from '../../../test/helpers/fixtures.js';
import { SharpImaging } from './sharp.js';
import { ThreadedImaging } from './threaded.js';

const threaded = new ThreadedImaging();
const local = new SharpImaging();
after(() => threaded.close());

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

test('a plain JPEG decodes the same with or without sharp', async () => {
  const jpeg = await raw(200, 150, 1).jpeg({ quality: 95 }).toBuffer();
  const a = await threaded.readPhoto(jpeg);
  const b = await local.readPhoto(jpeg);
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  assert.ok(meanAbsDiff(a.data, b.data) < 2, `mean difference ${meanAbsDiff(a.data, b.data)}`);
  const small = await threaded.readPhoto(jpeg, { maxSide: 100 });
  assert.deepEqual([small.width, small.height], [100, 75]);
  assert.deepEqual(await threaded.photoSize(jpeg), { width: 200, height: 150 });
});

test('other photos go to sharp on the worker thread, upright', async () => {
  const turned = await raw(120, 80, 2).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  assert.deepEqual(await threaded.photoSize(turned), { width: 80, height: 120 });
  const img = await threaded.readPhoto(turned);
  assert.deepEqual([img.width, img.height], [80, 120]);
  const png = await raw(64, 48, 3).png({ palette: true }).toBuffer();
  assert.deepEqual((await threaded.readPhoto(png)).width, 64);
});

test('errors cross the thread with their code', async () => {
  const png = await raw(64, 48, 4).png().toBuffer();
  await assert.rejects(
    threaded.readPhoto(png.subarray(0, png.length >> 1)),
    (e: unknown) => e instanceof MosaicError && e.code === 'UNREADABLE_IMAGE' && /truncated or corrupt/.test(e.message),
  );
  await assert.rejects(
    threaded.photoSize(Buffer.from('plain text')),
    (e: unknown) => e instanceof MosaicError && /not an image/.test(e.message),
  );
});

test('encoding on the worker gives the image and its thumbnail', async () => {
  const img = await local.readPhoto(await raw(300, 200, 5).png().toBuffer());
  const out = await threaded.encode(img, { format: 'jpeg', quality: 80, thumbnail: 60, full: true });
  assert.equal((await sharp(out.image!).metadata()).width, 300);
  assert.equal((await sharp(out.thumbnail!).metadata()).width, 60);
  const thumbOnly = await threaded.encode(img, { format: 'webp', quality: 80, thumbnail: 30, full: false });
  assert.equal(thumbOnly.image, undefined);
  assert.equal((await sharp(thumbOnly.thumbnail!).metadata()).format, 'webp');
});
