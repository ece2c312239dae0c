import { findCandidates, type Candidates } from '../core/plan.js';
import type { TileIndex } from '../core/search.js';
import type { TargetCells } from '../core/types.js';
import { WorkerPool } from '../adapters/workers.js';
import type { CandidateTask } from './candidate-worker.js';

export type CandidatePool = WorkerPool<CandidateTask, Candidates>;

export const candidatePool = (threads?: number): CandidatePool =>
  new WorkerPool<CandidateTask, Candidates>(new URL('./candidate-worker.js', import.meta.url), threads);

/** Below this many cells, one thread is quicker than handing the work out. */
const MIN_PARALLEL_CELLS = 30_000;

/** Finds every cell's candidates, split in bands of rows over the pool's threads. */
export async function parallelCandidates(
  cells: TargetCells,
  index: TileIndex,
  k: number,
  pool?: CandidatePool,
): Promise<Candidates> {
  const n = cells.features.count;
  if (!pool || pool.threads < 2 || n < MIN_PARALLEL_CELLS) return findCandidates(cells, index, k);
  const cols = cells.grid.cols;
  const rows = cells.grid.rows;
  const bands = pool.threads;
  const parts = index.parts();
  const cuts = Array.from({ length: bands + 1 }, (_, b) => Math.round((rows * b) / bands) * cols);
  const results = await Promise.all(
    cuts.slice(0, -1).map((from, b) => pool.run({ parts, cells, k, from, to: cuts[b + 1] })),
  );
  const kk = results[0].k;
  const out: Candidates = {
    k: kk,
    tiles: new Int32Array(n * kk),
    dist: new Float32Array(n * kk),
    count: new Uint16Array(n),
    queries: new Float32Array(n * cells.features.dims),
  };
  results.forEach((r, b) => {
    out.queries.set(r.queries, cuts[b] * cells.features.dims);
    out.tiles.set(r.tiles, cuts[b] * kk);
    out.dist.set(r.dist, cuts[b] * kk);
    out.count.set(r.count, cuts[b]);
  });
  return out;
}
