import type { Cache } from '../ports.js';

export type Worker = { role: string; host: string; pid: number; since: string; seen: string };
type Beat = { roles: string[]; host: string; pid: number; since: string; seen: string };

const PREFIX = 'mosaic:workers:';
export const HEARTBEAT = { everyMs: 10_000, ttlSeconds: 30 };

/**
 * Tells the cache every `everyMs` that this process runs `roles`; the key expires `ttlSeconds`
 * after the last beat, so a process that died drops off the list by itself. Returns a function
 * that stops beating and removes the key.
 */
export function startHeartbeat(
  cache: Cache,
  who: { roles: readonly string[]; host: string; pid: number },
  opts = HEARTBEAT,
): () => Promise<void> {
  const key = `${PREFIX}${who.host}:${who.pid}`;
  const since = new Date().toISOString();
  const beat = () => {
    const value: Beat = { roles: [...who.roles], host: who.host, pid: who.pid, since, seen: new Date().toISOString() };
    // A cache that is away misses a beat or two; the next one puts the process back.
    cache.set(key, JSON.stringify(value), opts.ttlSeconds).catch(() => {});
  };
  beat();
  const timer = setInterval(beat, opts.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await cache.delete(key).catch(() => {});
  };
}

/** Every process that beat within its expiry, one row per role, by host, pid and role. */
export async function listWorkers(cache: Cache): Promise<Worker[]> {
  const keys = await cache.keys(PREFIX);
  const beats = await Promise.all(keys.map((k) => cache.get(k)));
  const rows: Worker[] = [];
  for (const json of beats) {
    if (!json) continue;
    const b = JSON.parse(json) as Beat;
    for (const role of b.roles) rows.push({ role, host: b.host, pid: b.pid, since: b.since, seen: b.seen });
  }
  return rows.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid || a.role.localeCompare(b.role));
}
