import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { AMQP_URL, deleteQueues, runQueues } from '../helpers/rabbit.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

// The engine as its own process on the real RabbitMQ, killed with SIGKILL while it renders: the
// unacknowledged job goes back to the queue and a restarted engine completes it.
const queues = runQueues('kill');
let data: string;
// A Redis of its own: the roles write unprefixed keys, which must not land in the machine's Redis.
let redis: PrivateRedis;
let env: Record<string, string>;
let rest: Running;
let engine: Running;
let client: ReturnType<typeof apiClient>;

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-kill-'));
  const port = await freePort();
  client = apiClient(port);
  redis = await startPrivateRedis();
  const made = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(made.code, 0, made.stderr);
  env = { PORT: String(port), DATA_DIR: data, RABBITMQ_URL: AMQP_URL, REDIS_URL: redis.url, WAIT_TIME: '2', ...queues };
  rest = await startMosaicme(['worker', 'web', 'intake', 'publish', 'cache'], env);
  engine = await startMosaicme(['worker', 'engine'], env);
});

after(async () => {
  for (const p of [rest, engine]) p?.child.kill('SIGKILL');
  await deleteQueues(Object.values(queues));
  await redis?.kill();
  await rm(data, { recursive: true, force: true });
});

test('kill -9 of the engine process mid-job on RabbitMQ: a restarted engine completes the job', async () => {
  const id = await client.submit(await raw(1600, 1200, 3).jpeg().toBuffer(), 'carol');
  const s = await client.waitFor(id, ['rendering', 'publishing', 'done'], 60_000);
  assert.equal(s.state, 'rendering', `caught it mid-job: ${JSON.stringify(s)}`);
  engine.child.kill('SIGKILL');
  await new Promise((r) => engine.child.once('exit', r));
  assert.ok(!engine.log().includes(`mosaic ${id} rendered`), 'killed before it finished');
  engine = await startMosaicme(['worker', 'engine'], env);
  const done = await client.waitFor(id, ['done', 'failed'], 120_000);
  assert.equal(done.state, 'done', `${JSON.stringify(done)}\n${engine.log()}`);
  assert.match(engine.log(), new RegExp(`mosaic ${id} rendered`));
  // The list is refreshed by the cache stage from mosaic-done, which may come just after "done".
  let entry: { id: string; username: string } | undefined;
  for (let i = 0; i < 100 && !entry; i++) {
    const list = (await (await client.api('/mosaic/')).json()) as { mosaics: { id: string; username: string }[] };
    entry = list.mosaics.find((m) => m.id === id);
    if (!entry) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(entry?.username, 'carol');
});
