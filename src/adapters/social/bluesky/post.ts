import type { SourceRole } from '../../../ports.js';

/** A post record as Jetstream sends it (JSON, blobs as `{ref: {$link}}`), the parts read here. */
export type PostRecord = {
  text?: string;
  createdAt?: string;
  tags?: string[];
  facets?: { features?: { $type?: string; tag?: string; did?: string }[] }[];
  embed?: Embed & { media?: Embed };
  reply?: { root?: { uri?: string; cid?: string } };
};
type Embed = { $type?: string; images?: { image?: { ref?: { $link?: string }; cid?: string } }[] };

const TAG = 'app.bsky.richtext.facet#tag';
const MENTION = 'app.bsky.richtext.facet#mention';

/** Every hashtag of a post, lower case: tag facets, the record's `tags`, and `#words` in the text. */
export function hashtagsOf(r: PostRecord): Set<string> {
  const tags = new Set<string>();
  for (const f of r.facets ?? []) for (const ft of f.features ?? []) if (ft.$type === TAG && ft.tag) tags.add(ft.tag);
  for (const t of r.tags ?? []) tags.add(t);
  for (const m of (r.text ?? '').matchAll(/(?:^|\s)[#＃]([^\s#＃]+)/gu)) tags.add(m[1].replace(/\p{P}+$/u, ''));
  return new Set([...tags].map((t) => t.replace(/^#/, '').toLowerCase()));
}

/** Why MosaicMe wants a post: a mention of the bot is a request, else the first configured hashtag's role. */
export function roleOf(
  r: PostRecord,
  botDid: string,
  hashtags: { tag: string; role: SourceRole }[],
): SourceRole | undefined {
  const mentions = (r.facets ?? []).some((f) =>
    (f.features ?? []).some((ft) => ft.$type === MENTION && ft.did === botDid),
  );
  if (mentions) return 'requests';
  const tags = hashtagsOf(r);
  return hashtags.find((h) => tags.has(h.tag))?.role;
}

/** The post's photo URLs from its image embed (alone or beside a quoted record), or why it has none. */
export function imagesOf(r: PostRecord, did: string, template: string): { urls: string[] } | { skip: string } {
  if (!/^did:[a-z]+:[\w.:%-]+$/.test(did)) return { skip: `not a DID: ${did.slice(0, 60)}` };
  const embed = r.embed?.$type === 'app.bsky.embed.recordWithMedia' ? r.embed.media : r.embed;
  if (embed?.$type === 'app.bsky.embed.images') {
    const cids = (embed.images ?? []).map((i) => i.image?.ref?.$link ?? i.image?.cid).filter((c) => c !== undefined);
    const safe = cids.filter((c) => /^[a-z0-9]+$/i.test(c));
    if (safe.length) return { urls: safe.map((cid) => template.replace('{did}', did).replace('{cid}', cid)) };
  }
  if (embed?.$type === 'app.bsky.embed.video') return { skip: 'video only, no photo' };
  return { skip: 'no photo' };
}
