import { mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryCache } from '../../src/adapters/cache/memory.js';
import { SharpImaging } from '../../src/adapters/imaging/sharp.js';
import { DiskQueue } from '../../src/adapters/queue/disk.js';
import { DiskStorage } from '../../src/adapters/storage/disk.js';
import type { Cache, Storage } from '../../src/ports.js';
import type { GalleryCacheConfig } from '../../src/services/gallery-cache.js';
import { RequestStatuses } from '../../src/services/requests.js';
import { SharpWallImaging } from '../../src/adapters/imaging/wall-imaging.js';
import { WallStore } from '../../src/services/wall-store.js';
import { buildApp, urlFor, type WebConfig, type WebDeps } from '../../src/web/app.js';

export const BUCKETS = { in: 'mosaic-in', outLarge: 'mosaic-outlarge', outSmall: 'mosaic-outsmall' };
export const QUEUES = ['mosaic-in', 'mosaic-eng', 'mosaic-finish', 'mosaic-done'];
export const ADMIN_TOKEN = 'a-long-enough-admin-token';
export const SITE_URL = 'http://localhost';

export type Harness = Awaited<ReturnType<typeof webHarness>>;

/**
 * The web app over real adapters of the embedded mode (disk storage, a disk queue in a temp
 * folder, the memory cache), without a port; `cache` and config parts can be swapped per test.
 */
export async function webHarness(
  opts: { cache?: Cache; storage?: Storage; web?: Partial<WebConfig>; deps?: Partial<WebDeps> } = {},
) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-web-'));
  const storage = opts.storage ?? new DiskStorage(path.join(root, 'storage'));
  const queue = new DiskQueue(path.join(root, 'queue'));
  const cache = opts.cache ?? new MemoryCache();
  for (const b of Object.values(BUCKETS)) await storage.ensureBucket(b);
  const statuses = new RequestStatuses({ storage, cache }, BUCKETS.in);
  const imaging = new SharpImaging();
  const gallery: GalleryCacheConfig = {
    buckets: { outLarge: BUCKETS.outLarge, outSmall: BUCKETS.outSmall },
    cacheLife: 600,
    defaultUsername: 'mosaicme',
    // As the app wires it: the entries name absolute URLs on the site's address.
    urlFor: urlFor(storage, SITE_URL),
    siteUrl: SITE_URL,
    moderationBucket: BUCKETS.in,
  };
  const cfg: WebConfig = {
    gallery,
    bucketIn: BUCKETS.in,
    requestQueue: 'mosaic-in',
    queues: QUEUES,
    maxUploadBytes: 2 * 1024 * 1024,
    maxUploadPixels: 50_000_000,
    uploadRateLimit: 100,
    adminToken: ADMIN_TOKEN,
    imageOrigins: [],
    trustProxy: false,
    pages: { hashtag: 'mosaicme', siteUrl: SITE_URL },
    walls: { placeQueue: 'mosaic-wall-place' },
    ...opts.web,
  };
  const walls = { store: new WallStore(storage, BUCKETS.in), imaging: new SharpWallImaging() };
  const app = buildApp({ storage, queue, cache, statuses, imaging, walls, ...opts.deps }, cfg);

  /** A finished mosaic in the output buckets, as the engine leaves it, `minutesAgo` old. */
  const finished = async (id: string, metadata: Record<string, string> = {}, minutesAgo = 0) => {
    const meta = { width: '800', height: '600', ...metadata };
    await storage.put(BUCKETS.outLarge, `${id}_files/0/0_0.jpeg`, Buffer.from('tile'));
    await storage.put(BUCKETS.outLarge, `${id}_files/9/1_2.jpeg`, Buffer.from('tile'));
    await storage.put(BUCKETS.outLarge, `${id}.dzi`, Buffer.from('<Image/>'));
    await storage.put(BUCKETS.outLarge, `${id}_preview.jpg`, Buffer.from('preview'));
    await storage.put(BUCKETS.outLarge, `${id}.jpg`, Buffer.from('large'), { metadata: meta });
    await storage.put(BUCKETS.outSmall, `${id}.jpg`, Buffer.from('small'), { metadata: meta });
    if (storage instanceof DiskStorage) {
      const t = new Date(Date.now() - minutesAgo * 60_000);
      await utimes(path.join(root, 'storage', BUCKETS.outLarge, `${id}.jpg`), t, t);
    }
  };

  return {
    app,
    storage,
    queue,
    cache,
    statuses,
    gallery,
    cfg,
    finished,
    auth: { authorization: `Bearer ${ADMIN_TOKEN}` },
    close: async () => {
      await app.close();
      await imaging.close();
      await queue.close();
      await cache.close();
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
