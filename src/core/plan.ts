import { MosaicError } from './errors.js';
import { checkInt, checkNumber } from './options.js';
import { shuffled } from './random.js';
import { TileIndex, type Neighbours } from './search.js';
import type { FeatureSet, MosaicPlan, PlanOptions, TargetCells } from './types.js';

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  distance: 5,
  maxUses: 0,
  seed: 1,
  reusePenalty: 0.02,
  candidates: 48,
  passes: 2,
};

/** Checks plan options sharp-style and fills in defaults. */
export function planOptions(opts: Partial<PlanOptions> = {}): PlanOptions {
  const o = { ...DEFAULT_PLAN_OPTIONS, ...opts };
  return {
    distance: checkInt('distance', o.distance, 0, 1000),
    maxUses: checkInt('maxUses', o.maxUses, 0, 1e9),
    seed: checkInt('seed', o.seed, 0, 2 ** 32 - 1),
    reusePenalty: checkNumber('reusePenalty', o.reusePenalty, 0, 100),
    candidates: checkInt('candidates', o.candidates, 1, 4096),
    passes: checkInt('passes', o.passes, 0, 20),
  };
}

/**
 * Plans which tile goes in each cell.
 *
 * Every cell gets its `candidates` nearest tiles (exact search, {@link TileIndex}). Cells are then
 * visited in a seeded random order, so no corner is favoured, and each takes the candidate with
 * the lowest cost (distance plus a small penalty per earlier use of the tile) that keeps the
 * distance rule: the same tile never within `distance` cells (Chebyshev) of itself, and never more
 * than `maxUses` times. `passes` more rounds let every cell switch to a better tile now that its
 * neighbours are known; each switch lowers the total cost. When no candidate fits, the nearest
 * allowed tile of the whole library is used; only when none exists is the rule relaxed for that
 * cell (counted in `stats.relaxedCells`). A library too small for the rule anywhere gets a smaller
 * rule up front (`stats.effectiveDistance`). Deterministic for the same inputs and seed.
 *
 * @example const plan = planMosaic(targetCells(photo, grid), library, { distance: 5, seed: 7 });
 */
export function planMosaic(
  cells: TargetCells,
  library: FeatureSet,
  options: Partial<PlanOptions> = {},
  index: TileIndex = TileIndex.build(library),
): MosaicPlan {
  const opts = planOptions(options);
  const { cols, rows } = cells.grid;
  const n = cols * rows;
  const nTiles = library.count;
  if (nTiles === 0) throw new MosaicError('EMPTY_LIBRARY', 'The tile library is empty: add photos to it first');
  if (library.dims !== cells.features.dims) {
    throw new MosaicError('LIBRARY_MISMATCH', `Library features have ${library.dims} values, cells ${cells.features.dims}`);
  }
  const dims = library.dims;
  // A window of (2d+1)² cells needs that many different tiles.
  let distance = opts.distance;
  while (distance > 0 && (2 * distance + 1) ** 2 > nTiles) distance--;
  const maxUses = opts.maxUses > 0 ? Math.max(opts.maxUses, Math.ceil(n / nTiles)) : Infinity;
  const k = Math.min(opts.candidates, nTiles);

  // 1. Candidates per cell, in raster order so each search starts from its neighbour's answer.
  const queries = new Float32Array(n * dims);
  const cand = new Int32Array(n * k);
  const candDist = new Float32Array(n * k);
  const candCount = new Uint16Array(n);
  const found: Neighbours = { count: 0, tiles: new Int32Array(k), dist: new Float32Array(k) };
  const q = new Float32Array(dims);
  for (let c = 0; c < n; c++) {
    index.transform(cells.features.data, c * dims, q);
    queries.set(q, c * dims);
    const hintFrom = c % cols === 0 ? c - cols : c - 1;
    const hint = hintFrom >= 0 ? cand.subarray(hintFrom * k, hintFrom * k + candCount[hintFrom]) : undefined;
    index.nearest(q, k, { hint, into: found });
    cand.set(found.tiles.subarray(0, found.count), c * k);
    candDist.set(found.dist.subarray(0, found.count), c * k);
    candCount[c] = found.count;
  }
  const best = Float32Array.from({ length: n }, (_, c) => candDist[c * k]).sort();
  const penalty = opts.reusePenalty * Math.max(best[n >> 1], 1);

  // 2. Placement. Each tile keeps a linked list of the cells it sits in.
  const tileOf = new Int32Array(n).fill(-1);
  const cost = new Float32Array(n);
  const uses = new Int32Array(nTiles);
  const head = new Int32Array(nTiles).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const link = (c: number, t: number): void => {
    tileOf[c] = t;
    uses[t]++;
    prev[c] = -1;
    next[c] = head[t];
    if (head[t] >= 0) prev[head[t]] = c;
    head[t] = c;
  };
  const unlink = (c: number): number => {
    const t = tileOf[c];
    if (prev[c] >= 0) next[prev[c]] = next[c];
    else head[t] = next[c];
    if (next[c] >= 0) prev[next[c]] = prev[c];
    uses[t]--;
    tileOf[c] = -1;
    return t;
  };
  const fits = (t: number, c: number, d: number): boolean => {
    if (uses[t] >= maxUses) return false;
    const x = c % cols;
    const y = (c - x) / cols;
    for (let o = head[t]; o >= 0; o = next[o]) {
      const ox = o % cols;
      if (Math.abs(ox - x) <= d && Math.abs((o - ox) / cols - y) <= d) return false;
    }
    return true;
  };
  let relaxed = 0;
  const choose = (c: number): void => {
    let bestT = -1;
    let bestCost = Infinity;
    let bestDist = 0;
    for (let i = 0; i < candCount[c]; i++) {
      const t = cand[c * k + i];
      const dd = candDist[c * k + i];
      const total = dd + penalty * uses[t];
      if (total < bestCost && fits(t, c, distance)) {
        bestCost = total;
        bestT = t;
        bestDist = dd;
      }
    }
    const qc = queries.subarray(c * dims, (c + 1) * dims);
    for (let d = distance; bestT < 0 && d >= 0; d--) {
      const r = index.nearest(qc, 1, { accept: (t) => fits(t, c, d) });
      if (r.count > 0) {
        bestT = r.tiles[0];
        bestDist = r.dist[0];
        if (d < distance) relaxed++;
      }
    }
    if (bestT < 0) {
      // Only reachable when every tile is at its use cap: take the nearest regardless.
      bestT = cand[c * k];
      bestDist = candDist[c * k];
      relaxed++;
    }
    link(c, bestT);
    cost[c] = bestDist;
  };
  const order = shuffled(n, opts.seed);
  for (let i = 0; i < n; i++) choose(order[i]);

  // 3. Improvement passes: each cell may switch to a cheaper tile that still keeps the rule.
  for (let pass = 0; pass < opts.passes; pass++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = order[i];
      const t0 = unlink(c);
      let bestT = t0;
      let bestCost = cost[c] + penalty * uses[t0];
      let bestDist = cost[c];
      for (let j = 0; j < candCount[c]; j++) {
        const t = cand[c * k + j];
        if (t === t0) continue;
        const dd = candDist[c * k + j];
        const total = dd + penalty * uses[t];
        if (total < bestCost && fits(t, c, distance)) {
          bestCost = total;
          bestT = t;
          bestDist = dd;
        }
      }
      if (bestT !== t0) changed++;
      link(c, bestT);
      cost[c] = bestDist;
    }
    if (changed === 0) break;
  }

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
    tiles: tileOf,
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
