import type { Cache, Storage } from '../ports.js';
import {
  addToCache,
  EVENTS_CHANNEL,
  hiddenKey,
  cardKey,
  previewKey,
  mosaicView,
  readEntry,
  removeFromCache,
  type GalleryCacheConfig,
} from './gallery-cache.js';

type Deps = { storage: Storage; cache: Cache };

/**
 * Hiding and deleting mosaics. The mark of a hidden mosaic lives in storage, so every cache
 * rebuild leaves it out; the cache is corrected at once and live pages hear `hidden`.
 * Each action answers false when there is no such mosaic.
 */
export class Moderation {
  constructor(
    private readonly deps: Deps,
    private readonly cfg: GalleryCacheConfig,
    /** Called after every change, for readers that keep a copy of the marks. */
    private readonly onChange: () => void = () => {},
  ) {}

  async hide(id: string): Promise<boolean> {
    if (!(await readEntry(this.deps.storage, this.cfg, id))) return false;
    const mark = JSON.stringify({ hiddenAt: new Date().toISOString() });
    await this.deps.storage.put(this.cfg.moderationBucket, hiddenKey(id), Buffer.from(mark), {
      contentType: 'application/json',
    });
    await this.forget(id);
    return true;
  }

  async unhide(id: string): Promise<boolean> {
    const entry = await readEntry(this.deps.storage, this.cfg, id);
    if (!entry) return false;
    await this.deps.storage.delete(this.cfg.moderationBucket, hiddenKey(id));
    this.onChange();
    await addToCache(this.deps, this.cfg, entry).catch(() => {});
    await this.deps.cache
      .publish(EVENTS_CHANNEL, JSON.stringify({ type: 'mosaic', mosaic: mosaicView(entry, this.cfg) }))
      .catch(() => {});
    return true;
  }

  /** Removes the thumbnail first (the mosaic stops counting as finished), then the image and its pyramid. */
  async remove(id: string): Promise<boolean> {
    const { storage } = this.deps;
    const { outLarge, outSmall } = this.cfg.buckets;
    const pyramid: string[] = [];
    for await (const o of storage.list(outLarge, `${id}_files/`)) pyramid.push(o.key);
    const dzi = await storage.head(outLarge, `${id}.dzi`);
    if (!(await readEntry(storage, this.cfg, id)) && pyramid.length === 0 && !dzi) return false;
    await storage.delete(outSmall, `${id}.jpg`);
    await storage.delete(outLarge, `${id}.jpg`);
    await storage.delete(outLarge, `${id}.dzi`);
    await storage.delete(outLarge, previewKey(id));
    await storage.delete(outLarge, cardKey(id));
    for (let i = 0; i < pyramid.length; i += 32)
      await Promise.all(pyramid.slice(i, i + 32).map((k) => storage.delete(outLarge, k)));
    await storage.delete(this.cfg.moderationBucket, hiddenKey(id));
    await this.forget(id);
    return true;
  }

  private async forget(id: string): Promise<void> {
    this.onChange();
    // The cache only holds copies: when it is away, its next rebuild from storage leaves the mosaic out.
    await removeFromCache(this.deps, this.cfg, id).catch(() => {});
    await this.deps.cache.publish(EVENTS_CHANNEL, JSON.stringify({ type: 'hidden', id })).catch(() => {});
  }
}
