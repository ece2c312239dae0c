import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCandidates } from '../core/plan.js';
import { TileIndex } from '../core/search.js';
import type { TargetCells } from '../core/types.js';
import { candidatePool, parallelCandidates } from './candidates.js';
import { randomFeatures } from '../../test/helpers/features.js';

test('candidates searched on this thread and a helper thread equal one thread alone, cell by cell', async () => {
  const cols = 100;
  const rows = 60;
  const cells: TargetCells = {
    grid: { cols, rows, cell: 8, width: cols * 8, height: rows * 8 },
    features: randomFeatures(cols * rows, 7),
    means: new Float32Array(cols * rows * 3),
  };
  const index = TileIndex.build(randomFeatures(2000, 3));
  const pool = candidatePool(1);
  try {
    const split = await parallelCandidates(cells, index, 6, pool);
    const alone = findCandidates(cells, index, 6);
    assert.ok(split.tiles.buffer instanceof SharedArrayBuffer, 'the helper writes into shared memory');
    assert.deepEqual(Array.from(split.count), Array.from(alone.count));
    assert.deepEqual(Array.from(split.tiles), Array.from(alone.tiles));
    assert.deepEqual(Array.from(split.dist), Array.from(alone.dist));
    assert.deepEqual(Array.from(split.queries), Array.from(alone.queries));
    // The helper's band (the first half) was filled, not left at zero.
    assert.ok(split.count.subarray(0, (rows / 2) * cols).every((c) => c === 6));
  } finally {
    await pool.close();
  }
});
