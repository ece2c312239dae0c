import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { demoPhoto, demoTile } from '../core/demo.js';
import { tileFeatures } from '../core/features.js';
import { checkInt } from '../core/options.js';
import { TileLibrary, type NewTile } from '../adapters/library/disk.js';

const DEMO_PREFIX = 'demo-';

/**
 * Writes a demo library of generated tiles into `dir` (adding only what is missing), and a demo
 * photo `demo-photo.jpg` inside it, so a new user sees a mosaic without downloading anything.
 */
export async function writeDemo(
  dir: string,
  opts: { count: number; size: number },
): Promise<{ library: string; photo: string; count: number }> {
  const count = checkInt('count', opts.count, 1, 100_000);
  const lib = await TileLibrary.create(dir, checkInt('size', opts.size, 8, 512));
  const release = await lib.lock();
  try {
    const have = new Set(lib.entries().map((e) => e[0]));
    const batch: NewTile[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${DEMO_PREFIX}${String(i).padStart(6, '0')}`;
      if (have.has(id)) continue;
      const pixels = demoTile(i, lib.tileSize);
      batch.push({
        id,
        source: `demo:${i}`,
        bytes: 0,
        mtimeMs: 0,
        pixels,
        features: tileFeatures(pixels, lib.tileSize, lib.grid),
      });
      if (batch.length === 500) await lib.append(batch.splice(0));
    }
    await lib.append(batch);
  } finally {
    await release();
  }
  const photo = path.join(dir, 'demo-photo.jpg');
  const img = demoPhoto();
  await fs.writeFile(
    photo,
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  return { library: lib.dir, photo, count: lib.count };
}

/** True when every tile id given is a generated demo tile's (and there is one): no photo has been added. */
export const onlyDemoTiles = (ids: Iterable<string>): boolean => {
  let any = false;
  for (const id of ids) {
    if (!id.startsWith(DEMO_PREFIX)) return false;
    any = true;
  }
  return any;
};

/** True when every tile of the library at `dir` is a generated demo tile: no photo has been added. */
export async function isDemoOnly(dir: string): Promise<boolean> {
  if (!(await TileLibrary.exists(dir))) return false;
  const lib = await TileLibrary.open(dir);
  return onlyDemoTiles(lib.entries().map((e) => e[0]));
}

/**
 * Makes the demo library at `dir` unless a library is there. It is written beside `dir` and moved
 * into place whole, so processes starting together (several engines on one machine) never open a
 * half-written library: the first to finish wins and the others drop their copy. True when this
 * call made it.
 */
export async function ensureDemoLibrary(dir: string, opts: { count: number; size: number }): Promise<boolean> {
  if (await TileLibrary.exists(dir)) return false;
  const tmp = `${dir}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  await writeDemo(tmp, opts);
  try {
    // Replaces `dir` only when it is missing or empty.
    await fs.rename(tmp, dir);
    return true;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (await TileLibrary.exists(dir)) return false;
    throw err;
  }
}
