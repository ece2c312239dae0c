import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { MosaicError } from '../core/errors.js';
import type { Cache, Imaging, Queue, Storage, WallImaging } from '../ports.js';
import type { WallStore } from '../services/wall-store.js';
import type { GalleryCacheConfig } from '../services/gallery-cache.js';
import { Moderation } from '../services/moderation.js';
import type { RequestStatuses } from '../services/requests.js';
import { adminRoutes, type LibraryStats } from './admin.js';
import { EventHub, eventRoutes, translator } from './events.js';
import { WebMetrics } from './metrics.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { registerPages, type PagesConfig } from './pages.js';
import { cacheRateLimitStore } from './rate-limit-store.js';
import { GalleryReader, galleryRoutes } from './routes/gallery.js';
import { healthRoutes } from './routes/health.js';
import { requestRoutes, withMosaic } from './routes/requests.js';
import { wallFileRoutes } from './routes/wall-files.js';
import { wallRoutes } from './routes/walls.js';
import { wallEventRoutes, WallEvents } from './wall-events.js';
import { WallViews } from './wall-views.js';

export type WebDeps = {
  storage: Storage;
  queue: Queue;
  cache: Cache;
  statuses: RequestStatuses;
  imaging: Pick<Imaging, 'photoSize'>;
  /** The tile library's size and growth, for the operator view; undefined when there is none here. */
  libraryStats?: () => Promise<LibraryStats | undefined>;
  /** Where unexpected errors are told (the answer says only "something went wrong"). */
  log?: (line: string) => void;
  /** Live walls: where they are stored and their image work. */
  walls: { store: WallStore; imaging: WallImaging };
};
export type WebConfig = {
  gallery: GalleryCacheConfig;
  bucketIn: string;
  requestQueue: string;
  /** Every queue of the pipeline, for the operator view and the metrics. */
  queues: string[];
  maxUploadBytes: number;
  maxUploadPixels: number;
  /** Uploads one client address may make per minute. */
  uploadRateLimit: number;
  /** The operator API's bearer token; without one the operator API is off. */
  adminToken?: string;
  /** Where images come from besides this server (the store's origin when it presigns URLs). */
  imageOrigins: string[];
  /** Whether X-Forwarded-For names the client (behind a reverse proxy). */
  trustProxy: boolean;
  /** Seconds between the comments that keep event streams open. */
  sseHeartbeatSeconds?: number;
  pages: PagesConfig;
  /** Live walls: the placement queue (moderation frees cells through it, in order with placements). */
  walls: { placeQueue: string };
};

const STATUS: Partial<Record<MosaicError['code'], number>> = {
  UNREADABLE_IMAGE: 415,
  IMAGE_TOO_LARGE: 413,
  INVALID_OPTION: 400,
  INVALID_MESSAGE: 400,
  INVALID_TARGET: 422,
  WALL_NOT_FOUND: 404,
  WALL_CLOSED: 409,
};

/**
 * The web role: the gallery API (the original's `/mosaic/` routes and `/api/…`), uploads, live
 * events, health and metrics, the operator API, the output files when storage has no URLs of its
 * own, and the pages. Every answer carries a Content-Security-Policy with no inline scripts.
 */
export function buildApp(deps: WebDeps, cfg: WebConfig): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: cfg.trustProxy });
  const gallery = new GalleryReader(deps, cfg.gallery);
  const hub = new EventHub(
    deps.cache,
    translator((s) => withMosaic(s, gallery)),
    (cfg.sseHeartbeatSeconds ?? 15) * 1000,
  );
  const wallViews = new WallViews(deps.walls);
  const wallEvents = new WallEvents(
    { store: deps.walls.store, cache: deps.cache, statuses: deps.statuses },
    { heartbeatMs: (cfg.sseHeartbeatSeconds ?? 15) * 1000 },
  );
  const mosaics = async () => (await gallery.list()).list.size;
  const metrics = new WebMetrics({
    mosaics,
    queueDepths: () =>
      Promise.all(cfg.queues.map(async (name) => ({ name, depth: await deps.queue.depth(name).catch(() => null) }))),
    sseClients: () => hub.size + wallEvents.size,
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof MosaicError)
      return reply.status(STATUS[err.code] ?? 500).send({ error: err.code, message: err.message });
    const e = err as { statusCode?: number; code?: string; message: string; validation?: unknown };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE')
      return reply
        .status(413)
        .send({ error: 'IMAGE_TOO_LARGE', message: `photos up to ${sizeText(cfg.maxUploadBytes)}` });
    if (e.validation) return reply.status(400).send({ error: 'BAD_REQUEST', message: e.message });
    if (e.statusCode && e.statusCode < 500)
      return reply.status(e.statusCode).send({ error: e.code ?? 'BAD_REQUEST', message: e.message });
    deps.log?.(`web: ${req.method} ${req.routeOptions.url ?? req.url}: ${e.message}`);
    return reply.status(500).send({ error: 'INTERNAL', message: 'something went wrong' });
  });

  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...cfg.imageOrigins],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });
  void app.register(rateLimit, {
    global: false,
    store: cacheRateLimitStore(deps.cache),
    skipOnError: true,
    onExceeded: () => metrics.upload('refused'),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: ctx.statusCode,
      code: 'RATE_LIMITED',
      message: `too many uploads: ${ctx.max} a minute from one address; try again in ${ctx.after}`,
    }),
  });
  void app.register(multipart, { limits: { fileSize: cfg.maxUploadBytes, files: 1, fields: 5 } });
  registerOpenApi(app);
  metrics.observe(app);
  app.addHook('preClose', async () => {
    hub.close();
    wallEvents.close();
  });

  void app.register(async (api) => {
    galleryRoutes(api, gallery, deps.storage);
    requestRoutes(
      api,
      deps,
      {
        bucketIn: cfg.bucketIn,
        requestQueue: cfg.requestQueue,
        maxUploadPixels: cfg.maxUploadPixels,
        rateLimit: cfg.uploadRateLimit,
      },
      gallery,
      metrics,
    );
    eventRoutes(api, hub);
    wallRoutes(
      api,
      { ...deps.walls, storage: deps.storage, queue: deps.queue, statuses: deps.statuses, photos: deps.imaging },
      {
        bucketIn: cfg.bucketIn,
        requestQueue: cfg.requestQueue,
        placeQueue: cfg.walls.placeQueue,
        maxUploadPixels: cfg.maxUploadPixels,
        rateLimit: cfg.uploadRateLimit,
        adminToken: cfg.adminToken,
      },
      wallViews,
      metrics,
    );
    wallEventRoutes(api, deps.walls.store, wallEvents);
    wallFileRoutes(api, deps.walls.store, wallViews, wallEvents);
    healthRoutes(api, deps, { bucket: cfg.bucketIn, queue: cfg.requestQueue }, metrics);
    openApiRoute(api);
    adminRoutes(
      api,
      {
        cache: deps.cache,
        queue: deps.queue,
        moderation: new Moderation(deps, cfg.gallery, () => gallery.forgetHidden()),
        mosaics,
        libraryStats: deps.libraryStats,
      },
      { token: cfg.adminToken, queues: cfg.queues },
    );
  });
  // Unknown API paths answer in the API's error shape; other paths are the pages' to answer.
  void app.register(
    async (api) =>
      api.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: 'NOT_FOUND', message: 'no such route' })),
    { prefix: '/api' },
  );
  void app.register(async (scope) =>
    registerPages(scope, cfg.pages, {
      adminOn: !!cfg.adminToken,
      demoLibrary: async () => (await deps.libraryStats?.())?.demoOnly ?? false,
      wall: async (id) => {
        const wall = await deps.walls.store.get(id);
        return wall && wallViews.summary(wall);
      },
    }),
  );
  return app;
}

const sizeText = (bytes: number) =>
  bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${Math.round(bytes / 1024)} KiB`;

/** Where a browser gets an object: the store's own URL, else the app's /files route. */
export const urlFor =
  (storage: Storage, siteUrl = '') =>
  async (bucket: string, key: string): Promise<string> =>
    (await storage.url(bucket, key)) ??
    `${siteUrl}/files/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
