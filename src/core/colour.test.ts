import assert from 'node:assert/strict';
import { test } from 'node:test';
import { srgbToLab } from './colour.js';

const lab = (r: number, g: number, b: number) => {
  const out = new Float32Array(3);
  srgbToLab(r, g, b, out, 0);
  return [...out];
};
const close = (a: number[], b: number[], tol: number) =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `${a.map((x) => x.toFixed(2))} vs ${b}`));

test('sRGB to CIELAB matches reference values (D65)', () => {
  close(lab(255, 255, 255), [100, 0, 0], 0.01);
  close(lab(0, 0, 0), [0, 0, 0], 0.01);
  close(lab(255, 0, 0), [53.24, 80.09, 67.2], 0.05);
  close(lab(0, 255, 0), [87.73, -86.18, 83.18], 0.05);
  close(lab(0, 0, 255), [32.3, 79.19, -107.86], 0.05);
  close(lab(128, 128, 128), [53.59, 0, 0], 0.05);
});

test('fractional channel values (means) are converted smoothly', () => {
  const [l1] = lab(100, 100, 100);
  const [l2] = lab(100.5, 100.5, 100.5);
  const [l3] = lab(101, 101, 101);
  assert.ok(l1 < l2 && l2 < l3);
  assert.ok(Math.abs(l2 - (l1 + l3) / 2) < 0.01);
});
