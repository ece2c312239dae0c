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
  };
}

/** Deletes queues with their retry and dead-letter companions. */
export async function deleteQueues(names: Iterable<string>): Promise<void> {
  const admin = new Connection(AMQP_URL);
  for (const q of names)
    for (const name of [q, `${q}.retry`, `${q}.dead`]) await admin.queueDelete({ queue: name }).catch(() => {});
  await admin.close();
}
