import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestId } from '../../src/services/social.js';
import { startFakeBluesky, type FakeBluesky } from '../fakes/bluesky-server.js';
import { serveWithNetwork, type SocialServe } from '../helpers/social.js';

let fake: FakeBluesky;
let s: SocialServe;
const idOf = (uri: string) => requestId({ network: 'bluesky', post: { id: uri } });

before(async () => {
  fake = await startFakeBluesky();
  s = await serveWithNetwork({
    BLUESKY_SERVICE: fake.url,
    BLUESKY_IDENTIFIER: fake.handle,
    BLUESKY_APP_PASSWORD: fake.password,
    BLUESKY_JETSTREAM_URL: fake.jetstreamUrl,
    BLUESKY_IMAGE_URL: fake.imageUrlTemplate,
  });
  await s.until('Jetstream', () => fake.subscribers() === 1);
});
after(async () => {
  await s?.stop();
  await fake.close();
});

test('a post with #mosaicme and a photo becomes a mosaic in the gallery and a reply with the thumbnail and the link', async () => {
  const post = await fake.addPost({ author: 'carol.bsky.social', tags: ['mosaicme'], images: 1 });
  const id = idOf(post.uri);
  assert.equal((await s.finished(id)).state, 'done');
  const { entry, thumbnail } = await s.inGallery(id);
  assert.equal(entry?.username, 'carol.bsky.social');
  const replies = fake.replies.filter((r) => r.reply.parent.uri === post.uri);
  assert.equal(replies.length, 1, 'answered once');
  assert.match(replies[0].text, /here is your mosaic: https:\/\/gallery\.example\/mosaics\//);
  assert.ok(replies[0].images[0].bytes.equals(thumbnail!), 'the thumbnail is attached');
});

test('a post on the tiles hashtag lands in the raw bucket and grows the tile library', async () => {
  const post = await fake.addPost({ author: 'dave.bsky.social', tags: ['sunset'], images: 2 });
  const key = (n: number) => `${idOf(post.uri)}-${n}.jpg`;
  await s.until('both photos', async () => Boolean(await s.storage.head('mosaic-raw', key(1))));
  assert.equal((await s.storage.head('mosaic-raw', key(0)))?.metadata.username, 'dave.bsky.social');
  await s.until('the library to grow by both photos', async () => (await s.libraryTiles()) === 402);
});

test('Jetstream dropped mid-way resumes from its cursor and loses no post', async () => {
  fake.dropStreams();
  const during = await fake.addPost({ author: 'erin.bsky.social', tags: ['mosaicme'], images: 1 });
  assert.equal((await s.finished(idOf(during.uri))).state, 'done');
  assert.doesNotMatch(s.server.log(), new RegExp(fake.password));
});
