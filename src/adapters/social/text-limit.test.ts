import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BLUESKY_LIMIT,
  MASTODON_LIMIT,
  X_LIMIT,
  blueskyLength,
  fitText,
  mastodonLength,
  xLength,
} from './text-limit.js';

const url = 'https://mosaic.example.org/mosaic/4f9c2e7a-0b1d-4c6e-9a3f-2d8e5b7c1a90';

test('each network counts its own way: graphemes, links as 23, CJK and emoji double on X', () => {
  assert.equal(blueskyLength('héllo 👩‍👩‍👧'), 7);
  assert.equal(mastodonLength(`see ${url}`), 4 + 23);
  assert.equal(xLength(`see ${url}`), 4 + 23);
  assert.equal(xLength('日本'), 4);
  assert.equal(xLength('hi 👍🏽'), 5);
});

test('X counts code points of combining scripts, emoji sequences as 2; links end before punctuation', () => {
  assert.equal(xLength('नमस्ते'), 6);
  assert.equal(xLength('👩‍👩‍👧 🇫🇷'), 5);
  assert.equal(mastodonLength(`${url}!`), 24);
  assert.equal(mastodonLength(`(${url})`), 25);
});

test('Bluesky counts bytes too: 3,000 at most', () => {
  assert.equal(blueskyLength('👩‍👩‍👧'.repeat(300)), Math.ceil((300 * 18) / 10));
  const out = fitText(`${'👩‍👩‍👧'.repeat(300)} ${url}`, url, BLUESKY_LIMIT, blueskyLength);
  assert.ok(Buffer.byteLength(out) <= 3000 && out.endsWith(url));
});

test('a mention the cut falls inside is left out whole: a shortened handle could name somebody else', () => {
  const text = `Thanks @bob.bsky.social.${'x'.repeat(80)}.evil.com for the photo: ${url}`;
  const out = fitText(text, url, 100, blueskyLength);
  assert.equal(out, `Thanks… ${url}`);
});

test('a text within the limit is kept as it is', () => {
  const text = `Hi @alice, here is your mosaic: ${url}`;
  assert.equal(fitText(text, url, BLUESKY_LIMIT, blueskyLength), text);
});

test('a text too long is cut before the link, which stays whole', () => {
  const handle = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`;
  const text = `Hi @${handle}, here is your mosaic: ${url}`;
  for (const [max, measure] of [
    [BLUESKY_LIMIT, blueskyLength],
    [100, blueskyLength],
    [MASTODON_LIMIT, mastodonLength],
    [X_LIMIT, xLength],
  ] as const) {
    const out = fitText(text, url, max, measure);
    assert.ok(measure(out) <= max, `${measure(out)} > ${max}`);
    assert.ok(out.endsWith(url), out);
    assert.ok(measure(text) <= max || out.includes('… '), out);
    assert.ok(out.includes(`@${handle}`) || !out.includes('@'), `no mention cut short: ${out}`);
  }
  assert.equal(fitText(text, url, 100, blueskyLength), `Hi… ${url}`, 'the handle is not cut short');
  const words = `Hi @alice, ${'thank you for taking part, '.repeat(10)}here is your mosaic: ${url}`;
  assert.equal(blueskyLength(fitText(words, url, 100, blueskyLength)), 100, 'plain words fill up to the limit');
});

test('text after the link is cut too when it must be; emoji are never split', () => {
  const text = `${url} ${'🎉'.repeat(400)}`;
  const out = fitText(text, url, 100, blueskyLength);
  assert.ok(out.startsWith(url));
  assert.equal(blueskyLength(out), 100);
  assert.ok(out.endsWith('🎉…'));
  assert.equal(fitText(`${'x'.repeat(500)}`, '', 10, blueskyLength), 'xxxxxxxxx…');
  assert.equal(
    fitText('Hi @a-very-long-handle, see https://g/m/1', 'https://g/m/1', 24, blueskyLength),
    'Hi… https://g/m/1',
  );
});
