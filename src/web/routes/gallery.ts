import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cache, Storage } from '../../ports.js';
import {
  entryKey,
  hiddenIds,
  mosaicView,
  originalEntry,
  readGalleryJson,
  type GalleryCacheConfig,
  type MosaicEntry,
  type MosaicList,
  type MosaicView,
} from '../../services/gallery-cache.js';
import { errors, errorSchema, idParams, mosaicViewSchema, originalEntrySchema } from './schemas.js';

type Parsed = { json: string; list: MosaicList; pages: Map<string, string> };
type Encoding = 'br' | 'gzip' | 'identity';
type Encoded = Record<Encoding, Buffer>;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
// Quality 5 is about as small as brotli gets on this JSON (under half of gzip) at a small cost.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };
const MAX_PAGES_KEPT = 64;
const HIDDEN_TTL_MS = 5000;

/**
 * Reads the gallery from the cache for the routes. The parsed list and the pages built from it are
 * kept while the cached text stays the same, so a busy gallery parses `mosaic:all` once per change.
 */
export class GalleryReader {
  private parsed?: Parsed;
  private encoded?: { json: string; bodies: Promise<Encoded> };
  private pending?: Promise<string>;
  private hidden?: { at: number; ids: Promise<Set<string>> };

  constructor(
    private readonly deps: { storage: Storage; cache: Cache },
    readonly cfg: GalleryCacheConfig,
  ) {}

  /** The original's list as JSON text; concurrent callers share one read. */
  json(): Promise<string> {
    this.pending ??= readGalleryJson(this.deps, this.cfg).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /**
   * The original's list as bytes, plain and compressed (off the main thread), once per change:
   * the whole gallery is a few hundred KiB, and a booth's pages fetch it often.
   */
  async original(): Promise<Encoded> {
    const json = await this.json();
    if (this.encoded?.json !== json) {
      const identity = Buffer.from(originalJson(json));
      const bodies = Promise.all([gzipAsync(identity), brotliAsync(identity, BROTLI)]).then(([gz, br]) => ({
        identity,
        gzip: gz,
        br,
      }));
      this.encoded = { json, bodies };
    }
    return this.encoded.bodies;
  }

  async list(): Promise<Parsed> {
    const json = await this.json();
    if (this.parsed?.json !== json) this.parsed = { json, list: JSON.parse(json) as MosaicList, pages: new Map() };
    return this.parsed;
  }

  /** One page of `/api/mosaics` as JSON text. */
  async page(page: number, perPage: number): Promise<string> {
    const p = await this.list();
    const key = `${page}/${perPage}`;
    let text = p.pages.get(key);
    if (text === undefined) {
      const total = p.list.mosaics.length;
      const mosaics = p.list.mosaics.slice((page - 1) * perPage, page * perPage).map((m) => this.view(m));
      text = JSON.stringify({ mosaics, page, per_page: perPage, total, pages: Math.ceil(total / perPage) });
      if (p.pages.size >= MAX_PAGES_KEPT) p.pages.clear();
      p.pages.set(key, text);
    }
    return text;
  }

  /** One mosaic: its own cache key, else the list (which storage backs when the cache is away). */
  async entry(id: string): Promise<MosaicEntry | undefined> {
    const cached = await this.deps.cache.get(entryKey(id)).catch(() => undefined);
    if (cached) return JSON.parse(cached) as MosaicEntry;
    return (await this.list()).list.mosaics.find((m) => m.id === id);
  }

  /** Whether `id` is hidden, from a copy of the marks in storage at most {@link HIDDEN_TTL_MS} old. */
  async isHidden(id: string): Promise<boolean> {
    if (!this.hidden || Date.now() - this.hidden.at > HIDDEN_TTL_MS)
      this.hidden = { at: Date.now(), ids: hiddenIds(this.deps.storage, this.cfg).catch(() => new Set<string>()) };
    return (await this.hidden.ids).has(id);
  }

  /** After a moderation action here: the next check reads the marks again. */
  forgetHidden(): void {
    this.hidden = undefined;
  }

  view(entry: MosaicEntry): MosaicView {
    return mosaicView(entry, this.cfg);
  }
}

/** The list as the original's `/mosaic/` shows it: without the keys only our own API has. */
function originalJson(json: string): string {
  if (!json.includes('"url_card"')) return json;
  const list = JSON.parse(json) as MosaicList;
  return JSON.stringify({ ...list, mosaics: list.mosaics.map(originalEntry) });
}

const notFound = { error: 'NOT_FOUND', message: 'no such mosaic' };
const JSON_TYPE = 'application/json; charset=utf-8';

/** The smallest encoding the client takes (one it has not refused with q=0). */
function pickEncoding(req: FastifyRequest): Encoding {
  const taken = new Set<string>();
  for (const part of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) taken.add(coding);
  }
  return taken.has('br') ? 'br' : taken.has('gzip') || taken.has('*') ? 'gzip' : 'identity';
}

/**
 * What another origin's page may read and embed: the original's front end runs on its own origin
 * and loads the list and the images from here. Public data only; our own pages keep same-origin.
 */
const shared = (reply: FastifyReply) =>
  reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');

/** The original's ids were object names (`123456.jpg`); its links and readers still use them. */
const ORIGINAL_ID = { ...idParams, properties: { id: { type: 'string', pattern: '^[\\w-]{1,128}(\\.jpe?g)?$' } } };
const bareId = (id: string) => id.replace(/\.jpe?g$/, '');

/** The gallery: the original's `/mosaic/` routes, the paged API, and the output files. */
export function galleryRoutes(app: FastifyInstance, gallery: GalleryReader, storage: Storage): void {
  // The original's Django redirected these to the slashed form; its readers follow redirects.
  const toSlash = (req: FastifyRequest, reply: FastifyReply) => {
    const [pathPart, query] = req.url.split('?');
    return shared(reply).redirect(`${pathPart}/${query === undefined ? '' : `?${query}`}`, 301);
  };
  app.get('/mosaic', { schema: { hide: true } }, toSlash);
  app.get('/mosaic/:id', { schema: { hide: true, params: ORIGINAL_ID } }, toSlash);

  app.get(
    '/mosaic/',
    {
      schema: {
        summary: "Every mosaic, newest first (the original's shape)",
        response: {
          200: {
            type: 'object',
            required: ['mosaics', 'size'],
            properties: { mosaics: { type: 'array', items: originalEntrySchema }, size: { type: 'integer' } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const bodies = await gallery.original();
      const encoding = pickEncoding(req);
      shared(reply).type(JSON_TYPE).header('vary', 'accept-encoding');
      if (encoding !== 'identity') reply.header('content-encoding', encoding);
      return reply.send(bodies[encoding]);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/mosaic/:id/',
    {
      schema: {
        summary: "One mosaic (the original's shape); the id with or without the original's `.jpg`",
        params: ORIGINAL_ID,
        response: { 200: originalEntrySchema, ...errors },
      },
    },
    async (req, reply) => {
      const entry = await gallery.entry(bareId(req.params.id));
      shared(reply);
      return entry
        ? reply.type(JSON_TYPE).send(JSON.stringify(originalEntry(entry)))
        : reply.status(404).send(notFound);
    },
  );

  app.get<{ Querystring: { page: number; per_page: number } }>(
    '/api/mosaics',
    {
      schema: {
        summary: 'A page of mosaics, newest first',
        querystring: {
          type: 'object',
          properties: {
            page: { type: 'integer', minimum: 1, default: 1 },
            per_page: { type: 'integer', minimum: 1, maximum: 100, default: 12 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['mosaics', 'page', 'per_page', 'total', 'pages'],
            properties: {
              mosaics: { type: 'array', items: mosaicViewSchema },
              page: { type: 'integer' },
              per_page: { type: 'integer' },
              total: { type: 'integer' },
              pages: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => reply.type(JSON_TYPE).send(await gallery.page(req.query.page, req.query.per_page)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/mosaics/:id',
    { schema: { summary: 'One mosaic', params: idParams, response: { 200: mosaicViewSchema, ...errors } } },
    async (req, reply) => {
      const entry = await gallery.entry(req.params.id);
      return entry ? gallery.view(entry) : reply.status(404).send(notFound);
    },
  );

  // Output files, for stores without URLs of their own, and every Deep Zoom pyramid: the viewer
  // derives tile URLs from the .dzi URL, which per-object presigned URLs cannot follow.
  const { outLarge, outSmall } = gallery.cfg.buckets;
  const served = new Set([outLarge, outSmall]);
  app.get<{ Params: { bucket: string; '*': string } }>(
    '/files/:bucket/*',
    {
      schema: {
        summary: 'An output file: image, thumbnail, Deep Zoom descriptor or tile',
        params: {
          type: 'object',
          required: ['bucket', '*'],
          properties: { bucket: { type: 'string' }, '*': { type: 'string' } },
        },
        response: { 200: { type: 'string', format: 'binary' }, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const key = req.params['*'];
      const fail = () => reply.status(404).send({ error: 'NOT_FOUND', message: 'no such file' });
      if (!served.has(req.params.bucket) || !key || key.split('/').includes('..')) return fail();
      // `<id>.jpg`, `<id>_preview.jpg`, `<id>_card.jpg`, `<id>.dzi`, `<id>_files/…`: a hidden mosaic's files are not served either.
      if (await gallery.isHidden(key.split('/')[0].replace(/(_files|_(preview|card)\.\w+|\.\w+)$/, ''))) return fail();
      const body = await storage.get(req.params.bucket, key).catch(() => undefined);
      if (!body) return fail();
      const type = key.endsWith('.dzi') ? 'application/xml' : key.endsWith('.json') ? 'application/json' : 'image/jpeg';
      return shared(reply).type(type).header('cache-control', 'public, max-age=86400').send(Buffer.from(body));
    },
  );
}
