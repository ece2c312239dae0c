import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RequestStatus } from '../../src/shapes/gallery.js';
import type { WallDef } from '../../src/shapes/wall.js';
import { startFakeMastodon, type FakeMastodon } from '../fakes/mastodon-server.js';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { serveWithNetwork, type SocialServe } from '../helpers/social.js';

// A post with a live wall's hashtag: its photo goes on the wall (not into the gallery), and the
// requester is answered on the fake Mastodon with the cell and the photo's find-my-tile link. A
// guest's upload onto the same wall gets no reply.
let fake: FakeMastodon;
let s: SocialServe;
let wall: WallDef;

before(async () => {
  fake = await startFakeMastodon({ pingMs: 1000 });
  s = await serveWithNetwork({ MASTODON_URL: fake.url, MASTODON_TOKEN: fake.token, REQUEST_HASHTAGS: 'mosaicme,expo' });
  await s.until('the hashtag stream', () => fake.subscribers() === 1);
  const target = path.join(s.data, 'target.png');
  await writeFile(target, await raw(300, 300, 5).png().toBuffer());
  const made = await mosaicme(
    ['wall', 'create', '--title', 'Expo wall', '--target', target, '--cols', '10', '--rows', '10'].concat([
      '--hashtag',
      'expo',
      '--json',
    ]),
    { DATA_DIR: s.data },
  );
  assert.equal(made.code, 0, made.stderr);
  wall = JSON.parse(made.stdout) as WallDef;
});
after(async () => {
  await s?.stop();
  await fake?.close();
});

const status = async (id: string) => (await (await s.client.api(`/api/requests/${id}`)).json()) as RequestStatus;

test('a post with the wall hashtag goes on the wall and is answered with its cell and its tile link', async () => {
  const post = await fake.addPost({ author: 'carol', tags: ['expo'], images: 1, mentionBot: true });
  const id = `mastodon-${post.id as string}`;
  assert.equal((await s.finished(id)).state, 'done');
  const { label, url } = (await status(id)).wall ?? {};
  assert.ok(label, 'the status says which cell');
  assert.equal(url, `https://gallery.example/walls/${wall.id}/photos/${id}`);
  const replies = () => fake.replies.filter((r) => r.inReplyToId === post.id);
  await s.until('the reply', () => replies().length > 0);
  const [reply] = replies();
  assert.equal(reply.status, `@carol@fake.social your photo is at ${label} on Expo wall: ${url}`);
  const photo = await s.storage.get('mosaic-in', `walls/${wall.id}/photos/${id}.jpg`);
  assert.ok(photo && reply.media[0].bytes.equals(Buffer.from(photo)), 'the sticker-sized photo is attached');
  // Not a mosaic: nothing in the gallery, and no mosaic reply.
  assert.equal((await s.inGallery(id)).entry, undefined);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(replies().length, 1, 'answered once, although the stream and the mentions both saw it');
});

test("a guest's upload onto the wall is placed and gets no reply", async () => {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(await raw(120, 90, 9).jpeg().toBuffer())]), 'photo.jpg');
  form.append('name', 'dora');
  const res = await s.client.api(`/api/walls/${wall.id}/photos`, { method: 'POST', body: form });
  assert.equal(res.status, 202, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  assert.equal((await s.client.waitFor(id)).state, 'done');
  assert.ok((await status(id)).wall?.label);
  await new Promise((r) => setTimeout(r, 1000));
  assert.doesNotMatch(s.server.log(), new RegExp(`reply to .*\\(${id}\\)`));
});
