import type { SourceCursor, SourceRole } from '../../../ports.js';

export type BlueskyConfig = {
  /** The bot account's PDS, e.g. https://bsky.social; profiles are looked up through it too. */
  service: string;
  identifier: string;
  /** An app password. */
  password: string;
  /** e.g. wss://jetstream2.us-east.bsky.network/subscribe (a bare host gets `/subscribe`). */
  jetstreamUrl: string;
  hashtags: { tag: string; role: SourceRole }[];
  /** Hosts images may come from; default: the image template's host. */
  mediaHosts?: string[];
  /** Where a post's image is fetched, with `{did}` and `{cid}`; default the Bluesky CDN. */
  imageUrlTemplate?: string;
  /** The Jetstream time handed over up to, kept between runs; without it listening starts from now. */
  cursor?: SourceCursor;
};

export const DEFAULT_IMAGE_URL = 'https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg';

export const blueskyMediaHosts = (cfg: BlueskyConfig): string[] =>
  cfg.mediaHosts ?? [new URL(cfg.imageUrlTemplate ?? DEFAULT_IMAGE_URL).hostname];
