import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_FEATURE_GRID } from '../../core/features.js';
import { checkInt } from '../../core/options.js';
import { TileLibrary } from '../../adapters/library/disk.js';
import { addTiles, removeTiles, type AddTilesSummary } from '../../services/tiles.js';
import { plural, UsageError, type Io } from '../output.js';
import { num } from '../parse.js';
import { progress } from '../progress.js';

/** `tiles add --remote`: the photos go to the raw bucket of the configured MosaicMe. */
async function addRemote(io: Io, paths: string[], opts: { json?: boolean; config?: string[] }): Promise<number> {
  const { loadConfig } = await import('../../app/config.js');
  const { compose, closeAll } = await import('../../app/compose.js');
  const { SharpImaging } = await import('../../adapters/imaging/sharp.js');
  const { uploadTiles } = await import('../../services/tiles-remote.js');
  const config = loadConfig(process.env, { configFiles: opts.config?.map((f) => path.resolve(f)) });
  const deps = compose(config);
  const bar = await progress(io, 'uploading', Boolean(opts.json));
  try {
    await deps.storage.ensureBucket(config.buckets.raw);
    const s = await uploadTiles(
      { ...deps, imaging: new SharpImaging() },
      { bucketRaw: config.buckets.raw, tilesQueue: config.queues.tiles },
      paths,
      { skip: (file, reason) => io.err(`skipped ${file}: ${reason}`), progress: bar.update },
    ).finally(bar.stop);
    if (opts.json) io.out(JSON.stringify(s));
    else
      io.out(
        `${plural(s.uploaded, 'photo')} sent to ${config.buckets.raw} for the library stage, ` +
          `${s.duplicate} already there, ${s.skipped} skipped`,
      );
    return s.uploaded + s.duplicate === 0 ? 1 : 0;
  } finally {
    await closeAll(deps);
  }
}

export const DEFAULT_TILE_SIZE = 64;

/** Adds photos to a library (created on first use) and reports each skipped file on one line. */
export async function addWithReport(
  io: Io,
  dir: string,
  inputs: readonly string[],
  opts: { size?: number; json?: boolean; label?: string },
): Promise<AddTilesSummary> {
  const size = checkInt('size', opts.size ?? DEFAULT_TILE_SIZE, 8, 512);
  const lib = await TileLibrary.create(dir, size, DEFAULT_FEATURE_GRID);
  const bar = await progress(io, opts.label ?? 'tiles', Boolean(opts.json));
  const summary = await addTiles(lib, inputs, {
    onProgress: bar.update,
    onSkip: (file, reason) => io.err(`skipped ${file}: ${reason}`),
  }).finally(bar.stop);
  return summary;
}

export function registerTiles(program: Command, io: Io, run: (fn: () => Promise<number>) => Promise<void>): void {
  const tiles = program.command('tiles').description('manage a tile library (a folder of prepared tiles)');

  tiles
    .command('add')
    .usage('<library> <paths...>  |  tiles add --remote <paths...>')
    .description(
      'add photos (files or folders) to a library, creating it if needed; with --remote, to the shared ' +
        'library of a running MosaicMe (configured as for serve)',
    )
    .argument('<targets...>', 'library folder then photos or folders (with --remote: photos or folders only)')
    .option('--size <px>', `tile size stored, chosen when the library is created (default ${DEFAULT_TILE_SIZE})`, num)
    .option('--remote', "put the photos in the raw bucket for the pipeline's library stage")
    .option('--config <file...>', "with --remote: the original's config files to read")
    .option('--json', 'print a machine-readable summary')
    .action((targets: string[], opts: { size?: number; json?: boolean; remote?: boolean; config?: string[] }) =>
      run(async () => {
        if (opts.remote) return addRemote(io, targets, opts);
        if (targets.length < 2) throw new UsageError('give a library folder and at least one photo or folder');
        const [dir, ...paths] = targets;
        const s = await addWithReport(io, dir, paths, opts);
        if (s.total === 0) io.err(`no photos found in ${paths.join(', ')}`);
        if (opts.json) io.out(JSON.stringify(s));
        else {
          io.out(
            `${plural(s.added, 'tile')} added, ${s.duplicate} duplicate, ${s.skipped} skipped, in ${s.seconds} s; ` +
              `the library has ${plural(s.count, 'tile')}`,
          );
        }
        return s.added + s.duplicate === 0 && s.total > 0 ? 1 : s.total === 0 ? 1 : 0;
      }),
    );

  tiles
    .command('info')
    .description('describe a library')
    .argument('<library>', 'library folder')
    .option('--json', 'print JSON')
    .action((dir: string, opts: { json?: boolean }) =>
      run(async () => {
        const lib = await TileLibrary.open(dir);
        const info = { path: lib.dir, ...lib.info };
        if (opts.json) io.out(JSON.stringify(info));
        else {
          io.out(`${lib.dir}: ${plural(lib.count, 'tile')} of ${lib.tileSize} px, format v${info.version}`);
          io.out(`created ${info.createdAt}, updated ${info.updatedAt}`);
        }
        return 0;
      }),
    );

  tiles
    .command('rm')
    .description('remove tiles by id (as shown by `tiles ls`)')
    .argument('<library>', 'library folder')
    .argument('<ids...>', 'tile ids, or unique prefixes of at least 6 characters')
    .action((dir: string, ids: string[]) =>
      run(async () => {
        const lib = await TileLibrary.open(dir);
        const { removed, unknown } = await removeTiles(lib, ids);
        for (const id of unknown) io.err(`no single tile matches ${id}`);
        io.out(`${plural(removed, 'tile')} removed; the library has ${plural(lib.count, 'tile')}`);
        return unknown.length > 0 ? 1 : 0;
      }),
    );

  tiles
    .command('ls')
    .description('list the tiles of a library: id and source')
    .argument('<library>', 'library folder')
    .action((dir: string) =>
      run(async () => {
        const lib = await TileLibrary.open(dir);
        for (const e of lib.entries()) io.out(`${e[0]}  ${e[1]}`);
        return 0;
      }),
    );

  tiles
    .command('demo')
    .description('generate a demo library (and a demo photo) that needs no download')
    .argument('<library>', 'library folder to create')
    .option('--count <n>', 'number of tiles', num, 2000)
    .option('--size <px>', 'tile size', num)
    .option('--json', 'print a machine-readable summary')
    .action((dir: string, opts: { count: number; size?: number; json?: boolean }) =>
      run(async () => {
        const { writeDemo } = await import('../../services/demo.js');
        const r = await writeDemo(dir, { count: opts.count, size: opts.size ?? DEFAULT_TILE_SIZE });
        if (opts.json) io.out(JSON.stringify(r));
        else {
          io.out(`${plural(r.count, 'demo tile')} in ${r.library}; a demo photo in ${r.photo}`);
          io.out(`try: mosaicme make ${r.photo} --library ${r.library} -o demo-mosaic.jpg`);
        }
        return 0;
      }),
    );
}
