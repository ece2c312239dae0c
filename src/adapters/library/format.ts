/**
 * The on-disk tile library, version 1 (documented in docs/library-format.md).
 *
 *   library.json          this header and one entry per tile (rewritten atomically)
 *   tiles-<gen>.rgb       tile pixels: count × size × size × 3 bytes, sRGB, row-major
 *   features-<gen>.f32    matching features: count × grid² × 3 float32 (little-endian CIELAB)
 *
 * Data files only grow by appending; `count` in library.json says how much of them is valid, so a
 * run killed mid-append leaves a library that loads as it was. Removing tiles writes files of a
 * new generation and then switches library.json to them.
 */
export const LIBRARY_FORMAT = 'mosaicme-tile-library';
export const LIBRARY_VERSION = 1;

/** [id, source, bytes, mtimeMs, pixelHash, addedAt] */
export type TileEntry = [
  id: string,
  source: string,
  bytes: number,
  mtimeMs: number,
  pixelHash: string,
  addedAt: number,
];

export type LibraryHeader = {
  format: typeof LIBRARY_FORMAT;
  version: typeof LIBRARY_VERSION;
  tileSize: number;
  featureGrid: number;
  featureSpace: 'cielab-d65';
  generation: number;
  count: number;
  createdAt: string;
  updatedAt: string;
  tiles: TileEntry[];
};

export const HEADER_FILE = 'library.json';
export const pixelFile = (gen: number): string => `tiles-${gen}.rgb`;
export const featureFile = (gen: number): string => `features-${gen}.f32`;
/** A saved search index (see core/index-file.ts): derived data, rebuilt whenever it is missing or stale. */
export const indexFile = (gen: number, variants: string): string => `index-${gen}-${variants}.bin`;
