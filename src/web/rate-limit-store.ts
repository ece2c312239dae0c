import type { Cache } from '../ports.js';

type Counted = { current: number; ttl: number };
type Callback = (err: Error | null, res?: Counted) => void;

/**
 * A store for @fastify/rate-limit over the Cache port: with Redis, every web process behind a
 * load balancer counts a client's uploads together (each process counting alone would let a
 * client through once per process); embedded, the memory cache counts. When the cache is away the
 * plugin's `skipOnError` lets requests through rather than refusing everyone.
 */
export function cacheRateLimitStore(cache: Cache, prefix = 'mosaic:ratelimit:') {
  return class CacheRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number): void {
      cache.increment(prefix + key, timeWindow).then(
        ({ count, ttlMs }) => cb(null, { current: count, ttl: ttlMs }),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(): CacheRateLimitStore {
      return this;
    }
  };
}
