import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decode, { init } from '@jsquash/jpeg/decode.js';
import { areaAverage } from '../../core/resample.js';
import type { RawImage } from '../../core/types.js';
import { readJpegHeader, type JpegHeader } from './jpeg-header.js';

// libvips spends about 1 ms of set-up on every image, which dominates for the small square JPEGs
// that tile sets are often made of; mozjpeg compiled to WebAssembly decodes one in about 0.4 ms.
let ready: Promise<void> | undefined;

function load(): Promise<void> {
  ready ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    await init(await WebAssembly.compile(await readFile(wasmPath)));
  })();
  return ready;
}

/**
 * Starts compiling the decoder (about 60 ms, on V8's background threads) so that the first photo
 * does not wait for it; a failure shows again, and is handled, at the first decode.
 */
export function warmJpegDecoder(): void {
  load().catch(() => {});
}

/** True when the buffer ends with the JPEG end-of-image marker (allowing trailing padding). */
export function hasJpegEnd(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  return end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

/** Decodes a baseline or progressive YCbCr/greyscale JPEG to RGBA. */
export async function decodeJpegRgba(
  bytes: Uint8Array,
): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  await load();
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return decode(copy, { preserveOrientation: true });
}

/**
 * The header of a JPEG the WebAssembly decoder reads exactly as sharp would: baseline or
 * progressive, 8-bit YCbCr or grey, upright, no colour profile, complete, and at most
 * `maxPixels`. Anything else is undefined, for sharp to handle (and to explain when it fails).
 */
export function plainJpeg(bytes: Uint8Array, maxPixels: number): JpegHeader | undefined {
  const h = readJpegHeader(bytes);
  const plain =
    h !== undefined &&
    h.sof <= 2 &&
    h.precision === 8 &&
    (h.components === 3 || h.components === 1) &&
    h.orientation === 1 &&
    !h.hasIcc &&
    !h.adobe &&
    h.width * h.height <= maxPixels &&
    hasJpegEnd(bytes);
  return plain ? h : undefined;
}

/** Decodes a plain JPEG (see `plainJpeg`) to RGB, averaged down to `width`×`height` over exact areas. */
export async function decodeJpegRgb(bytes: Uint8Array, width: number, height: number): Promise<RawImage> {
  const rgba = await decodeJpegRgba(bytes);
  const data = new Uint8Array(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength);
  if (rgba.width === width && rgba.height === height) return { data: dropAlpha(data), width, height, channels: 3 };
  const avg = areaAverage({ data, width: rgba.width, height: rgba.height, channels: 4 }, width, height);
  const rgb = new Uint8Array(avg.length);
  for (let i = 0; i < avg.length; i++) rgb[i] = Math.round(avg[i]);
  return { data: rgb, width, height, channels: 3 };
}

/** RGBA to RGB: the photo at its own size needs no averaging (that pass costs 30–40 ms at 800 px). */
function dropAlpha(rgba: Uint8Array): Uint8Array {
  const n = rgba.length >> 2;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    rgb[j] = rgba[i * 4];
    rgb[j + 1] = rgba[i * 4 + 1];
    rgb[j + 2] = rgba[i * 4 + 2];
  }
  return rgb;
}
