import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the bundled scripts and styles (the same from src/ and dist/). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../dist/web/public/', import.meta.url));

/** The built files by entry name (`home.js` → `home-3FQX2.js`), from the bundler's manifest. */
export type Assets = { file: (entry: string) => string };

/** Reads the manifest once it exists; undefined while the front end is not built. */
export function loadAssets(dir = PUBLIC_DIR): Assets | undefined {
  let manifest: Record<string, string>;
  try {
    manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
  return {
    file: (entry) => {
      const f = manifest[entry];
      if (!f) throw new Error(`the front-end build has no ${entry}: run npm run build`);
      return `/assets/${f}`;
    },
  };
}
