import { checkChoice } from './options.js';
import type { FeatureSet } from './types.js';

/**
 * Ways a square tile may be turned or mirrored. Each maps a position (x, y) in an n×n square to
 * the source position it is read from.
 */
const TRANSFORMS = [
  (x: number, y: number) => [x, y], // as it is
  (x: number, y: number, n: number) => [n - 1 - x, y], // mirrored
  (x: number, y: number, n: number) => [y, n - 1 - x], // turned a quarter clockwise
  (x: number, y: number, n: number) => [n - 1 - x, n - 1 - y], // upside down
  (x: number, y: number, n: number) => [n - 1 - y, x], // a quarter anticlockwise
  (x: number, y: number, n: number) => [n - 1 - y, n - 1 - x], // mirrored, then turned
  (x: number, y: number, n: number) => [x, n - 1 - y], // mirrored upside down
  (x: number, y: number) => [y, x], // transposed
] as const;

export const VARIANT_SETS = {
  none: [0],
  mirror: [0, 1],
  rotate: [0, 2, 3, 4],
  all: [0, 1, 2, 3, 4, 5, 6, 7],
} as const;
export type Variants = keyof typeof VARIANT_SETS;

/** The tiles the planner chooses from: every library tile in every allowed variant. */
export type Expanded = {
  features: FeatureSet;
  /** Library tile of each entry (the distance rule and use counts apply to it). */
  tile: Int32Array;
  /** Transform of each entry (an index into the transforms above). */
  variant: Uint8Array;
};

/**
 * Adds mirrored and turned variants of each tile, computed from the feature grids alone (turning a
 * tile turns its grid of mean colours exactly), so nothing is stored for them.
 * @example expandVariants(library, 'mirror').features.count === 2 * library.count
 */
export function expandVariants(library: FeatureSet, variants: Variants): Expanded {
  const set = VARIANT_SETS[checkChoice('variants', variants, Object.keys(VARIANT_SETS) as Variants[])];
  const { count, grid, dims, data } = library;
  const out = new Float32Array(count * set.length * dims);
  const tile = new Int32Array(count * set.length);
  const variant = new Uint8Array(count * set.length);
  const maps = set.map((v) => cellMap(v, grid));
  let e = 0;
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < set.length; s++, e++) {
      tile[e] = i;
      variant[e] = set[s];
      const map = maps[s];
      for (let p = 0; p < grid * grid; p++) {
        const from = i * dims + map[p] * 3;
        out[e * dims + p * 3] = data[from];
        out[e * dims + p * 3 + 1] = data[from + 1];
        out[e * dims + p * 3 + 2] = data[from + 2];
      }
    }
  }
  return { features: { count: count * set.length, grid, dims, data: out }, tile, variant };
}

/** For each position of an n×n square, the position it is read from under a transform. */
function cellMap(variant: number, n: number): Int32Array {
  const map = new Int32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const [sx, sy] = TRANSFORMS[variant](x, y, n);
      map[y * n + x] = sy * n + sx;
    }
  }
  return map;
}

/**
 * Applies a variant's transform to square RGB pixels.
 * @example transformTile(pixels, 64, 1) // mirrored copy
 */
export function transformTile(pixels: Uint8Array, size: number, variant: number): Uint8Array {
  if (variant === 0) return pixels;
  const map = cellMap(variant, size);
  const out = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const s = map[p] * 3;
    out[p * 3] = pixels[s];
    out[p * 3 + 1] = pixels[s + 1];
    out[p * 3 + 2] = pixels[s + 2];
  }
  return out;
}
