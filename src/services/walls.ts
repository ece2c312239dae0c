import { MosaicError, PermanentError } from '../core/errors.js';
import { checkNumber } from '../core/options.js';
import { screenCellPx, wallGrid } from '../core/wall/grid.js';
import { randomUUID } from 'node:crypto';
import type { Imaging, Queue, Storage, WallImaging } from '../ports.js';
import type { RequestStatuses } from './requests.js';
import type { WallDef, WallSummary } from '../shapes/wall.js';
import { WallBoard } from './wall-board.js';
import { newWallId, WallStore } from './wall-store.js';

/**
 * Tone shift toward each cell's mean by default: measured with `npm run bench:wall` (quality
 * against the target rises steeply up to here and slowly after, while faces and text in the
 * photos stay natural); see bench/RESULTS.md.
 */
export const DEFAULT_TONE = 0.35;
/** A printed tile of 2 in at 300 dpi, the usual sticker of event walls. */
export const DEFAULT_PRINT = { tileInches: 2, dpi: 300 } as const;

export type NewWall = {
  title: string;
  target: Uint8Array;
  cols: number;
  rows?: number;
  tone?: number;
  ghost?: number;
  hashtag?: string;
  print?: { tileInches?: number; dpi?: number };
};

const HASHTAG = /^[\p{L}\p{N}_]{1,100}$/u;

/**
 * Makes a wall: checks every setting and the target (an image, large enough for its grid), keeps
 * the target as a JPEG of at most 4096 px and writes the definition. Nothing is stored when any
 * check fails.
 */
export async function createWall(deps: { store: WallStore; imaging: WallImaging }, w: NewWall): Promise<WallDef> {
  const title = w.title.trim();
  if (!title || title.length > 120) throw new PermanentError('INVALID_OPTION', 'title must be 1 to 120 characters');
  const hashtag = w.hashtag?.replace(/^#/, '').trim() || undefined;
  if (hashtag && !HASHTAG.test(hashtag))
    throw new PermanentError(
      'INVALID_OPTION',
      `hashtag must be letters, digits or _ (got ${JSON.stringify(hashtag.slice(0, 40))})`,
    );
  const tone = checkNumber('tone', w.tone ?? DEFAULT_TONE, 0, 1);
  const ghost = checkNumber('ghost', w.ghost ?? 0, 0, 1);
  const print = {
    tileInches: checkNumber('tile-inches', w.print?.tileInches ?? DEFAULT_PRINT.tileInches, 0.25, 12),
    dpi: checkNumber('dpi', w.print?.dpi ?? DEFAULT_PRINT.dpi, 72, 1200),
  };
  let target;
  try {
    target = await deps.imaging.read(w.target, { maxSide: 4096 });
  } catch (err) {
    if (err instanceof MosaicError)
      throw new PermanentError('INVALID_TARGET', `the target is not a usable image: ${err.message}`);
    throw err;
  }
  const grid = wallGrid(target.width, target.height, { cols: w.cols, rows: w.rows });
  const wall: WallDef = {
    id: newWallId(title),
    title,
    ...grid,
    screenCellPx: screenCellPx(grid),
    tone,
    ghost,
    ...(hashtag ? { hashtag } : {}),
    state: 'open',
    whenFull: 'gallery',
    print,
    target: { width: target.width, height: target.height },
    createdAt: new Date().toISOString(),
  };
  await deps.store.put(wall.id, 'target.jpg', await deps.imaging.jpeg(target, 92));
  await deps.store.save(wall);
  return wall;
}

/** Closes a wall: it takes no more photos (those on their way become ordinary mosaics). */
export async function closeWall(store: WallStore, id: string): Promise<WallDef> {
  const wall = await store.require(id);
  const closed = { ...wall, state: 'closed' as const };
  await store.save(closed);
  return closed;
}

/** The wall with its counts, from its snapshot and log. */
export async function wallSummary(store: WallStore, wall: WallDef): Promise<WallSummary> {
  const board = await WallBoard.load(store, wall);
  return { ...wall, placed: board.placed, total: wall.cols * wall.rows, seq: board.seq };
}

/**
 * The wall a post's text binds it to: the newest wall, not closed, whose hashtag the text
 * carries (hashtags compare without case). Walls are listed at most every 10 s.
 */
export function wallsByHashtag(store: WallStore): (text: string) => Promise<string | undefined> {
  let cached: { at: number; walls: Promise<WallDef[]> } | undefined;
  return async (text) => {
    const tags = new Set([...text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1].toLowerCase()));
    if (tags.size === 0) return undefined;
    if (!cached || Date.now() - cached.at > 10_000) cached = { at: Date.now(), walls: store.list() };
    const walls = await cached.walls.catch(() => []);
    return [...walls].reverse().find((w) => w.hashtag && w.state !== 'closed' && tags.has(w.hashtag.toLowerCase()))?.id;
  };
}

/**
 * Sends one photo to a wall, as the upload page and `mosaicme submit --wall` do: the wall must be
 * open (or full: the photo then becomes a mosaic) and the photo readable, both checked before
 * anything is stored; then the photo is kept in the input bucket, its status is `queued` and its
 * request goes to the request queue with the wall's id.
 */
export async function submitToWall(
  deps: {
    store: WallStore;
    storage: Storage;
    queue: Queue;
    statuses: RequestStatuses;
    imaging: Pick<Imaging, 'photoSize'>;
  },
  cfg: { bucketIn: string; requestQueue: string; maxInputPixels?: number },
  photo: { wall: string; bytes: Uint8Array; name?: string; contentType?: string },
): Promise<{ id: string; wall: WallDef }> {
  const wall = await deps.store.require(photo.wall);
  if (wall.state === 'closed') throw new PermanentError('WALL_CLOSED', `the wall "${wall.title}" is closed`);
  await deps.imaging.photoSize(photo.bytes, { maxInputPixels: cfg.maxInputPixels });
  const name = photo.name?.trim().slice(0, 64) || undefined;
  const id = `w${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const key = `${id}.jpg`;
  await deps.storage.put(cfg.bucketIn, key, photo.bytes, { contentType: photo.contentType ?? 'image/jpeg' });
  await deps.statuses.set(id, { state: 'queued', ...(name ? { username: name } : {}) });
  await deps.queue.send(cfg.requestQueue, { id, key, ...(name ? { username: name } : {}), wall: wall.id });
  return { id, wall };
}
