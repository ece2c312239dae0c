import { candidateSpace, findCandidates, type Candidates } from '../core/plan.js';
import type { TileIndex } from '../core/search.js';
import type { TargetCells } from '../core/types.js';
import { WorkerPool } from '../adapters/workers.js';
import type { CandidateTask } from './candidate-worker.js';

export type CandidatePool = WorkerPool<CandidateTask, number>;

export const candidatePool = (threads?: number): CandidatePool =>
  new WorkerPool<CandidateTask, number>(new URL('./candidate-worker.js', import.meta.url), threads);

/** Below this many cells, one thread is quicker than handing a band to a helper and waiting for it. */
const MIN_PARALLEL_CELLS = 5_000;

/**
 * Finds every cell's candidates, split in bands of rows: one band per pool thread, and the last
 * one searched on this thread meanwhile, so a pool of one helper already uses two cores.
 */
export async function parallelCandidates(
  cells: TargetCells,
  index: TileIndex,
  k: number,
  pool?: CandidatePool,
): Promise<Candidates> {
  const n = cells.features.count;
  if (!pool || n < MIN_PARALLEL_CELLS) return findCandidates(cells, index, k);
  const cols = cells.grid.cols;
  const rows = cells.grid.rows;
  const bands = pool.threads + 1;
  const parts = index.parts();
  const out = candidateSpace(n, Math.min(k, index.count), cells.features.dims);
  const cuts = Array.from({ length: bands + 1 }, (_, b) => Math.round((rows * b) / bands) * cols);
  const helped = Promise.all(
    cuts.slice(0, -2).map((from, b) => pool.run({ parts, cells, k, from, to: cuts[b + 1], out })),
  );
  // Let the hand-off reach the helpers before this thread is busy with its own band.
  await new Promise((resolve) => setImmediate(resolve));
  findCandidates(cells, index, k, cuts[bands - 1], n, out);
  await helped;
  return out;
}
