const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/** "5 minutes ago", "yesterday", "just now". */
export function relativeTime(iso: string, now = Date.now()): string {
  let value = (new Date(iso).getTime() - now) / 1000;
  if (Number.isNaN(value)) return '';
  if (Math.abs(value) < 30) return 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return '';
}

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
