/**
 * The shapes of live mosaic walls: what the wall services store and the wall API and pages show.
 * Shared by services, web and the browser code.
 */
export type WallState = 'open' | 'full' | 'closed';

/** What a wall does with photos once every cell is taken (docs/walls.md says why this default). */
export type WhenFull = 'gallery';

export type WallDef = {
  id: string;
  title: string;
  cols: number;
  rows: number;
  /** Pixels per cell on the live screen's deepest Deep Zoom level. */
  screenCellPx: number;
  /** How far each photo's colours move toward its cell's mean, 0 (untouched) to 1. */
  tone: number;
  /** Opacity of the target laid over placed photos; 0 for a true mosaic. */
  ghost: number;
  /** Request hashtag bound to this wall (without #), if any. */
  hashtag?: string;
  state: WallState;
  whenFull: WhenFull;
  /** Physical size of one printed tile, and the print resolution. */
  print: { tileInches: number; dpi: number };
  target: { width: number; height: number };
  createdAt: string;
};

/** One photo in its cell. */
export type Placement = {
  cell: number;
  label: string;
  photo: string;
  /** A name or handle given with the photo, shown as text only. */
  name?: string;
  network?: string;
  cost: number;
  at: string;
};

/** One entry of a wall's placement log; `seq` counts from 1 and is the live screen's event id. */
export type WallEvent =
  | ({ seq: number; type: 'placed'; /** the photo's features, base64 Float32 */ features: string } & Placement)
  | { seq: number; type: 'refused'; photo: string; reason: 'full' | 'closed'; at: string }
  | { seq: number; type: 'freed'; cell: number; label: string; photo: string; at: string }
  | { seq: number; type: 'state'; state: WallState; at: string };

/** A wall as the API lists it. */
export type WallSummary = WallDef & { placed: number; total: number; seq: number };

/** The live screen's event: a log entry without the features, and the Deep Zoom tiles it rewrote. */
export type WallScreenEvent = Exclude<WallEvent, { type: 'placed' }> | (Placement & { seq: number; type: 'placed' });

/** One print job of the print queue, as `/admin` and `mosaicme wall print` see it. */
export type PrintJob = {
  photo: string;
  cell: number;
  label: string;
  name?: string;
  sticker: string;
  takeaway: string;
  createdAt: string;
  /** When it went to the printer (written to a hot folder, or ticked in /admin). */
  printedAt?: string;
  /** When someone ticked it as stuck on the board. */
  onBoardAt?: string;
};

/** The print queue as the operator API lists it: a removed photo's job is kept, marked. */
export type PrintQueue = {
  jobs: (PrintJob & { removed?: boolean })[];
  counts: { total: number; printed: number; onBoard: number };
};
