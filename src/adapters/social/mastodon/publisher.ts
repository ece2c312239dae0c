import { createHash } from 'node:crypto';
import { PermanentError } from '../../../core/errors.js';
import type { Publisher, Reply } from '../../../ports.js';
import { honourRateLimit } from '../rate-limit.js';
import { asMosaicError, rateLimitedUntil, restClient } from './client.js';
import type { MastodonConfig } from './config.js';
import { MASTODON_LIMIT, fitText, mastodonLength } from '../text-limit.js';

/** The same request always gives the same key, so Mastodon posts a retried reply once (for an hour). */
export const idempotencyKey = (requestId: string) =>
  `mosaicme-${createHash('sha256').update(requestId).digest('hex').slice(0, 32)}`;

/**
 * Answers a Mastodon post: the thumbnail uploaded (`POST /api/v2/media`, masto waits while it is
 * processed), then an unlisted reply with it (`POST /api/v1/statuses`, with an `Idempotency-Key`).
 * A 429 whose limit resets within a minute is waited for; a later one fails the job, which the
 * queue retries.
 */
class MastodonPublisher implements Publisher {
  readonly name = 'mastodon';
  private readonly rest;
  constructor(
    cfg: MastodonConfig,
    private readonly log: (line: string) => void,
  ) {
    this.rest = restClient(cfg);
  }

  handles(network: string | undefined): boolean {
    return network === 'mastodon';
  }

  async reply(r: Reply): Promise<void> {
    const inReplyToId = r.post?.id;
    if (!inReplyToId) throw new PermanentError('INVALID_MESSAGE', `reply ${r.id}: no Mastodon post to answer`);
    const limits = { maxWaitMs: 60_000, log: (l: string) => this.log(`mastodon: ${l}`), what: `reply ${r.id}` };
    try {
      const media = await honourRateLimit(
        () =>
          this.rest.v2.media.create({
            file: new Blob([new Uint8Array(r.thumbnail)], { type: 'image/jpeg' }),
            description: 'A photomosaic made of many small photos',
          }),
        rateLimitedUntil,
        limits,
      );
      const status = await honourRateLimit(
        () =>
          this.rest.v1.statuses.create(
            {
              status: fitText(r.text, r.url, MASTODON_LIMIT, mastodonLength),
              mediaIds: [media.id],
              inReplyToId,
              visibility: 'unlisted',
            },
            { requestInit: { headers: { 'Idempotency-Key': idempotencyKey(r.id) } } },
          ),
        rateLimitedUntil,
        limits,
      );
      this.log(`mastodon: replied to ${inReplyToId} with ${status.id} (${r.id})`);
    } catch (err) {
      throw asMosaicError(err, `reply ${r.id}`);
    }
  }
}

export const mastodonPublisher = (cfg: MastodonConfig, log: (line: string) => void): Publisher =>
  new MastodonPublisher(cfg, log);
