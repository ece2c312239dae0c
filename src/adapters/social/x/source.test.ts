import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { FakeX, X_AUTH, X_OAUTH1, X_BOT } from '../../../../test/fakes/x-server.js';
import type { SocialPost, Source } from '../../../ports.js';
import type { XConfig } from './config.js';
import { xSource } from './index.js';
import { reconnectDelay } from './stream.js';

let fake: FakeX;
let source: Source | undefined;
const taken: SocialPost[] = [];
const lines: string[] = [];
const alice = { id: '42', username: 'alice_NYC', name: 'Alice' };

before(async () => {
  fake = await FakeX.start({ heartbeatMs: 100 });
});
after(async () => {
  await source?.stop();
  await fake.close();
});
beforeEach(async () => {
  await source?.stop();
  source = undefined;
  taken.length = 0;
  lines.length = 0;
  fake.dropStreams();
  fake.silence(false);
  fake.forget();
});

const config = (more: Partial<XConfig> = {}): XConfig => ({
  bearerToken: X_AUTH.bearer,
  oauth1: X_OAUTH1,
  mode: 'stream',
  hashtags: [
    { tag: 'mosaicme', role: 'requests' },
    { tag: 'sunset', role: 'tiles' },
  ],
  apiUrl: fake.apiUrl,
  ca: fake.ca,
  heartbeatTimeoutMs: 600,
  reconnectDelay: (kind, attempt) => reconnectDelay(kind, attempt) / 100,
  ...more,
});

const run = async (cfg: XConfig) => {
  source = xSource(cfg, (l) => lines.push(l));
  await source.start(async (p) => void taken.push(p));
};

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('X back-off: network errors linear to 16 s, HTTP errors exponential from 5 s to 320 s, 429 from a minute', () => {
  assert.deepEqual(
    [1, 2, 3, 64, 100].map((n) => reconnectDelay('network', n)),
    [250, 500, 750, 16_000, 16_000],
  );
  assert.deepEqual(
    [1, 2, 3, 7, 10].map((n) => reconnectDelay('http', n)),
    [5000, 10_000, 20_000, 320_000, 320_000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => reconnectDelay('rate-limit', n)),
    [60_000, 120_000, 240_000],
  );
});

test('rules are synced at start: ours tagged by role, stale ones of ours removed, others kept', async () => {
  fake.rules = [
    { id: 'old', value: '#oldtag has:images -is:retweet', tag: 'mosaicme:requests' },
    { id: 'theirs', value: 'from:someone', tag: 'other-app' },
  ];
  await run(config());
  assert.deepEqual(
    fake.rules.map((r) => [r.value, r.tag]),
    [
      ['from:someone', 'other-app'],
      [`(#mosaicme OR @${X_BOT.username}) has:images -is:retweet`, 'mosaicme:requests'],
      ['#sunset has:images -is:retweet', 'mosaicme:tiles'],
    ],
  );
  const rulesCalls = fake.requests.filter((r) => r.path === '/2/tweets/search/stream/rules');
  assert.ok(
    rulesCalls.every((r) => r.auth === `Bearer ${X_AUTH.bearer}`),
    'rules use the app-only token',
  );
  await source!.stop();
  source = undefined;
  const before = fake.rules.length;
  await run(config());
  assert.equal(fake.rules.length, before, 'a restart changes nothing');
});

test('one stream carries both roles, with photos and authors expanded; own posts and video-only posts handled', async () => {
  await run(config());
  await until('the stream', () => fake.openStreams === 1);
  const stream = fake.requests.find((r) => r.path === '/2/tweets/search/stream')!;
  assert.equal(stream.query.get('expansions'), 'attachments.media_keys,author_id');
  assert.equal(stream.query.get('media.fields'), 'type,url,variants');
  assert.equal(stream.query.get('user.fields'), 'username,name');
  const photo = 'https://pbs.twimg.com/media/a.jpg';
  const req = fake.post({ text: `look #mosaicme @${X_BOT.username}`, author: alice, photos: [photo] });
  const tile = fake.post({ text: 'evening #sunset', author: alice, photos: [photo, photo] });
  const mention = fake.post({ text: `@${X_BOT.username} make one of #sunset`, author: alice, photos: [photo] });
  fake.post({ text: `#mosaicme your mosaic`, author: { ...X_BOT }, photos: [photo] });
  const video = fake.post({ text: '#mosaicme a clip', author: alice, video: true });
  fake.post({ text: 'nothing for us', author: alice, photos: [photo] });
  await until('four posts', () => taken.length === 4);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(
    taken.map((p) => [p.post.id, p.role, p.imageUrls.length, Boolean(p.hasVideo)]),
    [
      [req, 'requests', 1, false],
      [tile, 'tiles', 2, false],
      [mention, 'requests', 1, false],
      [video, 'requests', 0, true],
    ],
  );
  assert.deepEqual(taken[0].author, {
    handle: 'alice_NYC',
    displayName: 'Alice',
    profileUrl: 'https://x.com/alice_NYC',
  });
  assert.equal(taken[0].url, `https://x.com/alice_NYC/status/${req}`);
  assert.equal(fake.openStreams, 1, 'one connection for both roles');
});

test('a stream dropped mid-way reconnects at once and catches up: no post is lost', async () => {
  await run(config());
  await until('the stream', () => fake.openStreams === 1);
  const before = fake.post({ text: '#mosaicme one', author: alice, photos: ['https://pbs.twimg.com/media/1.jpg'] });
  await until('the first post', () => taken.length === 1);
  fake.dropStreams();
  // Posted while no connection is open: only backfill brings it.
  const during = fake.post({ text: '#mosaicme two', author: alice, photos: ['https://pbs.twimg.com/media/2.jpg'] });
  await until('the reconnect', () => fake.openStreams === 1);
  const afterwards = fake.post({
    text: '#mosaicme three',
    author: alice,
    photos: ['https://pbs.twimg.com/media/3.jpg'],
  });
  await until('every post', () => [during, afterwards].every((id) => taken.some((p) => p.post.id === id)));
  const reconnect = fake.requests.filter((r) => r.path === '/2/tweets/search/stream').at(-1)!;
  assert.equal(reconnect.query.get('backfill_minutes'), '1');
  assert.deepEqual(
    taken.map((p) => p.post.id),
    [before, during, afterwards],
    'each once, although the backfill sent the first again',
  );
});

test("without a bearer token the app's keys fetch one (the original's settings have only those)", async () => {
  await run(
    config({ bearerToken: undefined, oauth1: undefined, app: { appKey: X_AUTH.appKey, appSecret: X_AUTH.appSecret } }),
  );
  await until('the stream', () => fake.openStreams === 1);
  const token = fake.requests.filter((r) => r.path === '/oauth2/token').at(-1);
  assert.match(token?.auth ?? '', /^Basic /);
  assert.equal(token?.body, 'grant_type=client_credentials');
});

test('where X refuses backfill, the stream reconnects without it', async () => {
  fake.backfill = false;
  try {
    await run(config());
    await until('the stream', () => fake.openStreams === 1);
    fake.dropStreams();
    await until('the reconnect', () => fake.openStreams === 1);
    const id = fake.post({ text: '#mosaicme', author: alice, photos: ['https://pbs.twimg.com/media/4.jpg'] });
    await until('a post on the new connection', () => taken.some((p) => p.post.id === id));
    assert.ok(
      lines.some((l) => l.startsWith('X refused backfill_minutes (403)')),
      lines.join('\n'),
    );
  } finally {
    fake.backfill = true;
  }
});

test('silence longer than the heartbeat timeout means a lost connection: it is made again', async () => {
  await run(config());
  await until('the stream', () => fake.openStreams === 1);
  const connects = () => fake.requests.filter((r) => r.path === '/2/tweets/search/stream').length;
  const first = connects();
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(connects(), first, 'keep-alives every 100 ms keep it open');
  fake.silence(true);
  await until('a new connection', () => connects() > first, 3000);
  assert.ok(
    lines.some((l) => /nothing for 0.6 s, connecting again/.test(l)),
    lines.join('\n'),
  );
  fake.silence(false);
  const id = fake.post({ text: '#sunset', author: alice, photos: ['https://pbs.twimg.com/media/s.jpg'] });
  await until('a post on the new connection', () => taken.some((p) => p.post.id === id));
});

test('failed connection attempts back off as X asks, and the stream comes back', async () => {
  fake.failStream(503, 503, 429);
  await run(config());
  await until('the stream', () => fake.openStreams === 1, 10_000);
  const waits = lines
    .filter((l) => /trying again in/.test(l))
    .map((l) => /X answered (\d+); trying again in (\d+) ms/.exec(l)!.slice(1));
  assert.deepEqual(waits, [
    ['503', '50'],
    ['503', '100'],
    ['429', '600'],
  ]);
});

test('mentions mode polls the bot mentions with since_id; each mention with a photo is a request', async () => {
  const earlier = fake.post({
    text: `old @${X_BOT.username}`,
    author: alice,
    photos: ['https://pbs.twimg.com/media/o.jpg'],
  });
  await run(config({ mode: 'mentions', pollIntervalMs: 100, bearerToken: undefined }));
  await until('the first poll', () => taken.length >= 1);
  const one = fake.post({
    text: `@${X_BOT.username} please`,
    author: alice,
    photos: ['https://pbs.twimg.com/media/p.jpg'],
  });
  const two = fake.post({
    text: `@${X_BOT.username} #sunset`,
    author: alice,
    photos: ['https://pbs.twimg.com/media/q.jpg'],
  });
  await until('both mentions', () => taken.length >= 3);
  assert.deepEqual(
    taken.map((p) => [p.post.id, p.role]),
    [
      [earlier, 'requests'],
      [one, 'requests'],
      [two, 'requests'],
    ],
  );
  const polls = () => fake.requests.filter((r) => r.path === `/2/users/${X_BOT.id}/mentions`);
  await until('a poll after the last mention', () => polls().at(-1)!.query.get('since_id') === two);
  assert.equal(polls()[0].query.get('since_id'), null);
  assert.ok(
    polls().every((r) => r.auth.startsWith('OAuth ')),
    'as the bot (owned reads)',
  );
  assert.equal(fake.openStreams, 0, 'no stream in mentions mode');
});
