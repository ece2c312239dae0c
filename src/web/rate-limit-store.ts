import type { Cache } from '../ports.js';

type Counted = { current: number; ttl: number };
type Callback = (err: Error | null, res?: Counted) => void;

/** How long an upload waits for the count before going ahead without it. */
const COUNT_TIMEOUT_MS = 250;

/**
 * A store for @fastify/rate-limit over the Cache port: with Redis, every web process behind a
 * load balancer counts a client's uploads together (each process counting alone would let a
 * client through once per process); embedded, the memory cache counts. When the cache is away, or
 * slow to answer (a Redis client retries for seconds), the plugin's `skipOnError` lets the request
 * through rather than refusing everyone or making them wait. Each route counts on its own.
 */
export function cacheRateLimitStore(cache: Cache, prefix = 'mosaic:ratelimit:') {
  return class CacheRateLimitStore {
    // The plugin constructs the store with its options; `child` gives each route its own keys.
    constructor(
      _options?: unknown,
      readonly keyPrefix = prefix,
    ) {}

    incr(key: string, cb: Callback, timeWindow: number): void {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the rate limit count took too long')), COUNT_TIMEOUT_MS);
      });
      Promise.race([cache.increment(this.keyPrefix + key, timeWindow), late])
        .then(
          ({ count, ttlMs }) => cb(null, { current: count, ttl: ttlMs }),
          (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
        )
        .finally(() => clearTimeout(timer));
    }

    child(params: object): CacheRateLimitStore {
      // At run time the plugin passes its merged options, the route under `routeInfo`.
      const route = (params as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      const prefixOf = route?.url ? `${String(route.method)}:${route.url}:` : '';
      return new CacheRateLimitStore(undefined, prefix + prefixOf);
    }
  };
}
