import type { WallScreenEvent, WallState } from '../../shapes/wall';
import { getJson } from './lib/api';
import { byId, h } from './lib/dom';
import { geometryOf, startVersions, WallViewer, type Placement, type WallDetail } from './lib/wall-viewer';

const root = byId('wall-screen');
const geo = geometryOf(root);
const counter = byId('wall-counter');
const stateText = byId('wall-state');
const join = byId('wall-join');
const layer = byId('wall-fly-layer');
const found = byId('wall-found');
const results = byId('wall-results');
const query = byId<HTMLInputElement>('wall-q');
const api = `/api/walls/${encodeURIComponent(geo.id)}`;
/** A photo to point out as soon as it is on the wall (`?photo=`, from the find-my-tile page). */
const wanted = new URLSearchParams(location.search).get('photo');

/** More events than this waiting (a catch-up after a break), and photos land without flying. */
const FLY_BACKLOG = 3;
const FLY_MS = 2600;
const RECONNECT_MS = 5000;
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;

const cells = new Map<number, Placement>();
let total = geo.cols * geo.rows;
/** The last log entry received; the stream resumes after it. */
let received = 0;
let waiting = 0;
let applying: Promise<void> = Promise.resolve();
/** Made once the wall's state is read: its tile versions come with it. */
let view: WallViewer | undefined;

const STATE_TEXT: Record<WallState, string> = {
  open: '',
  full: 'The wall is full: new photos become mosaics of their own.',
  closed: 'The wall is closed.',
};

function showCount(): void {
  counter.textContent = `${cells.size} / ${total}`;
  document.body.dataset.placed = String(cells.size);
}

function showState(state: WallState): void {
  root.dataset.state = state;
  stateText.textContent = STATE_TEXT[state];
  join.hidden = state === 'closed';
}

const photoUrl = (photo: string) => `/walls/${encodeURIComponent(geo.id)}/photos/${encodeURIComponent(photo)}.jpg`;

/** The photo, large in the middle of the screen with its label, flies into its cell; it stays there until the tiles show it. */
async function flyIn(view: WallViewer, p: Placement): Promise<HTMLElement | undefined> {
  const img = h('img', { src: photoUrl(p.photo), alt: '' });
  const ready = await Promise.race([
    img.decode().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), 4000)),
  ]);
  const end = view.cellOnPage(p.cell);
  if (!ready || !end) return undefined;
  const caption = h('figcaption', {}, h('strong', {}, p.label), p.name ? h('span', {}, p.name) : undefined);
  const card = h('figure', { class: 'wall-fly' }, img, caption);
  const size = Math.min(innerWidth, innerHeight) * 0.45;
  card.style.width = card.style.height = `${size}px`;
  layer.append(card);
  const [sx, sy] = [(innerWidth - size) / 2, (innerHeight - size) / 2];
  const at = (x: number, y: number, scale: number) => `translate(${x}px, ${y}px) scale(${scale})`;
  const flight = card.animate(
    [
      { transform: at(sx, sy, 0.3), opacity: 0 },
      { transform: at(sx, sy, 1), opacity: 1, offset: 0.2 },
      { transform: at(sx, sy, 1), opacity: 1, offset: 0.55 },
      { transform: at(end.x, end.y, end.width / size), opacity: 1 },
    ],
    { duration: FLY_MS, easing: 'ease-in-out', fill: 'forwards' },
  );
  caption.animate([{ opacity: 1 }, { opacity: 1, offset: 0.6 }, { opacity: 0 }], {
    duration: FLY_MS,
    fill: 'forwards',
  });
  await flight.finished.catch(() => {});
  return card;
}

async function land(card: HTMLElement | undefined): Promise<void> {
  if (!card) return;
  await card.animate([{ opacity: 1 }, { opacity: 0 }], { duration: 400, fill: 'forwards' }).finished.catch(() => {});
  card.remove();
}

async function apply(view: WallViewer, e: WallScreenEvent): Promise<void> {
  switch (e.type) {
    case 'placed': {
      const card = waiting <= FLY_BACKLOG && !reducedMotion && !document.hidden ? await flyIn(view, e) : undefined;
      await view.refresh(e.cell, e.seq);
      cells.set(e.cell, e);
      void land(card);
      if (e.photo === wanted) point([e]);
      break;
    }
    case 'freed':
      if (cells.get(e.cell)?.photo === e.photo) cells.delete(e.cell);
      await view.refresh(e.cell, e.seq);
      break;
    case 'state':
      showState(e.state);
      break;
    case 'refused':
      break;
  }
  showCount();
  document.body.dataset.seq = String(e.seq);
}

function onEvent(view: WallViewer, e: WallScreenEvent): void {
  // A stream resumed from further back sends what this page already has.
  if (e.seq <= received) return;
  received = e.seq;
  waiting++;
  applying = applying
    .then(() => apply(view, e))
    .catch(() => {})
    .finally(() => waiting--);
}

/**
 * The wall's live stream. EventSource reconnects by itself, resuming after the last event it got
 * (Last-Event-ID); if it gives up (the server answered with an error), a new one resumes after the
 * last event received, a little later.
 */
function listen(view: WallViewer, after: number): void {
  const es = new EventSource(`${api}/events?after=${after}`);
  for (const type of ['placed', 'freed', 'refused', 'state'])
    es.addEventListener(type, (m) => {
      try {
        onEvent(view, JSON.parse((m as MessageEvent<string>).data) as WallScreenEvent);
      } catch {
        // A malformed event is dropped; the log still has it for the next page.
      }
    });
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED) return;
    es.close();
    setTimeout(() => listen(view, received), RECONNECT_MS);
  });
}

/** Marks and shows these photos. */
function point(list: Placement[]): void {
  const v = view;
  v?.whenOpen(() => {
    v.highlight(list.map((p) => ({ cell: p.cell, label: p.label })));
    v.zoomTo(list.map((p) => p.cell));
  });
}

function showResults(q: string, list: Placement[]): void {
  found.textContent = list.length
    ? `${list.length === 1 ? 'One photo' : `${list.length} photos`} found for “${q}”.`
    : `No photo matches “${q}” yet.`;
  results.replaceChildren(
    ...list.map((p) => {
      const b = h(
        'button',
        { type: 'button', class: 'secondary' },
        h('strong', {}, p.label),
        p.name ? ` ${p.name}` : '',
      );
      b.addEventListener('click', () => point([p]));
      return h('li', {}, b);
    }),
  );
  point(list);
}

byId<HTMLFormElement>('wall-search').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = query.value.trim();
  if (!q) return;
  try {
    showResults(q, await getJson<Placement[]>(`${api}/search?q=${encodeURIComponent(q)}`));
  } catch {
    found.textContent = 'The search did not work just now. Try again in a moment.';
  }
});

addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'f' || e.key === 'F') void document.documentElement.requestFullscreen?.().catch(() => {});
  if (e.key === 'Escape') {
    view?.highlight([]);
    results.replaceChildren();
    found.textContent = '';
    view?.viewer.viewport.goHome();
  }
});

async function start(): Promise<void> {
  let wall: WallDetail;
  try {
    wall = await getJson<WallDetail>(api);
  } catch {
    stateText.textContent = 'The wall could not be loaded; trying again…';
    setTimeout(() => void start(), RECONNECT_MS);
    return;
  }
  total = wall.total;
  for (const p of wall.cells) cells.set(p.cell, p);
  received = wall.seq;
  view = new WallViewer(byId('wall-viewer'), geo, { controls: false });
  startVersions(view, wall);
  showState(wall.state);
  showCount();
  document.body.dataset.seq = String(wall.seq);
  const mine = wanted ? wall.cells.find((p) => p.photo === wanted) : undefined;
  if (mine) point([mine]);
  listen(view, wall.seq);
}

void start();
