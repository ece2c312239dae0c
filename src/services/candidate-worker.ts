import { findCandidates, type Candidates } from '../core/plan.js';
import { TileIndex, type IndexParts } from '../core/search.js';
import type { TargetCells } from '../core/types.js';

/** Shared-memory arrays (see core/shared.ts): the worker reads them and fills `out` in place. */
export type CandidateTask = {
  parts: IndexParts;
  cells: TargetCells;
  k: number;
  from: number;
  to: number;
  out: Candidates;
};

/** Runs in a worker thread: the candidates of one band of cells, written into the shared `out`; returns how many cells. */
export default function candidates(task: CandidateTask): number {
  if (!(task.out.tiles.buffer instanceof SharedArrayBuffer))
    throw new Error('candidates need shared memory to write into');
  findCandidates(task.cells, TileIndex.fromParts(task.parts), task.k, task.from, task.to, task.out);
  return task.to - task.from;
}
