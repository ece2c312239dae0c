import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cache, Queue } from '../ports.js';
import { listWorkers } from '../services/heartbeat.js';
import type { Moderation } from '../services/moderation.js';
import type { RequestStatus } from '../services/requests.js';
import { ADMIN_OFF } from './shared/api-types.js';
import { errors, errorSchema, idParams, requestStatusSchema } from './routes/schemas.js';

export type LibraryStats = {
  tiles: number;
  tileSize: number;
  addedLast24h: number;
  updatedAt: string;
  /** Only the generated demo tiles: no photo has been added yet. */
  demoOnly?: boolean;
};

export type AdminDeps = {
  cache: Cache;
  queue: Queue;
  moderation: Moderation;
  mosaics: () => Promise<number>;
  libraryStats?: () => Promise<LibraryStats | undefined>;
};
export type AdminConfig = { token?: string; queues: string[] };

/** Dead letters read per queue (queues give the oldest first); the last few are shown. */
const DEAD_READ = 100;
const RECENT_DEAD = 20;
const RECENT_FAILED = 50;
const FINAL = new Set(['done', 'failed']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time: hashing first makes the lengths equal too. */
export const tokenMatches = (given: string, token: string): boolean => timingSafeEqual(digest(given), digest(token));

const bearer = (req: FastifyRequest) => /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];

/** Every request status the cache still holds (a day's worth), newest first. */
async function recentRequests(cache: Cache): Promise<RequestStatus[]> {
  const keys = await cache.keys('mosaic:request:');
  const values = await Promise.all(keys.map((k) => cache.get(k).catch(() => undefined)));
  return values
    .flatMap((v) => (v ? [JSON.parse(v) as RequestStatus] : []))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

const nullableInt = { type: ['integer', 'null'] } as const;
const overviewSchema = {
  type: 'object',
  required: ['queues', 'workers', 'inflight', 'failures', 'library', 'mosaics'],
  properties: {
    queues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'depth', 'dead'],
        properties: { name: { type: 'string' }, depth: nullableInt, dead: nullableInt },
      },
    },
    workers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'host', 'pid', 'since', 'seen'],
        properties: {
          role: { type: 'string' },
          host: { type: 'string' },
          pid: { type: 'integer' },
          since: { type: 'string', format: 'date-time' },
          seen: { type: 'string', format: 'date-time' },
        },
      },
    },
    inflight: { type: 'array', items: requestStatusSchema },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['reason', 'queue'],
        properties: {
          id: { type: 'string' },
          reason: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          queue: { type: 'string', description: 'the queue of a dead letter, or "requests" for a failed request' },
        },
      },
    },
    library: {
      type: ['object', 'null'],
      required: ['tiles', 'tileSize', 'addedLast24h', 'updatedAt'],
      properties: {
        tiles: { type: 'integer' },
        tileSize: { type: 'integer' },
        addedLast24h: { type: 'integer' },
        updatedAt: { type: 'string' },
        demoOnly: { type: 'boolean' },
      },
    },
    mosaics: { type: 'integer' },
  },
} as const;

/** What every operator route says about its security in the OpenAPI document. */
export const secured = { security: [{ admin: [] }], tags: ['admin'] };

/**
 * The hook that guards operator routes: only a `Bearer` token equal to ADMIN_TOKEN passes;
 * without one configured the routes are off (403).
 */
export const adminOnly =
  (token: string | undefined) =>
  async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!token)
      return reply
        .status(403)
        .send({ error: ADMIN_OFF, message: 'the operator API is off: no ADMIN_TOKEN is configured' });
    const given = bearer(req);
    if (!given || !tokenMatches(given, token))
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'UNAUTHORIZED', message: 'send Authorization: Bearer <the admin token>' });
    return undefined;
  };

/**
 * The operator API under `/api/admin/`: an overview of the pipeline and moderation. It answers
 * only a `Bearer` token equal to ADMIN_TOKEN; without one configured it is off (403).
 */
export function adminRoutes(app: FastifyInstance, deps: AdminDeps, cfg: AdminConfig): void {
  void app.register(async (admin) => {
    admin.addHook('onRequest', adminOnly(cfg.token));

    admin.get(
      '/api/admin/overview',
      {
        schema: {
          ...secured,
          summary: 'Queues, workers, requests in flight, failures, library',
          response: { 200: overviewSchema, ...errors },
        },
      },
      async () => {
        const [queues, workers, requests, library, mosaics] = await Promise.all([
          Promise.all(
            cfg.queues.map(async (name) => {
              const [depth, dead] = await Promise.all([
                deps.queue.depth(name).catch(() => null),
                deps.queue.deadLetters(name, DEAD_READ).catch(() => null),
              ]);
              return { name, depth, dead, deadCount: dead?.length ?? null };
            }),
          ),
          listWorkers(deps.cache).catch(() => []),
          recentRequests(deps.cache).catch(() => []),
          deps.libraryStats?.().catch(() => undefined),
          deps.mosaics().catch(() => 0),
        ]);
        const failed = requests
          .filter((s) => s.state === 'failed')
          .slice(0, RECENT_FAILED)
          .map((s) => ({ id: s.id, reason: s.reason ?? 'unknown', at: s.updatedAt, queue: 'requests' }));
        const dead = queues.flatMap((q) =>
          (q.dead ?? []).slice(-RECENT_DEAD).map((d) => {
            const id = (d.message as { id?: unknown } | null)?.id;
            return { ...(typeof id === 'string' ? { id } : {}), reason: d.reason, queue: q.name };
          }),
        );
        return {
          queues: queues.map((q) => ({ name: q.name, depth: q.depth, dead: q.deadCount })),
          workers,
          inflight: requests.filter((s) => !FINAL.has(s.state)),
          failures: [...failed, ...dead],
          library: library ?? null,
          mosaics,
        };
      },
    );

    const action = (summary: string, run: (id: string) => Promise<boolean>) => ({
      schema: {
        ...secured,
        summary,
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'ok'],
            properties: { id: { type: 'string' }, ok: { type: 'boolean' } },
          },
          404: errorSchema,
          ...errors,
        },
      },
      handler: async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) =>
        (await run(req.params.id))
          ? { id: req.params.id, ok: true }
          : reply.status(404).send({ error: 'NOT_FOUND', message: 'no such mosaic' }),
    });
    admin.post(
      '/api/admin/mosaics/:id/hide',
      action('Hide a mosaic everywhere', (id) => deps.moderation.hide(id)),
    );
    admin.post(
      '/api/admin/mosaics/:id/unhide',
      action('Show a hidden mosaic again', (id) => deps.moderation.unhide(id)),
    );
    admin.delete(
      '/api/admin/mosaics/:id',
      action('Delete a mosaic: image, thumbnail and Deep Zoom pyramid', (id) => deps.moderation.remove(id)),
    );
  });
}
