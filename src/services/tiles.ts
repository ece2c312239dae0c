import { statSync } from 'node:fs';
import { findImages } from '../adapters/files.js';
import { DEFAULT_MAX_INPUT_PIXELS } from '../adapters/imaging/formats.js';
import { WorkerPool } from '../adapters/workers.js';
import type { TileDone, TileTask } from '../adapters/imaging/tile-worker.js';
import { TileLibrary, type NewTile } from '../adapters/library/disk.js';

export type AddTilesOptions = {
  /** Images decoded at once; sharp runs each on one libuv thread. */
  concurrency?: number;
  maxInputPixels?: number;
  /** Files larger than this are skipped before reading. */
  maxFileBytes?: number;
  onProgress?: (done: number, total: number) => void;
  onSkip?: (file: string, reason: string) => void;
};

export type AddTilesSummary = {
  library: string;
  added: number;
  duplicate: number;
  skipped: number;
  total: number;
  count: number;
  seconds: number;
};

const BATCH = 256;

/**
 * Adds photos (files or folders) to a tile library. Only new content is processed: a file already
 * added (same path, size and time, or same bytes, or the same tile pixels) counts as a duplicate.
 * Bad files are skipped with a reason and never stop the run. Tiles are appended in batches in the
 * order of the sorted file list, so the same inputs always give the same library.
 */
export async function addTiles(
  lib: TileLibrary,
  inputs: readonly string[],
  opts: AddTilesOptions = {},
): Promise<AddTilesSummary> {
  const started = performance.now();
  const concurrency = opts.concurrency ?? 8;
  const maxBytes = opts.maxFileBytes ?? 256 * 1024 * 1024;
  const files = await findImages(inputs, [lib.dir]);
  const bySource = new Map(lib.entries().map((e) => [e.at(1) as string, e]));
  const ids = new Set(lib.entries().map((e) => e[0]));
  const pixelHashes = new Set(lib.entries().map((e) => e[4]));
  let added = 0;
  let duplicate = 0;
  let skipped = 0;
  let done = 0;
  const skip = (file: string, reason: string) => {
    skipped++;
    opts.onSkip?.(file, reason);
  };
  const maxInputPixels = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const release = await lib.lock();
  const pool = new WorkerPool<TileTask, TileDone>(new URL('../adapters/imaging/tile-worker.js', import.meta.url));
  try {
    for (let start = 0; start < files.length; start += BATCH) {
      const batch = files.slice(start, start + BATCH);
      const results: (NewTile | undefined)[] = new Array(batch.length);
      let next = 0;
      const work = async () => {
        while (next < batch.length) {
          const i = next++;
          const { file, missing } = batch[i];
          results[i] = await prepare(file, missing);
          opts.onProgress?.(++done, files.length);
        }
      };
      const prepare = async (file: string, missing?: boolean): Promise<NewTile | undefined> => {
        if (missing) return void skip(file, 'file not found');
        const st = statSync(file);
        const known = bySource.get(file);
        if (known && known[2] === st.size && known[3] === st.mtimeMs) return void duplicate++;
        if (st.size === 0) return void skip(file, 'empty file (0 bytes)');
        if (st.size > maxBytes) return void skip(file, `file too large (${Math.round(st.size / 2 ** 20)} MiB)`);
        const done = await pool.run({ file, size: lib.tileSize, grid: lib.grid, maxInputPixels });
        if (!done.ok) return void skip(file, done.reason);
        if (ids.has(done.id) || pixelHashes.has(done.pixelHash)) return void duplicate++;
        ids.add(done.id);
        pixelHashes.add(done.pixelHash);
        return {
          id: done.id,
          source: file,
          bytes: st.size,
          mtimeMs: st.mtimeMs,
          pixels: done.pixels,
          features: done.features,
        };
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, work));
      const tiles = results.filter((t): t is NewTile => t !== undefined);
      await lib.append(tiles);
      added += tiles.length;
    }
  } finally {
    await pool.close();
    await release();
  }
  return {
    library: lib.dir,
    added,
    duplicate,
    skipped,
    total: files.length,
    count: lib.count,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}

/** Removes tiles by id (or a unique id prefix of at least 6 characters); returns the ids not found. */
export async function removeTiles(
  lib: TileLibrary,
  ids: readonly string[],
): Promise<{ removed: number; unknown: string[] }> {
  const entries = lib.entries();
  const positions = new Set<number>();
  const unknown: string[] = [];
  for (const want of ids) {
    const hits = entries.flatMap((e, i) => (e[0] === want || (want.length >= 6 && e[0].startsWith(want)) ? [i] : []));
    if (hits.length !== 1) unknown.push(want);
    else positions.add(hits[0]);
  }
  if (positions.size > 0) {
    const release = await lib.lock();
    try {
      await lib.remove(positions);
    } finally {
      await release();
    }
  }
  return { removed: positions.size, unknown };
}
