import { EventEmitter } from 'node:events';
import type { Cache } from '../../ports.js';

/** The cache of the embedded mode: a Map with expiry times, and an in-process event bus. */
export class MemoryCache implements Cache {
  private readonly values = new Map<string, { value: string; expires: number }>();
  private readonly bus = new EventEmitter();

  constructor(private readonly now: () => number = Date.now) {
    this.bus.setMaxListeners(0);
  }

  async get(key: string): Promise<string | undefined> {
    const v = this.values.get(key);
    if (!v) return undefined;
    if (v.expires <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return v.value;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    this.values.set(key, { value, expires: ttl === undefined ? Infinity : this.now() + ttl * 1000 });
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const now = this.now();
    const v = this.values.get(key);
    if (v && v.expires > now) {
      v.value = String(Number(v.value) + 1);
      return { count: Number(v.value), ttlMs: v.expires - now };
    }
    // Counters are per client: expired ones are swept now and then so the map does not grow.
    if (this.values.size > 10_000) for (const [k, old] of this.values) if (old.expires <= now) this.values.delete(k);
    this.values.set(key, { value: '1', expires: now + windowMs });
    return { count: 1, ttlMs: windowMs };
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    const now = this.now();
    return [...this.values].filter(([k, v]) => k.startsWith(prefix) && v.expires > now).map(([k]) => k);
  }

  async publish(channel: string, message: string): Promise<void> {
    // Asynchronous like a real broker: a publisher never runs subscribers' code in its own call.
    queueMicrotask(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.bus.on(channel, handler);
    return async () => {
      this.bus.off(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}
