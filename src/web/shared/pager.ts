/** One entry of the gallery's pager: a link to a page, or a gap where pages are left out. */
export type PagerItem =
  | { gap: true }
  | {
      gap?: false;
      page: number;
      label: string;
      href: string;
      ariaLabel?: string;
      rel?: 'prev' | 'next';
      current?: boolean;
    };

/**
 * The pager of page `current` of `pages`, drawn alike by the server (first view) and the client:
 * newer, the first and last pages and two either side of the current one, older.
 */
export function pagerItems(current: number, pages: number): PagerItem[] {
  if (pages <= 1) return [];
  const link = (page: number, label: string, more: Partial<PagerItem> = {}): PagerItem => ({
    page,
    label,
    href: page === 1 ? '/' : `/?page=${page}`,
    ...more,
  });
  const items: PagerItem[] = [];
  if (current > 1) items.push(link(current - 1, '‹ Newer', { rel: 'prev' }));
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - current) <= 2)
      items.push(
        link(n, String(n), { current: n === current, ariaLabel: n === current ? `Page ${n}, current` : `Page ${n}` }),
      );
    else if (!items[items.length - 1]?.gap) items.push({ gap: true });
  }
  if (current < pages) items.push(link(current + 1, 'Older ›', { rel: 'next' }));
  return items;
}
