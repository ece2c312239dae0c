// Minimum-cost assignment, for the quality bound: within a block of cells that must all hold
// different tiles, no placement can cost less than the cheapest assignment of distinct tiles.

/**
 * Least total cost of giving each of `n` rows a different one of `m` columns (n ≤ m) of the
 * row-major n×m matrix `a`: the Hungarian method with potentials (Kuhn–Munkres, O(n²m)).
 * @example assignmentCost(Float64Array.of(4, 1, 3, 2, 0, 5), 2, 3) // 1 + 2 = 3
 */
export function assignmentCost(a, n, m) {
  return assignment(a, n, m).cost;
}

/**
 * The cheapest assignment itself: `column[i]` is the column given to row i, and its total cost.
 * @example assignment(Float64Array.of(4, 1, 3, 2, 0, 5), 2, 3) // { cost: 3, column: Int32Array [1, 0] }
 */
export function assignment(a, n, m) {
  if (n > m) throw new RangeError(`assignmentCost: ${n} rows need at least as many columns (got ${m})`);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // row given to each column, 1-based; 0 for none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[(i0 - 1) * m + j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  let cost = 0;
  const column = new Int32Array(n);
  for (let j = 1; j <= m; j++)
    if (p[j]) {
      cost += a[(p[j] - 1) * m + j - 1];
      column[p[j] - 1] = j - 1;
    }
  return { cost, column };
}
