import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellsOfTile, levelSize, parentTile, screenPyramid, tileArea, tileExists, tilesOfCell } from './pyramid.js';

test('each cell shows in one tile per level, and the deepest tile holds exactly its cells', () => {
  for (const [cols, rows, px] of [
    [60, 40, 256],
    [200, 150, 64],
    [15, 15, 128],
  ] as const) {
    const p = screenPyramid(cols, rows, px);
    assert.equal(levelSize(p, p.maxLevel).width, cols * px);
    assert.equal(levelSize(p, 0).width, 1);
    for (let cell = 0; cell < cols * rows; cell += 7) {
      const tiles = tilesOfCell(p, cell);
      assert.equal(tiles.length, p.maxLevel + 1);
      assert.ok(tiles.every((t) => tileExists(p, t)));
      assert.ok(cellsOfTile(p, tiles[0]).includes(cell));
      const a = tileArea(p, tiles[0]);
      assert.ok(a.left <= (cell % cols) * px && a.left + a.width >= ((cell % cols) + 1) * px);
      // Each level's tile is the parent of the one below.
      for (let i = 1; i < tiles.length; i++) {
        assert.equal(tiles[i].x, tiles[i - 1].x >> 1);
        assert.equal(tiles[i].y, tiles[i - 1].y >> 1);
      }
    }
  }
});

test('a parent tile averages its children 2×2 into its quarters', () => {
  const solid = (v: number, w = 256, h = 256) => ({
    data: new Uint8Array(w * h * 3).fill(v),
    width: w,
    height: h,
    channels: 3 as const,
  });
  const t = parentTile({ width: 256, height: 200 }, [solid(10), solid(20), solid(30, 256, 144), undefined]);
  const at = (x: number, y: number) => t.data[(y * 256 + x) * 3];
  assert.equal(at(0, 0), 10);
  assert.equal(at(200, 0), 20);
  assert.equal(at(0, 199), 30);
  assert.equal(at(200, 199), 0);
});
