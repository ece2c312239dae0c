import type { TwitterApi } from 'twitter-api-v2';
import type { SourceRole } from '../../../ports.js';

/** Our rules carry this tag prefix; rules of others on the same app are left alone. */
const TAG = 'mosaicme:';
export type Rule = { value: string; tag: string };

/** The role a matching rule's tag stands for, if it is one of ours. */
export const roleOfTag = (tag: string | undefined): SourceRole | undefined =>
  tag === `${TAG}requests` ? 'requests' : tag === `${TAG}tiles` ? 'tiles' : undefined;

/**
 * One rule per role, so both share the one stream connection X allows: photo posts (no
 * reposts) with any of the role's hashtags; for requests, also those that @mention the bot.
 * @example wantedRules([{ tag: 'mosaicme', role: 'requests' }], 'Bot') // [{ value: '(#mosaicme OR @Bot) has:images -is:retweet', tag: 'mosaicme:requests' }]
 */
export function wantedRules(hashtags: { tag: string; role: SourceRole }[], bot?: string): Rule[] {
  const rules: Rule[] = [];
  for (const role of ['requests', 'tiles'] as const) {
    const terms = hashtags.filter((h) => h.role === role).map((h) => `#${h.tag}`);
    if (role === 'requests' && bot) terms.push(`@${bot}`);
    if (terms.length === 0) continue;
    const any = terms.length > 1 ? `(${terms.join(' OR ')})` : terms[0];
    rules.push({ value: `${any} has:images -is:retweet`, tag: `${TAG}${role}` });
  }
  return rules;
}

/** Makes the stream's rules of ours exactly `wanted`: stale ones deleted, missing ones added. */
export async function syncRules(client: TwitterApi, wanted: Rule[]): Promise<{ added: number; deleted: number }> {
  const current = (await client.v2.streamRules()).data ?? [];
  const ours = current.filter((r) => r.tag?.startsWith(TAG));
  const same = (a: Rule, b: { value: string; tag?: string }) => a.value === b.value && a.tag === b.tag;
  const stale = ours.filter((r) => !wanted.some((w) => same(w, r)));
  const missing = wanted.filter((w) => !ours.some((r) => same(w, r)));
  if (stale.length) await client.v2.updateStreamRules({ delete: { ids: stale.map((r) => r.id) } });
  if (missing.length) {
    const res = await client.v2.updateStreamRules({ add: missing });
    if (res.errors?.length) throw new Error(`X refused a stream rule: ${JSON.stringify(res.errors[0])}`);
  }
  return { added: missing.length, deleted: stale.length };
}
