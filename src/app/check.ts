import type { Config } from './config.js';
import type { Deps } from './compose.js';

export type CheckResult = { name: string; ok: boolean; detail: string };

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref()),
  ]);

/** A social network's credentials check: resolves to who the bot is there. */
export type NetworkCheck = { name: string; verify: () => Promise<string> };

/**
 * Tests each connection the way the services will use it, as the original's start-up did:
 * storage creates its buckets, the queue reports its depths, the cache writes and reads a key,
 * each configured social network accepts the bot's credentials.
 */
export async function checkConnections(
  config: Config,
  deps: Deps,
  timeoutMs = 10_000,
  networks: NetworkCheck[] = [],
): Promise<CheckResult[]> {
  const run = async (name: string, fn: () => Promise<string>): Promise<CheckResult> => {
    try {
      return { name, ok: true, detail: await within(timeoutMs, fn()) };
    } catch (err) {
      return { name, ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };
  const buckets = Object.values(config.buckets);
  const queues = Object.values(config.queues);
  return Promise.all([
    run(`storage (${config.storage.kind})`, async () => {
      for (const b of buckets) await deps.storage.ensureBucket(b);
      return `buckets ready: ${buckets.join(', ')}`;
    }),
    run(`queue (${config.queue.kind})`, async () => {
      const depths = await Promise.all(queues.map(async (q) => `${q} ${await deps.queue.depth(q)}`));
      return `waiting: ${depths.join(', ')}`;
    }),
    run(`cache (${config.cache.kind})`, async () => {
      const key = `mosaicme:check:${process.pid}`;
      await deps.cache.set(key, 'ok', 10);
      if ((await deps.cache.get(key)) !== 'ok') throw new Error('a value written could not be read back');
      await deps.cache.delete(key);
      return 'read and write work';
    }),
    ...networks.map((n) => run(n.name, async () => `signed in as ${await n.verify()}`)),
  ]);
}
