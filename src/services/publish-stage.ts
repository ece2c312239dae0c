import { PermanentError } from '../core/errors.js';
import type { Delivery, Publisher, Queue, Storage } from '../ports.js';
import { parseJob, withOriginalFields } from './messages.js';
import type { RequestStatuses } from './requests.js';

export const DEFAULT_REPLY_TEXT = 'Hi @{handle}, here is your mosaic: {url}';
export const DEFAULT_WALL_REPLY_TEXT = '@{handle} your photo is at {label} on {wall}: {url}';

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

/**
 * Fills a wall reply template: `{handle}`, `{label}` (the cell, `C-14`), `{wall}` (its title) and
 * `{url}` (the photo's find-my-tile page).
 * @example wallReplyText(DEFAULT_WALL_REPLY_TEXT, { handle: 'alice', label: 'C-14', wall: 'Expo', url: 'https://g/w' }) // '@alice your photo is at C-14 on Expo: https://g/w'
 */
export function wallReplyText(
  template: string,
  v: { handle: string; label: string; wall: string; url: string },
): string {
  return template
    .replaceAll('{handle}', v.handle)
    .replaceAll('{label}', v.label)
    .replaceAll('{wall}', v.wall)
    .replaceAll('{url}', v.url);
}

/**
 * The `wall` field of a finish job for a photo placed on a live wall (sent by the placement stage
 * for photos that came from a social network): where it is, for the reply. Such a job's `key` is
 * the photo's sticker-sized crop in the walls' bucket; it is not a mosaic, so it is not passed to
 * the done queue (the gallery).
 */
export type WallReply = { id: string; title: string; cell: number; label: string; url: string };

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
  /** Replies for photos placed on a wall: the bucket of the walls' photos and the reply template. */
  walls?: { bucket: string; template: string };
};

/**
 * The publisher stage: answers the requester through every publisher that handles their network
 * (with the post to answer, when the request came from one) and passes the mosaic to the done
 * queue (the cacher's, which marks the request done). A publisher that fails makes the job retry;
 * with `markerBucket`, the publishers that already answered are not asked again. A job with a
 * `wall` ({@link WallReply}) is a photo placed on a live wall: the reply says where, links to its
 * find-my-tile page and carries the photo, and nothing goes to the gallery.
 */
export const publishStage =
  (deps: PublishDeps, cfg: PublishConfig) =>
  async (message: unknown, delivery: Delivery): Promise<void> => {
    const { wall: wallField, ...rest } = (message ?? {}) as Record<string, unknown>;
    // A wall's id (text) is a request for a wall; an object is a photo placed on one, to answer.
    const wall = typeof wallField === 'object' && wallField !== null ? parseWallReply(wallField) : undefined;
    const job = parseJob(wall ? rest : message, wall ? 'wall reply job' : 'finish job');
    if (wall && !cfg.walls) throw new PermanentError('INVALID_MESSAGE', 'malformed finish job: walls are not set up');
    const bucket = wall ? cfg.walls!.bucket : cfg.bucketSmall;
    const thumbnail = await deps.storage.get(bucket, job.key);
    if (!thumbnail)
      throw new PermanentError(
        'UNREADABLE_IMAGE',
        `the ${wall ? 'photo' : 'thumbnail'} ${job.key} is not in bucket ${bucket}`,
      );
    const url = await shortLink(deps, wall ? wall.url : cfg.pageUrl.replace('{id}', encodeURIComponent(job.id)));
    const handle = job.username ?? 'there';
    const text = wall
      ? wallReplyText(cfg.walls!.template, { handle, label: wall.label, wall: wall.title, url })
      : replyText(cfg.template, handle, url);
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
        if (wall) {
          // The photo is on the wall and its status says where; only the reply failed.
          deps.log?.(`reply for photo ${job.id} on wall ${wall.id} failed: ${(err as Error).message}`);
        } else {
          // The mosaic exists; only the reply failed. It still shows in the gallery.
          await deps.statuses.set(job.id, {
            state: 'failed',
            reason: `reply failed: ${(err as Error).message}`,
            username: job.username,
          });
        }
      }
      throw err;
    }
    // A wall photo is not a mosaic: the gallery (the done queue) is not for it; its status is already done.
    if (wall) return;
    // 'done' is set by the cacher, once the mosaic shows in the gallery.
    await deps.queue.send(cfg.doneQueue, withOriginalFields({ id: job.id, username: job.username, key: job.key }));
  };

function parseWallReply(v: unknown): WallReply {
  const w = v as Partial<Record<keyof WallReply, unknown>> | null;
  const ok =
    typeof w === 'object' &&
    w !== null &&
    typeof w.id === 'string' &&
    typeof w.title === 'string' &&
    typeof w.label === 'string' &&
    typeof w.url === 'string' &&
    Number.isInteger(w.cell);
  if (!ok)
    throw new PermanentError('INVALID_MESSAGE', 'malformed wall reply job: wall must be {id, title, cell, label, url}');
  return {
    id: w.id as string,
    title: w.title as string,
    cell: w.cell as number,
    label: w.label as string,
    url: w.url as string,
  };
}

async function shortLink(deps: PublishDeps, url: string): Promise<string> {
  if (!deps.shorten) return url;
  try {
    return await deps.shorten(url);
  } catch (err) {
    deps.log?.(`link shortener failed (${(err as Error).message}); replying with the long link`);
    return url;
  }
}
