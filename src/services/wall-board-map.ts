import { cellLabel } from '../core/wall/labels.js';
import { checkChoice, checkInt } from '../core/options.js';
import type { WallImaging } from '../ports.js';
import type { WallDef } from '../shapes/wall.js';
import { printPx } from './wall-engine-stage.js';
import { loadTarget } from './wall-place-stage.js';
import type { WallStore } from './wall-store.js';

/** Paper sizes in inches, portrait. */
export const PAPER = {
  letter: { width: 8.5, height: 11 },
  a4: { width: 210 / 25.4, height: 297 / 25.4 },
  a3: { width: 297 / 25.4, height: 420 / 25.4 },
} as const;
export type Paper = keyof typeof PAPER;

/** What office printers leave unprinted at each edge: the sheet's image stays inside it. */
export const PAPER_MARGIN_IN = 0.25;

export type MapSheet = {
  name: string;
  image: Uint8Array;
  /** The cells it holds: rows `row0`… and columns `col0`… of the board, from 0. */
  row0: number;
  col0: number;
  rows: number;
  cols: number;
  /** The labels of its top-left and bottom-right cells. */
  first: string;
  last: string;
};

export type BoardMap = {
  paper: Paper;
  dpi: number;
  cellPx: number;
  /** The printable area of the paper, in pixels at `dpi`: each sheet's image is this size (or one cell, if larger). */
  sheetPx: { width: number; height: number };
  sheets: MapSheet[];
};

/**
 * The map of the physical board, to print and stick up where the stickers go: the wall's grid
 * with every cell's label over the target laid faintly, cut into sheets of `paper` (less the
 * printers' margin) at `dpi`. A cell prints at the sticker's own size (the wall's tile size), so
 * stickers cover their cells exactly when the sheets are printed at 100 %.
 */
export async function boardMap(
  deps: { store: WallStore; imaging: WallImaging },
  wall: WallDef,
  opts: { paper?: string; dpi?: number } = {},
): Promise<BoardMap> {
  const paper = checkChoice('sheet', opts.paper ?? 'letter', Object.keys(PAPER) as Paper[]);
  const dpi = checkInt('dpi', opts.dpi ?? 300, 72, 600);
  const cellInches = printPx(wall.print) / wall.print.dpi;
  const cellPx = Math.max(1, Math.round(cellInches * dpi));
  const sheetPx = {
    width: Math.floor((PAPER[paper].width - 2 * PAPER_MARGIN_IN) * dpi),
    height: Math.floor((PAPER[paper].height - 2 * PAPER_MARGIN_IN) * dpi),
  };
  const { target } = await loadTarget(deps, wall);
  const made = await deps.imaging.boardSheets({ target, cols: wall.cols, rows: wall.rows, cellPx, dpi, sheetPx });
  const sheets = made.map((s) => ({ ...s, ...sheetRange(s.name, wall, cellPx, sheetPx) }));
  return { paper, dpi, cellPx, sheetPx, sheets };
}

/**
 * The cells a sheet named `sheet-r<row>-c<col>.png` holds. The port promises whole cells per
 * sheet, as many as fit (at least one), numbered from the top left; the adapter's test checks
 * the same cut.
 */
export function sheetRange(
  name: string,
  wall: Pick<WallDef, 'cols' | 'rows'>,
  cellPx: number,
  sheetPx: { width: number; height: number },
): Omit<MapSheet, 'name' | 'image'> {
  const m = /^sheet-r(\d+)-c(\d+)\./.exec(name);
  if (!m) throw new Error(`unexpected board sheet name ${JSON.stringify(name)}`);
  const perCols = Math.max(1, Math.floor(sheetPx.width / cellPx));
  const perRows = Math.max(1, Math.floor(sheetPx.height / cellPx));
  const row0 = (Number(m[1]) - 1) * perRows;
  const col0 = (Number(m[2]) - 1) * perCols;
  const rows = Math.min(perRows, wall.rows - row0);
  const cols = Math.min(perCols, wall.cols - col0);
  return {
    row0,
    col0,
    rows,
    cols,
    first: cellLabel(row0 * wall.cols + col0, wall.cols),
    last: cellLabel((row0 + rows - 1) * wall.cols + col0 + cols - 1, wall.cols),
  };
}
