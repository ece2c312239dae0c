import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mosaicme, type Run } from '../helpers/cli.js';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-check-'));
});
after(() => rm(cwd, { recursive: true, force: true }));

/** `mosaicme check` in a clean folder with only the given environment (plus PATH). */
const check = (env: Record<string, string>, args: string[] = []): Promise<Run> =>
  mosaicme(['check', ...args], env, { cwd, clean: true });

test('with no configuration, the embedded defaults check out', async () => {
  const r = await check({});
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /ok {3}storage \(disk\): buckets ready: mosaic-in, mosaic-raw, mosaic-outlarge, mosaic-outsmall/,
  );
  assert.match(r.stdout, /ok {3}queue \(disk\)/);
  assert.match(r.stdout, /ok {3}cache \(memory\)/);
});

test('the real RabbitMQ and Redis of the machine, by the original names; passwords stay hidden', async () => {
  const r = await check(
    {
      RABBITMQ_HOST: '127.0.0.1',
      RABBITMQ_PASSWORD: 'guest',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      S3_ACCESS_KEY: 'AKIAEXAMPLEKEY',
      S3_SECRET_KEY: 'wJalrSECRET',
      MOSAIC_STORAGE: 'disk',
    },
    ['--json'],
  );
  assert.doesNotMatch(r.stdout, /wJalrSECRET|AKIAEXAMPLEKEY|:guest@/);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
    [
      ['storage (disk)', true],
      ['queue (rabbitmq)', true],
      ['cache (redis)', true],
    ],
  );
});

test('an unreachable service is a FAIL line and a non-zero exit', async () => {
  const r = await check({ REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL cache \(redis\): /);
  assert.match(r.stdout, /ok {3}storage \(disk\)/);
});

test('a broken configuration lists every problem and exits non-zero', async () => {
  const r = await check({ PORT: 'eighty', RABBITMQ_URL: 'http://rabbit', WAIT_TIME: '-5' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid configuration:/);
  assert.match(r.stderr, /PORT: expected a whole number from 1 to 65535/);
  assert.match(r.stderr, /RABBITMQ_URL: a URL starting with amqp:\/\//);
  assert.match(r.stderr, /WAIT_TIME: expected a whole number from 1 to 86400/);
});
