import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { MosaicError } from '../core/errors.js';
import { tileFeatures } from '../core/features.js';
import { findImages } from '../adapters/files.js';
import { readTile, DEFAULT_MAX_INPUT_PIXELS } from '../adapters/imaging/sharp.js';
import { pixelHash, TileLibrary, type NewTile } from '../adapters/library/disk.js';

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
export async function addTiles(lib: TileLibrary, inputs: readonly string[], opts: AddTilesOptions = {}): Promise<AddTilesSummary> {
  const started = performance.now();
  const concurrency = opts.concurrency ?? 4;
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
  const release = await lib.lock();
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
        const st = await fs.stat(file);
        const known = bySource.get(file);
        if (known && known[2] === st.size && known[3] === st.mtimeMs) return void duplicate++;
        if (st.size === 0) return void skip(file, 'empty file (0 bytes)');
        if (st.size > maxBytes) return void skip(file, `file too large (${Math.round(st.size / 2 ** 20)} MiB)`);
        const bytes = await fs.readFile(file);
        const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
        if (ids.has(id)) return void duplicate++;
        ids.add(id);
        let pixels: Uint8Array;
        try {
          pixels = await readTile(bytes, lib.tileSize, { maxInputPixels: opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS });
        } catch (err) {
          ids.delete(id);
          if (err instanceof MosaicError) return void skip(file, err.message);
          throw err;
        }
        const hash = pixelHash(pixels);
        if (pixelHashes.has(hash)) return void duplicate++;
        pixelHashes.add(hash);
        return { id, source: file, bytes: st.size, mtimeMs: st.mtimeMs, pixels, features: tileFeatures(pixels, lib.tileSize, lib.grid) };
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, work));
      const tiles = results.filter((t): t is NewTile => t !== undefined);
      await lib.append(tiles);
      added += tiles.length;
    }
  } finally {
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
export async function removeTiles(lib: TileLibrary, ids: readonly string[]): Promise<{ removed: number; unknown: string[] }> {
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
