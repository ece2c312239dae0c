import { PermanentError } from '../core/errors.js';
import { tileMean } from '../core/features.js';
import { paintCells } from '../core/wall/paint.js';
import type { RawImage } from '../core/types.js';
import type { WallImaging } from '../ports.js';
import type { PrintJob, WallDef } from '../shapes/wall.js';

export type { PrintJob } from '../shapes/wall.js';
import { WallBoard } from './wall-board.js';
import { printPx } from './wall-engine-stage.js';
import { loadTarget } from './wall-place-stage.js';
import { WallScreen } from './wall-screen.js';
import type { WallStore } from './wall-store.js';

/** A take-home print of 4×6 in at 300 dpi, the photo-booth printers' paper. */
export const TAKEAWAY = { widthPx: 1200, heightPx: 1800, dpi: 300 } as const;

export const printKey = (photo: string) => `prints/${photo}.json`;

/**
 * The print stage (any engine): for each placed photo, its sticker at the wall's tile size and
 * dpi, tone-adjusted as on the screen, with its label; and the guest's take-home print with the
 * wall so far. Both go into the wall's print queue (`prints/`). A photo removed meanwhile gets
 * none. Rerunning rewrites the same files and keeps the print status.
 */
export function wallPrintStage(deps: { store: WallStore; imaging: WallImaging }) {
  const targets = new Map<string, Promise<Awaited<ReturnType<typeof loadTarget>>>>();
  return async (message: unknown): Promise<void> => {
    const m = message as { wall?: unknown; photo?: unknown };
    if (typeof m?.wall !== 'string' || typeof m.photo !== 'string')
      throw new PermanentError('INVALID_MESSAGE', 'malformed print job: wall and photo must be text');
    const wall = await deps.store.require(m.wall);
    const board = await WallBoard.load(deps.store, wall);
    const placed = board.placements().find((p) => p.photo === m.photo);
    if (!placed) return;
    let t = targets.get(wall.id);
    if (!t) targets.set(wall.id, (t = loadTarget(deps, wall)));
    const { target, cells } = await t;
    const bytes = await deps.store.bytes(wall.id, `photos/${placed.photo}.jpg`);
    if (!bytes) throw new Error(`the photo ${placed.photo} of wall ${wall.id} is missing from storage`);
    const photo = await toned(deps.imaging, wall, bytes, cells.means.subarray(placed.cell * 3, placed.cell * 3 + 3));
    const sticker = await deps.imaging.sticker({
      photo,
      label: placed.label,
      sizePx: photo.width,
      dpi: wall.print.dpi,
      title: wall.title,
    });
    const screen = new WallScreen(deps, wall, target, cells.means);
    const preview = await screen.preview(1024);
    const per = preview.width / wall.cols;
    const takeaway = await deps.imaging.takeaway({
      photo,
      wall: preview,
      highlight: { x: (placed.cell % wall.cols) * per, y: Math.floor(placed.cell / wall.cols) * per, w: per, h: per },
      title: wall.title,
      label: placed.label,
      ...TAKEAWAY,
    });
    const job: PrintJob = {
      photo: placed.photo,
      cell: placed.cell,
      label: placed.label,
      ...(placed.name ? { name: placed.name } : {}),
      sticker: `prints/${placed.photo}-sticker.jpg`,
      takeaway: `prints/${placed.photo}-takeaway.jpg`,
      createdAt: new Date().toISOString(),
    };
    await deps.store.put(wall.id, job.sticker, sticker);
    await deps.store.put(wall.id, job.takeaway, takeaway);
    const before = await deps.store.getJson<PrintJob>(wall.id, printKey(placed.photo));
    await deps.store.putJson(wall.id, printKey(placed.photo), {
      ...job,
      ...(before ? { createdAt: before.createdAt, printedAt: before.printedAt, onBoardAt: before.onBoardAt } : {}),
    });
  };
}

/** The photo at its print size, its colours moved toward its cell's as on the screen. */
async function toned(
  imaging: WallImaging,
  wall: WallDef,
  bytes: Uint8Array,
  cellMean: Float32Array,
): Promise<RawImage> {
  const size = printPx(wall.print);
  const pixels = await imaging.cropSquare(bytes, size);
  return paintCells(
    { cols: 1, rows: 1, cellPx: size },
    [{ pixels, mean: tileMean(pixels, size), cellMean }],
    wall.tone,
  );
}

/** The wall's print queue, oldest first. */
export async function printQueue(store: WallStore, wall: string): Promise<PrintJob[]> {
  const jobs: PrintJob[] = [];
  for await (const key of store.keys(wall, 'prints/'))
    if (key.endsWith('.json')) {
      const job = await store.getJson<PrintJob>(wall, key);
      if (job) jobs.push(job);
    }
  return jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Ticks a print job as printed or stuck on the board (or unticks it). */
export async function markPrint(
  store: WallStore,
  wall: string,
  photo: string,
  change: { printed?: boolean; onBoard?: boolean },
): Promise<PrintJob> {
  const job = await store.getJson<PrintJob>(wall, printKey(photo));
  if (!job)
    throw new PermanentError(
      'WALL_NOT_FOUND',
      `photo ${JSON.stringify(photo.slice(0, 40))} has no prints on this wall`,
    );
  const now = new Date().toISOString();
  const next = { ...job };
  if (change.printed !== undefined) next.printedAt = change.printed ? (job.printedAt ?? now) : undefined;
  if (change.onBoard !== undefined) next.onBoardAt = change.onBoard ? (job.onBoardAt ?? now) : undefined;
  await store.putJson(wall, printKey(photo), next);
  return next;
}
