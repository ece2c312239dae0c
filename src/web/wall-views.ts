import type { WallImaging } from '../ports.js';
import { WallBoard } from '../services/wall-board.js';
import { loadTarget } from '../services/wall-place-stage.js';
import { WallScreen } from '../services/wall-screen.js';
import type { WallStore } from '../services/wall-store.js';
import type { WallDef, WallSummary } from '../shapes/wall.js';

/** Screens kept decoded: each holds its target (up to 4096 px a side, some 50 MB). */
const SCREENS = 4;

/**
 * What the web process keeps of each wall between requests: its board (read once, then only the
 * log's new entries) and its screen (the target decoded and measured, about 0.1 s to make).
 */
export class WallViews {
  private readonly boards = new Map<string, Promise<WallBoard>>();
  private readonly reads = new Map<string, Promise<unknown>>();
  private readonly screens = new Map<string, Promise<WallScreen>>();

  constructor(private readonly deps: { store: WallStore; imaging: WallImaging }) {}

  /** The wall's board, read to the end of its log. */
  async board(wall: WallDef): Promise<WallBoard> {
    let loading = this.boards.get(wall.id);
    if (!loading) {
      loading = WallBoard.load(this.deps.store, wall);
      this.boards.set(wall.id, loading);
      loading.catch(() => this.boards.delete(wall.id));
      return loading;
    }
    const board = await loading;
    // One read of the log at a time: two at once would apply the same entries twice.
    const read = (this.reads.get(wall.id) ?? Promise.resolve())
      .catch(() => {})
      .then(() => board.catchUp(this.deps.store));
    this.reads.set(wall.id, read);
    try {
      await read;
    } finally {
      if (this.reads.get(wall.id) === read) this.reads.delete(wall.id);
    }
    return board;
  }

  /** The wall with its counts; `wall` is read fresh by the caller, so its state is the latest. */
  async summary(wall: WallDef): Promise<WallSummary> {
    const board = await this.board(wall);
    return { ...wall, placed: board.placed, total: wall.cols * wall.rows, seq: board.seq };
  }

  /** The wall's screen, the least recently used one let go beyond a few. */
  screen(wall: WallDef): Promise<WallScreen> {
    let screen = this.screens.get(wall.id);
    if (screen) {
      this.screens.delete(wall.id);
      this.screens.set(wall.id, screen);
      return screen;
    }
    screen = loadTarget(this.deps, wall).then(
      ({ target, cells }) => new WallScreen(this.deps, wall, target, cells.means),
    );
    screen.catch(() => this.screens.delete(wall.id));
    this.screens.set(wall.id, screen);
    while (this.screens.size > SCREENS) this.screens.delete(this.screens.keys().next().value!);
    return screen;
  }
}
