#!/usr/bin/env node
// Bundles the gallery's front end (src/web/client) into dist/web/public with esbuild: one script
// per page, names carrying a content hash (so they may be cached for good),
// and manifest.json telling the server which file is which. OpenSeadragon's button images go to
// public/osd/, the icon to public/favicon.svg.
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const client = path.join(root, 'src/web/client');
const out = path.join(root, 'dist/web/public');
const pages = ['home', 'mosaic', 'upload', 'wall', 'admin', 'wall-screen', 'wall-upload', 'wall-photo'];

await rm(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [...pages.map((p) => path.join(client, `${p}.ts`)), path.join(client, 'styles.css')],
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
  minify: true,
  sourcemap: 'linked',
  outdir: out,
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const manifest = {};
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  if (!info.entryPoint) continue;
  manifest[path.basename(info.entryPoint).replace(/\.ts$/, '.js')] = path.basename(file);
}
await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await cp(path.join(root, 'node_modules/openseadragon/build/openseadragon/images'), path.join(out, 'osd'), {
  recursive: true,
});
await cp(path.join(client, 'favicon.svg'), path.join(out, 'favicon.svg'));
console.log(`web: ${Object.keys(manifest).length} entries in ${path.relative(root, out)}`);
