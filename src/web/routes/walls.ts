import type { FastifyInstance } from 'fastify';
import { PermanentError } from '../../core/errors.js';
import { parseLabel } from '../../core/wall/labels.js';
import type { Imaging, Queue, Storage, WallImaging } from '../../ports.js';
import type { RequestStatuses } from '../../services/requests.js';
import type { WallCommand } from '../../services/wall-place-stage.js';
import type { WallStore } from '../../services/wall-store.js';
import { closeWall, createWall, submitToWall, type NewWall } from '../../services/walls.js';
import type { Placement } from '../../shapes/wall.js';
import { adminOnly, secured } from '../admin.js';
import type { WebMetrics } from '../metrics.js';
import type { WallViews } from '../wall-views.js';
import { MAX_NAME_LENGTH, readUpload } from './requests.js';
import { errors } from './schemas.js';
import { wallPrintRoutes } from './wall-prints.js';
import { placementSchema, wallDefSchema, wallDetailSchema, wallParams, wallSummarySchema } from './wall-schemas.js';

export type WallRouteDeps = {
  store: WallStore;
  imaging: WallImaging;
  storage: Storage;
  queue: Queue;
  statuses: RequestStatuses;
  /** The upload checks of the gallery's own uploads. */
  photos: Pick<Imaging, 'photoSize'>;
};
export type WallRouteConfig = {
  bucketIn: string;
  requestQueue: string;
  /** Moderation and state changes go through the placement queue, in order with the placements. */
  placeQueue: string;
  maxUploadPixels: number;
  /** Uploads per client address per minute. */
  rateLimit: number;
  adminToken?: string;
};

/** Search answers and recent lists are kept short: a screen highlights a few cells, not thousands. */
const MAX_FOUND = 50;
const DEFAULT_RECENT = 20;
const str = { type: 'string' } as const;

/**
 * The walls' JSON API: the walls and their cells, search, photos sent to a wall, and (operators)
 * creating, closing and moderating. The live stream is in wall-events.ts, the screen's images in
 * wall-files.ts.
 */
export function wallRoutes(
  app: FastifyInstance,
  deps: WallRouteDeps,
  cfg: WallRouteConfig,
  views: WallViews,
  metrics: WebMetrics,
): void {
  app.get(
    '/api/walls',
    {
      schema: {
        summary: 'Every wall, oldest first, with its counts',
        response: { 200: { type: 'array', items: wallSummarySchema }, ...errors },
      },
    },
    async () => Promise.all((await deps.store.list()).map((w) => views.summary(w))),
  );

  app.get<{ Params: { id: string } }>(
    '/api/walls/:id',
    {
      schema: {
        summary: 'A wall with every placed photo, for a screen to start from',
        params: wallParams,
        response: { 200: wallDetailSchema, ...errors },
      },
    },
    async (req) => {
      const wall = await deps.store.require(req.params.id);
      const board = await views.board(wall);
      const freed: { cell: number; seq: number }[] = [];
      for (const o of board.outcomes.values()) if ('removed' in o) freed.push({ cell: o.removed, seq: o.seq });
      return {
        ...(await views.summary(wall)),
        cells: board.placements().map((p) => ({ ...p, seq: board.outcomes.get(p.photo)?.seq ?? board.seq })),
        freed,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/api/walls/:id/recent',
    {
      schema: {
        summary: 'The photos placed last on a wall, newest first',
        params: wallParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_FOUND, default: DEFAULT_RECENT } },
        },
        response: { 200: { type: 'array', items: placementSchema }, ...errors },
      },
    },
    async (req) => {
      const wall = await deps.store.require(req.params.id);
      const board = await views.board(wall);
      const seqOf = (p: Placement) => board.outcomes.get(p.photo)?.seq ?? 0;
      return board
        .placements()
        .map((p) => ({ ...p, seq: seqOf(p) }))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, req.query.limit ?? DEFAULT_RECENT);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { q?: string } }>(
    '/api/walls/:id/search',
    {
      schema: {
        summary: 'Photos on a wall whose name contains `q` (any case), or in the cell `q` names (e.g. C-14)',
        params: wallParams,
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 100 } } },
        response: { 200: { type: 'array', items: placementSchema }, ...errors },
      },
    },
    async (req) => {
      const wall = await deps.store.require(req.params.id);
      const q = (req.query.q ?? '').trim();
      if (!q) return [];
      const board = await views.board(wall);
      const found: Placement[] = [];
      const cell = parseLabel(q, wall.cols, wall.rows);
      const inCell = cell === undefined ? undefined : board.cells[cell];
      if (inCell) found.push(inCell);
      // People type handles with or without the @.
      const needle = q.replace(/^@+/, '').toLocaleLowerCase();
      if (needle)
        for (const p of board.placements()) {
          if (found.length >= MAX_FOUND) break;
          if (p !== inCell && p.name?.toLocaleLowerCase().includes(needle)) found.push(p);
        }
      return found;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/walls/:id/photos',
    {
      config: {
        rateLimit: { max: cfg.rateLimit, timeWindow: 60_000 },
        multipartBody: {
          type: 'object',
          required: ['photo'],
          properties: {
            photo: { type: 'string', format: 'binary', description: 'the photo (JPEG, PNG, WebP, …)' },
            name: {
              type: 'string',
              maxLength: MAX_NAME_LENGTH,
              description: 'a name or handle shown with the photo on the wall',
            },
          },
        },
      },
      schema: {
        summary: 'Send a photo to a wall (multipart: `photo`, optional `name`); it takes one cell',
        consumes: ['multipart/form-data'],
        params: wallParams,
        response: {
          202: {
            type: 'object',
            required: ['id', 'status', 'page'],
            properties: {
              id: str,
              status: { type: 'string', description: "where the photo's status is" },
              page: { type: 'string', description: 'the page that finds the photo on the wall' },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      try {
        // Before the photo is even read: nothing is stored for a wall that cannot take it.
        const wall = await deps.store.require(req.params.id);
        if (wall.state === 'closed')
          throw new PermanentError('WALL_CLOSED', `the wall "${wall.title}" is closed: it takes no more photos`);
        const { photo, name } = await readUpload(req);
        if (!photo || photo.length === 0) {
          metrics.upload('refused');
          return reply
            .status(400)
            .send({ error: 'BAD_REQUEST', message: 'send the photo as the multipart field "photo"' });
        }
        const { id } = await submitToWall(
          { ...deps, imaging: deps.photos },
          { bucketIn: cfg.bucketIn, requestQueue: cfg.requestQueue, maxInputPixels: cfg.maxUploadPixels },
          { wall: wall.id, bytes: photo, name },
        );
        metrics.upload('accepted');
        return reply.status(202).send({
          id,
          status: `/api/requests/${id}`,
          page: `/walls/${wall.id}/photos/${id}`,
        });
      } catch (err) {
        metrics.upload('refused');
        throw err;
      }
    },
  );

  void app.register(async (admin) => {
    admin.addHook('onRequest', adminOnly(cfg.adminToken));
    operatorRoutes(admin, deps, cfg, views);
  });
}

/** Creating, closing and moderating walls, and their print queues: the operator's bearer token only. */
function operatorRoutes(app: FastifyInstance, deps: WallRouteDeps, cfg: WallRouteConfig, views: WallViews): void {
  wallPrintRoutes(app, deps.store, views);

  app.post(
    '/api/walls',
    {
      config: {
        multipartBody: {
          type: 'object',
          required: ['target', 'title', 'cols'],
          properties: {
            target: { type: 'string', format: 'binary', description: 'the picture the wall makes (an event logo)' },
            title: { type: 'string', maxLength: 120 },
            cols: { type: 'integer', minimum: 10, maximum: 300 },
            rows: { type: 'integer', description: "from the target's shape when not given" },
            tone: { type: 'number', minimum: 0, maximum: 1 },
            ghost: { type: 'number', minimum: 0, maximum: 1 },
            hashtag: { type: 'string', description: 'posts with it go to this wall' },
            tileInches: { type: 'number', description: 'printed size of one tile' },
            dpi: { type: 'number' },
          },
        },
      },
      schema: {
        ...secured,
        summary: 'Create a wall (multipart: `target` file and its settings)',
        consumes: ['multipart/form-data'],
        response: { 201: wallDefSchema, ...errors },
      },
    },
    async (req, reply) => {
      let target: Buffer | undefined;
      const fields: Record<string, string> = {};
      for await (const part of req.parts({ limits: { fields: 12, files: 1 } })) {
        if (part.type === 'file' && part.fieldname === 'target') target = await part.toBuffer();
        else if (part.type === 'file') await part.toBuffer();
        else fields[part.fieldname] = String(part.value);
      }
      if (!target || target.length === 0)
        return reply
          .status(400)
          .send({ error: 'BAD_REQUEST', message: 'send the target picture as the multipart field "target"' });
      // An empty field is an option not given; anything else must be a number (createWall says which).
      const num = (k: string) => (fields[k]?.trim() ? Number(fields[k]) : undefined);
      const wall: NewWall = {
        title: fields.title ?? '',
        target,
        cols: num('cols') ?? NaN,
        rows: num('rows'),
        tone: num('tone'),
        ghost: num('ghost'),
        hashtag: fields.hashtag,
        print: { tileInches: num('tileInches'), dpi: num('dpi') },
      };
      return reply.status(201).send(await createWall(deps, wall));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/walls/:id/close',
    {
      schema: {
        ...secured,
        summary: 'Close a wall: it takes no more photos (those on their way become gallery mosaics)',
        params: wallParams,
        response: { 200: wallDefSchema, ...errors },
      },
    },
    async (req) => {
      const wall = await closeWall(deps.store, req.params.id);
      // The placer logs the new state, so live screens hear of it in order with the photos.
      await deps.queue.send(cfg.placeQueue, { type: 'state', wall: wall.id } satisfies WallCommand);
      return wall;
    },
  );

  app.delete<{ Params: { id: string; cell: string }; Querystring: { photo?: string } }>(
    '/api/walls/:id/cells/:cell',
    {
      schema: {
        ...secured,
        summary:
          'Remove the photo from a cell (a number, or a label such as C-14); with `photo`, only if that photo is ' +
          'still there. The cell is freed in order with the placements',
        params: {
          type: 'object',
          required: ['id', 'cell'],
          properties: { id: str, cell: str },
        },
        querystring: { type: 'object', properties: { photo: { type: 'string', pattern: '^[\\w-]{1,128}$' } } },
        response: {
          202: {
            type: 'object',
            required: ['wall', 'cell', 'label', 'photo'],
            properties: { wall: str, cell: { type: 'integer' }, label: str, photo: str },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const wall = await deps.store.require(req.params.id);
      const raw = req.params.cell;
      const cell = /^\d{1,6}$/.test(raw) ? Number(raw) : parseLabel(raw, wall.cols, wall.rows);
      const board = await views.board(wall);
      const held = cell === undefined ? undefined : board.cells[cell];
      if (cell === undefined || !held)
        return reply.status(404).send({
          error: 'NOT_FOUND',
          message: `no photo is in cell ${JSON.stringify(raw.slice(0, 20))} of this wall`,
        });
      const photo = req.query.photo ?? held.photo;
      await deps.queue.send(cfg.placeQueue, { type: 'free', wall: wall.id, cell, photo } satisfies WallCommand);
      return reply.status(202).send({ wall: wall.id, cell, label: held.label, photo });
    },
  );
}
