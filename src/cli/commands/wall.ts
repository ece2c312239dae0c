import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError, type Io } from '../output.js';
import { num } from '../parse.js';
import { registerWallPrint } from './wall-print.js';

/** The largest width or height a JPEG can have. */
const JPEG_MAX_SIDE = 65_535;

type Common = { config?: string[]; json?: boolean };
type Run = (fn: () => Promise<number>) => Promise<void>;

/** The configured storage (and queue, for photos sent), with the site's address for links. */
async function open(opts: Common) {
  const { loadConfig } = await import('../../app/config.js');
  const { compose, closeAll } = await import('../../app/compose.js');
  const { defaultSiteUrl } = await import('../../app/site-url.js');
  const { WallStore } = await import('../../services/wall-store.js');
  const { SharpWallImaging } = await import('../../adapters/imaging/wall-imaging.js');
  const config = loadConfig(process.env, { configFiles: opts.config?.map((f) => path.resolve(f)) });
  const deps = compose(config);
  await deps.storage.ensureBucket(config.buckets.in);
  const site = (config.galleryUrl ?? defaultSiteUrl(config.port)).replace(/\/+$/, '');
  return {
    config,
    deps,
    site,
    store: new WallStore(deps.storage, config.buckets.in),
    imaging: new SharpWallImaging(),
    close: () => closeAll(deps),
  };
}
type Opened = Awaited<ReturnType<typeof open>>;

const using = async (opts: Common, fn: (o: Opened) => Promise<number>): Promise<number> => {
  const o = await open(opts);
  try {
    return await fn(o);
  } finally {
    await o.close();
  }
};

async function create(
  io: Io,
  opts: Common & {
    title: string;
    target: string;
    cols: number;
    rows?: number;
    hashtag?: string;
    tone?: number;
    ghost?: number;
    tileInches?: number;
    dpi?: number;
  },
): Promise<number> {
  const target = await fs.readFile(opts.target).catch(() => {
    throw new UsageError(`cannot read the target ${opts.target}`);
  });
  return using(opts, async ({ store, imaging, site }) => {
    const { createWall } = await import('../../services/walls.js');
    const wall = await createWall(
      { store, imaging },
      { ...opts, target, print: { tileInches: opts.tileInches, dpi: opts.dpi } },
    );
    if (opts.json) io.out(JSON.stringify(wall));
    else {
      io.out(`wall ${wall.id}: "${wall.title}", ${wall.cols}x${wall.rows} = ${wall.cols * wall.rows} cells`);
      io.out(`  screen: ${site}/walls/${wall.id}`);
      io.out(`  upload: ${site}/walls/${wall.id}/upload`);
      if (wall.hashtag)
        io.out(`  hashtag: #${wall.hashtag} (list it in REQUEST_HASHTAGS for the collector to hear it)`);
    }
    return 0;
  });
}

async function list(io: Io, opts: Common): Promise<number> {
  return using(opts, async ({ store }) => {
    const { wallSummary } = await import('../../services/walls.js');
    const walls = await Promise.all((await store.list()).map((w) => wallSummary(store, w)));
    if (opts.json) io.out(JSON.stringify(walls));
    else if (walls.length === 0) io.out('no walls yet: make one with `mosaicme wall create`');
    else
      for (const w of walls)
        io.out(
          `${w.id}  ${w.state.padEnd(6)}  ${w.placed}/${w.total}  ${w.hashtag ? `#${w.hashtag}  ` : ''}${w.title}`,
        );
    return 0;
  });
}

async function close(io: Io, id: string, opts: Common): Promise<number> {
  return using(opts, async ({ store }) => {
    const { closeWall } = await import('../../services/walls.js');
    const wall = await closeWall(store, id);
    io.out(`wall ${wall.id} is closed: new photos become ordinary mosaics`);
    return 0;
  });
}

async function exportWall(
  io: Io,
  id: string,
  opts: Common & { out: string; poster?: boolean; widthIn?: number; dpi?: number; cell?: number },
): Promise<number> {
  return using(opts, async ({ store, imaging }) => {
    const { WallBoard } = await import('../../services/wall-board.js');
    const { loadTarget } = await import('../../services/wall-place-stage.js');
    const { renderWall, posterCellPx } = await import('../../services/wall-export.js');
    const wall = await store.require(id);
    const board = await WallBoard.load(store, wall);
    const { target, cells } = await loadTarget({ store, imaging }, wall);
    const dpi = opts.dpi ?? wall.print.dpi;
    const cellPx = opts.poster ? posterCellPx(wall, opts.widthIn ?? 36, dpi) : (opts.cell ?? wall.screenCellPx);
    if (Math.max(wall.cols, wall.rows) * cellPx > JPEG_MAX_SIDE)
      throw new UsageError(
        `${wall.cols * cellPx}x${wall.rows * cellPx} px is over JPEG's ${JPEG_MAX_SIDE} px a side: ` +
          `choose a smaller size, or use the full-resolution Deep Zoom image at /walls/${wall.id}/screen.dzi`,
      );
    const image = await renderWall({ store, imaging }, wall, board.cells, target, cells.means, cellPx);
    await fs.writeFile(opts.out, await imaging.jpeg(image, 92, opts.poster ? dpi : undefined));
    const inches = opts.poster
      ? ` = ${(image.width / dpi).toFixed(1)}x${(image.height / dpi).toFixed(1)} in at ${dpi} dpi`
      : '';
    io.out(
      `${opts.out}: ${image.width}x${image.height} px${inches}, ${board.placed}/${wall.cols * wall.rows} cells filled`,
    );
    return 0;
  });
}

export function registerWall(program: Command, io: Io, run: Run): void {
  const wall = program
    .command('wall')
    .description('live mosaic walls: one target picture that fills up with guests’ photos');
  const common = (c: Command) =>
    c.option('--config <file...>', "the original's config files to read").option('--json', 'print JSON');
  common(
    wall
      .command('create')
      .description('make a wall from a target picture')
      .requiredOption('--title <text>', 'the event title, shown on the screen and the prints')
      .requiredOption('--target <file>', 'the target picture (the event logo)')
      .requiredOption('--cols <n>', 'columns of cells (10 to 300); rows follow the target', num)
      .option('--rows <n>', 'rows of cells, instead of following the target', num)
      .option('--hashtag <tag>', 'posts with this hashtag go on this wall')
      .option('--tone <x>', 'how far photos move toward their cell colour, 0 to 1', num)
      .option('--ghost <x>', 'opacity of the target laid over the photos, 0 (none) to 1', num)
      .option('--tile-inches <in>', 'printed size of one tile (default 2)', num)
      .option('--dpi <n>', 'print resolution (default 300)', num),
  ).action((opts) => run(() => create(io, opts)));
  common(wall.command('list').description('list the walls with their state and fill')).action((opts: Common) =>
    run(() => list(io, opts)),
  );
  common(wall.command('close').description('stop a wall taking photos').argument('<id>')).action(
    (id: string, opts: Common) => run(() => close(io, id, opts)),
  );
  common(
    wall
      .command('export')
      .description('the wall as one JPEG, at screen resolution or as a poster')
      .argument('<id>')
      .requiredOption('-o, --out <file>', 'the JPEG to write')
      .option('--poster', 'a poster: --width-in wide at --dpi')
      .option('--width-in <in>', 'poster width in inches (default 36)', num)
      .option('--dpi <n>', "poster resolution (default: the wall's print dpi)", num)
      .option('--cell <px>', 'pixels per cell without --poster (default: as on the screen)', num),
  ).action((id: string, opts) => run(() => exportWall(io, id, opts)));
  registerWallPrint(wall, io, run, common, using);
}
