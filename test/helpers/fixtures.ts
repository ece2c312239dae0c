import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

/** A photo-like test image: a colour gradient with a few shapes, so crops and matches mean something. */
export function gradientImage(width: number, height: number, seed = 0): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const r = (x / width) * 255;
      const g = (y / height) * 255;
      const b = (((x + y * (1 + (seed % 7)) + seed * 37) % 251) / 251) * 255;
      const cx = width * (0.2 + ((seed * 0.37) % 0.6));
      const inBlob = (x - cx) ** 2 + (y - height * 0.4) ** 2 < (Math.min(width, height) * 0.2) ** 2;
      data[p] = inBlob ? 255 - r : r;
      data[p + 1] = inBlob ? 40 : g;
      data[p + 2] = b;
    }
  }
  return data;
}

export const raw = (width: number, height: number, seed = 0) =>
  sharp(gradientImage(width, height, seed), { raw: { width, height, channels: 3 } });

/** A solid colour image. */
export const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });

let crcTable: Uint32Array | undefined;
function crc32(buf: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid PNG header claiming `width`×`height` with almost no pixel data: over any sane limit. */
export function hugePngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Writes one file of every kind the tile reader must handle, good and bad, into `dir`.
 * Returns the names of the good and the bad ones.
 */
export async function writeAwkwardFiles(dir: string): Promise<{ good: string[]; bad: Record<string, string> }> {
  await mkdir(dir, { recursive: true });
  const w = async (name: string, data: Buffer | Promise<Buffer>) => writeFile(path.join(dir, name), await data);
  const jpeg = await raw(160, 120, 1).jpeg().toBuffer();
  await Promise.all([
    w('cmyk.jpg', raw(150, 100, 2).toColourspace('cmyk').jpeg().toBuffer()),
    w('progressive.jpg', raw(100, 100, 3).jpeg({ progressive: true }).toBuffer()),
    w('palette.png', raw(90, 90, 4).png({ palette: true, colours: 16 }).toBuffer()),
    w('interlaced.png', raw(90, 70, 5).png({ progressive: true }).toBuffer()),
    w('grey-alpha.png', raw(80, 80, 6).greyscale().ensureAlpha(0.5).png().toBuffer()),
    w('rotated.jpg', raw(120, 80, 7).jpeg().withMetadata({ orientation: 6 }).toBuffer()),
    w('photo.webp', raw(100, 100, 8).webp().toBuffer()),
    w('photo.tiff', raw(100, 100, 9).tiff().toBuffer()),
    w('photo.gif', raw(64, 64, 10).gif().toBuffer()),
    w('photo.avif', raw(64, 64, 11).avif({ effort: 0 }).toBuffer()),
    w('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2))),
    w('text.jpg', Buffer.from('this is not an image, only text named like one\n')),
    w('empty.jpg', Buffer.alloc(0)),
    w('huge.png', hugePngHeader(30000, 30000)),
  ]);
  return {
    good: [
      'cmyk.jpg',
      'progressive.jpg',
      'palette.png',
      'interlaced.png',
      'grey-alpha.png',
      'rotated.jpg',
      'photo.webp',
      'photo.tiff',
      'photo.gif',
      'photo.avif',
    ],
    bad: {
      'truncated.jpg': 'truncated',
      'text.jpg': 'not an image',
      'empty.jpg': 'empty file',
      'huge.png': 'too large',
    },
  };
}
