import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MosaicError } from './errors.js';
import { mosaicGrid } from './grid.js';

test('scale rounds up to whole cells, as metapixel does', () => {
  assert.deepEqual(mosaicGrid(800, 499, { scale: 10, cell: 64 }), {
    cols: 125,
    rows: 78,
    cell: 64,
    width: 8000,
    height: 4992,
  });
  assert.deepEqual(mosaicGrid(800, 600, { scale: 10, cell: 32 }), {
    cols: 250,
    rows: 188,
    cell: 32,
    width: 8000,
    height: 6016,
  });
});

test('cols sets the columns and the rows follow the aspect ratio', () => {
  assert.deepEqual(mosaicGrid(1600, 900, { cols: 80, cell: 20 }), {
    cols: 80,
    rows: 45,
    cell: 20,
    width: 1600,
    height: 900,
  });
});

test('impossible options are refused, naming the option, its range and the value', () => {
  assert.throws(
    () => mosaicGrid(100, 100, { scale: 10, cell: 3 }),
    /cell must be a whole number from 4 to 1024 \(got 3\)$/,
  );
  assert.throws(
    () => mosaicGrid(100, 100, { scale: -1, cell: 64 }),
    /scale must be a number from 0\.01 to 1000 \(got -1\)$/,
  );
  assert.throws(() => mosaicGrid(100, 100, { cols: 0, cell: 64 }), /cols must be a whole number/);
  assert.throws(
    () => mosaicGrid(5000, 5000, { scale: 10, cell: 64 }),
    (e: unknown) => e instanceof MosaicError && e.code === 'OUTPUT_TOO_LARGE' && /megapixels/.test(e.message),
  );
});
