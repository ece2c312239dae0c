import { featureHash, indexBytes, indexFromBytes } from '../core/index-file.js';
import { TileIndex } from '../core/search.js';
import { readIndexFile, writeIndexFile } from '../adapters/library/index-cache.js';
import type { TileLibrary } from '../adapters/library/disk.js';
import type { FeatureSet } from '../core/types.js';
import { expandVariants, type Expanded, type Variants } from '../core/variants.js';

export type IndexedLibrary = { expanded: Expanded; index: TileIndex };
/** The expanded features and search index of a library, for one variants setting. */
export type IndexMemo = (features: FeatureSet, variants: Variants) => IndexedLibrary;

/** Builds both every time: for a process that makes one mosaic. */
export const buildIndex: IndexMemo = (features, variants) => {
  const expanded = expandVariants(features, variants);
  return { expanded, index: TileIndex.build(expanded.features) };
};

/**
 * Keeps what `buildIndex` made for as long as the library's features are the same array of the
 * same length: the library replaces that array whenever tiles are added or removed, so a grown
 * library is indexed afresh and the old one is left to the collector. For a long-lived engine,
 * where it saves the build (about 90 ms at 10,000 tiles) on every job after the first.
 * Sharing one index between jobs is safe: each search call runs to its end without yielding.
 */
export function indexMemo(): IndexMemo {
  const kept = new WeakMap<Float32Array, Map<string, IndexedLibrary>>();
  return (features, variants) => {
    const key = `${variants}:${features.count}`;
    let forData = kept.get(features.data);
    if (!forData) kept.set(features.data, (forData = new Map()));
    let found = forData.get(key);
    if (!found) forData.set(key, (found = buildIndex(features, variants)));
    return found;
  };
}

/**
 * Keeps each index in the library's folder (`index-<generation>-<variants>.bin`): a process that
 * makes one mosaic reads it back in a few ms instead of building it (about 100 ms for 10,000
 * tiles in a fresh process). The file names the features it was built from (generation, count,
 * variants and a hash of the features), so a stale or damaged one is rebuilt and written again.
 */
export function savedIndexes(library: TileLibrary): IndexMemo {
  return (features, variants) => {
    const expanded = expandVariants(features, variants);
    const gen = library.info.generation;
    const key = `${gen}:${features.count}:${variants}:${featureHash(features.data)}`;
    const f = expanded.features;
    // Vectors, heads, tails, order and a tree of a few nodes per leaf: well under 4 × (dims + 16) bytes a vector.
    const maxBytes = 4 * f.count * (f.dims + 16) + 65_536;
    const saved = readIndexFile(library.dir, gen, variants, maxBytes);
    const parts = saved && indexFromBytes(saved, key);
    if (parts) return { expanded, index: TileIndex.fromParts(parts) };
    const index = TileIndex.build(f);
    writeIndexFile(library.dir, gen, variants, indexBytes(index.parts(), key));
    return { expanded, index };
  };
}
