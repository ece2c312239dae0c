import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Variants } from '../../core/variants.js';
import { MosaicError, PermanentError } from '../../core/errors.js';
import type { OutputFormat } from '../../adapters/imaging/formats.js';
import { ThreadedImaging } from '../../adapters/imaging/threaded.js';
import { TileLibrary } from '../../adapters/library/disk.js';
import { candidatePool, type CandidatePool } from '../../services/candidates.js';
import { savedIndexes } from '../../services/index-memo.js';
import { createMosaic, DEFAULT_BLEND, DEFAULT_QUALITY, type MosaicOptions } from '../../services/mosaic.js';
import { plural, UsageError, type Io } from '../output.js';
import { num } from '../parse.js';
import { addWithReport, DEFAULT_TILE_SIZE } from './tiles.js';

type MakeFlags = {
  library?: string;
  tiles?: string;
  output: string;
  scale?: number;
  cell?: number;
  cols?: number;
  distance?: number;
  maxUses?: number;
  blend?: number;
  seed?: number;
  quality?: number;
  format?: OutputFormat;
  thumbnail?: number;
  variants?: Variants;
  variantDistance?: number;
  reusePenalty?: number;
  dzi?: boolean;
  json?: boolean;
};

const FORMAT_BY_EXT: Record<string, OutputFormat> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.png': 'png' };

/** Where `--tiles <folder>` keeps the library it builds: one per folder and tile size. */
export function cachedLibraryDir(folder: string, size: number, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.MOSAICME_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mosaicme');
  const abs = path.resolve(folder);
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return path.join(base, 'libraries', `${path.basename(abs) || 'root'}-${key}-${size}px`);
}

async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

const withSuffix = (file: string, suffix: string) => {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}${suffix}`;
};

export function registerMake(program: Command, io: Io, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('make')
    .description('make one mosaic of a photo, offline')
    .argument('<photo>', 'the photo to rebuild out of tiles')
    .requiredOption('-o, --output <file>', 'output image (.jpg, .webp or .png)')
    .option('--library <dir>', 'tile library folder (see: mosaicme tiles add)')
    .option('--tiles <folder>', 'a folder of photos: builds or refreshes a cached library from it')
    .option(
      '--scale <n>',
      'output size as a multiple of the photo (default 10, kept under 150 megapixels unless given)',
      num,
    )
    .option('--cell <px>', 'tile size in the output (default 64)', num)
    .option('--cols <n>', 'number of tile columns (instead of --scale)', num)
    .option('--distance <n>', 'the same tile never within N cells of itself (default 5)', num)
    .option('--max-uses <n>', 'use one tile at most N times (default: no cap)', num)
    .option('--blend <x>', `shift tile colours toward the photo, 0 (pure mosaic) to 1 (default ${DEFAULT_BLEND})`, num)
    .option('--seed <n>', 'seed for the placement order: same inputs and seed, same mosaic (default 1)', num)
    .option('--quality <q>', `JPEG/WebP quality 1-100 (default ${DEFAULT_QUALITY})`, num)
    .option('--variants <set>', 'also use tiles mirrored (mirror), turned (rotate) or both (all); default none')
    .option('--variant-distance <n>', 'how close two variants of one tile may be (default: --distance)', num)
    .option(
      '--reuse-penalty <x>',
      'cost of each further use of a tile: higher gives more variety, lower more fidelity (default 0.15)',
      num,
    )
    .option('--format <f>', 'jpeg, webp or png (default: from the output name)')
    .option('--thumbnail <px>', 'thumbnail width, 0 for none (default 120)', num)
    .option('--dzi', 'also write a Deep Zoom pyramid (<output>.dzi and <output>_files/) for the web viewer')
    .option('--json', 'print a machine-readable summary')
    .action((photo: string, flags: MakeFlags) => run(() => make(io, photo, flags)));
}

async function make(io: Io, photo: string, flags: MakeFlags): Promise<number> {
  const imaging = new ThreadedImaging();
  try {
    return await makeWith(io, imaging, photo, flags);
  } finally {
    await imaging.close();
  }
}

async function makeWith(io: Io, imaging: ThreadedImaging, photo: string, flags: MakeFlags): Promise<number> {
  const started = performance.now();
  // The search helper starts now, while the library loads and the photo decodes on this thread.
  const cores = os.availableParallelism();
  const pool = cores > 1 ? candidatePool(cores - 1) : undefined;
  try {
    return await makeIn(io, imaging, pool, photo, flags, started);
  } finally {
    void pool?.close();
  }
}

async function makeIn(
  io: Io,
  imaging: ThreadedImaging,
  pool: CandidatePool | undefined,
  photo: string,
  flags: MakeFlags,
  started: number,
): Promise<number> {
  if (!flags.library === !flags.tiles) {
    throw new UsageError('give one of --library <dir> or --tiles <folder>');
  }
  const format = flags.format ?? FORMAT_BY_EXT[path.extname(flags.output).toLowerCase()] ?? 'jpeg';
  const bytes = await fs.readFile(photo).catch((err: NodeJS.ErrnoException) => {
    throw new PermanentError('UNREADABLE_IMAGE', `${photo}: ${err.code === 'ENOENT' ? 'file not found' : err.message}`);
  });
  let libDir = flags.library!;
  const timings: Record<string, number> = {};
  if (flags.tiles) {
    const t0 = performance.now();
    // Tiles are prepared at the cell size, at least 64 px so a later larger cell stays sharp.
    const size = Math.max(flags.cell ?? DEFAULT_TILE_SIZE, DEFAULT_TILE_SIZE);
    libDir = cachedLibraryDir(flags.tiles, size);
    const s = await addWithReport(io, libDir, [flags.tiles], { json: flags.json, label: 'preparing tiles', size });
    if (!flags.json && s.added > 0)
      io.err(`prepared ${plural(s.added, 'new tile')} from ${flags.tiles} (cached in ${libDir})`);
    timings.library = Math.round(performance.now() - t0);
  }
  let t0 = performance.now();
  const library = await TileLibrary.open(libDir);
  timings.load = Math.round(performance.now() - t0);
  const options: MosaicOptions = {
    scale: flags.scale,
    cell: flags.cell,
    cols: flags.cols,
    distance: flags.distance,
    maxUses: flags.maxUses,
    blend: flags.blend,
    seed: flags.seed,
    quality: flags.quality,
    format,
    thumbnail: flags.thumbnail,
    variants: flags.variants,
    variantDistance: flags.variantDistance,
    reusePenalty: flags.reusePenalty,
  };
  for (const k of Object.keys(options) as (keyof MosaicOptions)[]) if (options[k] === undefined) delete options[k];
  let result;
  try {
    result = await createMosaic(bytes, library, options, { imaging, pool, indexes: savedIndexes(library) });
  } catch (err) {
    // Image errors describe the file without naming it; here the name is known.
    if (err instanceof MosaicError && (err.code === 'UNREADABLE_IMAGE' || err.code === 'IMAGE_TOO_LARGE')) {
      throw new PermanentError(err.code, `${photo}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  Object.assign(timings, result.timings);
  t0 = performance.now();
  await fs.mkdir(path.dirname(path.resolve(flags.output)), { recursive: true });
  const written: Record<string, string | number> = {};
  const ext = format === 'jpeg' ? '.jpg' : `.${format}`;
  const writes: Promise<void>[] = [];
  if (result.encoded) {
    writes.push(writeFileAtomic(flags.output, result.encoded));
    written.image = flags.output;
    written.bytes = result.encoded.length;
  }
  if (result.thumbnail) {
    const thumb = withSuffix(flags.output, `.thumb${ext}`);
    writes.push(writeFileAtomic(thumb, result.thumbnail));
    written.thumbnail = thumb;
    written.thumbnailBytes = result.thumbnail.length;
  }
  if (flags.dzi || !result.encoded) {
    const base = withSuffix(flags.output, '');
    await fs.rm(`${base}_files`, { recursive: true, force: true });
    writes.push(
      imaging.deepZoom(result.image, base, Math.min(result.format === 'jpeg' ? (flags.quality ?? 80) : 80, 90)),
    );
    written.dzi = `${base}.dzi`;
  }
  await Promise.all(writes);
  timings.write = Math.round(performance.now() - t0);
  timings.total = Math.round(performance.now() - started);
  for (const w of result.warnings) io.err(`note: ${w}`);
  const { stats, grid } = result.plan;
  if (flags.json) {
    io.out(
      JSON.stringify({
        photo,
        library: libDir,
        grid: { cols: grid.cols, rows: grid.rows, cell: grid.cell },
        output: { width: grid.width, height: grid.height, format, ...written },
        cells: stats.cells,
        distinctTiles: stats.distinctTiles,
        maxUses: stats.maxUses,
        distance: stats.effectiveDistance,
        relaxedCells: stats.relaxedCells,
        meanCost: Math.round(stats.meanCost * 10) / 10,
        warnings: result.warnings,
        timings,
      }),
    );
  } else {
    const where = [written.image, written.thumbnail, written.dzi].filter(Boolean).join(', ');
    io.out(
      `wrote ${where}: ${grid.width}x${grid.height}, ${grid.cols}x${grid.rows} cells of ${grid.cell} px, ` +
        `${plural(stats.distinctTiles, 'distinct tile')}, most used ${stats.maxUses}x, in ${(timings.total / 1000).toFixed(2)} s`,
    );
  }
  return 0;
}
