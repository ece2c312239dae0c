import type { TwitterApi } from 'twitter-api-v2';
import type { SocialPost, Source, SourceRole } from '../../../ports.js';
import { Handoff } from '../handoff.js';
import { xClient } from './client.js';
import type { XConfig } from './config.js';
import { MentionsPoller } from './mentions.js';
import { mentions, toSocialPost, type XIncludes, type XTweet } from './posts.js';
import { roleOfTag, syncRules, wantedRules } from './rules.js';
import { FilteredStream, reconnectDelay } from './stream.js';

type StreamPayload = { data?: XTweet; includes?: XIncludes; matching_rules?: { id: string; tag?: string }[] };

/**
 * X as a source. `stream` mode: the filtered stream, its rules synced at start from the
 * hashtags (one rule per role, tagged, on the one connection X allows), posts routed by the
 * matching rule's tag. `mentions` mode: the bot's mentions polled, each a request. Either way a
 * post that @mentions the bot is a request, and the bot's own posts are ignored.
 */
class XSource implements Source {
  readonly network = 'x' as const;
  private handoff: Handoff | undefined;
  private stream: FilteredStream | undefined;
  private poller: MentionsPoller | undefined;
  private bot: string | undefined;

  constructor(
    private readonly cfg: XConfig,
    private readonly log: (line: string) => void,
  ) {}

  async start(onPost: (post: SocialPost) => Promise<void>): Promise<void> {
    const cursor = this.cfg.mode === 'mentions' ? this.cfg.cursor : undefined;
    // Mentions are handed over oldest first: once one is taken, the poll may resume after it.
    this.handoff = new Handoff(async (post) => {
      await onPost(post);
      await cursor?.save(post.post.id);
    }, this.log);
    const user = this.cfg.oauth1 ? xClient(this.cfg.oauth1, this.cfg) : undefined;
    const me = user ? (await user.v2.me()).data : undefined;
    this.bot = this.cfg.botUsername ?? me?.username;
    if (this.cfg.mode === 'mentions') {
      if (!user || !me) throw new Error('X mentions mode needs the bot account (X_ACCESS_TOKEN, X_ACCESS_SECRET)');
      if (this.cfg.hashtags.some((h) => h.role === 'tiles'))
        this.log('X: tile hashtags are not read in mentions mode (they need the stream)');
      this.poller = new MentionsPoller(
        user,
        me.id,
        { intervalMs: this.cfg.pollIntervalMs ?? 30_000, log: this.log, since: await cursor?.load() },
        (tweet, includes) => this.take(tweet, includes, 'requests'),
      );
      this.poller.start();
      this.log(`X: polling the mentions of @${me.username}`);
      return;
    }
    const app = await this.appClient();
    const rules = wantedRules(this.cfg.hashtags, this.bot);
    const { added, deleted } = await syncRules(app, rules);
    this.log(
      `X: stream rules ${rules.map((r) => JSON.stringify(r.value)).join(', ')} (${added} added, ${deleted} removed)`,
    );
    this.stream = new FilteredStream(
      app,
      {
        heartbeatTimeoutMs: this.cfg.heartbeatTimeoutMs ?? 21_000,
        delay: this.cfg.reconnectDelay ?? reconnectDelay,
        log: this.log,
      },
      (payload) => this.fromStream(payload as StreamPayload),
    );
    this.stream.start();
  }

  async stop(): Promise<void> {
    await this.stream?.stop();
    await this.poller?.stop();
    await this.handoff?.stop();
  }

  /** The app-only client the stream needs: the bearer token, or one fetched with the app's keys. */
  private async appClient(): Promise<TwitterApi> {
    if (this.cfg.bearerToken) return xClient(this.cfg.bearerToken, this.cfg);
    if (!this.cfg.app) throw new Error('the X stream needs X_BEARER_TOKEN, or X_API_KEY and X_API_SECRET');
    return xClient(this.cfg.app, this.cfg).appLogin();
  }

  private fromStream(p: StreamPayload): void {
    if (!p.data) return;
    const roles = (p.matching_rules ?? []).map((r) => roleOfTag(r.tag));
    const role: SourceRole | undefined = roles.includes('requests')
      ? 'requests'
      : roles.includes('tiles')
        ? 'tiles'
        : undefined;
    if (role) this.take(p.data, p.includes, role);
  }

  private take(tweet: XTweet, includes: XIncludes | undefined, role: SourceRole): void {
    const post = toSocialPost(tweet, includes, mentions(tweet, this.bot) ? 'requests' : role, this.bot);
    if (post) this.handoff?.push(post);
  }
}

export const xSource = (cfg: XConfig, log: (line: string) => void): Source => new XSource(cfg, log);
