import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../random.js';
import { WallPlacer } from './placement.js';

// Cells and photos as plain grey levels (every sub-cell the same L): a wall whose cells run from
// black to white, and photos drawn from the same spread, in random order.
const grey = (l: number) => {
  const f = new Float32Array(75);
  for (let i = 0; i < 75; i += 3) f[i] = l;
  return f;
};
const wall = (n: number) => {
  const data = new Float32Array(n * 75);
  for (let c = 0; c < n; c++) data.set(grey((100 * c) / (n - 1)), c * 75);
  return { count: n, grid: 5, dims: 75, data };
};

function fill(lookahead: boolean, n: number, seed: number) {
  const placer = new WallPlacer(wall(n), { lookahead });
  const rnd = seededRandom(seed);
  const cells = new Set<number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const photo = grey(100 * rnd());
    const choice = placer.choose(photo)!;
    assert.ok(placer.isFree(choice.cell));
    placer.take(choice.cell, photo);
    cells.add(choice.cell);
    total += choice.cost;
  }
  return { placer, cells, mean: total / n };
}

test('each photo takes one free cell until the wall is full; then none; a freed cell is taken again', () => {
  const { placer, cells } = fill(true, 100, 3);
  assert.equal(cells.size, 100);
  assert.equal(placer.freeCells, 0);
  assert.equal(placer.choose(grey(50)), undefined);
  assert.throws(() => placer.take(5, grey(50)), RangeError);
  placer.release(42);
  assert.equal(placer.choose(grey(0))?.cell, 42);
});

test('the look-ahead keeps cells for the photos to come: a lower cost than greedy', () => {
  for (const seed of [1, 2, 3]) {
    const greedy = fill(false, 200, seed).mean;
    const ahead = fill(true, 200, seed).mean;
    assert.ok(ahead < greedy * 0.9, `look-ahead ${ahead.toFixed(0)} vs greedy ${greedy.toFixed(0)}`);
  }
});

test('on a bigger wall, price updates spread over many placements still keep cells for the photos to come', () => {
  // 600 cells: each update is tens of millions of steps, done a slice per placement.
  const greedy = fill(false, 600, 4);
  const ahead = fill(true, 600, 4);
  assert.equal(ahead.cells.size, 600);
  assert.ok(ahead.mean < greedy.mean * 0.9, `look-ahead ${ahead.mean.toFixed(0)} vs greedy ${greedy.mean.toFixed(0)}`);
});
