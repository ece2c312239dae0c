import { sharedFloat32, sharedInt32 } from './shared.js';
import type { FeatureSet } from './types.js';

/** Nearest entries found for one query, closest first. */
export type Neighbours = { count: number; tiles: Int32Array; dist: Float32Array };

/**
 * Weights of L, a and b in the distance. Lightness counts 1.5× because the eye (and SSIM) reads
 * structure from it; bench/RESULTS.md has the measurements behind the choice.
 */
export const DEFAULT_LAB_WEIGHTS: readonly [number, number, number] = [1.5, 1, 1];

/** Everything a built index is made of: plain typed arrays, so worker threads can share them. */
export type IndexParts = {
  count: number;
  dims: number;
  grid: number;
  weights: Float64Array;
  perm: Int32Array;
  vecs: Float32Array;
  /** The first HEAD_DIMS dimensions of each vector again, packed: most vectors are rejected on these alone. */
  head: Float32Array;
  tail: Float32Array;
  order: Int32Array;
  tree: KdTree;
};

/** A k-d tree as flat arrays; node 0 is the root, leaves have `left = -1`. */
export type KdTree = {
  dim: Int32Array;
  split: Float32Array;
  left: Int32Array;
  right: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
};

const LEAF_SIZE = 32;
/** Split only on the leading dimensions: after the variance ordering they hold most of the spread. */
const SPLIT_DIMS = 6;
/** Dimensions summed before the tail-norm bound is tried. */
const HEAD_DIMS = 4;
/** Names this build's index layout: a saved index of another layout is built afresh (see index-file.ts). */
export const INDEX_LAYOUT = `dct-kd leaf ${LEAF_SIZE} split ${SPLIT_DIMS} head ${HEAD_DIMS} weights ${DEFAULT_LAB_WEIGHTS.join(',')}`;

/** Orthonormal DCT-II matrix of size n: rows are frequencies. */
function dctMatrix(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    const a = Math.sqrt((u === 0 ? 1 : 2) / n);
    for (let x = 0; x < n; x++) m[u * n + x] = a * Math.cos((Math.PI * (2 * x + 1) * u) / (2 * n));
  }
  return m;
}

/** Per-channel weighted 2-D DCT of one grid×grid×3 vector (an orthonormal rotation, then scaling). */
function rotate(
  m: Float64Array,
  n: number,
  w: Float64Array,
  src: Float32Array,
  at: number,
  out: Float64Array,
  t: Float64Array,
): void {
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
        out[(u * n + v) * 3 + c] = s * w[c];
      }
    }
  }
}

/**
 * Exact k-nearest-neighbour search over tile features (weighted squared Euclidean distance in
 * CIELAB over each sub-cell).
 *
 * Each vector is turned by a per-channel 2-D DCT (orthonormal, so distances are kept) and its
 * dimensions are ordered by their variance over the library: most of a distance then sits in the
 * first few dimensions. A k-d tree over the leading dimensions is searched depth-first with the
 * incremental box distance of Arya & Mount; each visited vector is rejected as early as possible:
 * after its first dimensions, by the norm of the rest (|a−b| ≥ ||a|−|b||), or part-way through
 * the sum. The answers are those of a brute-force scan.
 *
 * @example
 * const index = TileIndex.build(library);
 * const q = index.transform(cells.features.data, 0);
 * const found = index.nearest(q, 12);
 */
export class TileIndex {
  readonly count: number;
  readonly dims: number;
  private readonly p: IndexParts;
  private readonly dct: Float64Array;
  private readonly off: Float64Array;
  private readonly scratch: Float64Array;
  private readonly scratch2: Float64Array;
  private positionOf: Int32Array | undefined;
  // The search in progress lives in fields: closures over mutable locals are slower.
  private q: Float32Array = new Float32Array(0);
  private qTail = 0;
  private k = 0;
  private n = 0;
  private worst = Infinity;
  private budget = Infinity;
  private accept: ((entry: number) => boolean) | undefined;
  private out: Neighbours = { count: 0, tiles: new Int32Array(0), dist: new Float32Array(0) };

  private constructor(parts: IndexParts) {
    this.p = parts;
    this.count = parts.count;
    this.dims = parts.dims;
    this.dct = dctMatrix(parts.grid);
    this.off = new Float64Array(parts.dims);
    this.scratch = new Float64Array(parts.dims);
    this.scratch2 = new Float64Array(parts.grid * parts.grid);
  }

  /** Builds the index: O(n·d) for the rotation and O(n log n) for the tree. */
  static build(features: FeatureSet, weights: readonly number[] = DEFAULT_LAB_WEIGHTS): TileIndex {
    const { count, dims, grid, data } = features;
    const w = Float64Array.from(weights);
    const m = dctMatrix(grid);
    const raw = new Float64Array(count * dims);
    const one = new Float64Array(dims);
    const t = new Float64Array(grid * grid);
    for (let i = 0; i < count; i++) {
      rotate(m, grid, w, data, i * dims, one, t);
      raw.set(one, i * dims);
    }
    const variance = new Float64Array(dims);
    const mean = new Float64Array(dims);
    for (let i = 0; i < count; i++) for (let j = 0; j < dims; j++) mean[j] += raw[i * dims + j] / count;
    for (let i = 0; i < count; i++) for (let j = 0; j < dims; j++) variance[j] += (raw[i * dims + j] - mean[j]) ** 2;
    const perm = Int32Array.from({ length: dims }, (_, j) => j).sort((a, b) => variance[b] - variance[a] || a - b);
    const rot = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) for (let k = 0; k < dims; k++) rot[i * dims + k] = raw[i * dims + perm[k]];
    const order = sharedInt32(count);
    for (let i = 0; i < count; i++) order[i] = i;
    const tree = buildTree(rot, dims, order);
    // The store is kept in tree order so a leaf's vectors sit side by side in memory.
    const vecs = sharedFloat32(count * dims);
    const head = sharedFloat32(count * HEAD_DIMS);
    const tail = sharedFloat32(count);
    for (let p = 0; p < count; p++) {
      vecs.set(rot.subarray(order[p] * dims, (order[p] + 1) * dims), p * dims);
      head.set(rot.subarray(order[p] * dims, order[p] * dims + HEAD_DIMS), p * HEAD_DIMS);
      let t = 0;
      for (let j = HEAD_DIMS; j < dims; j++) t += vecs[p * dims + j] ** 2;
      tail[p] = Math.sqrt(t);
    }
    return new TileIndex({ count, dims, grid, weights: w, perm, vecs, head, tail, order, tree });
  }

  /** The arrays of a built index, to hand to another thread. */
  parts(): IndexParts {
    return this.p;
  }

  /** An index from another's parts (the arrays are used as they are, not copied). */
  static fromParts(parts: IndexParts): TileIndex {
    return new TileIndex(parts);
  }

  /** Brings one feature vector (e.g. a target cell's) into the index's space. */
  transform(features: Float32Array, at: number, out: Float32Array = new Float32Array(this.dims)): Float32Array {
    rotate(this.dct, this.p.grid, this.p.weights, features, at, this.scratch, this.scratch2);
    for (let k = 0; k < this.dims; k++) out[k] = this.scratch[this.p.perm[k]];
    return out;
  }

  /**
   * The `k` entries nearest to the transformed query `q`, closest first. `hint` entries (say, the
   * previous cell's answer) are scored first so the search starts with a tight bound; `accept`
   * leaves entries out of the answer.
   */
  nearest(
    q: Float32Array,
    k: number,
    opts: { hint?: ArrayLike<number>; accept?: (entry: number) => boolean; into?: Neighbours; budget?: number } = {},
  ): Neighbours {
    const out = opts.into ?? { count: 0, tiles: new Int32Array(k), dist: new Float32Array(k) };
    let qt = 0;
    for (let j = HEAD_DIMS; j < this.dims; j++) qt += q[j] * q[j];
    this.q = q;
    this.qTail = Math.sqrt(qt);
    this.k = Math.min(k, out.tiles.length);
    this.n = 0;
    this.worst = Infinity;
    this.accept = opts.accept;
    this.out = out;
    const hint = opts.hint;
    if (hint) {
      const pos = (this.positionOf ??= this.positions());
      for (let h = 0; h < hint.length; h++) this.consider(pos[hint[h]]);
    }
    this.off.fill(0);
    this.budget = opts.budget ?? Infinity;
    if (this.count > 0) this.visit(0, 0);
    this.accept = undefined;
    out.count = this.n;
    return out;
  }

  /** Where each entry sits in the tree-ordered store. */
  private positions(): Int32Array {
    const pos = new Int32Array(this.count);
    for (let p = 0; p < this.count; p++) pos[this.p.order[p]] = p;
    return pos;
  }

  private visit(node: number, rd: number): void {
    const t = this.p.tree;
    if (this.budget <= 0) return;
    if (t.left[node] < 0) {
      const end = t.hi[node];
      this.budget -= end - t.lo[node];
      this.scanLeaf(t.lo[node], end);
      return;
    }
    const d = t.dim[node];
    const diff = this.q[d] - t.split[node];
    this.visit(diff < 0 ? t.left[node] : t.right[node], rd);
    const old = this.off[d];
    const farRd = rd - old * old + diff * diff;
    if (farRd < this.worst) {
      this.off[d] = diff;
      this.visit(diff < 0 ? t.right[node] : t.left[node], farRd);
      this.off[d] = old;
    }
  }

  /**
   * Scores the vectors at positions lo..hi-1. Most are rejected on their first HEAD_DIMS
   * dimensions, so that test runs here, in one loop over the packed heads, and only the rest
   * are scored in full.
   */
  private scanLeaf(lo: number, hi: number): void {
    const q = this.q;
    const head = this.p.head;
    const q0 = q[0];
    const q1 = q[1];
    const q2 = q[2];
    const q3 = q[3];
    let worst = this.worst;
    for (let p = lo; p < hi; p++) {
      const h = p * HEAD_DIMS;
      const d0 = q0 - head[h];
      const d1 = q1 - head[h + 1];
      const d2 = q2 - head[h + 2];
      const d3 = q3 - head[h + 3];
      if (d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 < worst) {
        this.consider(p);
        worst = this.worst;
      }
    }
  }

  private consider(p: number): void {
    const q = this.q;
    const head = this.p.head;
    const worst = this.worst;
    const h = p * HEAD_DIMS;
    const d0 = q[0] - head[h];
    const d1 = q[1] - head[h + 1];
    const d2 = q[2] - head[h + 2];
    const d3 = q[3] - head[h + 3];
    let s = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
    if (s >= worst) return;
    const gap = this.qTail - this.p.tail[p];
    if (s + gap * gap >= worst) return;
    const entry = this.p.order[p];
    // A filter is asked before the rest of the distance: a placement's search for an allowed tile
    // meets mostly tiles it must refuse, and the rule is cheaper to check than 40-odd dimensions.
    if (this.accept !== undefined && !this.accept(entry)) return;
    const vecs = this.p.vecs;
    const dims = this.dims;
    const base = p * dims;
    for (let j = HEAD_DIMS; j < dims; j++) {
      const d = q[j] - vecs[base + j];
      s += d * d;
      if (s >= worst) return;
    }
    const { dist, tiles } = this.out;
    // A hint may be met again in the tree: keep each entry once.
    for (let i = 0; i < this.n; i++) if (tiles[i] === entry) return;
    const k = this.k;
    let i = this.n < k ? this.n++ : k - 1;
    while (i > 0 && dist[i - 1] > s) {
      dist[i] = dist[i - 1];
      tiles[i] = tiles[i - 1];
      i--;
    }
    dist[i] = s;
    tiles[i] = entry;
    if (this.n === k) this.worst = dist[k - 1];
  }
}

function buildTree(vecs: Float32Array, dims: number, order: Int32Array): KdTree {
  const maxNodes = Math.max(1, 4 * Math.ceil(order.length / LEAF_SIZE) + 1);
  const t: KdTree = {
    dim: sharedInt32(maxNodes),
    split: sharedFloat32(maxNodes),
    left: sharedInt32(maxNodes).fill(-1),
    right: sharedInt32(maxNodes).fill(-1),
    lo: sharedInt32(maxNodes),
    hi: sharedInt32(maxNodes),
  };
  let nodes = 0;
  const splitDims = Math.min(SPLIT_DIMS, dims);
  const build = (lo: number, hi: number): number => {
    const node = nodes++;
    t.lo[node] = lo;
    t.hi[node] = hi;
    if (hi - lo <= LEAF_SIZE) return node;
    let best = 0;
    let bestSpread = -1;
    for (let d = 0; d < splitDims; d++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let p = lo; p < hi; p++) {
        const v = vecs[order[p] * dims + d];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx - mn > bestSpread) {
        bestSpread = mx - mn;
        best = d;
      }
    }
    const mid = (lo + hi) >>> 1;
    select(order, lo, hi - 1, mid, (i) => vecs[i * dims + best]);
    t.dim[node] = best;
    t.split[node] = vecs[order[mid] * dims + best];
    t.left[node] = build(lo, mid);
    t.right[node] = build(mid, hi);
    return node;
  };
  build(0, order.length);
  return t;
}

/** Quickselect: puts the element of rank `k` at `k`, smaller ones before it, larger after. */
function select(a: Int32Array, lo: number, hi: number, k: number, key: (i: number) => number): void {
  while (hi > lo) {
    const pivot = key(a[(lo + hi) >>> 1]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(a[i]) < pivot) i++;
      while (key(a[j]) > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
