import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { findImages } from '../adapters/files.js';
import { MosaicError } from '../core/errors.js';
import type { Imaging, Queue, Storage } from '../ports.js';

export type UploadTilesSummary = { uploaded: number; duplicate: number; skipped: number; total: number };

/**
 * `tiles add --remote`: puts photos in the raw bucket and tells the library stage on the tiles
 * queue, so the one shared library grows where every engine sees it. Each photo is checked to be
 * a readable image first; its key is its content hash, so the same photo twice is stored once.
 */
export async function uploadTiles(
  deps: { storage: Storage; queue: Queue; imaging: Pick<Imaging, 'photoSize'> },
  cfg: { bucketRaw: string; tilesQueue: string; maxFileBytes?: number },
  inputs: readonly string[],
  on: { skip?: (file: string, reason: string) => void; progress?: (done: number, total: number) => void } = {},
): Promise<UploadTilesSummary> {
  const maxBytes = cfg.maxFileBytes ?? 64 * 1024 * 1024;
  const files = await findImages(inputs);
  const summary: UploadTilesSummary = { uploaded: 0, duplicate: 0, skipped: 0, total: files.length };
  const skip = (file: string, reason: string) => {
    summary.skipped++;
    on.skip?.(file, reason);
  };
  let done = 0;
  for (const { file, missing } of files) {
    on.progress?.(done++, files.length);
    if (missing) {
      skip(file, 'file not found');
      continue;
    }
    const stat = await fs.stat(file);
    if (stat.size === 0 || stat.size > maxBytes) {
      skip(file, stat.size === 0 ? 'empty file (0 bytes)' : `file too large (${Math.round(stat.size / 2 ** 20)} MiB)`);
      continue;
    }
    const bytes = await fs.readFile(file);
    try {
      await deps.imaging.photoSize(bytes);
    } catch (err) {
      if (!(err instanceof MosaicError)) throw err;
      skip(file, err.message);
      continue;
    }
    const ext = path.extname(file).toLowerCase() || '.img';
    const key = `upload/${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`;
    if (await deps.storage.head(cfg.bucketRaw, key)) {
      summary.duplicate++;
      continue;
    }
    await deps.storage.put(cfg.bucketRaw, key, bytes, { metadata: { source: path.basename(file).slice(0, 200) } });
    await deps.queue.send(cfg.tilesQueue, { key });
    summary.uploaded++;
  }
  on.progress?.(files.length, files.length);
  return summary;
}
