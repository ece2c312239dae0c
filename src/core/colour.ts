// sRGB (D65, IEC 61966-2-1) → CIELAB (D65 white), the space the quality metric scores in.
const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

const exactLinear = (c: number): number => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
};
// Means of 8-bit values are fractional: a table at 1/16 steps with linear interpolation is exact
// to about 1e-6 and far cheaper than Math.pow.
const STEPS = 16;
const LINEAR = Float64Array.from({ length: 255 * STEPS + 2 }, (_, i) => exactLinear(Math.min(i / STEPS, 255)));
const toLinear = (c: number): number => {
  const x = Math.min(Math.max(c, 0), 255) * STEPS;
  const i = Math.floor(x);
  return LINEAR[i] + (LINEAR[i + 1] - LINEAR[i]) * (x - i);
};
const f = (t: number): number => (t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116);

/**
 * Converts one sRGB colour (channels 0–255, fractions allowed) to CIELAB, written into `out` at `at`.
 * @example const lab = new Float32Array(3); srgbToLab(255, 255, 255, lab, 0); // lab ≈ [100, 0, 0]
 */
export function srgbToLab(r: number, g: number, b: number, out: Float32Array, at: number): void {
  const rl = toLinear(r);
  const gl = toLinear(g);
  const bl = toLinear(b);
  const x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / XN;
  const y = (0.2126729 * rl + 0.7151522 * gl + 0.072175 * bl) / YN;
  const z = (0.0193339 * rl + 0.119192 * gl + 0.9503041 * bl) / ZN;
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  out[at] = 116 * fy - 16;
  out[at + 1] = 500 * (fx - fy);
  out[at + 2] = 200 * (fy - fz);
}
