// The quality bound (bench/quality-bound.mjs) rests on two helpers: the metric's colour difference
// and the assignment that bounds a block of cells. Both are plain JS beside the bench scripts.
import assert from 'node:assert/strict';
import { test } from 'node:test';

type Ciede2000 = (L1: number, a1: number, b1: number, L2: number, a2: number, b2: number) => number;
type AssignmentCost = (a: Float64Array, n: number, m: number) => number;
// Specifiers held in variables: the bench modules are untyped JS, so TypeScript must not resolve them.
const ciedeModule = '../../bench/ciede2000.mjs';
const assignmentModule = '../../bench/assignment.mjs';
const { ciede2000 } = (await import(ciedeModule)) as { ciede2000: Ciede2000 };
const { assignmentCost } = (await import(assignmentModule)) as { assignmentCost: AssignmentCost };

test('CIEDE2000 matches the reference pairs of Sharma, Wu & Dalal (2005), both ways round', () => {
  const pairs = [
    [50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425],
    [50, -1.3802, -84.2814, 50, 0, -82.7485, 1.0],
    [50, 0, 0, 50, -1, 2, 2.3669],
    [50, 2.49, -0.001, 50, -2.49, 0.0011, 7.2195],
    [50, -0.001, 2.49, 50, 0.0011, -2.49, 4.7461],
    [50, 2.5, 0, 73, 25, -18, 27.1492],
    [50, 2.5, 0, 56, -27, -3, 31.903],
    [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
    [22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373],
    [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
    [2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082],
  ];
  for (const [L1, a1, b1, L2, a2, b2, want] of pairs) {
    assert.ok(Math.abs(ciede2000(L1, a1, b1, L2, a2, b2) - want) < 1e-4, `pair ${L1},${a1},${b1}`);
    assert.ok(Math.abs(ciede2000(L2, a2, b2, L1, a1, b1) - want) < 1e-4, `reversed ${L1},${a1},${b1}`);
  }
  assert.equal(ciede2000(40, 10, -5, 40, 10, -5), 0);
});

/** The cheapest assignment by trying every way of giving the rows distinct columns. */
function bruteForce(a: Float64Array, n: number, m: number): number {
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const visit = (row: number, sum: number): void => {
    if (row === n) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      visit(row + 1, sum + a[row * m + j]);
      used[j] = false;
    }
  };
  visit(0, 0);
  return best;
}

test('the assignment cost is the cheapest way to give every row its own column', () => {
  assert.equal(assignmentCost(Float64Array.of(4, 1, 3, 2, 0, 5), 2, 3), 3);
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + (trial % 5);
    const m = n + (trial % 3);
    // Few distinct values, so ties (where a greedy choice goes wrong) are common.
    const a = Float64Array.from({ length: n * m }, () => Math.floor(rnd() * 6));
    assert.equal(assignmentCost(a, n, m), bruteForce(a, n, m), `trial ${trial}: ${n}×${m} ${a.join(',')}`);
  }
});

test('the assignment cost refuses more rows than columns', () => {
  assert.throws(() => assignmentCost(new Float64Array(6), 3, 2), /at least as many columns/);
});
