import OpenSeadragon from 'openseadragon';
import { SCREEN_TILE, screenPyramid, tilesOfCell, type Pyramid, type TileRef } from '../../../core/wall/pyramid';
import type { Placement, WallSummary } from '../../../shapes/wall';
import { h } from './dom';

export type { Placement, WallSummary };
/** `GET /api/walls/:id`: the wall and its photos, each with the log entry that placed it. */
export type WallDetail = WallSummary & {
  cells: (Placement & { seq: number })[];
  freed: { cell: number; seq: number }[];
};

// The parts of OpenSeadragon used here beyond openseadragon.d.ts (the package ships no types).
// `tilesMatrix`, `_needsUpdate` and `tileCache.unloadTile` are internals: without them the
// viewer falls back to reloading every tile (see reload).
type Rect = { x: number; y: number; width: number; height: number };
type Tile = { level: number; x: number; y: number; loaded: boolean; loading: boolean; getUrl(): string };
type TiledImage = {
  tilesMatrix?: Record<number, Record<number, Record<number, Tile | undefined> | undefined> | undefined>;
  _needsUpdate?: boolean;
  imageToViewportRectangle(x: number, y: number, width: number, height: number): Rect;
  reset(): void;
};
type Viewer = {
  world: { getItemAt(i: number): TiledImage | undefined };
  tileCache?: { unloadTile?(tile: Tile, destroy: boolean): void };
  viewport: {
    fitBounds(r: Rect, immediately?: boolean): void;
    goHome(immediately?: boolean): void;
    viewportToViewerElementRectangle(r: Rect): Rect;
  };
  element: HTMLElement;
  addOverlay(o: { element: HTMLElement; location: Rect }): void;
  removeOverlay(el: HTMLElement): void;
  addHandler(event: string, handler: (e: { tile?: Tile; message?: string }) => void): void;
  addOnceHandler(event: string, handler: () => void): void;
  forceRedraw(): void;
  isOpen(): boolean;
};
type RectClass = new (x: number, y: number, width: number, height: number) => Rect;

export type WallGeometry = { id: string; cols: number; rows: number; cellPx: number };

/** The wall's geometry from the page (data-wall, data-cols, data-rows, data-cell-px). */
export const geometryOf = (el: HTMLElement): WallGeometry => ({
  id: el.dataset.wall ?? '',
  cols: Number(el.dataset.cols),
  rows: Number(el.dataset.rows),
  cellPx: Number(el.dataset.cellPx),
});

const keyOf = (t: TileRef) => `${t.level}/${t.x}_${t.y}`;

// OpenSeadragon injects an inline <style> unless it finds `style[data-openseadragon-mobile-css]`;
// the CSP refuses inline styles. An element of that name in a foreign namespace matches the
// selector but is no stylesheet (as in mosaic.ts).
function skipOsdInlineStyle(): void {
  if (document.head.querySelector('[data-openseadragon-mobile-css]')) return;
  const mark = document.createElementNS('urn:x-mosaicme', 'style');
  mark.setAttribute('data-openseadragon-mobile-css', 'true');
  document.head.append(mark);
}

/** Resolves once the browser has the image (or gave up on it): it is then in its cache. */
const preload = (src: string) =>
  new Promise<void>((resolve) => {
    const img = new Image();
    img.onload = img.onerror = () => resolve();
    img.src = src;
  });

/**
 * A wall's live screen in OpenSeadragon. Each tile is asked for with `?v=` the log entry that last
 * changed it, so unchanged tiles stay cached (the server lets them be cached for good) and only
 * the tiles of a cell that changed are fetched again and swapped in.
 */
export class WallViewer {
  readonly pyramid: Pyramid;
  readonly viewer: Viewer;
  private readonly versions = new Map<string, number>();
  private highlights: HTMLElement[] = [];

  constructor(
    el: HTMLElement,
    private readonly wall: WallGeometry,
    opts: { navigator?: boolean; controls?: boolean } = {},
  ) {
    skipOsdInlineStyle();
    this.pyramid = screenPyramid(wall.cols, wall.rows, wall.cellPx);
    const p = this.pyramid;
    const options = {
      element: el,
      prefixUrl: '/assets/osd/',
      tileSources: {
        width: p.width,
        height: p.height,
        tileSize: SCREEN_TILE,
        tileOverlap: 0,
        minLevel: 0,
        maxLevel: p.maxLevel,
        getTileUrl: (level: number, x: number, y: number) => this.tileUrl({ level, x, y }),
      },
      // Down to one photo at full size and beyond.
      maxZoomPixelRatio: 2,
      visibilityRatio: 0.8,
      constrainDuringPan: true,
      animationTime: 1,
      showNavigator: opts.navigator ?? false,
      navigatorPosition: 'BOTTOM_RIGHT',
      showNavigationControl: opts.controls ?? true,
      showRotationControl: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: true },
    };
    this.viewer = OpenSeadragon(options as unknown as Parameters<typeof OpenSeadragon>[0]) as unknown as Viewer;
    // A tile that was on its way while its cell changed arrives old: it is fetched again.
    this.viewer.addHandler('tile-loaded', (e) => {
      const t = e.tile;
      if (t && this.versionIn(t.getUrl()) < (this.versions.get(keyOf(t)) ?? 0)) setTimeout(() => this.reload(t), 0);
    });
  }

  tileUrl(t: TileRef): string {
    const v = this.versions.get(keyOf(t)) ?? 0;
    return `/walls/${encodeURIComponent(this.wall.id)}/screen_files/${t.level}/${t.x}_${t.y}.jpg?v=${v}`;
  }

  private versionIn(url: string): number {
    return Number(/[?&]v=(\d+)/.exec(url)?.[1] ?? 0);
  }

  /** Notes that `cell` changed at log entry `seq`: its tiles are asked for at that version from now on. */
  mark(cell: number, seq: number): TileRef[] {
    const chain = tilesOfCell(this.pyramid, cell);
    for (const t of chain) if ((this.versions.get(keyOf(t)) ?? 0) < seq) this.versions.set(keyOf(t), seq);
    return chain;
  }

  /** The cell changed: its tiles are fetched at the new version, then swapped in where shown. */
  async refresh(cell: number, seq: number): Promise<void> {
    const chain = this.mark(cell, seq);
    // Fetched first, so the swap shows the new tile at once rather than a blur while it loads.
    await Promise.all(chain.map((t) => preload(this.tileUrl(t))));
    for (const t of chain) this.reloadAt(t);
  }

  private reloadAt(t: TileRef): void {
    const tile = this.viewer.world.getItemAt(0)?.tilesMatrix?.[t.level]?.[t.x]?.[t.y];
    if (tile) this.reload(tile);
    else if (!this.viewer.world.getItemAt(0)?.tilesMatrix) this.viewer.world.getItemAt(0)?.reset();
    // Otherwise the viewer has not made this tile yet: it will ask for the new version when it does.
  }

  private reload(tile: Tile): void {
    const image = this.viewer.world.getItemAt(0);
    const row = image?.tilesMatrix?.[tile.level]?.[tile.x];
    if (!image || !row || tile.loading) return;
    if (!this.viewer.tileCache?.unloadTile) {
      image.reset();
      return;
    }
    if (tile.loaded) this.viewer.tileCache.unloadTile(tile, true);
    // Made again on the next frame, with the new URL; the tiles around it are left alone.
    delete row[tile.y];
    image._needsUpdate = true;
    this.viewer.forceRedraw();
  }

  /** Where the cell is, in the viewer's coordinates; undefined before the wall is open. */
  cellRect(cell: number): Rect | undefined {
    const image = this.viewer.world.getItemAt(0);
    const px = this.wall.cellPx;
    return image?.imageToViewportRectangle(
      (cell % this.wall.cols) * px,
      Math.floor(cell / this.wall.cols) * px,
      px,
      px,
    );
  }

  /** Where the cell is on the page, in CSS pixels. */
  cellOnPage(cell: number): DOMRect | undefined {
    const r = this.cellRect(cell);
    if (!r) return undefined;
    const inViewer = this.viewer.viewport.viewportToViewerElementRectangle(r);
    const box = this.viewer.element.getBoundingClientRect();
    return new DOMRect(box.left + inViewer.x, box.top + inViewer.y, inViewer.width, inViewer.height);
  }

  /** Runs `fn` once the wall is open in the viewer. */
  whenOpen(fn: () => void): void {
    if (this.viewer.isOpen() && this.viewer.world.getItemAt(0)) fn();
    else this.viewer.addOnceHandler('open', fn);
  }

  /** Marks these cells (each with its label); the marks before go. */
  highlight(cells: { cell: number; label: string }[]): void {
    for (const el of this.highlights) this.viewer.removeOverlay(el);
    this.highlights = [];
    for (const c of cells) {
      const location = this.cellRect(c.cell);
      if (!location) continue;
      const el = h('div', { class: 'wall-highlight', 'data-cell': c.cell }, h('span', {}, c.label));
      this.viewer.addOverlay({ element: el, location });
      this.highlights.push(el);
    }
  }

  /** Zooms to show the cells, with some of the wall around them. */
  zoomTo(cells: number[], immediately = false): void {
    const rects = cells.map((c) => this.cellRect(c)).filter((r): r is Rect => !!r);
    if (!rects.length) return;
    const left = Math.min(...rects.map((r) => r.x));
    const top = Math.min(...rects.map((r) => r.y));
    const right = Math.max(...rects.map((r) => r.x + r.width));
    const bottom = Math.max(...rects.map((r) => r.y + r.height));
    const margin = Math.max(right - left, bottom - top) * 1.5;
    const Rect = (OpenSeadragon as unknown as { Rect: RectClass }).Rect;
    this.viewer.viewport.fitBounds(
      new Rect(left - margin, top - margin, right - left + 2 * margin, bottom - top + 2 * margin),
      immediately,
    );
  }
}

/** The versions the tiles start at: each tile's last change among the wall's photos and freed cells. */
export function startVersions(view: WallViewer, wall: WallDetail): void {
  for (const p of wall.cells) view.mark(p.cell, p.seq);
  for (const f of wall.freed) view.mark(f.cell, f.seq);
}
