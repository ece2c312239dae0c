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
