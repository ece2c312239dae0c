import { mosaicsPage, type MosaicView } from './lib/api';
import { byline } from './lib/byline';
import { byId } from './lib/dom';
import { liveEvents } from './lib/events';
import { keepTimesFresh } from './lib/time';

const KEEP = 20;
const CYCLE_MS = 10_000;
const img = byId<HTMLImageElement>('wall-img');
const caption = byId('wall-caption');
const empty = byId('wall-empty');

let list: MosaicView[] = [];
let index = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let showing = 0;

/** Shows a mosaic once its image is decoded, so the screen never flashes an empty frame. */
async function show(i: number): Promise<void> {
  clearTimeout(timer);
  timer = setTimeout(() => void show(index + 1), CYCLE_MS);
  empty.hidden = list.length > 0;
  if (!list.length) return;
  index = (i + list.length) % list.length;
  const m = list[index];
  const turn = ++showing;
  const next = new Image();
  next.src = m.url_preview;
  await next.decode().catch(() => {});
  if (turn !== showing) return;
  img.src = m.url_preview;
  img.alt = `Mosaic by @${m.username}`;
  img.dataset.id = m.id;
  caption.replaceChildren(byline(m, false));
}

async function load(): Promise<void> {
  try {
    list = (await mosaicsPage(1, KEEP)).mosaics;
    void show(0);
  } catch {
    setTimeout(() => void load(), 5000);
  }
}

liveEvents({
  mosaic: (m) => {
    list = [m, ...list.filter((x) => x.id !== m.id)].slice(0, KEEP);
    void show(0);
  },
  hidden: ({ id }) => {
    const wasShown = list[index]?.id === id;
    list = list.filter((x) => x.id !== id);
    if (wasShown) void show(index);
  },
  reconnected: () => void load(),
});

// The booth screen: a click or F goes full screen.
const fullScreen = () => void document.documentElement.requestFullscreen?.().catch(() => {});
byId('wall').addEventListener('click', fullScreen);
addEventListener('keydown', (e) => {
  if (e.key === 'f' || e.key === 'F') fullScreen();
  if (e.key === 'ArrowRight') void show(index + 1);
  if (e.key === 'ArrowLeft') void show(index - 1);
});

keepTimesFresh();
void load();
