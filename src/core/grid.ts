import { PermanentError } from './errors.js';
import { checkInt, checkNumber } from './options.js';
import type { MosaicGrid } from './types.js';

export type GridOptions = {
  /** Output size as a multiple of the photo's size (ignored when `cols` is given). */
  scale?: number;
  /** Cell (tile) size in output pixels. */
  cell: number;
  /** Number of columns; the rows follow the photo's aspect ratio. */
  cols?: number;
};

/** The largest canvas we build in memory: 1 gigapixel is 3 GB of RGB. */
export const MAX_OUTPUT_PIXELS = 1_000_000_000;

/**
 * Lays a grid of whole cells over a photo: `scale` times its size rounded up to whole cells, as
 * metapixel does, or `cols` columns with as many rows as the aspect ratio asks.
 * @example mosaicGrid(800, 499, { scale: 10, cell: 64 }) // { cols: 125, rows: 78, cell: 64, width: 8000, height: 4992 }
 */
export function mosaicGrid(width: number, height: number, opts: GridOptions): MosaicGrid {
  const cell = checkInt('cell', opts.cell, 4, 1024);
  let cols: number;
  let rows: number;
  if (opts.cols !== undefined) {
    cols = checkInt('cols', opts.cols, 1, 100_000);
    rows = Math.max(1, Math.round((cols * height) / width));
  } else {
    const scale = checkNumber('scale', opts.scale ?? 10, 0.01, 1000);
    cols = Math.max(1, Math.ceil((width * scale) / cell - 1e-9));
    rows = Math.max(1, Math.ceil((height * scale) / cell - 1e-9));
  }
  const grid = { cols, rows, cell, width: cols * cell, height: rows * cell };
  const pixels = grid.width * grid.height;
  if (pixels > MAX_OUTPUT_PIXELS) {
    throw new PermanentError(
      'OUTPUT_TOO_LARGE',
      `The mosaic would be ${grid.width}x${grid.height} (${Math.round(pixels / 1e6)} megapixels); ` +
        `the limit is ${MAX_OUTPUT_PIXELS / 1e6} megapixels: lower --scale or --cols`,
    );
  }
  return grid;
}
