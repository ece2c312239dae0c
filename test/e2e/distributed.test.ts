import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { readManifest } from '../../src/adapters/library/remote.js';
import { mosaicme } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { AMQP_URL, deleteQueues, runQueues } from '../helpers/rabbit.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { raw } from '../helpers/fixtures.js';
import { s3rverStorage, startS3rver } from '../helpers/s3rver.js';

// The roles as separate processes over the machine's RabbitMQ (queues of this run), a Redis
// server of the test's own and an S3 server over HTTP. A missing service fails this test.
const queues = runQueues('e2e');
const ADMIN_TOKEN = 'operator-token-for-tests';

let s3: Awaited<ReturnType<typeof startS3rver>>;
let data: string;
// A Redis of its own: the roles write unprefixed keys, which must not land in the machine's Redis.
let redis: PrivateRedis;
let port: number;
const procs: { role: string; running: Running }[] = [];
let client: ReturnType<typeof apiClient>;

function env(): Record<string, string> {
  return {
    PORT: String(port),
    DATA_DIR: data,
    LIBRARY_DIR: path.join(data, 'library'),
    RABBITMQ_URL: AMQP_URL,
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    WAIT_TIME: '2',
    ADMIN_TOKEN,
    ...queues,
  };
}

async function startWorker(role: string, extra: Record<string, string> = {}): Promise<void> {
  procs.push({ role, running: await startMosaicme(['worker', role], { ...env(), ...extra }) });
}

before(async () => {
  s3 = await startS3rver();
  redis = await startPrivateRedis();
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-dist-'));
  port = await freePort();
  client = apiClient(port);
  const r = await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '400', '--size', '32']);
  assert.equal(r.code, 0, r.stderr);
  // The library stage owns the shared library and publishes it; each engine, as if on a machine
  // of its own, starts with an empty library folder and mirrors the published one.
  await startWorker('library');
  const library = procs[0].running;
  for (const end = Date.now() + 60_000; !library.log().includes('tiles published');) {
    assert.ok(Date.now() < end, `the library was not published:\n${library.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [i, role] of ['web', 'intake', 'engine', 'engine', 'publish', 'cache'].entries())
    await startWorker(role, role === 'engine' ? { LIBRARY_DIR: path.join(data, `engine-${i}`) } : {});
});

after(async () => {
  for (const p of procs) p.running.child.kill('SIGKILL');
  await Promise.all(
    procs.map((p) =>
      p.running.child.exitCode === null ? new Promise((r) => p.running.child.once('exit', r)) : undefined,
    ),
  );
  await redis?.kill();
  await deleteQueues(Object.values(queues));
  await s3.stop();
  await rm(data, { recursive: true, force: true });
});

test('20 photos through separate processes become 20 mosaics, each built exactly once', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await client.upload(
      await raw(60 + i, 45, i)
        .jpeg()
        .toBuffer(),
      `user${i}`,
    );
    assert.equal(res.status, 202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const states = (await client.waitForAll(ids, ['done', 'failed'], 240_000)).map((x) => x.state);
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    procs.map((p) => `--- ${p.role}\n${p.running.log()}`).join('\n'),
  );

  // Both output buckets, with the requester in the metadata.
  const store = s3rverStorage(s3.endpoint);
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
      (n, e) => n + (e.running.log().match(new RegExp(`mosaic ${id} rendered`, 'g'))?.length ?? 0),
      0,
    );
    assert.equal(builds, 1, `${id} built ${builds} times`);
  }
  assert.ok(
    engines.every((e) => e.running.log().includes('rendered')),
    'both engines took jobs',
  );

  // The original's cache keys in Redis, and the gallery API.
  const cache = new Redis(redis.url);
  const endCache = Date.now() + 15_000;
  let all: { mosaics: { id: string; url_small: string }[]; size: number } | undefined;
  while (Date.now() < endCache) {
    const text = await cache.get('mosaic:all');
    all = text ? JSON.parse(text) : undefined;
    if (all && ids.every((id) => all!.mosaics.some((m) => m.id === id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(all && ids.every((id) => all!.mosaics.some((m) => m.id === id)), 'every mosaic is in mosaic:all');
  assert.ok((await cache.ttl('mosaic:all')) > 0, 'mosaic:all expires (CACHE_LIFE)');
  assert.equal(JSON.parse((await cache.get(`mosaic:${ids[0]}`))!).username, 'user0');
  cache.disconnect();
  const api = (await (await client.api(`/mosaic/`)).json()) as {
    mosaics: { id: string; url_small: string }[];
  };
  assert.ok(ids.every((id) => api.mosaics.some((m) => m.id === id)));
  const presigned = api.mosaics[0].url_small;
  assert.match(presigned, /X-Amz-Signature=/, 'S3 objects are served by presigned URLs');
  assert.equal((await fetch(presigned)).status, 200);
});

test('tiles add --remote grows the shared library, and the engines build with it', async () => {
  const photos = path.join(data, 'new-tiles');
  await mkdir(photos, { recursive: true });
  for (let i = 0; i < 6; i++)
    await raw(80, 80, 100 + i)
      .jpeg()
      .toFile(path.join(photos, `tile-${i}.jpg`));
  await writeFile(path.join(photos, 'notes.jpg'), 'not a photo');
  const r = await mosaicme(['tiles', 'add', '--remote', photos, '--json'], env());
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { uploaded: 6, duplicate: 0, skipped: 1, total: 7 });
  assert.match(r.stderr, /notes\.jpg/);

  const store = s3rverStorage(s3.endpoint);
  let count = 0;
  for (const end = Date.now() + 60_000; count !== 406 && Date.now() < end;) {
    count = (await readManifest(store, 'mosaic-library'))?.count ?? 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  await store.close();
  assert.equal(count, 406, 'the 6 new photos are in the published library');
  const overview = (await (
    await client.api('/api/admin/overview', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).json()) as { library: { tiles: number; addedLast24h: number } };
  assert.deepEqual(overview.library.tiles, 406, 'the operator view reads the published library');

  // Every engine takes a job sooner or later; the ones after the growth see 406 tiles. An engine
  // looks for a newer shared library at most every 5 s, at its next job: let that pass first.
  await new Promise((r) => setTimeout(r, 5500));
  const ids = [];
  for (let i = 0; i < 4; i++)
    ids.push(
      await client.submit(
        await raw(64, 48, 200 + i)
          .jpeg()
          .toBuffer(),
        'tiles',
      ),
    );
  assert.deepEqual(
    (await client.waitForAll(ids, ['done', 'failed'], 120_000)).map((s) => s.state),
    ids.map(() => 'done'),
  );
  const engineDirs = (await readdir(data)).filter((d) => d.startsWith('engine-'));
  const counts = await Promise.all(
    engineDirs.map(async (d) => JSON.parse(await readFile(path.join(data, d, 'library.json'), 'utf8')).count as number),
  );
  assert.ok(counts.includes(406), `engine libraries: ${counts.join(', ')}`);
});
