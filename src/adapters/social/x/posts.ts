import type { SocialPost, SourceRole } from '../../../ports.js';

/** What a post and its expansions look like on the stream and in timelines (the fields we ask for). */
export type XTweet = {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  attachments?: { media_keys?: string[] };
  entities?: { mentions?: { username: string }[] };
};
export type XIncludes = {
  media?: { media_key: string; type: string; url?: string }[];
  users?: { id: string; username: string; name?: string }[];
};

/** The expansions and fields every read asks for: the photos and the author come with the post. */
export const TWEET_FIELDS = {
  expansions: 'attachments.media_keys,author_id',
  'media.fields': 'type,url,variants',
  'user.fields': 'username,name',
  'tweet.fields': 'created_at,entities',
};

/** Whether the post @mentions `bot` (a handle without `@`). */
export function mentions(tweet: XTweet, bot: string | undefined): boolean {
  if (!bot) return false;
  const b = bot.toLowerCase();
  const listed = tweet.entities?.mentions?.some((m) => m.username.toLowerCase() === b);
  return listed ?? new RegExp(`(^|[^\\w])@${b}\\b`, 'i').test(tweet.text);
}

/**
 * A post as the social stage takes it, or undefined for the bot's own posts. Photos are the
 * attached media of type `photo` (videos and GIFs have no full-size image URL).
 */
export function toSocialPost(
  tweet: XTweet,
  includes: XIncludes | undefined,
  role: SourceRole,
  bot?: string,
): SocialPost | undefined {
  const author = includes?.users?.find((u) => u.id === tweet.author_id);
  const handle = author?.username ?? tweet.author_id ?? 'unknown';
  if (bot && handle.toLowerCase() === bot.toLowerCase()) return undefined;
  const keys = tweet.attachments?.media_keys ?? [];
  const media = keys.flatMap((k) => includes?.media?.filter((m) => m.media_key === k) ?? []);
  return {
    network: 'x',
    post: { id: tweet.id },
    role,
    author: { handle, displayName: author?.name, profileUrl: author ? `https://x.com/${author.username}` : undefined },
    text: tweet.text,
    imageUrls: media.filter((m) => m.type === 'photo' && m.url).map((m) => m.url!),
    hasVideo: media.some((m) => m.type !== 'photo'),
    url: author ? `https://x.com/${author.username}/status/${tweet.id}` : undefined,
    createdAt: tweet.created_at,
  };
}
