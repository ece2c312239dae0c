import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SocialPost } from '../../src/ports.js';
import {
  blueskyPublisher,
  blueskySource,
  verifyBluesky,
  type BlueskyConfig,
} from '../../src/adapters/social/bluesky/index.js';
import { startFakeBluesky, type FakeBluesky } from '../fakes/bluesky-server.js';
import { raw } from '../helpers/fixtures.js';
import { listenTo, tempCursor, until } from '../helpers/sources.js';

let fake: FakeBluesky;
before(async () => {
  fake = await startFakeBluesky();
});
after(() => fake.close());

const config = (over: Partial<BlueskyConfig> = {}): BlueskyConfig => ({
  service: fake.url,
  identifier: fake.handle,
  password: fake.password,
  jetstreamUrl: fake.jetstreamUrl,
  imageUrlTemplate: fake.imageUrlTemplate,
  hashtags: [
    { tag: 'mosaicme', role: 'requests' },
    { tag: 'sunset', role: 'tiles' },
  ],
  ...over,
});

const listen = (cfg: BlueskyConfig, onPost?: (p: SocialPost) => Promise<void>) =>
  listenTo((log) => blueskySource(cfg, log), onPost);

describe('Bluesky', () => {
  test('verify gives the bot’s handle and fails clearly on a bad password', async () => {
    assert.equal(await verifyBluesky(config()), fake.handle);
    await assert.rejects(verifyBluesky(config({ password: 'wrong-secret' })), (err: Error) => {
      assert.match(err.message, /rejected the login of mosaicbot\.bsky\.social/);
      assert.doesNotMatch(err.message, /wrong-secret/);
      return true;
    });
  });

  test('Jetstream gives tagged photo posts once with their role; video, text-only, untagged and the bot’s own are skipped', async () => {
    const s = await listen(config());
    try {
      const req = await fake.addPost({ tags: ['MosaicMe'], images: 2, author: 'bob.bsky.social' });
      const tile = await fake.addPost({ textTags: ['sunset!'], images: 1, quote: true });
      await fake.addPost({ tags: ['other'], images: 1 });
      const video = await fake.addPost({ tags: ['mosaicme'], video: true });
      const text = await fake.addPost({ tags: ['mosaicme'] });
      const own = await fake.addPost({ tags: ['mosaicme'], images: 1, byBot: true });
      const bob2 = await fake.addPost({ tags: ['sunset'], images: 1, author: 'bob.bsky.social' });
      await until('three photo posts', () => s.posts.length === 3);
      assert.equal(fake.profileLookups.get(req.did), 1, 'a handle is looked up once');
      fake.identityEvent('bob.bsky.social');
      const again = await fake.addPost({ tags: ['sunset'], images: 1, author: 'bob.bsky.social' });
      await until('four photo posts', () => s.posts.length === 4);
      await sleep(300);
      assert.deepEqual(s.ids(), [req.uri, tile.uri, bob2.uri, again.uri]);
      assert.equal(fake.profileLookups.get(req.did), 2, 'and again after an identity event');
      const [r, t] = s.posts;
      assert.equal(r.network, 'bluesky');
      assert.equal(r.role, 'requests');
      assert.deepEqual(r.post.ref, { cid: req.cid, rootUri: req.uri, rootCid: req.cid });
      assert.deepEqual(r.author, {
        handle: 'bob.bsky.social',
        displayName: 'Bob',
        profileUrl: 'https://bsky.app/profile/bob.bsky.social',
      });
      const cids = (req.record.embed as { images: { image: { ref: { $link: string } } }[] }).images.map(
        (i) => i.image.ref.$link,
      );
      assert.deepEqual(
        r.imageUrls,
        cids.map((c) => `${fake.url}/img/feed_fullsize/plain/${req.did}/${c}@jpeg`),
      );
      assert.equal((await fetch(r.imageUrls[0])).headers.get('content-type'), 'image/jpeg');
      assert.equal(r.text, req.record.text);
      assert.equal(r.url, `https://bsky.app/profile/bob.bsky.social/post/${req.rkey}`);
      assert.equal(t.role, 'tiles');
      assert.equal(t.author.handle, 'alice.bsky.social');
      const skipped = s.lines.filter((l) => l.includes('skipped')).join('\n');
      assert.match(skipped, new RegExp(`${video.uri} skipped: video only`));
      assert.match(skipped, new RegExp(`${text.uri} skipped: no photo`));
      assert.match(skipped, new RegExp(`${own.uri} skipped: our own post`));
      assert.equal(s.lines.filter((l) => l.includes('skipped')).length, 3, 'untagged posts are not even logged');
      assert.ok(!s.lines.join('\n').includes(fake.password));
    } finally {
      await s.source.stop();
    }
  });

  test('a mention of the bot with a photo is a request, a reply keeps its thread root', async () => {
    const s = await listen(config());
    try {
      const root = await fake.addPost({ text: 'a thread' });
      const m = await fake.addPost({
        mentionBot: true,
        images: 1,
        author: 'carol.bsky.social',
        tags: ['sunset'],
        replyTo: { uri: root.uri, cid: root.cid },
      });
      await until('the mention', () => s.posts.length === 1);
      assert.equal(s.posts[0].post.id, m.uri);
      assert.deepEqual(s.posts[0].post.ref, { cid: m.cid, rootUri: root.uri, rootCid: root.cid });
      assert.equal(s.posts[0].role, 'requests');
      assert.equal(s.posts[0].author.handle, 'carol.bsky.social');
    } finally {
      await s.source.stop();
    }
  });

  test('a dropped Jetstream reconnects from its cursor and loses no post; a rejected post is offered again', async () => {
    let failures = 1;
    const s = await listen(config(), async () => {
      if (failures-- > 0) throw new Error('storage away');
    });
    try {
      const first = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      await until('the first post', () => s.posts.length === 1);
      assert.ok(s.lines.some((l) => l.includes('storage away')));
      fake.state.refuseStreaming = true;
      fake.dropStreams();
      const missed = [
        await fake.addPost({ tags: ['mosaicme'], images: 1 }),
        await fake.addPost({ tags: ['sunset'], images: 1 }),
      ];
      await sleep(600);
      assert.equal(s.posts.length, 1, 'nothing arrives while Jetstream is away');
      fake.state.refuseStreaming = false;
      await until('the missed posts', () => s.posts.length === 3);
      const later = await fake.addPost({ tags: ['sunset'], images: 1 });
      await until('a post after the reconnect', () => s.posts.length === 4);
      await sleep(300);
      assert.deepEqual(s.ids(), [first.uri, ...missed.map((m) => m.uri), later.uri]);
    } finally {
      await s.source.stop();
    }
  });

  test('a restarted collector replays Jetstream from its saved position: posts made meanwhile, and one not taken, arrive', async () => {
    const { cursor, dispose } = await tempCursor('bluesky');
    try {
      let refuse = '';
      const first = await listen(config({ cursor }), async (p) => {
        if (p.post.id === refuse) throw new Error('storage away');
      });
      const taken = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      await until('the first post', () => first.posts.length === 1);
      const stuck = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      refuse = stuck.uri;
      await until('the refusal', () => first.lines.some((l) => l.includes('storage away')));
      await first.source.stop();
      const saved = Number(await cursor.load());
      assert.ok(saved >= taken.time_us && saved < stuck.time_us, 'saved up to the post not taken');
      const meanwhile = [
        await fake.addPost({ tags: ['sunset'], images: 1 }),
        await fake.addPost({ mentionBot: true, images: 1 }),
      ];
      const second = await listen(config({ cursor }));
      try {
        await until('the posts not taken before', () => second.posts.length >= 3);
        await sleep(300);
        for (const p of [stuck, ...meanwhile]) assert.ok(second.ids().includes(p.uri), p.uri);
        assert.ok(second.lines.some((l) => l.includes('where the last run stopped')));
      } finally {
        await second.source.stop();
      }
      assert.ok(Number(await cursor.load()) >= meanwhile[1].time_us, 'the position moved on');
    } finally {
      await dispose();
    }
  });

  test('the publisher replies once in the thread with the image, alt text and the link as a facet', async () => {
    const root = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const post = await fake.addPost({ tags: ['mosaicme'], images: 1, author: 'dave.bsky.social' });
    const thumbnail = await raw(120, 90, 3).jpeg().toBuffer();
    const lines: string[] = [];
    const pub = blueskyPublisher(config(), (l) => lines.push(l));
    assert.ok(pub.handles('bluesky') && !pub.handles('mastodon') && !pub.handles(undefined));
    const link = 'https://gallery.example/m/req-1';
    const reply = {
      id: 'req-1',
      network: 'bluesky',
      post: { id: post.uri, ref: { cid: post.cid, rootUri: root.uri, rootCid: root.cid } },
      text: `Hi @dave.bsky.social, here is your mosaic: ${link}`,
      url: link,
      thumbnail,
    };
    const count = fake.replies.length;
    await pub.reply(reply);
    await pub.reply(reply);
    const mine = fake.replies.slice(count);
    assert.equal(mine.length, 1, 'a second call for the same post posts nothing');
    assert.deepEqual(mine[0].reply, {
      root: { uri: root.uri, cid: root.cid },
      parent: { uri: post.uri, cid: post.cid },
    });
    assert.equal(mine[0].text, reply.text);
    assert.equal(mine[0].images.length, 1);
    assert.ok(mine[0].images[0].bytes.equals(thumbnail));
    assert.ok(mine[0].images[0].alt.length > 0);
    assert.deepEqual(mine[0].images[0].aspectRatio, { width: 120, height: 90 });
    const features = mine[0].facets.flatMap((f) => f.features as { $type: string; uri?: string; did?: string }[]);
    assert.ok(features.some((f) => f.$type === 'app.bsky.richtext.facet#link' && f.uri === link));
    assert.ok(features.some((f) => f.$type === 'app.bsky.richtext.facet#mention' && f.did === post.did));
    assert.ok(lines.some((l) => l.includes('already answered')));
    assert.ok(!lines.join('\n').includes(fake.password));
  });

  test('a reply too long for Bluesky (a 253-character handle) is cut to fit, the link kept whole', async () => {
    const post = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const pub = blueskyPublisher(config(), () => {});
    const link = 'https://gallery.example/m/req-long';
    const handle = `${'h'.repeat(63)}.${'o'.repeat(63)}.${'s'.repeat(63)}.${'t'.repeat(50)}.example`;
    const text = `Hi @${handle}, here is your mosaic, made of hundreds of small photos: ${link}`;
    const count = fake.replies.length;
    await pub.reply({
      id: 'req-long',
      network: 'bluesky',
      post: { id: post.uri, ref: { cid: post.cid } },
      text,
      url: link,
      thumbnail: await raw(120, 90, 4).jpeg().toBuffer(),
    });
    const [mine] = fake.replies.slice(count);
    assert.ok(mine, 'the fake refuses over 300 graphemes, so a reply there means it fitted');
    const graphemes = [...new Intl.Segmenter().segment(mine.text)].length;
    assert.ok(graphemes <= 300, `${graphemes} graphemes`);
    assert.ok(mine.text.startsWith(`Hi @${handle}, `) && mine.text.endsWith(`… ${link}`), mine.text);
    const features = mine.facets.flatMap((f) => f.features as { $type: string; uri?: string }[]);
    assert.ok(features.some((f) => f.$type === 'app.bsky.richtext.facet#link' && f.uri === link));
  });

  test('an expired session is refreshed, and a 429 delays the reply without losing it', async () => {
    const pub = blueskyPublisher(config(), () => {});
    const thumbnail = await raw(60, 40, 4).jpeg().toBuffer();
    const replyTo = async (id: string) => {
      const p = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      return { id, post: { id: p.uri, ref: { cid: p.cid } }, text: 'hi', url: 'u', thumbnail };
    };
    const count = fake.replies.length;
    await pub.reply(await replyTo('warm-up'));
    fake.expireAccessTokens();
    await pub.reply(await replyTo('after-expiry'));
    assert.equal(fake.replies.length, count + 2);
    assert.equal(fake.requests.filter((r) => r.nsid === 'com.atproto.server.createSession').length >= 1, true);
    assert.ok(fake.requests.some((r) => r.nsid === 'com.atproto.server.refreshSession'));

    fake.rateLimit('com.atproto.repo.createRecord', 1, 1500);
    const t0 = Date.now();
    await pub.reply(await replyTo('limited'));
    assert.ok(Date.now() - t0 >= 500, 'waited for the reset');
    assert.equal(fake.replies.length, count + 3);

    fake.rateLimit('com.atproto.repo.createRecord', 1, 10 * 60_000);
    const later = await replyTo('limited-long');
    await assert.rejects(pub.reply(later), /rate limited for \d+ s more/);
    assert.equal(fake.replies.length, count + 3, 'nothing posted yet');
    await pub.reply(later);
    assert.equal(fake.replies.length, count + 4, 'the queue’s retry posts it');
  });
});
