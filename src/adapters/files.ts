import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Extensions taken from folders; files named explicitly are always tried, whatever their name. */
export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.avif',
  '.tif',
  '.tiff',
  '.gif',
  '.heic',
  '.heif',
]);

export type Found = { file: string; missing?: boolean };

/**
 * Lists the image files under the given paths (folders recursively, hidden entries skipped),
 * sorted so that the same inputs always give the same order. Paths that do not exist are
 * returned with `missing` so the caller can report them.
 */
export async function findImages(inputs: readonly string[], exclude: readonly string[] = []): Promise<Found[]> {
  const out: Found[] = [];
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const walk = async (dir: string): Promise<void> => {
    if (skip.has(dir)) return;
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push({ file: p });
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st) out.push({ file: abs, missing: true });
    else if (st.isDirectory()) await walk(abs);
    else out.push({ file: abs });
  }
  return out;
}
