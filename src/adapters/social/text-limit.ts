/**
 * Each network refuses a post over its length limit, and a refused reply is a reply lost. A long
 * handle (a Bluesky handle is a domain name of up to 253 characters) or a wordy template can go
 * over, so each publisher fits its text to its network's limit, counted the network's way; the
 * link to the mosaic is always kept whole.
 */

export type Measure = (text: string) => number;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);
// A link ends before trailing punctuation, as the networks' link detection has it.
const URL_RE = /https?:\/\/\S*[^\s.,!?;:'")\]}]/g;

/**
 * Bluesky: at most 300 graphemes and 3,000 bytes (`app.bsky.feed.post` lexicon, `maxGraphemes`,
 * `maxLength`); the bytes are counted by tens so both limits read as 300.
 */
export const BLUESKY_LIMIT = 300;
export const blueskyLength: Measure = (text) =>
  Math.max(graphemes(text).length, Math.ceil(Buffer.byteLength(text, 'utf8') / 10));

/** Mastodon: 500 characters by default; every link counts as 23, whatever its length. */
export const MASTODON_LIMIT = 500;
export const mastodonLength: Measure = (text) => graphemes(text.replace(URL_RE, 'x'.repeat(23))).length;

/**
 * X: 280 weighted characters (twitter-text configuration v3), counted on the NFC text: an emoji
 * (with its modifiers and joiners) weighs 2; other code points weigh 1 in the ranges below (Latin
 * to Indic scripts, general punctuation) and 2 elsewhere (CJK); every link weighs 23.
 */
export const X_LIMIT = 280;
const LIGHT: readonly [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
export const xLength: Measure = (text) => {
  let n = 0;
  for (const g of graphemes(text.normalize('NFC').replace(URL_RE, 'x'.repeat(23)))) {
    if (EMOJI.test(g)) {
      n += 2;
      continue;
    }
    for (const ch of g) {
      const cp = ch.codePointAt(0)!;
      n += LIGHT.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
    }
  }
  return n;
};

/**
 * The first `n` graphemes, without a mention cut short: `@bob.example.com` cut to `@bob.exa` could
 * name (and notify) somebody else, so a mention the cut falls inside is left out whole.
 */
function cut(text: readonly string[], n: number): string {
  let kept = text.slice(0, n).join('');
  if (n < text.length && /\S/.test(text[n])) {
    const partial = /\S+$/.exec(kept)?.[0] ?? '';
    if (partial.includes('@')) kept = kept.slice(0, kept.length - partial.length);
  }
  return kept.trimEnd();
}

/**
 * `text` if it fits within `max` as `measure` counts; else the text before the link is cut short
 * (at a grapheme, with "…"), then the text after it, so the link stays whole.
 * @example fitText('Hi @a-very-long-handle, see https://g/m/1', 'https://g/m/1', 24, blueskyLength)
 *   // 'Hi… https://g/m/1' (a mention is never cut short)
 */
export function fitText(text: string, url: string, max: number, measure: Measure): string {
  if (measure(text) <= max) return text;
  const at = url ? text.lastIndexOf(url) : -1;
  const before = graphemes(at >= 0 ? text.slice(0, at) : text);
  const after = at >= 0 ? graphemes(text.slice(at + url.length)) : [];
  const link = at >= 0 ? url : '';
  const join = (b: number, a: number) =>
    (b < before.length ? cut(before, b) + (link ? '… ' : '…') : before.join('')) +
    link +
    (a < after.length ? after.slice(0, a).join('').trimEnd() + '…' : after.join(''));
  // The longest beginning that fits, found by bisection. The answer always fits; where a mention
  // is left out whole it may stop a few words short of the longest.
  const longest = (fits: (n: number) => boolean, hi: number): number => {
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const a = after.length;
  if (measure(join(0, a)) <= max)
    return join(
      longest((b) => measure(join(b, a)) <= max, before.length),
      a,
    );
  const keepAfter = longest((n) => measure(join(0, n)) <= max, a);
  const fitted = join(0, keepAfter);
  return measure(fitted) <= max ? fitted : link;
}
