// Shared by the server (page shells) and the browser (live updates), so both say the same.
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
    const rounded = Math.round(value);
    if (Math.abs(rounded) < size) return rtf.format(rounded, unit);
    value /= size;
  }
  return '';
}
