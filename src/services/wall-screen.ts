import { tileMean } from '../core/features.js';
import {
  cellsOfTile,
  faint,
  levelSize,
  paintCells,
  squareAt,
  parentTile,
  screenPyramid,
  SCREEN_TILE,
  tileArea,
  tileExists,
  tilesOfCell,
  type PaintCell,
  type Pyramid,
  type TileRef,
} from '../core/wall/index.js';
import type { RawImage } from '../core/types.js';
import type { WallImaging } from '../ports.js';
import type { Placement, WallDef } from '../shapes/wall.js';
import type { WallStore } from './wall-store.js';

const QUALITY = 85;
const tileKey = (t: TileRef) => `screen/${t.level}/${t.x}_${t.y}.jpg`;

/**
 * The live screen's Deep Zoom image of one wall. Only tiles that a photo has touched are stored;
 * any other tile is the faint target, drawn when asked for. A photo placed (or removed) rewrites
 * one tile per level: its cell's tile at the deepest level, then each parent from its four
 * children, so a 30,000-cell wall costs the same per photo as a small one.
 */
export class WallScreen {
  readonly pyramid: Pyramid;

  constructor(
    private readonly deps: { store: WallStore; imaging: WallImaging },
    private readonly wall: WallDef,
    /** The target, decoded (a few thousand px at most). */
    private readonly target: RawImage,
    /** Each cell's mean colour in the target (sRGB), from the engine's targetCells. */
    private readonly cellMeans: Float32Array,
  ) {
    this.pyramid = screenPyramid(wall.cols, wall.rows, wall.screenCellPx);
  }

  /** A tile's JPEG: as stored, or the faint target where no photo has been. Undefined outside the pyramid. */
  async tile(t: TileRef): Promise<Uint8Array | undefined> {
    if (!tileExists(this.pyramid, t)) return undefined;
    const stored = await this.deps.store.bytes(this.wall.id, tileKey(t));
    if (stored) return stored;
    return this.deps.imaging.jpeg(await this.faintTile(t), QUALITY);
  }

  /**
   * Rewrites every tile showing `cell` from the wall's cells as they are now. Returns the tiles
   * written and their bytes (the benchmark's "bytes rewritten per photo").
   */
  async update(cell: number, cells: readonly (Placement | undefined)[]): Promise<{ tiles: TileRef[]; bytes: number }> {
    const chain = tilesOfCell(this.pyramid, cell);
    let below = await this.deepest(chain[0], cells);
    let bytes = 0;
    for (let i = 0; ; i++) {
      const encoded = await this.deps.imaging.jpeg(below, QUALITY);
      await this.deps.store.put(this.wall.id, tileKey(chain[i]), encoded);
      bytes += encoded.length;
      if (i + 1 >= chain.length) break;
      below = await this.parent(chain[i + 1], chain[i], below);
    }
    return { tiles: chain, bytes };
  }

  /**
   * The wall so far at most `maxSide` px wide and high, stitched from one level's tiles (a few
   * tiles, never the cells): for take-home prints and previews.
   */
  async preview(maxSide: number): Promise<RawImage> {
    const p = this.pyramid;
    let level = p.maxLevel;
    while (level > 0 && Math.max(...Object.values(levelSize(p, level))) > maxSide) level--;
    const { width, height } = levelSize(p, level);
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y * SCREEN_TILE < height; y++)
      for (let x = 0; x * SCREEN_TILE < width; x++) {
        const tile = await this.deps.imaging.read((await this.tile({ level, x, y }))!);
        for (let row = 0; row < tile.height; row++) {
          const from = row * tile.width * 3;
          data.set(
            tile.data.subarray(from, from + tile.width * 3),
            ((y * SCREEN_TILE + row) * width + x * SCREEN_TILE) * 3,
          );
        }
      }
    return { data, width, height, channels: 3 };
  }

  private async deepest(t: TileRef, cells: readonly (Placement | undefined)[]): Promise<RawImage> {
    const p = this.pyramid;
    const inTile = cellsOfTile(p, t);
    const per = SCREEN_TILE / p.cellPx;
    const first = inTile[0];
    const cols = Math.min(per, p.cols - (first % p.cols));
    const rows = inTile.length / cols;
    const ground = await this.faintTile(t);
    const paint: PaintCell[] = [];
    for (const [i, c] of inTile.entries()) {
      const cellMean = this.cellMeans.subarray(c * 3, c * 3 + 3);
      const placed = cells[c];
      const photo = placed && (await this.photoPixels(placed.photo));
      if (photo) paint.push({ pixels: photo, mean: tileMean(photo, p.cellPx), cellMean });
      else
        paint.push({
          pixels: squareAt(ground, (i % cols) * p.cellPx, Math.floor(i / cols) * p.cellPx, p.cellPx),
          mean: cellMean,
          cellMean,
        });
    }
    return paintCells(
      { cols, rows, cellPx: p.cellPx },
      paint,
      this.wall.tone,
      this.wall.ghost,
      this.wall.ghost ? await this.targetTile(t) : undefined,
    );
  }

  /** A parent from its four children: `fresh` is the child just drawn, the others as stored (or faint). */
  private async parent(t: TileRef, child: TileRef, fresh: RawImage): Promise<RawImage> {
    const kids = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const k = { level: t.level + 1, x: t.x * 2 + (i % 2), y: t.y * 2 + (i >> 1) };
        if (k.x === child.x && k.y === child.y) return fresh;
        if (!tileExists(this.pyramid, k)) return undefined;
        const stored = await this.deps.store.bytes(this.wall.id, tileKey(k));
        return stored ? this.deps.imaging.read(stored) : this.faintTile(k);
      }),
    );
    return parentTile(tileArea(this.pyramid, t).px, kids as [RawImage, RawImage, RawImage, RawImage]);
  }

  private async photoPixels(photo: string): Promise<Uint8Array | undefined> {
    const bytes = await this.deps.store.bytes(this.wall.id, `photos/${photo}.jpg`);
    if (!bytes) return undefined;
    const px = this.pyramid.cellPx;
    return (await this.deps.imaging.resize(await this.deps.imaging.read(bytes), px, px)).data;
  }

  /** The target under a tile, at the tile's pixel size. */
  private targetTile(t: TileRef): Promise<RawImage> {
    const a = tileArea(this.pyramid, t);
    const sx = this.target.width / this.pyramid.width;
    const sy = this.target.height / this.pyramid.height;
    return this.deps.imaging.resize(this.target, a.px.width, a.px.height, {
      left: a.left * sx,
      top: a.top * sy,
      width: a.width * sx,
      height: a.height * sy,
    });
  }

  private async faintTile(t: TileRef): Promise<RawImage> {
    return faint(await this.targetTile(t));
  }
}
