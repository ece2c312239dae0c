import type { FastifyInstance } from 'fastify';
import { PermanentError } from '../../core/errors.js';
import { markPrint, printQueue, type PrintJob } from '../../services/wall-print-stage.js';
import type { WallStore } from '../../services/wall-store.js';
import type { WallViews } from '../wall-views.js';
import { secured } from '../admin.js';
import { errors } from './schemas.js';
import { printJobSchema, printParams, printQueueSchema, wallParams } from './wall-schemas.js';

type PrintState = 'unprinted' | 'printed' | 'all';
type Params = { id: string; photo: string };

const noPrints = (photo: string) =>
  new PermanentError('WALL_NOT_FOUND', `photo ${JSON.stringify(photo.slice(0, 40))} has no prints on this wall`);

const image = { 200: { type: 'string', format: 'binary', description: 'a JPEG' }, ...errors };

/**
 * A wall's print queue for the operator (registered inside the walls' operator scope, so every
 * route takes the admin token): the stickers and take-home prints the print stage made, ticked
 * as printed and as stuck on the board, and their images.
 */
export function wallPrintRoutes(app: FastifyInstance, store: WallStore, views: WallViews): void {
  app.get<{ Params: { id: string }; Querystring: { state?: PrintState } }>(
    '/api/walls/:id/prints',
    {
      schema: {
        ...secured,
        summary: "A wall's print queue, oldest first, with its counts; `state` picks unprinted or printed jobs only",
        params: wallParams,
        querystring: {
          type: 'object',
          properties: { state: { type: 'string', enum: ['unprinted', 'printed', 'all'], default: 'all' } },
        },
        response: { 200: printQueueSchema, ...errors },
      },
    },
    async (req) => {
      const wall = await store.require(req.params.id);
      const [queue, board] = await Promise.all([printQueue(store, wall.id), views.board(wall)]);
      // A photo moderation took off the wall keeps its job (its sticker may be on the board already).
      const jobs: (PrintJob & { removed?: boolean })[] = queue.map((j) => {
        const o = board.outcomes.get(j.photo);
        return o && 'removed' in o ? { ...j, removed: true } : j;
      });
      const state = req.query.state ?? 'all';
      return {
        jobs: state === 'all' ? jobs : jobs.filter((j) => (state === 'printed') === !!j.printedAt),
        counts: {
          total: jobs.length,
          printed: jobs.filter((j) => j.printedAt).length,
          onBoard: jobs.filter((j) => j.onBoardAt).length,
        },
      };
    },
  );

  app.post<{ Params: Params; Body: { printed?: boolean; onBoard?: boolean } }>(
    '/api/walls/:id/prints/:photo',
    {
      schema: {
        ...secured,
        summary: 'Tick a print job as printed or stuck on the board, or untick it',
        params: printParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { printed: { type: 'boolean' }, onBoard: { type: 'boolean' } },
        },
        response: { 200: printJobSchema, ...errors },
      },
    },
    async (req) => {
      const wall = await store.require(req.params.id);
      return markPrint(store, wall.id, req.params.photo, req.body);
    },
  );

  for (const kind of ['sticker', 'takeaway'] as const)
    app.get<{ Params: Params }>(
      `/api/walls/:id/prints/:photo/${kind}.jpg`,
      {
        schema: {
          ...secured,
          summary:
            kind === 'sticker'
              ? "A print job's sticker, at the wall's tile size and dpi, with its label"
              : "A print job's take-home print (4×6 in at 300 dpi)",
          produces: ['image/jpeg'],
          params: printParams,
          response: image,
        },
      },
      async (req, reply) => {
        const wall = await store.require(req.params.id);
        const bytes = await store.bytes(wall.id, `prints/${req.params.photo}-${kind}.jpg`);
        if (!bytes) throw noPrints(req.params.photo);
        return reply
          .type('image/jpeg')
          .header('cache-control', 'private, no-cache')
          .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
    );
}
