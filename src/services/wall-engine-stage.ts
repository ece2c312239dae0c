import { PermanentError } from '../core/errors.js';
import { tileFeatures } from '../core/features.js';
import type { Delivery, Queue, Storage, WallImaging } from '../ports.js';
import { encodeFeatures } from './wall-board.js';
import { parseJob, type Job } from './messages.js';
import { failWhenFinal, type RequestStatuses } from './requests.js';
import { WallStore } from './wall-store.js';

/** What the placement stage is sent: the photo described, ready to place. */
export type PlaceJob = Job & { wall: string; features: string; type: 'place' };

/** The printed size of a photo in px, which is also the size its crop is kept at (capped for huge prints). */
export const printPx = (print: { tileInches: number; dpi: number }) =>
  Math.min(1200, Math.round(print.tileInches * print.dpi));

/**
 * The heavy half of putting a photo on a wall, run by any number of engines in parallel: the
 * photo is cropped square around its subject at the sticker's size, kept in the wall's folder,
 * and described by the engine's features; the placement stage gets the description. A photo that
 * cannot be read, or a wall that does not exist, ends the request as failed with the reason.
 */
export const wallEngineStage =
  (
    deps: { storage: Storage; queue: Queue; imaging: WallImaging; statuses: RequestStatuses; store: WallStore },
    cfg: { bucketIn: string; placeQueue: string; maxAttempts: number },
  ) =>
  async (message: unknown, delivery: Delivery): Promise<void> => {
    const job = parseJob(message, 'wall job');
    try {
      if (!job.wall) throw new PermanentError('INVALID_MESSAGE', 'malformed wall job: no wall');
      const wall = await deps.store.require(job.wall);
      if (wall.state === 'closed') throw new PermanentError('WALL_CLOSED', `the wall "${wall.title}" is closed`);
      const bytes = await deps.storage.get(cfg.bucketIn, job.key);
      if (!bytes) throw new PermanentError('UNREADABLE_IMAGE', `the photo ${job.key} is not in bucket ${cfg.bucketIn}`);
      const size = printPx(wall.print);
      const crop = await deps.imaging.cropSquare(bytes, size);
      const features = tileFeatures(crop, size);
      await deps.store.put(
        wall.id,
        `photos/${job.id}.jpg`,
        await deps.imaging.jpeg({ data: crop, width: size, height: size, channels: 3 }, 90),
      );
      await deps.queue.send(cfg.placeQueue, {
        ...job,
        wall: wall.id,
        type: 'place',
        features: encodeFeatures(features),
      } satisfies PlaceJob);
    } catch (err) {
      await failWhenFinal(deps.statuses, job, err, delivery.attempt, cfg.maxAttempts);
    }
  };
