import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeMastodon, type FakeMastodon } from '../fakes/mastodon-server.js';
import { serveWithNetwork, type SocialServe } from '../helpers/social.js';

let fake: FakeMastodon;
let s: SocialServe;

before(async () => {
  fake = await startFakeMastodon({ pingMs: 1000 });
  s = await serveWithNetwork({ MASTODON_URL: fake.url, MASTODON_TOKEN: fake.token });
  await s.until('the hashtag stream', () => fake.subscribers() === 1);
});
after(async () => {
  await s?.stop();
  await fake.close();
});

test('a post with #mosaicme and a photo becomes a mosaic in the gallery and a reply with the thumbnail and the link', async () => {
  const status = await fake.addPost({ author: 'carol', tags: ['mosaicme'], images: 1, mentionBot: true });
  const id = `mastodon-${status.id as string}`;
  assert.equal((await s.finished(id)).state, 'done');
  const { entry, thumbnail } = await s.inGallery(id);
  assert.equal(entry?.username, 'carol@fake.social');
  const replies = fake.replies.filter((r) => r.inReplyToId === status.id);
  assert.equal(replies.length, 1, 'answered once, although the stream and the mentions both saw it');
  assert.match(replies[0].status, new RegExp(`here is your mosaic: https://gallery.example/mosaics/${id}`));
  assert.ok(replies[0].media[0].bytes.equals(thumbnail!), 'the thumbnail is attached');
  assert.equal((await s.storage.head('mosaic-outsmall', `${id}.jpg`))?.metadata.network, 'mastodon');
});

test('a post on the tiles hashtag lands in the raw bucket and grows the tile library', async () => {
  const status = await fake.addPost({ author: 'dave@other.example', tags: ['sunset'], images: 2 });
  const key = (n: number) => `mastodon-${status.id as string}-${n}.jpg`;
  await s.until('both photos', async () => Boolean(await s.storage.head('mosaic-raw', key(1))));
  assert.equal((await s.storage.head('mosaic-raw', key(0)))?.metadata.username, 'dave@other.example');
  await s.until('the library to grow by both photos', async () => (await s.libraryTiles()) === 402);
});

test('a stream dropped mid-way loses no post; a post with only video is skipped with a log line', async () => {
  fake.dropStreams();
  const during = await fake.addPost({ author: 'erin', tags: ['mosaicme'], images: 1 });
  const video = await fake.addPost({ author: 'erin', tags: ['mosaicme'], videos: 1 });
  assert.equal((await s.finished(`mastodon-${during.id as string}`)).state, 'done');
  // Skipped by the source itself, or by the social stage: either says why.
  const v = video.id as string;
  const skipped = new RegExp(`post ${v} skipped: video|skipped mastodon post ${v} by @\\S+: only video`);
  await s.until('the video post', () => skipped.test(s.server.log()));
  assert.doesNotMatch(s.server.log(), new RegExp(fake.token));
});
