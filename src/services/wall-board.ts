import { PermanentError } from '../core/errors.js';
import type { WallPlacer } from '../core/wall/placement.js';
import type { Placement, WallDef, WallEvent } from '../shapes/wall.js';
import type { WallStore } from './wall-store.js';

/** What became of a photo sent to a wall. */
export type Outcome = { seq: number } & ({ cell: number } | { refused: 'full' | 'closed' } | { removed: number });

type Snapshot = {
  seq: number;
  state: WallDef['state'];
  placed: (Placement & { features: string })[];
  /** Photos refused or removed: [photo, outcome]. */
  others: [string, Outcome][];
};

/** Snapshots of the board are written this often, so loading a big wall reads one object and a short tail of the log. */
const SNAPSHOT_EVERY = 200;

export const encodeFeatures = (f: Float32Array): string =>
  Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
export const decodeFeatures = (s: string): Float32Array => {
  const b = Buffer.from(s, 'base64');
  if (b.byteLength % 4 !== 0)
    throw new PermanentError('INVALID_MESSAGE', 'malformed wall placement: features are not Float32 values');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/**
 * One wall's cells as its log says, in memory: which photo holds each cell, what became of each
 * photo, and how far into the log it has read. The placement stage keeps a placer in step with it;
 * the web process keeps one to answer the screen.
 */
export class WallBoard {
  seq = 0;
  state: WallDef['state'];
  readonly cells: (Placement | undefined)[];
  readonly outcomes = new Map<string, Outcome>();
  private features = new Map<number, string>();

  private constructor(
    readonly wall: WallDef,
    private readonly placer?: WallPlacer,
  ) {
    this.cells = new Array<Placement | undefined>(wall.cols * wall.rows).fill(undefined);
    this.state = wall.state;
  }

  /** Reads the wall's snapshot and the log after it; a placer given is brought in step. */
  static async load(store: WallStore, wall: WallDef, placer?: WallPlacer): Promise<WallBoard> {
    const board = new WallBoard(wall, placer);
    const snap = await store.getJson<Snapshot>(wall.id, 'snapshot.json');
    if (snap) {
      board.seq = snap.seq;
      board.state = snap.state;
      for (const p of snap.placed) board.apply({ ...p, seq: snap.seq, type: 'placed' }, true);
      for (const [photo, o] of snap.others) board.outcomes.set(photo, o);
    }
    await board.catchUp(store, true);
    placer?.refresh();
    return board;
  }

  /** Cells holding a photo. */
  placed = 0;

  /** Applies what other processes logged since this board last read. Returns the new events. */
  async catchUp(store: WallStore, replay = false): Promise<WallEvent[]> {
    const events = await store.eventsAfter(this.wall.id, this.seq);
    for (const e of events) this.apply(e, replay);
    return events;
  }

  /** Applies one event of the log, in order. */
  apply(e: WallEvent, replay = false): void {
    this.seq = Math.max(this.seq, e.seq);
    switch (e.type) {
      case 'placed': {
        const { seq: _s, type: _t, features, ...placement } = e;
        if (!this.cells[e.cell]) this.placed++;
        this.cells[e.cell] = placement;
        this.features.set(e.cell, features);
        this.outcomes.set(e.photo, { cell: e.cell, seq: e.seq });
        this.placer?.take(e.cell, decodeFeatures(features), replay);
        break;
      }
      case 'refused':
        this.outcomes.set(e.photo, { refused: e.reason, seq: e.seq });
        break;
      case 'freed':
        if (this.cells[e.cell]?.photo === e.photo) {
          this.cells[e.cell] = undefined;
          this.placed--;
          this.outcomes.set(e.photo, { removed: e.cell, seq: e.seq });
          this.features.delete(e.cell);
          this.placer?.release(e.cell);
          // The photo stays accounted for (as removed), so sending it again does not put it back.
        }
        break;
      case 'state':
        this.state = e.state;
        break;
    }
  }

  /** Every `SNAPSHOT_EVERY` events, the board is saved whole. */
  async maybeSnapshot(store: WallStore): Promise<void> {
    if (this.seq % SNAPSHOT_EVERY !== 0) return;
    const placed = this.cells.flatMap((p, cell) => (p ? [{ ...p, features: this.features.get(cell)! }] : []));
    const others = [...this.outcomes].filter(([, o]) => !('cell' in o));
    await store.putJson(this.wall.id, 'snapshot.json', {
      seq: this.seq,
      state: this.state,
      placed,
      others,
    } satisfies Snapshot);
  }

  /** Placements in cell order. */
  placements(): Placement[] {
    return this.cells.filter((p): p is Placement => p !== undefined);
  }
}
