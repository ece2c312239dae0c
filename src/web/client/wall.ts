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
const wall = byId('wall');

let list: MosaicView[] = [];
let index = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let showing = 0;

/**
 * Keeps the QR panel on the picture: the picture is letterboxed (object-fit: contain), and a
 * panel at the screen's corner would hang over the black bar, cut off at the picture's edge.
 */
function placeCta(): void {
  const [w, h] = [img.naturalWidth, img.naturalHeight];
  if (!w || !h) return;
  const box = wall.getBoundingClientRect();
  const scale = Math.min(box.width / w, box.height / h);
  wall.style.setProperty('--pic-x', `${Math.max(0, (box.width - w * scale) / 2)}px`);
  wall.style.setProperty('--pic-y', `${Math.max(0, (box.height - h * scale) / 2)}px`);
}
addEventListener('resize', placeCta);
img.addEventListener('load', placeCta);

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
  placeCta();
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
wall.addEventListener('click', fullScreen);
addEventListener('keydown', (e) => {
  if (e.key === 'f' || e.key === 'F') fullScreen();
  if (e.key === 'ArrowRight') void show(index + 1);
  if (e.key === 'ArrowLeft') void show(index - 1);
});

keepTimesFresh();
void load();
