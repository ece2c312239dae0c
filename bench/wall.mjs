#!/usr/bin/env node
// Live walls, offline: how good and how fast is placement? (issue #12, "Measure")
//
//  Quality: a 60×40 wall of each corpus target filled with 2,400 photos of tiles-large in corpus
//  order, as guests would send them, placed by the look-ahead (the default) and by naive greedy
//  (each photo its best free cell); both against the offline optimum (Hungarian assignment on the
//  same costs, knowing every photo). Costs are the placer's own (the engine's 5×5 Lab features,
//  photos smart-cropped as the wall engine stage crops them). Each wall is also rendered (32 px
//  cells, painted by the engine's renderer as the screen is) and scored against its target with
//  ../shared/bench/mosaic-quality.mjs, at tone 0, 0.35 and 0.5, which is how DEFAULT_TONE was chosen.
//
//  Speed: placement time per photo (choose + take, prices included), median and p99, at 2,400 cells
//  (all targets pooled) and at 30,000 cells (a 200×150 wall of the first target, filled with the
//  10,000 tiles-large photos and their mirror images and upside-down copies).
//
//   node bench/wall.mjs [--targets GLOB] [--photos 2400] [--big-cells 30000] [--no-big] [--keep DIR]
//
// Needs `npm run build` and the corpus (built if missing). About 1 min per target, 4 min for the big wall.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CORPUS,
  NODE,
  ROOT,
  SHARED,
  die,
  ensureCorpus,
  fmt,
  globFilter,
  headerLines,
  helpOnRequest,
  log,
  machineInfo,
  mdTable,
  median,
  option,
  run,
} from './lib.mjs';
import { assignment } from './assignment.mjs';

helpOnRequest('node bench/wall.mjs [--targets GLOB] [--photos 2400] [--big-cells 30000] [--no-big] [--keep DIR]');
const dist = (p) => import(path.join(ROOT, 'dist', p));
if (!fs.existsSync(path.join(ROOT, 'dist/core/wall/index.js'))) die('dist/ is missing: run `npm run build` first');
const { WallPlacer, costMatrix, paintCells, wallGrid } = await dist('core/wall/index.js');
const { targetCells, tileFeatures, tileMean } = await dist('core/features.js');
const { SharpWallImaging } = await dist('adapters/imaging/wall-imaging.js');
const { DEFAULT_TONE } = await dist('services/walls.js');

const COLS = 60;
const ROWS = 40;
const FEATURE_PX = 128; // the corpus photos' own size: features from an upsampled crop would be no truer
const RENDER_PX = 32;
const TONES = [0, DEFAULT_TONE, 0.5];
const argv = process.argv.slice(2);
const nPhotos = Number(option('photos', '2400'));
const bigCells = Number(option('big-cells', '30000'));
const keep = option('keep', null);
const imaging = new SharpWallImaging();
const pick = globFilter(option('targets', null));

const fingerprint = ensureCorpus();
const targets = fs
  .readdirSync(path.join(CORPUS, 'targets'))
  .filter((f) => f.endsWith('.jpg') && pick(f))
  .sort();
const library = fs
  .readdirSync(path.join(CORPUS, 'tiles-large'))
  .filter((f) => f.endsWith('.jpg'))
  .sort();
if (!targets.length) die('no target matches --targets');
const out = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wall-'));
fs.mkdirSync(out, { recursive: true });

/** Pooled per-photo times of one kind of placement. */
const percentile = (xs, q) => {
  const a = Float64Array.from(xs).sort();
  return a[Math.min(a.length - 1, Math.floor(q * a.length))];
};

/** The photos as the wall engine stage sees them: smart-cropped square, then the engine's features. */
async function photoSet(files, variants = ['as is']) {
  const dims = 75;
  const data = new Float32Array(files.length * variants.length * dims);
  const small = [];
  let i = 0;
  for (const f of files) {
    const bytes = fs.readFileSync(path.join(CORPUS, 'tiles-large', f));
    const crop = await imaging.cropSquare(bytes, FEATURE_PX);
    const render = await imaging.cropSquare(bytes, RENDER_PX);
    for (const v of variants) {
      data.set(tileFeatures(turned(crop, FEATURE_PX, v), FEATURE_PX), i * dims);
      small.push(turned(render, RENDER_PX, v));
      i++;
    }
  }
  return { features: { data, count: i, dims }, small };
}

/** A square RGB crop mirrored (`mirror`) or upside down (`flip`): more distinct photos for the big wall. */
function turned(px, size, how) {
  if (how === 'as is') return px;
  const outPx = new Uint8Array(px.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const [sx, sy] = how === 'mirror' ? [size - 1 - x, y] : [x, size - 1 - y];
      outPx.set(px.subarray((sy * size + sx) * 3, (sy * size + sx) * 3 + 3), (y * size + x) * 3);
    }
  return outPx;
}

/** Places every photo in order; returns the cell of each, the mean cost and each placement's time. */
function fill(cells, photos, lookahead) {
  const placer = new WallPlacer(cells, { lookahead });
  const n = Math.min(photos.count, cells.count);
  const cellOf = new Int32Array(n);
  const ms = new Float64Array(n);
  let cost = 0;
  for (let p = 0; p < n; p++) {
    const f = photos.data.subarray(p * photos.dims, (p + 1) * photos.dims);
    const t0 = performance.now();
    const c = placer.choose(f);
    placer.take(c.cell, f);
    ms[p] = performance.now() - t0;
    cellOf[p] = c.cell;
    cost += c.cost;
  }
  return { cellOf, cost: cost / n, ms };
}

async function cellsOf(file, cols, rows) {
  const target = await imaging.read(fs.readFileSync(path.join(CORPUS, 'targets', file)), { maxSide: 4096 });
  return targetCells(target, { cols, rows, cell: 1, width: cols, height: rows });
}

/** Renders the wall (photo p in cell cellOf[p]) at `tone` and scores it against its target. */
async function score(file, cells, small, cellOf, tone, name) {
  const paint = new Array(cells.features.count);
  cellOf.forEach((cell, p) => {
    paint[cell] = {
      pixels: small[p],
      mean: tileMean(small[p], RENDER_PX),
      cellMean: cells.means.subarray(cell * 3, cell * 3 + 3),
    };
  });
  for (let c = 0; c < cells.features.count; c++)
    if (!paint[c]) {
      // A cell left empty (fewer photos than cells) shows its own colour, flat.
      const cellMean = cells.means.subarray(c * 3, c * 3 + 3);
      const pixels = new Uint8Array(RENDER_PX * RENDER_PX * 3).map((_, i) => Math.round(cellMean[i % 3]));
      paint[c] = { pixels, mean: cellMean, cellMean };
    }
  const image = paintCells({ cols: COLS, rows: ROWS, cellPx: RENDER_PX }, paint, tone);
  const jpg = path.join(out, `${path.basename(file, '.jpg')}-${name}-tone${tone}.jpg`);
  fs.writeFileSync(jpg, await imaging.jpeg(image, 92));
  const r = run(NODE, [path.join(SHARED, 'mosaic-quality.mjs'), path.join(CORPUS, 'targets', file), jpg]);
  if (!r.ok) die(`mosaic-quality failed on ${jpg}:\n${r.stderr}`);
  const q = JSON.parse(r.stdout);
  return { dE: q.full.deltaE2000_mean, ssim: q.full.ssim_luma, dEc: q.coarse.deltaE2000_mean };
}

const info = machineInfo();
const lines = [...headerLines(info), `corpus fingerprint ${fingerprint.slice(0, 12)}; renders in ${out}`, ''];
log(`photos: ${nPhotos} of tiles-large, in corpus order`);
const photos = await photoSet(library.slice(0, nPhotos));

const costRows = [];
const scoreRows = [];
const timesLook = [];
const timesGreedy = [];
for (const file of targets) {
  const name = path.basename(file, '.jpg');
  const cells = await cellsOf(file, COLS, ROWS);
  log(`${name}: look-ahead, greedy, optimum ...`);
  const look = fill(cells.features, photos.features, true);
  const greedy = fill(cells.features, photos.features, false);
  timesLook.push(...look.ms);
  timesGreedy.push(...greedy.ms);
  const n = Math.min(photos.features.count, cells.features.count);
  const matrix = costMatrix(cells.features, { ...photos.features, count: n });
  const opt = assignment(matrix, n, cells.features.count);
  const best = opt.cost / n;
  costRows.push([
    name,
    fmt(best, 0),
    fmt(look.cost, 0),
    `+${fmt((look.cost / best - 1) * 100, 1)} %`,
    fmt(greedy.cost, 0),
    `+${fmt((greedy.cost / best - 1) * 100, 1)} %`,
  ]);
  const row = [name];
  for (const tone of TONES) {
    const s = await score(file, cells, photos.small, look.cellOf, tone, 'lookahead');
    row.push(`${fmt(s.dE)} / ${fmt(s.ssim, 3)} / ${fmt(s.dEc)}`);
  }
  const g = await score(file, cells, photos.small, greedy.cellOf, DEFAULT_TONE, 'greedy');
  const o = await score(file, cells, photos.small, opt.column, DEFAULT_TONE, 'optimum');
  row.push(`${fmt(g.dE)} / ${fmt(g.ssim, 3)}`, `${fmt(o.dE)} / ${fmt(o.ssim, 3)}`);
  scoreRows.push(row);
}

lines.push(
  `Mean cell cost (the placer's feature distance; lower is better), ${COLS}×${ROWS} wall, ${nPhotos} photos:`,
  '',
  mdTable(['target', 'optimum', 'look-ahead', 'vs optimum', 'greedy', 'vs optimum'], costRows),
  '',
  `mosaic-quality of the rendered walls: ΔE2000 mean / SSIM (full) / ΔE2000 (coarse 128 px); greedy and optimum at tone ${DEFAULT_TONE}:`,
  '',
  mdTable(['target', ...TONES.map((t) => `look-ahead, tone ${t}`), `greedy ΔE / SSIM`, `optimum ΔE / SSIM`], scoreRows),
  '',
  mdTable(
    ['placement time per photo', 'median ms', 'p99 ms', 'max ms'],
    [
      [
        `look-ahead, ${COLS * ROWS} cells`,
        fmt(median(timesLook), 3),
        fmt(percentile(timesLook, 0.99), 2),
        fmt(Math.max(...timesLook), 1),
      ],
      [
        `greedy, ${COLS * ROWS} cells`,
        fmt(median(timesGreedy), 3),
        fmt(percentile(timesGreedy, 0.99), 2),
        fmt(Math.max(...timesGreedy), 1),
      ],
    ],
  ),
);

if (!argv.includes('--no-big')) {
  const file = targets[0];
  const target = await imaging.read(fs.readFileSync(path.join(CORPUS, 'targets', file)), { maxSide: 4096 });
  const cols = 200;
  const { rows } = wallGrid(target.width, target.height, { cols, rows: Math.round(bigCells / cols) });
  const cells = targetCells(target, { cols, rows, cell: 1, width: cols, height: rows });
  const variants = ['as is', 'mirror', 'flip'].slice(0, Math.ceil(cells.features.count / library.length));
  log(`big wall: ${cols}×${rows} of ${file}, ${library.length}×${variants.length} photos ...`);
  const big = await photoSet(library, variants);
  const rowsOut = [];
  for (const lookahead of [true, false]) {
    const r = fill(cells.features, big.features, lookahead);
    rowsOut.push([
      `${lookahead ? 'look-ahead' : 'greedy'}, ${cells.features.count} cells`,
      fmt(median(r.ms), 3),
      fmt(percentile(r.ms, 0.99), 2),
      fmt(Math.max(...r.ms), 1),
      fmt(r.ms.reduce((a, b) => a + b, 0) / 1000, 1),
      fmt(r.cost, 0),
    ]);
    if (lookahead)
      fs.writeFileSync(
        path.join(out, 'big-placement.json'),
        JSON.stringify({ target: file, cols, rows, cellOf: [...r.cellOf] }),
      );
  }
  lines.push(
    '',
    `Big wall: ${cols}×${rows} = ${cells.features.count} cells of ${path.basename(file, '.jpg')}, filled completely:`,
    '',
    mdTable(['placement time per photo', 'median ms', 'p99 ms', 'max ms', 'whole fill s', 'mean cost'], rowsOut),
  );
}
console.log(lines.join('\n'));
