import { ApiResponseError, type TwitterApi } from 'twitter-api-v2';
import { TWEET_FIELDS, type XIncludes, type XTweet } from './posts.js';

type MentionsPage = { data?: XTweet[]; includes?: XIncludes; meta?: { newest_id?: string; next_token?: string } };

/** Pages read per poll when catching up (100 posts each). */
const MAX_PAGES = 10;

/**
 * Polls the bot's mentions (`GET /2/users/:id/mentions` with `since_id`): the cheaper way to
 * hear requests, as X lets a bot answer only posts that @mention it anyway. A 429 pauses polling
 * until the limit resets; other errors are logged and the next poll tries again.
 */
export class MentionsPoller {
  private sinceId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly client: TwitterApi,
    private readonly botId: string,
    private readonly opts: {
      intervalMs: number;
      log: (line: string) => void;
      /** The newest mention already taken (kept across restarts). */
      since?: string;
    },
    private readonly onTweet: (tweet: XTweet, includes: XIncludes | undefined) => void,
  ) {}

  start(): void {
    this.sinceId = this.opts.since;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().then((next) => this.schedule(next));
    }, ms);
  }

  /** One poll; returns the milliseconds until the next. */
  private async poll(): Promise<number> {
    try {
      const pages: MentionsPage[] = [];
      let token: string | undefined;
      do {
        const page = (await this.client.v2.get(
          'users/:id/mentions',
          {
            ...TWEET_FIELDS,
            max_results: 100,
            ...(this.sinceId ? { since_id: this.sinceId } : {}),
            ...(token ? { pagination_token: token } : {}),
          },
          { params: { id: this.botId } },
        )) as MentionsPage;
        pages.push(page);
        // Without since_id (the first poll) only the newest page: older mentions are history.
        token = this.sinceId ? page.meta?.next_token : undefined;
      } while (token && pages.length < MAX_PAGES);
      // Pages and posts come newest first; they are handed on oldest first.
      const newest = pages[0]?.meta?.newest_id;
      for (const page of [...pages].reverse())
        for (const t of [...(page.data ?? [])].reverse()) this.onTweet(t, page.includes);
      this.sinceId = newest ?? this.sinceId;
      return this.opts.intervalMs;
    } catch (err) {
      if (err instanceof ApiResponseError && err.code === 429 && err.rateLimit?.reset) {
        const wait = Math.max(this.opts.intervalMs, err.rateLimit.reset * 1000 - Date.now());
        this.opts.log(`X mentions: rate limited, next poll in ${Math.ceil(wait / 1000)} s`);
        return wait;
      }
      this.opts.log(
        `X mentions: ${err instanceof ApiResponseError ? `X answered ${err.code}` : (err as Error).message}`,
      );
      return this.opts.intervalMs;
    }
  }
}
