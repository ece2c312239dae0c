import assert from 'node:assert/strict';
import { test } from 'node:test';
import { srgbToLab } from './colour.js';
import { targetCells, tileFeatures, tileMean } from './features.js';

test('a flat tile has the same Lab colour in every sub-cell', () => {
  const px = new Uint8Array(10 * 10 * 3);
  for (let i = 0; i < px.length; i += 3) px.set([200, 100, 50], i);
  const f = tileFeatures(px, 10, 5);
  const want = new Float32Array(3);
  srgbToLab(200, 100, 50, want, 0);
  assert.equal(f.length, 75);
  for (let i = 0; i < 75; i += 3) assert.deepEqual([...f.subarray(i, i + 3)], [...want]);
  assert.deepEqual([...tileMean(px, 10)], [200, 100, 50]);
});

test('features follow the layout of the tile (row-major sub-cells)', () => {
  // Top half black, bottom half white, 10x10 at a 2x2 grid.
  const px = new Uint8Array(10 * 10 * 3);
  px.fill(255, 10 * 5 * 3);
  const f = tileFeatures(px, 10, 2);
  assert.deepEqual([f[0], f[3]].map(Math.round), [0, 0]);
  assert.deepEqual([f[6], f[9]].map(Math.round), [100, 100]);
});

test('target cells carry a feature vector and a mean colour each', () => {
  const width = 40;
  const height = 20;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(y * width + x) * 3] = x < 20 ? 0 : 255;
  const grid = { cols: 4, rows: 2, cell: 10, width: 40, height: 20 };
  const cells = targetCells({ data, width, height, channels: 3 }, grid, 5);
  assert.equal(cells.features.count, 8);
  assert.equal(cells.features.data.length, 8 * 75);
  assert.equal(Math.round(cells.means[0]), 0);
  assert.equal(Math.round(cells.means[3 * 3]), 255);
  assert.equal(Math.round(cells.means[1]), 0);
});
