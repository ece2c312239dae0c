import { srgbToLab } from './colour.js';
import { areaAverage } from './resample.js';
import { sharedFloat32 } from './shared.js';
import type { FeatureSet, MosaicGrid, RawImage, TargetCells } from './types.js';

/** Sub-cells per side of the colour grid that describes a tile or a cell (5×5, as metapixel). */
export const DEFAULT_FEATURE_GRID = 5;

/**
 * The matching features of one square RGB tile: a `grid`×`grid` array of mean CIELAB colours.
 * @example tileFeatures(pixels, 64, 5) // Float32Array(75)
 */
export function tileFeatures(pixels: Uint8Array, size: number, grid = DEFAULT_FEATURE_GRID): Float32Array {
  const avg = areaAverage({ data: pixels, width: size, height: size, channels: 3 }, grid, grid);
  const out = new Float32Array(grid * grid * 3);
  for (let i = 0; i < out.length; i += 3) srgbToLab(avg[i], avg[i + 1], avg[i + 2], out, i);
  return out;
}

/**
 * Mean sRGB colour of a square RGB tile, as 3 floats.
 * @example tileMean(new Uint8Array([10, 20, 30]), 1) // Float32Array [10, 20, 30]
 */
export function tileMean(pixels: Uint8Array, size: number): Float32Array {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < size * size * 3; i += 3) {
    r += pixels[i];
    g += pixels[i + 1];
    b += pixels[i + 2];
  }
  const n = size * size;
  return new Float32Array([r / n, g / n, b / n]);
}

/**
 * What each cell of the mosaic asks for: the target is averaged over exact areas onto a
 * `cols*grid`×`rows*grid` raster (stretched by less than one cell where the grid rounds up),
 * then each cell's `grid`×`grid` block becomes its feature vector.
 * @example targetCells(photo, { cols: 125, rows: 78, cell: 64, width: 8000, height: 4992 })
 */
export function targetCells(target: RawImage, mosaic: MosaicGrid, grid = DEFAULT_FEATURE_GRID): TargetCells {
  const { cols, rows } = mosaic;
  const w = cols * grid;
  const avg = areaAverage(target, w, rows * grid);
  const dims = grid * grid * 3;
  const count = cols * rows;
  const data = sharedFloat32(count * dims);
  const means = sharedFloat32(count * 3);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      const cell = cy * cols + cx;
      let k = cell * dims;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < grid; sy++) {
        for (let sx = 0; sx < grid; sx++) {
          const p = ((cy * grid + sy) * w + cx * grid + sx) * 3;
          srgbToLab(avg[p], avg[p + 1], avg[p + 2], data, k);
          r += avg[p];
          g += avg[p + 1];
          b += avg[p + 2];
          k += 3;
        }
      }
      const n = grid * grid;
      means[cell * 3] = r / n;
      means[cell * 3 + 1] = g / n;
      means[cell * 3 + 2] = b / n;
    }
  }
  return { grid: mosaic, features: { count, grid, dims, data }, means };
}

/**
 * Packs per-tile feature vectors into one FeatureSet.
 * @example featureSet([tileFeatures(a, 64), tileFeatures(b, 64)], 5)
 */
export function featureSet(vectors: readonly Float32Array[], grid = DEFAULT_FEATURE_GRID): FeatureSet {
  const dims = grid * grid * 3;
  const data = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => data.set(v, i * dims));
  return { count: vectors.length, grid, dims, data };
}
