import { mosaicsPage, type MosaicView } from './lib/api';
import { byline } from './lib/byline';
import { byId, h } from './lib/dom';

const COUNT = 5;
const INTERVAL_MS = 5000;

/**
 * The latest mosaics, one at a time, moving on by itself unless paused, the pointer or focus is on
 * it, or the person asked for less motion. Screen readers hear the slides only when they do not
 * move by themselves. Only the slide shown loads its large image.
 */
export function startCarousel() {
  const section = byId('carousel');
  const slides = byId('slides');
  const dots = byId('slide-dots');
  let list: MosaicView[] = [];
  let index = 0;
  const toggle = byId<HTMLButtonElement>('carousel-toggle');
  let stopped = false;
  let hovered = false;
  const setStopped = (value: boolean) => {
    stopped = value;
    toggle.textContent = stopped ? 'Play' : 'Pause';
    toggle.setAttribute('aria-label', stopped ? 'Play the slideshow' : 'Pause the slideshow');
    slides.setAttribute('aria-live', stopped ? 'polite' : 'off');
  };
  setStopped(matchMedia('(prefers-reduced-motion: reduce)').matches);

  const show = (i: number) => {
    if (!list.length) return;
    index = (i + list.length) % list.length;
    const m = list[index];
    // The size makes the slide as wide as the mosaic's aspect before the image arrives.
    const img = h('img', {
      src: m.url_preview,
      alt: `Mosaic by @${m.username}`,
      decoding: 'async',
      width: m.width,
      height: m.height,
    });
    slides.replaceChildren(
      h(
        'figure',
        { class: 'slide', 'data-id': m.id },
        h('a', { href: m.page_url, class: 'slide-image' }, img),
        h('figcaption', {}, byline(m)),
      ),
    );
    dots.querySelectorAll('button').forEach((b, n) => b.setAttribute('aria-pressed', String(n === index)));
  };

  const render = () => {
    section.hidden = list.length === 0;
    dots.replaceChildren(
      ...list.map((m, n) => {
        const b = h('button', { type: 'button', class: 'dot', 'aria-label': `Show mosaic ${n + 1} of ${list.length}` });
        b.addEventListener('click', () => show(n));
        return b;
      }),
    );
    show(Math.min(index, list.length - 1));
  };

  byId('prev').addEventListener('click', () => show(index - 1));
  byId('next').addEventListener('click', () => show(index + 1));
  toggle.addEventListener('click', () => setStopped(!stopped));
  section.addEventListener('pointerenter', () => (hovered = true));
  section.addEventListener('pointerleave', () => (hovered = false));
  section.addEventListener('focusin', () => (hovered = true));
  section.addEventListener('focusout', () => (hovered = false));
  setInterval(() => {
    if (!stopped && !hovered && !document.hidden) show(index + 1);
  }, INTERVAL_MS);

  const reload = async () => {
    try {
      list = (await mosaicsPage(1, COUNT)).mosaics;
      index = 0;
      render();
    } catch {
      // The grid reports the gallery being away; the carousel keeps what it has.
    }
  };
  void reload();
  return {
    reload,
    remove: (id: string) => {
      list = list.filter((m) => m.id !== id);
      render();
    },
  };
}
