import type { FastifyInstance } from 'fastify';

/** What the pages need to know of the site. */
export type PagesConfig = {
  /** The hashtag people post with, without `#`. */
  hashtag: string;
  /** The public address of the gallery (for the QR code and share links). */
  siteUrl: string;
};

/** The gallery's pages and their static assets (filled in by the gallery page work). */
export async function registerPages(_app: FastifyInstance, _cfg: PagesConfig): Promise<void> {}
