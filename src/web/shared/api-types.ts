/**
 * The shapes the gallery API answers with, shared by the server (which builds them) and the
 * browser code (which reads them). Those the services build too are in shapes/gallery.ts.
 */
import type { MosaicView } from '../../shapes/gallery.js';

export {
  NETWORKS,
  type MosaicView,
  type Network,
  type RequestState,
  type RequestStatus,
} from '../../shapes/gallery.js';

/** A page of the gallery as `/api/mosaics` gives it. */
export type MosaicPage = { mosaics: MosaicView[]; page: number; per_page: number; total: number; pages: number };

/** The operator API's error code when no ADMIN_TOKEN is configured (a wrong token is 401 UNAUTHORIZED). */
export const ADMIN_OFF = 'ADMIN_DISABLED';
/** What the operator page says then. */
export const ADMIN_OFF_TEXT = 'The operator view is off: set ADMIN_TOKEN (16 or more characters) and restart.';
