import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MosaicError, PermanentError } from '../core/errors.js';
import type { TileLibrary } from '../adapters/library/disk.js';
import type { Delivery, Imaging, Queue, Storage } from '../ports.js';
import type { CandidatePool } from './candidates.js';
import { indexMemo } from './index-memo.js';
import { CARD_WIDTH, cardKey, previewKey } from './gallery-cache.js';
import type { EngineJob } from './intake.js';
import { parseJob, withOriginalFields, type Requester } from './messages.js';
import { createMosaic, type MosaicOptions } from './mosaic.js';
import type { RequestStatuses } from './requests.js';

export type FinishedJob = Requester & { id: string; key: string; width: number; height: number };

export type EngineDeps = {
  storage: Storage;
  queue: Queue;
  statuses: RequestStatuses;
  imaging: Imaging;
  /** The shared tile library, as it is now (it may grow between jobs). */
  library: () => Promise<TileLibrary>;
  pool?: CandidatePool;
  log?: (line: string) => void;
};
export type EngineConfig = {
  buckets: { in: string; outLarge: string; outSmall: string };
  finishQueue: string;
  thumbnailSize: number;
  maxAttempts: number;
  mosaic: MosaicOptions;
};

/**
 * The requester as object metadata (lower-case keys, as S3 returns them), read by the gallery.
 * S3 metadata travels in HTTP headers, which carry ASCII only: the display name is
 * percent-encoded.
 */
function requesterMetadata(job: Requester): Record<string, string> {
  const m: Record<string, string> = {};
  if (job.username) m.username = job.username;
  if (job.network) m.network = job.network;
  if (job.profile) m.profile = encodeURI(job.profile);
  if (job.displayname) m.displayname = encodeURIComponent(job.displayname);
  return m;
}

const requester = ({ id: _id, key: _key, ...rest }: EngineJob): Requester => rest;

/** Uploads a Deep Zoom pyramid written under `dir` as `<id>.dzi` and `<id>_files/…`. */
async function uploadDeepZoom(storage: Storage, bucket: string, dir: string): Promise<void> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const keys = files.map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  // Tiles first, the .dzi last: a viewer that finds the .dzi finds every tile it names.
  keys.sort((a, b) => Number(a.endsWith('.dzi')) - Number(b.endsWith('.dzi')));
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys.slice(i, i + 16).map((k) =>
        storage.putFile(bucket, k, path.join(dir, k), {
          contentType: k.endsWith('.dzi') ? 'application/xml' : 'image/jpeg',
        }),
      ),
    );
  }
}

const PREVIEW_WIDTH = 1600;

/**
 * The engine stage: a queued photo becomes a mosaic in the output buckets — the large image and its
 * Deep Zoom pyramid in `outLarge`, the thumbnail in `outSmall`, all as `<id>…` with the
 * requester (`username` as the original did, `network`, `profile`, `displayname`) and the size
 * in the metadata — then a job on the finish queue, carrying the requester on.
 * Progress is reported on the request's status. Idempotent by id: a job whose outputs exist is
 * only passed on, so a redelivered message makes no second mosaic.
 */
export function engineStage(deps: EngineDeps, cfg: EngineConfig) {
  // Warm state between jobs: the library's index is rebuilt only when the library has changed.
  const indexes = indexMemo();
  return async (message: unknown, delivery: Delivery): Promise<void> => {
    const job: EngineJob = parseJob(message, 'engine job');
    const out = `${job.id}.jpg`;
    const [large, small] = await Promise.all([
      deps.storage.head(cfg.buckets.outLarge, out),
      deps.storage.head(cfg.buckets.outSmall, out),
    ]);
    if (large && small) {
      await deps.statuses.set(job.id, { state: 'publishing', username: job.username });
      const width = Number(large.metadata.width ?? 0);
      const height = Number(large.metadata.height ?? 0);
      await deps.queue.send(
        cfg.finishQueue,
        withOriginalFields({
          ...requester(job),
          id: job.id,
          key: out,
          width,
          height,
        } satisfies FinishedJob),
      );
      return;
    }
    const started = performance.now();
    const tmp = await mkdtemp(path.join(os.tmpdir(), `mosaicme-${job.id}-`));
    try {
      const photo = await deps.storage.get(cfg.buckets.in, job.key);
      if (!photo)
        throw new PermanentError('UNREADABLE_IMAGE', `the photo ${job.key} is not in bucket ${cfg.buckets.in}`);
      let last = -1;
      await deps.statuses.set(job.id, { state: 'rendering', percent: 0, username: job.username });
      const result = await createMosaic(
        photo,
        await deps.library(),
        { ...cfg.mosaic, thumbnail: cfg.thumbnailSize, format: 'jpeg' },
        {
          imaging: deps.imaging,
          pool: deps.pool,
          indexes,
          onProgress: (percent) => {
            if (percent - last < 10 && percent < 100) return;
            last = percent;
            void deps.statuses.set(job.id, { state: 'rendering', percent, username: job.username }).catch(() => {});
          },
        },
      );
      const metadata = {
        ...requesterMetadata(job),
        width: String(result.grid.width),
        height: String(result.grid.height),
        cols: String(result.grid.cols),
        rows: String(result.grid.rows),
        preview: '1',
        card: '1',
      };
      const made = performance.now();
      await deps.imaging.deepZoom(result.image, path.join(tmp, job.id), 80);
      await uploadDeepZoom(deps.storage, cfg.buckets.outLarge, tmp);
      const zoomed = performance.now();
      // A screen-sized copy for the gallery's carousel and wall: the full image can be tens of MB.
      const { thumbnail: preview } = await deps.imaging.encode(result.image, {
        format: 'jpeg',
        quality: 82,
        thumbnail: Math.min(PREVIEW_WIDTH, result.grid.width),
        full: false,
      });
      await deps.storage.put(cfg.buckets.outLarge, previewKey(job.id), preview!, { contentType: 'image/jpeg' });
      // The gallery card's copy: the thumbnail keeps the original's size, too small for a card on a phone.
      const { thumbnail: card } = await deps.imaging.encode(result.image, {
        format: 'jpeg',
        quality: 80,
        thumbnail: Math.min(CARD_WIDTH, result.grid.width),
        full: false,
      });
      await deps.storage.put(cfg.buckets.outLarge, cardKey(job.id), card!, { contentType: 'image/jpeg' });
      if (result.encoded)
        await deps.storage.put(cfg.buckets.outLarge, out, result.encoded, { contentType: 'image/jpeg', metadata });
      // The thumbnail last: a mosaic counts as finished once both images exist.
      await deps.storage.put(cfg.buckets.outSmall, out, result.thumbnail!, { contentType: 'image/jpeg', metadata });
      deps.log?.(
        // One line per job with where its time went, for operators and bench/pipeline.mjs.
        `mosaic ${job.id} rendered: ${result.grid.width}x${result.grid.height} in ${Object.values(result.timings).reduce((a, b) => a + b, 0)} ms; ` +
          `job ${Math.round(performance.now() - started)} ms (engine ${Math.round(made - started)}, ` +
          `deep zoom ${Math.round(zoomed - made)}, copies and store ${Math.round(performance.now() - zoomed)})`,
      );
      await deps.statuses.set(job.id, { state: 'publishing', username: job.username });
      await deps.queue.send(
        cfg.finishQueue,
        withOriginalFields({
          ...requester(job),
          id: job.id,
          key: out,
          width: result.grid.width,
          height: result.grid.height,
        } satisfies FinishedJob),
      );
    } catch (err) {
      const permanent =
        err instanceof PermanentError ||
        (err instanceof MosaicError &&
          ['UNREADABLE_IMAGE', 'IMAGE_TOO_LARGE', 'INVALID_OPTION', 'OUTPUT_TOO_LARGE'].includes(err.code));
      if (permanent || delivery.attempt >= cfg.maxAttempts) {
        await deps.statuses.set(job.id, {
          state: 'failed',
          reason: err instanceof Error ? err.message : String(err),
          username: job.username,
        });
        if (permanent && !(err instanceof PermanentError))
          throw new PermanentError((err as MosaicError).code, (err as Error).message, { cause: err });
      }
      throw err;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  };
}
