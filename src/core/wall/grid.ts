import { PermanentError } from '../errors.js';
import { checkInt } from '../options.js';

/** Columns and rows a wall may have: 10×10 up to 300×300, at most 40,000 cells. */
export const WALL_LIMITS = { min: 10, max: 300, cells: 40_000 } as const;

/** Pixels of the target a cell needs at least, each way, for its colours to mean anything. */
export const MIN_TARGET_PX_PER_CELL = 2;

export type WallGrid = { cols: number; rows: number };

/**
 * The grid of a wall over its target: `cols` columns and `rows` rows of square cells, the rows
 * following the target's aspect when not given. A target too small to give each cell a few
 * pixels is refused: its cells would all ask for the same blur.
 * @example wallGrid(1600, 1200, { cols: 40 }) // { cols: 40, rows: 30 }
 */
export function wallGrid(width: number, height: number, opts: { cols: number; rows?: number }): WallGrid {
  const { min, max, cells } = WALL_LIMITS;
  const cols = checkInt('cols', opts.cols, min, max);
  const rows =
    opts.rows === undefined
      ? Math.min(max, Math.max(min, Math.round((cols * height) / width)))
      : checkInt('rows', opts.rows, min, max);
  if (cols * rows > cells)
    throw new PermanentError(
      'INVALID_OPTION',
      `a wall of ${cols}x${rows} has ${cols * rows} cells; the limit is ${cells}: use fewer columns`,
    );
  const need = MIN_TARGET_PX_PER_CELL;
  if (width < cols * need || height < rows * need)
    throw new PermanentError(
      'INVALID_TARGET',
      `the target is ${width}x${height} px, too small for a ${cols}x${rows} wall: ` +
        `it needs at least ${cols * need}x${rows * need} px (${need} px per cell)`,
    );
  return { cols, rows };
}

/**
 * Pixels per cell of the wall's screen image: the largest power of two up to 256 that keeps the
 * whole wall under 160 megapixels, so Deep Zoom tiles (256 px) hold whole cells and the deepest
 * level shows one photo per tile.
 * @example screenCellPx({ cols: 60, rows: 40 }) // 256
 */
export function screenCellPx(grid: WallGrid): number {
  let px = 256;
  while (px > 32 && grid.cols * grid.rows * px * px > 160e6) px /= 2;
  return px;
}
