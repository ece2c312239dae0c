import type { SourceCursor, SourceRole } from '../../../ports.js';

export type MastodonConfig = {
  /** The instance, e.g. https://mastodon.social. */
  url: string;
  accessToken: string;
  hashtags: { tag: string; role: SourceRole }[];
  /** Hosts images may come from; default: the instance's host and its subdomains. */
  mediaHosts?: string[];
  /** How often mentions are polled, and hashtags when the stream is away (default 30 s). */
  pollIntervalMs?: number;
  /** Hashtag streaming over WebSocket (default on); off: hashtags are polled. */
  streaming?: boolean;
  /** The newest post handed over per timeline, kept between runs; without it listening starts from now. */
  cursor?: SourceCursor;
};

export const mastodonMediaHosts = (cfg: MastodonConfig): string[] => cfg.mediaHosts ?? [new URL(cfg.url).hostname];
