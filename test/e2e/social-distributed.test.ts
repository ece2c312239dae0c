import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Connection } from 'rabbitmq-client';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';
import { FakeX, X_AUTH, X_BOT } from '../fakes/x-server.js';
import { raw } from '../helpers/fixtures.js';
import { startMosaicme, type Running } from '../helpers/pipeline.js';
import { s3rverStorage, startS3rver } from '../helpers/s3rver.js';

// `mosaicme worker collect` alone, over the real RabbitMQ and Redis of the machine and an S3
// server, listening to the fake X by polling the bot's mentions.
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/11`;
const run = randomUUID().slice(0, 8);
const queues = { QUEUE_IN: `social-${run}-in`, QUEUE_TILES: `social-${run}-tiles` };

let s3: Awaited<ReturnType<typeof startS3rver>>;
let fake: FakeX;
let data: string;
let worker: Running | undefined;
let queue: RabbitQueue;

const startCollector = async () => {
  worker = await startMosaicme(['worker', 'collect'], {
    DATA_DIR: data,
    RABBITMQ_URL: AMQP_URL,
    REDIS_URL,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    ...queues,
    X_MODE: 'mentions',
    X_POLL_SECONDS: '1',
    X_API_KEY: X_AUTH.appKey,
    X_API_SECRET: X_AUTH.appSecret,
    X_ACCESS_TOKEN: X_AUTH.accessToken,
    X_ACCESS_SECRET: X_AUTH.accessSecret,
    X_API_URL: fake.apiUrl,
    X_MEDIA_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: fake.certFile,
  });
};
const polls = () => fake.requests.filter((r) => r.path.endsWith('/mentions')).length;
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${worker?.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

before(async () => {
  s3 = await startS3rver();
  fake = await FakeX.start();
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-social-dist-'));
  queue = new RabbitQueue(AMQP_URL);
});
after(async () => {
  worker?.child.kill('SIGKILL');
  await queue.close();
  const admin = new Connection(AMQP_URL);
  for (const q of Object.values(queues))
    for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
  await admin.close();
  await fake.close();
  await s3.stop();
  await rm(data, { recursive: true, force: true });
});

test('a mention becomes one request on RabbitMQ, marked in S3; a restarted collector resumes after it', async () => {
  const photo = fake.addImage('m1', await raw(200, 150, 5).jpeg().toBuffer());
  const post = fake.post({
    text: `@${X_BOT.username} make me a mosaic`,
    author: { id: '77', username: 'zoe', name: 'Zoë' },
    photos: [photo],
  });
  await startCollector();
  await until('the request on RabbitMQ', async () => (await queue.depth(queues.QUEUE_IN)) === 1);
  const marker = await s3rverStorage(s3.endpoint).head('mosaic-in', `social/seen/x/${post}`);
  assert.ok(marker, 'the post is marked as taken, in S3');

  // A new process polls on from the last mention taken (kept in S3), and asks nothing twice.
  worker!.child.kill('SIGKILL');
  await new Promise((r) => worker!.child.once('exit', r));
  const before = polls();
  await startCollector();
  await until('two polls of the new collector', () => polls() >= before + 2);
  const resumed = fake.requests.filter((r) => r.path.endsWith('/mentions'))[before];
  assert.equal(resumed.query.get('since_id'), post, 'the first poll after the restart resumes after the mention');
  assert.equal(await queue.depth(queues.QUEUE_IN), 1, 'still one request');

  const got: unknown[] = [];
  const sub = await queue.consume(queues.QUEUE_IN, async (m) => void got.push(m));
  await until('the message', () => got.length === 1);
  await sub.stop();
  assert.deepEqual(got[0], {
    id: `x-${post}`,
    username: 'zoe',
    url: photo,
    network: 'x',
    post: { id: post },
    profile: 'https://x.com/zoe',
    displayname: 'Zoë',
  });
});
