import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { FakeX, X_AUTH, X_OAUTH1, X_BOT } from '../../../../test/fakes/x-server.js';
import type { Reply } from '../../../ports.js';
import type { XConfig } from './config.js';
import { verifyX, xPublisher } from './index.js';

let fake: FakeX;
let cfg: XConfig;
const lines: string[] = [];
const alice = { id: '42', username: 'alice', name: 'Alice' };
const thumbnail = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#48c' } })
  .jpeg()
  .toBuffer();

before(async () => {
  fake = await FakeX.start();
  cfg = {
    oauth1: X_OAUTH1,
    mode: 'stream',
    hashtags: [],
    apiUrl: fake.apiUrl,
    ca: fake.ca,
  };
});
after(() => fake.close());

const reply = (postId: string, id = 'x-1'): Reply => ({
  id,
  username: 'alice',
  network: 'x',
  post: { id: postId },
  text: 'Hi @alice, here is your mosaic: https://gallery.example/mosaics/x-1',
  url: 'https://gallery.example/mosaics/x-1',
  thumbnail,
});

test('answers X posts only', () => {
  const p = xPublisher(cfg, () => {});
  assert.equal(p.name, 'x');
  assert.deepEqual([p.handles('x'), p.handles('mastodon'), p.handles(undefined)], [true, false, false]);
});

test('the reply answers the post, with the thumbnail uploaded through v2 media and attached', async () => {
  const post = fake.post({ text: `#mosaicme @${X_BOT.username}`, author: alice, photos: [] });
  await xPublisher(cfg, (l) => lines.push(l)).reply(reply(post));
  const [r] = fake.replies;
  assert.equal(r.inReplyTo, post);
  assert.equal(r.text, 'Hi @alice, here is your mosaic: https://gallery.example/mosaics/x-1');
  assert.equal(r.mediaIds.length, 1);
  assert.ok(r.media[0].equals(thumbnail), 'the thumbnail, byte for byte');
  const calls = fake.requests.map((q) => `${q.method} ${q.path}`);
  assert.deepEqual(calls.slice(-4), [
    'POST /2/media/upload/initialize',
    `POST /2/media/upload/${r.mediaIds[0]}/append`,
    `POST /2/media/upload/${r.mediaIds[0]}/finalize`,
    'POST /2/tweets',
  ]);
  assert.ok(
    fake.requests.slice(-4).every((q) => q.auth.startsWith('OAuth ')),
    'as the bot, OAuth 1.0a',
  );
});

test('a 429 waits for the limit to reset, then the reply goes out once', async () => {
  const post = fake.post({ text: `@${X_BOT.username} #mosaicme`, author: alice, photos: [] });
  const before = fake.replies.length;
  fake.limit(/^POST \/2\/tweets$/, 1, 1);
  const t0 = Date.now();
  await xPublisher(cfg, (l) => lines.push(l)).reply(reply(post, 'x-2'));
  assert.ok(Date.now() - t0 >= 900, 'waited for the reset');
  assert.equal(fake.replies.length, before + 1);
  assert.equal(fake.replies.at(-1)!.inReplyTo, post);
  assert.ok(
    lines.some((l) => /x reply: rate limited, trying again in \d s/.test(l)),
    lines.join('\n'),
  );
});

test('a limit resetting later than we wait fails the attempt (the queue retries it later)', async () => {
  const post = fake.post({ text: `@${X_BOT.username}`, author: alice, photos: [] });
  fake.limit(/^POST \/2\/media\/upload\/initialize$/, 1, 600);
  await assert.rejects(
    xPublisher({ ...cfg, maxRateLimitWaitMs: 5000 }, () => {}).reply(reply(post, 'x-3')),
    (err: Error) => err.name === 'MosaicError' && /rate limited for \d+ s more/.test(err.message),
  );
});

test('a post that did not @mention the bot cannot be answered (403): logged, not retried', async () => {
  const post = fake.post({ text: '#mosaicme only', author: alice, photos: [] });
  const before = fake.replies.length;
  await xPublisher(cfg, (l) => lines.push(l)).reply(reply(post, 'x-4'));
  assert.equal(fake.replies.length, before);
  assert.ok(lines.some((l) => l.includes(`X refused to answer post ${post} (403`)));
});

test('check: the bot account is verified without printing a secret', async () => {
  assert.equal(await verifyX(cfg), `@${X_BOT.username}`);
  assert.match(await verifyX({ ...cfg, oauth1: undefined, bearerToken: X_AUTH.bearer }), /app-only token works/);
  await assert.rejects(verifyX({ ...cfg, oauth1: { ...cfg.oauth1!, accessToken: 'wrong' } }), (err: Error) => {
    assert.ok(!err.message.includes(X_AUTH.accessSecret));
    return /401/.test(err.message);
  });
});

test('a reply over 280 weighted characters is cut before the link, which stays whole', async () => {
  const post = fake.post({ text: `#mosaicme @${X_BOT.username}`, author: alice, photos: [] });
  const long = {
    ...reply(post, 'x-long'),
    text: `Hi @alice, ${'ありがとう！'.repeat(30)} your mosaic: ${reply(post).url}`,
  };
  await xPublisher(cfg, () => {}).reply(long);
  const r = fake.replies.at(-1)!;
  assert.equal(r.inReplyTo, post, 'the fake refuses over 280, so a reply there means it fitted');
  assert.ok(r.text.startsWith('Hi @alice, ありがとう') && r.text.endsWith(`… ${reply(post).url}`), r.text);
});
