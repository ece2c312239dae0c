import { findCandidates, type Candidates } from '../core/plan.js';
import { TileIndex, type IndexParts } from '../core/search.js';
import type { TargetCells } from '../core/types.js';

export type CandidateTask = { parts: IndexParts; cells: TargetCells; k: number; from: number; to: number };

/** Runs in a worker thread: the candidates of one band of cells. */
export default function candidates(task: CandidateTask): Candidates {
  return findCandidates(task.cells, TileIndex.fromParts(task.parts), task.k, task.from, task.to);
}
