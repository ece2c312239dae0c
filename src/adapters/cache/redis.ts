import { Redis } from 'ioredis';
import type { Cache } from '../../ports.js';

/** INCR, and the window's expiry set with the first count (a key left without one gets it too). */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

export type RedisOptions = { url: string; /** prefix for every key, to share one Redis */ prefix?: string };

/**
 * The cache on Redis. Commands fail fast (three tries, about 0.2 s) while Redis is away, so callers
 * can fall back to storage instead of hanging; the connection comes back by itself.
 */
export class RedisCache implements Cache {
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(private readonly opts: RedisOptions) {
    this.client = this.connect();
  }

  private connect(): Redis {
    const client = new Redis(this.opts.url, {
      maxRetriesPerRequest: 3,
      retryStrategy: (n) => Math.min(n * 100, 1000),
      keyPrefix: this.opts.prefix,
      lazyConnect: false,
    });
    // Errors surface on the commands; without a listener ioredis would crash the process.
    client.on('error', () => {});
    return client;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const [count, ttlMs] = (await this.client.eval(INCREMENT, 1, key, windowMs)) as [number, number];
    return { count, ttlMs };
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    if (ttl === undefined) await this.client.set(key, value);
    else await this.client.set(key, value, 'EX', Math.max(1, Math.round(ttl)));
  }

  async delete(key: string): Promise<void> {
    await this.client.del(key);
  }

  async keys(prefix: string): Promise<string[]> {
    // SCAN does not add ioredis' keyPrefix to the pattern nor strip it from what it returns.
    const own = this.opts.prefix ?? '';
    const match = `${own}${prefix}`.replace(/[*?[\]\\]/g, '\\$&') + '*';
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', match, 'COUNT', 500);
      for (const k of keys) found.add(k.slice(own.length));
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(`${this.opts.prefix ?? ''}${channel}`, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    const full = `${this.opts.prefix ?? ''}${channel}`;
    if (!this.subscriber) {
      this.subscriber = this.connect();
      this.subscriber.on('message', (ch: string, message: string) => this.handlers.get(ch)?.forEach((h) => h(message)));
    }
    let set = this.handlers.get(full);
    if (!set) {
      this.handlers.set(full, (set = new Set()));
      await this.subscriber.subscribe(full);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(full);
        await this.subscriber?.unsubscribe(full);
      }
    };
  }

  async close(): Promise<void> {
    this.client.disconnect();
    this.subscriber?.disconnect();
  }
}
