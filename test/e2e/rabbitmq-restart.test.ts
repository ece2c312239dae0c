import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mosaicme } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { runQueues, watchMachineBroker } from '../helpers/rabbit.js';
import { startPrivateRabbit, type PrivateRabbit } from '../helpers/private-rabbitmq.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';
import { raw } from '../helpers/fixtures.js';

// Restarts a RabbitMQ node of the test's own (stop_app, start_app) while requests run through
// `mosaicme serve`; the machine's RabbitMQ is not touched, and a connection to it must stay up.
const queues = runQueues('rr');
let rabbit: PrivateRabbit | undefined;
let machine: Awaited<ReturnType<typeof watchMachineBroker>> | undefined;
let data: string;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;
const submit = async (seed: number) => client.submit(await raw(300, 200, seed).jpeg().toBuffer());

before(async () => {
  machine = await watchMachineBroker();
  rabbit = await startPrivateRabbit();
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-rabbit-'));
  const port = await freePort();
  client = apiClient(port);
  assert.equal(
    (await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '300', '--size', '32'])).code,
    0,
  );
  server = await startMosaicme(['serve'], { PORT: String(port), DATA_DIR: data, RABBITMQ_URL: rabbit.url, ...queues });
});
after(async () => {
  server?.child.kill('SIGKILL');
  await rabbit?.stop(); // the queues go with the node
  await machine?.close();
  await rm(data, { recursive: true, force: true });
});

test('RabbitMQ restarted during a run: every request still completes', async () => {
  const ids = [await submit(1), await submit(2), await submit(3)];
  await rabbit!.ctl('stop_app');
  let later: Promise<string> | undefined;
  try {
    assert.equal((await client.api('/mosaic/')).status, 200, 'the gallery answers without the broker');
    later = submit(4); // accepted once the broker is back
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await rabbit!.ctl('start_app');
  }
  ids.push(await later!);
  const states = (await client.waitForAll(ids)).map((x) => x.state);
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    server!.log(),
  );
  machine!.assertUntouched();
});
