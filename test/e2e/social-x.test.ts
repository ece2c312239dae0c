import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeX, X_AUTH, X_BOT } from '../fakes/x-server.js';
import { raw } from '../helpers/fixtures.js';
import { serveWithNetwork, type SocialServe } from '../helpers/social.js';

let fake: FakeX;
let s: SocialServe;
const alice = { id: '42', username: 'alice_NYC', name: 'Alice' };
const bob = { id: '43', username: 'bob', name: 'Bob B.' };

/** Someone posts a photo on the fake X; returns the post id. */
const postPhoto = async (text: string, author = alice, seed = 1) =>
  fake.post({ text, author, photos: [fake.addImage(`p${seed}`, await raw(240, 180, seed).jpeg().toBuffer())] });

before(async () => {
  fake = await FakeX.start({ heartbeatMs: 2000 });
  s = await serveWithNetwork({
    X_BEARER_TOKEN: X_AUTH.bearer,
    X_API_KEY: X_AUTH.appKey,
    X_API_SECRET: X_AUTH.appSecret,
    X_ACCESS_TOKEN: X_AUTH.accessToken,
    X_ACCESS_SECRET: X_AUTH.accessSecret,
    X_API_URL: fake.apiUrl,
    X_MEDIA_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: fake.certFile,
  });
  await s.until('the X stream', () => fake.openStreams === 1);
});
after(async () => {
  await s?.stop();
  await fake.close();
});

test('a post with #mosaicme, @bot and a photo becomes a mosaic in the gallery and a reply with the thumbnail and the link', async () => {
  const post = await postPhoto(`my photo #mosaicme @${X_BOT.username}`);
  const id = `x-${post}`;
  assert.equal((await s.finished(id)).state, 'done');
  const { entry, thumbnail } = await s.inGallery(id);
  assert.equal(entry?.username, 'alice_NYC');
  const replies = fake.replies.filter((r) => r.inReplyTo === post);
  assert.equal(replies.length, 1, 'answered once');
  assert.equal(replies[0].text, `Hi @alice_NYC, here is your mosaic: https://gallery.example/mosaics/${id}`);
  assert.ok(replies[0].media[0].equals(thumbnail!), 'the thumbnail is attached');
  const small = await s.storage.head('mosaic-outsmall', `${id}.jpg`);
  assert.equal(small?.metadata.network, 'x');
  assert.equal(small?.metadata.profile, 'https://x.com/alice_NYC');
  assert.equal(decodeURIComponent(small!.metadata.displayname), 'Alice');
});

test('a post on the tiles hashtag lands in the raw bucket and grows the tile library', async () => {
  const post = fake.post({
    text: 'golden hour #sunset',
    author: bob,
    photos: [
      fake.addImage('t1', await raw(200, 200, 7).jpeg().toBuffer()),
      fake.addImage('t2', await raw(200, 200, 8).jpeg().toBuffer()),
    ],
  });
  await s.until('both photos', async () => Boolean(await s.storage.head('mosaic-raw', `x-${post}-1.jpg`)));
  assert.equal((await s.storage.head('mosaic-raw', `x-${post}-0.jpg`))?.metadata.username, 'bob');
  await s.until('the library to grow by both photos', async () => (await s.libraryTiles()) === 402);
  assert.match(s.server.log(), new RegExp(`2 tile photo\\(s\\) from x post ${post} by @bob`));
});

test('a stream dropped mid-way reconnects and loses no post; a 429 on the reply delays it without losing it', async () => {
  fake.dropStreams();
  const during = await postPhoto(`while away #mosaicme @${X_BOT.username}`, bob, 3);
  await s.until('the reconnect', () => fake.openStreams === 1);
  fake.limit(/^POST \/2\/tweets$/, 1, 2);
  assert.equal((await s.finished(`x-${during}`)).state, 'done');
  assert.equal(fake.replies.filter((r) => r.inReplyTo === during).length, 1);
  assert.match(s.server.log(), /x reply: rate limited, trying again in \d s/);
  assert.doesNotMatch(s.server.log(), new RegExp(`${X_AUTH.accessSecret}|${X_AUTH.bearer}|${X_AUTH.appSecret}`));
});
