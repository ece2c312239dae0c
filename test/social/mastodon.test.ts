import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { SocialPost } from '../../src/ports.js';
import {
  mastodonPublisher,
  mastodonSource,
  verifyMastodon,
  type MastodonConfig,
} from '../../src/adapters/social/mastodon/index.js';
import { startFakeMastodon, type FakeMastodon } from '../fakes/mastodon-server.js';
import { raw } from '../helpers/fixtures.js';
import { listenTo, tempCursor, until } from '../helpers/sources.js';

let fake: FakeMastodon;
before(async () => {
  fake = await startFakeMastodon({ pingMs: 500 });
});
after(() => fake.close());

const config = (over: Partial<MastodonConfig> = {}): MastodonConfig => ({
  url: fake.url,
  accessToken: fake.token,
  hashtags: [
    { tag: 'mosaicme', role: 'requests' },
    { tag: 'sunset', role: 'tiles' },
  ],
  pollIntervalMs: 200,
  ...over,
});

const listen = (cfg: MastodonConfig, onPost?: (p: SocialPost) => Promise<void>) =>
  listenTo((log) => mastodonSource(cfg, log), onPost);

describe('Mastodon', () => {
  test('verify gives the bot’s full handle and fails clearly on a bad token', async () => {
    assert.equal(await verifyMastodon(config()), 'mosaicbot@fake.social');
    await assert.rejects(verifyMastodon(config({ accessToken: 'wrong-secret' })), (err: Error) => {
      assert.match(err.message, /rejected the access token/);
      assert.doesNotMatch(err.message, /wrong-secret/);
      return true;
    });
  });

  test('the stream gives photo posts once with their role; video, text-only and the bot’s own are skipped', async () => {
    const old = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const s = await listen(config({ pollIntervalMs: 60_000 }));
    try {
      const req = await fake.addPost({ tags: ['mosaicme'], images: 2, author: 'bob@elsewhere.example' });
      const tile = await fake.addPost({ tags: ['Sunset'], images: 1 });
      const video = await fake.addPost({ tags: ['mosaicme'], videos: 1, gifv: 1 });
      const text = await fake.addPost({ tags: ['mosaicme'] });
      const own = await fake.addPost({ tags: ['mosaicme'], images: 1, byBot: true });
      await until('both photo posts', () => s.posts.length === 2);
      await until('the skips to be logged', () => s.lines.filter((l) => l.includes('skipped')).length === 3);
      await sleep(300);
      assert.deepEqual(s.ids(), [req.id, tile.id]);
      const [r, t] = s.posts;
      assert.equal(r.network, 'mastodon');
      assert.equal(r.role, 'requests');
      assert.deepEqual(r.author, {
        handle: 'bob@elsewhere.example',
        displayName: 'Bob',
        profileUrl: 'https://elsewhere.example/@bob',
      });
      const media = req.media_attachments as { url: string }[];
      assert.deepEqual(
        r.imageUrls,
        media.map((m) => m.url),
      );
      assert.ok(r.imageUrls[0].startsWith(`${fake.url}/media/`));
      assert.equal(r.text, 'my photo #mosaicme');
      assert.equal(r.url, req.url);
      assert.equal(r.createdAt, req.created_at);
      assert.equal(t.role, 'tiles');
      assert.equal(t.author.handle, 'alice@fake.social');
      const skipped = s.lines.filter((l) => l.includes('skipped')).join('\n');
      assert.match(skipped, new RegExp(`${video.id as string} skipped: video or animation only`));
      assert.match(skipped, new RegExp(`${text.id as string} skipped: no photo`));
      assert.match(skipped, new RegExp(`${own.id as string} skipped: our own post`));
      assert.ok(!s.ids().includes(old.id as string), 'posts from before the start are not taken');
    } finally {
      await s.source.stop();
    }
  });

  test('a source started again after a stop listens again (the social stage restarts a failed source)', async () => {
    const s = await listen(config());
    await s.source.stop();
    const posts: SocialPost[] = [];
    await s.source.start(async (p) => void posts.push(p));
    try {
      const m = await fake.addPost({ mentionBot: true, images: 1, author: 'frank' });
      await until('the mention, polled', () => posts.some((p) => p.post.id === m.id));
    } finally {
      await s.source.stop();
    }
  });

  test('a mention with a photo is a request', async () => {
    const s = await listen(config());
    try {
      const m = await fake.addPost({ mentionBot: true, images: 1, author: 'carol' });
      await fake.addPost({ mentionBot: true, author: 'carol' });
      await until('the mention', () => s.posts.length === 1);
      assert.equal(s.posts[0].post.id, m.id);
      assert.equal(s.posts[0].role, 'requests');
      assert.equal(s.posts[0].author.handle, 'carol@fake.social');
    } finally {
      await s.source.stop();
    }
  });

  test('a stream dropped mid-way reconnects and loses no post', async () => {
    const s = await listen(config({ pollIntervalMs: 60_000 }));
    try {
      const before = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      await until('the first post', () => s.posts.length === 1);
      fake.state.refuseStreaming = true;
      fake.dropStreams();
      const missed = [
        await fake.addPost({ tags: ['mosaicme'], images: 1 }),
        await fake.addPost({ tags: ['sunset'], images: 1 }),
      ];
      // masto prints failed connections to the console, with the socket: the token must not show.
      const printed: string[] = [];
      const consoleError = console.error;
      console.error = (...args: unknown[]) => printed.push(args.map((a) => inspect(a, { depth: 8 })).join(' '));
      try {
        await sleep(1300);
      } finally {
        console.error = consoleError;
      }
      assert.ok(
        printed.some((p) => p.includes('503')),
        'a reconnect was refused',
      );
      assert.ok(!printed.join('\n').includes(fake.token), 'the token is not printed');
      assert.equal(s.posts.length, 1, 'nothing can arrive while the stream is away and polling is slow');
      fake.state.refuseStreaming = false;
      await until('the missed posts', () => s.posts.length === 3);
      await until('the stream to be back', () => fake.subscribers() === 1);
      const later = await fake.addPost({ tags: ['sunset'], images: 1 });
      await until('a post after the reconnect', () => s.posts.length === 4);
      await sleep(300);
      assert.deepEqual(s.ids(), [before.id, ...missed.map((m) => m.id), later.id]);
      assert.ok(s.lines.some((l) => l.includes('connection lost')));
      assert.ok(!s.lines.join('\n').includes(fake.token));
    } finally {
      await s.source.stop();
    }
  });

  test('a collector restarted after a while reads what was posted meanwhile, from its saved position', async () => {
    const { cursor, dispose } = await tempCursor('mastodon');
    try {
      const first = await listen(config({ cursor }));
      const seen = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      await until('the first post', () => first.posts.length === 1);
      await first.source.stop();
      assert.ok(await cursor.load(), 'the position is saved');
      const meanwhile = [
        await fake.addPost({ tags: ['mosaicme'], images: 1 }),
        await fake.addPost({ tags: ['sunset'], images: 1 }),
        await fake.addPost({ mentionBot: true, images: 1, author: 'erin' }),
      ];
      const second = await listen(config({ cursor }));
      try {
        await until('the posts made while it was down', () => second.posts.length === 3);
        await sleep(400);
        assert.deepEqual(second.ids().sort(), meanwhile.map((m) => m.id as string).sort());
        assert.ok(!second.ids().includes(seen.id as string), 'what was handed over is not read again');
        assert.ok(second.lines.some((l) => l.includes('where the last run stopped')));
      } finally {
        await second.source.stop();
      }
      // Without a saved position (the default before any run), listening starts from now.
      await fake.addPost({ tags: ['mosaicme'], images: 1 });
      const fresh = await listen(config());
      await sleep(600);
      await fresh.source.stop();
      assert.equal(fresh.posts.length, 0);
    } finally {
      await dispose();
    }
  });

  test('a post streamed before a failed catch-up poll keeps the saved position before the posts missed', async () => {
    const { cursor, dispose } = await tempCursor('mastodon');
    const consoleError = console.error;
    let missed: { id: string } | undefined;
    try {
      const s = await listen(config({ cursor, pollIntervalMs: 60_000 }));
      try {
        const first = await fake.addPost({ tags: ['mosaicme'], images: 1 });
        await until('the first post', () => s.ids().includes(first.id as string));
        console.error = () => {}; // masto reports the refused reconnects on the console
        fake.state.refuseStreaming = true;
        fake.dropStreams();
        missed = (await fake.addPost({ tags: ['mosaicme'], images: 1 })) as { id: string };
        fake.rateLimit('/api/v1/timelines/tag/mosaicme', 1, 100);
        fake.state.refuseStreaming = false;
        await until('the catch-up poll to fail', () => s.lines.some((l) => l.includes('polling failed')));
        await until('the stream to be back', () => fake.subscribers() === 1);
        const streamed = await fake.addPost({ tags: ['mosaicme'], images: 1 });
        await until('the streamed post', () => s.ids().includes(streamed.id as string));
        assert.ok(!s.ids().includes(missed.id), 'the missed post is not read yet');
      } finally {
        await s.source.stop();
        console.error = consoleError;
      }
      const again = await listen(config({ cursor }));
      try {
        await until('the missed post, after the restart', () => again.ids().includes(missed!.id));
      } finally {
        await again.source.stop();
      }
    } finally {
      console.error = consoleError;
      await dispose();
    }
  });

  test('when the catch-up poll after a reconnect fails, the scheduled polls read the hashtags until one succeeds', async () => {
    const consoleError = console.error;
    const s = await listen(config({ pollIntervalMs: 400 }));
    try {
      await until('the stream', () => fake.subscribers() === 1);
      console.error = () => {}; // masto reports the refused reconnects on the console
      fake.rateLimit('/api/v1/timelines/tag/mosaicme', 1_000_000, 100);
      fake.state.refuseStreaming = true;
      fake.dropStreams();
      const missed = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      fake.state.refuseStreaming = false;
      await until('the stream to be back', () => fake.subscribers() === 1);
      await sleep(300); // the catch-up poll has run, and failed
      fake.rateLimit('/api/v1/timelines/tag/mosaicme', 0, 0);
      await until('the missed post, from a scheduled poll', () => s.ids().includes(missed.id as string));
    } finally {
      await s.source.stop();
      console.error = consoleError;
    }
  });

  test('without streaming the hashtags are polled, and a post the consumer rejects is offered again', async () => {
    let failures = 1;
    const s = await listen(config({ streaming: false }), async () => {
      if (failures-- > 0) throw new Error('storage away');
    });
    try {
      const post = await fake.addPost({ tags: ['mosaicme'], images: 1 });
      await until('the post', () => s.posts.length === 1, 10_000);
      assert.equal(s.posts[0].post.id, post.id);
      assert.ok(s.lines.some((l) => l.includes('storage away')));
      assert.equal(fake.subscribers(), 0);
    } finally {
      await s.source.stop();
    }
  });

  test('the publisher replies once to the right post with the image and the text', async () => {
    const post = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const thumbnail = await raw(120, 90, 3).jpeg().toBuffer();
    const lines: string[] = [];
    const pub = mastodonPublisher(config(), (l) => lines.push(l));
    assert.ok(pub.handles('mastodon'));
    assert.ok(!pub.handles('bluesky') && !pub.handles(undefined));
    const reply = {
      id: 'req-1',
      network: 'mastodon',
      post: { id: post.id as string },
      text: 'Hi @alice@fake.social, here is your mosaic: https://gallery.example/m/req-1',
      url: 'https://gallery.example/m/req-1',
      thumbnail,
    };
    const count = fake.replies.length;
    await pub.reply(reply);
    await pub.reply(reply);
    const mine = fake.replies.slice(count);
    assert.equal(mine.length, 1, 'the same request id is posted once');
    assert.equal(mine[0].inReplyToId, post.id);
    assert.equal(mine[0].status, reply.text);
    assert.equal(mine[0].media.length, 1);
    assert.ok(mine[0].media[0].bytes.equals(thumbnail));
    assert.ok(mine[0].idempotencyKey);
    await pub.reply({ ...reply, id: 'req-2' });
    assert.equal(fake.replies.length, count + 2, 'another request is another reply');
    assert.ok(!lines.join('\n').includes(fake.token));
  });

  test('a reply over 500 characters is cut before the link, which stays whole', async () => {
    const post = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const pub = mastodonPublisher(config(), () => {});
    const link = 'https://gallery.example/m/req-long';
    const count = fake.replies.length;
    await pub.reply({
      id: 'req-long',
      network: 'mastodon',
      post: { id: post.id as string },
      text: `Hi @alice@fake.social, ${'thank you for taking part! '.repeat(30)}here is your mosaic: ${link}`,
      url: link,
      thumbnail: await raw(120, 90, 4).jpeg().toBuffer(),
    });
    const [mine] = fake.replies.slice(count);
    assert.ok(mine, 'the fake refuses over 500 characters, so a reply there means it fitted');
    assert.ok(mine.status.startsWith('Hi @alice@fake.social, thank you') && mine.status.endsWith(`… ${link}`));
    assert.equal([...new Intl.Segmenter().segment(mine.status.replace(link, '#'.repeat(23)))].length, 500);
  });

  test('a 429 delays the reply without losing it', async () => {
    const post = await fake.addPost({ tags: ['mosaicme'], images: 1 });
    const thumbnail = await raw(60, 40, 4).jpeg().toBuffer();
    const lines: string[] = [];
    const pub = mastodonPublisher(config(), (l) => lines.push(l));
    const reply = { id: 'req-429', post: { id: post.id as string }, text: 'hi', url: 'u', thumbnail };
    const count = fake.replies.length;

    fake.rateLimit('/api/v1/statuses', 1, 1500);
    const t0 = Date.now();
    await pub.reply(reply);
    assert.ok(Date.now() - t0 >= 1400, 'waited for the reset');
    assert.equal(fake.replies.length, count + 1);
    assert.ok(lines.some((l) => /rate limited, trying again/.test(l)));

    fake.rateLimit('/api/v1/statuses', 1, 10 * 60_000);
    const later = { ...reply, id: 'req-429-later' };
    await assert.rejects(pub.reply(later), /rate limited for \d+ s more/);
    assert.equal(fake.replies.length, count + 1, 'nothing posted yet');
    await pub.reply(later);
    assert.equal(fake.replies.length, count + 2, 'the queue’s retry posts it');
  });
});
