import { seededRandom } from './random.js';

/**
 * Smooth fractal noise (value noise, `octaves` layers, each twice as fine and half as strong),
 * 0..1 over a square of `size` pixels: the soft, uneven texture of leaves, clouds and water that
 * flat synthetic fills lack.
 * @example fractalNoise(64, 3, 7)[0] // 0 <= v <= 1
 */
export function fractalNoise(size: number, octaves: number, seed: number, base = 3): Float32Array {
  const rnd = seededRandom(seed);
  const out = new Float32Array(size * size);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const cells = base << o;
    const n = cells + 1;
    const lattice = Float32Array.from({ length: n * n }, rnd);
    for (let y = 0; y < size; y++) {
      const fy = (y / size) * cells;
      const y0 = Math.floor(fy);
      const ty = smooth(fy - y0);
      for (let x = 0; x < size; x++) {
        const fx = (x / size) * cells;
        const x0 = Math.floor(fx);
        const tx = smooth(fx - x0);
        const a = lattice[y0 * n + x0];
        const b = lattice[y0 * n + x0 + 1];
        const c = lattice[(y0 + 1) * n + x0];
        const d = lattice[(y0 + 1) * n + x0 + 1];
        out[y * size + x] += amp * (a + (b - a) * tx + (c - a + (a - b - c + d) * tx) * ty);
      }
    }
    total += amp;
    amp /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

const smooth = (t: number): number => t * t * (3 - 2 * t);
