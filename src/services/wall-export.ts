import { tileMean } from '../core/features.js';
import { faint, paintCells, squareAt, type PaintCell } from '../core/wall/paint.js';
import type { RawImage } from '../core/types.js';
import type { WallImaging } from '../ports.js';
import type { Placement, WallDef } from '../shapes/wall.js';
import type { WallStore } from './wall-store.js';

/** The largest export canvas: 400 megapixels (1.2 GB of RGB), a 200×150 wall at 300 dpi on a 60 in poster. */
export const MAX_EXPORT_PIXELS = 400e6;

/**
 * The wall as one image at `cellPx` per cell: each photo tone-adjusted for its cell as on the
 * screen, cells still empty showing the faint target. Painted one row of cells at a time with the
 * engine's renderer, so only the canvas and one row are in memory.
 */
export async function renderWall(
  deps: { store: WallStore; imaging: WallImaging },
  wall: WallDef,
  cells: readonly (Placement | undefined)[],
  target: RawImage,
  cellMeans: Float32Array,
  cellPx: number,
  onRow?: (row: number) => void,
): Promise<RawImage> {
  const width = wall.cols * cellPx;
  const height = wall.rows * cellPx;
  if (width * height > MAX_EXPORT_PIXELS)
    throw new RangeError(`${width}x${height} px is over the ${MAX_EXPORT_PIXELS / 1e6} megapixel limit of an export`);
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < wall.rows; row++) {
    const band = faint(
      await deps.imaging.resize(target, width, cellPx, {
        left: 0,
        top: (row * target.height) / wall.rows,
        width: target.width,
        height: target.height / wall.rows,
      }),
    );
    const paint: PaintCell[] = [];
    for (let col = 0; col < wall.cols; col++) {
      const c = row * wall.cols + col;
      const cellMean = cellMeans.subarray(c * 3, c * 3 + 3);
      const placed = cells[c];
      const bytes = placed && (await deps.store.bytes(wall.id, `photos/${placed.photo}.jpg`));
      if (bytes) {
        const pixels = await deps.imaging.cropSquare(bytes, cellPx);
        paint.push({ pixels, mean: tileMean(pixels, cellPx), cellMean });
      } else paint.push({ pixels: squareAt(band, col * cellPx, 0, cellPx), mean: cellMean, cellMean });
    }
    const painted = paintCells({ cols: wall.cols, rows: 1, cellPx }, paint, wall.tone);
    data.set(painted.data, row * width * cellPx * 3);
    onRow?.(row);
  }
  return { data, width, height, channels: 3 };
}

/**
 * Pixels per cell of a poster `inches` wide at `dpi`: whole pixels, so the poster is at most that
 * wide (a few pixels narrower when the width does not divide).
 * @example posterCellPx({ cols: 60 }, 36, 300) // 180
 */
export function posterCellPx(wall: Pick<WallDef, 'cols'>, inches: number, dpi: number): number {
  return Math.max(1, Math.floor((inches * dpi) / wall.cols));
}
