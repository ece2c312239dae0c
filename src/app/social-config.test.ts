import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, describeConfig, hasSocial, loadConfig } from './config.js';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-social-config-'));
});
after(() => rm(cwd, { recursive: true, force: true }));

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env, { cwd });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
};

test('no network configured: nothing to collect, #mosaicme is the request hashtag', () => {
  const c = loadConfig({}, { cwd });
  assert.equal(hasSocial(c), false);
  assert.deepEqual(c.social, { requestHashtags: ['mosaicme'], tileHashtags: [] });
});

test('our names: X, Mastodon and Bluesky at once, hashtags with or without #', () => {
  const c = loadConfig(
    {
      REQUEST_HASHTAGS: '#MosaicMe, eventwall',
      TILE_HASHTAGS: 'sunset',
      X_BEARER_TOKEN: 'bearer-secret',
      X_API_KEY: 'key',
      X_API_SECRET: 'key-secret',
      X_ACCESS_TOKEN: 'token',
      X_ACCESS_SECRET: 'token-secret',
      X_BOT_USERNAME: '@MosaicMeBot',
      X_API_URL: 'https://127.0.0.1:9443',
      X_MEDIA_HOSTS: '127.0.0.1, pbs.twimg.com',
      MASTODON_URL: 'https://mastodon.example',
      MASTODON_TOKEN: 'masto-secret',
      BLUESKY_IDENTIFIER: 'bot.bsky.social',
      BLUESKY_APP_PASSWORD: 'app-password-secret',
      BITLY_TOKEN: 'bitly-secret',
    },
    { cwd },
  );
  assert.equal(hasSocial(c), true);
  assert.deepEqual(c.social.requestHashtags, ['MosaicMe', 'eventwall']);
  assert.deepEqual(c.social.tileHashtags, ['sunset']);
  assert.deepEqual(c.social.x, {
    bearerToken: 'bearer-secret',
    oauth1: { appKey: 'key', appSecret: 'key-secret', accessToken: 'token', accessSecret: 'token-secret' },
    app: { appKey: 'key', appSecret: 'key-secret' },
    botUsername: 'MosaicMeBot',
    mode: 'stream',
    pollSeconds: 30,
    apiUrl: 'https://127.0.0.1:9443',
    mediaHosts: ['127.0.0.1', 'pbs.twimg.com'],
  });
  assert.deepEqual(c.social.mastodon, {
    url: 'https://mastodon.example',
    accessToken: 'masto-secret',
    mediaHosts: undefined,
  });
  assert.equal(c.social.bluesky?.service, 'https://bsky.social');
  assert.equal(c.social.bluesky?.jetstreamUrl, 'wss://jetstream2.us-east.bsky.network/subscribe');
  assert.deepEqual(c.social.bitly, { token: 'bitly-secret', apiUrl: 'https://api-ssl.bitly.com' });
  const printed = JSON.stringify(describeConfig(c));
  for (const secret of [
    'bearer-secret',
    'key-secret',
    'token-secret',
    'masto-secret',
    'app-password-secret',
    'bitly-secret',
  ])
    assert.ok(!printed.includes(secret), `${secret} leaked: ${printed}`);
  assert.match(printed, /"botUsername":"MosaicMeBot"/);
});

test("the original's collectors: with MOSAIC_QUEUE a request listener, without one a tile listener", async () => {
  const twitter = {
    TWITTER_CONSUMER_KEY: 'ck',
    TWITTER_CONSUMER_SECRET: 'cs',
    TWITTER_ACCESS_TOKEN: 'at',
    TWITTER_ACCESS_TOKEN_SECRET: 'as',
    TWITTER_USERNAME: 'emcmosaic',
  };
  const requests = loadConfig(
    { ...twitter, MOSAIC_LISTEN_HASHTAG: 'emcworld,mosaicme', MOSAIC_QUEUE: 'dl-q', MOSAIC_BUCKET: 'in-b' },
    { cwd },
  );
  assert.equal(requests.buckets.in, 'in-b');
  assert.equal(requests.buckets.raw, 'mosaic-raw');
  assert.deepEqual(requests.social.requestHashtags, ['emcworld', 'mosaicme']);
  assert.deepEqual(requests.social.tileHashtags, []);
  assert.equal(requests.queues.in, 'dl-q');
  assert.equal(requests.social.x?.botUsername, 'emcmosaic');
  assert.deepEqual(requests.social.x?.oauth1, { appKey: 'ck', appSecret: 'cs', accessToken: 'at', accessSecret: 'as' });
  assert.equal(requests.social.x?.bearerToken, undefined, 'the stream token is fetched with the app key');

  const tiles = loadConfig({ ...twitter, MOSAIC_LISTEN_HASHTAG: 'nature', MOSAIC_BUCKET: 'collect-b' }, { cwd });
  assert.deepEqual(tiles.social.requestHashtags, []);
  assert.deepEqual(tiles.social.tileHashtags, ['nature']);
  assert.equal(tiles.buckets.raw, 'collect-b');

  // The original's ecsconfig.properties carries the Twitter keys too.
  const dir = path.join(cwd, 'props');
  await mkdir(dir, { recursive: true });
  const props = path.join(dir, 'ecsconfig.properties');
  await writeFile(props, 'consumerkey=ck\nconsumersecret=cs\naccesstoken=at\naccesstokensecret=as\n');
  assert.equal(loadConfig({}, { cwd, configFiles: [props] }).social.x?.oauth1?.accessSecret, 'as');
});

test('every social problem is listed at once', () => {
  assert.deepEqual(
    problems({
      X_API_KEY: 'k',
      X_ACCESS_TOKEN: 't',
      X_MODE: 'mentions',
      MASTODON_URL: 'https://m.example',
      BLUESKY_APP_PASSWORD: 'p',
      REQUEST_HASHTAGS: 'no spaces please',
    }),
    ['REQUEST_HASHTAGS: hashtags are letters, digits and _ only'],
    'shape problems come first',
  );
  assert.deepEqual(
    problems({
      X_API_KEY: 'k',
      X_ACCESS_TOKEN: 't',
      X_MODE: 'mentions',
      MASTODON_URL: 'https://m.example',
      BLUESKY_APP_PASSWORD: 'p',
    }),
    [
      'X_API_KEY and X_API_SECRET: give both (or TWITTER_CONSUMER_KEY and _SECRET)',
      'X_ACCESS_TOKEN and X_ACCESS_SECRET: need each other and X_API_KEY, X_API_SECRET',
      'X_MODE: mentions needs the bot account: X_ACCESS_TOKEN and X_ACCESS_SECRET',
      'MASTODON_URL and MASTODON_TOKEN: give both',
      'BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD: give both',
    ],
  );
  assert.deepEqual(problems({ X_BEARER_TOKEN: 'b', REQUEST_HASHTAGS: ',' }), [
    'REQUEST_HASHTAGS or TILE_HASHTAGS: a network is configured but no hashtag to listen to',
  ]);
  assert.deepEqual(problems({ X_ACCESS_TOKEN: 'only' }), [
    'X_ACCESS_TOKEN and X_ACCESS_SECRET: need each other and X_API_KEY, X_API_SECRET',
    'X_BEARER_TOKEN: needed for the stream (or X_API_KEY and X_API_SECRET to get one)',
  ]);
  assert.deepEqual(problems({ X_BEARER_TOKEN: 'b', X_API_URL: 'http://plain.example' }), [
    'X_API_URL: a URL starting with https://',
  ]);
});
