import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { readJpegHeader } from './jpeg-header.js';
import { hasJpegEnd } from './jpeg-wasm.js';

const base = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } });

test('reads size, coding and orientation from JPEG headers', async () => {
  const plain = readJpegHeader(await base().jpeg().toBuffer());
  assert.deepEqual(plain && [plain.width, plain.height, plain.components, plain.sof, plain.orientation, plain.hasIcc], [
    40,
    30,
    3,
    0,
    1,
    false,
  ]);
  const progressive = readJpegHeader(await base().jpeg({ progressive: true }).toBuffer());
  assert.equal(progressive?.sof, 2);
  const rotated = readJpegHeader(await base().jpeg().withMetadata({ orientation: 6 }).toBuffer());
  assert.equal(rotated?.orientation, 6);
  const cmyk = readJpegHeader(await base().toColourspace('cmyk').jpeg().toBuffer());
  assert.equal(cmyk?.components, 4);
  const icc = readJpegHeader(await base().jpeg().withIccProfile('p3').toBuffer());
  assert.equal(icc?.hasIcc, true);
});

test('anything else is not taken for a plain JPEG', async () => {
  assert.equal(readJpegHeader(Buffer.from('not a jpeg')), undefined);
  assert.equal(readJpegHeader(await base().png().toBuffer()), undefined);
  const jpeg = await base().jpeg().toBuffer();
  assert.equal(hasJpegEnd(jpeg), true);
  assert.equal(hasJpegEnd(jpeg.subarray(0, jpeg.length - 100)), false);
});
