import { randomUUID } from 'node:crypto';
import { Connection } from 'rabbitmq-client';

/** The machine's RabbitMQ; a test that needs it fails when it is not there. */
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Queue names of this test run, as environment variables, so runs never share a queue. */
export function runQueues(prefix: string): Record<string, string> {
  const run = `${prefix}-${randomUUID().slice(0, 8)}`;
  return {
    QUEUE_IN: `${run}-in`,
    QUEUE_ENGINE: `${run}-eng`,
    QUEUE_FINISH: `${run}-finish`,
    QUEUE_DONE: `${run}-done`,
    QUEUE_TILES: `${run}-tiles`,
    QUEUE_WALL_ENGINE: `${run}-wall-eng`,
    QUEUE_WALL_PLACE: `${run}-wall-place`,
    QUEUE_WALL_PRINT: `${run}-wall-print`,
  };
}

/** Deletes queues with their retry and dead-letter companions. */
export async function deleteQueues(names: Iterable<string>, url = AMQP_URL): Promise<void> {
  const admin = new Connection(url);
  for (const q of names)
    for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
  await admin.close();
}

/**
 * Holds a connection to the machine's RabbitMQ while a test restarts a node of its own;
 * `assertUntouched` fails if that connection dropped meanwhile (the wrong broker was stopped).
 */
export async function watchMachineBroker(): Promise<{ assertUntouched: () => void; close: () => Promise<void> }> {
  const conn = new Connection({ url: AMQP_URL, retryLow: 100 });
  let connects = 0;
  conn.on('connection', () => connects++);
  conn.on('error', () => {});
  await conn.onConnect(10_000);
  return {
    assertUntouched: () => {
      if (!conn.ready || connects !== 1)
        throw new Error(`the machine's RabbitMQ (${AMQP_URL}) connection dropped during the test`);
    },
    close: () => conn.close(),
  };
}
