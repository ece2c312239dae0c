import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TileIndex } from './search.js';
import type { FeatureSet } from './types.js';
import { randomFeatures } from '../../test/helpers/features.js';

/** Brute force in the index's own space (weights included), as the reference answer. */
function bruteForce(
  index: TileIndex,
  lib: FeatureSet,
  q: Float32Array,
  k: number,
  accept?: (i: number) => boolean,
): number[] {
  const all: [number, number][] = [];
  for (let i = 0; i < lib.count; i++) {
    if (accept && !accept(i)) continue;
    const v = index.transform(lib.data, i * lib.dims);
    let s = 0;
    for (let j = 0; j < lib.dims; j++) s += (v[j] - q[j]) ** 2;
    all.push([s, i]);
  }
  return all
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, k)
    .map((x) => x[1]);
}

test('the index finds exactly what a brute-force scan finds', () => {
  const lib = randomFeatures(3000, 1);
  const queries = randomFeatures(40, 2);
  const index = TileIndex.build(lib);
  for (let c = 0; c < queries.count; c++) {
    const q = index.transform(queries.data, c * 75);
    const found = index.nearest(q, 10);
    assert.deepEqual([...found.tiles.subarray(0, found.count)], bruteForce(index, lib, q, 10), `query ${c}`);
    for (let i = 1; i < found.count; i++) assert.ok(found.dist[i - 1] <= found.dist[i]);
  }
});

test('hints do not change the answer, and accept filters it', () => {
  const lib = randomFeatures(1000, 3);
  const index = TileIndex.build(lib);
  const q = index.transform(randomFeatures(1, 4).data, 0);
  const plain = [...index.nearest(q, 5).tiles];
  const hinted = [...index.nearest(q, 5, { hint: [1, 2, 3, 999] }).tiles];
  assert.deepEqual(hinted, plain);
  const even = (i: number) => i % 2 === 0;
  const filtered = index.nearest(q, 5, { accept: even });
  assert.deepEqual([...filtered.tiles], bruteForce(index, lib, q, 5, even));
});

test('an index rebuilt from its parts answers the same', () => {
  const lib = randomFeatures(500, 5);
  const index = TileIndex.build(lib);
  const copy = TileIndex.fromParts(structuredClone(index.parts()));
  const q = index.transform(lib.data, 7 * 75);
  assert.deepEqual([...copy.nearest(q, 3).tiles], [...index.nearest(q, 3).tiles]);
  assert.equal(index.nearest(q, 1).tiles[0], 7);
});

test('fewer entries than asked returns them all', () => {
  const lib = randomFeatures(3, 6);
  const index = TileIndex.build(lib);
  const r = index.nearest(index.transform(lib.data, 0), 10);
  assert.equal(r.count, 3);
});
