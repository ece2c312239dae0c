import { seededRandom } from '../../src/core/random.js';
import type { FeatureSet } from '../../src/core/types.js';

/** Seeded feature vectors (5×5 Lab sub-cells) in loose colour clusters, for index and search tests. */
export function randomFeatures(count: number, seed: number): FeatureSet {
  const rnd = seededRandom(seed);
  const dims = 75;
  const data = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    const base = [rnd() * 100, rnd() * 60 - 30, rnd() * 60 - 30];
    for (let j = 0; j < dims; j++) data[i * dims + j] = base[j % 3] + (rnd() - 0.5) * 20;
  }
  return { count, grid: 5, dims, data };
}
