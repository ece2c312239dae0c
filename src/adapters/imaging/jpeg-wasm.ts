import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decode, { init } from '@jsquash/jpeg/decode.js';

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
