import type { mastodon } from 'masto';
import type { SocialPost, SourceRole } from '../../../ports.js';

/** Mastodon ids are decimal numbers too large for a double: longer is newer, then by digits. */
export const newer = (a: string, b: string | undefined): boolean =>
  b === undefined || a.length > b.length || (a.length === b.length && a > b);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** The plain text of a status's HTML `content`: paragraphs and line breaks kept, tags dropped. */
export const plainText = (html: string): string =>
  html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#39|amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e])
    .trim();

export type StatusContext = { botId: string; domain: string; mediaHosts: string[] };

const onHost = (url: string, hosts: string[]) => {
  const host = URL.canParse(url) ? new URL(url).hostname : '';
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
};

/**
 * What one status is to MosaicMe: a photo post, or the reason it is skipped (boosts, the bot's
 * own posts, no photo, video only, images on other hosts). Only attachments of type `image` are
 * photos; `gifv` and `video` are not.
 */
export function toSocialPost(
  s: mastodon.v1.Status,
  role: SourceRole,
  ctx: StatusContext,
): { post: SocialPost } | { skip: string } {
  if (s.reblog) return { skip: 'a boost' };
  if (s.account.id === ctx.botId) return { skip: 'our own post' };
  const images = s.mediaAttachments.filter((m) => m.type === 'image' && m.url);
  const imageUrls = images.map((m) => m.url!).filter((u) => onHost(u, ctx.mediaHosts));
  if (!imageUrls.length) {
    if (images.length) return { skip: 'its images are not on the media hosts allowed' };
    return { skip: s.mediaAttachments.length ? 'video or animation only, no photo' : 'no photo' };
  }
  const acct = s.account.acct.includes('@') ? s.account.acct : `${s.account.acct}@${ctx.domain}`;
  return {
    post: {
      network: 'mastodon',
      post: { id: s.id },
      role,
      author: { handle: acct, displayName: s.account.displayName || s.account.username, profileUrl: s.account.url },
      text: plainText(s.content),
      imageUrls,
      url: s.url ?? s.uri,
      createdAt: s.createdAt,
    },
  };
}
