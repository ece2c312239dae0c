import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SharpImaging } from '../../src/adapters/imaging/sharp.js';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import { RequestStatuses } from '../../src/services/requests.js';
import { WallBoard } from '../../src/services/wall-board.js';
import { WallStore } from '../../src/services/wall-store.js';
import { submitToWall } from '../../src/services/walls.js';
import type { WallEvent } from '../../src/shapes/wall.js';
import { mosaicme } from '../helpers/cli.js';
import { raw } from '../helpers/fixtures.js';
import { startMosaicme } from '../helpers/pipeline.js';
import { runQueues } from '../helpers/rabbit.js';
import { s3rverStorage } from '../helpers/s3rver.js';

/**
 * A wall run for the end-to-end wall tests: a wall made with the CLI over RabbitMQ, Redis and an
 * S3 server (or shared disk storage), two placers (one active at a time: the queue has a single active consumer) and two
 * engines as processes of their own, and what the tests look at. Refused photos go to an engine
 * queue of their own (`refusedQueue`), which no process consumes, so they are counted, not made.
 */
export type WallRun = Awaited<ReturnType<typeof startWallRun>>;

export async function startWallRun(o: {
  name: string;
  amqp: string;
  redisUrl: string;
  /** An S3 server's endpoint; without one every process shares disk storage in `dir` (lighter on a small machine). */
  s3Endpoint?: string;
  /** A folder for this run (DATA_DIR and the target picture). */
  dir: string;
  cols: number;
  rows: number;
}) {
  const queues = runQueues(o.name);
  const refusedQueue = `${queues.QUEUE_ENGINE}-refused`;
  const data = path.join(o.dir, o.name);
  const s3: Record<string, string> = o.s3Endpoint
    ? { S3_ENDPOINT: o.s3Endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER' }
    : {};
  const base: Record<string, string> = {
    DATA_DIR: data,
    RABBITMQ_URL: o.amqp,
    REDIS_URL: o.redisUrl,
    ...s3,
    BUCKET_IN: `${o.name}-in`,
    ...queues,
  };
  const target = path.join(o.dir, `${o.name}-target.png`);
  await writeFile(target, await raw(600, 600, 5).png().toBuffer());
  const made = await mosaicme(
    [
      'wall',
      'create',
      '--title',
      `Run ${o.name}`,
      '--target',
      target,
      '--json',
      '--cols',
      `${o.cols}`,
      '--rows',
      `${o.rows}`,
    ],
    base,
  );
  assert.equal(made.code, 0, made.stderr);
  const wall = JSON.parse(made.stdout) as { id: string };

  const placerEnv = { ...base, QUEUE_ENGINE: refusedQueue };
  const [placers, engines] = await Promise.all([
    Promise.all([startMosaicme(['worker', 'intake', 'wall'], placerEnv), startMosaicme(['worker', 'wall'], placerEnv)]),
    Promise.all([startMosaicme(['worker', 'engine'], base), startMosaicme(['worker', 'engine'], base)]),
  ]);

  const storage = o.s3Endpoint ? s3rverStorage(o.s3Endpoint) : new DiskStorage(path.join(data, 'storage'));
  const queue = new RabbitQueue(o.amqp, undefined, [queues.QUEUE_WALL_PLACE]);
  const store = new WallStore(storage, base.BUCKET_IN);
  const statuses = new RequestStatuses({ storage, cache: new MemoryCache() }, base.BUCKET_IN);
  const imaging = new SharpImaging();
  const ids: string[] = [];
  const cells = o.cols * o.rows;

  return {
    wall,
    queues,
    refusedQueue,
    placers,
    engines,
    processes: [...placers, ...engines],
    queue,
    store,
    ids,
    /** Sends photos `from`…`to - 1` (distinct pictures, named `guest <n>`) onto the wall, all at once. */
    submit: async (from: number, to: number) => {
      await Promise.all(
        Array.from({ length: to - from }, async (_, k) => {
          const i = from + k;
          const bytes = await raw(64, 48, 1000 + i)
            .jpeg()
            .toBuffer();
          const { id } = await submitToWall(
            { store, storage, queue, statuses, imaging },
            { bucketIn: base.BUCKET_IN, requestQueue: queues.QUEUE_IN },
            { wall: wall.id, bytes, name: `guest ${i}` },
          );
          ids.push(id);
        }),
      );
    },
    events: (): Promise<WallEvent[]> => store.eventsAfter(wall.id, 0),
    /**
     * Polls the log until `total` photos are decided (placed or refused) or `ms` pass, calling
     * `each` with the log after every read (to act mid-run); returns the last log.
     */
    untilDecided: async (total: number, ms: number, each: (log: WallEvent[]) => Promise<void> = async () => {}) => {
      const end = Date.now() + ms;
      // Read on from the last event seen: re-reading the whole log each time slows the S3 server for everyone.
      const log: WallEvent[] = [];
      for (;;) {
        log.push(...(await store.eventsAfter(wall.id, log.at(-1)?.seq ?? 0)));
        await each(log);
        if (decided(log).size >= total || Date.now() > end) return log;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    /**
     * The outcome every wall run must have: each cell taken once by one photo, the rest refused as
     * full, every photo sent accounted for, the wall full, each refused photo sent on to become a
     * mosaic, and no dead letters.
     */
    assertOutcome: async (log: WallEvent[]) => {
      const placed = log.filter((e) => e.type === 'placed');
      const refused = log.filter((e) => e.type === 'refused');
      const sent = ids.length;
      assert.equal(placed.length, cells, `placed ${placed.length}; refused ${refused.length}`);
      assert.equal(new Set(placed.map((e) => e.cell)).size, cells, 'no cell claimed twice');
      assert.equal(new Set(placed.map((e) => e.photo)).size, cells, 'no photo placed twice');
      assert.equal(refused.length, sent - cells);
      assert.ok(refused.every((e) => e.reason === 'full'));
      assert.deepEqual([...decided(log)].sort(), [...ids].sort(), 'every photo accounted for');
      const def = await store.require(wall.id);
      assert.equal((await WallBoard.load(store, def)).placed, cells);
      assert.equal(def.state, 'full');
      // Each refused photo went on to become a mosaic (at least once: delivery is at least once).
      for (let i = 0; i < 40 && (await queue.depth(refusedQueue)) < sent - cells; i++)
        await new Promise((r) => setTimeout(r, 250));
      assert.ok((await queue.depth(refusedQueue)) >= sent - cells);
      for (const q of [queues.QUEUE_IN, queues.QUEUE_WALL_ENGINE, queues.QUEUE_WALL_PLACE])
        assert.deepEqual(await queue.deadLetters(q), [], `no dead letters on ${q}`);
    },
    /** Every queue name of the run, with the refused one, for deleteQueues on a shared broker. */
    queueNames: () => [...Object.values(queues), refusedQueue],
    stop: async () => {
      for (const p of [...placers, ...engines]) p.child.kill('SIGKILL');
      await imaging.close();
      await queue.close();
    },
  };
}

/** The photos the log has decided: placed or refused. */
export const decided = (log: WallEvent[]) =>
  new Set(log.flatMap((e) => (e.type === 'placed' || e.type === 'refused' ? [e.photo] : [])));
