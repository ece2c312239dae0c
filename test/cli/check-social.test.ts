import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeBluesky, type FakeBluesky } from '../fakes/bluesky-server.js';
import { startFakeMastodon, type FakeMastodon } from '../fakes/mastodon-server.js';
import { FakeX, X_AUTH, X_BOT } from '../fakes/x-server.js';
import { mosaicme } from '../helpers/cli.js';

let cwd: string;
let x: FakeX;
let mastodon: FakeMastodon;
let bluesky: FakeBluesky;
before(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-check-social-'));
  [x, mastodon, bluesky] = await Promise.all([FakeX.start(), startFakeMastodon(), startFakeBluesky()]);
});
after(async () => {
  await Promise.all([x.close(), mastodon.close(), bluesky.close()]);
  await rm(cwd, { recursive: true, force: true });
});

const env = (over: Record<string, string> = {}) => ({
  X_API_KEY: X_AUTH.appKey,
  X_API_SECRET: X_AUTH.appSecret,
  X_ACCESS_TOKEN: X_AUTH.accessToken,
  X_ACCESS_SECRET: X_AUTH.accessSecret,
  X_BEARER_TOKEN: X_AUTH.bearer,
  X_API_URL: x.apiUrl,
  NODE_EXTRA_CA_CERTS: x.certFile,
  MASTODON_URL: mastodon.url,
  MASTODON_TOKEN: mastodon.token,
  BLUESKY_SERVICE: bluesky.url,
  BLUESKY_IDENTIFIER: bluesky.handle,
  BLUESKY_APP_PASSWORD: bluesky.password,
  ...over,
});
const secrets = () => [
  X_AUTH.appSecret,
  X_AUTH.accessToken,
  X_AUTH.accessSecret,
  X_AUTH.bearer,
  mastodon.token,
  bluesky.password,
];

test('check signs in to every configured network and prints who the bot is, never a secret', async () => {
  const r = await mosaicme(['check'], env(), { cwd, clean: true });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`ok {3}x: signed in as @${X_BOT.username}`));
  assert.match(r.stdout, /ok {3}mastodon: signed in as mosaicbot/);
  assert.match(r.stdout, new RegExp(`ok {3}bluesky: signed in as ${bluesky.handle.replaceAll('.', '\\.')}`));
  for (const s of secrets()) assert.ok(!(r.stdout + r.stderr).includes(s), `${s} leaked`);
});

test('refused credentials fail the check with a reason, still without the secret', async () => {
  const r = await mosaicme(
    ['check'],
    env({
      X_ACCESS_SECRET: 'wrong-secret-1',
      MASTODON_TOKEN: 'wrong-secret-2',
      BLUESKY_APP_PASSWORD: 'wrong-secret-3',
    }),
    { cwd, clean: true },
  );
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL x: .*401/);
  assert.match(r.stdout, /FAIL mastodon: /);
  assert.match(r.stdout, /FAIL bluesky: /);
  assert.doesNotMatch(r.stdout + r.stderr, /wrong-secret/);
});
