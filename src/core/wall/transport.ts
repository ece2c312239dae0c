/**
 * Temperatures of the entropic transport, as fractions of the typical best cost, coolest last:
 * starting warm makes the first rounds settle the prices broadly, the cool ones sharpen them.
 * Measured on the corpus with `npm run bench:wall` (bench/RESULTS.md): cooler than 0.01 follows
 * the sample's noise, warmer loses the contest between cells.
 */
export const TRANSPORT_EPS = [0.1, 0.03, 0.01] as const;
const ROUNDS_PER_EPS = 10;

/**
 * Cell prices from the entropic optimal transport (Sinkhorn, in the log domain) of `m` sample
 * photos, equally likely, onto `f` cells, each taking an equal share: the dual of the assignment
 * when the photos to come resemble the sample. `costs` is m×f, row-major, already divided by the
 * typical cost; `prices` (length f) is the warm start and the answer. A photo then best takes the
 * cell minimising cost − price.
 * @example transportPrices(costs, 256, 2400, prices)
 */
export function transportPrices(costs: Float32Array, m: number, f: number, prices: Float64Array): void {
  for (const _ of transportSteps(costs, m, f, prices));
}

/**
 * transportPrices one row of the cost matrix at a time: it yields after each row it has gone
 * through (`f` entries of work), so a caller can spread one computation over many placements.
 * `prices` holds the answer once the iterator is done.
 */
export function* transportSteps(costs: Float32Array, m: number, f: number, prices: Float64Array): Generator<number> {
  const rowPot = new Float64Array(m);
  const colMax = new Float64Array(f);
  const colSum = new Float64Array(f);
  const next = new Float64Array(f);
  next.set(prices);
  const logA = Math.log(1 / m);
  const logB = Math.log(1 / f);
  for (const eps of TRANSPORT_EPS) {
    for (let round = 0; round < ROUNDS_PER_EPS; round++) {
      for (let s = 0; s < m; s++) {
        const row = s * f;
        let max = -Infinity;
        for (let j = 0; j < f; j++) max = Math.max(max, next[j] - costs[row + j]);
        let sum = 0;
        for (let j = 0; j < f; j++) sum += Math.exp((next[j] - costs[row + j] - max) / eps);
        rowPot[s] = eps * logA - max - eps * Math.log(sum);
        yield f;
      }
      colMax.fill(-Infinity);
      for (let s = 0; s < m; s++) {
        const row = s * f;
        for (let j = 0; j < f; j++) colMax[j] = Math.max(colMax[j], rowPot[s] - costs[row + j]);
      }
      colSum.fill(0);
      for (let s = 0; s < m; s++) {
        const row = s * f;
        for (let j = 0; j < f; j++) colSum[j] += Math.exp((rowPot[s] - costs[row + j] - colMax[j]) / eps);
        yield f;
      }
      for (let j = 0; j < f; j++) next[j] = eps * logB - colMax[j] - eps * Math.log(colSum[j]);
    }
  }
  prices.set(next);
}

/** Work units (cost-matrix entries visited) of one transportSteps run: what its steps add up to. */
export const transportWork = (m: number, f: number) => TRANSPORT_EPS.length * ROUNDS_PER_EPS * 2 * m * f;
