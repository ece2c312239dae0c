import { PermanentError } from '../core/errors.js';
import type { Delivery, Imaging, Queue, Storage } from '../ports.js';
import { parseRequest, withOriginalFields, type Job, type MosaicRequest, type Requester } from './messages.js';
import { failWhenFinal, type RequestStatuses } from './requests.js';

export type EngineJob = Job;

export type IntakeDeps = {
  storage: Storage;
  queue: Queue;
  statuses: RequestStatuses;
  imaging: Pick<Imaging, 'photoSize'>;
  /** The guarded downloader (adapters/http/download.ts) with the configured limits. */
  download: (url: string) => Promise<{ bytes: Uint8Array; contentType?: string }>;
};
export type IntakeConfig = {
  bucketIn: string;
  engineQueue: string;
  /** Where photos for a live wall go instead: the wall stage crops them and finds their cell. */
  wallQueue?: string;
  maxAttempts: number;
};

/**
 * The intake stage: a request (ours or the original's message shapes) becomes a photo in the
 * input bucket, checked to be a readable image, a `queued` status, and a job on the engine queue.
 * Photos given by URL are fetched through the guarded downloader. A request that cannot succeed
 * ends as `failed` with the reason, and the message goes to the dead letters.
 */
export const intake =
  (deps: IntakeDeps, cfg: IntakeConfig) =>
  async (message: unknown, delivery: Delivery): Promise<void> => {
    const req = parseRequest(message);
    try {
      const key = 'key' in req.source ? req.source.key : `${req.id}.jpg`;
      let bytes: Uint8Array | undefined;
      if ('url' in req.source) {
        const got = await deps.download(req.source.url);
        bytes = got.bytes;
        await deps.storage.put(cfg.bucketIn, key, bytes, {
          contentType: got.contentType,
          metadata: req.username ? { username: req.username } : undefined,
        });
      } else {
        bytes = await deps.storage.get(cfg.bucketIn, key);
        if (!bytes) throw new PermanentError('UNREADABLE_IMAGE', `the photo ${key} is not in bucket ${cfg.bucketIn}`);
      }
      await deps.imaging.photoSize(bytes);
      await deps.statuses.set(req.id, { state: 'queued', username: req.username });
      await deps.queue.send(
        req.wall && cfg.wallQueue ? cfg.wallQueue : cfg.engineQueue,
        withOriginalFields({ ...requester(req), id: req.id, key } satisfies EngineJob),
      );
    } catch (err) {
      await failWhenFinal(deps.statuses, req, err, delivery.attempt, cfg.maxAttempts);
    }
  };

const requester = ({ id: _id, source: _source, ...rest }: MosaicRequest): Requester => rest;
