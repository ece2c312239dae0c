import type { FeatureSet } from './types.js';

/** Nearest tiles found for one query, closest first. */
export type Neighbours = { count: number; tiles: Int32Array; dist: Float32Array };

/** Orthonormal DCT-II matrix of size n: rows are frequencies. */
function dctMatrix(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    const a = Math.sqrt((u === 0 ? 1 : 2) / n);
    for (let x = 0; x < n; x++) m[u * n + x] = a * Math.cos((Math.PI * (2 * x + 1) * u) / (2 * n));
  }
  return m;
}

/**
 * Exact k-nearest-neighbour search over tile features (squared Euclidean distance in CIELAB).
 *
 * Each vector is rotated by a per-channel 2-D DCT (orthonormal, so distances are unchanged) and
 * its dimensions are ordered by their variance over the library. Most of the distance then sits
 * in the first few dimensions, so a partial sum passes the current k-th best after a handful of
 * terms and the rest is skipped. Tiles are also sorted by the first dimension (5× the mean
 * lightness) and scanned outwards from the query's value, stopping in each direction once that
 * one dimension alone is too far. The answers are the same as a brute-force scan's.
 *
 * @example
 * const index = TileIndex.build(library);
 * const q = index.transform(cells.features.data, 0);
 * const found = index.nearest(q, 32);
 */
export class TileIndex {
  readonly count: number;
  readonly dims: number;
  private readonly grid: number;
  private readonly dct: Float64Array;
  private readonly perm: Int32Array;
  private readonly vecs: Float32Array;
  private readonly key: Float32Array;
  private readonly order: Int32Array;
  private readonly seen: Int32Array;
  private stamp = 0;
  private readonly tmp: Float64Array;

  private constructor(features: FeatureSet) {
    const { count, dims, grid, data } = features;
    this.count = count;
    this.dims = dims;
    this.grid = grid;
    this.dct = dctMatrix(grid);
    this.tmp = new Float64Array(dims);
    this.perm = new Int32Array(dims);
    for (let j = 0; j < dims; j++) this.perm[j] = j;
    // Rotate everything once, then order dimensions by variance (first: the DC terms).
    const raw = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) this.rotate(data, i * dims, raw, i * dims);
    const mean = new Float64Array(dims);
    const sq = new Float64Array(dims);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < dims; j++) {
        const v = raw[i * dims + j];
        mean[j] += v;
        sq[j] += v * v;
      }
    }
    const variance = Array.from({ length: dims }, (_, j) => sq[j] / Math.max(1, count) - (mean[j] / Math.max(1, count)) ** 2);
    const byVariance = Array.from({ length: dims }, (_, j) => j).sort((a, b) => variance[b] - variance[a] || a - b);
    byVariance.forEach((j, k) => (this.perm[k] = j));
    // Sort tiles by their first (largest-variance) dimension and store vectors in that order.
    const first = this.perm[0];
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => raw[a * dims + first] - raw[b * dims + first] || a - b);
    this.order = Int32Array.from(order);
    this.vecs = new Float32Array(count * dims);
    this.key = new Float32Array(count);
    for (let p = 0; p < count; p++) {
      const i = order[p];
      for (let k = 0; k < dims; k++) this.vecs[p * dims + k] = raw[i * dims + this.perm[k]];
      this.key[p] = this.vecs[p * dims];
    }
    this.seen = new Int32Array(count);
  }

  /** Builds the index; O(n·d) plus a sort. */
  static build(features: FeatureSet): TileIndex {
    return new TileIndex(features);
  }

  /** Per-channel 2-D DCT of one grid×grid×3 vector, unpermuted. */
  private rotate(src: Float32Array, at: number, out: Float32Array, outAt: number): void {
    const n = this.grid;
    const m = this.dct;
    const t = this.tmp;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < n; y++) {
        for (let v = 0; v < n; v++) {
          let s = 0;
          for (let x = 0; x < n; x++) s += m[v * n + x] * src[at + (y * n + x) * 3 + c];
          t[y * n + v] = s;
        }
      }
      for (let u = 0; u < n; u++) {
        for (let v = 0; v < n; v++) {
          let s = 0;
          for (let y = 0; y < n; y++) s += m[u * n + y] * t[y * n + v];
          out[outAt + (u * n + v) * 3 + c] = s;
        }
      }
    }
  }

  /** Brings one feature vector (e.g. a target cell's) into the index's space. */
  transform(features: Float32Array, at: number, out = new Float32Array(this.dims)): Float32Array {
    const raw = new Float32Array(this.dims);
    this.rotate(features, at, raw, 0);
    for (let k = 0; k < this.dims; k++) out[k] = raw[this.perm[k]];
    return out;
  }

  /** Exact squared distance between a transformed query and a tile, by tile number. */
  distanceTo(q: Float32Array, tile: number, positionOf: Int32Array): number {
    const base = positionOf[tile] * this.dims;
    let s = 0;
    for (let k = 0; k < this.dims; k++) {
      const d = q[k] - this.vecs[base + k];
      s += d * d;
    }
    return s;
  }

  /** Where each tile number sits in the sorted store (for `distanceTo`). */
  positions(): Int32Array {
    const pos = new Int32Array(this.count);
    for (let p = 0; p < this.count; p++) pos[this.order[p]] = p;
    return pos;
  }

  /**
   * The `k` tiles nearest to the transformed query `q`, closest first. `hint` tiles (say, the
   * previous cell's answer) are scored first so the search starts with a tight bound; `accept`
   * leaves tiles out of the answer.
   */
  nearest(
    q: Float32Array,
    k: number,
    opts: { hint?: ArrayLike<number>; hintCount?: number; accept?: (tile: number) => boolean; into?: Neighbours } = {},
  ): Neighbours {
    const { count, dims, vecs, key, order, seen } = this;
    const out = opts.into ?? { count: 0, tiles: new Int32Array(k), dist: new Float32Array(k) };
    const tiles = out.tiles;
    const dist = out.dist;
    const accept = opts.accept;
    let n = 0;
    let worst = Infinity;
    const stamp = ++this.stamp;
    if (stamp === 0x7fffffff) {
      seen.fill(0);
      this.stamp = 1;
    }
    const consider = (p: number): void => {
      seen[p] = this.stamp;
      const tile = order[p];
      if (accept && !accept(tile)) return;
      const base = p * dims;
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = q[j] - vecs[base + j];
        s += d * d;
        if (s >= worst) return;
      }
      // Insert into the sorted top-k list.
      let i = n < k ? n++ : k - 1;
      while (i > 0 && dist[i - 1] > s) {
        dist[i] = dist[i - 1];
        tiles[i] = tiles[i - 1];
        i--;
      }
      dist[i] = s;
      tiles[i] = tile;
      if (n === k) worst = dist[k - 1];
    };
    const hint = opts.hint;
    if (hint) {
      const pos = this.hintPositions ?? (this.hintPositions = this.positions());
      const hc = opts.hintCount ?? hint.length;
      for (let h = 0; h < hc; h++) {
        const p = pos[hint[h]];
        if (seen[p] !== this.stamp) consider(p);
      }
    }
    // Binary search for the query's place on the first dimension, then walk outwards.
    const q0 = q[0];
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key[mid] < q0) lo = mid + 1;
      else hi = mid;
    }
    let down = lo - 1;
    let up = lo;
    while (down >= 0 || up < count) {
      const dd = down >= 0 ? q0 - key[down] : Infinity;
      const du = up < count ? key[up] - q0 : Infinity;
      if (dd <= du) {
        if (dd * dd >= worst) break;
        if (seen[down] !== this.stamp) consider(down);
        down--;
      } else {
        if (du * du >= worst) break;
        if (seen[up] !== this.stamp) consider(up);
        up++;
      }
    }
    out.count = n;
    return out;
  }

  private hintPositions: Int32Array | undefined;
}
