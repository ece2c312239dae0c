import { relativeTime } from '../../shared/time';

export { relativeTime };

/** A <time> that says how long ago, kept current by `keepTimesFresh`. */
export function timeEl(iso: string): HTMLTimeElement {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.dataset.relative = '';
  t.title = new Date(iso).toLocaleString();
  t.textContent = relativeTime(iso);
  return t;
}

/** Rewrites every `time[data-relative]` now and every 30 s, so "just now" does not stay forever. */
export function keepTimesFresh(): void {
  const tick = () => {
    for (const t of document.querySelectorAll<HTMLTimeElement>('time[data-relative]')) {
      t.title ||= new Date(t.dateTime).toLocaleString();
      t.textContent = relativeTime(t.dateTime);
    }
  };
  tick();
  setInterval(tick, 30_000);
}
