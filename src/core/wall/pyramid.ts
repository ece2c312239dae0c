import type { RawImage } from '../types.js';

/** Deep Zoom tile size of the live screen; cells are a power of two up to it, so tiles hold whole cells. */
export const SCREEN_TILE = 256;

export type Pyramid = {
  cols: number;
  rows: number;
  cellPx: number;
  width: number;
  height: number;
  /** The deepest level: the wall at full size. Level 0 is 1×1 px. */
  maxLevel: number;
};

export type TileRef = { level: number; x: number; y: number };

/**
 * The live screen's Deep Zoom pyramid (tiles of 256 px, no overlap) over a wall of cells of
 * `cellPx`.
 * @example screenPyramid(60, 40, 256) // { width: 15360, height: 10240, maxLevel: 14, … }
 */
export function screenPyramid(cols: number, rows: number, cellPx: number): Pyramid {
  const width = cols * cellPx;
  const height = rows * cellPx;
  return { cols, rows, cellPx, width, height, maxLevel: Math.ceil(Math.log2(Math.max(width, height))) };
}

/** Width and height of a level's image, rounded up as Deep Zoom does. */
export function levelSize(p: Pyramid, level: number): { width: number; height: number } {
  const scale = 2 ** (level - p.maxLevel);
  return { width: Math.max(1, Math.ceil(p.width * scale)), height: Math.max(1, Math.ceil(p.height * scale)) };
}

/**
 * The tiles one cell shows in, deepest level first: what must be rewritten when its photo comes
 * or goes. One per level, since a cell never straddles a tile edge.
 * @example tilesOfCell(p, 93) // [{ level: 14, x: 13, y: 2 }, { level: 13, x: 6, y: 1 }, …]
 */
export function tilesOfCell(p: Pyramid, cell: number): TileRef[] {
  const cx = (cell % p.cols) * p.cellPx;
  const cy = Math.floor(cell / p.cols) * p.cellPx;
  const out: TileRef[] = [];
  for (let level = p.maxLevel; level >= 0; level--) {
    const scale = 2 ** (level - p.maxLevel);
    out.push({ level, x: Math.floor((cx * scale) / SCREEN_TILE), y: Math.floor((cy * scale) / SCREEN_TILE) });
  }
  return out;
}

/** The tile's area in full-size wall pixels (clipped to the wall) and its own pixel size. */
export function tileArea(p: Pyramid, t: TileRef) {
  const span = SCREEN_TILE * 2 ** (p.maxLevel - t.level);
  const left = t.x * span;
  const top = t.y * span;
  const { width: lw, height: lh } = levelSize(p, t.level);
  return {
    left,
    top,
    width: Math.min(span, p.width - left),
    height: Math.min(span, p.height - top),
    px: { width: Math.min(SCREEN_TILE, lw - t.x * SCREEN_TILE), height: Math.min(SCREEN_TILE, lh - t.y * SCREEN_TILE) },
  };
}

/** Whether a tile exists at all on its level. */
export function tileExists(p: Pyramid, t: TileRef): boolean {
  const { width, height } = levelSize(p, t.level);
  return t.x >= 0 && t.y >= 0 && t.x * SCREEN_TILE < width && t.y * SCREEN_TILE < height;
}

/** The cells a deepest-level tile holds, row by row. */
export function cellsOfTile(p: Pyramid, t: TileRef): number[] {
  const per = SCREEN_TILE / p.cellPx;
  const out: number[] = [];
  for (let r = t.y * per; r < Math.min(p.rows, (t.y + 1) * per); r++)
    for (let c = t.x * per; c < Math.min(p.cols, (t.x + 1) * per); c++) out.push(r * p.cols + c);
  return out;
}

/**
 * A parent tile from its (up to) four children, each halved by averaging 2×2 pixels: how a
 * level is redrawn from the one below without touching the rest of the wall. Missing children
 * (beyond the wall's edge) are undefined.
 */
export function parentTile(
  size: { width: number; height: number },
  children: readonly [RawImage | undefined, RawImage | undefined, RawImage | undefined, RawImage | undefined],
): RawImage {
  const { width, height } = size;
  const data = new Uint8Array(width * height * 3);
  const half = SCREEN_TILE / 2;
  children.forEach((child, i) => {
    if (!child) return;
    const ox = (i % 2) * half;
    const oy = Math.floor(i / 2) * half;
    const cw = Math.ceil(child.width / 2);
    const ch = Math.ceil(child.height / 2);
    for (let y = 0; y < ch && oy + y < height; y++) {
      const y0 = 2 * y;
      const y1 = Math.min(child.height - 1, y0 + 1);
      for (let x = 0; x < cw && ox + x < width; x++) {
        const x0 = 2 * x;
        const x1 = Math.min(child.width - 1, x0 + 1);
        const o = ((oy + y) * width + ox + x) * 3;
        for (let k = 0; k < 3; k++) {
          const a = child.data[(y0 * child.width + x0) * 3 + k];
          const b = child.data[(y0 * child.width + x1) * 3 + k];
          const c = child.data[(y1 * child.width + x0) * 3 + k];
          const d = child.data[(y1 * child.width + x1) * 3 + k];
          data[o + k] = (a + b + c + d + 2) >> 2;
        }
      }
    }
  });
  return { data, width, height, channels: 3 };
}

/** The `.dzi` descriptor of the pyramid. */
export function dziXml(p: Pyramid): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpg" Overlap="0" TileSize="${SCREEN_TILE}">` +
    `<Size Width="${p.width}" Height="${p.height}"/></Image>\n`
  );
}
