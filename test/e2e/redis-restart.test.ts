import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { ROOT, mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';

// A Redis of this test's own (so stopping it disturbs no other test), stopped and started again
// while requests run through `mosaicme serve`.
let data: string;
let redisPort: number;
let port: number;
let redis: ChildProcess | undefined;
let server: ChildProcess | undefined;
let log = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
const accepts = (p: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(p, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const end = Date.now() + 10_000;
  while (!(await accepts(redisPort))) {
    if (Date.now() > end) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const api = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${p}`, init);

before(async () => {
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-redis-'));
  [redisPort, port] = [await freePort(), await freePort()];
  await startRedis();
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
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      WAIT_TIME: '1',
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
  server?.kill('SIGKILL');
  redis?.kill('SIGKILL');
  await rm(data, { recursive: true, force: true });
});

test('Redis stopped and started during a run: every request completes, and the API answers meanwhile', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const form = new FormData();
    form.append('photo', new Blob([new Uint8Array(await raw(300, 200, i).jpeg().toBuffer())]), 'p.jpg');
    ids.push(((await (await api('/api/requests', { method: 'POST', body: form })).json()) as { id: string }).id);
  }
  redis!.kill('SIGKILL');
  await new Promise((r) => redis!.once('exit', r));
  // While Redis is away: the gallery and the statuses come from storage.
  const during = await api('/mosaic/');
  assert.equal(during.status, 200);
  assert.equal((await api(`/api/requests/${ids[0]}`)).status, 200);
  await new Promise((r) => setTimeout(r, 2000));
  await startRedis();
  const end = Date.now() + 90_000;
  let states: string[] = [];
  while (Date.now() < end) {
    states = await Promise.all(
      ids.map(async (id) => ((await (await api(`/api/requests/${id}`)).json()) as { state: string }).state),
    );
    if (states.every((s) => s === 'done' || s === 'failed')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(
    states,
    ids.map(() => 'done'),
    log,
  );
  // The cache heals by itself from storage (WAIT_TIME=1).
  const client = new Redis(`redis://127.0.0.1:${redisPort}`);
  const healEnd = Date.now() + 15_000;
  let all: { mosaics: { id: string }[] } | undefined;
  while (Date.now() < healEnd) {
    const text = await client.get('mosaic:all').catch(() => null);
    all = text ? JSON.parse(text) : undefined;
    if (all && ids.every((id) => all!.mosaics.some((m) => m.id === id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  client.disconnect();
  assert.ok(
    all && ids.every((id) => all!.mosaics.some((m) => m.id === id)),
    'mosaic:all was rebuilt with every mosaic',
  );
});
