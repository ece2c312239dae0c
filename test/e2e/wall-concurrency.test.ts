import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SharpImaging } from '../../src/adapters/imaging/sharp.js';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { RequestStatuses } from '../../src/services/requests.js';
import { WallBoard } from '../../src/services/wall-board.js';
import { WallStore } from '../../src/services/wall-store.js';
import { submitToWall } from '../../src/services/walls.js';
import type { WallEvent } from '../../src/shapes/wall.js';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { startMosaicme, type Running } from '../helpers/pipeline.js';
import { startPrivateRabbit, type PrivateRabbit } from '../helpers/private-rabbitmq.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { AMQP_URL, deleteQueues, runQueues } from '../helpers/rabbit.js';
import { s3rverStorage, startS3rver } from '../helpers/s3rver.js';

// 300 guests at once onto a 15×15 wall, over RabbitMQ, Redis and an S3 server, with two engine
// processes cropping in parallel and one placer at a time: 225 placed, 75 refused as full (they
// become ordinary mosaics: counted on the engine queue, which no process consumes here), no cell
// twice, nobody lost. Then the same with one engine, then the active placer, killed by SIGKILL mid-run,
// and with the broker restarted mid-run (a RabbitMQ node of the test's own: the machine's is left alone).
let s3: Awaited<ReturnType<typeof startS3rver>>;
let redis: PrivateRedis;
let rabbit: PrivateRabbit | undefined;
let data: string;
const procs: Running[] = [];
const used: string[] = [];

before(async () => {
  s3 = await startS3rver();
  redis = await startPrivateRedis();
  data = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-wallrun-'));
});

after(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await deleteQueues(used);
  await rabbit?.stop(); // its queues go with it
  await redis?.kill();
  await s3?.stop();
  await rm(data, { recursive: true, force: true });
});

async function run(name: string, kill: 'none' | 'engine' | 'placer' | 'broker') {
  const queues = runQueues(name);
  const amqp = kill === 'broker' ? (rabbit ??= await startPrivateRabbit()).url : AMQP_URL;
  if (kill !== 'broker') used.push(...Object.values(queues), `${queues.QUEUE_ENGINE}-refused`);
  const base = {
    DATA_DIR: path.join(data, name),
    RABBITMQ_URL: amqp,
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    BUCKET_IN: `${name}-in`,
    ...queues,
  };
  // Refused photos go to a queue of their own, so no engine starts making mosaics of them here.
  const refusedQueue = `${queues.QUEUE_ENGINE}-refused`;
  const target = path.join(data, `${name}-target.png`);
  await writeFile(target, await raw(600, 600, 5).png().toBuffer());
  const made = await mosaicme(
    ['wall', 'create', '--title', `Run ${name}`, '--target', target, '--cols', '15', '--rows', '15', '--json'],
    base,
  );
  assert.equal(made.code, 0, made.stderr);
  const wall = JSON.parse(made.stdout) as { id: string };

  // Two placers: the broker gives the queue to one at a time, the other waits to take over.
  const placers = [
    await startMosaicme(['worker', 'intake', 'wall'], { ...base, QUEUE_ENGINE: refusedQueue }),
    await startMosaicme(['worker', 'wall'], { ...base, QUEUE_ENGINE: refusedQueue }),
  ];
  procs.push(...placers);
  const engines = [await startMosaicme(['worker', 'engine'], base), await startMosaicme(['worker', 'engine'], base)];
  procs.push(...engines);

  const storage = s3rverStorage(s3.endpoint);
  const queue = new RabbitQueue(amqp, undefined, [queues.QUEUE_WALL_PLACE]);
  const store = new WallStore(storage, base.BUCKET_IN);
  const statuses = new RequestStatuses({ storage, cache: new MemoryCache() }, base.BUCKET_IN);
  const imaging = new SharpImaging();
  const photos = await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      raw(64, 48, 1000 + i)
        .jpeg()
        .toBuffer(),
    ),
  );
  const ids: string[] = [];
  await Promise.all(
    photos.map(async (bytes, i) => {
      const { id } = await submitToWall(
        { store, storage, queue, statuses, imaging },
        { bucketIn: base.BUCKET_IN, requestQueue: queues.QUEUE_IN },
        { wall: wall.id, bytes, name: `guest ${i}` },
      );
      ids.push(id);
    }),
  );

  const events = async () => store.eventsAfter(wall.id, 0);
  let killed = false;
  const victims: Running[] = [];
  const end = Date.now() + 360_000;
  let log: WallEvent[];
  for (;;) {
    log = await events();
    if (kill === 'broker' && !killed && log.length >= 40) {
      await rabbit!.ctl('stop_app');
      await new Promise((r) => setTimeout(r, 3000));
      await rabbit!.ctl('start_app');
      killed = true;
    }
    if ((kill === 'engine' || kill === 'placer') && !killed && log.length >= 40) {
      // The placer killed is the active one: the one that has been logging placements.
      const victim = kill === 'engine' ? engines[0] : placers.find((p) => p.log().includes('placed at'))!;
      victim.child.kill('SIGKILL');
      victims.push(victim);
      killed = true;
    }
    const decided = new Set(log.flatMap((e) => (e.type === 'placed' || e.type === 'refused' ? [e.photo] : [])));
    if (decided.size >= 300 || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const placed = log.filter((e) => e.type === 'placed');
  const refused = log.filter((e) => e.type === 'refused');
  assert.equal(placed.length, 225, `placed ${placed.length}; refused ${refused.length}`);
  assert.equal(new Set(placed.map((e) => e.cell)).size, 225, 'no cell claimed twice');
  assert.equal(new Set(placed.map((e) => e.photo)).size, 225, 'no photo placed twice');
  assert.equal(refused.length, 75);
  assert.ok(refused.every((e) => e.reason === 'full'));
  const all = new Set([...placed, ...refused].map((e) => e.photo));
  assert.deepEqual([...all].sort(), [...ids].sort(), 'every photo accounted for');
  const board = await WallBoard.load(store, (await store.require(wall.id))!);
  assert.equal(board.placed, 225);
  assert.equal((await store.require(wall.id)).state, 'full');
  // Each refused photo went on to become a mosaic (at least once: delivery is at least once).
  for (let i = 0; i < 40 && (await queue.depth(refusedQueue)) < 75; i++) await new Promise((r) => setTimeout(r, 250));
  assert.ok((await queue.depth(refusedQueue)) >= 75);
  for (const q of [queues.QUEUE_IN, queues.QUEUE_WALL_ENGINE, queues.QUEUE_WALL_PLACE])
    assert.deepEqual(await queue.deadLetters(q), [], `no dead letters on ${q}`);
  if (kill === 'broker') assert.ok(killed && log.length > 40, 'the broker was restarted mid-run');
  if (kill === 'engine' || kill === 'placer')
    assert.equal(victims[0]?.child.signalCode, 'SIGKILL', 'the process was killed mid-run');
  if (kill === 'placer')
    assert.match(placers.find((p) => p !== victims[0])!.log(), /placed at/, 'the standby took over');
  await imaging.close();
  await queue.close();
  for (const p of procs.splice(0)) p.child.kill('SIGKILL');
}

test('300 photos at once from 2 engines on RabbitMQ onto a 15×15 wall: 225 placed, 75 refused, none lost', () =>
  run('wall300', 'none'));

test('the same with one engine killed by SIGKILL mid-run', () => run('wall300k', 'engine'));

test('the same with the active placer killed by SIGKILL mid-run: the standby takes over from the log', () =>
  run('wall300p', 'placer'));

test('the same through a restart of the broker mid-run: every process reconnects by itself', () =>
  run('wall300b', 'broker'));
