import type { MosaicView } from './api';
import { isWebUrl } from '../../shared/links';
import { h } from './dom';
import { timeEl } from './time';

/** "by @user · 5 minutes ago", the handle linking to the person's profile when there is one. */
export function byline(m: MosaicView, withLink = true): HTMLElement {
  const handle = `@${m.username}`;
  const who =
    withLink && isWebUrl(m.profile_url)
      ? h('a', { href: m.profile_url, rel: 'noopener nofollow', class: 'who' }, handle)
      : h('span', { class: 'who' }, handle);
  return h('p', { class: 'byline' }, 'by ', who, ' · ', timeEl(m.date));
}
