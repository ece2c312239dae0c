import { MosaicError } from './errors.js';
import { checkInt, checkNumber } from './options.js';
import { shuffled } from './random.js';
import { sharedFloat32, sharedInt32, sharedUint16 } from './shared.js';
import { TileIndex, type Neighbours } from './search.js';
import type { FeatureSet, MosaicPlan, PlanOptions, TargetCells } from './types.js';

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  distance: 5,
  maxUses: 0,
  seed: 1,
  reusePenalty: 0.15,
  candidates: 6,
  variantDistance: 5,
};

/** Checks plan options (each named in its error) and fills in defaults. */
export function planOptions(opts: Partial<PlanOptions> = {}): PlanOptions {
  const o = { ...DEFAULT_PLAN_OPTIONS, ...opts };
  return {
    distance: checkInt('distance', o.distance, 0, 1000),
    maxUses: checkInt('maxUses', o.maxUses, 0, 1e9),
    seed: checkInt('seed', o.seed, 0, 2 ** 32 - 1),
    reusePenalty: checkNumber('reusePenalty', o.reusePenalty, 0, 100),
    candidates: checkInt('candidates', o.candidates, 1, 4096),
    variantDistance: checkInt('variantDistance', o.variantDistance, 0, 1000),
  };
}

/**
 * The nearest `k` entries of each cell, closest first: `tiles[c*k + i]`, `dist[c*k + i]`, and each
 * cell's query in the index's space (`queries[c*dims ...]`), kept for later searches.
 */
export type Candidates = {
  k: number;
  tiles: Int32Array;
  dist: Float32Array;
  count: Uint16Array;
  queries: Float32Array;
};

/** Room for the candidates of `n` cells, on shared memory so worker threads can fill it in place. */
export function candidateSpace(n: number, k: number, dims: number): Candidates {
  return {
    k,
    tiles: sharedInt32(n * k),
    dist: sharedFloat32(n * k),
    count: sharedUint16(n),
    queries: sharedFloat32(n * dims),
  };
}

/**
 * Finds each cell's nearest entries. Cells are visited in raster order so each search starts from
 * its left neighbour's answer, which gives a tight bound at once. `from`/`to` select a range of
 * cells, so the work can be split across threads: the answers go to `into` (room for every cell,
 * see `candidateSpace`) at the cells' own places, or else to a new Candidates for the range alone.
 * @example const cand = findCandidates(cells, TileIndex.build(library), 12);
 */
export function findCandidates(
  cells: TargetCells,
  index: TileIndex,
  k: number,
  from = 0,
  to = cells.features.count,
  into?: Candidates,
): Candidates {
  const dims = cells.features.dims;
  const kk = Math.min(k, index.count);
  const out = into ?? candidateSpace(to - from, kk, dims);
  if (out.k !== kk) throw new Error(`candidate space holds ${out.k} per cell, the search finds ${kk}`);
  const shift = into ? 0 : from;
  const found: Neighbours = { count: 0, tiles: new Int32Array(kk), dist: new Float32Array(kk) };
  const cols = cells.grid.cols;
  for (let c = from; c < to; c++) {
    const i = c - shift;
    const q = index.transform(cells.features.data, c * dims, out.queries.subarray(i * dims, (i + 1) * dims));
    const h = c % cols === 0 ? c - cols : c - 1;
    const hint = h >= from ? out.tiles.subarray((h - shift) * kk, (h - shift) * kk + out.count[h - shift]) : undefined;
    index.nearest(q, kk, { hint, into: found });
    out.tiles.set(found.tiles.subarray(0, found.count), i * kk);
    out.dist.set(found.dist.subarray(0, found.count), i * kk);
    out.count[i] = found.count;
  }
  return out;
}

/** Lists of a tile's cells per band of rows, in all at most this many (4 bytes each). */
const MAX_BAND_LISTS = 4_000_000;

/** Rows per band: the rule's reach, or more when tiles × bands would take too much memory. */
export function bandHeight(distance: number, rows: number, tiles: number): number {
  return Math.max(distance + 1, Math.ceil((rows * tiles) / MAX_BAND_LISTS));
}

/**
 * Plans which entry goes in each cell.
 *
 * The entries are library tiles, possibly in several variants (see `expandVariants`); `tileOf`
 * maps each entry to its library tile, and the rules apply to library tiles. Cells are visited in
 * a seeded random order, so no corner is favoured, and each takes the candidate with the lowest
 * cost (distance plus a small penalty per earlier use of the tile) that keeps the rules: the same
 * tile never within `distance` cells (Chebyshev) of itself, and at most `maxUses` times. (Later
 * passes that let cells switch tiles once their neighbours are known were tried: they lowered the
 * total cost by less than 0.1 %.) When no candidate fits, the nearest allowed entry of the whole library is used; only when none exists is
 * the rule relaxed for that cell (`stats.relaxedCells`). A library of fewer than (d+1)² tiles, too
 * small for the rule anywhere, gets the largest distance it can keep up front
 * (`stats.effectiveDistance`). Deterministic for the same inputs.
 *
 * @example const plan = planMosaic(targetCells(photo, grid), library, { distance: 5, seed: 7 });
 */
export function planMosaic(
  cells: TargetCells,
  entries: FeatureSet,
  options: Partial<PlanOptions> = {},
  index: TileIndex = TileIndex.build(entries),
  tileOf?: Int32Array,
  candidates?: Candidates,
): MosaicPlan {
  const opts = planOptions(options);
  const { cols, rows } = cells.grid;
  const n = cols * rows;
  if (entries.count === 0) throw new MosaicError('EMPTY_LIBRARY', 'The tile library is empty: add photos to it first');
  if (entries.dims !== cells.features.dims) {
    throw new MosaicError(
      'LIBRARY_MISMATCH',
      `Library features have ${entries.dims} values, cells ${cells.features.dims}`,
    );
  }
  const group = tileOf ?? Int32Array.from({ length: entries.count }, (_, i) => i);
  let nTiles = 0;
  for (let e = 0; e < group.length; e++) if (group[e] >= nTiles) nTiles = group[e] + 1;
  // Keeping a tile more than d cells (Chebyshev) from itself takes (d+1)² tiles: a lattice of
  // period d+1. With fewer than the (2d+1)² a free placement may need, each cell takes tiles of
  // its lattice class only, so a repeat always sits a whole period away.
  let distance = opts.distance;
  while (distance > 0 && (distance + 1) ** 2 > nTiles) distance--;
  const period = (2 * distance + 1) ** 2 > nTiles ? distance + 1 : 0;
  const classOf = (c: number): number => ((c % cols) % period) * period + (Math.floor(c / cols) % period);
  const maxUses = opts.maxUses > 0 ? Math.max(opts.maxUses, Math.ceil(n / nTiles)) : Infinity;
  const cand = candidates ?? findCandidates(cells, index, opts.candidates);
  const k = cand.k;
  const dims = entries.dims;
  const best = Float32Array.from({ length: n }, (_, c) => cand.dist[c * k]).sort();
  const penalty = opts.reusePenalty * Math.max(best[n >> 1], 1);

  // Each library tile keeps a linked list of the cells it sits in, one per band of rows: the rule
  // looks at most `distance` rows up and down, so a check walks two or three short lists instead of
  // every use of a popular tile (a sky-blue tile may sit in hundreds of cells).
  const band = bandHeight(distance, rows, nTiles);
  const bands = Math.ceil(rows / band);
  const entryOf = new Int32Array(n).fill(-1);
  const cost = new Float32Array(n);
  const uses = new Int32Array(nTiles);
  const head = new Int32Array(nTiles * bands).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const link = (c: number, e: number): void => {
    const t = group[e];
    const at = t * bands + Math.floor(c / cols / band);
    entryOf[c] = e;
    uses[t]++;
    next[c] = head[at];
    head[at] = c;
  };
  const vd = Math.min(opts.variantDistance, distance);
  const fits = (e: number, c: number, d: number): boolean => {
    const t = group[e];
    if (uses[t] >= maxUses) return false;
    if (period > 1 && t % (period * period) !== classOf(c)) return false;
    const x = c % cols;
    const y = (c - x) / cols;
    const dv = Math.min(vd, d);
    const last = Math.floor(Math.min(rows - 1, y + d) / band);
    for (let b = Math.floor(Math.max(0, y - d) / band); b <= last; b++) {
      for (let o = head[t * bands + b]; o >= 0; o = next[o]) {
        const ox = o % cols;
        const far = entryOf[o] === e ? d : dv;
        if (Math.abs(ox - x) <= far && Math.abs((o - ox) / cols - y) <= far) return false;
      }
    }
    return true;
  };
  // One answer and one filter for every fallback search: a closure per search kept the collector busy.
  const fallback: Neighbours = { count: 0, tiles: new Int32Array(1), dist: new Float32Array(1) };
  let fallbackCell = 0;
  let fallbackDistance = 0;
  const fallbackFits = (e: number): boolean => fits(e, fallbackCell, fallbackDistance);
  let relaxed = 0;
  const choose = (c: number): void => {
    let bestE = -1;
    let bestCost = Infinity;
    let bestDist = 0;
    for (let i = 0; i < cand.count[c]; i++) {
      const e = cand.tiles[c * k + i];
      const dd = cand.dist[c * k + i];
      const total = dd + penalty * uses[group[e]];
      if (total < bestCost && fits(e, c, distance)) {
        bestCost = total;
        bestE = e;
        bestDist = dd;
      }
    }
    for (let d = distance; bestE < 0 && d >= 0; d--) {
      fallbackCell = c;
      fallbackDistance = d;
      const q = cand.queries.subarray(c * dims, (c + 1) * dims);
      const r = index.nearest(q, 1, { accept: fallbackFits, into: fallback });
      if (r.count > 0) {
        bestE = r.tiles[0];
        bestDist = r.dist[0];
        if (d < distance) relaxed++;
      }
    }
    if (bestE < 0) {
      // Only reachable when every tile is at its use cap: take the nearest regardless.
      bestE = cand.tiles[c * k];
      bestDist = cand.dist[c * k];
      relaxed++;
    }
    link(c, bestE);
    cost[c] = bestDist;
  };
  const order = shuffled(n, opts.seed);
  for (let i = 0; i < n; i++) choose(order[i]);

  let distinct = 0;
  let most = 0;
  for (let t = 0; t < nTiles; t++) {
    if (uses[t] > 0) distinct++;
    if (uses[t] > most) most = uses[t];
  }
  let sum = 0;
  for (let c = 0; c < n; c++) sum += cost[c];
  return {
    grid: cells.grid,
    tiles: entryOf,
    cost,
    stats: {
      cells: n,
      distinctTiles: distinct,
      maxUses: most,
      effectiveDistance: distance,
      relaxedCells: relaxed,
      meanCost: sum / n,
    },
  };
}
