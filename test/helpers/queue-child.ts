// A consumer in its own process that takes one job and hangs, so a test can kill -9 it mid-job.
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { RabbitQueue } from '../../src/adapters/queue/rabbitmq.js';

const { QUEUE_KIND, QUEUE_DIR, QUEUE_URL, QUEUE_NAME } = process.env;
const queue = QUEUE_KIND === 'disk' ? new DiskQueue(QUEUE_DIR!, undefined, 50) : new RabbitQueue(QUEUE_URL!);
await queue.consume(QUEUE_NAME!, () => {
  process.stdout.write('started\n');
  return new Promise<void>(() => {});
});
