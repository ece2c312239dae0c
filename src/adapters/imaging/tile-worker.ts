import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MosaicError } from '../../core/errors.js';
import { tileFeatures } from '../../core/features.js';
import { pixelHash } from '../library/disk.js';
import { readTile } from './sharp.js';

export type TileTask = { file: string; size: number; grid: number; maxInputPixels: number };
export type TileDone =
  | { ok: true; id: string; pixels: Uint8Array; features: Float32Array; pixelHash: string }
  | { ok: false; id?: string; reason: string };

/** Runs in a worker thread: reads one photo and makes its tile and features. */
export default async function prepareTile(task: TileTask): Promise<TileDone> {
  const bytes = readFileSync(task.file);
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  try {
    const pixels = await readTile(bytes, task.size, { maxInputPixels: task.maxInputPixels });
    return { ok: true, id, pixels, features: tileFeatures(pixels, task.size, task.grid), pixelHash: pixelHash(pixels) };
  } catch (err) {
    if (err instanceof MosaicError) return { ok: false, id, reason: err.message };
    throw err;
  }
}
