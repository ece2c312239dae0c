import { renderMosaic } from '../render.js';
import type { MosaicPlan, RawImage } from '../types.js';

/** How strongly the target shows in cells not yet filled on the live screen, over a dark ground. */
export const SCREEN_FAINT = { opacity: 0.42, ground: [18, 18, 22] as const };

/**
 * The target seen faintly: mixed with a plain ground at `opacity`, so the picture reads from the
 * first photo on and filled cells stand out. New pixels; the input is left as it is.
 */
export function faint(
  image: RawImage,
  opacity = SCREEN_FAINT.opacity,
  ground: readonly number[] = SCREEN_FAINT.ground,
): RawImage {
  const data = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, o = 0; o < data.length; i += image.channels, o += 3)
    for (let k = 0; k < 3; k++) data[o + k] = Math.round(ground[k] + opacity * (image.data[i + k] - ground[k]));
  return { data, width: image.width, height: image.height, channels: 3 };
}

/** One cell of a block of cells: its pixels at the cell size, their mean, and the mean its cell asks for. */
export type PaintCell = { pixels: Uint8Array; mean: Float32Array; cellMean: Float32Array };

/**
 * Paints a `cols`×`rows` block of cells with the engine's renderer, each photo's colours moved by
 * `tone` toward its cell's mean (a cell showing the faint target passes its own mean: no shift).
 * With `ghost`, the target (`under`, the block's size) is laid over at that opacity.
 */
export function paintCells(
  block: { cols: number; rows: number; cellPx: number },
  cells: readonly PaintCell[],
  tone: number,
  ghost = 0,
  under?: RawImage,
): RawImage {
  const { cols, rows, cellPx } = block;
  const grid = { cols, rows, cell: cellPx, width: cols * cellPx, height: rows * cellPx };
  const means = new Float32Array(cells.length * 3);
  cells.forEach((c, i) => means.set(c.cellMean, i * 3));
  const tiles = Int32Array.from(cells, (_, i) => i);
  const plan = { grid, tiles } as Pick<MosaicPlan, 'grid' | 'tiles'> as MosaicPlan;
  const out = renderMosaic(plan, (i) => cells[i], means, { blend: tone });
  if (ghost > 0 && under)
    for (let i = 0; i < out.data.length; i++)
      out.data[i] = Math.round(out.data[i] + ghost * (under.data[i] - out.data[i]));
  return out;
}

/** The `size`×`size` square of an RGB image at (`left`, `top`): one cell of a painted block. */
export function squareAt(image: RawImage, left: number, top: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * image.width + left) * 3;
    out.set(image.data.subarray(from, from + size * 3), y * size * 3);
  }
  return out;
}
