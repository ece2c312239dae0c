// A long-lived engine's per-job mosaic time with the library's index kept between jobs (as the
// engine stage does) against one built afresh for every job, alternating in one process.
// Uses the 10,000-tile library bench:floor makes (bench/.cache/floor/lib-ours-large).
import fs from 'node:fs';
import path from 'node:path';
import { CORPUS, ROOT, die, helpOnRequest, median, option } from './lib.mjs';

helpOnRequest(`usage: node bench/warm-engine.mjs [--jobs 6] [--target 08-storm] [--library DIR]
Prints the median job time and features phase, index kept against index rebuilt (run npm run build first).`);
const jobs = Number(option('jobs', '6'));
const target = path.join(CORPUS, 'targets', `${option('target', '08-storm')}.jpg`);
const libDir = path.resolve(ROOT, option('library', 'bench/.cache/floor/lib-ours-large'));
if (!fs.existsSync(target)) die(`${target} not found: run bash ../shared/bench/make-corpus.sh bench/.cache/corpus`);
if (!fs.existsSync(libDir)) die(`${libDir} not found: run node bench/floor.mjs once, or pass --library`);

const dist = (p) => import(path.join(ROOT, 'dist', p));
const { TileLibrary } = await dist('adapters/library/disk.js');
const { SharpImaging } = await dist('adapters/imaging/sharp.js');
const { createMosaic } = await dist('services/mosaic.js');
const { indexMemo } = await dist('services/index-memo.js');

const library = await TileLibrary.open(libDir);
const imaging = new SharpImaging();
const photo = fs.readFileSync(target);
const memo = indexMemo();
const job = async (indexes) => {
  const t0 = performance.now();
  const r = await createMosaic(photo, library, { thumbnail: 0, blend: 0 }, { imaging, indexes });
  return { ms: performance.now() - t0, features: r.timings.features };
};
await job(memo); // the first job builds the kept index and warms libvips and the decoder
const runs = { rebuilt: [], kept: [] };
for (let i = 0; i < jobs; i++) {
  runs.rebuilt.push(await job());
  runs.kept.push(await job(memo));
}
console.log(`${library.count} tiles, ${path.basename(target)}, ${jobs} jobs each, medians:`);
for (const [k, rs] of Object.entries(runs)) {
  const ms = Math.round(median(rs.map((r) => r.ms)));
  console.log(`index ${k}: job ${ms} ms, features ${Math.round(median(rs.map((r) => r.features)))} ms`);
}
