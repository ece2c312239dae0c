import { PermanentError } from '../core/errors.js';
import type { Cache, ObjectInfo, Storage } from '../ports.js';
import { NETWORKS, type MosaicView, type Network } from '../shapes/gallery.js';
import { parseJob } from './messages.js';
import type { RequestStatuses } from './requests.js';

export type { MosaicView, Network };

/**
 * One mosaic in the cache. The first five keys are the original's, in its order (its front end
 * reads them); the rest come from the outputs' metadata when present.
 */
export type MosaicEntry = {
  id: string;
  url_small: string;
  url_large: string;
  username: string;
  date: string;
  display_name?: string;
  network?: Network;
  profile_url?: string;
  width?: number;
  height?: number;
  /** A screen-sized copy (1600 px wide at most), for mosaics made since it exists. */
  url_preview?: string;
  /**
   * A card-sized copy ({@link CARD_WIDTH} px wide at most), for mosaics made since it exists. Our
   * own API's: the original's `/mosaic/` routes leave it out ({@link originalEntry}).
   */
  url_card?: string;
};
export type MosaicList = { mosaics: MosaicEntry[]; size: number };

export type GalleryCacheConfig = {
  buckets: { outLarge: string; outSmall: string };
  /** Seconds `mosaic:all` lives in the cache (the original's CACHE_LIFE). */
  cacheLife: number;
  /** Shown when a mosaic carries no username (the original fell back to its own account). */
  defaultUsername: string;
  /**
   * Where a browser gets an object: a presigned URL, or an absolute URL of the app's `/files/`
   * (the original's front end, on another origin, loads what the cache entries name).
   */
  urlFor: (bucket: string, key: string) => Promise<string>;
  /** The app's own address, which {@link urlFor} builds on: our own views give paths on it instead. */
  siteUrl?: string;
  /** The bucket that holds the moderation marks (the input bucket). */
  moderationBucket: string;
};

type Deps = { storage: Storage; cache: Cache };

export const ALL_KEY = 'mosaic:all';
export const EVENTS_CHANNEL = 'mosaic:events';
export const entryKey = (id: string): string => `mosaic:${id}`;
/**
 * The original's form of the same key: its ids were object names (`mosaic:123456.jpg`). Written
 * beside {@link entryKey} with the same entry, for readers of Redis that build the key themselves.
 */
export const originalEntryKey = (id: string): string => `mosaic:${id}.jpg`;
const setEntry = (cache: Cache, e: MosaicEntry) => {
  const json = JSON.stringify(e);
  return Promise.all([cache.set(entryKey(e.id), json), cache.set(originalEntryKey(e.id), json)]);
};
/** The screen-sized copy of mosaic `id`, beside its full image. */
export const previewKey = (id: string): string => `${id}_preview.jpg`;
/** The gallery card's copy of mosaic `id`: the 120 px thumbnail is blurry on a card, more so on phones. */
export const cardKey = (id: string): string => `${id}_card.jpg`;
export const CARD_WIDTH = 480;
/** Keys of an entry that only our own API shows, never the original's `/mosaic/` routes. */
const OWN_KEYS = ['url_card'] as const;

/** The entry as the original's API shows it. */
export const originalEntry = (e: MosaicEntry): Omit<MosaicEntry, (typeof OWN_KEYS)[number]> => {
  const copy = { ...e };
  for (const k of OWN_KEYS) delete copy[k];
  return copy;
};
const idOf = (key: string) => key.replace(/\.[^./]+$/, '');

/** Hidden mosaics are marked in storage, the truth every cache rebuild reads. */
const HIDDEN_PREFIX = 'moderation/hidden/';
export const hiddenKey = (id: string): string => `${HIDDEN_PREFIX}${id}`;

export async function hiddenIds(storage: Storage, cfg: GalleryCacheConfig): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const o of storage.list(cfg.moderationBucket, HIDDEN_PREFIX)) ids.add(o.key.slice(HIDDEN_PREFIX.length));
  return ids;
}

export const isHidden = async (storage: Storage, cfg: GalleryCacheConfig, id: string): Promise<boolean> =>
  (await storage.head(cfg.moderationBucket, hiddenKey(id))) !== undefined;

/** A URL on the app's own address as a path, so our pages load it from wherever they are served. */
const ownPath = (url: string, siteUrl: string | undefined): string =>
  siteUrl && url.startsWith(`${siteUrl}/files/`) ? url.slice(siteUrl.length) : url;
const ownPathOpt = (url: string | undefined, siteUrl: string | undefined) => url && ownPath(url, siteUrl);

export const mosaicView = (
  e: MosaicEntry,
  { buckets: { outLarge }, siteUrl }: Pick<GalleryCacheConfig, 'buckets' | 'siteUrl'>,
): MosaicView => ({
  id: e.id,
  username: e.username,
  display_name: e.display_name,
  network: e.network,
  profile_url: e.profile_url,
  date: e.date,
  width: e.width,
  height: e.height,
  url_small: ownPath(e.url_small, siteUrl),
  url_large: ownPath(e.url_large, siteUrl),
  url_preview: ownPath(e.url_preview ?? e.url_large, siteUrl),
  url_card: ownPathOpt(e.url_card, siteUrl),
  dzi: `/files/${outLarge}/${e.id}.dzi`,
  page_url: `/mosaics/${e.id}`,
});

const positive = (s: string | undefined) => {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};
// A profile link ends up in an href: only web addresses, never javascript: or data: URLs.
const webUrl = (s: string | undefined) => {
  try {
    return s && ['http:', 'https:'].includes(new URL(s).protocol) ? s : undefined;
  } catch {
    return undefined;
  }
};

/** The entry of a finished mosaic, from its two output objects. */
export async function entryFrom(
  cfg: GalleryCacheConfig,
  key: string,
  large: ObjectInfo,
  small: ObjectInfo,
): Promise<MosaicEntry> {
  const meta = { ...large.metadata, ...small.metadata };
  const entry: MosaicEntry = {
    id: idOf(key),
    url_small: await cfg.urlFor(cfg.buckets.outSmall, key),
    url_large: await cfg.urlFor(cfg.buckets.outLarge, key),
    username: meta.username || cfg.defaultUsername,
    date: large.lastModified.toISOString(),
  };
  const extra: Partial<MosaicEntry> = {
    display_name: meta.displayname || undefined,
    network: (NETWORKS as readonly string[]).includes(meta.network ?? '') ? (meta.network as Network) : undefined,
    profile_url: webUrl(meta.profile),
    width: positive(meta.width),
    height: positive(meta.height),
    url_preview: meta.preview ? await cfg.urlFor(cfg.buckets.outLarge, previewKey(idOf(key))) : undefined,
    url_card: meta.card ? await cfg.urlFor(cfg.buckets.outLarge, cardKey(idOf(key))) : undefined,
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(entry, { [k]: v });
  return entry;
}

const newestFirst = (a: MosaicEntry, b: MosaicEntry) =>
  a.date < b.date ? 1 : a.date > b.date ? -1 : a.id.localeCompare(b.id);

/**
 * Reads every finished, visible mosaic from the output buckets (a mosaic is finished when both
 * its large image and its thumbnail exist; hidden ones are left out), newest first, and writes the
 * original's cache keys: `mosaic:<id>` (and `mosaic:<id>.jpg`) without expiry and `mosaic:all` for `cacheLife` seconds.
 * Storage is the truth; the cache only ever holds copies of it.
 */
export async function rebuildGalleryCache({ storage, cache }: Deps, cfg: GalleryCacheConfig): Promise<MosaicList> {
  const listed = await listFromStorage(storage, cfg);
  // Listing a large gallery takes a while: a mosaic hidden meanwhile must not come back.
  const hidden = await hiddenIds(storage, cfg);
  const mosaics = listed.mosaics.filter((m) => !hidden.has(m.id));
  const list = { mosaics, size: mosaics.length };
  await Promise.all(list.mosaics.map((m) => setEntry(cache, m)));
  await cache.set(ALL_KEY, JSON.stringify(list), cfg.cacheLife);
  return list;
}

export async function listFromStorage(storage: Storage, cfg: GalleryCacheConfig): Promise<MosaicList> {
  const hidden = await hiddenIds(storage, cfg);
  const large = new Map<string, ObjectInfo>();
  for await (const o of storage.list(cfg.buckets.outLarge)) large.set(o.key, o);
  const mosaics: MosaicEntry[] = [];
  for await (const o of storage.list(cfg.buckets.outSmall)) {
    const big = large.get(o.key);
    if (!big || hidden.has(idOf(o.key))) continue;
    // Both outputs carry the same metadata: one HEAD is enough.
    const head = await storage.head(cfg.buckets.outSmall, o.key);
    if (head) mosaics.push(await entryFrom(cfg, o.key, big, head));
  }
  mosaics.sort(newestFirst);
  return { mosaics, size: mosaics.length };
}

/**
 * The list for the API: from the cache when it has it, otherwise from storage (and the cache is
 * filled again). A cache that is down is skipped, so the gallery keeps answering without it.
 */
export async function readGallery(deps: Deps, cfg: GalleryCacheConfig): Promise<MosaicList> {
  return JSON.parse(await readGalleryJson(deps, cfg)) as MosaicList;
}

/** {@link readGallery} as the cached JSON text, so a server can send it without parsing it. */
export async function readGalleryJson(deps: Deps, cfg: GalleryCacheConfig): Promise<string> {
  try {
    const cached = await deps.cache.get(ALL_KEY);
    if (cached) return cached;
  } catch {
    return JSON.stringify(await listFromStorage(deps.storage, cfg));
  }
  const list = await rebuildGalleryCache(deps, cfg).catch(() => listFromStorage(deps.storage, cfg));
  return JSON.stringify(list);
}

/** Puts one entry into the cache: its own key, and its place in `mosaic:all` (rebuilt when missing). */
export async function addToCache(deps: Deps, cfg: GalleryCacheConfig, entry: MosaicEntry): Promise<void> {
  await setEntry(deps.cache, entry);
  const all = await deps.cache.get(ALL_KEY);
  if (!all) {
    await rebuildGalleryCache(deps, cfg);
    return;
  }
  const mosaics = [entry, ...(JSON.parse(all) as MosaicList).mosaics.filter((x) => x.id !== entry.id)];
  mosaics.sort(newestFirst);
  await deps.cache.set(ALL_KEY, JSON.stringify({ mosaics, size: mosaics.length }), cfg.cacheLife);
}

/** Takes one mosaic out of the cache: its own key and its place in `mosaic:all`. */
export async function removeFromCache(deps: Deps, cfg: GalleryCacheConfig, id: string): Promise<void> {
  await Promise.all([deps.cache.delete(entryKey(id)), deps.cache.delete(originalEntryKey(id))]);
  const all = await deps.cache.get(ALL_KEY);
  if (!all) return;
  const mosaics = (JSON.parse(all) as MosaicList).mosaics.filter((x) => x.id !== id);
  await deps.cache.set(ALL_KEY, JSON.stringify({ mosaics, size: mosaics.length }), cfg.cacheLife);
}

/** The entry of the finished mosaic `id`, or undefined while it is not in both output buckets. */
export async function readEntry(
  storage: Storage,
  cfg: GalleryCacheConfig,
  id: string,
): Promise<MosaicEntry | undefined> {
  const key = `${id}.jpg`;
  const [large, small] = await Promise.all([
    storage.head(cfg.buckets.outLarge, key),
    storage.head(cfg.buckets.outSmall, key),
  ]);
  return large && small ? entryFrom(cfg, key, large, small) : undefined;
}

/**
 * The cacher stage: a finished mosaic goes into the cache at once (its own key, and its place in
 * `mosaic:all`), live pages hear of it on `mosaic:events` as a {@link MosaicView}, and its request
 * is marked done. A hidden mosaic stays out of the cache. When `mosaic:all` is missing, the whole
 * list is rebuilt from storage instead.
 */
export const cacheStage =
  (deps: Deps & { statuses?: RequestStatuses }, cfg: GalleryCacheConfig) =>
  async (message: unknown): Promise<void> => {
    const { id, key } = parseJob(message, 'done job');
    const [large, small] = await Promise.all([
      deps.storage.head(cfg.buckets.outLarge, key),
      deps.storage.head(cfg.buckets.outSmall, key),
    ]);
    if (!large || !small) throw new PermanentError('UNREADABLE_IMAGE', `mosaic ${id} is not in both output buckets`);
    const entry = { ...(await entryFrom(cfg, key, large, small)), id };
    if (!(await isHidden(deps.storage, cfg, id))) {
      try {
        await addToCache(deps, cfg, entry);
      } catch {
        // The cache is away: the gallery reads storage meanwhile, and the periodic rebuild refills it.
      }
      await deps.cache
        .publish(EVENTS_CHANNEL, JSON.stringify({ type: 'mosaic', mosaic: mosaicView(entry, cfg) }))
        .catch(() => {});
    }
    await deps.statuses?.set(id, { state: 'done', username: small.metadata.username });
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
