import { PermanentError } from '../core/errors.js';
import type { Delivery, Publisher, Queue, Storage } from '../ports.js';
import type { FinishedJob } from './engine-stage.js';
import type { RequestStatuses } from './requests.js';

export const DEFAULT_REPLY_TEXT = 'Hi @{handle}, here is your mosaic: {url}';

/**
 * Fills a reply template: `{handle}` and `{url}`, or the original's `twitterText` with two `%s`
 * (handle, then link).
 * @example replyText('Hi @%s Here is your Mosaic:%s', 'alice', 'https://g/m/1') // 'Hi @alice Here is your Mosaic:https://g/m/1'
 */
export function replyText(template: string, handle: string, url: string): string {
  if (template.includes('%s')) {
    const args = [handle, url];
    return template.replace(/%s/g, () => args.shift() ?? '');
  }
  return template.replaceAll('{handle}', handle).replaceAll('{url}', url);
}

export type PublishDeps = {
  storage: Storage;
  queue: Queue;
  statuses: RequestStatuses;
  publishers: readonly Publisher[];
};
export type PublishConfig = {
  bucketSmall: string;
  doneQueue: string;
  template: string;
  /** The gallery's mosaic page, `{id}` replaced by the mosaic's id. */
  pageUrl: string;
  maxAttempts: number;
};

/**
 * The publisher stage: answers the requester through every publisher that handles their network
 * and passes the mosaic to the done queue (the cacher's, which marks the request done). A publisher that fails
 * makes the job retry (publishers must tolerate a second reply attempt).
 */
export const publishStage =
  (deps: PublishDeps, cfg: PublishConfig) =>
  async (message: unknown, delivery: Delivery): Promise<void> => {
    const job = message as Partial<FinishedJob & { network: string }> | null;
    if (!job || typeof job.id !== 'string' || typeof job.key !== 'string') {
      throw new PermanentError('INVALID_MESSAGE', 'malformed finish job: needs id and key');
    }
    const thumbnail = await deps.storage.get(cfg.bucketSmall, job.key);
    if (!thumbnail)
      throw new PermanentError('UNREADABLE_IMAGE', `the thumbnail ${job.key} is not in bucket ${cfg.bucketSmall}`);
    const url = cfg.pageUrl.replace('{id}', encodeURIComponent(job.id));
    const text = replyText(cfg.template, job.username ?? 'there', url);
    try {
      for (const p of deps.publishers.filter((p) => p.handles(job.network))) {
        await p.reply({ id: job.id, username: job.username, network: job.network, text, url, thumbnail });
      }
    } catch (err) {
      if (err instanceof PermanentError || delivery.attempt >= cfg.maxAttempts) {
        // The mosaic exists; only the reply failed. It still shows in the gallery.
        await deps.statuses.set(job.id, {
          state: 'failed',
          reason: `reply failed: ${(err as Error).message}`,
          username: job.username,
        });
      }
      throw err;
    }
    // 'done' is set by the cacher, once the mosaic shows in the gallery.
    await deps.queue.send(cfg.doneQueue, { id: job.id, username: job.username, key: job.key });
  };
