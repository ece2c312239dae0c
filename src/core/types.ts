/** Interleaved 8-bit pixels, as sharp's `.raw()` returns them. */
export type RawImage = { data: Uint8Array; width: number; height: number; channels: 3 | 4 };

/**
 * Matching features of a set of images (tiles or target cells): for each image a `grid`×`grid`
 * array of mean CIELAB colours, row-major, `L,a,b` per sub-cell, so `dims = grid*grid*3`.
 */
export type FeatureSet = { count: number; grid: number; dims: number; data: Float32Array };

/** The size of a mosaic: `cols`×`rows` cells of `cell` px, so the output is `width`×`height`. */
export type MosaicGrid = { cols: number; rows: number; cell: number; width: number; height: number };

/** What the target asks of each cell: its features and its mean sRGB colour (for blending). */
export type TargetCells = { grid: MosaicGrid; features: FeatureSet; means: Float32Array };

export type PlanOptions = {
  /** The same tile never appears within this many cells (Chebyshev distance) of itself. */
  distance: number;
  /** Hard cap on how often one tile may appear; 0 means no cap. */
  maxUses: number;
  /** Seed for the visiting order; the same inputs and seed give the same plan. */
  seed: number;
  /** Soft cost of each further use of a tile, as a share of the median best match. */
  reusePenalty: number;
  /** Candidate tiles kept per cell; more gives the placement more freedom but costs time. */
  candidates: number;
  /**
   * How far apart two different variants (say, a tile and its mirror image) of one tile must be;
   * at most `distance`. The same variant always keeps `distance`.
   */
  variantDistance: number;
};

export type PlanStats = {
  cells: number;
  distinctTiles: number;
  maxUses: number;
  /** The distance rule actually applied everywhere; lower than asked when the library is small. */
  effectiveDistance: number;
  /** Cells where no tile satisfied the rule and a closer repeat was allowed. */
  relaxedCells: number;
  meanCost: number;
};

/** Which library tile goes in each cell, row-major. */
export type MosaicPlan = { grid: MosaicGrid; tiles: Int32Array; cost: Float32Array; stats: PlanStats };
