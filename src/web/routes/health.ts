import type { FastifyInstance } from 'fastify';
import type { Cache, Queue, Storage } from '../../ports.js';
import type { WebMetrics } from '../metrics.js';

type Deps = { storage: Storage; queue: Queue; cache: Cache };
const CHECK_TIMEOUT_MS = 3000;

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const checkResult = { type: 'string', description: '"ok", or why the check failed' } as const;
const readySchema = {
  type: 'object',
  required: ['ok', 'checks'],
  properties: {
    ok: { type: 'boolean' },
    checks: {
      type: 'object',
      required: ['storage', 'queue', 'cache'],
      properties: { storage: checkResult, queue: checkResult, cache: checkResult },
    },
  },
} as const;

/** Liveness, readiness (each dependency reachable) and Prometheus metrics. */
export function healthRoutes(
  app: FastifyInstance,
  deps: Deps,
  probe: { bucket: string; queue: string },
  metrics: WebMetrics,
): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'The process is alive',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      },
    },
    async () => ({ ok: true }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Storage, queue and cache are reachable (503 names the one that is not)',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_req, reply) => {
      const checks: Record<string, () => Promise<unknown>> = {
        storage: () => deps.storage.head(probe.bucket, 'readyz-probe'),
        queue: () => deps.queue.depth(probe.queue),
        cache: () => deps.cache.get('mosaic:readyz-probe'),
      };
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await within(check(), CHECK_TIMEOUT_MS);
            return [name, 'ok'];
          } catch (err) {
            return [name, err instanceof Error ? err.message : String(err)];
          }
        }),
      );
      const ok = results.every(([, r]) => r === 'ok');
      return reply.status(ok ? 200 : 503).send({ ok, checks: Object.fromEntries(results) });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()),
  );
}
