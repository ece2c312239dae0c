import { seededRandom } from '../random.js';
import { transportSteps, transportWork } from './transport.js';
import { DEFAULT_LAB_WEIGHTS } from '../search.js';
import type { FeatureSet } from '../types.js';

/**
 * How a photo fits a cell: the squared distance between their features (the engine's 5×5 Lab
 * grids), with L, a and b weighted as the engine's tile search weighs them.
 * @example cellCost(cells.data, 93 * 75, photo, 75)
 */
export function cellCost(
  cells: Float32Array,
  at: number,
  photo: Float32Array,
  dims: number,
  weights: readonly number[] = DEFAULT_LAB_WEIGHTS,
): number {
  const w0 = weights[0] ** 2;
  const w1 = weights[1] ** 2;
  const w2 = weights[2] ** 2;
  let s = 0;
  for (let k = 0; k < dims; k += 3) {
    const dl = cells[at + k] - photo[k];
    const da = cells[at + k + 1] - photo[k + 1];
    const db = cells[at + k + 2] - photo[k + 2];
    s += w0 * dl * dl + w1 * da * da + w2 * db * db;
  }
  return s;
}

/**
 * The cost of every (photo, cell) pair, photos as rows: what the offline optimum and the
 * benchmarks compare placements on.
 * @example costMatrix(cells, photos) // Float32Array(photos.count * cells.count)
 */
export function costMatrix(cells: FeatureSet, photos: FeatureSet): Float32Array {
  const out = new Float32Array(photos.count * cells.count);
  const photo = new Float32Array(photos.dims);
  for (let p = 0; p < photos.count; p++) {
    photo.set(photos.data.subarray(p * photos.dims, (p + 1) * photos.dims));
    for (let c = 0; c < cells.count; c++)
      out[p * cells.count + c] = cellCost(cells.data, c * cells.dims, photo, cells.dims);
  }
  return out;
}

export type PlacerOptions = {
  /**
   * Look ahead: keep the cells that many photos would fit for the photos that fit nothing else.
   * False places each photo in its best free cell (greedy), as the 2015-era walls do.
   */
  lookahead: boolean;
  /** Photos kept as the sample of what is still to come (more: slower updates, barely better). */
  sampleSize: number;
  /** Seed of the sample's reservoir, so a replayed wall decides the same way. */
  seed: number;
};
export const DEFAULT_PLACER_OPTIONS: PlacerOptions = { lookahead: true, sampleSize: 256, seed: 1 };

/**
 * Online assignment of photos to the cells of a wall, one photo at a time, each to a free cell.
 *
 * Greedy (each photo takes its best free cell) spends the cells that suit many photos on the first
 * photos of the night, and the last photos get whatever is left, however bad. The look-ahead
 * treats the photos seen so far as a sample of those still to come and prices each free cell by
 * how much that future wants it: it solves, on the sample, the dual of the transport from the
 * photos to the free cells (each sample photo standing for free/sample of the photos to come),
 * entropic and solved by Sinkhorn's iterations. A photo then goes to the cell minimising cost − price: a contested cell
 * must be fitted clearly better than the future would fit it, and a cell nobody else wants is
 * cheap. Prices are updated as the sample grows and cells fill (about 64 times over a wall), so
 * one placement is one pass over the free cells.
 */
/** Photos seen before the look-ahead starts pricing cells. */
const MIN_SAMPLE = 32;

export class WallPlacer {
  private readonly taken: Uint8Array;
  private free: number;
  private readonly prices: Float64Array;
  private readonly sample: Float32Array;
  private sampled = 0;
  private seen = 0;
  private sinceUpdate = 0;
  private job: PriceJob | undefined;
  private readonly random: () => number;
  private readonly opts: PlacerOptions;

  constructor(
    private readonly cells: FeatureSet,
    opts: Partial<PlacerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_PLACER_OPTIONS, ...opts };
    this.taken = new Uint8Array(cells.count);
    this.free = cells.count;
    this.prices = new Float64Array(cells.count);
    this.sample = new Float32Array(this.opts.sampleSize * cells.dims);
    this.random = seededRandom(this.opts.seed);
  }

  get dims(): number {
    return this.cells.dims;
  }

  get freeCells(): number {
    return this.free;
  }

  isFree(cell: number): boolean {
    return this.taken[cell] === 0;
  }

  cost(photo: Float32Array, cell: number): number {
    return cellCost(this.cells.data, cell * this.cells.dims, photo, this.cells.dims);
  }

  /** The free cell this photo should take and its cost, without taking it; undefined when the wall is full. */
  choose(photo: Float32Array): { cell: number; cost: number } | undefined {
    if (this.free === 0) return undefined;
    const { count, dims, data } = this.cells;
    let best = -1;
    let bestScore = Infinity;
    let bestCost = 0;
    for (let c = 0; c < count; c++) {
      if (this.taken[c]) continue;
      const cost = cellCost(data, c * dims, photo, dims);
      const score = cost - this.prices[c];
      if (score < bestScore) {
        bestScore = score;
        best = c;
        bestCost = cost;
      }
    }
    return { cell: best, cost: bestCost };
  }

  /**
   * Marks `cell` as taken by this photo: a placement made now, or (`replaying`) one read back from
   * the wall's log, which defers the price updates to `refresh()`.
   */
  take(cell: number, photo: Float32Array, replaying = false): void {
    if (this.taken[cell]) throw new RangeError(`cell ${cell} is already taken`);
    this.taken[cell] = 1;
    this.free--;
    this.remember(photo);
    if (!replaying && this.opts.lookahead) this.advance();
  }

  /**
   * Brings the prices up to date with the sample and the free cells (after a replay): at once on
   * a small wall; on a big one spread over the next placements, so a placer taking over a big
   * wall starts at once instead of after seconds of pricing.
   */
  refresh(): void {
    if (!this.opts.lookahead) return;
    this.sinceUpdate = 0;
    this.job = this.priceJob();
    if (this.job && this.job.work <= ONE_STEP_WORK) this.finish(Infinity);
  }

  /** Frees a cell (a photo removed by moderation). */
  release(cell: number): void {
    if (!this.taken[cell]) return;
    this.taken[cell] = 0;
    this.free++;
  }

  /** Updates of the prices come often while the sample is small, then every 1/64 of the wall. */
  private updateEvery(): number {
    return Math.max(1, Math.min(this.sampled, Math.ceil(this.cells.count / 64)));
  }

  /** A uniform sample of every photo seen (reservoir sampling). */
  private remember(photo: Float32Array): void {
    const dims = this.cells.dims;
    this.seen++;
    let slot = this.sampled;
    if (this.sampled < this.opts.sampleSize) this.sampled++;
    else {
      slot = Math.floor(this.random() * this.seen);
      if (slot >= this.opts.sampleSize) return;
    }
    this.sample.set(photo.subarray(0, dims), slot * dims);
  }

  /**
   * Moves the price update on: one is started every `updateEvery()` placements, and a large one
   * (a big wall: seconds of work) is spread over the placements until the next is due, so no
   * single photo waits for it. Its prices, from the free cells and sample as they were when it
   * started, replace the old ones when it is done.
   */
  private advance(): void {
    this.sinceUpdate++;
    if (this.job) this.finish(this.job.work / this.updateEvery());
    if (!this.job && this.sinceUpdate >= this.updateEvery()) this.refresh();
  }

  /** Does up to `budget` units of the running update's work; applies its prices when it is done. */
  private finish(budget: number): void {
    const job = this.job!;
    for (let done = 0; done < budget;) {
      const step = job.steps.next();
      if (step.done) {
        const { free, g, scale } = job;
        for (let j = 0; j < free.length; j++) if (!this.taken[free[j]]) this.prices[free[j]] = g[j] * scale;
        this.job = undefined;
        return;
      }
      done += step.value;
    }
  }

  /** A price update from the transport of the sample onto the free cells (see transportPrices). */
  private priceJob(): PriceJob | undefined {
    const m = this.sampled;
    const { count, dims } = this.cells;
    const free: number[] = [];
    for (let c = 0; c < count; c++) if (!this.taken[c]) free.push(c);
    const f = free.length;
    // A handful of photos says little of the night: prices from them would send the next photos
    // to the far corners of the colour space. Until the sample has grown, photos go greedily.
    if (f === 0 || m < Math.min(MIN_SAMPLE, this.cells.count / 8)) return undefined;
    const job = { free, g: new Float64Array(f), scale: 1, work: transportWork(m, f) + m * f } as PriceJob;
    job.steps = this.priceSteps(job, this.sample.slice(0, m * dims), m);
    return job;
  }

  private *priceSteps(job: PriceJob, sample: Float32Array, m: number): Generator<number> {
    const { dims, data } = this.cells;
    const { free, g } = job;
    const f = free.length;
    const costs = new Float32Array(m * f);
    let scale = 0;
    for (let s = 0; s < m; s++) {
      const photo = sample.subarray(s * dims, (s + 1) * dims);
      let min = Infinity;
      for (let j = 0; j < f; j++) {
        const v = cellCost(data, free[j] * dims, photo, dims);
        costs[s * f + j] = v;
        if (v < min) min = v;
      }
      scale += min / m;
      yield f;
    }
    let mean = 0;
    for (let k = 0; k < costs.length; k++) mean += costs[k] / costs.length;
    scale = Math.max(scale, mean / 100, 1e-6);
    for (let k = 0; k < costs.length; k++) costs[k] /= scale;
    for (let j = 0; j < f; j++) g[j] = this.prices[free[j]] / scale;
    job.scale = scale;
    yield* transportSteps(costs, m, f, g);
  }
}

/** An update of the prices under way: the free cells it prices, their new prices, and its steps. */
type PriceJob = { free: number[]; g: Float64Array; scale: number; work: number; steps: Generator<number> };

/** Updates smaller than this (a small wall, or early in the night) are done at once: a few ms. */
const ONE_STEP_WORK = 2e6;
