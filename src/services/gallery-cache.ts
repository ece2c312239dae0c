import { PermanentError } from '../core/errors.js';
import type { Cache, Storage } from '../ports.js';
import type { RequestStatuses } from './requests.js';

/** One mosaic as the original's cache and API showed it. */
export type MosaicEntry = { id: string; url_small: string; url_large: string; username: string; date: string };
export type MosaicList = { mosaics: MosaicEntry[]; size: number };

export type GalleryCacheConfig = {
  buckets: { outLarge: string; outSmall: string };
  /** Seconds `mosaic:all` lives in the cache (the original's CACHE_LIFE). */
  cacheLife: number;
  /** Shown when a mosaic carries no username (the original fell back to its own account). */
  defaultUsername: string;
  /** Where a browser gets an object: a presigned URL, or a path the app serves. */
  urlFor: (bucket: string, key: string) => Promise<string>;
};

type Deps = { storage: Storage; cache: Cache };

export const ALL_KEY = 'mosaic:all';
export const entryKey = (id: string): string => `mosaic:${id}`;
const idOf = (key: string) => key.replace(/\.[^./]+$/, '');

/**
 * Reads every finished mosaic from the output buckets (a mosaic is finished when both its large
 * image and its thumbnail exist), newest first, and writes the original's cache keys:
 * `mosaic:<id>` without expiry and `mosaic:all` for `cacheLife` seconds. Storage is the truth; the
 * cache only ever holds copies of it.
 */
export async function rebuildGalleryCache({ storage, cache }: Deps, cfg: GalleryCacheConfig): Promise<MosaicList> {
  const list = await listFromStorage(storage, cfg);
  await Promise.all(list.mosaics.map((m) => cache.set(entryKey(m.id), JSON.stringify(m))));
  await cache.set(ALL_KEY, JSON.stringify(list), cfg.cacheLife);
  return list;
}

export async function listFromStorage(storage: Storage, cfg: GalleryCacheConfig): Promise<MosaicList> {
  const large = new Map<string, Date>();
  for await (const o of storage.list(cfg.buckets.outLarge)) large.set(o.key, o.lastModified);
  const mosaics: MosaicEntry[] = [];
  for await (const o of storage.list(cfg.buckets.outSmall)) {
    const date = large.get(o.key);
    if (!date) continue;
    const head = await storage.head(cfg.buckets.outSmall, o.key);
    mosaics.push({
      id: idOf(o.key),
      url_small: await cfg.urlFor(cfg.buckets.outSmall, o.key),
      url_large: await cfg.urlFor(cfg.buckets.outLarge, o.key),
      username: head?.metadata.username || cfg.defaultUsername,
      date: date.toISOString(),
    });
  }
  mosaics.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id.localeCompare(b.id)));
  return { mosaics, size: mosaics.length };
}

/**
 * The list for the API: from the cache when it has it, otherwise from storage (and the cache is
 * filled again). A cache that is down is skipped, so the gallery keeps answering without it.
 */
export async function readGallery(deps: Deps, cfg: GalleryCacheConfig): Promise<MosaicList> {
  try {
    const cached = await deps.cache.get(ALL_KEY);
    if (cached) return JSON.parse(cached) as MosaicList;
  } catch {
    return listFromStorage(deps.storage, cfg);
  }
  return rebuildGalleryCache(deps, cfg).catch(() => listFromStorage(deps.storage, cfg));
}

/**
 * The cacher stage: a finished mosaic goes into the cache at once (its own key, and the front of
 * `mosaic:all`), live pages hear of it on `mosaic:events`, and its request is marked done. When `mosaic:all` is missing, the
 * whole list is rebuilt from storage instead.
 */
export const cacheStage =
  (deps: Deps & { statuses?: RequestStatuses }, cfg: GalleryCacheConfig) =>
  async (message: unknown): Promise<void> => {
    const m = message as { id?: unknown; key?: unknown } | null;
    if (!m || typeof m.id !== 'string') throw new PermanentError('INVALID_MESSAGE', 'malformed done job: needs id');
    const key = typeof m.key === 'string' ? m.key : `${m.id}.jpg`;
    const [large, small] = await Promise.all([
      deps.storage.head(cfg.buckets.outLarge, key),
      deps.storage.head(cfg.buckets.outSmall, key),
    ]);
    if (!large || !small) throw new PermanentError('UNREADABLE_IMAGE', `mosaic ${m.id} is not in both output buckets`);
    const entry: MosaicEntry = {
      id: m.id,
      url_small: await cfg.urlFor(cfg.buckets.outSmall, key),
      url_large: await cfg.urlFor(cfg.buckets.outLarge, key),
      username: small.metadata.username || cfg.defaultUsername,
      date: large.lastModified.toISOString(),
    };
    try {
      await deps.cache.set(entryKey(entry.id), JSON.stringify(entry));
      const all = await deps.cache.get(ALL_KEY);
      if (all) {
        const list = JSON.parse(all) as MosaicList;
        const mosaics = [entry, ...list.mosaics.filter((x) => x.id !== entry.id)];
        await deps.cache.set(ALL_KEY, JSON.stringify({ mosaics, size: mosaics.length }), cfg.cacheLife);
      } else {
        await rebuildGalleryCache(deps, cfg);
      }
    } catch {
      // The cache is away: the gallery reads storage meanwhile, and the periodic rebuild refills it.
    }
    await deps.cache.publish('mosaic:events', JSON.stringify({ type: 'mosaic', mosaic: entry })).catch(() => {});
    await deps.statuses?.set(m.id, { state: 'done', username: small.metadata.username });
  };

/** Rebuilds the cache now and every `seconds`, so a lost cache heals by itself (the original's WAIT_TIME). */
export function refreshGalleryCache(
  deps: Deps,
  cfg: GalleryCacheConfig,
  seconds: number,
  onError: (err: unknown) => void,
): () => void {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = rebuildGalleryCache(deps, cfg).catch(onError);
  };
  tick();
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    void running;
  };
}
