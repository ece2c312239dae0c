import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { freePort } from '../helpers/net.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { apiClient, startMosaicme, type Running } from '../helpers/pipeline.js';

// A Redis of this test's own (so stopping it disturbs no other test), stopped and started again
// while requests run through `mosaicme serve`.
let data: string;
let redis: PrivateRedis | undefined;
let server: Running | undefined;
let client: ReturnType<typeof apiClient>;

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-redis-'));
  const port = await freePort();
  client = apiClient(port);
  redis = await startPrivateRedis();
  assert.equal(
    (await mosaicme(['tiles', 'demo', path.join(data, 'library'), '--count', '300', '--size', '32'])).code,
    0,
  );
  server = await startMosaicme(['serve'], {
    PORT: String(port),
    DATA_DIR: data,
    REDIS_URL: redis.url,
    WAIT_TIME: '1',
  });
});
after(async () => {
  server?.child.kill('SIGKILL');
  await redis?.kill();
  await rm(data, { recursive: true, force: true });
});

test('Redis stopped and started during a run: every request completes, and the API answers meanwhile', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await client.submit(await raw(300, 200, i).jpeg().toBuffer()));
  await redis!.kill();
  // While Redis is away: the gallery and the statuses come from storage.
  assert.equal((await client.api('/mosaic/')).status, 200);
  assert.equal((await client.api(`/api/requests/${ids[0]}`)).status, 200);
  await new Promise((r) => setTimeout(r, 2000));
  await redis!.start();
  const states = (await client.waitForAll(ids)).map((s) => s.state);
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    server!.log(),
  );
  // The cache heals by itself from storage (WAIT_TIME=1).
  const redisClient = new Redis(redis!.url);
  const healEnd = Date.now() + 15_000;
  let all: { mosaics: { id: string }[] } | undefined;
  while (Date.now() < healEnd) {
    const text = await redisClient.get('mosaic:all').catch(() => null);
    all = text ? JSON.parse(text) : undefined;
    if (all && ids.every((id) => all!.mosaics.some((m) => m.id === id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  redisClient.disconnect();
  assert.ok(
    all && ids.every((id) => all!.mosaics.some((m) => m.id === id)),
    'mosaic:all was rebuilt with every mosaic',
  );
});
