import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { availableParallelism } from 'node:os';
import { decodeJpegRgb, plainJpeg } from './jpeg-wasm.js';
import { encodeInStrips } from './jpeg-strips.js';
import { waitForRows, type RowsReady } from './rows-ready.js';
import { MosaicError } from '../../core/errors.js';
import type { RawImage } from '../../core/types.js';

import { DEFAULT_MAX_INPUT_PIXELS, type OutputFormat } from './formats.js';
import type { Encoded, EncodeRequest, Imaging, ReadOptions } from '../../ports.js';

export { DEFAULT_MAX_INPUT_PIXELS };
type Input = string | Uint8Array;

/** One libvips thread per image: parallelism comes from running several images at once. */
sharp.concurrency(1);
sharp.cache(false);

/** Turns sharp's messages into one line a person understands. */
export function describeImageError(err: unknown, maxInputPixels: number): MosaicError {
  const msg = err instanceof Error ? err.message : String(err);
  const say = (reason: string, code: 'UNREADABLE_IMAGE' | 'IMAGE_TOO_LARGE' = 'UNREADABLE_IMAGE') =>
    new MosaicError(code, reason, { cause: err });
  if (/empty/i.test(msg)) return say('empty file (0 bytes)');
  if (/is missing|ENOENT/i.test(msg)) return say('file not found');
  if (/EISDIR/i.test(msg)) return say('is a folder, not an image');
  if (/unsupported image format/i.test(msg)) return say('not an image (unknown or unsupported format)');
  if (/pixel limit/i.test(msg)) {
    return say(`image too large (over the limit of ${Math.round(maxInputPixels / 1e6)} megapixels)`, 'IMAGE_TOO_LARGE');
  }
  if (/premature end|truncat|read error|unexpected end|not enough data|short read/i.test(msg)) {
    return say('truncated or corrupt image data');
  }
  return say(`corrupt image (${msg.split('\n')[0]})`);
}

const open = (input: Input, maxInputPixels: number) =>
  sharp(input, { failOn: 'truncated', limitInputPixels: maxInputPixels, pages: 1 });

/** Width and height after EXIF orientation, checked against the pixel limit without decoding. */
export async function photoSize(
  input: Input,
  opts: ReadOptions = {},
): Promise<{ width: number; height: number; format: string }> {
  const limit = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  try {
    const m = await open(input, limit).metadata();
    if (!m.width || !m.height) throw new Error('unsupported image format');
    if (m.width * m.height > limit) throw new Error('Input image exceeds pixel limit');
    const swap = (m.orientation ?? 1) >= 5;
    return { width: swap ? m.height : m.width, height: swap ? m.width : m.height, format: m.format ?? 'unknown' };
  } catch (err) {
    throw describeImageError(err, limit);
  }
}

/**
 * Decodes a photo to upright sRGB pixels (EXIF orientation applied, CMYK and palettes converted,
 * transparency flattened onto white), shrunk to fit `maxSide` when it is larger.
 */
export async function readPhoto(input: Input, opts: ReadOptions & { maxSide?: number } = {}): Promise<RawImage> {
  const limit = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  try {
    let img = open(input, limit).rotate().toColourspace('srgb').flatten({ background: '#ffffff' });
    if (opts.maxSide) img = img.resize(opts.maxSide, opts.maxSide, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    throw describeImageError(err, limit);
  }
}

/**
 * Makes a square tile of `size` px from a photo: upright, cropped (not squashed) around its most
 * interesting part (libvips' attention strategy), sRGB, no alpha. Small square JPEGs without
 * rotation or colour profile take a faster decoder (see jpeg-wasm.ts); the result is the same
 * kind of tile.
 */
export async function readTile(input: Input, size: number, opts: ReadOptions = {}): Promise<Uint8Array> {
  const limit = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  try {
    const bytes = typeof input === 'string' ? await readFile(input) : input;
    const h = plainJpeg(bytes, limit);
    // Tiles are small and square: decoding them in WebAssembly skips libvips' set-up cost.
    if (h && h.width === h.height && h.width <= size * 8) return (await decodeJpegRgb(bytes, size, size)).data;
    const { data } = await open(bytes, limit)
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .resize(size, size, { fit: 'cover', position: sharp.strategy.attention })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw describeImageError(err, limit);
  }
}

const fromRaw = (image: RawImage) =>
  sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
    limitInputPixels: false,
  });

export type EncodeOptions = { format: OutputFormat; quality: number };

/** Below this a canvas encodes in a few tens of ms and strips would not pay for themselves. */
const STRIP_MIN_PIXELS = 4_000_000;
/** sharp runs each encode on one of libuv's 4 pool threads. */
const ENCODERS = Math.min(4, availableParallelism());

/** Standard Huffman tables and explicit 4:2:0, so that strips encoded apart are coded alike. */
const plainJpegOut = (image: RawImage, quality: number) =>
  fromRaw(image).jpeg({ quality, optimiseCoding: false, mozjpeg: false, chromaSubsampling: '4:2:0' }).toBuffer();

/**
 * Encodes an RGB canvas; Huffman optimisation is off because it doubles time and memory on big
 * canvases. A big JPEG is encoded in strips on every core (see jpeg-strips.ts): same pixels.
 * With `rows`, the canvas is still being painted and each strip waits for its rows.
 */
export async function encodeImage(
  image: RawImage,
  opts: EncodeOptions,
  encoders = ENCODERS,
  rows?: RowsReady,
): Promise<Buffer> {
  if (opts.format === 'jpeg' && encoders >= 2 && image.width * image.height >= STRIP_MIN_PIXELS) {
    const ready = (end: number) => waitForRows(rows, end);
    return encodeInStrips(image, (strip) => plainJpegOut(strip, opts.quality), encoders * 2, encoders, ready);
  }
  await waitForRows(rows, image.height);
  switch (opts.format) {
    case 'jpeg':
      return plainJpegOut(image, opts.quality);
    case 'webp':
      return fromRaw(image).webp({ quality: opts.quality, effort: 2 }).toBuffer();
    case 'png':
      return fromRaw(image).png({ compressionLevel: 6, effort: 1 }).toBuffer();
  }
}

/** A thumbnail `width` px wide, made from the pixels in memory (never by re-reading a huge file). */
export async function thumbnail(image: RawImage, width: number, opts: EncodeOptions): Promise<Buffer> {
  const small = fromRaw(image).resize({ width, kernel: 'lanczos3' });
  switch (opts.format) {
    case 'jpeg':
      return small.jpeg({ quality: Math.max(opts.quality, 80) }).toBuffer();
    case 'webp':
      return small.webp({ quality: Math.max(opts.quality, 80) }).toBuffer();
    case 'png':
      return small.png().toBuffer();
  }
}

/**
 * Writes a Deep Zoom pyramid: `<base>.dzi` and `<base>_files/<level>/<col>_<row>.jpeg`, 254 px
 * tiles with 1 px overlap as libvips and OpenSeadragon expect. libvips' metadata file is removed
 * because it would publish details of the machine.
 */
export async function writeDeepZoom(image: RawImage, base: string, quality: number): Promise<void> {
  await fromRaw(image)
    .jpeg({ quality })
    .tile({ size: 254, overlap: 1, layout: 'dz', container: 'fs' })
    .toFile(`${base}.dz`);
  const { rm } = await import('node:fs/promises');
  await rm(`${base}_files/vips-properties.xml`, { force: true });
}

/** Imaging in this thread with sharp. */
export class SharpImaging implements Imaging {
  async photoSize(bytes: Uint8Array, opts?: ReadOptions) {
    const { width, height } = await photoSize(bytes, opts);
    return { width, height };
  }
  readPhoto(bytes: Uint8Array, opts?: ReadOptions & { maxSide?: number }) {
    return readPhoto(bytes, opts);
  }
  async encode(image: RawImage, req: EncodeRequest): Promise<Encoded> {
    const opts = { format: req.format, quality: req.quality };
    const rows = req.rowsReady;
    const [full, thumb] = await Promise.all([
      req.full ? encodeImage(image, opts, ENCODERS, rows) : undefined,
      req.thumbnail > 0 ? waitForRows(rows, image.height).then(() => thumbnail(image, req.thumbnail, opts)) : undefined,
    ]);
    return { image: full, thumbnail: thumb };
  }
  deepZoom(image: RawImage, base: string, quality: number) {
    return writeDeepZoom(image, base, quality);
  }
  async close() {}
}
