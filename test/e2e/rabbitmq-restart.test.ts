import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Connection } from 'rabbitmq-client';
import { ROOT, mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';

// Restarts the machine's RabbitMQ (stop_app, start_app) while requests run through `mosaicme
// serve`. The test files run one at a time (scripts/test.mjs), so no other test shares the outage.
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const rabbitmqctl = (...args: string[]) => promisify(execFile)('rabbitmqctl', args, { timeout: 60_000 });
const run = randomUUID().slice(0, 8);
const queues = {
  QUEUE_IN: `rr-${run}-in`,
  QUEUE_ENGINE: `rr-${run}-eng`,
  QUEUE_FINISH: `rr-${run}-finish`,
  QUEUE_DONE: `rr-${run}-done`,
};
let data: string;
let port: number;
let server: ChildProcess | undefined;
let log = '';

const api = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${p}`, init);
const submit = async (seed: number) => {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(await raw(300, 200, seed).jpeg().toBuffer())]), 'p.jpg');
  return ((await (await api('/api/requests', { method: 'POST', body: form })).json()) as { id: string }).id;
};

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-rabbit-'));
  port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  assert.equal(
    (await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '300', '--size', '32'])).code,
    0,
  );
  server = spawn(process.execPath, [path.join(ROOT, 'bin', 'mosaicme.js'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: data,
      RABBITMQ_URL: AMQP_URL,
      ...queues,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr!.on('data', (d) => (log += d));
  const end = Date.now() + 30_000;
  while (!log.includes('running:')) {
    if (Date.now() > end) throw new Error(`serve did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => {
  await rabbitmqctl('start_app').catch(() => {});
  server?.kill('SIGKILL');
  const admin = new Connection(AMQP_URL);
  for (const q of Object.values(queues))
    for (const n of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: n }).catch(() => {});
  await admin.close();
  await rm(data, { recursive: true, force: true });
});

test('RabbitMQ restarted during a run: every request still completes', async () => {
  const ids = [await submit(1), await submit(2), await submit(3)];
  await rabbitmqctl('stop_app');
  let later: Promise<string> | undefined;
  try {
    assert.equal((await api('/mosaic/')).status, 200, 'the gallery answers without the broker');
    later = submit(4); // accepted once the broker is back
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await rabbitmqctl('start_app');
  }
  ids.push(await later!);
  const end = Date.now() + 120_000;
  let states: string[] = [];
  while (Date.now() < end) {
    states = await Promise.all(
      ids.map(async (id) => ((await (await api(`/api/requests/${id}`)).json()) as { state: string }).state),
    );
    if (states.every((s) => s === 'done' || s === 'failed')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    log,
  );
});
