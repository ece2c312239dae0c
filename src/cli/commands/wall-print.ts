import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { plural, UsageError, type Io } from '../output.js';
import { num } from '../parse.js';
import type { WallImaging } from '../../ports.js';
import type { WallStore } from '../../services/wall-store.js';

type Common = { config?: string[]; json?: boolean };
/** wall.ts's `using`: the configured storage for the length of `fn`, closed after. */
export type Using = (
  opts: Common,
  fn: (o: { store: WallStore; imaging: WallImaging }) => Promise<number>,
) => Promise<number>;
type Run = (fn: () => Promise<number>) => Promise<void>;
type PrintOpts = Common & { out: string; watch?: boolean; takeaway?: boolean; stickersOnly?: boolean; all?: boolean };
type BoardOpts = Common & { out: string; sheet?: string; dpi?: number };

/**
 * `wall print`: the print queue into a printer's hot folder. Once, or with --watch until SIGINT
 * or SIGTERM, finishing the job in hand before exiting 0.
 */
async function print(io: Io, using: Using, id: string, opts: PrintOpts): Promise<number> {
  if (opts.takeaway && opts.stickersOnly) throw new UsageError('--takeaway and --stickers-only exclude each other');
  const kinds = opts.takeaway ? 'takeaways' : opts.stickersOnly ? 'stickers' : 'both';
  return using(opts, async ({ store }) => {
    const { writePrints, watchPrints } = await import('../../services/wall-hot-folder.js');
    const { DiskHotFolder } = await import('../../adapters/hot-folder.js');
    await store.require(id);
    const out = path.resolve(opts.out);
    const deps = { store, folder: new DiskHotFolder(out) };
    const onPrint = (w: { job: { label: string }; files: string[] }) =>
      opts.json ? io.out(JSON.stringify(w)) : io.out(`${w.job.label}: ${w.files.join(', ')}`);
    if (!opts.watch) {
      const written = await writePrints(deps, id, { kinds, all: opts.all, onPrint });
      if (!opts.json) io.out(`${plural(written.length, 'print job')} written to ${out}`);
      return 0;
    }
    const stop = new AbortController();
    const abort = () => stop.abort();
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    io.err(`watching wall ${id}: new prints go to ${out} (Ctrl-C to stop)`);
    try {
      const count = await watchPrints(deps, id, {
        kinds,
        all: opts.all,
        signal: stop.signal,
        onPrint,
        onError: (err) => io.err(`mosaicme: ${err instanceof Error ? err.message : String(err)} (trying again)`),
      });
      io.err(`stopped: ${plural(count, 'print job')} written`);
    } finally {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    }
    return 0;
  });
}

/** `wall board`: the board map as printable sheets. */
async function board(io: Io, using: Using, id: string, opts: BoardOpts): Promise<number> {
  return using(opts, async ({ store, imaging }) => {
    const { boardMap } = await import('../../services/wall-board-map.js');
    const wall = await store.require(id);
    const map = await boardMap({ store, imaging }, wall, { paper: opts.sheet, dpi: opts.dpi });
    const out = path.resolve(opts.out);
    await fs.mkdir(out, { recursive: true });
    for (const s of map.sheets) await fs.writeFile(path.join(out, s.name), s.image);
    if (opts.json) {
      const { paper, dpi, cellPx, sheetPx } = map;
      const sheets = map.sheets.map(({ image: _, ...s }) => s);
      io.out(JSON.stringify({ out, paper, dpi, cellPx, sheetPx, sheets }));
      return 0;
    }
    io.out(
      `${plural(map.sheets.length, 'sheet')} of ${map.paper} at ${map.dpi} dpi in ${out} ` +
        `(${wall.cols}x${wall.rows} cells, ${map.cellPx} px each; print at 100 %, no scaling)`,
    );
    for (const s of map.sheets)
      io.out(
        `  ${s.name}: ${s.first} to ${s.last} (rows ${s.row0 + 1}-${s.row0 + s.rows}, cols ${s.col0 + 1}-${s.col0 + s.cols})`,
      );
    if (map.cellPx > Math.min(map.sheetPx.width, map.sheetPx.height))
      io.err(
        `note: one cell is larger than a ${map.paper} sheet's printable area; each sheet is one cell, bigger than the paper`,
      );
    return 0;
  });
}

export function registerWallPrint(
  wall: Command,
  io: Io,
  run: Run,
  common: (c: Command) => Command,
  using: Using,
): void {
  common(
    wall
      .command('print')
      .description("write the wall's print queue into a printer's hot folder, one JPEG per print, in queue order")
      .argument('<id>')
      .requiredOption('--out <folder>', "the printer's hot folder (created when missing)")
      .option('--watch', 'keep writing new prints as they come, until Ctrl-C')
      .option('--takeaway', 'only the take-home prints (4x6 in)')
      .option('--stickers-only', 'only the stickers')
      .option('--all', 'also the prints already ticked as printed'),
  ).action((id: string, opts: PrintOpts) => run(() => print(io, using, id, opts)));
  common(
    wall
      .command('board')
      .description('the board map (grid, labels, faint target) as printable sheets, a PNG per sheet')
      .argument('<id>')
      .requiredOption('--out <folder>', 'the folder for the sheets (created when missing)')
      .option('--sheet <paper>', 'letter, a4 or a3 (default letter)')
      .option('--dpi <n>', 'resolution, 72 to 600 (default 300)', num),
  ).action((id: string, opts: BoardOpts) => run(() => board(io, using, id, opts)));
}
