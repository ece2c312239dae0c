import assert from 'node:assert/strict';
import { test } from 'node:test';
import { libraryOf, syntheticPhoto, syntheticTiles } from '../../test/helpers/synthetic.js';
import { MosaicError } from './errors.js';
import { targetCells } from './features.js';
import { mosaicGrid } from './grid.js';
import { bandHeight, planMosaic } from './plan.js';
import { expandVariants } from './variants.js';
import type { MosaicPlan } from './types.js';

const photo = syntheticPhoto(120, 90);
const grid = mosaicGrid(photo.width, photo.height, { cols: 40, cell: 8 });
const cells = targetCells(photo, grid);
const tiles = syntheticTiles(600, 8);
const library = libraryOf(tiles, 8);

/** The smallest Chebyshev distance between two cells holding the same tile (Infinity if none). */
function closestRepeat(plan: MosaicPlan, tileOf: (e: number) => number = (e) => e): number {
  const { cols } = plan.grid;
  const where = new Map<number, number[]>();
  plan.tiles.forEach((e, c) => {
    const t = tileOf(e);
    where.set(t, [...(where.get(t) ?? []), c]);
  });
  let min = Infinity;
  for (const cs of where.values()) {
    for (let i = 0; i < cs.length; i++) {
      for (let j = i + 1; j < cs.length; j++) {
        const d = Math.max(
          Math.abs((cs[i] % cols) - (cs[j] % cols)),
          Math.abs(Math.floor(cs[i] / cols) - Math.floor(cs[j] / cols)),
        );
        min = Math.min(min, d);
      }
    }
  }
  return min;
}

test('the distance rule holds on every cell', () => {
  for (const distance of [0, 1, 3, 5]) {
    const plan = planMosaic(cells, library, { distance });
    assert.equal(plan.stats.relaxedCells, 0);
    assert.equal(plan.stats.effectiveDistance, distance);
    assert.ok(closestRepeat(plan) > distance, `distance ${distance}: closest repeat ${closestRepeat(plan)}`);
    assert.ok(plan.tiles.every((t) => t >= 0 && t < library.count));
  }
});

test('the rule is checked in bands of rows as tall as its reach, taller only to bound memory', () => {
  assert.equal(bandHeight(5, 200, 10_000), 6);
  assert.equal(bandHeight(0, 200, 10_000), 1);
  // 100,000 tiles × 1,000 rows in bands of one row would be 400 MB of list heads.
  assert.equal(bandHeight(0, 1_000, 100_000), 25);
});

test('the same inputs and seed give the same plan; another seed another plan', () => {
  const a = planMosaic(cells, library, { seed: 7 });
  const b = planMosaic(cells, library, { seed: 7 });
  const c = planMosaic(cells, library, { seed: 8 });
  assert.deepEqual(a.tiles, b.tiles);
  assert.notDeepEqual(a.tiles, c.tiles);
});

test('a stricter rule costs fidelity, and no rule matches best', () => {
  const free = planMosaic(cells, library, { distance: 0, reusePenalty: 0 });
  const strict = planMosaic(cells, library, { distance: 5 });
  assert.ok(free.stats.meanCost < strict.stats.meanCost);
  assert.ok(free.stats.distinctTiles < strict.stats.distinctTiles);
});

test('max uses is a hard cap', () => {
  const plan = planMosaic(cells, library, { distance: 0, maxUses: 3 });
  assert.ok(plan.stats.maxUses <= 3, `max ${plan.stats.maxUses}`);
});

test('a tiny library relaxes the rule gracefully instead of failing', () => {
  const tiny = libraryOf(tiles.slice(0, 10), 8);
  const plan = planMosaic(cells, tiny, { distance: 5 });
  // A lattice of period d+1 keeps distance d: 3×3 = 9 tiles fit in 10 (d = 2), 4×4 = 16 do not.
  assert.equal(plan.stats.effectiveDistance, 2);
  assert.equal(plan.stats.relaxedCells, 0);
  assert.ok(closestRepeat(plan) > 2);
  const four = planMosaic(cells, libraryOf(tiles.slice(0, 4), 8), { distance: 5 });
  assert.equal(four.stats.effectiveDistance, 1);
  assert.equal(four.stats.relaxedCells, 0);
  assert.ok(closestRepeat(four) > 1);
  const one = planMosaic(cells, libraryOf(tiles.slice(0, 1), 8), { distance: 5 });
  assert.equal(one.stats.effectiveDistance, 0);
  assert.ok(one.tiles.every((t) => t === 0));
});

test('an empty library is a clear error', () => {
  assert.throws(
    () => planMosaic(cells, { count: 0, grid: 5, dims: 75, data: new Float32Array(0) }),
    (e: unknown) => e instanceof MosaicError && e.code === 'EMPTY_LIBRARY',
  );
});

test('placement has no top-left bias: the best tile of a flat target lands anywhere', () => {
  const flat = targetCells(
    { data: new Uint8Array(30 * 30 * 3).fill(128), width: 30, height: 30, channels: 3 },
    mosaicGrid(30, 30, { cols: 10, cell: 8 }),
  );
  const spots = new Set<number>();
  for (let seed = 1; seed <= 6; seed++) {
    const plan = planMosaic(flat, library, { distance: 3, seed });
    const best = planMosaic(flat, library, { distance: 0, reusePenalty: 0 }).tiles[0];
    spots.add(plan.tiles.indexOf(best));
  }
  assert.ok(spots.size >= 4, `best tile always near the same cells: ${[...spots]}`);
});

test('variants of one tile share the rule; a variant distance lets them come closer', () => {
  const few = libraryOf(tiles.slice(0, 60), 8);
  const expanded = expandVariants(few, 'all');
  const strict = planMosaic(cells, expanded.features, { distance: 3 }, undefined, expanded.tile);
  assert.ok(closestRepeat(strict, (e) => expanded.tile[e]) > 3);
  const loose = planMosaic(cells, expanded.features, { distance: 3, variantDistance: 1 }, undefined, expanded.tile);
  assert.ok(closestRepeat(loose, (e) => expanded.tile[e]) > 1);
  assert.ok(closestRepeat(loose) > 3, 'the same variant still keeps the full distance');
  assert.ok(loose.stats.meanCost <= strict.stats.meanCost);
});
