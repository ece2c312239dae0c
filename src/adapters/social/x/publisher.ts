import { ApiResponseError } from 'twitter-api-v2';
import { PermanentError } from '../../../core/errors.js';
import type { Publisher, Reply } from '../../../ports.js';
import { honourRateLimit } from '../rate-limit.js';
import { xClient } from './client.js';
import type { XConfig } from './config.js';
import { X_LIMIT, fitText, xLength } from '../text-limit.js';

/** When X's limit resets, from a 429's `x-rate-limit-reset`; false for any other error. */
const limitedUntil = (err: unknown): number | undefined | false =>
  err instanceof ApiResponseError && err.code === 429
    ? err.rateLimit?.reset
      ? err.rateLimit.reset * 1000
      : undefined
    : false;

/**
 * Answers a post on X with the mosaic: the thumbnail through the v2 media upload, then a reply
 * (`POST /2/tweets` with `reply.in_reply_to_tweet_id` and `media.media_ids`). A 429 waits for the
 * limit's reset when it is near, else the job is retried by the queue: the reply is delayed, never
 * lost. X lets a bot answer only posts that @mention it: a 403 is logged, and the mosaic stays in
 * the gallery.
 */
class XPublisher implements Publisher {
  readonly name = 'x';
  private readonly client;

  constructor(
    private readonly cfg: XConfig,
    private readonly log: (line: string) => void,
  ) {
    if (!cfg.oauth1)
      throw new Error('replies on X need the bot account (X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_SECRET)');
    this.client = xClient(cfg.oauth1, cfg);
  }

  handles(network: string | undefined): boolean {
    return network === 'x';
  }

  async reply(r: Reply): Promise<void> {
    if (!r.post) {
      this.log(`x: no post to answer for ${r.id} (an original-style request); the mosaic is in the gallery`);
      return;
    }
    const opts = { maxWaitMs: this.cfg.maxRateLimitWaitMs ?? 15 * 60_000, log: this.log };
    try {
      const mediaId = await honourRateLimit(
        () => this.client.v2.uploadMedia(Buffer.from(r.thumbnail), { media_type: 'image/jpeg' }),
        limitedUntil,
        { ...opts, what: 'x media upload' },
      );
      await honourRateLimit(
        () =>
          this.client.v2.reply(fitText(r.text, r.url, X_LIMIT, xLength), r.post!.id, {
            media: { media_ids: [mediaId] },
          }),
        limitedUntil,
        { ...opts, what: 'x reply' },
      );
    } catch (err) {
      if (err instanceof ApiResponseError && err.code === 403) {
        this.log(
          `x: X refused to answer post ${r.post.id} (403: it did not @mention the bot?); the mosaic is in the gallery`,
        );
        return;
      }
      if (err instanceof ApiResponseError && err.code >= 400 && err.code < 500 && err.code !== 429)
        throw new PermanentError('INVALID_MESSAGE', `X refused the reply: ${err.code} ${describe(err)}`);
      throw err;
    }
  }
}

const describe = (err: ApiResponseError) => (err.data as { detail?: string; title?: string }).detail ?? err.message;

export const xPublisher = (cfg: XConfig, log: (line: string) => void): Publisher => new XPublisher(cfg, log);

/** The bot's handle, proving the credentials work (`GET /2/users/me`); app-only: the rules can be read. */
export async function verifyX(cfg: XConfig): Promise<string> {
  if (cfg.oauth1) return `@${(await xClient(cfg.oauth1, cfg).v2.me()).data.username}`;
  const app = cfg.bearerToken ? xClient(cfg.bearerToken, cfg) : await xClient(cfg.app!, cfg).appLogin();
  const rules = await app.v2.streamRules();
  return `app-only token works (${rules.data?.length ?? 0} stream rules)`;
}
