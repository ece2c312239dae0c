import type { MosaicView } from './api-types.js';

/** The thumbnail's and the card copy's widths (the thumbnail is the original's `thm_size`). */
const THUMB_WIDTH = 120;
const CARD_WIDTH = 480;

/**
 * The gallery grid's column, as wide as styles.css makes it: two columns on a phone, up to about
 * a fifth of the screen on wide ones.
 */
const CARD_SIZES = '(max-width: 30rem) 50vw, (max-width: 60rem) 34vw, 20vw';

/**
 * A card's image: the card copy for the screen's width and density where the mosaic has one,
 * else the thumbnail alone (mosaics made before the copy existed).
 */
export function cardImage(m: MosaicView): { src: string; srcset?: string; sizes?: string } {
  if (!m.url_card) return { src: m.url_small };
  const w = (max: number) => Math.min(max, m.width ?? max);
  return {
    src: m.url_card,
    srcset: `${m.url_small} ${w(THUMB_WIDTH)}w, ${m.url_card} ${w(CARD_WIDTH)}w`,
    sizes: CARD_SIZES,
  };
}
