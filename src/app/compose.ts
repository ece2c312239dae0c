import { MemoryCache } from '../adapters/cache/memory.js';
import { RedisCache } from '../adapters/cache/redis.js';
import { DiskQueue } from '../adapters/queue/disk.js';
import { RabbitQueue } from '../adapters/queue/rabbitmq.js';
import { DiskStorage } from '../adapters/storage/disk.js';
import { S3Storage } from '../adapters/storage/s3.js';
import type { Cache, Queue, Storage } from '../ports.js';
import type { Config } from './config.js';

export type Deps = { storage: Storage; queue: Queue; cache: Cache };

/** The only place that knows which adapter is in use. */
export function compose(config: Config): Deps {
  const s = config.storage;
  return {
    storage:
      s.kind === 's3'
        ? new S3Storage({
            endpoint: s.endpoint,
            region: s.region,
            accessKeyId: s.accessKeyId,
            secretAccessKey: s.secretAccessKey,
            forcePathStyle: s.forcePathStyle,
            urlExpiry: s.urlExpiry,
            partSize: 8 * 1024 * 1024,
          })
        : new DiskStorage(s.dir),
    queue: config.queue.kind === 'rabbitmq' ? new RabbitQueue(config.queue.url) : new DiskQueue(config.queue.dir),
    cache: config.cache.kind === 'redis' ? new RedisCache({ url: config.cache.url }) : new MemoryCache(),
  };
}

export async function closeAll(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.queue.close(), deps.cache.close(), deps.storage.close()]);
}
