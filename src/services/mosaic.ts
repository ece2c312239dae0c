import { PermanentError } from '../core/errors.js';
import { targetCells, tileMean } from '../core/features.js';
import { mosaicGrid } from '../core/grid.js';
import { checkChoice, checkInt, checkNumber, OptionError } from '../core/options.js';
import { planMosaic, planOptions } from '../core/plan.js';
import { renderMosaic } from '../core/render.js';
import { resizeTile } from '../core/resample.js';
import { parallelCandidates, type CandidatePool } from './candidates.js';
import { buildIndex, type IndexMemo } from './index-memo.js';
import { transformTile, type Variants } from '../core/variants.js';
import type { MosaicGrid, MosaicPlan, PlanOptions, RawImage } from '../core/types.js';
import { MAX_SIDE, type OutputFormat } from '../adapters/imaging/formats.js';
import type { Imaging } from '../ports.js';
import type { TileLibrary } from '../adapters/library/disk.js';
import { prefaultedBuffer } from '../adapters/prefault.js';
import { rowsReady } from '../adapters/imaging/rows-ready.js';

export type MosaicOptions = Partial<PlanOptions> & {
  /** Output size as a multiple of the photo; when not given, 10 (the original's), capped at `autoMaxPixels`. */
  scale?: number;
  cell?: number;
  cols?: number;
  blend?: number;
  quality?: number;
  format?: OutputFormat;
  /** Mirrored or turned copies of each tile the placement may use (see core/variants.ts). */
  variants?: Variants;
  /** Thumbnail width in px; 0 for none. */
  thumbnail?: number;
  maxInputPixels?: number;
};

export const DEFAULT_SCALE = 10;
export const DEFAULT_CELL = 64;
/** Chosen from bench/RESULTS.md: keeps the picture readable up close without a visible ghost image. */
export const DEFAULT_BLEND = 0.25;
export const DEFAULT_QUALITY = 82;
export const DEFAULT_THUMBNAIL = 120;
export const DEFAULT_VARIANTS: Variants = 'none';
/** Without an explicit --scale, outputs stay below this size (a 12-megapixel phone photo × 10 would be 1.2 gigapixels). */
export const AUTO_MAX_PIXELS = 150_000_000;

export type MosaicResult = {
  plan: MosaicPlan;
  grid: MosaicGrid;
  image: RawImage;
  /** The encoded full image, or undefined when the format cannot hold it (then use Deep Zoom). */
  encoded?: Uint8Array;
  thumbnail?: Uint8Array;
  format: OutputFormat;
  warnings: string[];
  timings: Record<string, number>;
};

const ms = (t0: number) => Math.round(performance.now() - t0);

/**
 * The engine as the pipeline and the CLI use it: photo bytes (or decoded pixels) and a library in,
 * a plan, the canvas, the encoded image and its thumbnail out. Writes no files.
 */
export async function createMosaic(
  photo: Uint8Array | RawImage,
  library: TileLibrary,
  options: MosaicOptions = {},
  deps: {
    imaging: Imaging;
    pool?: CandidatePool;
    /** Where the library's search index comes from; a long-lived engine passes an `indexMemo()`. */
    indexes?: IndexMemo;
    /** Called after each phase with the share of the work done (0–100), roughly by time. */
    onProgress?: (percent: number, phase: string) => void;
  },
): Promise<MosaicResult> {
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const cell = checkInt('cell', options.cell ?? DEFAULT_CELL, 4, 1024);
  const blend = checkNumber('blend', options.blend ?? DEFAULT_BLEND, 0, 1);
  const quality = checkInt('quality', options.quality ?? DEFAULT_QUALITY, 1, 100);
  const format = checkChoice('format', options.format ?? 'jpeg', ['jpeg', 'webp', 'png'] as const);
  const thumbWidth = checkInt('thumbnail', options.thumbnail ?? DEFAULT_THUMBNAIL, 0, 4096);
  const plan = planOptions(options);
  if (options.scale !== undefined && options.cols !== undefined) {
    throw new OptionError('cols', 'cannot be given with scale: give one of the two', options.cols);
  }
  let t0 = performance.now();
  const isRaw = (p: Uint8Array | RawImage): p is RawImage => 'width' in p && 'data' in p;
  const size = isRaw(photo) ? photo : await deps.imaging.photoSize(photo, { maxInputPixels: options.maxInputPixels });
  // Without an explicit size, a large photo gets a smaller scale instead of a gigapixel canvas.
  const auto = options.scale === undefined && options.cols === undefined;
  const capped = Math.min(DEFAULT_SCALE, Math.sqrt(AUTO_MAX_PIXELS / (size.width * size.height)));
  const scale = auto ? capped : (options.scale ?? DEFAULT_SCALE);
  const grid = mosaicGrid(size.width, size.height, { scale, cell, cols: options.cols });
  if (auto && capped < DEFAULT_SCALE) {
    warnings.push(
      `The photo is large: made the mosaic ${grid.width}x${grid.height} (scale ${scale.toFixed(2)}) instead of 10x; pass --scale to choose`,
    );
  }
  if (library.count === 0) {
    throw new PermanentError(
      'EMPTY_LIBRARY',
      `The tile library ${library.dir} is empty: add photos with mosaicme tiles add`,
    );
  }
  // Features need about grid×4 px per cell; a larger photo is shrunk while decoding.
  const canvas = prefaultedBuffer(grid.width * grid.height * 3);
  const maxSide = Math.max(grid.cols, grid.rows) * library.grid * 4;
  const target = isRaw(photo)
    ? photo
    : await deps.imaging.readPhoto(photo, { maxInputPixels: options.maxInputPixels, maxSide });
  timings.decode = ms(t0);
  deps.onProgress?.(5, 'decode');

  t0 = performance.now();
  const cells = targetCells(target, grid, library.grid);
  const { expanded, index } = (deps.indexes ?? buildIndex)(library.featureSet(), options.variants ?? DEFAULT_VARIANTS);
  timings.features = ms(t0);
  deps.onProgress?.(20, 'features');

  t0 = performance.now();
  const candidates = await parallelCandidates(cells, index, plan.candidates, deps.pool);
  timings.search = ms(t0);
  deps.onProgress?.(40, 'search');
  t0 = performance.now();
  const result = planMosaic(cells, expanded.features, plan, index, expanded.tile, candidates);
  timings.plan = ms(t0);
  deps.onProgress?.(55, 'plan');
  if (result.stats.effectiveDistance < plan.distance) {
    warnings.push(
      `The library has ${library.count} tiles, too few to keep every tile more than ${plan.distance} cells ` +
        `from itself (that needs ${(plan.distance + 1) ** 2}); kept it more than ` +
        `${result.stats.effectiveDistance} ${result.stats.effectiveDistance === 1 ? 'cell' : 'cells'} away instead`,
    );
  }
  if (result.stats.relaxedCells > 0) {
    warnings.push(`${result.stats.relaxedCells} cells could not keep the distance rule and repeat a tile closer`);
  }

  t0 = performance.now();
  const entries = new Set(result.tiles);
  const pixels = await library.readPixels([...entries].map((e) => expanded.tile[e]));
  const prepared = new Map<number, { pixels: Uint8Array; mean: Float32Array }>();
  if (library.tileSize < cell) {
    warnings.push(
      `The library stores ${library.tileSize} px tiles, enlarged to ${cell} px cells (blurry): build it with --size ${cell}`,
    );
  }
  const resized = new Map<number, Uint8Array>();
  for (const e of entries) {
    const t = expanded.tile[e];
    let atCell = resized.get(t);
    if (!atCell) resized.set(t, (atCell = resizeTile(pixels.get(t)!, library.tileSize, cell)));
    const px = transformTile(atCell, cell, expanded.variant[e]);
    prepared.set(e, { pixels: px, mean: tileMean(px, cell) });
  }
  timings.read = ms(t0);
  deps.onProgress?.(65, 'read');

  t0 = performance.now();
  const fits = Math.max(grid.width, grid.height) <= MAX_SIDE[format];
  if (!fits) {
    warnings.push(
      `${grid.width}x${grid.height} is beyond ${format.toUpperCase()}'s limit of ${MAX_SIDE[format]} px a side: wrote Deep Zoom only`,
    );
  }
  // The encoder starts on the first strips while later rows are painted (see rows-ready.ts); it
  // sees the rows as they are painted because the canvas is shared memory (prefaultedBuffer).
  const image: RawImage = { data: canvas.data, width: grid.width, height: grid.height, channels: 3 };
  const rows = rowsReady();
  const req = { format, quality, thumbnail: thumbWidth, full: fits, rowsReady: rows.counter };
  const encoding = deps.imaging.encode(image, req);
  try {
    renderMosaic(result, (t) => prepared.get(t)!, cells.means, { blend, onRows: rows.finished }, canvas.data);
  } catch (err) {
    rows.failed();
    await encoding.catch(() => undefined).finally(() => void canvas.release());
    throw err;
  }
  timings.render = ms(t0);
  deps.onProgress?.(75, 'render');

  t0 = performance.now();
  const out = await encoding.finally(() => void canvas.release());
  timings.encode = ms(t0);
  deps.onProgress?.(100, 'encode');
  return { plan: result, grid, image, encoded: out.image, thumbnail: out.thumbnail, format, warnings, timings };
}
