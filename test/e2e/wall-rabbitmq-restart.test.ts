import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startPrivateRabbit, type PrivateRabbit } from '../helpers/private-rabbitmq.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { watchMachineBroker } from '../helpers/rabbit.js';
import { startWallRun, type WallRun } from './wall-harness.js';

// A wall survives a broker restart: 130 photos onto a 10×10 wall over a RabbitMQ node of the
// test's own (stop_app, start_app, as test/e2e/rabbitmq-restart.test.ts does; the machine's
// RabbitMQ is not touched), with two engines and two placers as processes of their own sharing
// disk storage (wall-concurrency.test.ts runs walls over an S3 server; here the broker is what
// goes away, and the lighter storage keeps the run short on a small machine). The
// broker goes away once the wall has started filling, 30 more photos are sent while it is away,
// and it comes back: 100 placed, 30 refused, no cell twice, every photo accounted for, and every
// process back on its queues by itself.
let redis: PrivateRedis | undefined;
let rabbit: PrivateRabbit | undefined;
let machine: Awaited<ReturnType<typeof watchMachineBroker>> | undefined;
let dir: string;
let run: WallRun | undefined;

before(async () => {
  machine = await watchMachineBroker();
  [redis, rabbit] = await Promise.all([startPrivateRedis(), startPrivateRabbit()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-wall-rr-'));
});

after(async () => {
  await run?.stop();
  await rabbit?.stop(); // its queues go with it
  await machine?.close();
  await redis?.kill();
  await rm(dir, { recursive: true, force: true });
});

/** Consumers per queue on the private node. */
async function consumers(): Promise<Map<string, number>> {
  const out = await rabbit!.ctl('list_queues', 'name', 'consumers', '--quiet', '--no-table-headers');
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map(([name, n]) => [name, Number(n)] as const),
  );
}

test('130 photos onto a 10×10 wall through a broker restart: 100 placed, 30 refused, none lost', async () => {
  run = await startWallRun({
    name: 'wallrr',
    amqp: rabbit!.url,
    redisUrl: redis!.url,
    dir,
    cols: 10,
    rows: 10,
  });
  const { queues } = run;
  const expected = () =>
    new Map([
      [queues.QUEUE_IN, 1], // the first placer's intake
      [queues.QUEUE_WALL_ENGINE, 2],
      [queues.QUEUE_WALL_PRINT, 2],
      [queues.QUEUE_WALL_PLACE, 2], // one active, one waiting
    ]);
  const consuming = async () => {
    const now = await consumers();
    return [...expected()].every(([q, n]) => now.get(q) === n);
  };
  assert.ok(await consuming(), `every process consumes its queues: ${JSON.stringify([...(await consumers())])}`);

  await run.submit(0, 100);
  let restartedAt = -1;
  let late: Promise<void> | undefined;
  const log = await run.untilDecided(130, 75_000, async (events) => {
    if (restartedAt >= 0 || events.length < 30) return;
    restartedAt = events.length;
    await rabbit!.ctl('stop_app');
    try {
      late = run!.submit(100, 130); // sent while the broker is away: they wait for it
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await rabbit!.ctl('start_app');
    }
  });
  await late;
  assert.ok(restartedAt >= 30 && restartedAt < 100, `the broker was restarted mid-run (at ${restartedAt} events)`);
  assert.equal(run.ids.length, 130);
  await run.assertOutcome(log);

  // Nobody was restarted: each process came back to its queues by itself.
  for (const p of run.processes) assert.equal(p.child.exitCode, null, p.log());
  const end = Date.now() + 15_000;
  while (!(await consuming()) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
  assert.ok(await consuming(), `consumers after the restart: ${JSON.stringify([...(await consumers())])}`);
  machine!.assertUntouched();
});
