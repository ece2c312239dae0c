import { checkNumber } from './options.js';
import type { MosaicPlan, RawImage } from './types.js';

export type RenderOptions = {
  /**
   * Shifts each tile's colours toward its cell's mean colour: 0 keeps tiles as they are (a pure
   * mosaic), 1 gives every tile its cell's mean colour exactly.
   */
  blend: number;
  /** Called after each row of cells with the number of canvas rows finished, so an encoder can start on them. */
  onRows?: (rows: number) => void;
};

/** Tile pixels at the cell size (RGB, `cell`×`cell`) and their mean colour, by tile number. */
export type TileSource = (tile: number) => { pixels: Uint8Array; mean: Float32Array };

/**
 * Paints the planned tiles into one RGB canvas of `grid.width`×`grid.height`. Tiles must already
 * be at the cell size. Copies whole rows, so a 64-megapixel canvas takes a fraction of a second.
 *
 * @example const canvas = renderMosaic(plan, (t) => tiles.get(t)!, cells.means, { blend: 0.25 });
 */
export function renderMosaic(
  plan: MosaicPlan,
  tileAt: TileSource,
  cellMeans: Float32Array,
  options: RenderOptions,
  canvas?: Uint8Array,
): RawImage {
  const blend = checkNumber('blend', options.blend, 0, 1);
  const { cols, rows, cell, width, height } = plan.grid;
  const data = canvas ?? new Uint8Array(width * height * 3);
  const rowBytes = cell * 3;
  const stride = width * 3;
  const lut = new Uint8Array(256 * 3);
  // Whole rows as 32-bit words when everything is aligned (cells of a multiple of 4 px): 4× fewer moves.
  const words =
    rowBytes % 4 === 0 && data.byteOffset % 4 === 0
      ? new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2)
      : undefined;
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      const c = cy * cols + cx;
      const { pixels, mean } = tileAt(plan.tiles[c]);
      const origin = cy * cell * stride + cx * rowBytes;
      if (blend === 0) {
        if (words) copyWords(pixels, words, origin >> 2, rowBytes >> 2, stride >> 2, cell);
        else
          for (let y = 0; y < cell; y++)
            data.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), origin + y * stride);
        continue;
      }
      for (let ch = 0; ch < 3; ch++) {
        const shift = blend * (cellMeans[c * 3 + ch] - mean[ch]);
        for (let v = 0; v < 256; v++) lut[ch * 256 + v] = Math.min(255, Math.max(0, Math.round(v + shift)));
      }
      for (let y = 0; y < cell; y++) {
        let o = origin + y * stride;
        let p = y * rowBytes;
        for (let x = 0; x < cell; x++) {
          data[o++] = lut[pixels[p++]];
          data[o++] = lut[256 + pixels[p++]];
          data[o++] = lut[512 + pixels[p++]];
        }
      }
    }
    options.onRows?.(Math.min(height, (cy + 1) * cell));
  }
  return { data, width, height, channels: 3 };
}

function copyWords(
  pixels: Uint8Array,
  dst: Uint32Array,
  at: number,
  rowWords: number,
  strideWords: number,
  rows: number,
): void {
  const src =
    pixels.byteOffset % 4 === 0
      ? new Uint32Array(pixels.buffer, pixels.byteOffset, rows * rowWords)
      : new Uint32Array(pixels.slice().buffer);
  for (let y = 0; y < rows; y++) {
    const o = at + y * strideWords;
    const p = y * rowWords;
    for (let x = 0; x < rowWords; x++) dst[o + x] = src[p + x];
  }
}
