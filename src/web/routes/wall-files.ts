import type { FastifyInstance } from 'fastify';
import { dziXml, screenPyramid } from '../../core/wall/pyramid.js';
import type { WallStore } from '../../services/wall-store.js';
import type { WallEvents } from '../wall-events.js';
import type { WallViews } from '../wall-views.js';
import { errors } from './schemas.js';

const FOREVER = 'public, max-age=31536000, immutable';
const TILE = /^(\d{1,6})_(\d{1,6})\.jpg$/;
const PHOTO = /^[\w-]{1,128}$/;

const notFound = { error: 'NOT_FOUND', message: 'no such image' } as const;
const image = { 200: { type: 'string', format: 'binary', description: 'a JPEG' }, ...errors };

/**
 * The live screen's Deep Zoom image and the photos on a wall. Tiles change as photos arrive, so
 * screens ask for them with `?v=<seq>`, the log entry that last changed the tile: such an answer
 * is the same for good and may be cached so, once the placer has drawn that entry (asked for
 * before that, the answer waits a moment for it). Without `v` a tile is never cached.
 */
export function wallFileRoutes(app: FastifyInstance, store: WallStore, views: WallViews, events: WallEvents): void {
  app.get<{ Params: { id: string } }>(
    '/walls/:id/screen.dzi',
    {
      schema: {
        summary: "The live screen's Deep Zoom descriptor (tiles of 256 px, no overlap, JPEG)",
        produces: ['application/xml'],
        response: { 200: { type: 'string' }, ...errors },
      },
    },
    async (req, reply) => {
      const wall = await store.require(req.params.id);
      return reply
        .type('application/xml; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(dziXml(screenPyramid(wall.cols, wall.rows, wall.screenCellPx)));
    },
  );

  app.get<{ Params: { id: string; level: string; file: string }; Querystring: { v?: string } }>(
    '/walls/:id/screen_files/:level/:file',
    {
      schema: {
        summary: "A tile of the live screen (`<x>_<y>.jpg`); `?v=<seq>` of the tile's last change",
        produces: ['image/jpeg'],
        response: image,
      },
    },
    async (req, reply) => {
      const at = TILE.exec(req.params.file);
      if (!at || !/^\d{1,2}$/.test(req.params.level)) return reply.status(404).send(notFound);
      const wall = await store.require(req.params.id);
      const screen = views.screen(wall);
      const v = /^\d{1,15}$/.test(req.query.v ?? '') ? Number(req.query.v) : undefined;
      // Read only once the version is drawn, so what is cached for good is never older than it says.
      const lasting = v !== undefined && (await events.drawn(wall.id, v));
      const bytes = await (await screen).tile({ level: Number(req.params.level), x: Number(at[1]), y: Number(at[2]) });
      if (!bytes) return reply.status(404).send(notFound);
      return reply
        .type('image/jpeg')
        .header('cache-control', lasting ? FOREVER : 'no-cache')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.get<{ Params: { id: string; photo: string } }>(
    '/walls/:id/photos/:photo.jpg',
    {
      schema: {
        summary: 'A photo on a wall, cropped square; only while it is on the wall',
        produces: ['image/jpeg'],
        response: image,
      },
    },
    async (req, reply) => {
      const wall = await store.require(req.params.id);
      const photo = req.params.photo;
      if (!PHOTO.test(photo)) return reply.status(404).send(notFound);
      const outcome = (await views.board(wall)).outcomes.get(photo);
      // A photo removed by moderation is not shown anywhere any more.
      const bytes = outcome && 'cell' in outcome ? await store.bytes(wall.id, `photos/${photo}.jpg`) : undefined;
      if (!bytes) return reply.status(404).send(notFound);
      return reply
        .type('image/jpeg')
        .header('cache-control', 'public, max-age=300')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
