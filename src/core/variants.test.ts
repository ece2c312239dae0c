import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticTiles } from '../../test/helpers/synthetic.js';
import { featureSet, tileFeatures } from './features.js';
import { expandVariants, transformTile, VARIANT_SETS } from './variants.js';

test('variant features are exactly the features of the transformed tile', () => {
  const size = 20;
  const tiles = syntheticTiles(3, size, 9);
  const lib = featureSet(tiles.map((t) => tileFeatures(t, size)));
  const ex = expandVariants(lib, 'all');
  assert.equal(ex.features.count, 3 * 8);
  for (let e = 0; e < ex.features.count; e++) {
    const px = transformTile(tiles[ex.tile[e]], size, ex.variant[e]);
    const want = tileFeatures(px, size);
    const got = ex.features.data.subarray(e * 75, (e + 1) * 75);
    want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-3, `entry ${e} dim ${i}`));
  }
});

test('the eight transforms are all different, and none keeps only identity', () => {
  const px = Uint8Array.from({ length: 6 * 6 * 3 }, (_, i) => (i * 73 + 11) % 256);
  const seen = new Set(VARIANT_SETS.all.map((v) => Buffer.from(transformTile(px, 6, v)).toString('hex')));
  assert.equal(seen.size, 8);
  assert.equal(expandVariants(featureSet([tileFeatures(px, 6)]), 'none').features.count, 1);
  assert.throws(
    () => expandVariants(featureSet([tileFeatures(px, 6)]), 'sideways' as never),
    /variants must be one of none, mirror, rotate, all \(got /,
  );
});
