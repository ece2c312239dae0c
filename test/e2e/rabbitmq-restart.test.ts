import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { mosaicme } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { AMQP_URL, deleteQueues, runQueues } from '../helpers/rabbit.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';
import { raw } from '../helpers/fixtures.js';

// Restarts the machine's RabbitMQ (stop_app, start_app) while requests run through `mosaicme
// serve`. The test files run one at a time (scripts/test.mjs), so no other test shares the outage.
const rabbitmqctl = (...args: string[]) => promisify(execFile)('rabbitmqctl', args, { timeout: 60_000 });
const queues = runQueues('rr');
let data: string;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;
const submit = async (seed: number) => client.submit(await raw(300, 200, seed).jpeg().toBuffer());

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-rabbit-'));
  const port = await freePort();
  client = apiClient(port);
  assert.equal(
    (await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '300', '--size', '32'])).code,
    0,
  );
  server = await startMosaicme(['serve'], { PORT: String(port), DATA_DIR: data, RABBITMQ_URL: AMQP_URL, ...queues });
});
after(async () => {
  await rabbitmqctl('start_app').catch(() => {});
  server?.child.kill('SIGKILL');
  await deleteQueues(Object.values(queues));
  await rm(data, { recursive: true, force: true });
});

test('RabbitMQ restarted during a run: every request still completes', async () => {
  const ids = [await submit(1), await submit(2), await submit(3)];
  await rabbitmqctl('stop_app');
  let later: Promise<string> | undefined;
  try {
    assert.equal((await client.api('/mosaic/')).status, 200, 'the gallery answers without the broker');
    later = submit(4); // accepted once the broker is back
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await rabbitmqctl('start_app');
  }
  ids.push(await later!);
  const states = (await client.waitForAll(ids)).map((x) => x.state);
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    server!.log(),
  );
});
