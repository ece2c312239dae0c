import { mosaicsPage, type MosaicPage, type MosaicView } from './lib/api';
import { byline } from './lib/byline';
import { cardImage } from '../shared/images';
import { originalLinkTarget } from '../shared/links';
import { pagerItems } from '../shared/pager';
import { byId, h } from './lib/dom';
import { liveEvents } from './lib/events';
import { keepTimesFresh } from './lib/time';
import { startCarousel } from './carousel';

// The original's links (`/#/mosaic/<id>.jpg`) land here: the fragment only reaches the browser.
const oldLink = originalLinkTarget(location.hash);
if (oldLink) location.replace(oldLink);

const PER_PAGE = 12;
const grid = byId<HTMLUListElement>('grid');
const pager = byId('pager');
const status = byId('gallery-status');
const empty = byId('empty');
const notice = byId('new-mosaics');
const showNew = byId<HTMLButtonElement>('show-new');
const heading = byId('gallery-title');
const carousel = startCarousel();

let shown = new Set<string>();
const arrived = new Set<string>();
let retry: ReturnType<typeof setTimeout> | undefined;

const pageInUrl = () => {
  const n = Number(new URLSearchParams(location.search).get('page') ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
};

function card(m: MosaicView): HTMLLIElement {
  const alt = `Mosaic by @${m.username}`;
  return h(
    'li',
    { class: 'card', 'data-id': m.id },
    h(
      'a',
      { class: 'thumb', href: m.page_url },
      h('img', { ...cardImage(m), alt, loading: 'lazy', decoding: 'async', width: m.width, height: m.height }),
    ),
    byline(m),
  );
}

function renderPager(d: Pick<MosaicPage, 'page' | 'pages'>): void {
  const items = pagerItems(d.page, d.pages).map((i) =>
    i.gap
      ? h('li', { class: 'gap', 'aria-hidden': 'true' }, '…')
      : h(
          'li',
          {},
          h(
            'a',
            {
              href: i.href,
              'data-page': i.page,
              rel: i.rel,
              'aria-label': i.ariaLabel,
              'aria-current': i.current ? 'page' : undefined,
            },
            i.label,
          ),
        ),
  );
  pager.replaceChildren(...(items.length ? [h('ul', {}, ...items)] : []));
}

function render(d: MosaicPage): void {
  grid.replaceChildren(...d.mosaics.map(card));
  shown = new Set(d.mosaics.map((m) => m.id));
  empty.hidden = d.total > 0;
  status.textContent = d.total
    ? `${d.total} mosaic${d.total === 1 ? '' : 's'} · page ${d.page} of ${d.pages}`
    : 'No mosaics yet.';
  renderPager(d);
}

async function load(page: number): Promise<void> {
  clearTimeout(retry);
  try {
    const d = await mosaicsPage(page, PER_PAGE);
    if (d.pages > 0 && page > d.pages) return go(d.pages, false);
    render(d);
  } catch (e) {
    status.textContent = `The gallery could not be loaded (${(e as Error).message}); trying again…`;
    retry = setTimeout(() => void load(page), 5000);
  }
}

/** Shows a page without reloading, with the page number in the address so it can be shared. */
function go(page: number, push = true): Promise<void> {
  const url = page === 1 ? '/' : `/?page=${page}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  return load(page);
}

pager.addEventListener('click', (e) => {
  const a = (e.target as Element).closest<HTMLAnchorElement>('a[data-page]');
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  void go(Number(a.dataset.page)).then(() => {
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'start' });
  });
});
addEventListener('popstate', () => void load(pageInUrl()));

function updateNotice(): void {
  notice.hidden = arrived.size === 0;
  showNew.textContent = `${arrived.size} new mosaic${arrived.size === 1 ? '' : 's'}: show ${arrived.size === 1 ? 'it' : 'them'}`;
}

showNew.addEventListener('click', () => {
  arrived.clear();
  updateNotice();
  void carousel.reload();
  void go(1, pageInUrl() !== 1).then(() => heading.focus());
});

liveEvents({
  mosaic: (m) => {
    if (shown.has(m.id)) return;
    arrived.add(m.id);
    updateNotice();
  },
  hidden: ({ id }) => {
    grid.querySelector(`[data-id="${CSS.escape(id)}"]`)?.remove();
    shown.delete(id);
    arrived.delete(id);
    updateNotice();
    carousel.remove(id);
  },
  reconnected: () => {
    void load(pageInUrl());
    void carousel.reload();
  },
});

/** The server drew the first view of the gallery into the page: nothing is left to draw. */
function start(): void {
  const { page, pages, total } = grid.dataset;
  if (total === undefined) return void load(pageInUrl());
  const d = { page: Number(page), pages: Number(pages) };
  if (d.pages > 0 && d.page > d.pages) return void go(d.pages, false);
  shown = new Set([...grid.querySelectorAll<HTMLElement>('.card')].map((c) => c.dataset.id ?? ''));
}

heading.tabIndex = -1;
keepTimesFresh();
start();
