import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { RawImage } from '../../core/types.js';
import { readJpegHeader } from './jpeg-header.js';
import { encodeInStrips, spliceJpegStrips, stripRows } from './jpeg-strips.js';
import { decodeJpegRgb } from './jpeg-wasm.js';
import { encodeImage } from './sharp.js';

/** Busy pixels, so that every MCU codes differently and a misplaced strip shows. */
function canvas(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7) ^ (i >> 11) ^ ((i / (width * 3)) | 0)) & 255;
  return { width, height, channels: 3, data };
}

const jpegOf = (img: RawImage, quality = 82, chromaSubsampling = '4:2:0') =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .jpeg({ quality, optimiseCoding: false, mozjpeg: false, chromaSubsampling })
    .toBuffer();
const pixels = (jpeg: Uint8Array) => sharp(jpeg).raw().toBuffer();

test('strips spliced into one JPEG decode to exactly the pixels of one encode', async () => {
  for (const [w, h] of [
    [1001, 997],
    [640, 480],
    [33, 700],
  ]) {
    const img = canvas(w, h);
    const whole = await jpegOf(img);
    const spliced = await encodeInStrips(img, (s) => jpegOf(s), 5, 2);
    const head = readJpegHeader(spliced);
    assert.deepEqual([head?.width, head?.height, head?.sof], [w, h, 0]);
    assert.ok(spliced.includes(Buffer.from([0xff, 0xd0])), 'restart markers between strips');
    assert.ok((await pixels(spliced)).equals(await pixels(whole)), `${w}x${h} decodes like one encode`);
    // A second, independent decoder reads the restart markers the same way.
    const wasm = await decodeJpegRgb(spliced, w, h);
    assert.ok(Buffer.from(wasm.data).equals(await pixels(whole)), `${w}x${h} with the WebAssembly decoder`);
  }
});

test('strips stay within the 16-bit restart interval and on MCU rows', () => {
  assert.equal(stripRows(8000, 6000, 1), 131 * 16); // 500 MCUs a row, 65,535 at most
  assert.equal(stripRows(8000, 6000, 4), 94 * 16);
  assert.equal(stripRows(100, 100, 4), 32); // 7 MCU rows in 4 strips
  assert.equal(stripRows(65535, 6000, 1), 15 * 16); // the widest JPEG: 4,096 MCUs a row
});

test('refuses strips that were not coded alike', async () => {
  const a = canvas(64, 64);
  const parts = [await jpegOf(a), await jpegOf(a, 50)];
  assert.throws(() => spliceJpegStrips(parts, 64, 128, 64), /coded differently/);
  const full = [await jpegOf(a, 82, '4:4:4'), await jpegOf(a, 82, '4:4:4')];
  assert.throws(() => spliceJpegStrips(full, 64, 128, 64), /4:2:0/);
  const one = [await jpegOf(a)];
  assert.throws(() => spliceJpegStrips(one, 64, 64, 40), /do not fit/);
  assert.throws(() => spliceJpegStrips([new Uint8Array([1, 2, 3])], 64, 64, 64), /not a JPEG/);
});

test('a big canvas is encoded in strips with the pixels of a single encode', async () => {
  const img = canvas(2400, 1800);
  const strips = await encodeImage(img, { format: 'jpeg', quality: 82 }, 2);
  const single = await encodeImage(img, { format: 'jpeg', quality: 82 }, 1);
  assert.ok(strips.includes(Buffer.from([0xff, 0xdd])), 'declares a restart interval');
  assert.ok(!single.includes(Buffer.from([0xff, 0xdd])));
  assert.ok((await pixels(strips)).equals(await pixels(single)));
});
