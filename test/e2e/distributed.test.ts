import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { Connection } from 'rabbitmq-client';
import { S3Storage } from '../../src/adapters/storage/s3.js';
import { ROOT, mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { startS3rver } from '../helpers/s3rver.js';

// The roles as separate processes over the real RabbitMQ and Redis of the machine and an S3
// server over HTTP. A missing service fails this test.
const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/7`;
const run = randomUUID().slice(0, 8);
const queues = {
  QUEUE_IN: `e2e-${run}-in`,
  QUEUE_ENGINE: `e2e-${run}-eng`,
  QUEUE_FINISH: `e2e-${run}-finish`,
  QUEUE_DONE: `e2e-${run}-done`,
};

let s3: Awaited<ReturnType<typeof startS3rver>>;
let data: string;
let port: number;
const procs: { role: string; child: ChildProcess; log: string }[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: data,
    LIBRARY_DIR: path.join(data, 'library'),
    RABBITMQ_URL: AMQP_URL,
    REDIS_URL,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    WAIT_TIME: '2',
    ...queues,
  };
}

async function startWorker(role: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mosaicme.js'), 'worker', role], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = { role, child, log: '' };
  child.stderr!.on('data', (d) => (p.log += d));
  procs.push(p);
  const end = Date.now() + 60_000;
  while (!p.log.includes('running:')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`worker ${role} did not start:\n${p.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  s3 = await startS3rver();
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-dist-'));
  port = await freePort();
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  for (const role of ['web', 'intake', 'engine', 'engine', 'publish', 'cache']) await startWorker(role);
});

after(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all(
    procs.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : undefined)),
  );
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  const admin = new Connection(AMQP_URL);
  for (const q of Object.values(queues))
    for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
  await admin.close();
  await s3.stop();
  await rm(data, { recursive: true, force: true });
});

test('20 photos through separate processes become 20 mosaics, each built exactly once', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const form = new FormData();
    form.append(
      'photo',
      new Blob([
        new Uint8Array(
          await raw(60 + i, 45, i)
            .jpeg()
            .toBuffer(),
        ),
      ]),
      'p.jpg',
    );
    form.append('name', `user${i}`);
    const res = await fetch(`http://127.0.0.1:${port}/api/requests`, { method: 'POST', body: form });
    assert.equal(res.status, 202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const end = Date.now() + 240_000;
  let states: string[] = [];
  while (Date.now() < end) {
    states = await Promise.all(
      ids.map(
        async (id) =>
          ((await (await fetch(`http://127.0.0.1:${port}/api/requests/${id}`)).json()) as { state: string }).state,
      ),
    );
    if (states.every((s) => s === 'done' || s === 'failed')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    procs.map((p) => `--- ${p.role}\n${p.log}`).join('\n'),
  );

  // Both output buckets, with the requester in the metadata.
  const store = new S3Storage({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    urlExpiry: 3600,
    partSize: 5 << 20,
  });
  for (const [i, id] of ids.entries()) {
    assert.equal((await store.head('mosaic-outlarge', `${id}.jpg`))?.metadata.username, `user${i}`);
    assert.equal((await store.head('mosaic-outsmall', `${id}.jpg`))?.metadata.username, `user${i}`);
    assert.ok(await store.head('mosaic-outlarge', `${id}.dzi`));
  }
  await store.close();

  // Built exactly once, and both engines worked.
  const engines = procs.filter((p) => p.role === 'engine');
  for (const id of ids) {
    const builds = engines.reduce(
      (n, e) => n + (e.log.match(new RegExp(`mosaic ${id} rendered`, 'g'))?.length ?? 0),
      0,
    );
    assert.equal(builds, 1, `${id} built ${builds} times`);
  }
  assert.ok(
    engines.every((e) => e.log.includes('rendered')),
    'both engines took jobs',
  );

  // The original's cache keys in Redis, and the gallery API.
  const redis = new Redis(REDIS_URL);
  const endCache = Date.now() + 15_000;
  let all: { mosaics: { id: string; url_small: string }[]; size: number } | undefined;
  while (Date.now() < endCache) {
    const text = await redis.get('mosaic:all');
    all = text ? JSON.parse(text) : undefined;
    if (all && ids.every((id) => all!.mosaics.some((m) => m.id === id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(all && ids.every((id) => all!.mosaics.some((m) => m.id === id)), 'every mosaic is in mosaic:all');
  assert.ok((await redis.ttl('mosaic:all')) > 0, 'mosaic:all expires (CACHE_LIFE)');
  assert.equal(JSON.parse((await redis.get(`mosaic:${ids[0]}`))!).username, 'user0');
  redis.disconnect();
  const api = (await (await fetch(`http://127.0.0.1:${port}/mosaic/`)).json()) as {
    mosaics: { id: string; url_small: string }[];
  };
  assert.ok(ids.every((id) => api.mosaics.some((m) => m.id === id)));
  const presigned = api.mosaics[0].url_small;
  assert.match(presigned, /X-Amz-Signature=/, 'S3 objects are served by presigned URLs');
  assert.equal((await fetch(presigned)).status, 200);
});
