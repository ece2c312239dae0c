import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { MosaicError } from '../core/errors.js';
import type { Cache, Imaging, Queue, Storage } from '../ports.js';
import { entryKey, readGallery, type GalleryCacheConfig, type MosaicEntry } from '../services/gallery-cache.js';
import type { RequestStatuses } from '../services/requests.js';
import { registerPages, type PagesConfig } from './pages.js';

export type WebDeps = {
  storage: Storage;
  queue: Queue;
  cache: Cache;
  statuses: RequestStatuses;
  imaging: Pick<Imaging, 'photoSize'>;
};
export type WebConfig = {
  gallery: GalleryCacheConfig;
  bucketIn: string;
  requestQueue: string;
  maxUploadBytes: number;
  pages: PagesConfig;
};

const STATUS: Partial<Record<MosaicError['code'], number>> = {
  UNREADABLE_IMAGE: 415,
  IMAGE_TOO_LARGE: 413,
  INVALID_OPTION: 400,
  INVALID_MESSAGE: 400,
};

/**
 * The HTTP API: the original's `GET /mosaic/` and `GET /mosaic/<id>/`, uploads as mosaic
 * requests, request status by id, and the output files when storage has no URLs of its own.
 */
export function buildApp(deps: WebDeps, cfg: WebConfig): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  void app.register(multipart, { limits: { fileSize: cfg.maxUploadBytes, files: 1, fields: 5 } });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof MosaicError)
      return reply.status(STATUS[err.code] ?? 500).send({ error: err.code, message: err.message });
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE')
      return reply
        .status(413)
        .send({ error: 'IMAGE_TOO_LARGE', message: `photos up to ${Math.round(cfg.maxUploadBytes / 2 ** 20)} MiB` });
    if (e.statusCode && e.statusCode < 500)
      return reply.status(e.statusCode).send({ error: e.code ?? 'BAD_REQUEST', message: e.message });
    return reply.status(500).send({ error: 'INTERNAL', message: 'something went wrong' });
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/mosaic/', async () => readGallery(deps, cfg.gallery));

  app.get<{ Params: { id: string } }>('/mosaic/:id/', async (req, reply) => {
    const cached = await deps.cache.get(entryKey(req.params.id)).catch(() => undefined);
    if (cached) return JSON.parse(cached) as MosaicEntry;
    const found = (await readGallery(deps, cfg.gallery)).mosaics.find((m) => m.id === req.params.id);
    return found ?? reply.status(404).send({ error: 'NOT_FOUND', message: 'no such mosaic' });
  });

  app.post('/api/requests', async (req, reply) => {
    let photo: Buffer | undefined;
    let name: string | undefined;
    for await (const part of req.parts()) {
      if (part.type === 'file' && part.fieldname === 'photo') photo = await part.toBuffer();
      else if (part.type === 'field' && part.fieldname === 'name')
        name = String(part.value).trim().replace(/^@/, '').slice(0, 64) || undefined;
    }
    if (!photo || photo.length === 0)
      return reply.status(400).send({ error: 'BAD_REQUEST', message: 'send the photo as the multipart field "photo"' });
    await deps.imaging.photoSize(photo);
    const id = randomUUID().replaceAll('-', '').slice(0, 20);
    const key = `${id}.jpg`;
    await deps.storage.put(cfg.bucketIn, key, photo, { metadata: name ? { username: name } : undefined });
    await deps.statuses.set(id, { state: 'queued', username: name });
    await deps.queue.send(cfg.requestQueue, { id, username: name, key });
    return reply.status(202).send({ id, status: `/api/requests/${id}` });
  });

  app.get<{ Params: { id: string } }>('/api/requests/:id', async (req, reply) => {
    if (!/^[\w-]{1,128}$/.test(req.params.id))
      return reply.status(404).send({ error: 'NOT_FOUND', message: 'no such request' });
    const s = await deps.statuses.get(req.params.id);
    return s ?? reply.status(404).send({ error: 'NOT_FOUND', message: 'no such request' });
  });

  // Output files, for stores without URLs of their own (the disk store of the embedded mode).
  const served = new Set([cfg.gallery.buckets.outLarge, cfg.gallery.buckets.outSmall]);
  app.get<{ Params: { bucket: string; '*': string } }>('/files/:bucket/*', async (req, reply) => {
    const key = req.params['*'];
    if (!served.has(req.params.bucket) || !key)
      return reply.status(404).send({ error: 'NOT_FOUND', message: 'no such file' });
    const body = await deps.storage.get(req.params.bucket, key).catch(() => undefined);
    if (!body) return reply.status(404).send({ error: 'NOT_FOUND', message: 'no such file' });
    const type = key.endsWith('.dzi') ? 'application/xml' : key.endsWith('.json') ? 'application/json' : 'image/jpeg';
    return reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(Buffer.from(body));
  });

  void app.register(async (scope) => registerPages(scope, cfg.pages));
  return app;
}

/** Where a browser gets an object: the store's own URL, else the app's /files route. */
export const urlFor =
  (storage: Storage) =>
  async (bucket: string, key: string): Promise<string> =>
    (await storage.url(bucket, key)) ?? `/files/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
