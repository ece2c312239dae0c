import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashtagsOf, imagesOf, roleOf, type PostRecord } from './post.js';

const BOT = 'did:plc:bot';
const tags = [
  { tag: 'mosaicme', role: 'requests' as const },
  { tag: 'sunset', role: 'tiles' as const },
];
const tagFacet = (tag: string) => ({ features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] });

test('hashtags come from tag facets, the record’s tags and #words in the text, in lower case', () => {
  const r: PostRecord = { text: 'hello #Sunset, and ＃Beach #', facets: [tagFacet('MosaicMe')], tags: ['Extra'] };
  assert.deepEqual([...hashtagsOf(r)].sort(), ['beach', 'extra', 'mosaicme', 'sunset']);
});

test('a mention of the bot is a request; else the first configured hashtag decides', () => {
  assert.equal(roleOf({ text: '#sunset #mosaicme' }, BOT, tags), 'requests');
  assert.equal(roleOf({ text: 'nice #sunset' }, BOT, tags), 'tiles');
  const mention = { features: [{ $type: 'app.bsky.richtext.facet#mention', did: BOT }] };
  assert.equal(roleOf({ text: 'hey #sunset', facets: [mention] }, BOT, tags), 'requests');
  const other = { features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:someone' }] };
  assert.equal(roleOf({ text: 'hey', facets: [other] }, BOT, tags), undefined);
});

test('image URLs from the embed, alone or beside a quote; video and nothing are skipped', () => {
  const images = { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: 'bafkreiabc' } } }] };
  const t = 'https://cdn.example/{did}/{cid}@jpeg';
  assert.deepEqual(imagesOf({ embed: images }, 'did:plc:x', t), {
    urls: ['https://cdn.example/did:plc:x/bafkreiabc@jpeg'],
  });
  const quote = { $type: 'app.bsky.embed.recordWithMedia', media: images };
  assert.deepEqual(imagesOf({ embed: quote }, 'did:plc:x', t), {
    urls: ['https://cdn.example/did:plc:x/bafkreiabc@jpeg'],
  });
  assert.deepEqual(imagesOf({ embed: { $type: 'app.bsky.embed.video' } }, 'did:plc:x', t), {
    skip: 'video only, no photo',
  });
  assert.deepEqual(imagesOf({}, 'did:plc:x', t), { skip: 'no photo' });
  const odd = { $type: 'app.bsky.embed.images', images: [{ image: { ref: { $link: '../../x' } } }] };
  assert.deepEqual(imagesOf({ embed: odd }, 'did:plc:x', t), { skip: 'no photo' });
  assert.ok('skip' in imagesOf({ embed: images }, 'did:plc:x/../y', t));
});
