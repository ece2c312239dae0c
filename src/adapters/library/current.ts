import { stat } from 'node:fs/promises';
import path from 'node:path';
import { TileLibrary } from './disk.js';
import { HEADER_FILE } from './format.js';

/**
 * The library in `dir` as it is now, opened again only when its header has been rewritten (every
 * append, removal or mirror rewrites it atomically, so its inode changes). A long-lived engine so
 * keeps one TileLibrary, and with it one features array for its index memo, between jobs, and does
 * not parse 10,000 entries per job.
 */
export function currentLibrary(dir: string): () => Promise<TileLibrary> {
  let kept: { stamp: string; library: TileLibrary } | undefined;
  return async () => {
    const s = await stat(path.join(dir, HEADER_FILE)).catch(() => undefined);
    // Taken before opening: a rewrite in between only makes the next call open it again.
    const stamp = s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '';
    if (!kept || !stamp || kept.stamp !== stamp) kept = { stamp, library: await TileLibrary.open(dir) };
    return kept.library;
  };
}
