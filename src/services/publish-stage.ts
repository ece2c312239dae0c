import { PermanentError } from '../core/errors.js';
import type { Delivery, Publisher, Queue, Storage } from '../ports.js';
import { parseJob, withOriginalFields } from './messages.js';
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
  /** Makes the gallery link shorter (bit.ly); when it fails the long link is used. */
  shorten?: (url: string) => Promise<string>;
  log?: (line: string) => void;
};
export type PublishConfig = {
  bucketSmall: string;
  doneQueue: string;
  template: string;
  /** The gallery's mosaic page, `{id}` replaced by the mosaic's id. */
  pageUrl: string;
  maxAttempts: number;
  /**
   * Where each publisher's answer is recorded (`replies/<id>/<publisher>`), so that a retry after
   * one publisher failed does not answer twice through the others.
   */
  markerBucket?: string;
};

/**
 * The publisher stage: answers the requester through every publisher that handles their network
 * (with the post to answer, when the request came from one) and passes the mosaic to the done
 * queue (the cacher's, which marks the request done). A publisher that fails makes the job retry;
 * with `markerBucket`, the publishers that already answered are not asked again.
 */
export const publishStage =
  (deps: PublishDeps, cfg: PublishConfig) =>
  async (message: unknown, delivery: Delivery): Promise<void> => {
    const job = parseJob(message, 'finish job');
    const thumbnail = await deps.storage.get(cfg.bucketSmall, job.key);
    if (!thumbnail)
      throw new PermanentError('UNREADABLE_IMAGE', `the thumbnail ${job.key} is not in bucket ${cfg.bucketSmall}`);
    const url = await shortLink(deps, cfg.pageUrl.replace('{id}', encodeURIComponent(job.id)));
    const text = replyText(cfg.template, job.username ?? 'there', url);
    const marker = (p: Publisher) => `replies/${job.id}/${p.name}`;
    try {
      for (const p of deps.publishers.filter((p) => p.handles(job.network))) {
        if (cfg.markerBucket && (await deps.storage.head(cfg.markerBucket, marker(p)))) continue;
        await p.reply({
          id: job.id,
          username: job.username,
          network: job.network,
          post: job.post,
          text,
          url,
          thumbnail,
        });
        if (cfg.markerBucket)
          await deps.storage.put(cfg.markerBucket, marker(p), Buffer.from(new Date().toISOString()));
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
    await deps.queue.send(cfg.doneQueue, withOriginalFields({ id: job.id, username: job.username, key: job.key }));
  };

async function shortLink(deps: PublishDeps, url: string): Promise<string> {
  if (!deps.shorten) return url;
  try {
    return await deps.shorten(url);
  } catch (err) {
    deps.log?.(`link shortener failed (${(err as Error).message}); replying with the long link`);
    return url;
  }
}
