import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMosaic } from './render.js';
import type { MosaicPlan } from './types.js';

const plan = (cols: number, rows: number, cell: number, tiles: number[]): MosaicPlan => ({
  grid: { cols, rows, cell, width: cols * cell, height: rows * cell },
  tiles: Int32Array.from(tiles),
  cost: new Float32Array(tiles.length),
  stats: { cells: tiles.length, distinctTiles: 0, maxUses: 0, effectiveDistance: 0, relaxedCells: 0, meanCost: 0 },
});

const flat = (v: number, cell: number) => ({
  pixels: new Uint8Array(cell * cell * 3).fill(v),
  mean: new Float32Array([v, v, v]),
});

for (const cell of [4, 3]) {
  test(`tiles land in their cells (cell ${cell} px)`, () => {
    const tiles = [flat(10, cell), flat(200, cell)];
    const img = renderMosaic(plan(2, 2, cell, [0, 1, 1, 0]), (t) => tiles[t], new Float32Array(12), { blend: 0 });
    assert.equal(img.width, 2 * cell);
    const at = (x: number, y: number) => img.data[(y * img.width + x) * 3];
    assert.equal(at(0, 0), 10);
    assert.equal(at(cell, 0), 200);
    assert.equal(at(0, cell), 200);
    assert.equal(at(2 * cell - 1, 2 * cell - 1), 10);
  });
}

test('blend shifts each tile toward its cell mean; 1 reaches it', () => {
  const tiles = [flat(100, 2)];
  const means = new Float32Array([200, 0, 100]);
  const half = renderMosaic(plan(1, 1, 2, [0]), (t) => tiles[t], means, { blend: 0.5 });
  assert.deepEqual([...half.data.subarray(0, 3)], [150, 50, 100]);
  const full = renderMosaic(plan(1, 1, 2, [0]), (t) => tiles[t], means, { blend: 1 });
  assert.deepEqual([...full.data.subarray(0, 3)], [200, 0, 100]);
  assert.throws(
    () => renderMosaic(plan(1, 1, 2, [0]), (t) => tiles[t], means, { blend: 2 }),
    /blend must be a number from 0 to 1 \(got /,
  );
});

test('onRows reports each finished row of cells, after its pixels are in place', () => {
  const tiles = [flat(10, 4), flat(200, 4)];
  const seen: number[] = [];
  const canvas = new Uint8Array(3 * 4 * 2 * 4 * 3);
  for (const blend of [0, 0.5]) {
    seen.length = 0;
    renderMosaic(
      plan(2, 3, 4, [0, 1, 1, 0, 0, 1]),
      (t) => tiles[t],
      new Float32Array(18).fill(100),
      {
        blend,
        onRows: (rows) => {
          seen.push(rows);
          // The last pixel of the rows reported is painted already (tiles are never 0 here).
          assert.notEqual(canvas[(rows * 8 - 1) * 3], 0);
        },
      },
      canvas,
    );
    assert.deepEqual(seen, [4, 8, 12]);
    canvas.fill(0);
  }
});
