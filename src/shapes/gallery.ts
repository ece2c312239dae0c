/**
 * The shapes the pipeline's services build and the gallery API answers with. They live below
 * both layers: services write them into the cache and request statuses, web serves them, and the
 * browser code reads them (through web/shared/api-types.ts).
 */
export const NETWORKS = ['x', 'mastodon', 'bluesky'] as const;
export type Network = (typeof NETWORKS)[number];

/** One mosaic as the gallery API and its live events show it. */
export type MosaicView = {
  id: string;
  username: string;
  display_name?: string;
  network?: Network;
  profile_url?: string;
  date: string;
  width?: number;
  height?: number;
  url_small: string;
  url_large: string;
  /** A screen-sized copy for carousels and walls; url_large where there is none. */
  url_preview: string;
  /** A card-sized copy (480 px wide), for mosaics made since it exists; else only url_small. */
  url_card?: string;
  /** Always through the app: the viewer derives tile URLs from it, which presigned URLs cannot give. */
  dzi: string;
  page_url: string;
};

export type RequestState = 'queued' | 'rendering' | 'publishing' | 'done' | 'failed';
/** A request's status by id (`GET /api/requests/:id` adds `mosaic` once it is done). */
export type RequestStatus = {
  id: string;
  state: RequestState;
  /** While rendering: 0–100. */
  percent?: number;
  /** When failed: why, in words a person understands. */
  reason?: string;
  username?: string;
  updatedAt: string;
  mosaic?: MosaicView;
  /** A photo sent to a live wall: its cell, or why the wall refused it (it then becomes a mosaic). */
  wall?: { id: string; cell?: number; label?: string; url?: string; refused?: 'full' | 'closed' };
};
