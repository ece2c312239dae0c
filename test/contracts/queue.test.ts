import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Connection } from 'rabbitmq-client';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';
import { describeQueueContract, FAST_RETRY } from './queue.contract.js';

// The real RabbitMQ of the machine (CI has one on 127.0.0.1:5672); a missing broker fails these tests.
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-queue-'));
const admin = new Connection({ url: AMQP_URL, retryLow: 200, retryHigh: 1000 });
admin.on('error', () => {});
after(async () => {
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describeQueueContract('disk (embedded)', () => new DiskQueue(dir, FAST_RETRY, 50), {
  QUEUE_KIND: 'disk',
  QUEUE_DIR: dir,
});
describeQueueContract(
  'RabbitMQ',
  () => new RabbitQueue(AMQP_URL, FAST_RETRY),
  { QUEUE_KIND: 'rabbit', QUEUE_URL: AMQP_URL },
  async (q) => {
    for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
  },
);

test('RabbitMQ: a message that is not JSON is set aside with a clear reason, and the queue goes on', async () => {
  const q = `test-raw-${Date.now()}`;
  const queue = new RabbitQueue(AMQP_URL, FAST_RETRY);
  const got: unknown[] = [];
  const sub = await queue.consume(q, async (m) => void got.push(m));
  const pub = admin.createPublisher({ confirm: true });
  await pub.send({ routingKey: q, durable: true }, Buffer.from('{not json'));
  await pub.send({ routingKey: q, durable: true }, Buffer.from('{"ok":true}'));
  const end = Date.now() + 5000;
  while ((got.length < 1 || (await queue.deadLetters(q)).length < 1) && Date.now() < end)
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(got, [{ ok: true }]);
  assert.deepEqual(await queue.deadLetters(q), [
    { message: '{not json', reason: 'malformed message: not JSON', attempts: 1 },
  ]);
  await sub.stop();
  await pub.close();
  await queue.close();
  for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
});
