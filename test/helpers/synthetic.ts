import { featureSet, tileFeatures } from '../../src/core/features.js';
import { seededRandom } from '../../src/core/random.js';
import type { FeatureSet, RawImage } from '../../src/core/types.js';
import type { NewTile } from '../../src/adapters/library/disk.js';

/** Small synthetic tiles for tests: each a two-colour gradient from a seeded generator. */
export function syntheticTiles(count: number, size: number, seed = 1): Uint8Array[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const a = [rnd() * 255, rnd() * 255, rnd() * 255];
    const b = [rnd() * 255, rnd() * 255, rnd() * 255];
    const px = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const t = (x + y) / (2 * size - 2 || 1);
        for (let c = 0; c < 3; c++) px[(y * size + x) * 3 + c] = Math.round(a[c] * (1 - t) + b[c] * t);
      }
    }
    return px;
  });
}

export const libraryOf = (tiles: Uint8Array[], size: number, grid = 5): FeatureSet =>
  featureSet(
    tiles.map((t) => tileFeatures(t, size, grid)),
    grid,
  );

/** A synthetic target photo: smooth colour fields. */
export function syntheticPhoto(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = 128 + 100 * Math.sin(x / 7 + y / 11);
    }
  }
  return { data, width, height, channels: 3 };
}

/** Synthetic tiles as a library stores them, with ids `<prefix><n>`. */
export const syntheticNewTiles = (count: number, size: number, seed = 1, prefix = 't'): NewTile[] =>
  syntheticTiles(count, size, seed).map((pixels, i) => ({
    id: `${prefix}${i}`,
    source: `/x/${prefix}${i}.jpg`,
    bytes: 10,
    mtimeMs: 1,
    pixels,
    features: tileFeatures(pixels, size),
  }));
