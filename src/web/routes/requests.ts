import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Imaging, Queue, Storage } from '../../ports.js';
import type { RequestStatus, RequestStatuses } from '../../services/requests.js';
import type { GalleryReader } from './gallery.js';
import type { WebMetrics } from '../metrics.js';
import { errors, idParams, requestStatusSchema } from './schemas.js';

export type UploadConfig = {
  bucketIn: string;
  requestQueue: string;
  maxUploadPixels: number;
  /** Uploads per client address per minute. */
  rateLimit: number;
};
type Deps = { storage: Storage; queue: Queue; statuses: RequestStatuses; imaging: Pick<Imaging, 'photoSize'> };

export const MAX_NAME_LENGTH = 64;

/**
 * A requester's name as given on the upload form: trimmed, without control or bidi-override
 * characters, without a leading `@`, at most {@link MAX_NAME_LENGTH} characters. Pages escape it
 * on output; this only keeps it one readable line.
 */
export function cleanName(raw: string): string | undefined {
  const name = raw
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .replace(/^@+/, '')
    .trim();
  return [...name].slice(0, MAX_NAME_LENGTH).join('').trim() || undefined;
}

/** Uploads become mosaic requests; a request's status is readable by its id. */
/** The `photo` file and `name` field of an upload form; other files are read and dropped. */
export async function readUpload(req: FastifyRequest): Promise<{ photo?: Buffer; name?: string }> {
  let photo: Buffer | undefined;
  let name: string | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'file' && part.fieldname === 'photo') photo = await part.toBuffer();
    else if (part.type === 'file') await part.toBuffer();
    else if (part.fieldname === 'name') name = cleanName(String(part.value));
  }
  return { photo, name };
}

export function requestRoutes(
  app: FastifyInstance,
  deps: Deps,
  cfg: UploadConfig,
  gallery: GalleryReader,
  metrics: WebMetrics,
): void {
  app.post(
    '/api/requests',
    {
      config: {
        rateLimit: { max: cfg.rateLimit, timeWindow: 60_000 },
        multipartBody: {
          type: 'object',
          required: ['photo'],
          properties: {
            photo: { type: 'string', format: 'binary', description: 'the photo (JPEG, PNG, WebP, …)' },
            name: { type: 'string', maxLength: MAX_NAME_LENGTH, description: 'who asks; shown with the mosaic' },
          },
        },
      },
      schema: {
        summary: 'Ask for a mosaic of a photo (multipart: `photo`, optional `name`)',
        consumes: ['multipart/form-data'],
        response: {
          202: {
            type: 'object',
            required: ['id', 'status'],
            properties: { id: { type: 'string' }, status: { type: 'string', description: 'where the status is' } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        const { photo, name } = await readUpload(req);
        if (!photo || photo.length === 0) {
          metrics.upload('refused');
          return reply
            .status(400)
            .send({ error: 'BAD_REQUEST', message: 'send the photo as the multipart field "photo"' });
        }
        await deps.imaging.photoSize(photo, { maxInputPixels: cfg.maxUploadPixels });
        const id = randomUUID().replaceAll('-', '').slice(0, 20);
        const key = `${id}.jpg`;
        await deps.storage.put(cfg.bucketIn, key, photo, { metadata: name ? { username: name } : undefined });
        await deps.statuses.set(id, { state: 'queued', username: name });
        await deps.queue.send(cfg.requestQueue, { id, username: name, key });
        metrics.upload('accepted');
        return reply.status(202).send({ id, status: `/api/requests/${id}` });
      } catch (err) {
        metrics.upload('refused');
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/requests/:id',
    {
      schema: {
        summary: "A request's progress; with its mosaic once done",
        params: idParams,
        response: { 200: requestStatusSchema, ...errors },
      },
    },
    async (req, reply) => {
      const s = await deps.statuses.get(req.params.id);
      if (!s) return reply.status(404).send({ error: 'NOT_FOUND', message: 'no such request' });
      return withMosaic(s, gallery);
    },
  );
}

/** A done request carries its mosaic, so a page can show it without another call. */
export async function withMosaic(
  s: RequestStatus,
  gallery: GalleryReader,
): Promise<RequestStatus & { mosaic?: ReturnType<GalleryReader['view']> }> {
  if (s.state !== 'done') return s;
  const entry = await gallery.entry(s.id).catch(() => undefined);
  return entry ? { ...s, mosaic: gallery.view(entry) } : s;
}
