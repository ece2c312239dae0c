import os from 'node:os';
import { ThreadedImaging } from '../adapters/imaging/threaded.js';
import { TileLibrary } from '../adapters/library/disk.js';
import { currentLibrary } from '../adapters/library/current.js';
import { LogPublisher } from '../adapters/publishers/log.js';
import { WebhookPublisher } from '../adapters/publishers/webhook.js';
import { DEFAULT_RETRY, type Publisher } from '../ports.js';
import { startHeartbeat } from '../services/heartbeat.js';
import { candidatePool } from '../services/candidates.js';
import { ensureDemoLibrary, isDemoOnly, onlyDemoTiles } from '../services/demo.js';
import { engineStage } from '../services/engine-stage.js';
import { libraryStage } from '../services/library-stage.js';
import { mirrorLibrary, readPublishedHeader } from '../adapters/library/remote.js';
import type { LibraryHeader } from '../adapters/library/format.js';
import { cacheStage, refreshGalleryCache, type GalleryCacheConfig } from '../services/gallery-cache.js';
import { intake } from '../services/intake.js';
import { DEFAULT_REPLY_TEXT, DEFAULT_WALL_REPLY_TEXT, publishStage } from '../services/publish-stage.js';
import { RequestStatuses } from '../services/requests.js';
import { download, DEFAULT_DOWNLOAD } from '../adapters/http/download.js';
import type { LibraryStats } from '../web/admin.js';
import { SocialStage } from '../services/social.js';
import { SharpWallImaging } from '../adapters/imaging/wall-imaging.js';
import { wallEngineStage } from '../services/wall-engine-stage.js';
import { wallPlaceStage } from '../services/wall-place-stage.js';
import { wallPrintStage } from '../services/wall-print-stage.js';
import { WallStore } from '../services/wall-store.js';
import { wallsByHashtag } from '../services/walls.js';
import { buildApp, urlFor } from '../web/app.js';
import { closeAll, compose, socialMedia, socialPublishers, socialShortener, socialSources } from './compose.js';
import { hasSocial, type Config } from './config.js';
import { defaultSiteUrl } from './site-url.js';

export const ROLES = ['web', 'intake', 'library', 'engine', 'wall', 'publish', 'cache', 'collect'] as const;
export type Role = (typeof ROLES)[number];
export type Log = (line: string) => void;

/**
 * Starts the given roles in this process over the configured adapters, and returns a function
 * that stops them gracefully: the web server first (no new requests), then the consumers (jobs in
 * flight finish), then the connections.
 */
export async function startRoles(
  config: Config,
  roles: readonly Role[],
  log: Log,
): Promise<{ stop: () => Promise<void>; port?: number }> {
  const deps = compose(config);
  const imaging = new ThreadedImaging();
  const statuses = new RequestStatuses(deps, config.buckets.in);
  const wallImaging = new SharpWallImaging();
  const walls = new WallStore(deps.storage, config.buckets.in);
  const stops: (() => Promise<void>)[] = [];
  await Promise.all(Object.values(config.buckets).map((b) => deps.storage.ensureBucket(b)));
  const host = process.env.HOST ?? '0.0.0.0';
  const base = config.galleryUrl ?? defaultSiteUrl(config.port, host);
  if (!config.galleryUrl && roles.includes('publish') && !roles.includes('web'))
    log(`GALLERY_URL is not set: replies link to ${base}, this machine; set it to where people see the gallery`);
  const gallery: GalleryCacheConfig = {
    buckets: config.buckets,
    cacheLife: config.cacheLife,
    defaultUsername: 'mosaicme',
    urlFor: urlFor(deps.storage, base.replace(/\/+$/, '')),
    siteUrl: base.replace(/\/+$/, ''),
    moderationBucket: config.buckets.in,
  };
  const onError = (what: string) => (err: unknown) =>
    log(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  const media = socialMedia(config);

  if (roles.includes('intake')) {
    const handler = intake(
      {
        ...deps,
        statuses,
        imaging,
        download: (url) => download(url, { ...DEFAULT_DOWNLOAD, allowHosts: media.privateHosts }),
      },
      {
        bucketIn: config.buckets.in,
        engineQueue: config.queues.engine,
        wallQueue: config.queues.wallEngine,
        maxAttempts: DEFAULT_RETRY.maxAttempts,
      },
    );
    stops.push((await deps.queue.consume(config.queues.in, handler, { prefetch: 4 })).stop);
  }
  const ensureLibrary = async () => {
    if (await ensureDemoLibrary(config.libraryDir, { count: 2000, size: 64 }))
      log(`no tile library was at ${config.libraryDir}: made the demo library there`);
    if (await isDemoOnly(config.libraryDir))
      log(
        'tiles: the library is the generated demo library (pictures, not photos); add your own with ' +
          '`mosaicme tiles add --remote <folder>` while this runs, or a tiles hashtag (TILE_HASHTAGS)',
      );
  };
  // On shared object storage the library stage publishes the library; engines elsewhere mirror it.
  const shared = config.storage.kind === 's3';
  if (roles.includes('library')) {
    await ensureLibrary();
    const stage = libraryStage(
      { storage: deps.storage, log },
      {
        bucketRaw: config.buckets.raw,
        libraryDir: config.libraryDir,
        rawDir: config.rawDir,
        publishBucket: shared ? config.buckets.library : undefined,
      },
    );
    stops.push((await deps.queue.consume(config.queues.tiles, stage.handler, { prefetch: 1 })).stop);
    const sync = () => stage.sync().catch(onError('library sync'));
    void sync();
    const timer = setInterval(sync, config.waitTime * 1000);
    timer.unref();
    stops.push(async () => clearInterval(timer));
  }
  if (roles.includes('engine')) {
    const mirror = shared && !roles.includes('library');
    let checked = 0;
    let noticed = false;
    const opened = currentLibrary(config.libraryDir);
    const library = async () => {
      if (mirror && Date.now() - checked > 5000) {
        const got = await mirrorLibrary(deps.storage, config.buckets.library, config.libraryDir);
        checked = Date.now();
        if (got === 'updated') log(`library: mirrored from ${config.buckets.library} into ${config.libraryDir}`);
        if (got === 'absent' && !noticed) {
          noticed = true;
          log(
            `no shared tile library in ${config.buckets.library} yet (start a library worker): using ${config.libraryDir}`,
          );
        }
      }
      await ensureLibrary();
      return opened();
    };
    // One helper per core but one: the engine's own thread searches a band too.
    const pool = candidatePool(Math.max(1, os.availableParallelism() - 1));
    const handler = engineStage(
      { ...deps, statuses, imaging, pool, log, library },
      {
        buckets: config.buckets,
        finishQueue: config.queues.finish,
        thumbnailSize: config.thumbnailSize,
        maxAttempts: DEFAULT_RETRY.maxAttempts,
        mosaic: {},
      },
    );
    stops.push((await deps.queue.consume(config.queues.engine, handler, { prefetch: 1 })).stop);
    stops.push(() => pool.close());
    const wallHandler = wallEngineStage(
      { ...deps, statuses, imaging: wallImaging, store: walls },
      { bucketIn: config.buckets.in, placeQueue: config.queues.wallPlace, maxAttempts: DEFAULT_RETRY.maxAttempts },
    );
    stops.push((await deps.queue.consume(config.queues.wallEngine, wallHandler, { prefetch: 1 })).stop);
    const prints = wallPrintStage({ store: walls, imaging: wallImaging });
    stops.push((await deps.queue.consume(config.queues.wallPrint, prints, { prefetch: 1 })).stop);
  }
  if (roles.includes('wall')) {
    // One placement at a time: RabbitMQ gives this queue a single active consumer across processes.
    const handler = wallPlaceStage(
      { ...deps, statuses, imaging: wallImaging, store: walls, log },
      {
        engineQueue: config.queues.engine,
        printQueue: config.queues.wallPrint,
        photoUrl: `${base.replace(/\/+$/, '')}/walls/{wall}/photos/{photo}`,
        replyQueue: config.queues.finish,
      },
    );
    stops.push((await deps.queue.consume(config.queues.wallPlace, handler, { prefetch: 1 })).stop);
  }
  if (roles.includes('publish')) {
    const publishers: Publisher[] = [new LogPublisher(log)];
    if (config.webhook) publishers.push(new WebhookPublisher(config.webhook));
    publishers.push(...socialPublishers(config, log));
    const handler = publishStage(
      { ...deps, statuses, publishers, shorten: socialShortener(config), log },
      {
        bucketSmall: config.buckets.outSmall,
        doneQueue: config.queues.done,
        template: config.replyText ?? DEFAULT_REPLY_TEXT,
        pageUrl: `${base}/mosaics/{id}`,
        maxAttempts: DEFAULT_RETRY.maxAttempts,
        markerBucket: config.buckets.in,
        walls: { bucket: walls.bucket, template: config.wallReplyText ?? DEFAULT_WALL_REPLY_TEXT },
      },
    );
    stops.push((await deps.queue.consume(config.queues.finish, handler, { prefetch: 4 })).stop);
  }
  if (roles.includes('cache')) {
    stops.push(
      (await deps.queue.consume(config.queues.done, cacheStage({ ...deps, statuses }, gallery), { prefetch: 4 })).stop,
    );
    const stopRefresh = refreshGalleryCache(deps, gallery, config.waitTime, onError('cache rebuild'));
    stops.push(async () => stopRefresh());
  }
  if (roles.includes('collect')) {
    if (!hasSocial(config)) log('collect: no social network configured (see docs/social.md)');
    const stage = new SocialStage(
      { ...deps, download: media.download, isMediaUrl: media.isMediaUrl, log, wallFor: wallsByHashtag(walls) },
      { buckets: config.buckets, queues: config.queues },
    );
    await stage.start(socialSources(config, log, deps.storage));
    // Sources stop before the queue closes: what they hold is handed over or dropped with a log line.
    stops.unshift(() => stage.stop());
  }
  let port: number | undefined;
  if (roles.includes('web')) {
    const app = buildApp(
      {
        ...deps,
        statuses,
        imaging,
        log,
        walls: { store: walls, imaging: wallImaging },
        libraryStats: libraryStats(
          shared && !roles.includes('library')
            ? () => readPublishedHeader(deps.storage, config.buckets.library)
            : async () => {
                if (!(await TileLibrary.exists(config.libraryDir))) return undefined;
                const lib = await TileLibrary.open(config.libraryDir);
                return { ...lib.info, tiles: [...lib.entries()] };
              },
        ),
      },
      {
        gallery,
        bucketIn: config.buckets.in,
        requestQueue: config.queues.in,
        queues: [...new Set(Object.values(config.queues))],
        maxUploadBytes: config.web.maxUploadBytes,
        maxUploadPixels: config.web.maxUploadPixels,
        uploadRateLimit: config.web.uploadRateLimit,
        adminToken: config.web.adminToken,
        imageOrigins: imageOrigins(config),
        trustProxy: config.web.trustProxy,
        walls: { placeQueue: config.queues.wallPlace },
        pages: {
          hashtag: config.social.requestHashtags[0] ?? 'mosaicme',
          siteUrl: base,
          maxUploadMiB: Math.floor(config.web.maxUploadBytes / 2 ** 20),
        },
      },
    );
    await app.listen({ port: config.port, host });
    port = (app.server.address() as { port: number }).port;
    log(`MosaicMe is at http://localhost:${port}/ (the original's API at /mosaic/)`);
    if (!config.web.adminToken)
      log('the operator view (/admin) is off: set ADMIN_TOKEN (16 or more characters) to turn it on');
    if (!config.galleryUrl && !base.startsWith('http://localhost'))
      log(`phones on this network reach it at ${base}/ (the QR code's address; set GALLERY_URL for another)`);
    stops.unshift(async () => void (await app.close()));
  }
  // After the web server: a process shows as online once it answers.
  stops.push(startHeartbeat(deps.cache, { roles, host: os.hostname(), pid: process.pid }));
  return {
    port,
    stop: async () => {
      for (const stop of stops) await stop().catch(onError('stopping'));
      await imaging.close();
      await closeAll(deps);
    },
  };
}

/** Origins a page may load images from besides this server: the store's, when it presigns URLs. */
function imageOrigins(config: Config): string[] {
  const s = config.storage;
  if (s.kind !== 's3') return [];
  if (!s.endpoint) return ['https://*.amazonaws.com'];
  const { protocol, host, origin } = new URL(s.endpoint);
  // Virtual-hosted style puts the bucket in front of the host.
  return s.forcePathStyle ? [origin] : [origin, `${protocol}//*.${host}`];
}

const DAY_MS = 24 * 3600 * 1000;

/** The tile library's header, read at most every 30 s (the operator view polls it). */
function libraryStats(header: () => Promise<LibraryHeader | undefined>) {
  let last: { at: number; stats: Promise<LibraryStats | undefined> } | undefined;
  const read = async (): Promise<LibraryStats | undefined> => {
    const h = await header();
    if (!h) return undefined;
    const since = Date.now() - DAY_MS;
    return {
      tiles: h.count,
      tileSize: h.tileSize,
      addedLast24h: h.tiles.filter((t) => t[5] >= since).length,
      updatedAt: h.updatedAt,
      demoOnly: onlyDemoTiles(h.tiles.map((t) => t[0])),
    };
  };
  return () => {
    if (!last || Date.now() - last.at > 30_000) last = { at: Date.now(), stats: read().catch(() => undefined) };
    return last.stats;
  };
}
