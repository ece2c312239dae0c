import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from './config.js';

let cwd: string;
before(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-config-'));
});
after(() => rm(cwd, { recursive: true, force: true }));

test('no configuration at all gives the embedded defaults', () => {
  const c = loadConfig({}, { cwd });
  assert.equal(c.port, 8000);
  assert.equal(c.dataDir, path.join(cwd, 'data'));
  assert.deepEqual(c.storage, { kind: 'disk', dir: path.join(cwd, 'data', 'storage') });
  assert.deepEqual(c.queue, { kind: 'disk', dir: path.join(cwd, 'data', 'queue') });
  assert.deepEqual(c.cache, { kind: 'memory' });
  assert.deepEqual(c.buckets, {
    in: 'mosaic-in',
    raw: 'mosaic-raw',
    outLarge: 'mosaic-outlarge',
    outSmall: 'mosaic-outsmall',
    library: 'mosaic-library',
  });
  assert.deepEqual(c.queues, {
    in: 'mosaic-in',
    engine: 'mosaic-eng',
    finish: 'mosaic-finish',
    done: 'mosaic-done',
    tiles: 'mosaic-tiles',
    wallEngine: 'mosaic-wall-eng',
    wallPlace: 'mosaic-wall-place',
    wallPrint: 'mosaic-wall-print',
  });
  assert.deepEqual([c.cacheLife, c.waitTime, c.thumbnailSize], [600, 60, 120]);
  assert.deepEqual([c.libraryDir, c.rawDir], [path.join(cwd, 'data', 'library'), path.join(cwd, 'data', 'raw')]);
});

test("the original's variable names work as they are", () => {
  const c = loadConfig(
    {
      RABBITMQ_HOST: 'rabbit',
      RABBITMQ_PORT: '5673',
      RABBITMQ_USER: 'mosaic',
      RABBITMQ_PASSWORD: 'p@ss',
      REDIS_HOST: 'redis',
      REDIS_DB: '2',
      S3_HOST: 's3',
      S3_PORT: '4569',
      S3_HTTPS: 'False',
      S3_ACCESS_KEY: 'AKIA123',
      S3_SECRET_KEY: 'secret',
      BUCKET_COLLECTOR: 'emcworld',
      BUCKET_IN: 'in-b',
      QUEUE_ENGINE: 'eng-q',
      WAIT_TIME: '30',
      CACHE_LIFE: '900',
    },
    { cwd },
  );
  assert.deepEqual(c.queue, { kind: 'rabbitmq', url: 'amqp://mosaic:p%40ss@rabbit:5673' });
  assert.deepEqual(c.cache, { kind: 'redis', url: 'redis://redis:6379/2' });
  assert.equal(c.storage.kind, 's3');
  assert.equal(c.storage.kind === 's3' && c.storage.endpoint, 'http://s3:4569');
  assert.equal(c.storage.kind === 's3' && c.storage.forcePathStyle, true);
  assert.equal(c.buckets.raw, 'emcworld');
  assert.equal(c.buckets.in, 'in-b');
  assert.equal(c.queues.engine, 'eng-q');
  assert.deepEqual([c.waitTime, c.cacheLife], [30, 900]);
});

test('URL forms work too, and AWS needs no endpoint', () => {
  const c = loadConfig(
    {
      RABBITMQ_URL: 'amqps://u:p@mq.example:5671/vh',
      REDIS_URL: 'rediss://cache:6380',
      S3_ACCESS_KEY: 'a',
      S3_SECRET_KEY: 'b',
    },
    { cwd },
  );
  assert.deepEqual(c.queue, { kind: 'rabbitmq', url: 'amqps://u:p@mq.example:5671/vh' });
  assert.deepEqual(c.cache, { kind: 'redis', url: 'rediss://cache:6380' });
  assert.equal(c.storage.kind === 's3' && c.storage.endpoint, undefined);
  assert.equal(c.storage.kind === 's3' && c.storage.forcePathStyle, false);
});

test("the original's engine.ini and ecsconfig.properties are read from DATA_DIR/setting; the environment wins", async () => {
  const dir = path.join(cwd, 'old');
  await mkdir(path.join(dir, 'setting'), { recursive: true });
  await writeFile(
    path.join(dir, 'setting', 'engine.ini'),
    '[DEFAULT]\nhostname=rabbit\nthm_size=150\nqueueeng=eng-from-ini\nqueueout=fin-from-ini\n',
  );
  await writeFile(
    path.join(dir, 'setting', 'ecsconfig.properties'),
    'objectType=S3\nusername=KEY\npassword=SECRET\nproxy=http://s3host:9000\ninbucket=in-prop\noutlargebucket=large-prop\noutsmallbucket=small-prop\nuploaderQueue=fin-from-prop\ntwitterText=Hi @%s Here is your Mosaic:%s\n',
  );
  const c = loadConfig({ DATA_DIR: dir, QUEUE_ENGINE: 'eng-from-env' }, { cwd });
  assert.equal(c.files.length, 2);
  assert.equal(c.thumbnailSize, 150);
  assert.equal(c.queues.engine, 'eng-from-env');
  assert.equal(c.queues.finish, 'fin-from-prop');
  assert.deepEqual(c.queue, { kind: 'rabbitmq', url: 'amqp://guest:guest@rabbit:5672' });
  assert.equal(c.storage.kind === 's3' && c.storage.endpoint, 'http://s3host:9000');
  assert.deepEqual([c.buckets.in, c.buckets.outLarge, c.buckets.outSmall], ['in-prop', 'large-prop', 'small-prop']);
  assert.equal(c.replyText, 'Hi @%s Here is your Mosaic:%s');
});

test('a .env file is read, and the environment wins over it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-dotenv-'));
  await writeFile(path.join(dir, '.env'), 'PORT=9000\nWAIT_TIME=5\n# a comment\nREDIS_HOST=from-dotenv\n');
  const c = loadConfig({ WAIT_TIME: '7' }, { cwd: dir });
  assert.deepEqual([c.port, c.waitTime], [9000, 7]);
  assert.deepEqual(c.cache, { kind: 'redis', url: 'redis://from-dotenv:6379/0' });
  await rm(dir, { recursive: true, force: true });
});

test('every problem is listed at once', () => {
  assert.throws(
    () =>
      loadConfig({ PORT: 'eighty', RABBITMQ_URL: 'http://rabbit', S3_HTTPS: 'maybe', QUEUE_IN: 'bad name!' }, { cwd }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      for (const key of ['PORT', 'RABBITMQ_URL', 'S3_HTTPS', 'QUEUE_IN'])
        assert.match(text, new RegExp(`^${key}:`, 'm'), text);
      return true;
    },
  );
  assert.throws(() => loadConfig({ S3_ACCESS_KEY: 'a' }, { cwd }), /S3_SECRET_KEY: needed with S3_ACCESS_KEY/);
});

test('the printed configuration never shows a secret', () => {
  const c = loadConfig(
    {
      RABBITMQ_URL: 'amqp://user:hunter2@rabbit',
      REDIS_URL: 'redis://:redispw@redis:6379',
      S3_ACCESS_KEY: 'AKIAVERYSECRET',
      S3_SECRET_KEY: 'topsecret',
    },
    { cwd },
  );
  const text = JSON.stringify(describeConfig(c));
  for (const secret of ['hunter2', 'redispw', 'AKIAVERYSECRET', 'topsecret'])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /amqp:\/\/user:\*\*\*@rabbit/);
});
